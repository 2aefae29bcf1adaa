"""`peerkit replies import`: members' answers read from their replies, through the CLI.

The replies are written the way Thunderbird, Outlook, Apple Calendar and Google Calendar
write them (tests/replies/, each with a note of what it models), filled in with the UIDs,
addresses and Message-IDs of a community made here; plain answers are replies to the
invitations' own Message-IDs. They are read from files, a maildir and an mbox, on SQLite
and on PostgreSQL, and what they change is read back: session show, the agenda and the
invitations on disk, the event's seats, the stats.
"""

from __future__ import annotations

import base64
import email
import json
import mailbox
import quopri
import re
import string
from dataclasses import dataclass
from email.policy import default
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tests.conftest import Cli, Result, assert_error, assert_usage_error, invoke

SAMPLES = Path(__file__).parent / "replies"
NOW = "2026-12-01T10:00:00+01:00"  # a week before the meeting of Tuesday 8 December
WEEK = "2026-W50"
ORGANISER = ("Paolo Pavan", "paolo@example.com")
# name, address, language: members 1 to 4 of the group, 5 outside it
PEOPLE = [("Giulia Rossi", "giulia@example.com", "it"),
          ("Marco Bianchi", "marco@example.com", "en"),
          ("Sara Conti", "sara@example.com", "en"),
          ("Luca Ferri", "luca@example.com", "en"),
          ("Elena Gallo", "elena@example.com", "en")]  # fmt: skip
GIULIA, MARCO, SARA, LUCA, ELENA = 1, 2, 3, 4, 5
WORDS = {"ACCEPTED": ("Accepted", "accepted"), "DECLINED": ("Declined", "declined"),
         "TENTATIVE": ("Tentative", "tentatively accepted")}  # fmt: skip
KEYS = ["source", "kind", "member", "target", "answer", "action", "reason"]


# --- the sample replies -----------------------------------------------------------------


