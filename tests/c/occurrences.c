/* Occurrences of the events in .ics files as libical 3 (Evolution's parser) reads them.
 *
 *   occurrences WINDOW_START WINDOW_END FILE...
 *
 * WINDOW_START and WINDOW_END are Unix seconds; an occurrence is listed when its start is in
 * [WINDOW_START, WINDOW_END). For each FILE, in order, prints a line "F<TAB>index", then one
 * line per occurrence "O<TAB>start<TAB>end<TAB>status<TAB>uid" (start and end in Unix seconds,
 * as libical converts them to UTC), or one line "E<TAB>message" when libical cannot read it.
 * Then one line per VTODO, "T<TAB>uid<TAB>summary<TAB>due<TAB>status<TAB>related_to<TAB>sequence"
 * (due as YYYY-MM-DD for a date, Unix seconds for a time, empty without DUE; sequence empty
 * without SEQUENCE; in the texts a backslash, tab, CR and LF are written \\, \t, \r, \n).
 *
 * libical takes the zone of a DTSTART, DTEND, EXDATE or RECURRENCE-ID with a TZID from the
 * VTIMEZONE of that name in the file (icalcomponent_get_timezone on the VCALENDAR). A master
 * event is expanded with icalcomponent_foreach_recurrence (RRULE, EXDATE; every occurrence
 * lasts as long as the first), its RDATEs next to it, each in the zone of its TZID. An occurrence whose start is the RECURRENCE-ID of an
 * override with the same UID is left out, and every override is listed at its own times, as
 * Evolution shows a detached instance.
 *
 * Built by tests/parsers.py: gcc occurrences.c $(pkg-config --cflags --libs libical).
 */

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct override {
    const char *uid;
    time_t rid;
};

struct expansion {
    const char *uid;
    const char *status;
    const struct override *overrides;
    size_t count;
    int skip_overridden;
    time_t from;
    time_t until;
};

static time_t as_utc(struct icaltimetype t)
{
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    if (t.zone != NULL) {
        return icaltime_as_timet_with_zone(t, t.zone);
    }
    return icaltime_as_timet_with_zone(t, utc); /* UTC ("Z") or floating: read as UTC */
}

static void print_uid(const char *uid)
{
    for (const char *c = uid ? uid : ""; *c; c++) {
        putchar(*c == '\t' || *c == '\n' || *c == '\r' ? ' ' : *c);
    }
}

static void found(icalcomponent *comp, struct icaltime_span *span, void *data)
{
    const struct expansion *e = data;
    (void)comp;
    if (span->start < e->from || span->start >= e->until) {
        return;
    }
    if (e->skip_overridden) {
        for (size_t i = 0; i < e->count; i++) {
            if (e->overrides[i].rid == span->start && strcmp(e->overrides[i].uid, e->uid) == 0) {
                return;
            }
        }
    }
    printf("O\t%lld\t%lld\t%s\t", (long long)span->start, (long long)span->end, e->status);
    print_uid(e->uid);
    putchar('\n');
}

