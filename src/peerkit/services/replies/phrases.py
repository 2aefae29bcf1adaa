"""Plain answers: "sì", "vengo", "can't make it", "maybe", in English and Italian.

Only the first line of a reply that is not quoted counts (the text above the quoted
invitation). It is cut at commas, full stops, exclamation and question marks; every piece
must be a phrase below (or a courtesy such as "thanks" or "grazie"), and the phrases must
agree. "Sì, vengo!" is yes; "No, grazie" is no; "Yes, but I'll be late" or "Sì/no" is not
read at all: it is listed for the organiser, never guessed. docs/replies.md lists the same.
"""

from __future__ import annotations

import re
import unicodedata

from peerkit.enums import AnswerKind

PHRASES: dict[AnswerKind, tuple[str, ...]] = {
    AnswerKind.ACCEPTED: (
        # English
        "yes", "yep", "yeah", "sure", "coming", "i'm coming", "i am coming", "count me in",
        "i'll be there", "i will be there", "see you there", "see you",
        # Italian
        "sì", "si", "vengo", "ci sono", "ci sarò", "ci saro", "certo", "presente",
        "ci vediamo",
    ),
    AnswerKind.DECLINED: (
        # English
        "no", "nope", "not coming", "i'm not coming", "i am not coming", "can't make it",
        "cannot make it", "can't come", "cannot come", "i can't", "i cannot",
        "i can't make it", "i can't come", "i won't be there", "i will not be there",
        # Italian
        "non posso", "non vengo", "non ci sono", "non ci sarò", "non ci saro", "non riesco",
        "non posso venire", "assente",
    ),
    AnswerKind.TENTATIVE: (
        # English
        "maybe", "perhaps", "possibly", "not sure", "i'm not sure", "tentative",
        # Italian
        "forse", "non so", "non lo so", "non sono sicuro", "non sono sicura", "vedrò",
        "vedro",
    ),
}  # fmt: skip
COURTESIES = frozenset(
    ("thanks", "thank you", "sorry", "hi", "hello", "grazie", "scusa", "scusate", "ciao",
     "purtroppo", "unfortunately")
)  # fmt: skip

_WORDS = {phrase: kind for kind, phrases in PHRASES.items() for phrase in phrases}
_CUT = re.compile(r"[,.;:!?\u2026\u00a1\u00bf]+|\s[-\u2013\u2014]\s")  # and ... and dashes


def normalised(text: str) -> str:
    """Lower case, composed accents, one kind of apostrophe, single spaces."""
    flat = unicodedata.normalize("NFC", text).casefold()
    for apostrophe in ("\u2019", "\u2018", "`"):  # curly and grave: as typed on phones
        flat = flat.replace(apostrophe, "'")
    return " ".join(flat.split())


def _piece(text: str) -> str:
    """A piece of the line as the lists spell it: apostrophes inside words kept, quotes
    and emphasis around it dropped."""
    words = normalised(text).split()
    return " ".join(w.strip("\"'«»“”„*_") for w in words if w.strip("\"'«»“”„*_"))


def answer_in(line: str) -> AnswerKind | None:
    """The answer a first line gives, or None when it gives none for sure."""
    pieces = [p for p in (_piece(x) for x in _CUT.split(line)) if p]
    found = set()
    for piece in pieces:
        if piece in COURTESIES:
            continue
        kind = _WORDS.get(piece)
        if kind is None:
            return None
        found.add(kind)
    return found.pop() if len(found) == 1 else None


def first_line(text: str) -> str | None:
    """The first line of TEXT that says something and is not quoted: not empty, not a
    "> " line, not a signature, not the "On ... wrote:" line before a quote."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith(">"):
            continue
        if raw.rstrip() == "--":  # the signature starts ("-- ")
            return None
        if line.endswith(":") and _quote_follows(lines, number + 1):
            continue  # "On Tue, Giulia wrote:" / "Il giorno mar, Giulia ha scritto:"
        return line
    return None


def _quote_follows(lines: list[str], start: int) -> bool:
    for raw in lines[start:]:
        if raw.strip():
            return raw.lstrip().startswith(">")
    return False