def fill(name: str, **values: Any) -> bytes:
    """tests/replies/NAME with VALUES, its encoded blocks encoded, CRLF line ends."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    lines = text.split("\n")
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    if values.get("recurrence") is None:
        lines = [line for line in lines if line.strip() != "$recurrence"]
    marks = {"begin_base64": "\x00b64", "end_base64": "\x00/b64",
             "begin_qp": "\x00qp", "end_qp": "\x00/qp"}  # fmt: skip
    filled = string.Template("\n".join(lines)).substitute(
        {k: str(v) for k, v in values.items() if v is not None}, **marks
    )
    filled = filled.replace("\n", "\r\n")
    filled = re.sub(r"\x00b64\r\n(.*?)\x00/b64\r\n", _base64, filled, flags=re.S)
    filled = re.sub(r"\x00qp\r\n(.*?)\x00/qp\r\n", _qp, filled, flags=re.S)
    return filled.encode("utf-8")


def _base64(match: re.Match[str]) -> str:
    data = base64.b64encode(match.group(1).encode("utf-8")).decode("ascii")
    return "".join(data[i : i + 76] + "\r\n" for i in range(0, len(data), 76))


def _qp(match: re.Match[str]) -> str:
    text = match.group(1).replace("\r\n", "\n").encode("utf-8")
    return quopri.encodestring(text).decode("ascii").replace("\n", "\r\n")


@dataclass
class Community:
    """The community of the tests: an organiser, a Tuesday group of four, its week planned."""

    cli: Cli
    outbox: Path
    uid: str
    stamp_counter: int = 0

    def show(self, session: int = 1) -> dict[str, Any]:
        return dict(json.loads(self.cli.ok("session", "show", str(session), "-f", "json").stdout))

    def folder(self) -> Path:
        return self.outbox / WEEK / "martedi"

    def invitation_id(self, member: int) -> str:
        (path,) = self.folder().glob(f"invite-{member}-*.eml")
        found = re.search(rb"^Message-ID: (<[^>]+>)", path.read_bytes(), flags=re.M)
        assert found is not None
        return found.group(1).decode()

    def reply(self, client: str, member: int, partstat: str, **over: Any) -> bytes:
        """A calendar reply of CLIENT (thunderbird, outlook, apple, google) from MEMBER."""
        name, address, _locale = PEOPLE[member - 1]
        self.stamp_counter += 1
        subject_word, verb = WORDS.get(partstat, ("Reply", "answered"))
        values: dict[str, Any] = {
            "from_name": name, "from_addr": address,
            "attendee_name": name, "attendee_addr": address,
            "organiser_name": ORGANISER[0], "organiser_addr": ORGANISER[1],
            "uid": self.uid, "sequence": 0, "partstat": partstat,
            "dtstamp": f"20261130T0{self.stamp_counter % 10}0000Z",
            "date": "Mon, 30 Nov 2026 09:00:00 +0100",
            "message_id": f"<{client}-{member}-{self.stamp_counter}@mail.example.net>",
            "subject_word": subject_word, "verb": verb, "summary": "Martedì",
            "dtstart_local": "20261208T183000", "dtend_local": "20261208T200000",
            "dtstart_utc": "20261208T173000Z", "dtend_utc": "20261208T190000Z",
            "recurrence": None,
        }  # fmt: skip
        values.update(over)
        return fill(f"{client}.eml", **values)

    def plain(self, member: int, answer: str, **over: Any) -> bytes:
        """A plain-text reply of MEMBER to their invitation, saying ANSWER."""
        name, address, _locale = PEOPLE[member - 1]
        self.stamp_counter += 1
        values: dict[str, Any] = {
            "from_name": name, "from_addr": address, "attendee_name": name,
            "organiser_name": ORGANISER[0], "organiser_addr": ORGANISER[1],
            "summary": "Martedì", "answer": answer,
            "date": f"Mon, 30 Nov 2026 10:{self.stamp_counter:02d}:00 +0100",
            "message_id": f"<plain-{member}-{self.stamp_counter}@mail.example.net>",
            "in_reply_to": self.invitation_id(member),
        }  # fmt: skip
        values.update(over)
        return fill("plain.eml", **values)


@pytest.fixture
def now(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERKIT_NOW", NOW)
    monkeypatch.setenv("PEERKIT_TODAY", NOW[:10])


def build(cli: Cli, *, organiser: bool = True, plan: bool = True) -> None:
    who = ["--organiser-name", ORGANISER[0], "--organiser-email", ORGANISER[1]] if organiser else []
    cli.ok("init", "--community", "Freelance Insieme", "--timezone", "Europe/Rome",
           "--locale", "en", *who)  # fmt: skip
    for name, address, locale in PEOPLE:
        cli.ok("member", "add", name, "--email", address, "--locale", locale)
    cli.ok("group", "create", "Martedì", "--day", "tue", "--time", "18:30", "--start",
           "2026-12-08", *(x for i in "1234" for x in ("--member", i)))  # fmt: skip
    if plan:
        cli.ok("plan", "week", "--week", WEEK)
    else:
        cli.ok("session", "plan", "martedi", "--from", "2026-12-08", "--count", "3")


@pytest.fixture
def community(cli: Cli, db_path: Path, now: None) -> Community:
    build(cli)
    shown = json.loads(cli.ok("session", "show", "1", "-f", "json").stdout)
    return Community(cli, db_path.parent / "outbox", shown["uid"])


def save(folder: Path, **messages: bytes) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in messages.items():
        path = folder / f"{name}.eml"
        path.write_bytes(data)
        paths.append(path)
    return paths


def imported(cli: Cli, *paths: Path | str, dry_run: bool = False) -> list[dict[str, Any]]:
    args = ["replies", "import", *map(str, paths), "--format", "json"]
    result = cli.ok(*args, *(["--dry-run"] if dry_run else []))
    assert "Traceback" not in result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    for row in rows:
        assert list(row) == KEYS
    return rows


def answers(shown: dict[str, Any]) -> dict[int, str]:
    return {a["member"]: a["answer"] for a in shown["answers"]}


def calendar_of(path: Path) -> Any:
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    (event,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return event


# --- what each calendar sends ---------------------------------------------------------------


def test_each_client_s_reply_is_recorded(community: Community, tmp_path: Path) -> None:
    paths = save(
        tmp_path / "in",
        a_thunderbird=community.reply("thunderbird", MARCO, "ACCEPTED"),
        b_outlook=community.reply("outlook", SARA, "ACCEPTED"),
        c_apple=community.reply("apple", LUCA, "TENTATIVE"),
        d_google=community.reply("google", GIULIA, "ACCEPTED"),
    )
    rows = imported(community.cli, *paths)
    assert [(r["kind"], r["target"], r["answer"], r["action"]) for r in rows] == [
        ("itip", "session 1", "accepted", "recorded"),
        ("itip", "session 1", "accepted", "recorded"),
        ("itip", "session 1", "tentative", "recorded"),
        ("itip", "session 1", "accepted", "recorded"),
    ]
    assert rows[0]["member"] == "#2 Marco Bianchi <marco@example.com>"
    shown = community.show()
    assert answers(shown) == {GIULIA: "accepted", MARCO: "accepted", SARA: "accepted",
                              LUCA: "tentative"}  # fmt: skip
    assert {a["member"]: a["at"] for a in shown["answers"]}[MARCO] == "2026-11-30T02:00:00+01:00"
    agenda = (community.folder() / "agenda.md").read_text(encoding="utf-8")
    assert "- Coming: Giulia Rossi, Marco Bianchi, Sara Conti\n- Maybe: Luca Ferri\n" in agenda
    assert "Not coming" not in agenda
    assert shown["sequence"] == 0  # an acceptance is no news for the others' calendars


def test_a_hot_seat_that_declines_passes_on_and_keeps_the_turn(
    community: Community, tmp_path: Path
) -> None:
    before = community.show()
    assert before["hot_seat"][0] == GIULIA
    old = {p.name: p.read_bytes() for p in community.folder().glob("invite-*.eml")}
    (row,) = imported(
        community.cli, *save(tmp_path, no=community.reply("thunderbird", GIULIA, "DECLINED"))
    )
    assert (row["answer"], row["action"]) == ("declined", "recorded")
    assert "the hot seat passes to Luca Ferri" in row["reason"]
    assert f"wrote its agenda and 4 invitation(s) again under {community.folder()}" in row["reason"]
    after = community.show()
    assert GIULIA not in after["hot_seat"]
    assert after["hot_seat"] == [*before["hot_seat"][1:], LUCA]
    assert after["sequence"] == 1  # the hot seat is news: every invitation is a new version
    agenda = (community.folder() / "agenda.md").read_text(encoding="utf-8")
    assert "- Not coming: Giulia Rossi\n" in agenda
    assert "- No answer yet: Marco Bianchi, Sara Conti, Luca Ferri\n" in agenda
    assert "1. Marco Bianchi" in agenda
    assert "Giulia Rossi ·" not in agenda
    for path in community.folder().glob("invite-*.eml"):
        event = calendar_of(path)
        assert int(event["SEQUENCE"]) == 1, path.name
        assert path.read_bytes() != old[path.name]
        assert "Giulia Rossi" not in str(event["DESCRIPTION"]).split("hot seat")[1].split("\n")[0]
    community.cli.ok("outbox", "check")  # the files written again hold up to the database
    # the rotation keeps her turn: she is first on the hot seat at the next meeting
    community.cli.ok("plan", "week", "--week", "2026-W51")
    assert community.show(2)["hot_seat"][0] == GIULIA
    # planning the week again gives her no role back
    community.cli.ok("plan", "week", "--week", WEEK)
    assert community.show()["hot_seat"] == after["hot_seat"]


def test_importing_the_same_mail_twice_changes_nothing(
    community: Community, tmp_path: Path
) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for data in (
        community.reply("outlook", MARCO, "ACCEPTED"),
        community.reply("apple", GIULIA, "DECLINED"),
        community.plain(SARA, "Sì, vengo!"),
        community.plain(LUCA, "Can't make it, sorry"),
    ):
        box.add(data)
    first = imported(community.cli, tmp_path / "Maildir")
    assert sorted(r["action"] for r in first) == ["recorded"] * 4
    assert all(r["source"].startswith(str(tmp_path / "Maildir") + ":") for r in first)
    files = {p: p.read_bytes() for p in community.outbox.rglob("*") if p.is_file()}
    shown = community.show()
    second = imported(community.cli, tmp_path / "Maildir")
    assert [r["action"] for r in second] == ["unchanged"] * 4
    assert community.show() == shown
    assert {p: p.read_bytes() for p in community.outbox.rglob("*") if p.is_file()} == files


def test_an_older_reply_never_overwrites_a_newer_one(community: Community, tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "replies.mbox", create=True)
    box.add(community.reply("google", MARCO, "ACCEPTED", dtstamp="20261130T120000Z"))
    box.add(community.reply("google", MARCO, "DECLINED", dtstamp="20261130T080000Z"))
    box.flush()
    rows = imported(community.cli, tmp_path / "replies.mbox")
    assert [(r["source"][-2:], r["action"]) for r in rows] == [
        ("#1", "recorded"),
        ("#2", "ignored"),
    ]
    assert rows[1]["reason"].startswith("older than the answer recorded (accepted")
    assert answers(community.show()) == {MARCO: "accepted"}
    # a reply to a newer version (a higher SEQUENCE) wins even with an earlier DTSTAMP
    community.cli.ok("session", "move", "1", "--to", "2026-12-08 19:00")
    later = community.reply("google", MARCO, "DECLINED", dtstamp="20261130T070000Z", sequence=1)
    (row,) = imported(community.cli, *save(tmp_path / "v1", later=later))
    assert row["action"] == "recorded"
    assert answers(community.show()) == {MARCO: "declined"}


def test_a_dry_run_writes_nothing(community: Community, tmp_path: Path) -> None:
    files = {p: p.read_bytes() for p in community.outbox.rglob("*") if p.is_file()}
    paths = save(tmp_path, no=community.reply("thunderbird", GIULIA, "DECLINED"))
    (row,) = imported(community.cli, *paths, dry_run=True)
    assert row["action"] == "would record"
    assert "the hot seat passes to Luca Ferri" in row["reason"]
    assert "would write its agenda" in row["reason"]
    assert community.show()["answers"] == []
    assert {p: p.read_bytes() for p in community.outbox.rglob("*") if p.is_file()} == files


# --- plain answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "answer"),
    [("Sì, vengo!", "accepted"), ("yes", "accepted"), ("Ci sarò", "accepted"),
     ("Non posso, purtroppo.", "declined"), ("Can't make it, sorry", "declined"),
     ("no", "declined"), ("Maybe", "tentative"), ("forse", "tentative"),
     ("\u201cI\u2019m not sure\u201d", "tentative")],  # curly quotes, as phones type
)  # fmt: skip
def test_a_plain_answer_is_read_in_english_and_italian(
    community: Community, tmp_path: Path, line: str, answer: str
) -> None:
    (row,) = imported(community.cli, *save(tmp_path, reply=community.plain(MARCO, line)))
    assert (row["kind"], row["target"], row["answer"], row["action"]) == (
        "mail", "session 1", answer, "recorded"
    )  # fmt: skip
    assert answers(community.show()) == {MARCO: answer}


@pytest.mark.parametrize(
    "line",
    ["Yes, but I'll be late", "Sì/no", "ok", "I might come if the train is on time",
     "> yes", "No problem, see you"],
)  # fmt: skip
def test_anything_ambiguous_is_listed_for_the_organiser(
    community: Community, tmp_path: Path, line: str
) -> None:
    (row,) = imported(community.cli, *save(tmp_path, reply=community.plain(MARCO, line)))
    assert (row["member"], row["target"], row["answer"], row["action"]) == (
        "#2 Marco Bianchi <marco@example.com>", "session 1", None, "unclear"
    )  # fmt: skip
    assert community.show()["answers"] == []


def test_only_a_reply_to_peerkit_from_the_member_counts(
    community: Community, tmp_path: Path
) -> None:
    invitation = community.invitation_id(MARCO)
    cases = {
        "a_not_ours": community.plain(MARCO, "yes", in_reply_to="<other@mail.example.net>"),
        "b_someone_elses": community.plain(MARCO, "yes", in_reply_to=community.invitation_id(SARA)),
        "c_stranger": community.plain(MARCO, "yes", from_addr="mallory@example.org"),
        "d_out_of_office": community.plain(MARCO, "I am away until Monday.").replace(
            b"MIME-Version", b"Auto-Submitted: auto-replied\r\nMIME-Version"
        ),
        "e_forwarded_as_marco": community.plain(SARA, "no", in_reply_to=invitation),
    }
    rows = imported(community.cli, *save(tmp_path, **cases))
    assert [(r["action"], r["reason"].split(" (")[0]) for r in rows] == [
        ("ignored", "not a reply to a message from peerkit"),
        ("unclear", "answers a message from peerkit that is none of their current invitations"),
        ("refused", "from mallory@example.org, the address of no member"),
        ("ignored", "an automatic reply"),
        ("unclear", "answers a message from peerkit that is none of their current invitations"),
    ]
    assert community.show()["answers"] == []


# --- trust nothing ------------------------------------------------------------------------


def test_replies_that_cannot_be_trusted_change_nothing(
    community: Community, tmp_path: Path
) -> None:
    reply = community.reply
    huge = reply("outlook", MARCO, "ACCEPTED") + b"\r\n" + b"x" * (10 * 1024 * 1024)
    many = b"\r\n".join(
        [b"From: marco@example.com", b"In-Reply-To: <x@peerkit>", b"MIME-Version: 1.0",
         b'Content-Type: multipart/mixed; boundary="b"', b""]
        + [b"--b\r\nContent-Type: text/plain\r\n\r\nhi" for _ in range(70)] + [b"--b--", b""]
    )  # fmt: skip
    cases = {
        "a_for_someone_else": reply("thunderbird", MARCO, "DECLINED", attendee_addr=PEOPLE[0][1]),
        "b_unknown_uid": reply("google", MARCO, "ACCEPTED", uid="0000-not-planned@peerkit"),
        "c_not_peerkit": reply("google", MARCO, "ACCEPTED", uid="abc123@google.com"),
        "d_delegated": reply("thunderbird", MARCO, "DELEGATED"),
        "e_counter": reply("google", MARCO, "ACCEPTED").replace(b"METHOD:REPLY", b"METHOD:COUNTER"),
        "f_not_in_group": reply("apple", ELENA, "ACCEPTED"),
        "g_future_sequence": reply("google", MARCO, "ACCEPTED", sequence=7),
        "h_future_stamp": reply("google", MARCO, "ACCEPTED", dtstamp="20290101T000000Z"),
        "i_too_big": huge,
        "j_too_many_parts": many,
        "k_broken_calendar": reply("thunderbird", MARCO, "ACCEPTED").replace(
            b"BEGIN:VEVENT", b"BEGIN:VEVENT\r\nDTSTAMP;VALUE=DATE-TIME:tomorrow", 1
        ),
        "l_no_one": reply("google", MARCO, "NEEDS-ACTION"),
        "m_sent_by": reply("thunderbird", MARCO, "ACCEPTED").replace(
            b"ATTENDEE;RSVP=TRUE", b'ATTENDEE;SENT-BY="mailto:boss@example.org";RSVP=TRUE'
        ),
        "n_not_an_email": b"\x00\xff\xfe garbage",
    }
    rows = imported(community.cli, *save(tmp_path, **cases))
    said = {Path(r["source"]).stem: (r["action"], r["reason"]) for r in rows}
    assert said["a_for_someone_else"] == (
        "refused", "speaks for giulia@example.com but comes from marco@example.com"
    )  # fmt: skip
    assert said["b_unknown_uid"][0] == "refused"
    assert said["c_not_peerkit"][0] == "ignored"
    assert said["d_delegated"][0] == "refused"
    assert "delegation" in said["d_delegated"][1]
    assert said["e_counter"][0] == "refused"
    assert "COUNTER" in said["e_counter"][1]
    assert said["f_not_in_group"][0] == "refused"
    assert "not invited" in said["f_not_in_group"][1]
    assert said["g_future_sequence"][0] == "refused"
    assert said["h_future_stamp"][0] == "refused"
    assert "future" in said["h_future_stamp"][1]
    assert said["i_too_big"] == ("refused", "over 10 MB: not read")
    assert said["j_too_many_parts"] == ("refused", "more than 64 parts: not read")
    assert said["k_broken_calendar"][0] == "refused"
    assert said["l_no_one"][0] == "ignored"
    assert said["m_sent_by"][0] == "refused"
    assert "SENT-BY" in said["m_sent_by"][1]
    assert said["n_not_an_email"][0] == "refused"
    assert community.show()["answers"] == []
    assert community.show()["sequence"] == 0


def test_a_cancelled_meeting_takes_no_answer(community: Community, tmp_path: Path) -> None:
    community.cli.ok("session", "cancel", "1")
    (row,) = imported(
        community.cli, *save(tmp_path, yes=community.reply("outlook", MARCO, "ACCEPTED"))
    )
    assert (row["action"], row["reason"]) == ("refused", "the meeting is cancelled")
    assert community.show()["answers"] == []


def test_addresses_match_in_any_case_and_in_idna_form(
    cli: Cli, db_path: Path, now: None, tmp_path: Path
) -> None:
    build(cli)
    cli.ok("member", "edit", "2", "--email", "marco@bücher.example")
    cli.ok("plan", "week", "--week", WEEK)
    community = Community(cli, db_path.parent / "outbox", cli_uid(cli))
    data = community.reply("outlook", MARCO, "ACCEPTED", from_addr="MARCO@XN--BCHER-KVA.EXAMPLE",
                           attendee_addr="Marco@xn--bcher-kva.example")  # fmt: skip
    (row,) = imported(cli, *save(tmp_path, yes=data))
    assert (row["member"], row["action"]) == ("#2 Marco Bianchi <marco@bücher.example>", "recorded")


def cli_uid(cli: Cli) -> str:
    return str(json.loads(cli.ok("session", "show", "1", "-f", "json").stdout)["uid"])


def test_hostile_text_is_shown_literally(community: Community, tmp_path: Path) -> None:
    line = "[bold red]yes[/bold red] \x1b[31mok\x1b[0m <b>no</b>"
    (path,) = save(tmp_path, evil=community.plain(MARCO, line))
    result = community.cli.ok("replies", "import", str(path))
    out = result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    assert "\x1b" not in result.stdout
    assert "[boldred]yes[/boldred]" in out
    assert "\\x1b[31mok" in out
    (row,) = imported(community.cli, tmp_path / "evil.eml")
    assert row["action"] == "unclear"
    assert row["reason"] == f'cannot tell yes, no or maybe from "{line}"'  # the JSON escapes it


# --- events, check-ins, series --------------------------------------------------------------


def event_uid(outbox: Path, member: int) -> str:
    (path,) = (outbox / "events").glob(f"event-*-{member}-*.eml")
    return str(calendar_of(path)["UID"])


def test_a_declined_event_seat_moves_the_waitlist_up(community: Community, tmp_path: Path) -> None:
    cli = community.cli
    cli.ok("event", "create", "Aperitivo", "--start", "2026-12-10 19:00", "--capacity", "1",
           "--claim-hours", "48")  # fmt: skip
    cli.ok("event", "rsvp", "1", "marco@example.com")
    cli.ok("event", "rsvp", "1", "sara@example.com")  # the waitlist
    uid = event_uid(community.outbox, MARCO)
    no = community.reply("google", MARCO, "DECLINED", uid=uid)
    (row,) = imported(cli, *save(tmp_path, no=no))
    assert (row["target"], row["answer"], row["action"]) == ("event 1", "declined", "recorded")
    assert "their invitation is withdrawn" in row["reason"]
    assert "a seat freed: Sara Conti moved up from the waitlist" in row["reason"]
    assert f"wrote 2 message(s) under {community.outbox / 'events'}" in row["reason"]
    (event,) = json.loads(cli.ok("event", "list", "-f", "json").stdout)
    assert (event["going"], event["waitlist"]) == (1, 0)
    # as `event rsvp --no` does: Marco's invitation withdrawn, the seat offered to Sara
    events = community.outbox / "events"
    assert b"METHOD:CANCEL" in next(events.glob("event-1-2-*.eml")).read_bytes()
    offer = next(events.glob("event-1-3-*.eml"))
    assert b"METHOD:REQUEST" in offer.read_bytes()
    # Sara accepts the seat offered to her with a plain "yes" to the offer's e-mail (the
    # offer is her own version of the event: its Message-ID is made from it)
    offer_id = re.search(rb"^Message-ID: (<[^>]+>)", offer.read_bytes(), flags=re.M)
    assert offer_id is not None
    yes = community.plain(SARA, "Yes!", in_reply_to=offer_id.group(1).decode())
    (accepted,) = imported(cli, *save(tmp_path / "offer", yes=yes))
    assert (accepted["kind"], accepted["target"]) == ("mail", "event 1")
    assert accepted["action"] == "recorded"
    assert "Sara Conti has a seat (they accepted the seat offered to them)" in accepted["reason"]
    shown = json.loads(cli.ok("event", "show", "1", "-f", "json").stdout)
    (sara,) = shown["going"]
    assert (sara["member_id"], sara["offer_until"]) == (SARA, None)  # no deadline any more
    cli.ok("outbox", "check")
    # the same as `event rsvp --no` would have done: the answer again changes nothing
    (again,) = imported(cli, tmp_path / "no.eml")
    assert again["action"] == "unchanged"


def test_a_check_in_answer_is_recorded(community: Community, tmp_path: Path) -> None:
    cli = community.cli
    cli.ok("mentor", "pair", "1", "2", "--topic", "pricing")
    cli.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:00")
    (path,) = (community.outbox / "mentoring").rglob("checkin-*-2-*.eml")
    uid = str(calendar_of(path)["UID"])
    (row,) = imported(cli, *save(tmp_path, ci=community.reply("apple", MARCO, "ACCEPTED", uid=uid)))
    assert (row["target"], row["answer"], row["action"]) == ("check-in 1", "accepted", "recorded")


def test_an_answer_needs_no_organiser_e_mail(
    cli: Cli, db_path: Path, now: None, tmp_path: Path
) -> None:
    """Without an organiser nothing was sent, but a member who subscribed to the group's
    calendar (export ics --series) answers one meeting of the series: it is recorded."""
    build(cli, organiser=False, plan=False)
    feed = cli.ok("export", "ics", "--group", "martedi", "--series").stdout
    series = str(icalendar.Calendar.from_ical(feed).walk("VEVENT")[0]["UID"])
    community = Community(cli, db_path.parent / "outbox", series)
    one = "RECURRENCE-ID;TZID=Europe/Rome:20261215T183000"  # the meeting of 15 December
    second = community.reply("google", SARA, "DECLINED", recurrence=one)
    whole = community.reply("google", SARA, "ACCEPTED")
    rows = imported(cli, *save(tmp_path, a=second, b=whole))
    assert [(r["target"], r["action"]) for r in rows] == [
        ("session 2", "recorded"),
        (None, "refused"),
    ]
    assert "answers every meeting of martedi at once" in rows[1]["reason"]
    assert answers(community.show(2)) == {SARA: "declined"}
    cli.ok("plan", "week", "--week", "2026-W51")  # the roles are chosen without her
    assert sorted(community.show(2)["hot_seat"]) == [GIULIA, MARCO, LUCA]
    # and an event answered without an organiser: the seat is the member's all the same
    cli.ok("event", "create", "Aperitivo", "--start", "2026-12-10 19:00", "--capacity", "1")
    cli.ok("event", "rsvp", "1", "marco@example.com", "--no")
    with_uid = community.reply("outlook", MARCO, "ACCEPTED", uid=_event_uid_of(db_path))
    (row,) = imported(cli, *save(tmp_path / "e", yes=with_uid))
    assert row["action"] == "recorded"
    assert "Marco Bianchi has a seat" in row["reason"]
    assert not (db_path.parent / "outbox" / "events").exists()


def _event_uid_of(db_path: Path) -> str:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return str(conn.execute("SELECT uid FROM community_event").fetchone()[0])


# --- what the answers show ------------------------------------------------------------------


def test_session_show_and_stats_show_the_answers(
    community: Community, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = save(tmp_path, a=community.reply("outlook", MARCO, "ACCEPTED"),
                 b=community.plain(SARA, "no"))  # fmt: skip
    imported(community.cli, *paths)
    table = community.cli.ok("session", "show", "1").stdout
    assert re.search(r"coming\s+│ Marco Bianchi \(#2\)", table)
    assert re.search(r"not coming\s+│ Sara Conti \(#3\)", table)
    assert re.search(r"no answer\s+│ Giulia Rossi \(#1\), Luca Ferri \(#4\)", table)
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-09T10:00:00+01:00")  # the meeting took place
    monkeypatch.setenv("PEERKIT_TODAY", "2026-12-09")
    community.cli.ok("session", "attend", "1", "--present", "1", "--present", "3",
                     "--absent", "2", "--absent", "4")  # fmt: skip
    members = {m["member"]: m for m in json.loads(community.cli.ok("stats", "-f", "json").stdout)
               ["members"]}  # fmt: skip
    assert (members[MARCO]["no_shows"], members[LUCA]["no_shows"]) == (1, 0)
    assert members[LUCA]["missed"] == 1  # missed, but never said yes


def test_paths_are_checked_before_anything_is_read(community: Community, tmp_path: Path) -> None:
    assert_error(community.cli("replies", "import", str(tmp_path / "missing.eml")), "no such file")
    assert_usage_error(community.cli("replies", "import", ""), "PATH is empty")
    folder = tmp_path / "mixed"
    save(folder, yes=community.reply("apple", MARCO, "ACCEPTED"))
    (folder / "notes.txt").write_text("not mail")
    google = community.reply("google", SARA, "TENTATIVE")  # its calendar, saved as a file
    calendar = google.split(b"7bit\r\n\r\n")[1].split(b"\r\n\r\n--")[0]
    (folder / "reply.ics").write_bytes(calendar + b"\r\n")
    rows = imported(community.cli, folder)
    assert [(Path(r["source"]).name, r["kind"], r["action"]) for r in rows] == [
        ("reply.ics", "itip", "recorded"), ("yes.eml", "itip", "recorded"),
    ]  # fmt: skip
    assert answers(community.show()) == {MARCO: "accepted", SARA: "tentative"}
    csv = community.cli.ok("replies", "import", str(folder), "-f", "csv").stdout
    assert csv.splitlines()[0] == ",".join(KEYS)


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_replies_on_postgres(pg_url: str, now: None, tmp_path: Path, isolated_env: Path) -> None:
    def run(*args: str) -> Result:
        result = invoke(["--database-url", pg_url, *args])
        assert result.exit_code == 0, result.stderr
        return result

    class PgCli(Cli):
        def __call__(self, *args: str, input: str | None = None, db: bool = True) -> Result:
            return invoke(["--database-url", pg_url, *args], input=input)

    cli = PgCli(tmp_path / "unused.db")
    build(cli)
    outbox = isolated_env / ".local" / "share" / "peerkit" / "outbox"
    community = Community(cli, outbox, cli_uid(cli))
    box = mailbox.mbox(tmp_path / "in.mbox", create=True)
    box.add(community.reply("thunderbird", GIULIA, "DECLINED"))
    box.add(community.plain(MARCO, "sì"))
    box.flush()
    rows = imported(cli, tmp_path / "in.mbox")
    assert [r["action"] for r in rows] == ["recorded", "recorded"]
    assert "the hot seat passes to Luca Ferri" in rows[0]["reason"]
    shown = community.show()
    assert answers(shown) == {GIULIA: "declined", MARCO: "accepted"}
    assert GIULIA not in shown["hot_seat"]
    assert [r["action"] for r in imported(cli, tmp_path / "in.mbox")] == ["unchanged"] * 2
    assert json.loads(run("session", "show", "1", "-f", "json").stdout) == shown
    agenda = (outbox / WEEK / "martedi" / "agenda.md").read_text(encoding="utf-8")
    assert "- Not coming: Giulia Rossi\n" in agenda


def test_the_documented_phrases_are_those_read() -> None:
    """docs/replies.md lists every phrase and courtesy peerkit reads, and no other."""
    from peerkit.services.replies import phrases

    text = (Path(__file__).parent.parent / "docs" / "replies.md").read_text(encoding="utf-8")
    table = text.split("| answer | English | Italian |")[1].split("\n\n")[0]
    listed = {
        kind: {p.strip().lower() for cell in row.split("|")[2:4] for p in cell.split(",")}
        for kind, row in zip(("yes", "no", "maybe"), table.strip().splitlines()[1:], strict=True)
    }
    read = {
        k: set(v) for k, v in zip(("yes", "no", "maybe"), phrases.PHRASES.values(), strict=True)
    }
    assert listed == read
    courtesies = text.split("Courtesies may come with them: ")[1].split(". ")[0]
    assert {c.strip() for c in courtesies.replace("\n", " ").split(",")} == phrases.COURTESIES


def test_a_member_s_replies_are_in_their_export_and_gone_when_they_are_forgotten(
    community: Community, tmp_path: Path
) -> None:
    """Subject access shows what they replied; erasure removes it (and the replies'
    Message-IDs, which can name their mail host) from the database."""
    import sqlite3

    paths = save(tmp_path / "in", marco=community.reply("thunderbird", MARCO, "DECLINED"))
    imported(community.cli, *paths)
    record = json.loads(community.cli.ok("member", "export", str(MARCO)).stdout)
    (reply,) = record["replies"]
    assert (reply["about"], reply["id"], reply["answer"]) == ("meeting", 1, "declined")
    assert reply["message_id"]
    db = community.cli.db_path
    with sqlite3.connect(db) as conn:
        kept = conn.execute(
            "SELECT message_id FROM answer WHERE member_id = ?", (MARCO,)
        ).fetchone()
    assert kept == (reply["message_id"],)
    community.cli.ok("member", "forget", str(MARCO), "--yes")
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT count(*) FROM answer WHERE member_id = ?", (MARCO,)
        ).fetchone() == (0,)
    conn.close()
    data = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert reply["message_id"].encode() not in data


def test_no_reminder_for_a_member_who_said_no(community: Community, tmp_path: Path) -> None:
    paths = save(tmp_path / "in", marco=community.reply("thunderbird", MARCO, "DECLINED"))
    imported(community.cli, *paths)
    out = tmp_path / "reminders"
    community.cli.ok("remind", "--within", "200", "--out", str(out))  # the meeting is in 7 days
    names = sorted(p.name for p in out.rglob("*.eml"))
    assert names, "no reminders written: the test would prove nothing"
    assert not [n for n in names if f"-{MARCO}-" in n]
    assert [n for n in names if f"-{GIULIA}-" in n]


# --- what a review found: each case once refused nothing, or stalled or stopped the run ------


def test_a_from_or_attendee_that_hides_its_address_is_refused(
    community: Community, tmp_path: Path
) -> None:
    """Mailsploit: an address hidden in an encoded word is one address to the mail server's
    checks (SPF, DKIM, DMARC) and another once decoded; a malformed From is read one way by
    one program and another way by the next. Neither is trusted."""
    plain = community.plain(MARCO, "yes")
    own = b"From: Marco Bianchi <marco@example.com>"
    assert plain.count(own) == 1
    cases = {
        "a_encoded_domain": community.reply(
            "google", MARCO, "ACCEPTED", from_addr="marco@=?utf-8?q?example.com?="
        ),
        "b_encoded_local": community.plain(MARCO, "yes", from_addr="=?utf-8?q?marco?=@example.com"),
        "c_encoded_attendee": community.reply(
            "thunderbird", MARCO, "ACCEPTED", attendee_addr="marco@=?utf-8?q?example.com?="
        ),
        "d_no_closing_bracket": plain.replace(own, b"From: Marco Bianchi <marco@example.com"),
        "e_route": plain.replace(own, b"From: Marco <@mail.example.org:marco@example.com>"),
        "f_a_dotted_name_is_fine": community.plain(MARCO, "yes", from_name="Marco B."),
    }
    rows = imported(community.cli, *save(tmp_path, **cases))
    said = {Path(r["source"]).stem: (r["action"], r["reason"]) for r in rows}
    hidden = "hides its address in an encoded word (=?...?=), as forged mail does: not trusted"
    assert said["a_encoded_domain"] == ("refused", f"From {hidden}")
    assert said["b_encoded_local"] == ("refused", f"From {hidden}")
    assert said["c_encoded_attendee"][0] == "refused"
    assert "ATTENDEE whose address hides in an encoded word" in said["c_encoded_attendee"][1]
    assert said["d_no_closing_bracket"] == (
        "refused", "a malformed From (missing trailing '>' on angle-addr): not trusted"
    )  # fmt: skip
    assert said["e_route"] == (
        "refused",
        "From does not write its address plainly (@mail.example.org:marco@example.com): "
        "not trusted",
    )
    assert said["f_a_dotted_name_is_fine"][0] == "recorded"
    assert answers(community.show()) == {MARCO: "accepted"}


def _crafted(community: Community, content_type: str, body: str) -> bytes:
    """A message from Marco answering his invitation, with CONTENT_TYPE and BODY."""
    head = (
        "From: Marco Bianchi <marco@example.com>\r\nTo: paolo@example.com\r\n"
        "Subject: Re: Invitation\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\n"
        f"Message-ID: <crafted-{len(body)}@mail.example.net>\r\n"
        f"In-Reply-To: {community.invitation_id(MARCO)}\r\nMIME-Version: 1.0\r\n"
    )
    return f"{head}Content-Type: {content_type}\r\n\r\n{body}".encode()


def test_a_huge_or_crafted_message_takes_no_time(community: Community, tmp_path: Path) -> None:
    """Python's HTML parser takes time that grows with the square of some crafted input (an
    unfinished tag at the end), and its header parser seconds over a long Content-Type:
    only the first 32 KB of the text is read, and a long Content-Type is refused unread.
    (The bounds are generous: each takes milliseconds; before, tens of seconds.)"""
    import time

    html = "<p>Sì, vengo!</p>" + "<p>lorem ipsum</p>" * 50_000
    html += "<a" * ((1024 * 1024 - len(html)) // 2)  # 1 MB, ending in an unfinished tag
    long_type = 'text/plain; x="' + ";" * 40_000 + '"'
    parts = "".join(f"--b\r\nContent-Type: {long_type}\r\n\r\nyes\r\n" for _ in range(3))
    cases = {
        "html": _crafted(community, "text/html; charset=utf-8", html),
        "content_type": _crafted(community, 'multipart/mixed; boundary="b"', parts + "--b--\r\n"),
        "headers": _crafted(community, "text/plain", "yes").replace(
            b"MIME-Version", b"X-Padding: " + b"x" * 70_000 + b"\r\nMIME-Version"
        ),
    }
    paths = save(tmp_path, **cases)
    assert len(cases["html"]) > 1024 * 1024
    rows = []
    for path in paths:
        start = time.perf_counter()
        (row,) = imported(community.cli, path)
        assert time.perf_counter() - start < 5, path.name
        rows.append(row)
    assert [(r["answer"], r["action"]) for r in rows] == [
        ("accepted", "recorded"), (None, "refused"), (None, "refused")
    ]  # fmt: skip
    assert rows[1]["reason"] == "a Content-Type header over 2 KB: not read"
    assert rows[2]["reason"] == "headers over 64 KB: not read"


def test_an_occurrence_out_of_range_is_refused_and_the_others_are_kept(
    cli: Cli, db_path: Path, now: None, tmp_path: Path
) -> None:
    """A RECURRENCE-ID no date can hold in the group's zone used to stop the whole run, so
    that nothing of it was kept (and `replies fetch` met the same batch every time)."""
    build(cli, plan=False)
    feed = cli.ok("export", "ics", "--group", "martedi", "--series").stdout
    series = str(icalendar.Calendar.from_ical(feed).walk("VEVENT")[0]["UID"])
    community = Community(cli, db_path.parent / "outbox", series)
    rows = imported(cli, *save(
        tmp_path,
        a_end_of_time=community.reply("google", SARA, "DECLINED",
                                      recurrence="RECURRENCE-ID:99991231T235959Z"),
        b_fine=community.reply("google", MARCO, "DECLINED",
                               recurrence="RECURRENCE-ID;TZID=Europe/Rome:20261215T183000"),
    ))  # fmt: skip
    assert [(r["target"], r["action"]) for r in rows] == [
        (None, "refused"),
        ("session 2", "recorded"),
    ]
    assert rows[0]["reason"] == (
        "a RECURRENCE-ID out of range (9999-12-31T23:59:59+00:00): no meeting is then"
    )
    assert answers(community.show(2)) == {MARCO: "declined"}


def test_a_series_reply_s_sequence_does_not_pin_the_answer(
    cli: Cli, db_path: Path, now: None, tmp_path: Path
) -> None:
    """The series carries the highest SEQUENCE of the group's meetings: a reply to one
    meeting of it is compared by DTSTAMP, kept with the meeting's own SEQUENCE, and may be no
    higher than the series'."""
    build(cli, plan=False)
    for hour in ("19:00", "19:30"):  # the meeting of 22 December, moved twice: SEQUENCE 2
        cli.ok("session", "move", "3", "--to", f"2026-12-22 {hour}")
    assert json.loads(cli.ok("session", "show", "3", "-f", "json").stdout)["sequence"] == 2
    feed = cli.ok("export", "ics", "--group", "martedi", "--series").stdout
    master = icalendar.Calendar.from_ical(feed).walk("VEVENT")[0]
    assert int(master["SEQUENCE"]) == 2
    community = Community(cli, db_path.parent / "outbox", str(master["UID"]))
    first = "RECURRENCE-ID;TZID=Europe/Rome:20261208T183000"
    cases = {
        "a_series_yes": community.reply(
            "google", SARA, "ACCEPTED", recurrence=first, sequence=2, dtstamp="20261130T080000Z"
        ),
        "b_meeting_no": community.reply(
            "google", SARA, "DECLINED", uid=cli_uid(cli), sequence=0, dtstamp="20261130T090000Z"
        ),
        "c_series_too_new": community.reply(
            "google", MARCO, "ACCEPTED", recurrence=first, sequence=3, dtstamp="20261130T080000Z"
        ),
    }
    rows = imported(cli, *save(tmp_path, **cases))
    assert [(r["target"], r["answer"], r["action"]) for r in rows] == [
        ("session 1", "accepted", "recorded"),
        ("session 1", "declined", "recorded"),
        ("session 1", "accepted", "refused"),
    ]
    assert rows[2]["reason"] == (
        "its SEQUENCE 3 is newer than any version of the group's calendar peerkit wrote (2)"
    )
    assert answers(community.show()) == {SARA: "declined"}
    again = imported(cli, tmp_path / "a_series_yes.eml", tmp_path / "b_meeting_no.eml")
    assert [r["action"] for r in again] == ["ignored", "unchanged"]
    assert again[0]["reason"].startswith("older than the answer recorded (declined, SEQUENCE 0,")
    assert answers(community.show()) == {SARA: "declined"}


