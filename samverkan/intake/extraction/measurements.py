"""An actor's answer to a request for a result or effect measurement, read from the reply.

Six and twelve months after a grant the actor is asked by e-mail for the figures
(``templates/email/followup*``). Their reply is read here into what the case records: which
measurement it answers, the answer in their own words, and the figures in it (``12
trygghetsvandringar``, ``Antal deltagare: 340``, ``från 54 % till 61 %``) for the officials'
notice. A reply that only says the figures will come later (``vi återkommer med siffrorna``)
answers nothing yet.

Pure: text in, facts out. Which measurement was asked for, and which the reply answers by its
thread, the caller knows from storage and passes in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from samverkan.intake.extraction.text import either, logical_lines

__all__ = ["Figure", "MeasurementAnswer", "read_measurement"]

RESULT, EFFECT = "resultat", "effekt"
MAX_TEXT = 4000
"""Characters of the answer kept as the measurement's text (a long report is attached)."""


@dataclass(frozen=True)
class Figure:
    """A number the actor reports, with what it counts."""

    value: str
    """As written, spaces normalised: ``340``, ``1 200``, ``61 %``, ``2,5``."""
    what: str
    """What it counts: the words after it, or the label before it."""
    labelled: bool = False
    """Written as a label and its value (``Antal deltagare: 340``)."""

    def __str__(self) -> str:
        return (
            f"{self.what}: {self.value}" if self.labelled else f"{self.value} {self.what}".strip()
        )


@dataclass(frozen=True)
class MeasurementAnswer:
    kind: str
    """``resultat`` or ``effekt``."""
    text: str
    figures: tuple[Figure, ...]


_NUMBER = r"\d{1,3}(?:[ \u00a0]\d{3})+(?!\d)|\d+(?:[.,]\d+)?"
_UNIT = r"(?:\s?(?:%|procent(?:enheter)?|kr|kronor|st|timmar|tim|h)(?![\wåäö]))?"
_WORD = r"[a-zåäöéü][\wåäöéü-]*"
# "340 deltagare", "12 genomförda trygghetsvandringar", "61 % av de tillfrågade"
_COUNTED = re.compile(
    rf"(?<![\d.,:/\w-])(?P<value>{_NUMBER}){_UNIT}(?P<unit_end>)"
    rf"(?:\s+(?P<what>{_WORD}(?:\s+{_WORD}){{0,2}}))?",
    re.IGNORECASE,
)
# "Andelen som känner sig trygga ökade från 54 % till 61 %"
_CHANGE = re.compile(
    rf"(?P<what>(?:{_WORD}\s+){{0,10}}?)(?:från|from)\s+(?P<a>(?:{_NUMBER}){_UNIT})"
    rf"\s+(?:till|to)\s+(?P<b>(?:{_NUMBER}){_UNIT})(?![\d\wåäö])",
    re.IGNORECASE,
)
# "Antal deltagare: 340", "Trygghet (andel trygga): 61 %"
_LABELLED = re.compile(
    rf"^(?:[-*•–]\s*)?(?P<what>[A-ZÅÄÖa-zåäö][^:\n]{{1,48}}?)\s*:\s*"
    rf"(?P<value>(?:{_NUMBER}){_UNIT})\s*(?:st\.?|stycken)?\s*[.;]?\s*$"
)
# Dates, times, references, years and phone numbers are not figures.
_NOT_FIGURES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[:.]\d{2}\b|\bSAM-\d{4}-\d{4,6}\b"
    r"|(?:\+46|\b0)\d{1,3}[- ]?\d{2,3}[ -]?\d{2}[ -]?\d{2}\b|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_NOT_COUNTED = {
    "och", "eller", "av", "till", "i", "på", "per", "för", "om", "med", "under", "från", "vid",
    "inom", "mot", "efter", "än", "att", "som", "har", "hade", "är", "var", "blev", "deltog",
    "kom", "år", "månader", "dagar", "veckor", "gånger", "the", "of", "and", "with", "in", "at",
    "has", "have", "were", "was", "years", "months", "days", "weeks", "sedan", "jämfört",
    "since", "than",
}  # fmt: skip
# "vi återkommer med siffrorna", "har inte hunnit", "skickar senare", "nästa vecka"
_LATER = either(
    r"\b(?:återkommer|återkomma|skickar\s+(?:\w+\s+){0,3}(?:senare|snart|efter)"
    r"|inte\s+(?:\w+\s+){0,2}(?:hunnit|klar[at]?|sammanställt)|nästa\s+vecka|om\s+några\s+dagar"
    r"|get\s+back\s+to\s+you|will\s+send\s+(?:\w+\s+){0,3}later|not\s+(?:\w+\s+)?ready)"
)
_NAMED = {
    RESULT: either(r"\bresultat(?:mätning|et|en)?\b|\bvad\s+som\s+(?:har\s+)?gjorts\b"),
    EFFECT: either(r"\beffekt(?:mätning|en|erna|er)?\b|\bförändr(?:ats|ingen|ingar)\b"),
}
_GREETING = either(r"^(?:hej|hejsan|hallå|god\s+\w+|hi|hello|dear)\b[^.!?\n]{0,40}[,!.]?$")
_SIGN_OFF = either(
    r"^(?:med\s+vänlig(?:a)?\s+hälsning(?:ar)?|vänliga\s+hälsningar|hälsningar|mvh|vh"
    r"|tack\s+på\s+förhand|best\s+regards|kind\s+regards|regards)\b"
)
_MIN_WORDS = 8
"""Words an answer without a single figure needs to count as one."""


