// Occurrences of the events in .ics files as ical.js (Thunderbird's parser) reads them.
//
//   node occurrences.mjs WINDOW_START WINDOW_END FILE...
//
// WINDOW_START and WINDOW_END are Unix seconds; an occurrence is listed when its start is in
// [WINDOW_START, WINDOW_END). Prints one JSON array with one entry per FILE, in order:
// {"occurrences": [[uid, start, end, status], ...], "tasks": [[uid, summary, due, status,
// related_to, sequence], ...]} (start and end in Unix seconds, as ical.js converts them to UTC;
// a task's due date as "YYYY-MM-DD", a due time as Unix seconds, "" without DUE; its sequence
// null without SEQUENCE) or {"error": "..."} when ical.js cannot read the file.
//
// Each file's VTIMEZONEs are registered with ICAL.TimezoneService (and nothing else is), so
// ical.js turns local times into UTC with the file's own zones. A recurring event is expanded
// with its iterator (RRULE, RDATE, EXDATE); the overrides with its UID (RECURRENCE-ID) are
// related to it with relateException and replace the occurrence ical.js matches them to
// (getOccurrenceDetails). An override that replaces no occurrence is still shown, as
// Thunderbird shows every exception of an item.

import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const MAX_STEPS = 100000; // an endless rule stops here

function roots(text) {
  const parsed = ICAL.parse(text);
  const list = typeof parsed[0] === "string" ? [parsed] : parsed;
  return list.map((jcal) => new ICAL.Component(jcal));
}

function statusOf(component) {
  const value = component.getFirstPropertyValue("status");
  return value ? String(value).toUpperCase() : "";
}

function row(event, start, end, inWindow) {
  const from = start.toUnixTime();
  if (!inWindow(from)) {
    return null;
  }
  return [event.uid, from, end.toUnixTime(), statusOf(event.component)];
}

function occurrencesOf(root, windowStart, windowEnd) {
  ICAL.TimezoneService.reset();
  for (const zone of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  const inWindow = (t) => t >= windowStart && t < windowEnd;
  const vevents = root.getAllSubcomponents("vevent");
  const overrides = new Map();
  for (const comp of vevents) {
    if (comp.hasProperty("recurrence-id")) {
      const uid = comp.getFirstPropertyValue("uid");
      if (!overrides.has(uid)) {
        overrides.set(uid, []);
      }
      overrides.get(uid).push(comp);
    }
  }
  const out = [];
  const masters = new Set();
  for (const comp of vevents) {
    if (comp.hasProperty("recurrence-id")) {
      continue;
    }
    const uid = comp.getFirstPropertyValue("uid");
    masters.add(uid);
    const event = new ICAL.Event(comp, { exceptions: overrides.get(uid) || [] });
    if (!event.isRecurring()) {
      const found = row(event, event.startDate, event.endDate, inWindow);
      if (found) {
        out.push(found);
      }
      continue;
    }
    const used = new Set();
    const iterator = event.iterator();
    let next;
    let steps = 0;
    while ((next = iterator.next()) && next.toUnixTime() < windowEnd && steps++ < MAX_STEPS) {
      const details = event.getOccurrenceDetails(next);
      if (details.item !== event) {
        used.add(details.item);
      }
      const found = row(details.item, details.startDate, details.endDate, inWindow);
      if (found) {
        out.push(found);
      }
    }
    for (const exception of Object.values(event.exceptions)) {
      if (!used.has(exception)) {
        const found = row(exception, exception.startDate, exception.endDate, inWindow);
        if (found) {
          out.push(found);
        }
      }
    }
  }
  for (const [uid, comps] of overrides) {
    if (masters.has(uid)) {
      continue;
    }
    for (const comp of comps) {
      const event = new ICAL.Event(comp);
      const found = row(event, event.startDate, event.endDate, inWindow);
      if (found) {
        out.push(found);
      }
    }
  }
  return out;
}

// The VTODOs of a VCALENDAR, as Thunderbird's task list reads them (ICAL.Component).
function tasksOf(root) {
  const out = [];
  for (const comp of root.getAllSubcomponents("vtodo")) {
    const due = comp.getFirstPropertyValue("due");
    let dueText = "";
    if (due) {
      dueText = due.isDate ? due.toString() : due.toUnixTime();
    }
    const sequence = comp.getFirstPropertyValue("sequence");
    out.push([
      String(comp.getFirstPropertyValue("uid") ?? ""),
      String(comp.getFirstPropertyValue("summary") ?? ""),
      dueText,
      statusOf(comp),
      String(comp.getFirstPropertyValue("related-to") ?? ""),
      sequence === null || sequence === undefined ? null : Number(sequence),
    ]);
  }
  return out;
}

function main() {
  const [startArg, endArg, ...paths] = process.argv.slice(2);
  const windowStart = Number(startArg);
  const windowEnd = Number(endArg);
  if (!Number.isFinite(windowStart) || !Number.isFinite(windowEnd)) {
    process.stderr.write("usage: node occurrences.mjs WINDOW_START WINDOW_END FILE...\n");
    process.exit(2);
  }
  const results = paths.map((path) => {
    try {
      const text = readFileSync(path, "utf8");
      const occurrences = [];
      const tasks = [];
      for (const root of roots(text)) {
        occurrences.push(...occurrencesOf(root, windowStart, windowEnd));
        tasks.push(...tasksOf(root));
      }
      return { occurrences, tasks };
    } catch (error) {
      return { error: String(error && error.message ? error.message : error) };
    }
  });
  process.stdout.write(JSON.stringify(results));
}

main();
