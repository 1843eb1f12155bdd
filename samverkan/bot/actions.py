"""The use cases behind the chat commands: ``handle(command, context) -> Reply``.

Slack, Teams and ``samverkan chat`` only translate text in and replies out; everything an
official can do to a case happens here, once. Each command runs in one transaction: a refusal
anywhere (not an official, a transition the model forbids, a blocking criterion) rolls the whole
command back, so a refused command never leaves half a change. Every move goes through
:func:`samverkan.rules.phases.transition`, whose Swedish refusal reaches the official as is.

Errors stop at :func:`handle`::

    _Refused          the official may not do this now      -> ReplyStatus.REFUSED
    TransitionRefused the model forbids the move            -> ReplyStatus.REFUSED
    _BadArgument      a value the text alone could not judge -> ReplyStatus.USAGE
    CaseNotFound      no such reference                      -> ReplyStatus.NOT_FOUND
    anything else     a bug or the database; logged          -> ReplyStatus.ERROR
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.bot.commands import (
    SPECS,
    AddProcess,
    ApplicationEdit,
    Approve,
    Assess,
    Assign,
    Close,
    Command,
    Decide,
    EditFields,
    FollowUp,
    Help,
    Invalid,
    ListCases,
    ListProcesses,
    Meeting,
    NewCase,
    Reject,
    Reminders,
    RequestInfo,
    Show,
    Stats,
    Withdraw,
    spec_of,
)
from samverkan.bot.memo import memo_markdown
from samverkan.bot.reply import (
    Actions,
    Attachment,
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
from samverkan.config import Settings
from samverkan.intake.noise import is_noreply_address
from samverkan.intake.outbox import queue_email, queue_notice
from samverkan.intake.pipeline import Intake
from samverkan.rules.criteria import (
    ACTOR_LABELS,
    Evaluation,
    Status,
    describe_support,
    describe_timeframe,
    format_sek,
)
from samverkan.rules.criteria import Outcome as Verdict
from samverkan.rules.komplettering import missing_items
from samverkan.rules.model import Application, SupportForm, SupportRequest
from samverkan.rules.phases import TERMINAL, Phase, Role, TransitionRefused, next_phases, transition
from samverkan.rules.workdays import add_months, previous_working_day, working_day_on_or_after
from samverkan.storage import cases as case_store
from samverkan.storage import decisions, reminders
from samverkan.storage.db import CaseNotFound, session_scope
from samverkan.storage.models import CaseRow
from samverkan.storage.reference import active_processes, add_process

__all__ = ["CommandContext", "handle", "help_reply"]

log = logging.getLogger(__name__)

REMINDER_HOUR = time(8, 0)
LIST_LIMIT = 50
KIND_REMINDER = {"resultat": reminders.RESULT, "effekt": reminders.EFFECT}
REMINDER_LABELS = {
    reminders.MEETING: "möte",
    reminders.RESULT: "resultatmätning",
    reminders.EFFECT: "effektmätning",
}


@dataclass(frozen=True)
class CommandContext:
    """Who is asking, and the service they ask; ``clock`` is the only source of "now"."""

    engine: Engine
    settings: Settings
    intake: Intake
    who: str
    clock: Callable[[], datetime]

    @property
    def role(self) -> Role | None:
        return self.settings.role_of(self.who)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)


class _Refused(Exception):
    """Not allowed; the parts are the Swedish message (actor text kept marked)."""

    def __init__(self, *parts: str | Text) -> None:
        super().__init__("".join(p if isinstance(p, str) else p.value for p in parts))
        self.parts = parts


class _BadArgument(Exception):
    def __init__(self, command: str, problem: str) -> None:
        super().__init__(problem)
        self.command = command


@cache
def swedish_holidays() -> Container[date]:
    """Public holidays plus midsummer, Christmas and New Year's Eve, when offices are closed."""
    return holidays.country_holidays("SE", categories=("public", "de_facto"))


# -- the edge ---------------------------------------------------------------------------------


