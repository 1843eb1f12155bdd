"""The chat commands that only read: help, lists, one case, reminders, statistics, processes.

Each returns a :class:`~samverkan.bot.reply.Reply`; nothing here changes a case.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from samverkan.bot.commands import SPECS, Invalid, ListCases, Show, spec_of
from samverkan.bot.context import (
    REMINDER_LABELS,
    CommandContext,
    local_time,
    official_role,
)
from samverkan.bot.reply import (
    Actions,
    Block,
    Button,
    Fact,
    FactList,
    Reply,
    ReplyStatus,
    Text,
    actor,
    paragraph,
    reply,
)
from samverkan.rules.checking import check_lines, marked
from samverkan.rules.criteria import ACTOR_LABELS, describe_support, describe_timeframe
from samverkan.rules.phases import TERMINAL, Phase, Role, TransitionRefused, next_phases
from samverkan.rules.text import format_sek, plural
from samverkan.storage import cases as case_store
from samverkan.storage import officials, reminders
from samverkan.storage.audit import record_read
from samverkan.storage.case_view import CaseView, case_view
from samverkan.storage.cases import Case
from samverkan.storage.listing import case_page
from samverkan.storage.reference import active_processes
from samverkan.storage.statistics import LeadTime, statistics


def help_reply(topic: str | None, today: date) -> Reply:
    """The command list with a line and an example each, or one command's usage; examples
    are dated from ``today`` (a meeting still to come, a case of this year)."""
    spec = spec_of(topic) if topic else None
    if spec is not None:
        return reply(
            ReplyStatus.OK,
            paragraph(f"{spec.usage} – {spec.summary}."),
            paragraph(f"Exempel: {spec.example(today)}"),
        )
    return reply(ReplyStatus.OK, *help_blocks(today))


def help_blocks(today: date) -> tuple[Block, ...]:
    return (
        paragraph(
            "Kommandon i Samverkan (skriv /samverkan först i Slack och Teams; å, ä och ö "
            "kan utelämnas):"
        ),
        FactList(
            tuple(Fact(s.usage, Text(f"{s.summary}. Exempel: {s.example(today)}")) for s in SPECS)
        ),
    )


def refused_step(exc: TransitionRefused, ref: str | None) -> Reply:
    """A move the model forbids, with the commands that take the steps that are possible."""
    if ref is None or not exc.possible:
        return reply(ReplyStatus.REFUSED, paragraph(str(exc)))
    commands = [_STEP[p][4].format(ref=ref) if p in _STEP else p.label for p in exc.possible]
    return reply(
        ReplyStatus.REFUSED,
        paragraph(exc.reason),
        paragraph("Det du kan göra nu: ", actor(", ".join(commands)), "."),
    )


def invalid_reply(command: Invalid, today: date) -> Reply:
    """A typo gets "menade du …?" with that command's usage; other mistakes their usage."""
    if command.suggestion is not None:
        return usage_reply(command.suggestion, command.problem, today)
    if command.command is None:
        return reply(ReplyStatus.USAGE, paragraph(actor(command.problem)), *help_blocks(today))
    return usage_reply(command.command, command.problem, today)


def usage_reply(name: str, problem: str, today: date) -> Reply:
    spec = spec_of(name)
    blocks: list[Block] = [paragraph(actor(problem))]
    if spec is not None:
        example = paragraph(f"Exempel: {spec.example(today)}")
        blocks += [paragraph(f"Så här: {spec.usage}"), example]
    return reply(ReplyStatus.USAGE, *blocks)


LIST_LIMIT = 50
COUNT_UP_TO = 1000  # a list counts this far; statistik has the exact figures


def list_cases(command: ListCases, ctx: CommandContext, session: Session) -> Reply:
    """A page of cases straight from SQL: the first ``LIST_LIMIT`` and a bounded count."""
    phases = (command.phase.value,) if command.phase else ()
    exclude = () if command.phase else tuple(p.value for p in TERMINAL)
    areas: tuple[str, ...] = ()
    unknown_area = None
    if command.area:
        area = ctx.assessor.resolve_area(command.area)
        if area is None:
            unknown_area = command.area
        else:  # the area and every area within it
            within = ctx.assessor.gazetteer.areas()
            areas = (area.name, *(a.name for a in within if area.name in a.parents))
    page = case_page(
        session.connection(),
        phases=phases,
        exclude=exclude,
        areas=areas,
        area_any_case=unknown_area,
        limit=LIST_LIMIT,
        count_up_to=COUNT_UP_TO,
    )
    scope = f"i fas {command.phase.label}" if command.phase else "pågående"
    where: list[str | Text] = [" i ", actor(command.area)] if command.area else []
    if not page.lines:
        return reply(ReplyStatus.OK, paragraph(f"Inga ärenden {scope}", *where, "."))
    items = tuple(
        Fact(
            c.ref,
            actor(
                f"{Phase(c.phase).label} · {c.area or 'inget område'} · "
                f"{c.title or '(utan titel)'} · {c.assigned_to or 'ingen kontaktperson'}"
            ),
        )
        for c in page.lines
    )
    counted = f"Över {page.count}" if page.more_than else None
    heading = f"{counted} ärenden" if counted else count_cases(page.count)
    blocks: list[Block] = [paragraph(f"{heading} {scope}", *where, ":"), FactList(items)]
    more = page.count - len(page.lines)
    if more > 0:
        rest = f"över {more}" if page.more_than else str(more)
        blocks.append(paragraph(f"… och {rest} till. Avgränsa med fas eller område."))
    return reply(ReplyStatus.OK, *blocks)