def read_measurement(
    text: str, *, asked: Sequence[str], replied_to: str | None = None
) -> MeasurementAnswer | None:
    """The measurement a reply gives, or None when it gives none.

    ``asked`` are the measurements requested and not yet recorded, oldest request first;
    ``replied_to`` the one whose request the reply answers by its thread, if known. A reply
    answers the one it replies to, else the one it names, else the oldest asked for.
    """
    if not asked:
        return None
    body = _answer_text(text)
    if not body:
        return None
    figures = figures_in(body)
    if not figures and (_LATER.search(body) or len(body.split()) < _MIN_WORDS):
        return None
    if figures and _LATER.search(body) and len(figures) < 2:  # "återkommer om 2 veckor"
        return None
    return MeasurementAnswer(_which(body, asked, replied_to), body[:MAX_TEXT], figures)


def _which(body: str, asked: Sequence[str], replied_to: str | None) -> str:
    if replied_to is not None and replied_to in asked:
        return replied_to
    named = [kind for kind in asked if _NAMED[kind].search(body)]
    return named[0] if len(named) == 1 else asked[0]


def _answer_text(text: str) -> str:
    """The reply's own words: no quoted lines, no greeting, nothing from the sign-off on."""
    lines = [line for line in logical_lines(text) if not line.startswith(">")]
    while lines and (not lines[0] or _GREETING.match(lines[0])):
        lines.pop(0)
    for i, line in enumerate(lines):
        if _SIGN_OFF.match(line):
            lines = lines[:i]
            break
    return "\n".join(lines).strip()


def figures_in(text: str) -> tuple[Figure, ...]:
    """The figures the text reports, in its order, each once."""
    found: list[tuple[int, Figure]] = []
    for line_start, line in _lines_at(text):
        labelled = _LABELLED.match(line)
        if labelled and not _NOT_FIGURES.search(labelled.group("value")):
            what = " ".join(labelled.group("what").split())
            found.append((line_start, Figure(_tidy(labelled.group("value")), what, labelled=True)))
            continue
        blanked = _NOT_FIGURES.sub(lambda m: " " * len(m.group(0)), line)
        for match in _CHANGE.finditer(blanked):
            value = f"{_tidy(match.group('a'))} → {_tidy(match.group('b'))}"
            found.append(
                (
                    line_start + match.start(),
                    Figure(value, _phrase(match.group("what")), labelled=True),
                )
            )
            blanked = blanked[: match.start()] + " " * len(match.group(0)) + blanked[match.end() :]
        for match in _COUNTED.finditer(blanked):
            what = _counted(match.group("what") or "")
            value = _tidy(line[match.start("value") : match.start("unit_end")])
            if what or value != _tidy(match.group("value")):  # "350 000 kr" counts itself
                found.append((line_start + match.start(), Figure(value, what)))
    seen: set[Figure] = set()
    out = []
    for _, figure in sorted(found, key=lambda item: item[0]):
        if figure not in seen:
            seen.add(figure)
            out.append(figure)
    return tuple(out)


def _counted(words: str) -> str:
    """What a number counts: its words after ``av``/``of``, up to the first small word."""
    parts = words.split()
    if parts and parts[0].lower() in ("av", "of"):
        parts = parts[1:]
    kept: list[str] = []
    for part in parts:
        if part.lower() in _NOT_COUNTED:
            break
        kept.append(part)
    return " ".join(kept)


def _phrase(words: str) -> str:
    """The words before a change (``andelen trygga ökade``), without its verb at the end."""
    parts = words.split()
    while parts and parts[-1].lower() in _CHANGE_VERBS:
        parts.pop()
    return " ".join(parts)


_CHANGE_VERBS = {"ökade", "ökat", "minskade", "minskat", "gick", "steg", "sjönk", "har", "rose",
                 "fell", "increased", "decreased", "went", "changed", "förändrades"}  # fmt: skip


def _lines_at(text: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for line in text.split("\n"):
        out.append((at, line))
        at += len(line) + 1
    return out


def _tidy(value: str) -> str:
    return " ".join(value.replace("\u00a0", " ").split())
