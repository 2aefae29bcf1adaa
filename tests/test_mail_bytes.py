"""An invitation's bytes written directly (mail.Invitation.data) are those of Python's email
package (Invitation.message().as_bytes()), the way invitations were always written.

Hypothesis builds messages with long names, non-ASCII, quotes and backslashes, encoded-word
look-alikes, long lines, empty parts, CR and LF in the data, and Message-IDs of both shapes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from peerkit import mail

ASCII_NAME = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=90)
NAMES = st.one_of(
    ASCII_NAME,
    st.text(max_size=60),
    st.sampled_from(
        [
            "Niccolò Rossi",
            "D'Angelo, Anna",
            'Ann "Nan" Lee',
            "=?utf-8?q?x?=",
            "Zoë (Berlin)",
            "Back\\slash",
            "A.B. Smith",
            "José María García-López de la Fuente y Martínez-Villanueva",
            "   ",
            "",
            "Line\r\nBreak",
            "日本 語",
        ]
    ),
)
LOCAL = st.text(st.sampled_from("abcxyz019.-_+"), min_size=1, max_size=30)
DOMAIN = st.sampled_from(["example.com", "organisers.example.com", "x.io", "über.de", "a-b.c"])
EMAILS = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN)
ADDRESSES = st.builds(mail.Address, NAMES, EMAILS)
LINE = st.one_of(
    st.text(max_size=120),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=200),
    st.sampled_from(["", " ", "trailing space ", "tab\t", "=", "x" * 77 + "=", "é" * 40]),
)
BODIES = st.one_of(
    st.lists(LINE, max_size=25).map("\n".join),
    st.lists(LINE, max_size=25).map("\r\n".join),
    st.text(max_size=400),
)
MIDS = st.one_of(
    st.builds(lambda *parts: mail.message_id(*parts), st.text(max_size=10), st.text(max_size=5)),
    st.sampled_from(["<abc@peerkit>", "<x@elsewhere.example>", "<ABCDEF0123@peerkit>"]),
)
WHEN = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def ics_of(text: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", *text.splitlines(), "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(
    sender=ADDRESSES,
    recipient=ADDRESSES,
    subject=st.one_of(NAMES, st.text(max_size=150)),
    text=BODIES,
    html=BODIES,
    ics=BODIES.map(ics_of),
    method=st.sampled_from(["REQUEST", "CANCEL", "request", "PUBLISH", "X-ODD", "Reply"]),
    sent=WHEN,
    mid=MIDS,
)
@example(
    sender=mail.Address("Olga Organiser", "olga@organisers.example.com"),
    recipient=mail.Address("Niccolò Rossi", "n@example.com"),
    subject="Invito: Mastermind del martedì, martedì 1 dicembre 2026, 18:30",
    text="Ciao Niccolò,\n" + "è " * 60,
    html="<p>" + "x" * 200 + "</p>",
    ics=ics_of("DESCRIPTION:" + "é" * 30),
    method="REQUEST",
    sent=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    mid=mail.message_id("uid", "REQUEST"),
)
def test_invitation_bytes_are_the_email_packages(
    sender: mail.Address,
    recipient: mail.Address,
    subject: str,
    text: str,
    html: str,
    ics: bytes,
    method: str,
    sent: datetime,
    mid: str,
) -> None:
    invitation = mail.Invitation(sender, recipient, subject, text, html, ics, method, sent, mid)
    try:
        expected = mail.to_bytes(invitation.message())
    except (UnicodeError, ValueError) as exc:  # what the package refuses, refused alike
        with pytest.raises(type(exc)):
            invitation.data()
        return
    assert invitation.data() == expected


def test_the_date_in_any_zone() -> None:
    """Date goes through the package's own folding: any zone, naive or not."""
    base = mail.Invitation(
        mail.Address("O", "o@example.com"), mail.Address("R", "r@example.com"), "S", "t", "h",
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "REQUEST", datetime(2026, 1, 1),
        mail.message_id("x"),
    )  # fmt: skip
    for sent in (
        datetime(2026, 1, 1),
        datetime(2026, 7, 1, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 7, 1, 12, tzinfo=timezone(-timedelta(hours=3))),
    ):
        invitation = mail.Invitation(**{**base.__dict__, "sent": sent})
        assert invitation.data() == mail.to_bytes(invitation.message())
