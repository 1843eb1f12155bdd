"""The view model of the committee memo (tjänsteskrivelse) for one case.

The memo is Markdown read by officials and the committee, and much of it is the actor's own
words. Every string this module returns is already Markdown-safe: actor text can add no
heading, list, table cell, link or HTML to the document, and longer passages arrive as block
quotes. The template (``templates/memo.md.j2``) therefore inserts values as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from samverkan.rules.criteria import (
    ACTOR_LABELS,
    Evaluation,
    Outcome,
    Status,
    describe_support,
    describe_timeframe,
    join_sv,
)
from samverkan.rules.model import Application, SupportRequest

COMMITTEE = "Tekniska nämnden"
OFFICE = "Fastighets- och gatukontoret"
QUOTE_LIMIT = 1500

BACKGROUND = (
    f"{COMMITTEE} och {OFFICE.lower()} arbetar enligt modellen för samverkansstöd: lokala "
    "aktörer – fastighetsägare, näringsliv, civilsamhälle, boende och offentliga aktörer – "
    "kan få stöd för att tillsammans utveckla ett geografiskt avgränsat område i Malmö. "
    "Stödet kan ges som finansiering, personal, processtöd eller på annat sätt, och följs upp "
    "med resultat- och effektmätning."
)


@dataclass(frozen=True)
class MemoCase:
    """What the memo needs to know about a case besides its evaluation."""

    ref: str
    title: str | None
    application: Application
    contact_person: str | None = None
    proposed_support: tuple[SupportRequest, ...] = ()
    """The support FGK proposes; empty means as applied for."""
    history: tuple[str, ...] = ()
    """Lines such as ``2026-02-03 inkommen: ansökan via e-post``, oldest first."""
    committee_date: date | None = None


# --- Markdown safety ------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!])")
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def md_inline(text: str) -> str:
    """Text as one Markdown line that renders literally (no markup, links or HTML)."""
    flat = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", flat)


def _md_line(line: str) -> str:
    escaped = md_inline(line)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def md_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Text as a Markdown block quote that keeps its paragraphs but none of its markup."""
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    lines = [_md_line(line) for line in text.splitlines()]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


# --- the view model --------------------------------------------------------------------------


def _proposals(case: MemoCase, area: str) -> list[str]:
    app = case.application
    support = case.proposed_support or app.support
    applicant = app.organisation or "sökanden"
    forms = join_sv(describe_support(support)) or "det stöd som anges i ärendet"
    timeframe = describe_timeframe(app.start, app.duration_months)
    period = f" under {timeframe}" if app.duration_months else ""
    return [
        f"{COMMITTEE} beviljar {applicant} samverkansstöd för {area} i form av {forms}{period}.",
        f"{COMMITTEE} ger {OFFICE.lower()} i uppdrag att följa upp insatsen med resultat- och "
        "effektmätning.",
    ]


def _summary(case: MemoCase, evaluation: Evaluation, area: str) -> str:
    app = case.application
    applicant = app.organisation or "En grupp lokala aktörer"
    actors = join_sv([ACTOR_LABELS[a] for a in app.actors])
    with_whom = f" där {actors} samverkar" if actors else ""
    support = join_sv(describe_support(case.proposed_support or app.support))
    asked = f" Stödet som föreslås är {support}." if support else ""
    text = f"{applicant} ansöker om samverkansstöd för {area}{with_whom}.{asked}"
    if evaluation.outcome is Outcome.COMPLETE:
        text += " Ansökan uppfyller modellens kriterier."
    else:
        text += (
            f" Observera: bedömningen enligt modellens kriterier är {evaluation.outcome.label} "
            "(se Bedömning nedan)."
        )
    warnings = [r.name or r.id for r in evaluation.results if r.status is Status.WARNING]
    if warnings:
        text += f" Att beakta: {join_sv([w.lower() for w in warnings])}."
    return text


def _facts(case: MemoCase) -> list[dict[str, str]]:
    app = case.application
    contact = ", ".join(v for v in (app.contact_name, app.email, app.phone) if v)
    rows = [
        ("Sökande", app.organisation),
        ("Organisationsnummer", app.orgnr),
        ("Kontakt hos sökande", contact or None),
        ("Område", app.area.name if app.area else app.area_text),
        ("Aktörer", join_sv([ACTOR_LABELS[a] for a in app.actors]) or None),
        ("Tidsram", describe_timeframe(app.start, app.duration_months) or None),
        ("Sökt stöd", join_sv(describe_support(app.support)) or None),
    ]
    return [
        {"label": label, "value": md_inline(value or "uppgift saknas")} for label, value in rows
    ]


def memo_view(case: MemoCase, evaluation: Evaluation, today: date) -> dict[str, Any]:
    """Everything ``memo.md.j2`` shows, as Markdown-safe strings, lists and dicts."""
    app = case.application
    area = app.area.name if app.area else (app.area_text or "området")
    title = case.title or app.title or f"Samverkansstöd för {area}"
    quotes = [
        ("Områdets utmaningar och syftet", app.purpose),
        ("Mål och förväntade resultat", app.goals),
        ("Aktörernas egen insats", app.own_contribution),
    ]
    planning_date = case.committee_date.isoformat() if case.committee_date else "datum fastställs"
    return {
        "ref": md_inline(case.ref),
        "title": md_inline(title),
        "date": today.isoformat(),
        "committee": COMMITTEE,
        "office": OFFICE,
        "contact_person": md_inline(case.contact_person or "ej tilldelad"),
        "summary": md_inline(_summary(case, evaluation, area)),
        "proposals": [md_inline(p) for p in _proposals(case, area)],
        "basis": [
            f"Tjänsteskrivelse {today.isoformat()}",
            md_inline(f"Ansökan från {app.organisation or 'sökanden'}, ärende {case.ref}"),
            md_inline(f"Bedömning enligt modellens kriterier, regelverk {evaluation.ruleset}"),
        ],
        "planning": [md_inline(f"{COMMITTEE}: {planning_date}")],
        "background": BACKGROUND,
        "facts": _facts(case),
        "quotes": [
            {"label": label, "text": md_quote(text)}
            for label, text in quotes
            if text and text.strip()
        ],
        "assessment": {
            "ruleset": md_inline(evaluation.ruleset),
            "outcome": evaluation.outcome.label,
            "rows": [
                {
                    "name": md_inline(r.name or r.id),
                    "status": r.status.label,
                    "reason": md_inline(r.reason),
                }
                for r in evaluation.results
            ],
        },
        "history": [md_inline(line) for line in case.history],
    }