def count_cases(n: int) -> str:
    return plural(n, "ärende", "ärenden")


def show_case(command: Show, ctx: CommandContext, session: Session) -> Reply:
    view = case_view(session, case_store.get_case(session, command.ref))
    case = view.case
    record_read(session, case.id, who=ctx.who, command="visa", now=ctx.clock())
    blocks: list[Block] = [
        paragraph(f"{case.ref} – ", actor(case.title, "(utan titel)")),
        FactList(_facts(view, ctx, _official_name(session, view.case.assigned_to))),
    ]
    evaluation = view.criteria.evaluation if view.criteria else None
    if evaluation is not None:
        blocks.append(
            FactList(
                tuple(
                    Fact(
                        f"{r.name or r.id}{' (krav)' if r.blocking else ''}",
                        actor(f"{r.status.label} – {r.reason}"),
                    )
                    for r in evaluation.results
                ),
                title=f"Bedömning ({evaluation.ruleset}): {evaluation.outcome.label}",
            )
        )
    buttons = _buttons(case, official_role(ctx))
    if buttons:
        blocks.append(Actions(buttons))
    return reply(ReplyStatus.OK, *blocks)


_APPLICANT = ("organisation", "orgnr", "orgnr_valid")


def _official_name(session: Session, ident: str | None) -> str | None:
    """The contact person as the registry names them (``Karin Holm, Stadsutvecklare``)."""
    official = officials.find(session, ident) if ident else None
    return official.display if official and official.name else ident


def _facts(view: CaseView, ctx: CommandContext, contact_person: str | None) -> tuple[Fact, ...]:
    case, app = view.case, view.case.application
    area = app.area.name if app.area else app.area_text
    if app.area and not app.area.in_malmo:
        area = f"{app.area.name} (utanför Malmö)"
    orgnr = app.orgnr or "org.nr saknas"
    if app.orgnr and not app.orgnr_valid:
        orgnr += ", fel kontrollsiffra"
    contact = ", ".join(v for v in (app.contact_name, app.email, app.phone) if v)
    actors = ", ".join(ACTOR_LABELS[a] for a in app.actors) or "–"
    timeframe = describe_timeframe(app.start, app.duration_months)
    facts = [
        Fact("Fas", Text(case.phase.label)),
        Fact("Diarienummer", Text(view.registration_number or "inte registrerat ännu")),
        Fact("Område", actor(marked(area or "", app, "area", "area_text"))),
        Fact("Sökande", actor(marked(f"{app.organisation or '–'} ({orgnr})", app, *_APPLICANT))),
        Fact("Kontakt", actor(marked(contact, app, "contact_name", "email", "phone"))),
        Fact("Aktörer", Text(marked(actors, app, "actors"))),
        Fact("Stöd", actor(marked(", ".join(describe_support(app.support)), app, "support"))),
        Fact("Tidsram", actor(marked(timeframe, app, "start", "duration_months"))),
        Fact("Kontaktperson FGK", actor(contact_person, "ingen ännu")),
    ]
    if checks := check_lines(app):
        facts.append(Fact("Att kontrollera", actor("; ".join(checks))))
    if case.meeting_at:
        facts.append(Fact("Möte", Text(local_time(case.meeting_at, ctx))))
    if case.override_reason:
        facts.append(Fact("Godkänt trots kriterierna", actor(case.override_reason)))
    if view.decisions:
        last = view.decisions[-1]
        summary = ", ".join(describe_support(last.requests))
        minutes = f" (sammanträde {last.meeting_on:%Y-%m-%d} § {last.paragraph})" if (
            last.meeting_on and last.paragraph
        ) else ""  # fmt: skip
        facts.append(
            Fact("Beslut", actor(f"{last.outcome}{minutes}{': ' + summary if summary else ''}"))
        )
    return tuple(facts)


# target phase -> (label, command word, needs input, style, command template)


_STEP: dict[Phase, tuple[str, str, bool, str | None, str]] = {
    Phase.KOMPLETTERING: ("Begär komplettering", "komplettera", True, None, "komplettera {ref} …"),
    Phase.BEDOMNING: ("Till bedömning", "bedom", False, None, "bedöm {ref}"),
    Phase.MOTE: ("Boka möte", "mote", True, None, "möte {ref} ÅÅÅÅ-MM-DD TT:MM"),
    Phase.NAMND: ("Godkänn", "godkann", False, "primary", "godkänn {ref}"),
    Phase.GENOMFORANDE: (
        "Registrera beslut", "beslut", True, None,
        "beslut {ref} beviljad § … stödform=… belopp=…",
    ),
    Phase.UPPFOLJNING: (
        "Registrera uppföljning", "uppfoljning", True, None, "uppföljning {ref} resultat text",
    ),
    Phase.AVSLUTAD: ("Avsluta", "avsluta", False, None, "avsluta {ref}"),
    Phase.AVSLAG: ("Avslå", "avsla", True, "danger", "avslå {ref} skäl"),
    Phase.ATERKALLAD: ("Återkalla", "aterkalla", True, "danger", "återkalla {ref} skäl"),
}  # fmt: skip


