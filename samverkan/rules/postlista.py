"""The postlista: the public list of registered documents, as a municipality publishes it.

Anyone may read the postlista, so a line says what exists without handing out personal data:

- a private person is "Privatperson": their name, e-mail address, phone number and street
  address are masked wherever they appear, the subject included. An organisation with a valid
  organisation number is a legal person and is named; its contact person is not.
- a document an official marked secret shows only that it exists: its number, date and
  direction, nothing of what it is about or who sent it.
- identity numbers are masked whatever else applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from samverkan.rules.personal import mask_private_contact

__all__ = ["COLUMNS", "DIRECTION_LABELS", "Party", "PublicEntry", "public_entry"]

PRIVATE_PERSON = "Privatperson"
SECRET_SUBJECT = "Handling som omfattas av sekretess"  # noqa: S105 - not a password
DIRECTION_LABELS = {"in": "Inkommen", "ut": "Utgående", "upprättad": "Upprättad"}
COLUMNS = ("Diarienummer", "Datum", "Riktning", "Handling", "Avsändare/mottagare", "Ämne")


@dataclass(frozen=True)
class Party:
    """Who the case's documents come from or go to, as far as the postlista must know."""

    organisation: str | None
    organisation_is_legal_person: bool
    """A valid organisation number that is not a personnummer (a sole trader's is one)."""
    names: tuple[str, ...] = ()
    """Names and e-mail addresses of private persons in the case, to mask wherever they are."""


@dataclass(frozen=True)
class PublicEntry:
    number: str
    day: date
    direction: str
    kind: str
    counterpart: str
    subject: str
    secret: bool

    def row(self) -> tuple[str, ...]:
        return (
            self.number,
            self.day.isoformat(),
            self.direction,
            self.kind,
            self.counterpart,
            self.subject,
        )


_ADDRESS_NAME = re.compile(r'^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$')
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _names_in(counterpart: str | None) -> tuple[str, ...]:
    """The display name and the addresses of a ``From``/``To`` header."""
    if not counterpart:
        return ()
    found = list(_EMAIL.findall(counterpart))
    match = _ADDRESS_NAME.match(counterpart)
    if match and match.group(1).strip():
        found.append(match.group(1).strip())
    return tuple(found)


def _mask_names(text: str, names: tuple[str, ...]) -> str:
    for name in sorted({n for n in names if len(n) > 2}, key=len, reverse=True):
        text = re.sub(re.escape(name), "[namn]", text, flags=re.IGNORECASE)
    return _EMAIL.sub("[e-post]", text)


def public_entry(
    *,
    number: str,
    day: date,
    direction: str,
    kind: str,
    counterpart: str | None,
    subject: str | None,
    secret: bool,
    party: Party,
) -> PublicEntry:
    """One line of the postlista for one registered document."""
    label = DIRECTION_LABELS.get(direction, direction)
    if secret:
        return PublicEntry(number, day, label, "–", "–", SECRET_SUBJECT, True)
    if direction == "upprättad":
        shown = counterpart or "–"
    elif party.organisation and party.organisation_is_legal_person:
        shown = party.organisation
    else:
        shown = PRIVATE_PERSON
    names = party.names + _names_in(counterpart)
    clean = _mask_names(mask_private_contact(subject or "–"), names)
    return PublicEntry(number, day, label, kind, shown, clean, False)
