"""The view model of the committee memo (tjänsteskrivelse) for one case.

The memo follows the shape of Malmö's tjänsteskrivelser: diarienummer, date and handläggare in
the head; a title saying what is asked for and where; Sammanfattning, Förslag till beslut,
Beslutsunderlag, Beslutsplanering; Ärendet (bakgrund, ansökan, bedömning per criterion,
samordning); Ekonomiska konsekvenser; and the signature block.

The same view model feeds the Markdown template (``templates/memo.md.j2``) and the Word
document. For Markdown every string is made safe with :data:`MARKDOWN` – actor text can add
no heading, list, table cell, link or HTML, and longer passages arrive as block quotes – and
for Word with :data:`PLAIN`, which leaves the words as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from samverkan.rules.approval import applicant_gaps
from samverkan.rules.committee import CommitteeMeeting
from samverkan.rules.criteria import (
    ACTOR_LABELS,
    Evaluation,
    Outcome,
    Status,
    describe_support,
    describe_timeframe,
    join_sv,
)
from samverkan.rules.model import Application, SupportForm, SupportRequest
from samverkan.rules.officials import Official
from samverkan.rules.text import format_sek

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
    registration: str = "–"
    """The registration number (diarienummer), e.g. ``TN-2026-0001``."""
    official: Official | None = None
    """The handläggare (the case's contact person) as the registry knows them."""
    contact_person: str | None = None
    """The contact person's id, when the registry does not know them."""
    proposed_support: tuple[SupportRequest, ...] = ()
    """The support FGK proposes; empty means as applied for."""
    history: tuple[str, ...] = ()
    """Lines such as ``2026-02-03 inkommen: ansökan via e-post``, oldest first."""
    meeting: CommitteeMeeting | None = None
    """The committee meeting the memo goes to (from the calendar)."""
    override: str | None = None
    """The official's reason for approving although a blocking criterion was not met."""
    received: date | None = None


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


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text[: limit - 1].rstrip() + "…" if len(text) > limit else text


def md_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Text as a Markdown block quote that keeps its paragraphs but none of its markup."""
    lines = [_md_line(line) for line in _cut(text, limit).splitlines()]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


@dataclass(frozen=True)
class Escape:
    """How the view model makes text safe for one output format."""

    inline: Callable[[str], str]
    quote: Callable[[str], str]


MARKDOWN = Escape(md_inline, md_quote)
PLAIN = Escape(lambda text: " ".join(text.split()), lambda text: _cut(text, QUOTE_LIMIT))


# --- the wording -----------------------------------------------------------------------------


def _area(app: Application) -> str:
    return app.area.name if app.area else (app.area_text or "området")


def _support(case: MemoCase) -> tuple[SupportRequest, ...]:
    return case.proposed_support or case.application.support


def memo_title(case: MemoCase) -> str:
    """What is asked for and where: ``Ansökan från X om samverkansstöd för Seved: …``."""
    app = case.application
    who = f" från {app.organisation}" if app.organisation else ""
    asked = join_sv(describe_support(app.support))
    return f"Ansökan{who} om samverkansstöd för {_area(app)}" + (f": {asked}" if asked else "")


def _proposals(case: MemoCase) -> list[str]:
    app = case.application
    gaps = applicant_gaps(app)
    if gaps:
        return [
            "Förslag till beslut kan inte lämnas: sökande är inte identifierad (saknas: "
            f"{', '.join(gaps)})."
        ]
    forms = join_sv(describe_support(_support(case)))
    if not forms:
        return [
            "Förslag till beslut kan inte lämnas: ansökan anger inte vilket stöd som söks "
            "(stödform och belopp)."
        ]
    timeframe = describe_timeframe(app.start, app.duration_months)
    period = f" under {timeframe}" if app.duration_months else ""
    return [
        f"{COMMITTEE} beviljar {app.organisation} ({app.orgnr}) samverkansstöd för "
        f"{_area(app)} i form av {forms}{period}.",
        f"{COMMITTEE} ger {OFFICE.lower()} i uppdrag att följa upp insatsen med resultat- och "
        "effektmätning.",
    ]


def _summary(case: MemoCase, evaluation: Evaluation) -> str:
    app = case.application
    applicant = app.organisation or "En sökande som inte är identifierad"
    actors = join_sv([ACTOR_LABELS[a] for a in app.actors])
    with_whom = f" där {actors} samverkar" if actors else ""
    support = join_sv(describe_support(_support(case)))
    asked = f" Stödet som föreslås är {support}." if support else ""
    text = f"{applicant} ansöker om samverkansstöd för {_area(app)}{with_whom}.{asked}"
    if evaluation.outcome is Outcome.COMPLETE:
        text += " Ansökan uppfyller modellens kriterier."
    else:
        text += (
            f" Observera: bedömningen enligt modellens kriterier är {evaluation.outcome.label} "
            "(se Bedömning nedan)."
        )
    if case.override:
        text += f" Kontoret föreslår ändå att ärendet prövas av nämnden: {case.override}"
        text += "" if case.override.endswith(".") else "."
    warnings = [r.name or r.id for r in evaluation.results if r.status is Status.WARNING]
    if warnings:
        text += f" Att beakta: {join_sv([w.lower() for w in warnings])}."
    return text


def _facts(case: MemoCase) -> list[tuple[str, str]]:
    app = case.application
    contact = ", ".join(v for v in (app.contact_name, app.email, app.phone) if v)
    rows = [
        ("Projekt", case.title or app.title),
        ("Sökande", app.organisation),
        ("Organisationsnummer", app.orgnr),
        ("Kontakt hos sökande", contact or None),
        ("Område", app.area.name if app.area else app.area_text),
        ("Aktörer", join_sv([ACTOR_LABELS[a] for a in app.actors]) or None),
        ("Tidsram", describe_timeframe(app.start, app.duration_months) or None),
        ("Sökt stöd", join_sv(describe_support(app.support)) or None),
    ]
    return [(label, value or "uppgift saknas") for label, value in rows]


def _planning(case: MemoCase) -> str:
    meeting = case.meeting
    if meeting is None:
        return (
            f"{COMMITTEE}: inget kommande sammanträde finns i kalendern. En samordnare lägger "
            "till det med: nämnd lägg-till ÅÅÅÅ-MM-DD sista-dag ÅÅÅÅ-MM-DD"
        )
    return (
        f"{COMMITTEE} sammanträde {meeting.on:%Y-%m-%d} (sista dag för tjänsteskrivelser "
        f"{meeting.memo_deadline:%Y-%m-%d})"
    )


def _coordination(evaluation: Evaluation) -> str:
    found = [r for r in evaluation.results if r.id == "overlapp"]
    if not found:
        return "Samordningen med pågående processer har inte bedömts."
    result = found[0]
    if result.status is Status.WARNING:
        return (
            f"{result.reason} Kontaktpersonen samordnar insatsen med dessa innan beslut, så att "
            "stödet inte överlappar."
        )
    return result.reason


def _years(app: Application, meeting: CommitteeMeeting | None, today: date) -> str:
    """The year or years the support is for: from its start (else from the meeting, else
    from today) through its duration."""
    start = app.start or (meeting.on if meeting else today)
    first = start.year
    months = app.duration_months or 1
    last = first + (start.month - 1 + months - 1) // 12
    return str(first) if last == first else f"{first}–{last}"


def _economy(case: MemoCase, today: date) -> list[str]:
    """Ekonomiska konsekvenser: the amounts asked for (and proposed) and the year."""
    years = _years(case.application, case.meeting, today)
    asked = sum(s.amount_sek or 0 for s in case.application.support)
    proposed = sum(s.amount_sek or 0 for s in _support(case))
    lines = []
    if asked:
        lines.append(f"Ansökan avser finansiering med {format_sek(asked)} för {years}.")
    if proposed and proposed != asked:
        lines.append(f"Kontoret föreslår finansiering med {format_sek(proposed)}.")
    if proposed:
        lines.append(
            f"Beviljas stödet belastar {format_sek(proposed)} tekniska nämndens budget för "
            f"samverkansstöd {years}."
        )
    else:
        lines.append(f"Ansökan avser inget ekonomiskt bidrag för {years}.")
    in_kind = [s for s in _support(case) if s.form is not SupportForm.FINANSIERING]
    if in_kind:
        described = join_sv(describe_support(in_kind))
        lines.append(
            f"{described[0].upper()}{described[1:]} ges inom {OFFICE.lower()}s befintliga resurser."
        )
    return lines


def _handlaggare(case: MemoCase) -> str:
    official = case.official
    if official is not None and official.name:
        return official.display
    if official is not None or case.contact_person:
        return "namn saknas i handläggarregistret"
    return "ej tilldelad"


def _signature(case: MemoCase) -> list[str]:
    official = case.official
    if official is None or not official.name:
        return [OFFICE, _handlaggare(case)]
    lines = [OFFICE, official.name]
    lines += [official.title] if official.title else []
    lines += [official.email] if official.email else []
    return lines


def _basis(case: MemoCase, evaluation: Evaluation, today: date) -> list[str]:
    app = case.application
    received = f", inkommen {case.received:%Y-%m-%d}" if case.received else ""
    return [
        f"Tjänsteskrivelse {today:%Y-%m-%d}, diarienummer {case.registration}",
        f"Ansökan från {app.organisation or 'sökanden'}{received} (ärende {case.ref})",
        f"Bedömning enligt modellens kriterier, regelverk {evaluation.ruleset}",
    ]


def memo_view(
    case: MemoCase, evaluation: Evaluation, today: date, escape: Escape = MARKDOWN
) -> dict[str, Any]:
    """Everything the memo shows; ``today`` is the local date. Strings are made safe for the
    output by ``escape`` (Markdown by default)."""
    app, inline = case.application, escape.inline
    quotes = [
        ("Områdets utmaningar och syftet", app.purpose),
        ("Mål och förväntade resultat", app.goals),
        ("Aktörernas egen insats", app.own_contribution),
    ]
    return {
        "ref": inline(case.ref),
        "registration": inline(case.registration),
        "title": inline(memo_title(case)),
        "date": today.isoformat(),
        "committee": COMMITTEE,
        "office": OFFICE,
        "handlaggare": inline(_handlaggare(case)),
        "summary": inline(_summary(case, evaluation)),
        "proposals": [inline(p) for p in _proposals(case)],
        "basis": [inline(b) for b in _basis(case, evaluation, today)],
        "planning": [inline(_planning(case))],
        "background": BACKGROUND,
        "facts": [{"label": label, "value": inline(value)} for label, value in _facts(case)],
        "quotes": [
            {"label": label, "text": escape.quote(text)}
            for label, text in quotes
            if text and text.strip()
        ],
        "assessment": {
            "ruleset": inline(evaluation.ruleset),
            "outcome": evaluation.outcome.label,
            "override": inline(case.override) if case.override else None,
            "rows": [
                {
                    "name": inline(r.name or r.id),
                    "status": r.status.label,
                    "reason": inline(r.reason),
                }
                for r in evaluation.results
            ],
        },
        "coordination": inline(_coordination(evaluation)),
        "economy": [inline(line) for line in _economy(case, today)],
        "history": [inline(line) for line in case.history],
        "signature": [inline(line) for line in _signature(case)],
    }