def _buttons(case: Case, role: Role) -> tuple[Button, ...]:
    """The next steps this official may take, each the command that takes it."""
    out = []
    for phase in next_phases(case.phase, role):
        label, word, needs_input, style, template = _STEP[phase]
        out.append(
            Button(
                label=label,
                action_id=word,
                value=case.ref,
                command=template.format(ref=case.ref),
                needs_input=needs_input,
                style="primary" if style == "primary" else "danger" if style else None,
            )
        )
    if role is Role.SAMORDNARE:
        out.append(
            Button("Tilldela", "tilldela", case.ref, f"tilldela {case.ref} @vem", needs_input=True)
        )
    return tuple(out)


def mine_reply(ctx: CommandContext, session: Session) -> Reply:
    """What the App Home shows: the asker's open cases, then their reminders, soonest first."""
    rows = [
        c
        for c in case_store.list_cases(session, assigned_to=ctx.who)
        if Phase(c.phase) not in TERMINAL
    ]
    if not rows:
        return reply(
            ReplyStatus.OK, paragraph("Du är inte kontaktperson för något pågående ärende.")
        )
    refs = {c.ref for c in rows}
    items = tuple(
        Fact(c.ref, actor(f"{Phase(c.phase).label} · {c.title or '(utan titel)'}"))
        for c in rows[:LIST_LIMIT]
    )
    due = [r for r in reminders.pending_reminders(session, limit=500) if r.ref in refs]
    blocks: list[Block] = [
        paragraph(f"Du är kontaktperson för {count_cases(len(rows))}:"),
        FactList(items),
    ]
    if due:
        upcoming = tuple(
            Fact(local_time(r.due_at, ctx), actor(f"{r.ref} {REMINDER_LABELS.get(r.kind, r.kind)}"))
            for r in due[:LIST_LIMIT]
        )
        blocks.append(FactList(upcoming, title="Förfaller:"))
    return reply(ReplyStatus.OK, *blocks)


def reminders_reply(ctx: CommandContext, session: Session) -> Reply:
    due = reminders.pending_reminders(session)
    if not due:
        return reply(ReplyStatus.OK, paragraph("Inga väntande påminnelser."))
    items = tuple(
        Fact(
            local_time(r.due_at, ctx),
            actor(f"{r.ref} {REMINDER_LABELS.get(r.kind, r.kind)}: {r.note or r.title or ''}"),
        )
        for r in due
    )
    return reply(ReplyStatus.OK, FactList(items, title="Kommande påminnelser:"))


def stats_reply(session: Session) -> Reply:
    stats = statistics(session)
    phases = tuple(
        Fact(p.label, Text(str(stats.per_phase[p.value])))
        for p in Phase
        if p.value in stats.per_phase
    )
    areas = tuple(
        Fact(name or "(inget område)", Text(str(n)))
        for name, n in sorted(stats.per_area.items(), key=lambda item: (-item[1], item[0]))
    )
    total = sum(stats.per_phase.values())
    return reply(
        ReplyStatus.OK,
        paragraph(f"{count_cases(total)} totalt."),
        FactList(phases, title="Per fas:"),
        FactList(areas, title="Per område:"),
        paragraph(
            f"Beviljat stöd: {count_cases(stats.granted_cases)}, "
            f"{format_sek(stats.granted_sek)} i finansiering."
        ),
        FactList(
            (
                Fact("Till nämnd", Text(describe_lead_time(stats.to_committee))),
                Fact("Till beslut", Text(describe_lead_time(stats.to_decision))),
            ),
            title="Handläggningstid från inkommen ansökan:",
        ),
        paragraph(
            "Uppföljning: "
            + plural(stats.measurements.get("resultat", 0), "resultatmätning", "resultatmätningar")
            + " och "
            + plural(stats.measurements.get("effekt", 0), "effektmätning", "effektmätningar")
            + f" registrerade, {stats.follow_ups_due} väntar."
        ),
    )


def describe_lead_time(lead: LeadTime) -> str:
    if lead.median_days is None:
        return "inga ärenden ännu"
    return (
        f"median {lead.median_days:g} dagar, längst {lead.longest_days:g} dagar "
        f"({count_cases(lead.cases)})"
    )


def processes_reply(session: Session) -> Reply:
    rows = active_processes(session)
    items = tuple(
        Fact(p.name, actor(", ".join(p.areas) + (f" (kontakt: {p.contact})" if p.contact else "")))
        for p in rows
    )
    return reply(ReplyStatus.OK, FactList(items, title="Pågående samverkansprocesser:"))
