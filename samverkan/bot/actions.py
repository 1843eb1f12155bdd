"""The use cases behind the chat commands: ``handle(command, context) -> Reply``.

Slack, Teams and ``samverkan chat`` only translate text in and replies out; everything an
official can do to a case happens here, once. Each command runs in one transaction: a refusal
anywhere (not an official, a transition the model forbids, a blocking criterion) rolls the whole
command back, so a refused command never leaves half a change. Every move goes through
:func:`samverkan.rules.phases.transition`, whose Swedish refusal reaches the official as is.

Errors stop at :func:`handle`::

    Refused            the official may not do this now        -> ReplyStatus.REFUSED
    TransitionRefused  the model forbids the move              -> ReplyStatus.REFUSED
    BadArgument        a value the text alone could not judge  -> ReplyStatus.USAGE
    CaseNotFound       no such reference                       -> ReplyStatus.NOT_FOUND
    anything else      a bug or the database; logged           -> ReplyStatus.ERROR

The reading commands live in :mod:`samverkan.bot.views`, what both share in
:mod:`samverkan.bot.context`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel import Session

from samverkan.bot import deadlines
from samverkan.bot.chart import chart_attachment
from samverkan.bot.commands import (
    AddProcess,
    Approve,
    Assess,
    Assign,
    Calendar,
    Close,
    Command,
    Decide,
    Documents,
    EditFields,
    FollowUp,
    Help,
    Invalid,
    ListCases,
    ListProcesses,
    Meeting,
    Mine,
    NewCase,
    Officials,
    Reject,
    Reminders,
    RequestInfo,
    Secrecy,
    Show,
    Stats,
    Withdraw,
)
from samverkan.bot.committee_actions import approve, decide, reject
from samverkan.bot.context import (
    BadArgument,
    CommandContext,
    Refused,
    applicant_address,
    at_local,
    evaluation_of,
    local_time,
    missing_list,
    move_case,
    moved,
    registry_role,
)
from samverkan.bot.facts import add_registered_process, edit_case, new_case
from samverkan.bot.memo import memo_docx, memo_markdown
from samverkan.bot.officials_actions import calendar_command, official_command
from samverkan.bot.registry_views import documents_reply, secrecy_reply
from samverkan.bot.reply import (
    Attachment,
    Block,
    Reply,
    ReplyStatus,
    Text,
    actor,
    paragraph,
    reply,
)
from samverkan.bot.views import (
    help_reply,
    invalid_reply,
    list_cases,
    mine_reply,
    processes_reply,
    refused_step,
    reminders_reply,
    show_case,
    stats_reply,
    usage_reply,
)
from samverkan.intake.chat_answers import queue_answer
from samverkan.intake.outbox import queue_email
from samverkan.rules.phases import Phase, Role, TransitionRefused
from samverkan.storage import cases as case_store
from samverkan.storage import decisions, reminders
from samverkan.storage.db import CaseNotFound, session_scope
from samverkan.storage.registry import register_documents, registration_number

__all__ = ["CommandContext", "handle", "help_reply"]

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KIND_REMINDER = {"resultat": reminders.RESULT, "effekt": reminders.EFFECT}


# -- the edge ---------------------------------------------------------------------------------


def handle(command: Command, context: CommandContext) -> Reply:
    """Run one command as ``context.who``; never raises."""
    today = context.clock().astimezone(context.zone).date()
    if isinstance(command, Invalid):
        return invalid_reply(command, today)
    if isinstance(command, Help):
        return help_reply(command.topic, today)
    try:
        _check_role(command, context)
        now = context.clock()
        with session_scope(context.engine) as session:
            answer = _dispatch(command, context, session, now)
            if answer.ok and not isinstance(command, Show) and hasattr(command, "ref"):
                deadlines.sync_refs(session, [command.ref], context.settings, now)
                _register(session, command.ref, context, now)
        if isinstance(command, Approve):
            answer = _with_memo(answer, command.ref, context, now)
        return answer
    except Refused as exc:
        return reply(ReplyStatus.REFUSED, paragraph(*exc.parts))
    except TransitionRefused as exc:
        return refused_step(exc, getattr(command, "ref", None))
    except BadArgument as exc:
        return usage_reply(exc.command, str(exc), today)
    except CaseNotFound as exc:
        return reply(ReplyStatus.NOT_FOUND, paragraph(actor(str(exc))))
    except Exception:
        log.exception("chat command %s failed", type(command).__name__)
        return reply(
            ReplyStatus.ERROR,
            paragraph("Något gick fel när kommandot kördes. Försök igen om en stund."),
        )


def _register(session: Session, ref: str, ctx: CommandContext, now: datetime) -> None:
    """Register what the command queued or decided (a letter, the memo, a decision) in its
    own transaction: the registry is never behind the outbox."""
    case = case_store.get_case(session, ref)
    register_documents(session, now=now, series=ctx.settings.diarie_series, case_ids=[case.id])


_COORDINATOR_ONLY = {Assign: "tilldela ärenden", AddProcess: "lägga till samverkansprocesser"}


def _check_role(command: Command, ctx: CommandContext) -> None:
    """Only officials see or change cases; some things only a coordinator does."""
    role = ctx.role
    if role is None:
        raise Refused(
            "Du är inte registrerad som handläggare i Samverkan och kan därför inte "
            "använda det här kommandot. Be en samordnare att lägga till dig."
        )
    what = _COORDINATOR_ONLY.get(type(command))
    if what and role is not Role.SAMORDNARE:
        raise Refused(f"Endast en samordnare kan {what}.")


def _dispatch(command: Command, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    match command:
        case ListCases():
            return list_cases(command, ctx, session)
        case Show():
            return show_case(command, ctx, session)
        case Documents():
            return documents_reply(command, ctx, session)
        case Secrecy():
            return secrecy_reply(command, ctx, session, now)
        case Assign():
            return _assign(command, ctx, session, now)
        case RequestInfo():
            return _request_info(command, ctx, session, now)
        case Meeting():
            return _meeting(command, ctx, session, now)
        case Approve():
            return approve(command, ctx, session, now)
        case Reject():
            return reject(command, ctx, session, now)
        case Decide():
            return decide(command, ctx, session, now)
        case FollowUp():
            return _follow_up(command, ctx, session, now)
        case Withdraw():
            case = case_store.get_case(session, command.ref, lock=True)
            case = move_case(session, case, Phase.ATERKALLAD, ctx, command.reason, now)
            reminders.cancel_pending(session, case, now=now)
            return moved(case, "Ansökan är återkallad.")
        case Assess():
            case = case_store.get_case(session, command.ref, lock=True)
            case = move_case(
                session, case, Phase.BEDOMNING, ctx, command.reason or "till bedömning", now
            )
            return moved(case, "Ärendet är under bedömning.")
        case Close():
            case = case_store.get_case(session, command.ref, lock=True)
            case = move_case(
                session, case, Phase.AVSLUTAD, ctx, command.reason or "ärendet avslutat", now
            )
            reminders.cancel_pending(session, case, now=now)
            return moved(case, "Ärendet är avslutat.")
        case Reminders() | Mine():  # what falls due: everyone's, or the asker's own cases
            return (mine_reply if isinstance(command, Mine) else reminders_reply)(ctx, session)
        case Stats():
            chart = chart_attachment(session, ctx.settings.timezone)
            return replace(stats_reply(session), attachments=(chart,))
        case NewCase():
            return new_case(command, ctx, session, now)
        case EditFields():
            return edit_case(command, ctx, session, now)
        case AddProcess():
            return add_registered_process(command, ctx, session, now)
        case ListProcesses():
            return processes_reply(session)
        case Officials():
            return official_command(command, ctx, session, now)
        case Calendar():
            return calendar_command(command, ctx, session, now)
    raise AssertionError(f"unhandled command {command!r}")  # pragma: no cover


# -- changing a case --------------------------------------------------------------------------


def _assign(command: Assign, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    case = decisions.assign(session, case, command.assignee, by=ctx.who, now=now)
    blocks: list[Block] = [
        paragraph(f"{case.ref}: kontaktperson är nu ", actor(command.assignee), ".")
    ]
    if registry_role(ctx.engine, ctx.settings, command.assignee) is None:
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
    case = case_store.get_case(session, command.ref, lock=True)
    evaluation = evaluation_of(session, case)
    missing = ctx.assessor.missing(evaluation) if evaluation else []
    if not command.text and not missing:
        raise BadArgument("komplettera", "Ange vad sökande ska komplettera med.")
    why = f"komplettering begärd: {command.text or '; '.join(missing)}"
    case = move_case(session, case, Phase.KOMPLETTERING, ctx, why, now)
    app = case.application
    to = applicant_address(app)
    context = {
        "ref": case.ref,
        "diarienummer": registration_number(session, case, series=ctx.settings.diarie_series),
        "contact_name": app.contact_name,
        "text": command.text,
        "missing": missing,
        "contact_address": ctx.settings.contact_address,
    }
    # A case that came by chat is asked in its thread, and by e-mail too when there is one.
    thread = queue_answer(
        session, case, template="request_info", context=context, kind="chat_request_info", now=now
    )
    if to is None and thread is None:
        raise Refused(
            f"{case.ref} saknar en e-postadress till sökande som går att svara på. "
            f"Lägg till den med: ändra {case.ref} epost=namn@exempel.se"
        )
    if to is not None:
        queue_email(
            session,
            case=case,
            template="request_info",
            context=context,
            sender=ctx.settings.contact_address,
            to=to,
            kind="request_info",
            now=now,
        )
    where: list[str | Text] = [actor(to)] if to else []
    if thread is not None:
        where += [" och " if where else "", f"tråden i {thread.label}"]
    return moved(
        case,
        "Begäran om komplettering ligger i utkorgen.",
        paragraph("Mottagare: ", *where, "."),
        *(missing_list(evaluation, ctx) if evaluation else ()),
    )


def _meeting(command: Meeting, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    at = at_local(command.day, command.at, ctx)
    if at <= now:
        raise BadArgument("mote", f"Mötestiden {at:%Y-%m-%d %H:%M} har redan passerat.")
    when = f"{at:%Y-%m-%d} kl. {at:%H:%M}"
    case = move_case(session, case, Phase.MOTE, ctx, f"möte bokat {when}", now)
    case = decisions.set_meeting(session, case, at.astimezone(UTC), now=now)
    due = deadlines.sync(session, [case.id], ctx.settings, now).get(case.id, [])
    told = [paragraph(f"Påminnelse {local_time(d.due_at, ctx)}.") for d in due if d.kind == "mote"]
    return moved(case, f"Möte bokat {when}.", *told)


def _with_memo(answer: Reply, ref: str, ctx: CommandContext, now: datetime) -> Reply:
    """Attach the committee memo (Markdown and Word), rendered after commit so it shows the
    approval."""
    if not answer.ok:
        return answer
    try:
        memo = memo_markdown(ctx.engine, ctx.settings, ref, now=now)
        word = memo_docx(ctx.engine, ctx.settings, ref, now=now)
    except Exception:  # the approval is committed; say so rather than report a failure
        log.exception("memo for %s could not be rendered", ref)
        note = paragraph(
            f"Tjänsteskrivelsen kunde inte skapas nu; hämta den med: samverkan memo {ref}"
        )
        return replace(answer, blocks=(*answer.blocks, note))
    files = (
        Attachment(
            filename=f"tjansteskrivelse-{ref}.md",
            content_type="text/markdown",
            content=memo,
            title=f"Tjänsteskrivelse {ref} (utkast)",
        ),
        Attachment(
            filename=f"tjansteskrivelse-{ref}.docx",
            content_type=DOCX,
            content=f"Tjänsteskrivelse {ref} som Word-dokument (samverkan memo {ref} --docx FIL)",
            title=f"Tjänsteskrivelse {ref} (Word)",
            data=word,
        ),
    )
    note = paragraph("Utkastet till tjänsteskrivelse är bifogat (Markdown och Word).")
    return replace(answer, blocks=(*answer.blocks, note), attachments=(*answer.attachments, *files))


def _follow_up(command: FollowUp, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    what = f"{command.kind}mätning registrerad"
    if case.phase is Phase.UPPFOLJNING:
        case = decisions.record_change(session, case, by=ctx.who, why=what, now=now)
    else:
        case = move_case(session, case, Phase.UPPFOLJNING, ctx, what, now)
    decisions.record_measurement(
        session, case, kind=command.kind, text=command.text, by=ctx.who, now=now
    )
    reminders.complete_pending(session, case, kind=KIND_REMINDER[command.kind], now=now)
    done = f"{what.capitalize()}."
    if decisions.measurement_kinds(session, case) >= set(KIND_REMINDER):
        case = move_case(
            session, case, Phase.AVSLUTAD, ctx, "resultat- och effektmätning klara", now
        )
        reminders.cancel_pending(session, case, now=now)
        done += " Båda mätningarna finns, så ärendet är avslutat."
    return moved(case, done)
