"""Pairs that don't repeat: `mentor match` and `group form` keep history (a window before two
members are put together again), must-pair and never-pair rules (for one run or saved), bench
members who missed their last check-in or meetings, and say why in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Result, assert_error, invoke

PAIR_KEYS = ["mentor", "mentee", "topics", "score", "reasons"]
MATCH_KEYS = ["pairs", "unmatched", "benched", "rules", "window_days"]
RULE_KEYS = ["members", "kind", "saved", "note", "honoured", "reason"]


def _on(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("PEERKIT_TODAY", day)


def _json(cli: Cli, *args: str) -> Any:
    return json.loads(cli.ok(*args, "--format", "json").stdout)


def _add(cli: Cli, name: str, *extra: str) -> int:
    email = name.split()[0].lower() + "@example.com"
    return int(cli.ok("member", "add", name, "--email", email, *extra).stdout)


# --- mentor match -----------------------------------------------------------------------


@pytest.fixture
def mentors(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Ann covers both of Bob's needs, Eve one of them; Ann mentored Bob from 1 to 30 Sep."""
    _on(monkeypatch, "2026-09-01")
    cli.ok("init", "--community", "Pairs", "--timezone", "Europe/Rome")
    ids = {
        "ann": _add(cli, "Ann Able", "--skills", "pricing,sales", "--mentor-capacity", "1",
                    "--available", "mon 18:00-20:00"),
        "eve": _add(cli, "Eve Eng", "--skills", "pricing", "--mentor-capacity", "1"),
        "bob": _add(cli, "Bob Bell", "--needs", "pricing,sales",
                    "--available", "mon 17:00-19:00"),
        "cy": _add(cli, "Cy Cole"),
    }  # fmt: skip
    cli.ok("mentor", "pair", str(ids["ann"]), str(ids["bob"]))
    _on(monkeypatch, "2026-09-30")
    cli.ok("mentor", "end", "1")
    return ids


def _pairs(proposal: dict[str, Any]) -> set[tuple[int, int]]:
    return {(p["mentor"], p["mentee"]) for p in proposal["pairs"]}


