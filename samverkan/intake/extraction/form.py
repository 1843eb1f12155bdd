"""Labelled values: "Label: value" forms, "Label | value" tables and numbered headings.

Actors copy the city's form or make their own: ``Egen insats: 30 000 kr``, a table row
``Sökande | Fastighets AB …`` (HTML tables and Word tables arrive as cells split by ``|`` or a
tab), or a heading ``4. Utmaningar och syfte`` with the text below it. The rules:

* a value ends at its line, or at the next label on that line; it takes the next line only
  when that line continues it (a hard wrap, or a line that starts in lower case);
* a heading's value is the lines below it, up to a blank line or the next label;
* labels are compared folded (no diacritics), without numbering, bullets, brackets or ``*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samverkan.intake.extraction.lexicon import FIELD_LABELS
from samverkan.intake.extraction.text import fold

__all__ = ["Field", "form_fields", "label_key"]

_LABEL_TO_FIELD = {fold(label): name for name, labels in FIELD_LABELS.items() for label in labels}
_PREFIX = re.compile(r"^\s*(?:[-*•▪]\s*|\d{1,2}[.)]\s*|[a-z][.)]\s+)?")
_SEPARATED = re.compile(r"^(?P<label>[^:|\t\n]{1,48}?)\s*(?::|\s*\|\s*|\t+)\s*(?P<value>.*)$")
_NOISE = re.compile(r"\s*\([^)]*\)|[*_#]")
_END = re.compile(r"[.!?:;]\s*$")
# "… 18 månader från maj. Söker: 200 000 kr": a known label inside a value starts a new one.
_INLINE_LABEL = re.compile(r"(?:(?<=[.;])|(?<=\s{2}))\s*(?P<label>[A-ZÅÄÖ][\w .-]{1,30}?):\s")


@dataclass(frozen=True)
class Field:
    """One labelled value and the line it was read from (its evidence)."""

    value: str
    line: str


def label_key(label: str) -> str:
    """A label as compared: folded, lower case, without numbering or decoration."""
    bare = _NOISE.sub("", _PREFIX.sub("", label, count=1))
    return fold(re.sub(r"\s+", " ", bare).strip().lower().rstrip("?.:"))


def _field_of(label: str) -> str | None:
    """A known label, or one that starts with one ("Mål och uppföljning" is "Mål")."""
    key = label_key(label)
    found = _LABEL_TO_FIELD.get(key)
    if found is None and len(key) <= 48:
        head = re.split(r" (?:och|and|samt|&) |/|,", key, maxsplit=1)[0].strip()
        found = _LABEL_TO_FIELD.get(head) if head != key else None
    return found


def _labelled(line: str) -> tuple[str, str, str] | None:
    """(field, value, line) when the line starts with a known label and a separator."""
    match = _SEPARATED.match(_PREFIX.sub("", line, count=1))
    if match:
        name = _field_of(match.group("label"))
        if name:
            return name, match.group("value").strip(" |\t"), line
    name = _field_of(line) if len(line) <= 60 else None
    return (name, "", line) if name else None


def _continues(previous: str, line: str) -> bool:
    first = line.lstrip()[:1]
    return first.islower() or (len(previous) >= 55 and not _END.search(previous))


def _split_inline(name: str, value: str, line: str) -> list[tuple[str, str, str]]:
    """A value that holds a further label ("… från maj. Söker: 200 000 kr") becomes two."""
    out = [(name, value, line)]
    for match in _INLINE_LABEL.finditer(value):
        other = _field_of(match.group("label"))
        if other:
            head = value[: match.start()].strip()
            out[-1] = (out[-1][0], head, line)
            out += _split_inline(other, value[match.end() :].strip(), line)
            break
    return out


def form_fields(text: str) -> dict[str, Field]:
    """Every labelled value of the text; the first of each field wins."""
    found: list[tuple[str, list[str], str, bool]] = []  # field, lines, evidence, heading
    for raw in text.splitlines():
        line = raw.strip()
        current = found[-1] if found else None
        labelled = _labelled(line) if line else None
        if labelled:
            for name, value, where in _split_inline(*labelled):
                found.append((name, [value] if value else [], where, not value))
        elif current is None or not line:
            if current is not None and current[1]:
                found.append(("", [], "", False))  # a blank line closes the value
        elif current[0] and (current[3] or (current[1] and _continues(current[1][-1], line))):
            current[1].append(line)
        elif current[0]:
            found.append(("", [], "", False))
    fields: dict[str, Field] = {}
    for name, lines, where, heading in found:
        value = ("\n" if heading else " ").join(lines).strip()
        if name and value and name not in fields:
            fields[name] = Field(value, value if heading else " ".join([where, *lines[1:]]))
    return fields