def handle(command: Command, context: CommandContext) -> Reply:
    """Run one command as ``context.who``; never raises."""
    if isinstance(command, Invalid):
        return _invalid(command)
    if isinstance(command, Help):
        return help_reply(command.topic)
    try:
        _check_role(command, context)
        now = context.clock()
        with session_scope(context.engine) as session:
            answer = _dispatch(command, context, session, now)
        if isinstance(command, Approve):
            answer = _with_memo(answer, command.ref, context, now)
        return answer
    except _Refused as exc:
        return reply(ReplyStatus.REFUSED, paragraph(*exc.parts))
    except TransitionRefused as exc:
        return reply(ReplyStatus.REFUSED, paragraph(str(exc)))
    except _BadArgument as exc:
        return _usage(exc.command, str(exc))
    except CaseNotFound as exc:
        return reply(ReplyStatus.NOT_FOUND, paragraph(actor(str(exc))))
    except Exception:
        log.exception("chat command %s failed", type(command).__name__)
        return reply(
            ReplyStatus.ERROR,
            paragraph("Något gick fel när kommandot kördes. Försök igen om en stund."),
        )


_COORDINATOR_ONLY = {Assign: "tilldela ärenden", AddProcess: "lägga till samverkansprocesser"}


def _check_role(command: Command, ctx: CommandContext) -> None:
    """Only officials see or change cases; some things only a coordinator does."""
    role = ctx.role
    if role is None:
        raise _Refused(
            "Du är inte registrerad som handläggare i Samverkan och kan därför inte "
            "använda det här kommandot. Be en samordnare att lägga till dig."
        )
    what = _COORDINATOR_ONLY.get(type(command))
    if what and role is not Role.SAMORDNARE:
        raise _Refused(f"Endast en samordnare kan {what}.")