def test_a_plain_answer_to_a_cancellation_books_nothing(
    community: Community, tmp_path: Path
) -> None:
    """A plain "Sure, thanks!" to "Seat released" is no yes to the event."""
    cli = community.cli
    cli.ok("event", "create", "Aperitivo", "--start", "2026-12-10 19:00", "--capacity", "2")
    cli.ok("event", "rsvp", "1", "marco@example.com")
    cli.ok("event", "rsvp", "1", "marco@example.com", "--no")
    (withdrawal,) = [
        p for p in (community.outbox / "events").glob("event-1-2-*.eml")
        if b"METHOD:CANCEL" in p.read_bytes()
    ]  # fmt: skip
    found = re.search(rb"^Message-ID: (<[^>]+>)", withdrawal.read_bytes(), flags=re.M)
    assert found is not None
    sure = community.plain(MARCO, "Sure, thanks!", in_reply_to=found.group(1).decode())
    (row,) = imported(cli, *save(tmp_path, sure=sure))
    assert (row["target"], row["answer"], row["action"]) == ("event 1", None, "ignored")
    assert row["reason"] == (
        "answers peerkit's cancellation (the invitation withdrawn or called off), not an "
        "invitation: a plain answer to it changes nothing"
    )
    (event,) = json.loads(cli.ok("event", "list", "-f", "json").stdout)
    assert event["going"] == 0
