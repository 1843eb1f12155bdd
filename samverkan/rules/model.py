"""The structured application: what intake extracts and what the criteria judge.

Plain dataclasses, so the core never depends on the ORM or a chat payload. Every field keeps
the words it came from in ``evidence`` so an official can see why the system believes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any


class ActorCategory(StrEnum):
    """The kinds of local actors the model distinguishes (criterion ``aktorer``)."""

    FASTIGHETSAGARE = "fastighetsagare"
    NARINGSLIV = "naringsliv"
    CIVILSAMHALLE = "civilsamhalle"
    BOENDE = "boende"
    OFFENTLIG = "offentlig"


class SupportForm(StrEnum):
    """The forms of support the committee can grant (stödform)."""

    FINANSIERING = "finansiering"
    PERSONAL = "personal"
    PROCESSTOD = "processtod"
    OVRIGT = "ovrigt"


@dataclass(frozen=True)
class SupportRequest:
    """One form of support asked for; ``amount_sek`` matters for ``finansiering``."""

    form: SupportForm
    amount_sek: int | None = None
    hours: int | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"form": self.form.value}
        if self.amount_sek is not None:
            out["amount_sek"] = self.amount_sek
        if self.hours is not None:
            out["hours"] = self.hours
        if self.text:
            out["text"] = self.text
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SupportRequest:
        return cls(
            form=SupportForm(data["form"]),
            amount_sek=data.get("amount_sek"),
            hours=data.get("hours"),
            text=data.get("text"),
        )


@dataclass(frozen=True)
class Area:
    """A place named in an application, as resolved by the gazetteer.

    ``in_malmo`` is False for a recognised place outside Malmö. ``parents`` lists the larger
    areas it belongs to (for example Norra Sofielund -> Sofielund, Södra Innerstaden), which is
    how two applications for overlapping areas are recognised.
    """

    name: str
    in_malmo: bool
    parents: tuple[str, ...] = ()

    def covers(self, other: Area) -> bool:
        """True when the two areas are the same place or one lies inside the other."""
        return self.name == other.name or self.name in other.parents or other.name in self.parents

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "in_malmo": self.in_malmo, "parents": list(self.parents)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Area:
        return cls(
            name=data["name"],
            in_malmo=bool(data["in_malmo"]),
            parents=tuple(data.get("parents", ())),
        )


class Found(StrEnum):
    """How a value was found: the kind of words it was read from."""

    LABELLED = "labelled"
    """A labelled line or form field ("Organisation: …", a table row, a heading)."""
    PROSE = "prose"
    """A sentence that says it, read by its cue words ("vi söker 80 000 kr")."""
    SIGNATURE = "signature"
    """The signature block or the closing lines."""
    HEADER = "header"
    """The mail's headers (the sender, the subject)."""
    INFERRED = "inferred"
    """Derived from what was written (the year of "start i mars", the area holding several)."""
    GUESSED = "guessed"
    """A weak fallback: the likeliest reading, not a stated one."""
    OFFICIAL = "official"
    """Entered or corrected by an official."""

    @property
    def label(self) -> str:
        return FOUND_LABELS[self]


FOUND_LABELS: dict[Found, str] = {
    Found.LABELLED: "ur ett ifyllt fält",
    Found.PROSE: "ur texten",
    Found.SIGNATURE: "ur signaturen",
    Found.HEADER: "ur avsändaren eller ämnesraden",
    Found.INFERRED: "härlett",
    Found.GUESSED: "gissat",
    Found.OFFICIAL: "angivet av handläggare",
}

CHECK_BELOW = 0.6
"""A value read with a confidence below this is shown for the contact person to check."""