def _dispatch(command: Command, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    match command:
        case ListCases():
            return _list(command, ctx, session)
        case Show():
            return _show(command, ctx, session)
        case Assign():
            return _assign(command, ctx, session, now)
        case RequestInfo():
            return _request_info(command, ctx, session, now)
        case Meeting():
            return _meeting(command, ctx, session, now)
        case Approve():
            return _approve(command, ctx, session, now)
        case Reject():
            return _reject(command, ctx, session, now)
        case Decide():
            return _decide(command, ctx, session, now)
        case FollowUp():
            return _follow_up(command, ctx, session, now)
        case Withdraw():
            case = decisions.lock_case(session, command.ref)
            _move(session, case, Phase.ATERKALLAD, ctx, command.reason, now)
            reminders.cancel_pending(session, case, now=now)
            return _moved(case, "Ansökan är återkallad.")
        case Assess():
            case = decisions.lock_case(session, command.ref)
            _move(session, case, Phase.BEDOMNING, ctx, command.reason or "till bedömning", now)
            return _moved(case, "Ärendet är under bedömning.")
        case Close():
            case = decisions.lock_case(session, command.ref)
            _move(session, case, Phase.AVSLUTAD, ctx, command.reason or "ärendet avslutat", now)
            reminders.cancel_pending(session, case, now=now)
            return _moved(case, "Ärendet är avslutat.")
        case Reminders():
            return _reminders(ctx, session)
        case Stats():
            return _stats(session)
        case NewCase():
            return _new(command, ctx, session, now)
        case EditFields():
            return _edit(command, ctx, session, now)
        case AddProcess():
            return _add_process(command, ctx, session, now)
        case ListProcesses():
            return _processes(session)
    raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover


# -- help and usage ---------------------------------------------------------------------------


def help_reply(topic: str | None = None) -> Reply:
    """The command list with a line and an example each, or one command's usage."""
    spec = spec_of(topic) if topic else None
    if spec is not None:
        return reply(
            ReplyStatus.OK,
            paragraph(f"{spec.usage} – {spec.summary}."),
            paragraph(f"Exempel: {spec.example}"),
        )
    return reply(ReplyStatus.OK, *_help_blocks())


def _help_blocks() -> tuple[Block, ...]:
    return (
        paragraph(
            "Kommandon i Samverkan (skriv /samverkan först i Slack och Teams; å, ä och ö "
            "kan utelämnas):"
        ),
        FactList(tuple(Fact(s.usage, Text(f"{s.summary}. Exempel: {s.example}")) for s in SPECS)),
    )


def _invalid(command: Invalid) -> Reply:
    if command.command is None:
        return reply(ReplyStatus.USAGE, paragraph(actor(command.problem)), *_help_blocks())
    return _usage(command.command, command.problem)


def _usage(name: str, problem: str) -> Reply:
    spec = spec_of(name)
    blocks: list[Block] = [paragraph(actor(problem))]
    if spec is not None:
        blocks += [paragraph(f"Så här: {spec.usage}"), paragraph(f"Exempel: {spec.example}")]
    return reply(ReplyStatus.USAGE, *blocks)


# -- shared steps -----------------------------------------------------------------------------


def _role(ctx: CommandContext) -> Role:
    role = ctx.role
    if role is None:  # pragma: no cover - _check_role ran first
        raise _Refused("Du är inte registrerad som handläggare.")
    return role


def _move(
    session: Session, case: CaseRow, target: Phase, ctx: CommandContext, why: str, now: datetime
) -> None:
    move = transition(Phase(case.phase), target, by=ctx.who, role=_role(ctx), why=why, now=now)
    case_store.record_transition(session, case, move)


def _moved(case: CaseRow, what: str, *extra: Block) -> Reply:
    return reply(
        ReplyStatus.OK,
        paragraph(f"{case.ref}: {what} Fas: {Phase(case.phase).label}."),
        *extra,
    )


def _local(moment: datetime, ctx: CommandContext) -> str:
    return f"{moment.astimezone(ctx.zone):%Y-%m-%d %H:%M}"


def _at_local(day: date, at: time, ctx: CommandContext) -> datetime:
    return datetime.combine(day, at, tzinfo=ctx.zone)


def _evaluation(session: Session, case: CaseRow) -> Evaluation | None:
    row = case_store.latest_evaluation(session, case)
    if row is None:
        return None
    return Evaluation.from_dict(
        {"ruleset": row.ruleset, "outcome": row.outcome, "results": row.results}
    )


def _applicant_address(app: Application) -> str | None:
    if app.email and not is_noreply_address(app.email):
        return app.email
    return None


def _missing_list(evaluation: Evaluation, ctx: CommandContext) -> list[Block]:
    lines = missing_items(evaluation, ctx.intake.rules)
    if not lines:
        return []
    names = [r.name or r.id for r in evaluation.results if r.status is Status.MISSING]
    items = tuple(Fact(name, actor(line)) for name, line in zip(names, lines, strict=True))
    return [FactList(items, title="Uppgifter som saknas:")]


# -- reading ----------------------------------------------------------------------------------


def _list(command: ListCases, ctx: CommandContext, session: Session) -> Reply:
    rows = case_store.list_cases(session, phase=command.phase)
    if command.phase is None:
        rows = [c for c in rows if Phase(c.phase) not in TERMINAL]
    if command.area:
        area = ctx.intake.gazetteer.resolve(command.area)
        name = area.name if area else command.area
        rows = [c for c in rows if _in_area(c, name)]
    scope = f"i fas {command.phase.label}" if command.phase else "pågående"
    where: list[str | Text] = [" i ", actor(command.area)] if command.area else []
    if not rows:
        return reply(ReplyStatus.OK, paragraph(f"Inga ärenden {scope}", *where, "."))
    items = tuple(
        Fact(
            c.ref,
            actor(
                f"{Phase(c.phase).label} · {c.area_name or 'inget område'} · "
                f"{c.title or '(utan titel)'} · {c.assigned_to or 'ingen kontaktperson'}"
            ),
        )
        for c in rows[:LIST_LIMIT]
    )
    more = len(rows) - LIST_LIMIT
    blocks: list[Block] = [
        paragraph(f"{_count(len(rows))} {scope}", *where, ":"),
        FactList(items),
    ]
    if more > 0:
        blocks.append(paragraph(f"… och {more} till. Avgränsa med fas eller område."))
    return reply(ReplyStatus.OK, *blocks)


def _count(n: int) -> str:
    return f"{n} ärende" if n == 1 else f"{n} ärenden"


def _in_area(case: CaseRow, name: str) -> bool:
    area = case_store.application_of(case).area
    if area is None:
        return False
    return area.name.lower() == name.lower() or name in area.parents


def _show(command: Show, ctx: CommandContext, session: Session) -> Reply:
    case = case_store.get_case(session, command.ref)
    app = case_store.application_of(case)
    view = case_store.case_view(session, case)
    blocks: list[Block] = [
        paragraph(f"{case.ref} – ", actor(case.title, "(utan titel)")),
        FactList(_facts(case, app, view, ctx)),
    ]
    evaluation = _evaluation(session, case)
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
    buttons = _buttons(case, _role(ctx))
    if buttons:
        blocks.append(Actions(buttons))
    return reply(ReplyStatus.OK, *blocks)


def _facts(
    case: CaseRow, app: Application, view: dict[str, object], ctx: CommandContext
) -> tuple[Fact, ...]:
    area = app.area.name if app.area else app.area_text
    if app.area and not app.area.in_malmo:
        area = f"{app.area.name} (utanför Malmö)"
    orgnr = app.orgnr or "org.nr saknas"
    if app.orgnr and not app.orgnr_valid:
        orgnr += ", fel kontrollsiffra"
    contact = ", ".join(v for v in (app.contact_name, app.email, app.phone) if v)
    facts = [
        Fact("Fas", Text(Phase(case.phase).label)),
        Fact("Område", actor(area)),
        Fact("Sökande", actor(f"{app.organisation or '–'} ({orgnr})")),
        Fact("Kontakt", actor(contact)),
        Fact("Aktörer", Text(", ".join(ACTOR_LABELS[a] for a in app.actors) or "–")),
        Fact("Stöd", actor(", ".join(describe_support(app.support)))),
        Fact("Tidsram", actor(describe_timeframe(app.start, app.duration_months))),
        Fact("Kontaktperson FGK", actor(case.assigned_to, "ingen ännu")),
    ]
    if case.meeting_at:
        facts.append(Fact("Möte", Text(_local(case.meeting_at, ctx))))
    if case.override_reason:
        facts.append(Fact("Godkänt trots kriterierna", actor(case.override_reason)))
    decided = view.get("decisions")
    if isinstance(decided, list) and decided:
        last = decided[-1]
        support = [SupportRequest.from_dict(s) for s in last["support"]]
        summary = ", ".join(describe_support(support))
        facts.append(Fact("Beslut", actor(f"{last['outcome']}{': ' + summary if summary else ''}")))
    return tuple(facts)


# target phase -> (label, command word, needs input, style, command template)
_STEP: dict[Phase, tuple[str, str, bool, str | None, str]] = {
    Phase.KOMPLETTERING: ("Begär komplettering", "komplettera", True, None, "komplettera {ref} …"),
    Phase.BEDOMNING: ("Till bedömning", "bedom", False, None, "bedöm {ref}"),
    Phase.MOTE: ("Boka möte", "mote", True, None, "möte {ref} ÅÅÅÅ-MM-DD TT:MM"),
    Phase.NAMND: ("Godkänn", "godkann", False, "primary", "godkänn {ref}"),
    Phase.GENOMFORANDE: (
        "Registrera beslut", "beslut", True, None,
        "beslut {ref} beviljad stödform=… belopp=…",
    ),
    Phase.UPPFOLJNING: (
        "Registrera uppföljning", "uppfoljning", True, None, "uppföljning {ref} resultat text",
    ),
    Phase.AVSLUTAD: ("Avsluta", "avsluta", False, None, "avsluta {ref}"),
    Phase.AVSLAG: ("Avslå", "avsla", True, "danger", "avslå {ref} skäl"),
    Phase.ATERKALLAD: ("Återkalla", "aterkalla", True, "danger", "återkalla {ref} skäl"),
}  # fmt: skip


def _buttons(case: CaseRow, role: Role) -> tuple[Button, ...]:
    """The next steps this official may take, each the command that takes it."""
    out = []
    for phase in next_phases(Phase(case.phase), role):
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


def _reminders(ctx: CommandContext, session: Session) -> Reply:
    due = reminders.pending_reminders(session)
    if not due:
        return reply(ReplyStatus.OK, paragraph("Inga väntande påminnelser."))
    items = tuple(
        Fact(
            _local(r.due_at, ctx),
            actor(f"{r.ref} {REMINDER_LABELS.get(r.kind, r.kind)}: {r.note or r.title or ''}"),
        )
        for r in due
    )
    return reply(ReplyStatus.OK, FactList(items, title="Kommande påminnelser:"))


def _stats(session: Session) -> Reply:
    stats = decisions.statistics(session)
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
        paragraph(f"{_count(total)} totalt."),
        FactList(phases, title="Per fas:"),
        FactList(areas, title="Per område:"),
        paragraph(
            f"Beviljat stöd: {_count(stats.granted_cases)}, "
            f"{format_sek(stats.granted_sek)} i finansiering."
        ),
    )