/* TEXT with backslash, tab, CR and LF escaped, so that a line holds one task. */
static void print_text(const char *text)
{
    for (const char *c = text ? text : ""; *c; c++) {
        switch (*c) {
        case '\\': fputs("\\\\", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        default: putchar(*c);
        }
    }
}

static const char *status_of(icalcomponent *comp);

/* The VTODOs of CAL, as Evolution's task list reads them. */
static void tasks(icalcomponent *cal)
{
    icalcomponent *td;
    for (td = icalcomponent_get_first_component(cal, ICAL_VTODO_COMPONENT); td != NULL;
         td = icalcomponent_get_next_component(cal, ICAL_VTODO_COMPONENT)) {
        fputs("T\t", stdout);
        print_text(icalcomponent_get_uid(td));
        putchar('\t');
        print_text(icalcomponent_get_summary(td));
        putchar('\t');
        icalproperty *due = icalcomponent_get_first_property(td, ICAL_DUE_PROPERTY);
        if (due != NULL) {
            struct icaltimetype t = icalcomponent_get_due(td);
            if (t.is_date) {
                printf("%04d-%02d-%02d", t.year, t.month, t.day);
            } else {
                printf("%lld", (long long)as_utc(t));
            }
        }
        printf("\t%s\t", status_of(td));
        icalproperty *related = icalcomponent_get_first_property(td, ICAL_RELATEDTO_PROPERTY);
        print_text(related ? icalproperty_get_relatedto(related) : "");
        putchar('\t');
        if (icalcomponent_get_first_property(td, ICAL_SEQUENCE_PROPERTY) != NULL) {
            printf("%d", icalcomponent_get_sequence(td));
        }
        putchar('\n');
    }
}

static const char *status_of(icalcomponent *comp)
{
    icalproperty_status status = icalcomponent_get_status(comp);
    if (status == ICAL_STATUS_NONE) {
        return "";
    }
    const char *text = icalproperty_status_to_string(status);
    return text ? text : "";
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t size = 0, cap = 1 << 16;
    char *buf = malloc(cap + 1);
    size_t n;
    while (buf != NULL && (n = fread(buf + size, 1, cap - size, f)) > 0) {
        size += n;
        if (size == cap) {
            cap *= 2;
            char *bigger = realloc(buf, cap + 1);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[size] = '\0';
    }
    return buf;
}

/* A time of PROP (an RDATE) in the zone its TZID names in CAL; UTC or floating as written. */
static struct icaltimetype in_zone(icalproperty *prop, struct icaltimetype t, icalcomponent *cal)
{
    icalparameter *param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    if (param != NULL && t.zone == NULL && !icaltime_is_utc(t)) {
        icaltimezone *zone = icalcomponent_get_timezone(cal, icalparameter_get_tzid(param));
        if (zone != NULL) {
            t = icaltime_set_timezone(&t, zone);
        }
    }
    return t;
}

/* The RDATEs of EV, as icalcomponent_foreach_recurrence would list them if it read their TZID
 * (libical 3.0 reads an RDATE's local time as UTC there; Evolution reads it in its zone). */
static void rdates(icalcomponent *ev, icalproperty **props, size_t n, icalcomponent *cal,
                   const struct expansion *e)
{
    struct icaltimetype dtstart = icalcomponent_get_dtstart(ev);
    struct icaltimetype dtend = icalcomponent_get_dtend(ev);
    time_t length = as_utc(dtend) - as_utc(dtstart);
    for (size_t i = 0; i < n; i++) {
        struct icaldatetimeperiodtype value = icalproperty_get_rdate(props[i]);
        struct icaltimetype t = icaltime_is_null_time(value.time) ? value.period.start : value.time;
        t = in_zone(props[i], t, cal);
        if (icalproperty_recurrence_is_excluded(ev, &dtstart, &t)) {
            continue;
        }
        struct icaltime_span span;
        span.start = as_utc(t);
        span.end = span.start + length;
        span.is_busy = 1;
        found(ev, &span, (void *)e);
    }
}

static void expand(icalcomponent *cal, time_t from, time_t until)
{
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    struct icaltimetype start = icaltime_from_timet_with_zone(from, 0, utc);
    struct icaltimetype end = icaltime_from_timet_with_zone(until, 0, utc);
    int total = icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT);
    struct override *overrides = calloc((size_t)total + 1, sizeof *overrides);
    size_t count = 0;
    icalcomponent *ev;

    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev != NULL;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *rid = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
        if (rid != NULL) {
            overrides[count].uid = icalcomponent_get_uid(ev);
            overrides[count].rid = as_utc(icalproperty_get_datetime_with_component(rid, ev));
            if (overrides[count].uid == NULL) {
                overrides[count].uid = "";
            }
            count++;
        }
    }
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev != NULL;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        int is_override = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY) != NULL;
        struct expansion e = {
            icalcomponent_get_uid(ev), status_of(ev), overrides, count, !is_override, from, until,
        };
        if (e.uid == NULL) {
            e.uid = "";
        }
        /* The RDATEs are taken out for foreach_recurrence, and listed by rdates(). */
        size_t n = (size_t)icalcomponent_count_properties(ev, ICAL_RDATE_PROPERTY);
        icalproperty **props = calloc(n + 1, sizeof *props);
        size_t k = 0;
        for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY);
             p != NULL && k < n; p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
            props[k++] = p;
        }
        for (size_t i = 0; i < k; i++) {
            icalcomponent_remove_property(ev, props[i]);
        }
        icalcomponent_foreach_recurrence(ev, start, end, found, &e);
        rdates(ev, props, k, cal, &e);
        for (size_t i = 0; i < k; i++) {
            icalproperty_free(props[i]);
        }
        free(props);
    }
    free(overrides);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: occurrences WINDOW_START WINDOW_END FILE...\n");
        return 2;
    }
    time_t from = (time_t)strtoll(argv[1], NULL, 10);
    time_t until = (time_t)strtoll(argv[2], NULL, 10);
    icalerror_set_errors_are_fatal(0);
    for (int i = 3; i < argc; i++) {
        printf("F\t%d\n", i - 3);
        char *text = slurp(argv[i]);
        if (text == NULL) {
            printf("E\tcannot read %s\n", argv[i]);
            continue;
        }
        icalcomponent *root = icalparser_parse_string(text);
        free(text);
        if (root == NULL) {
            printf("E\tlibical could not parse the file\n");
            continue;
        }
        if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
            expand(root, from, until);
            tasks(root);
        } else {
            icalcomponent *cal;
            for (cal = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
                 cal != NULL; cal = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT)) {
                expand(cal, from, until);
                tasks(cal);
            }
        }
        icalcomponent_free(root);
        fflush(stdout);
    }
    return 0;
}