@dataclass(frozen=True)
class Provenance:
    """How one field's value was found and how sure the reading is (0–1)."""

    found: Found
    confidence: float

    @property
    def to_check(self) -> bool:
        """Low confidence: the contact person checks it (``kontrollera``); the actor is not
        asked for it, since it is not missing."""
        return self.confidence < CHECK_BELOW

    def to_dict(self) -> dict[str, Any]:
        return {"found": self.found.value, "confidence": round(self.confidence, 2)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(Found(data["found"]), float(data["confidence"]))


OFFICIAL = Provenance(Found.OFFICIAL, 1.0)


@dataclass(frozen=True)
class Application:
    """What is known about one application. Unknown values are None, never guessed."""

    title: str | None = None
    organisation: str | None = None
    orgnr: str | None = None
    """Organisation number as ``NNNNNN-NNNN`` (the digits the actor wrote, formatted)."""
    orgnr_valid: bool | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    """Normalised to E.164, for example ``+46701234567``."""
    area: Area | None = None
    area_text: str | None = None
    """The place as the actor wrote it, kept even when the gazetteer did not resolve it."""
    actors: tuple[ActorCategory, ...] = ()
    support: tuple[SupportRequest, ...] = ()
    start: date | None = None
    duration_months: int | None = None
    purpose: str | None = None
    """The area's challenges, development potential and the purpose of the collaboration."""
    goals: str | None = None
    own_contribution: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    """Field name -> the words the value was taken from."""
    provenance: dict[str, Provenance] = field(default_factory=dict)
    """Field name -> how the value was found and how sure the reading is."""

    def to_check(self) -> list[str]:
        """The fields that hold a value read with low confidence, in field order."""
        names = [f.name for f in fields(self)]
        low = [n for n, p in self.provenance.items() if p.to_check and _has_value(self, n)]
        return sorted(low, key=lambda n: names.index(n) if n in names else len(names))

    def merged_with(self, newer: Application) -> Application:
        """Combine with facts from a later message: new values win, nothing known is lost."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("evidence", "provenance", "actors", "support"):
                continue
            value = getattr(newer, f.name)
            if value is not None:
                changes[f.name] = value
        actors = tuple(dict.fromkeys((*self.actors, *newer.actors)))
        by_form = {s.form: s for s in self.support}
        by_form.update({s.form: s for s in newer.support})
        evidence = {**self.evidence, **newer.evidence}
        provenance = {**self.provenance, **newer.provenance}
        if set(self.actors) - set(newer.actors) and "actors" in self.provenance:
            provenance["actors"] = self.provenance["actors"]  # the older list still holds
        return replace(
            self,
            **changes,
            actors=actors,
            support=tuple(by_form.values()),
            evidence=evidence,
            provenance=provenance,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the inverse of :meth:`from_dict`."""
        return {
            "title": self.title,
            "organisation": self.organisation,
            "orgnr": self.orgnr,
            "orgnr_valid": self.orgnr_valid,
            "contact_name": self.contact_name,
            "email": self.email,
            "phone": self.phone,
            "area": self.area.to_dict() if self.area else None,
            "area_text": self.area_text,
            "actors": [a.value for a in self.actors],
            "support": [s.to_dict() for s in self.support],
            "start": self.start.isoformat() if self.start else None,
            "duration_months": self.duration_months,
            "purpose": self.purpose,
            "goals": self.goals,
            "own_contribution": self.own_contribution,
            "evidence": dict(self.evidence),
            "provenance": {name: p.to_dict() for name, p in self.provenance.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Application:
        return cls(
            title=data.get("title"),
            organisation=data.get("organisation"),
            orgnr=data.get("orgnr"),
            orgnr_valid=data.get("orgnr_valid"),
            contact_name=data.get("contact_name"),
            email=data.get("email"),
            phone=data.get("phone"),
            area=Area.from_dict(data["area"]) if data.get("area") else None,
            area_text=data.get("area_text"),
            actors=tuple(ActorCategory(a) for a in data.get("actors", ())),
            support=tuple(SupportRequest.from_dict(s) for s in data.get("support", ())),
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            duration_months=data.get("duration_months"),
            purpose=data.get("purpose"),
            goals=data.get("goals"),
            own_contribution=data.get("own_contribution"),
            evidence=dict(data.get("evidence", {})),
            provenance={
                name: Provenance.from_dict(p) for name, p in data.get("provenance", {}).items()
            },
        )


def _has_value(app: Application, name: str) -> bool:
    value = getattr(app, name, None)
    return value is not None and value != ()
