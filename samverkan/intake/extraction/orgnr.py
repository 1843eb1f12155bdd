"""Swedish organisation numbers (organisationsnummer) in free text.

The checksum is python-stdnum's (``stdnum.se.orgnr``); this module only finds candidates. A
number introduced by a label ("org.nr", "organisationsnummer") is taken as written, so a sole
trader's number (a personnummer) and a mistyped one are still found and reported as invalid.
Without a label a ten-digit group only counts when its third digit is 2 or more, which is true
of every legal person's number and of no personnummer or Swedish phone number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.se import orgnr as stdnum_orgnr

__all__ = ["OrgNumber", "find_orgnr"]

_DIGITS = r"(?:16|19|20)?(?P<a>\d{6})[ \u00a0]?[-–]?[ \u00a0]?(?P<b>\d{4})"
_LABELLED = re.compile(
    r"(?:org(?:anisations)?\.?[ \u00a0]*-?[ \u00a0]*(?:nr|nummer|no)\b\.?|orgnr|org\.[ ]?nr"
    r"|organisationsnummer|corporate identity number"
    r"|company (?:reg(?:istration)?\.? )?n(?:o|umber))"
    rf"[\s.:#]*(?<!\d){_DIGITS}(?![\d-])",
    re.IGNORECASE,
)
_BARE = re.compile(rf"(?<![\d+\-–/.,]){_DIGITS}(?![\d\-–/])")


@dataclass(frozen=True)
class OrgNumber:
    """A number as ``NNNNNN-NNNN``, whether its check digit is right, and the words it came from."""

    formatted: str
    valid: bool
    words: str


def find_orgnr(text: str) -> OrgNumber | None:
    """The applicant's organisation number: a labelled one first, else the first bare one."""
    match = _LABELLED.search(text)
    if match is None:
        match = next((m for m in _BARE.finditer(text) if int(m.group("a")[2]) >= 2), None)
    if match is None:
        return None
    digits = match.group("a") + match.group("b")
    return OrgNumber(
        formatted=f"{digits[:6]}-{digits[6:]}",
        valid=bool(stdnum_orgnr.is_valid(digits)),
        words=match.group(0).strip(),
    )
