"""What the contact person should check on a case card: values read with low confidence.

A value the extractor read weakly (the sender's display name as the contact person, the year
of "start i mars", the area holding several places) is kept and used — it is not missing, so
the actor is not asked for it — but every card marks it ``kontrollera`` with how it was found,
until an official confirms or corrects it (``ändra``).
"""

from __future__ import annotations

from samverkan.rules.model import Application

__all__ = ["CHECK_WORD", "FIELD_NAMES", "check_lines", "marked"]

CHECK_WORD = "kontrollera"

FIELD_NAMES: dict[str, str] = {
    "title": "titel",
    "organisation": "organisation",
    "orgnr": "organisationsnummer",
    "orgnr_valid": "organisationsnummer",
    "contact_name": "kontaktperson",
    "email": "e-post",
    "phone": "telefon",
    "area": "område",
    "area_text": "område",
    "actors": "aktörer",
    "support": "stöd",
    "start": "start",
    "duration_months": "längd",
    "purpose": "syfte",
    "goals": "mål",
    "own_contribution": "egen insats",
}


def check_lines(app: Application) -> list[str]:
    """One line per field to check: its Swedish name, how it was found, the confidence."""
    lines: dict[str, str] = {}
    for name in app.to_check():
        label = FIELD_NAMES.get(name, name)
        found = app.provenance[name]
        lines.setdefault(label, f"{label} ({found.found.label}, {round(found.confidence * 100)} %)")
    return list(lines.values())


def marked(text: str, app: Application, *names: str) -> str:
    """``text`` with ``(kontrollera)`` after it when one of ``names`` is to be checked."""
    weak = set(app.to_check())
    return f"{text} ({CHECK_WORD})" if text and weak.intersection(names) else text
