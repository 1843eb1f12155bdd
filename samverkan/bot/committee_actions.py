"""The committee path in chat: approving a case for Tekniska nämnden (``godkänn``).

The rule itself is pure (:func:`samverkan.rules.approval.check_approval`); here it meets the
database: the newest evaluation, the phase move, the override kept on the case, and the
approver made contact person when the case had none, so the memo always names its handläggare.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from samverkan.bot.commands import Approve
from samverkan.bot.context import CommandContext, Refused, evaluation_of, missing_list, moved
from samverkan.bot.context import official_role as role_of
from samverkan.bot.reply import Block, Reply, actor, paragraph
from samverkan.rules.approval import check_approval
from samverkan.rules.criteria import Outcome
from samverkan.rules.phases import Phase, transition
from samverkan.storage import cases as case_store
from samverkan.storage import decisions, officials

__all__ = ["approve"]


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
