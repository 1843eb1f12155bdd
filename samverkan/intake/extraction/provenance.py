"""How each extracted value was found, and how sure the reading is (pure).

The extractor keeps, for every value, the words it came from (``evidence``). Those words tell
how the value was found: a labelled line of a form, a sentence, the signature, the headers.
The confidence follows from that and from what kind of value it is:

* a labelled line says exactly what a value is (0.95); so does an official (1.0);
* a sentence read by its cue words is good for numbers that look like what they are (an
  org.nr, an amount next to "söker": 0.8–0.9) and weaker for free text (0.7);
* the sender's display name as the contact person, the organisation taken from it, an
  address found only somewhere in the text, the area that holds several places the text
  names, the year of a start written without one ("start i mars"), a start given as a season,
  a title made up from the area, an amount that no ask stands next to: these are readings, not
  statements. They stay below ``CHECK_BELOW``: the case card marks them ``kontrollera`` for the
  contact person, and the actor is not asked for them, since they are not missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from samverkan.intake.extraction.form import Field
from samverkan.rules.model import Found, Provenance

__all__ = ["provenance_of"]

# From a sentence: how far a value of each kind is to be trusted.
_PROSE: dict[str, float] = {
    "orgnr": 0.9,
    "orgnr_valid": 0.9,
    "contact_name": 0.85,
    "phone": 0.8,
    "support": 0.8,
    "duration_months": 0.8,
    "start": 0.8,
    "area": 0.75,
    "area_text": 0.75,
    "actors": 0.75,
    "organisation": 0.7,
    "purpose": 0.7,
    "goals": 0.7,
    "own_contribution": 0.7,
    "email": 0.55,  # an address somewhere in the text is not surely the contact's
    "title": 0.9,
}
_LABELLED = 0.95
_SIGNATURE: dict[str, float] = {"email": 0.8, "organisation": 0.75}
_HEADER: dict[str, float] = {
    "email": 0.9,  # the sender's address: where the answer goes anyway
    "contact_name": 0.55,  # the display name: the sender, not surely the contact person
    "organisation": 0.5,
    "title": 0.9,
    "area": 0.7,
    "area_text": 0.7,
}
_YEAR = re.compile(r"\b20\d{2}\b")
_SEASON = re.compile(
    r"(?i)\b(?:våren|varen|vår|sommaren|sommar|hösten|hosten|höst|vintern|vinter|spring|summer"
    r"|autumn|fall|ht|vt)\s+(?:år\s+)?20\d{2}\b"
)


def provenance_of(
    values: Mapping[str, Any],
    evidence: Mapping[str, str],
    fields: Mapping[str, Field],
    *,
    signature: str = "",
    subject: str = "",
    guessed: frozenset[str] = frozenset(),
) -> dict[str, Provenance]:
    """Each value's provenance; ``guessed`` names fields the extractor itself read weakly."""
    lines = [f.line for f in fields.values()]
    out: dict[str, Provenance] = {}
    for name in values:
        words = evidence.get(name, "")
        found = _how(words, lines, signature, subject)
        confidence = _confidence(name, found)
        inferred = _inferred(name, values, words) if found is not Found.LABELLED else None
        if name == "start" and found is Found.LABELLED and not _YEAR.search(words):
            inferred = 0.55  # "Start: mars": the year is still the next March's
        if name in guessed:
            found, confidence = Found.GUESSED, min(confidence, 0.45)
        elif inferred is not None:
            found, confidence = Found.INFERRED, min(confidence, inferred)
        out[name] = Provenance(found, confidence)
    return out


def _how(words: str, lines: list[str], signature: str, subject: str) -> Found:
    # Support joins its pieces with " | ", and a table row is "Label | value" itself.
    first = words.split(" | ")[0].strip()
    if not first:
        return Found.GUESSED
    if first.startswith("Från:"):
        return Found.HEADER
    for candidate in dict.fromkeys((words.strip(), first)):
        if any(candidate == line.strip() or (len(candidate) >= 8 and candidate in line)
               for line in lines):  # fmt: skip
            return Found.LABELLED
    if signature and first in signature:
        return Found.SIGNATURE
    if subject and first in subject:
        return Found.HEADER
    return Found.PROSE


def _confidence(name: str, found: Found) -> float:
    if found is Found.LABELLED:
        return _LABELLED
    if found is Found.HEADER:
        return _HEADER.get(name, 0.7)
    if found is Found.SIGNATURE:
        return _SIGNATURE.get(name, _PROSE.get(name, 0.7))
    if found is Found.GUESSED:
        return 0.4
    return _PROSE.get(name, 0.7)


def _inferred(name: str, values: Mapping[str, Any], words: str) -> float | None:
    """A cap for a value derived rather than read, or None when it was read as written."""
    if name == "start" and not _YEAR.search(words):
        return 0.55  # "start i mars": the year is the next March's
    if name == "start" and _SEASON.search(words) and "duration_months" not in values:
        return 0.55  # "från hösten 2026": a month stands for the season
    if name in ("area", "area_text") and ", " in words:
        return 0.55  # several places: the area that holds them all
    if name == "title" and words == values.get("title") and str(words).startswith("Samverkan i"):
        return 0.4  # no subject: a title made from the area
    return None
