"""The committee path in chat: approving a case for Tekniska nämnden (``godkänn``), the
committee's decision (``beslut``), FGK's own refusal (``avslå``) and the decision letters.

The rule itself is pure (:func:`samverkan.rules.approval.check_approval`); here it meets the
database: the newest evaluation, the phase move, the override kept on the case, and the
approver made contact person when the case had none, so the memo always names its handläggare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from samverkan.bot import deadlines
from samverkan.bot.commands import Approve, Decide, Reject
from samverkan.bot.context import (
    REMINDER_LABELS,
    BadArgument,
    CommandContext,
    Refused,
    applicant_address,
    evaluation_of,
    missing_list,
    move_case,
    moved,
)
from samverkan.bot.context import official_role as role_of
from samverkan.bot.reply import Block, Fact, FactList, Reply, Text, actor, paragraph
from samverkan.intake.outbox import queue_email
from samverkan.rules.approval import check_approval
from samverkan.rules.criteria import (
    Evaluation,
    Outcome,
    Status,
    describe_support,
    format_date_sv,
    join_sv,
)
from samverkan.rules.memo import COMMITTEE, OFFICE
from samverkan.rules.phases import Phase, transition
from samverkan.storage import cases as case_store
from samverkan.storage import committee, decisions, officials, registry, reminders
from samverkan.storage.cases import Case

__all__ = ["approve", "decide", "reject"]


def approve(command: Approve, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    evaluation = evaluation_of(session, case)
    why = "godkänd av FGK, vidare till tekniska nämnden"
    if command.override:
        why += f"; skäl: {command.override}"
    move = transition(case.phase, Phase.NAMND, by=ctx.who, role=role_of(ctx), why=why, now=now)
    check = check_approval(case.ref, case.application, evaluation, command.override)
    if check.refusal is not None:
        raise Refused(actor(check.refusal))
    if check.overridden and command.override:
        case = decisions.set_override(session, case, command.override, now=now)
    blocks: list[Block] = []
    if case.assigned_to is None:
        case = decisions.assign(session, case, ctx.who, by=ctx.who, now=now)
        blocks.append(paragraph("Du är nu kontaktperson för ärendet."))
    case = case_store.record_transition(session, case, move)
    official = officials.find(session, case.assigned_to or ctx.who)
    if official is None or not official.name:
        blocks.append(
            paragraph(
                "Obs: kontaktpersonen har inget namn i handläggarregistret, så "
                "tjänsteskrivelsen saknar handläggarens namn och titel. En samordnare lägger "
                "till dem med: ",
                actor(
                    f'handläggare ändra @{case.assigned_to or ctx.who} "För- och efternamn" "Titel"'
                ),
            )
        )
    if evaluation is not None and evaluation.outcome is Outcome.INCOMPLETE:
        blocks = [
            paragraph("Obs: ansökan är inte komplett."),
            *missing_list(evaluation, ctx),
            *blocks,
        ]
    return moved(case, "Godkänt och vidare till tekniska nämnden.", *blocks)


# -- decisions and their letters --------------------------------------------------------------


def _meeting_day(command: Decide, session: Session, today: date) -> date:
    """The meeting that decided: as given, else the latest one in the calendar."""
    if command.meeting_on is not None:
        if command.meeting_on > today:
            raise BadArgument(
                "beslut",
                f"Sammanträdet {command.meeting_on:%Y-%m-%d} har inte hållits än; registrera "
                "beslutet efter sammanträdet.",
            )
        return command.meeting_on
    latest = committee.latest_meeting(session, today)
    if latest is None:
        raise BadArgument(
            "beslut",
            "Kalendern har inget sammanträde i dag eller tidigare. Ange det med "
            "sammanträde=ÅÅÅÅ-MM-DD (eller lägg till det med nämnd lägg-till).",
        )
    return latest.on


def _grant_reasons(case: Case, evaluation: Evaluation | None, note: str) -> list[str]:
    reasons = [note] if note else []
    if evaluation is not None:
        met = [r.name.lower() for r in evaluation.results if r.status is Status.MET and r.name]
        if met:
            reasons.append(f"Ansökan uppfyller modellens kriterier: {join_sv(met)}.")
    if case.override_reason:
        reasons.append(f"Ärendet prövades av nämnden med motiveringen: {case.override_reason}")
    return reasons or ["Ansökan uppfyller kriterierna i modellen för samverkansstöd."]


@dataclass(frozen=True)
class _Letter:
    """What a decision letter says besides the case itself."""

    granted: bool
    by_committee: bool
    reasons: tuple[str, ...]
    support: tuple[str, ...] = ()
    meeting_on: date | None = None
    paragraph: str | None = None


def _decision_letter(
    session: Session, case: Case, ctx: CommandContext, now: datetime, letter: _Letter
) -> Block:
    """Queue the decision letter; the official learns whether it could be sent."""
    app = case.application
    to = applicant_address(app)
    if to is None:
        return paragraph(
            "Sökande har ingen e-postadress att svara på; meddela beslutet på annat sätt."
        )
    official = officials.find(session, case.assigned_to) if case.assigned_to else None
    queue_email(
        session,
        case=case,
        template="beslut",
        context={
            "ref": case.ref,
            "diarienummer": registry.registration_number(
                session, case, series=ctx.settings.diarie_series, now=now
            ),
            "contact_name": app.contact_name,
            "applicant": app.organisation,
            "area": app.area.name if app.area else app.area_text,
            "granted": letter.granted,
            "decided_by": COMMITTEE if letter.by_committee else OFFICE,
            "meeting": format_date_sv(letter.meeting_on) if letter.meeting_on else None,
            "paragraph": letter.paragraph,
            "reasons": list(letter.reasons),
            "support": list(letter.support),
            "handlaggare": official.display if official and official.name else None,
            "contact_address": ctx.settings.contact_address,
        },
        sender=ctx.settings.contact_address,
        to=to,
        kind="beslut" if letter.granted else "avslag",
        now=now,
    )
    return paragraph("Sökande får beslutet med skälen per e-post till ", actor(to), ".")


def reject(command: Reject, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    case = move_case(session, case, Phase.AVSLAG, ctx, command.reason, now)
    reminders.cancel_pending(session, case, now=now)
    letter = _Letter(granted=False, by_committee=False, reasons=(command.reason,))
    return moved(case, "Ansökan är avslagen.", _decision_letter(session, case, ctx, now, letter))


def decide(command: Decide, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    on = _meeting_day(command, session, now.astimezone(ctx.zone).date())
    minutes = f"sammanträde {on:%Y-%m-%d} § {command.paragraph}"
    outcome = decisions.GRANTED if command.granted else decisions.REFUSED
    if command.granted:
        granted = ", ".join(describe_support(command.support))
        why = f"tekniska nämnden beviljade {granted} ({minutes})"
        case = move_case(session, case, Phase.GENOMFORANDE, ctx, why, now)
        reasons = _grant_reasons(case, evaluation_of(session, case), command.note)
    else:
        why = f"tekniska nämnden avslog ansökan ({minutes}): {command.note}"
        case = move_case(session, case, Phase.AVSLAG, ctx, why, now)
        reminders.cancel_pending(session, case, now=now)
        reasons = [command.note]
    decisions.record_decision(
        session, case, outcome=outcome, support=command.support, by=ctx.who, now=now,
        note=command.note, meeting_on=on, paragraph=command.paragraph,
    )  # fmt: skip
    letter = _Letter(
        granted=command.granted, by_committee=True, reasons=tuple(reasons),
        support=tuple(describe_support(command.support)), meeting_on=on,
        paragraph=command.paragraph,
    )  # fmt: skip
    told = _decision_letter(session, case, ctx, now, letter)
    if not command.granted:
        return moved(case, f"Tekniska nämndens avslag är registrerat ({minutes}).", told)
    due = deadlines.sync(session, [case.id], ctx.settings, now).get(case.id, [])
    lines = tuple(
        Fact(
            REMINDER_LABELS[d.kind].capitalize(), Text(f"{d.due_at.astimezone(ctx.zone):%Y-%m-%d}")
        )
        for d in due
        if d.kind in (reminders.RESULT, reminders.EFFECT)
    )
    return moved(
        case,
        f"Tekniska nämndens beslut om stöd är registrerat ({minutes}).",
        paragraph("Beviljat: ", actor(", ".join(letter.support)), "."),
        told,
        FactList(lines, title="Påminnelser om uppföljning:"),
    )