def test_a_mentor_pair_does_not_repeat_inside_the_window_and_may_after_it(
    cli: Cli, mentors: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, eve, bob = mentors["ann"], mentors["eve"], mentors["bob"]
    _on(monkeypatch, "2026-11-27")  # 58 days after the mentorship ended
    inside = _json(cli, "mentor", "match")
    assert list(inside) == MATCH_KEYS
    assert _pairs(inside) == {(eve, bob)}
    (pair,) = inside["pairs"]
    assert list(pair) == PAIR_KEYS
    assert "covers 1 of 2 open needs: pricing" in pair["reasons"]
    assert (
        "not with Ann Able again: together until 30 Sep (paired again from 30 Dec)"
        in (pair["reasons"])
    )
    assert inside["window_days"] == 90
    # a shorter window, in weeks, lets them be paired again: the better pair
    assert _pairs(_json(cli, "mentor", "match", "--window", "8w")) == {(ann, bob)}
    assert _pairs(_json(cli, "mentor", "match", "--window", "0")) == {(ann, bob)}
    # after the window, the best pair again, with its reasons
    _on(monkeypatch, "2026-12-30")
    after = _json(cli, "mentor", "match")
    assert _pairs(after) == {(ann, bob)}
    reasons = after["pairs"][0]["reasons"]
    assert "covers 2 of 2 open needs: pricing, sales" in reasons
    assert "1 h a week in common in their declared availability" in reasons
    assert not any("again" in r for r in reasons)


def test_the_window_comes_from_config_toml(
    cli: Cli, mentors: dict[str, int], monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    _on(monkeypatch, "2026-11-27")
    config = isolated_env / ".config" / "peerkit" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("pair_window_days = 30\n", encoding="utf-8")
    proposal = _json(cli, "mentor", "match")
    assert proposal["window_days"] == 30
    assert _pairs(proposal) == {(mentors["ann"], mentors["bob"])}
    assert _json(cli, "mentor", "match", "--window", "90d")["window_days"] == 90  # flag wins
    config.write_text("pair_window_days = true\n", encoding="utf-8")
    assert_error(cli("mentor", "match"), "'pair_window_days' must be a whole number")


def test_only_the_mentor_who_was_there_leaves_the_mentee_unmatched_and_says_why(
    cli: Cli, mentors: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.ok("member", "edit", str(mentors["eve"]), "--mentor-capacity", "0")
    _on(monkeypatch, "2026-11-27")
    proposal = _json(cli, "mentor", "match")
    assert proposal["pairs"] == []
    (left,) = proposal["unmatched"]
    assert left["member"] == mentors["bob"]
    assert left["reason"] == (
        "not with Ann Able again: together until 30 Sep (paired again from 30 Dec)"
    )
    table = cli.ok("mentor", "match")
    assert "Unmatched: Bob Bell" in table.stderr
    assert "together until 30 Sep" in table.stderr


def test_never_pair_and_must_pair_for_one_run_and_saved(
    cli: Cli, mentors: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, eve, bob, cy = mentors["ann"], mentors["eve"], mentors["bob"], mentors["cy"]
    _on(monkeypatch, "2026-12-30")  # the history no longer matters: Ann and Bob are best
    assert _pairs(_json(cli, "mentor", "match")) == {(ann, bob)}
    never = _json(cli, "mentor", "match", "--never-pair", "Ann Able,bob@example.com")
    assert _pairs(never) == {(eve, bob)}
    (rule,) = never["rules"]
    assert list(rule) == RULE_KEYS
    assert rule | {"note": None} == {
        "members": [ann, bob], "kind": "never", "saved": False, "note": None,
        "honoured": True, "reason": "Ann Able and Bob Bell are not paired",
    }  # fmt: skip
    assert "not with Ann Able: a never-pair (this run)" in never["pairs"][0]["reasons"]
    # for one run only: the next run pairs them again
    assert _pairs(_json(cli, "mentor", "match")) == {(ann, bob)}
    # a must-pair wins over the better pair
    must = _json(cli, "mentor", "match", "--must-pair", f"{eve},{bob}")
    assert _pairs(must) == {(eve, bob)}
    assert "a must-pair (this run)" in must["pairs"][0]["reasons"]
    assert must["rules"][0]["honoured"] is True
    # saved with --remember: it holds in every later run, until --forget-pair
    saved = cli.ok("mentor", "match", "--never-pair", f"{ann},{bob}", "--remember")
    assert "Saved the pair rules" in saved.stderr
    later = _json(cli, "mentor", "match")
    assert _pairs(later) == {(eve, bob)}
    assert later["rules"][0]["saved"] is True
    assert later["rules"][0]["note"] == "from mentor match on 2026-12-30"
    assert "Never-pair Ann Able and Bob Bell (saved): kept" in cli.ok("mentor", "match").stderr
    # a run's rule wins over a saved one for the same two members
    assert _pairs(_json(cli, "mentor", "match", "--must-pair", f"{ann},{bob}")) == {(ann, bob)}
    # and the saved rule counts for group form too
    form = _json(cli, "group", "form", "--from", "active")
    assert [r["kind"] for r in form["rules"]] == ["never"]
    cli.ok("mentor", "match", "--forget-pair", f"{bob},{ann}")
    assert _json(cli, "mentor", "match")["rules"] == []
    assert_error(
        cli("mentor", "match", "--forget-pair", f"{ann},{bob}"),
        "no rule about Ann Able and Bob Bell is saved",
    )
    # a must-pair that cannot be kept says why
    impossible = _json(cli, "mentor", "match", "--must-pair", f"{cy},{bob}")
    (rule,) = impossible["rules"]
    assert rule["honoured"] is False
    assert rule["reason"] == (
        "Bob Bell has no free mentoring seat; Cy Cole has no free mentoring seat"
    )


def test_pair_rules_are_refused_at_the_door(cli: Cli, mentors: dict[str, int]) -> None:
    ann, bob = mentors["ann"], mentors["bob"]
    both = cli("mentor", "match", "--must-pair", f"{ann},{bob}", "--never-pair", f"{bob},{ann}")
    assert_error(both, "--must-pair and --never-pair both name Ann Able and Bob Bell")
    assert_error(cli("mentor", "match", "--never-pair", f"{ann},99"), "99")
    assert_error(cli("group", "form", "--never-pair", "Ann Able,Nobody"), "Nobody")
    assert_error(cli("mentor", "match", "--never-pair", f"{ann},{ann}"), "twice")
    assert_error(cli("mentor", "match", "--never-pair", f"{ann}"), "name two members")
    assert_error(cli("mentor", "match", "--remember"), "--remember saves")
    assert_error(cli("mentor", "match", "--window", "3m"), "--window '3m'")
    assert_error(cli("group", "form", "--window", "-1"), "--window '-1'")
    # nothing was saved by the runs refused, nor by a dry run
    cli.ok("mentor", "match", "--never-pair", f"{ann},{bob}", "--remember", "--dry-run")
    assert _json(cli, "mentor", "match")["rules"] == []


def test_a_member_who_declined_their_last_check_in_is_benched_unless_confirmed(
    cli: Cli, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_replies import MARCO, Community, build, calendar_of, imported, save

    monkeypatch.setenv("PEERKIT_NOW", "2026-12-01T10:00:00+01:00")
    _on(monkeypatch, "2026-12-01")
    build(cli)
    cli.ok("member", "edit", "2", "--needs", "pricing,legal")
    cli.ok("member", "edit", "5", "--skills", "legal", "--mentor-capacity", "1")
    cli.ok("mentor", "pair", "1", "2", "--topic", "pricing")
    cli.ok("mentor", "checkin", "1", "--start", "2026-12-03 18:00")
    outbox = db_path.parent / "outbox"
    (path,) = (outbox / "mentoring").rglob("checkin-*-2-*.eml")
    community = Community(cli, outbox, str(calendar_of(path)["UID"]))
    reply = community.reply("apple", MARCO, "DECLINED", uid=community.uid)
    (row,) = imported(cli, *save(tmp_path, no=reply))
    assert row["answer"] == "declined"
    before = _json(cli, "mentor", "match")  # the check-in has not happened yet
    assert _pairs(before) == {(5, 2)}
    assert before["benched"] == []
    monkeypatch.setenv("PEERKIT_NOW", "2026-12-06T10:00:00+01:00")
    _on(monkeypatch, "2026-12-06")
    after = _json(cli, "mentor", "match")
    assert after["pairs"] == []
    assert after["unmatched"] == []
    assert after["benched"] == [
        {
            "member": 2,
            "reason": "missed their last check-in on 3 Dec (they declined it); "
            "run with --confirm 2 to include them",
        }
    ]
    assert "Benched: Marco Bianchi (#2)" in cli.ok("mentor", "match").stderr
    confirmed = _json(cli, "mentor", "match", "--confirm", "marco@example.com")
    assert _pairs(confirmed) == {(5, 2)}
    assert confirmed["benched"] == []


# --- group form ---------------------------------------------------------------------------


@pytest.fixture
def circle(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    build_circle(cli, monkeypatch)


def build_circle(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nine members free on Wednesday evenings; 1-3 at the growth stage, the others ideas.
    1, 2 and 3 met in "Old" in October (four meetings, the last on 28 Oct), now archived."""
    _on(monkeypatch, "2026-10-01")
    cli.ok("init", "--community", "Circle", "--timezone", "Europe/Rome")
    for n in range(1, 10):
        stage = "growth" if n <= 3 else "idea"
        cli.ok("member", "add", f"Person {n}", "--email", f"p{n}@example.com",
               "--stage", stage, "--available", "wed 19:00-21:00")  # fmt: skip
    cli.ok("group", "create", "Old", "--day", "wed", "--time", "19:00", "--min-size", "2",
           "--start", "2026-10-07", *(x for i in "123" for x in ("--member", i)))  # fmt: skip
    cli.ok("session", "plan", "old", "--from", "2026-10-07", "--count", "4")
    _on(monkeypatch, "2026-11-27")
    cli.ok("group", "archive", "old")


def _groups(proposal: dict[str, Any]) -> list[set[int]]:
    return [set(g["members"]) for g in proposal["groups"]]


def _form(cli: Cli, *args: str) -> Any:
    return _json(cli, "group", "form", "--size", "3-3", *args)


def test_group_form_keeps_recent_groupmates_apart_inside_the_window(
    cli: Cli, circle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without the window, the three growth-stage members are best together
    assert {1, 2, 3} in _groups(_form(cli, "--window", "0"))
    inside = _form(cli)
    assert all(len(g & {1, 2, 3}) == 1 for g in _groups(inside)), inside
    assert list(inside)[-5:] == ["benched", "rules", "window_days", "proven", "exact"]
    reasons = [r for g in inside["groups"] for r in g["reasons"]]
    said = "Person 1 not with Person 2 again: together in Old until 28 Oct"
    assert any(said in r for r in reasons), reasons
    # after the window (90 days after 28 Oct) they may meet again
    _on(monkeypatch, "2027-01-27")
    assert {1, 2, 3} in _groups(_form(cli))


def test_group_form_never_pair_and_must_pair(cli: Cli, circle: None) -> None:
    apart = _form(cli, "--window", "0", "--never-pair", "1,2")
    assert all(not {1, 2} <= g for g in _groups(apart))
    assert apart["rules"][0]["honoured"] is True
    assert apart["rules"][0]["reason"] == "kept apart"
    together = _form(cli, "--must-pair", "Person 1,p2@example.com")  # despite the history
    (group,) = [g for g in together["groups"] if 1 in g["members"]]
    assert 2 in group["members"]
    assert "Person 1 and Person 2: a must-pair (this run)" in group["reasons"]
    assert together["rules"][0]["honoured"] is True


def test_group_form_must_pair_that_cannot_be_kept_says_why(cli: Cli, circle: None) -> None:
    cli.ok("member", "add", "Early Bird", "--email", "early@example.com",
           "--available", "mon 07:00-08:30")  # fmt: skip
    proposal = _form(cli, "--must-pair", "1,early@example.com")
    (rule,) = proposal["rules"]
    assert rule["honoured"] is False
    assert rule["reason"] == "they have no weekly window of 90 minutes in common"


def test_group_form_benches_a_member_absent_from_their_last_two_meetings(
    cli: Cli, circle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for session in ("1", "2"):
        cli.ok("session", "attend", session, "--present", "1", "--present", "2")
    for session in ("3", "4"):
        cli.ok("session", "attend", session, "--absent", "1", "--present", "2", "--present", "3")
    proposal = _json(cli, "group", "form", "--size", "2-4")
    assert proposal["benched"] == [
        {
            "member": 1,
            "reason": "absent from their last 2 meetings (21 Oct and 28 Oct); "
            "run with --confirm 1 to include them",
        }
    ]
    placed = {m for g in proposal["groups"] for m in g["members"]}
    assert 1 not in placed
    assert placed == set(range(2, 10))
    shown = cli.ok("group", "form", "--size", "2-4")
    assert "Benched: Person 1 (#1): absent from their last 2 meetings" in shown.stderr
    confirmed = _json(cli, "group", "form", "--size", "2-4", "--confirm", "1")
    assert confirmed["benched"] == []
    assert 1 in {m for g in confirmed["groups"] for m in g["members"]}


def test_group_form_apply_with_rules_is_one_transaction(cli: Cli, circle: None) -> None:
    cli.ok("group", "form", "--size", "3-3", "--never-pair", "4,5", "--remember", "--apply")
    groups = json.loads(cli.ok("group", "list", "--format", "json").stdout)
    assert len([g for g in groups if g["status"] == "active"]) == 3
    shown = [json.loads(cli.ok("group", "show", g["slug"], "-f", "json").stdout) for g in groups]
    for group in shown:
        ids = {m["id"] for m in group["members"]}
        assert not {4, 5} <= ids
    assert _json(cli, "mentor", "match")["rules"][0]["kind"] == "never"


class PgCli(Cli):
    """The same commands against a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        super().__init__(Path("unused"))
        self.url = url

    def __call__(self, *args: str, input: str | None = None, db: bool = True) -> Result:
        return invoke(["--database-url", self.url, *args], input=input, runner=self.runner)


@pytest.mark.postgres
def test_history_rules_and_bench_on_postgres(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = PgCli(pg_url)
    build_circle(cli, monkeypatch)
    cli.ok("session", "attend", "3", "--absent", "3")
    cli.ok("session", "attend", "4", "--absent", "3")
    inside = _form(cli, "--never-pair", "5,6", "--remember", "--confirm", "3")
    assert all(len(g & {1, 2, 3}) == 1 for g in _groups(inside))
    assert all(not {5, 6} <= g for g in _groups(inside))
    assert _json(cli, "mentor", "match")["rules"][0]["members"] == [5, 6]
    _on(monkeypatch, "2027-01-27")
    assert {1, 2, 3} in _groups(_form(cli, "--forget-pair", "5,6", "--confirm", "3"))
    benched = _json(cli, "group", "form", "--size", "2-4")["benched"]
    assert [b["member"] for b in benched] == [3]


def test_a_saved_rule_is_in_the_members_export_and_goes_with_forget(
    cli: Cli, mentors: dict[str, int]
) -> None:
    """A pair rule is data about both members: exported with each, erased with either."""
    ann, bob = mentors["ann"], mentors["bob"]
    cli.ok("mentor", "match", "--never-pair", f"{ann},{bob}", "--remember")
    exported = json.loads(cli.ok("member", "export", str(bob), "--format", "json").stdout)
    assert [(r["kind"], r["with"]) for r in exported["pair_rules"]] == [("never", ann)]
    cli.ok("member", "forget", str(ann), "--yes")
    exported = json.loads(cli.ok("member", "export", str(bob), "--format", "json").stdout)
    assert exported["pair_rules"] == []
    assert _json(cli, "mentor", "match")["rules"] == []