def _processes(session: Session) -> Reply:
    rows = active_processes(session)
    items = tuple(
        Fact(p.name, actor(", ".join(p.areas) + (f" (kontakt: {p.contact})" if p.contact else "")))
        for p in rows
    )
    return reply(ReplyStatus.OK, FactList(items, title="Pågående samverkansprocesser:"))


# -- changing a case --------------------------------------------------------------------------


def _assign(command: Assign, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = decisions.lock_case(session, command.ref)
    decisions.assign(session, case, command.assignee, by=ctx.who, now=now)
    blocks: list[Block] = [
        paragraph(f"{case.ref}: kontaktperson är nu ", actor(command.assignee), ".")
    ]
    if ctx.settings.role_of(command.assignee) is None:
        blocks.append(
            paragraph(
                "Obs: ",
                actor(command.assignee),
                " finns inte bland de registrerade "
                "handläggarna (OFFICIALS) och kan inte ändra ärendet i chatten.",
            )
        )
    return reply(ReplyStatus.OK, *blocks)


def _request_info(
    command: RequestInfo, ctx: CommandContext, session: Session, now: datetime
) -> Reply:
    case = decisions.lock_case(session, command.ref)
    _move(session, case, Phase.KOMPLETTERING, ctx, f"komplettering begärd: {command.text}", now)
    app = case_store.application_of(case)
    to = _applicant_address(app)
    if to is None:
        raise _Refused(
            f"{case.ref} saknar en e-postadress till sökande som går att svara på. "
            f"Lägg till den med: ändra {case.ref} epost=namn@exempel.se"
        )
    evaluation = _evaluation(session, case)
    missing = missing_items(evaluation, ctx.intake.rules) if evaluation else []
    queue_email(
        session,
        case=case,
        template="request_info",
        context={
            "ref": case.ref,
            "contact_name": app.contact_name,
            "text": command.text,
            "missing": missing,
            "contact_address": ctx.settings.contact_address,
        },
        sender=ctx.settings.contact_address,
        to=to,
        kind="request_info",
        now=now,
    )
    return _moved(
        case,
        "Begäran om komplettering ligger i utkorgen.",
        paragraph("Mottagare: ", actor(to), "."),
        *(_missing_list(evaluation, ctx) if evaluation else ()),
    )


def _meeting(command: Meeting, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = decisions.lock_case(session, command.ref)
    at = _at_local(command.day, command.at, ctx)
    if at <= now:
        raise _BadArgument("mote", f"Mötestiden {at:%Y-%m-%d %H:%M} har redan passerat.")
    when = f"{at:%Y-%m-%d} kl. {at:%H:%M}"
    _move(session, case, Phase.MOTE, ctx, f"möte bokat {when}", now)
    decisions.set_meeting(session, case, at.astimezone(UTC), now=now)
    reminders.cancel_pending(session, case, now=now, kinds=[reminders.MEETING])
    day_before = previous_working_day(command.day, swedish_holidays())
    due = max(_at_local(day_before, REMINDER_HOUR, ctx), now)
    reminders.schedule(
        session, case, kind=reminders.MEETING, due_at=due, note=f"möte med aktörerna {when}"
    )
    return _moved(
        case,
        f"Möte bokat {when}.",
        paragraph(f"Påminnelse {_local(due, ctx)}."),
    )


def _approve(command: Approve, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = decisions.lock_case(session, command.ref)
    evaluation = _evaluation(session, case)
    blocked = evaluation is not None and evaluation.outcome is Verdict.NOT_ELIGIBLE
    why = "godkänd av FGK, vidare till tekniska nämnden"
    if command.override:
        why += f"; skäl: {command.override}"
    move = transition(Phase(case.phase), Phase.NAMND, by=ctx.who, role=_role(ctx), why=why, now=now)
    if blocked and evaluation is not None:
        if not command.override:
            failed = "; ".join(r.reason for r in evaluation.results if r.status is Status.NOT_MET)
            raise _Refused(
                f"{case.ref} bedöms som ej stödberättigat: ",
                actor(failed),
                f" Godkänn bara med ett skäl: godkänn {case.ref} override: skäl",
            )
        decisions.set_override(session, case, command.override, now=now)
    case_store.record_transition(session, case, move)
    blocks: list[Block] = []
    if evaluation is not None and evaluation.outcome is Verdict.INCOMPLETE:
        blocks = [
            paragraph("Obs: ansökan är inte komplett."),
            *_missing_list(evaluation, ctx),
            *blocks,
        ]
    return _moved(case, "Godkänt och vidare till tekniska nämnden.", *blocks)


def _with_memo(answer: Reply, ref: str, ctx: CommandContext, now: datetime) -> Reply:
    """Attach the committee memo, rendered after commit so it shows the approval."""
    if not answer.ok:
        return answer
    try:
        memo = memo_markdown(ctx.engine, ctx.settings, ref, today=now.astimezone(ctx.zone).date())
    except Exception:  # the approval is committed; say so rather than report a failure
        log.exception("memo for %s could not be rendered", ref)
        note = paragraph(
            f"Tjänsteskrivelsen kunde inte skapas nu; hämta den med: samverkan memo {ref}"
        )
        return replace(answer, blocks=(*answer.blocks, note))
    file = Attachment(
        filename=f"tjansteskrivelse-{ref}.md",
        content_type="text/markdown",
        content=memo,
        title=f"Tjänsteskrivelse {ref} (utkast)",
    )
    note = paragraph("Utkastet till tjänsteskrivelse är bifogat.")
    return replace(answer, blocks=(*answer.blocks, note), attachments=(*answer.attachments, file))


def _refusal_mail(
    session: Session,
    case: CaseRow,
    ctx: CommandContext,
    now: datetime,
    *,
    reason: str,
    by_committee: bool,
) -> Block:
    """Tell the applicant; the official learns whether it could be sent."""
    app = case_store.application_of(case)
    to = _applicant_address(app)
    if to is None:
        return paragraph(
            "Sökande har ingen e-postadress att svara på; meddela beslutet på annat sätt."
        )
    queue_email(
        session,
        case=case,
        template="avslag",
        context={
            "ref": case.ref,
            "contact_name": app.contact_name,
            "reason": reason,
            "by_committee": by_committee,
            "contact_address": ctx.settings.contact_address,
        },
        sender=ctx.settings.contact_address,
        to=to,
        kind="avslag",
        now=now,
    )
    return paragraph("Sökande får beslutet med skälet per e-post till ", actor(to), ".")


def _reject(command: Reject, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = decisions.lock_case(session, command.ref)
    _move(session, case, Phase.AVSLAG, ctx, command.reason, now)
    reminders.cancel_pending(session, case, now=now)
    told = _refusal_mail(session, case, ctx, now, reason=command.reason, by_committee=False)
    return _moved(case, "Ansökan är avslagen.", told)


def _decide(command: Decide, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = decisions.lock_case(session, command.ref)
    if not command.granted:
        why = "tekniska nämnden avslog ansökan" + (f": {command.note}" if command.note else "")
        _move(session, case, Phase.AVSLAG, ctx, why, now)
        decisions.record_decision(
            session, case, outcome=decisions.REFUSED, support=(), by=ctx.who, now=now,
            note=command.note,
        )  # fmt: skip
        reminders.cancel_pending(session, case, now=now)
        told = _refusal_mail(session, case, ctx, now, reason=command.note, by_committee=True)
        return _moved(case, "Tekniska nämndens avslag är registrerat.", told)
    granted = ", ".join(describe_support(command.support))
    why = f"tekniska nämnden beviljade {granted}" + (f"; {command.note}" if command.note else "")
    _move(session, case, Phase.GENOMFORANDE, ctx, why, now)
    decisions.record_decision(
        session, case, outcome=decisions.GRANTED, support=command.support, by=ctx.who, now=now,
        note=command.note,
    )  # fmt: skip
    decided_on = now.astimezone(ctx.zone).date()
    lines = []
    for kind, months in (
        (reminders.RESULT, ctx.settings.followup_result_months),
        (reminders.EFFECT, ctx.settings.followup_effect_months),
    ):
        day = working_day_on_or_after(add_months(decided_on, months), swedish_holidays())
        due = _at_local(day, REMINDER_HOUR, ctx)
        label = REMINDER_LABELS[kind]
        reminders.schedule(session, case, kind=kind, due_at=due, note=f"dags för {label}")
        lines.append(Fact(label.capitalize(), Text(f"{day:%Y-%m-%d}")))
    return _moved(
        case,
        "Tekniska nämndens beslut om stöd är registrerat.",
        paragraph("Beviljat: ", actor(granted), "."),
        FactList(tuple(lines), title="Påminnelser om uppföljning:"),
    )


def _follow_up(command: FollowUp, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = decisions.lock_case(session, command.ref)
    what = f"{command.kind}mätning registrerad"
    if Phase(case.phase) is Phase.UPPFOLJNING:
        decisions.record_change(session, case, by=ctx.who, why=what, now=now)
    else:
        _move(session, case, Phase.UPPFOLJNING, ctx, what, now)
    decisions.record_measurement(
        session, case, kind=command.kind, text=command.text, by=ctx.who, now=now
    )
    reminders.complete_pending(session, case, kind=KIND_REMINDER[command.kind], now=now)
    done = f"{what.capitalize()}."
    if decisions.measurement_kinds(session, case) >= set(KIND_REMINDER):
        _move(session, case, Phase.AVSLUTAD, ctx, "resultat- och effektmätning klara", now)
        reminders.cancel_pending(session, case, now=now)
        done += " Båda mätningarna finns, så ärendet är avslutat."
    return _moved(case, done)


# -- the application's facts ------------------------------------------------------------------

_EVIDENCE_KEY = {
    "forms": "support",
    "amount_sek": "support",
    "hours": "support",
    "support_text": "support",
}
_SIMPLE = (
    "title", "organisation", "contact_name", "email", "phone", "start", "duration_months",
    "purpose", "goals", "own_contribution",
)  # fmt: skip


def _apply(
    app: Application, edit: ApplicationEdit, ctx: CommandContext, command: str
) -> Application:
    """The application with the official's values; unknown places are refused, not guessed."""
    changes: dict[str, object] = {
        name: getattr(edit, name) for name in _SIMPLE if getattr(edit, name) is not None
    }
    if edit.orgnr is not None:
        changes.update(orgnr=edit.orgnr, orgnr_valid=True)
    if edit.area is not None:
        area = ctx.intake.gazetteer.resolve(edit.area)
        if area is None:
            raise _BadArgument(
                command, f"Hittar inget område '{edit.area}' i Malmös områdesregister."
            )
        changes.update(area=area, area_text=edit.area)
    if edit.actors is not None:
        changes["actors"] = edit.actors
    changes["support"] = _support(app.support, edit)
    evidence = dict(app.evidence)
    for name, words in edit.written.items():
        evidence[_EVIDENCE_KEY.get(name, name)] = f"{words} (angivet av {ctx.who})"
    return replace(app, **changes, evidence=evidence)  # type: ignore[arg-type]


def _support(
    current: tuple[SupportRequest, ...], edit: ApplicationEdit
) -> tuple[SupportRequest, ...]:
    by_form = {s.form: s for s in current}
    if edit.forms is not None:
        by_form = {f: by_form.get(f, SupportRequest(f)) for f in edit.forms}
    fin, staff, other = SupportForm.FINANSIERING, SupportForm.PERSONAL, SupportForm.OVRIGT
    if edit.amount_sek is not None:
        by_form[fin] = replace(by_form.get(fin, SupportRequest(fin)), amount_sek=edit.amount_sek)
    if edit.hours is not None:
        by_form[staff] = replace(by_form.get(staff, SupportRequest(staff)), hours=edit.hours)
    if edit.support_text is not None:
        by_form[other] = replace(by_form.get(other, SupportRequest(other)), text=edit.support_text)
    return tuple(by_form.values())


def _after_evaluation(
    session: Session, case: CaseRow, evaluation: Evaluation, ctx: CommandContext, now: datetime
) -> list[Block]:
    """A complete application goes to assessment, as intake would move it."""
    blocks: list[Block] = [paragraph(f"Bedömning: {evaluation.outcome.label}.")]
    complete = evaluation.outcome is Verdict.COMPLETE
    if complete and Phase(case.phase) in (Phase.INKOMMEN, Phase.KOMPLETTERING):
        _move(session, case, Phase.BEDOMNING, ctx, "ansökan är komplett", now)
    if evaluation.outcome is Verdict.NOT_ELIGIBLE:
        failed = [r.reason for r in evaluation.results if r.status is Status.NOT_MET]
        blocks.append(paragraph("Ej uppfyllt: ", actor("; ".join(failed))))
    blocks += _missing_list(evaluation, ctx)
    return blocks


def _edit(command: EditFields, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = decisions.lock_case(session, command.ref)
    if Phase(case.phase) in TERMINAL:
        raise _Refused(
            f"{case.ref} är avslutat ({Phase(case.phase).label}); uppgifterna ändras inte."
        )
    app = _apply(case_store.application_of(case), command.edit, ctx, "andra")
    if command.edit.title is not None:
        case.title = command.edit.title
    case_store.save_application(session, case, app, now=now)
    changed = "; ".join(f"{k}={v}" for k, v in command.edit.written.items())
    decisions.record_change(session, case, by=ctx.who, why=f"rättelse: {changed}", now=now)
    evaluation = ctx.intake.evaluate_case(session, case, app, trigger="rättelse", now=now)
    blocks = _after_evaluation(session, case, evaluation, ctx, now)
    return _moved(case, "Uppgifterna är ändrade.", paragraph("Ändrat: ", actor(changed)), *blocks)


def _new(command: NewCase, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    app = _apply(Application(), command.edit, ctx, "ny")
    app = replace(app, title=command.title)
    move = transition(
        None,
        Phase.INKOMMEN,
        by=ctx.who,
        role=_role(ctx),
        why="öppnat i chatten på stadens initiativ",
        now=now,
    )
    case = case_store.create_case(session, app, moves=[move], origin="chat", now=now)
    evaluation = ctx.intake.evaluate_case(session, case, app, trigger="ansökan", now=now)
    blocks = _after_evaluation(session, case, evaluation, ctx, now)
    queue_notice(
        session,
        case=case,
        kind="new_case",
        text=f"Nytt ärende {case.ref} (öppnat i chatten)",
        now=now,
    )
    return _moved(case, "Ärendet är öppnat.", *blocks)


def _add_process(
    command: AddProcess, ctx: CommandContext, session: Session, now: datetime
) -> Reply:
    names = []
    for written in command.areas:
        area = ctx.intake.gazetteer.resolve(written)
        if area is None:
            raise _BadArgument(
                "process", f"Hittar inget område '{written}' i Malmös områdesregister."
            )
        names.append(area.name)
    add_process(
        session, name=command.name, areas=names, contact=command.contact, by=ctx.who, now=now
    )
    return reply(
        ReplyStatus.OK,
        paragraph(
            "Samverkansprocessen ", actor(command.name), " gäller nu ", actor(", ".join(names)), "."
        ),
        paragraph("Nya ansökningar i området får en varning om samordning."),
    )
