"""``samverkan cases`` and ``samverkan show``: what the registrar reads."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from samverkan.bot.cli import EXIT_USAGE
from samverkan.bot.cli.base import database, fail, load_settings, print_json, say
from samverkan.rules.phases import Phase, phase_named

if TYPE_CHECKING:
    from samverkan.storage.case_view import CaseView


def _phase(value: str | None) -> Phase | None:
    if value is None:
        return None
    phase = phase_named(value)
    if phase is None:
        names = ", ".join(p.label for p in Phase)
        fail(f"okänd fas '{value}'. Faser: {names}", EXIT_USAGE)
    return phase


def list_cases(
    phase: Annotated[
        str | None,
        typer.Option(
            "--phase", metavar="FAS", help="Visa bara ärenden i denna fas (t.ex. bedömning)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Lista ärenden."""
    from samverkan.rules.personal import mask_data, mask_identity_numbers
    from samverkan.storage.listing import case_lines

    wanted = _phase(phase)
    settings = load_settings()
    with database(settings) as engine, engine.connect() as conn:
        lines = case_lines(conn, phase=wanted.value if wanted else None)
    if as_json:
        print_json(mask_data([line.to_dict() for line in lines]))
        return
    if not lines:
        say("Inga ärenden.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("Ärende", "Fas", "Område", "Titel", "Handläggare")
    for line in lines:
        table.add_row(
            line.ref,
            Phase(line.phase).label,
            line.area or "–",
            mask_identity_numbers(line.title or "–"),
            line.assigned_to or "–",
        )
    Console(highlight=False, soft_wrap=True).print(table)


# What a message's or reminder's state means to the registrar.
SEND_STATES = {
    "pending": "väntar på att skickas",
    "sending": "skickas",
    "sent": "skickat",
    "failed": "kunde inte skickas",
    "folded": "ingick i en sammanfattning",
}
CHANNEL_LABELS = {"email": "e-post", "notice": "notis", "slack": "Slack", "teams": "Teams"}
NOT_REGISTERED = "inte registrerat ännu"
REMINDER_STATES = {"pending": "väntar", "claimed": "pågår", "done": "klar", "cancelled": "struken"}


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _message_lines(view: CaseView, zone: ZoneInfo) -> list[str]:
    lines = [f"Meddelanden ({len(view.messages)}):"]
    for m in view.messages:
        arrow = "in " if m.direction == "in" else "ut "
        state = f" – {SEND_STATES.get(m.send_state, m.send_state)}" if m.send_state else ""
        who = f" {m.sender}" if m.direction == "in" and m.sender else ""
        channel = CHANNEL_LABELS.get(m.channel, m.channel)
        lines.append(f"  {_local(m.at, zone)} {arrow}{channel}{who}: {m.subject or '–'}{state}")
    return lines


def _reminder_lines(view: CaseView, zone: ZoneInfo) -> list[str]:
    lines = [f"Påminnelser ({len(view.reminders)}):"]
    lines += [
        f"  {_local(r.due_at, zone)} {r.kind} – {REMINDER_STATES.get(r.state, r.state)}"
        for r in view.reminders
    ]
    return lines


def render_case_text(view: CaseView, zone: ZoneInfo) -> str:
    """A plain-text page for one case (the terminal has no markup to escape), in local time."""
    from samverkan.rules.checking import check_lines, marked
    from samverkan.rules.criteria import ACTOR_LABELS

    case, app = view.case, view.case.application
    applicant = f"{app.organisation or '–'} ({app.orgnr or 'org.nr saknas'})"
    actors = ", ".join(ACTOR_LABELS[a] for a in app.actors) or "–"
    lines = [
        f"{case.ref} – {case.title or '(utan titel)'}",
        f"Fas: {case.phase.label}",
        f"Diarienummer: {view.registration_number or NOT_REGISTERED}",
        f"Område: {marked(app.area.name if app.area else '–', app, 'area', 'area_text')}",
        f"Sökande: {marked(applicant, app, 'organisation', 'orgnr', 'orgnr_valid')}",
        "Kontaktperson: "
        + marked(f"{app.contact_name or '–'}, {app.email or '–'}", app, "contact_name", "email"),
        f"Aktörer: {marked(actors, app, 'actors')}",
    ]
    if checks := check_lines(app):
        lines.append("Att kontrollera: " + "; ".join(checks))
    if view.criteria is not None:
        evaluation = view.criteria.evaluation
        lines.append(f"Bedömning ({evaluation.ruleset}): {evaluation.outcome.label}")
        lines += [f"  {r.name or r.id}: {r.status.label} – {r.reason}" for r in evaluation.results]
    lines += _message_lines(view, zone)
    lines += _reminder_lines(view, zone)
    lines.append("Historik:")
    lines += [
        f"  {_local(h.at, zone)} {h.by}: {h.from_phase.label if h.from_phase else '–'} → "
        f"{h.to_phase.label} {h.why}"
        for h in view.history
    ]
    return "\n".join(lines)


def show(
    ref: Annotated[
        str, typer.Argument(metavar="REF", help="Ärendets referens, t.ex. SAM-2026-0001.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Visa personnummer omaskerade (registrator).")
    ] = False,
) -> None:
    """Visa ett ärende."""
    from samverkan.rules.personal import mask_data, mask_identity_numbers
    from samverkan.storage.case_read import get_case
    from samverkan.storage.case_view import case_view

    settings = load_settings()
    with database(settings) as engine, engine.connect() as conn:
        view = case_view(conn, get_case(conn, ref))
    if as_json:
        shown = view.to_dict()
        print_json(shown if full else mask_data(shown))
    else:
        text = render_case_text(view, ZoneInfo(settings.timezone))
        sys.stdout.write((text if full else mask_identity_numbers(text)) + "\n")
