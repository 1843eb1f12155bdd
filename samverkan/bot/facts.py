"""The chat commands that change an application's facts: ``ändra``, ``ny`` and ``process``.

A correction and a new case are judged by the one assessor intake uses, and move by the one
rule of what follows an evaluation (:func:`samverkan.rules.assessment.after_evaluation`), so a
case ends up where a reply by e-mail with the same facts would have put it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from samverkan.bot.commands import AddProcess, ApplicationEdit, EditFields, NewCase
from samverkan.bot.context import (
    BadArgument,
    CommandContext,
    Refused,
    missing_list,
    moved,
    official_role,
)
from samverkan.bot.reply import Block, Reply, ReplyStatus, actor, paragraph, reply
from samverkan.config import KomplMode
from samverkan.intake.outbox import queue_notice
from samverkan.rules.assessment import after_evaluation
from samverkan.rules.criteria import Evaluation, Status
from samverkan.rules.criteria import Outcome as Verdict
from samverkan.rules.model import OFFICIAL, Application, SupportForm, SupportRequest
from samverkan.rules.phases import TERMINAL, Phase, transition
from samverkan.storage import cases as case_store
from samverkan.storage import decisions
from samverkan.storage.cases import Case
from samverkan.storage.reference import add_process
from samverkan.storage.registry import registration_number

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
        area = ctx.assessor.resolve_area(edit.area)
        if area is None:
            raise BadArgument(
                command, f"Hittar inget område '{edit.area}' i Malmös områdesregister."
            )
        changes.update(area=area, area_text=edit.area)
    if edit.actors is not None:
        changes["actors"] = edit.actors
    changes["support"] = _support(app.support, edit)
    evidence = dict(app.evidence)
    found = dict(app.provenance)
    for name, words in edit.written.items():
        evidence[_EVIDENCE_KEY.get(name, name)] = f"{words} (angivet av {ctx.who})"
    touched = [n for n in changes if n != "support"]
    if any(getattr(edit, n) is not None for n in ("forms", "amount_sek", "hours", "support_text")):
        touched.append("support")
    for name in touched + (["orgnr_valid"] if "orgnr" in changes else []):
        found[name] = OFFICIAL  # what an official wrote needs no checking
    return replace(app, **changes, evidence=evidence, provenance=found)  # type: ignore[arg-type]


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


def _evaluate(
    session: Session,
    case: Case,
    app: Application,
    ctx: CommandContext,
    *,
    trigger: str,
    now: datetime,
) -> Evaluation:
    """Judge the application as intake would and keep the verdict with its rule-set id."""
    evaluation = ctx.assessor.evaluate(session.connection(), app, case_id=case.id)
    case_store.save_evaluation(session, case, evaluation.to_dict(), trigger=trigger, now=now)
    return evaluation


def _after_evaluation(
    session: Session, case: Case, evaluation: Evaluation, ctx: CommandContext, now: datetime
) -> tuple[Case, list[Block]]:
    """The case moves as the verdict says, by the rule intake follows too; the case as it is
    then, and what to tell the official about the verdict."""
    blocks: list[Block] = [paragraph(f"Bedömning: {evaluation.outcome.label}.")]
    move = after_evaluation(
        case.phase,
        evaluation.outcome,
        by=ctx.who,
        role=official_role(ctx),
        now=now,
        ask_actor=ctx.settings.komplettering is KomplMode.AUTO,
    )
    if move is not None:
        case = case_store.record_transition(session, case, move)
    if evaluation.outcome is Verdict.NOT_ELIGIBLE:
        failed = [r.reason for r in evaluation.results if r.status is Status.NOT_MET]
        blocks.append(paragraph("Ej uppfyllt: ", actor("; ".join(failed))))
    blocks += missing_list(evaluation, ctx)
    return case, blocks


def edit_case(command: EditFields, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    if case.phase in TERMINAL:
        raise Refused(f"{case.ref} är avslutat ({case.phase.label}); uppgifterna ändras inte.")
    app = _apply(case.application, command.edit, ctx, "andra")
    case = case_store.save_application(session, case, app, now=now, title=command.edit.title)
    changed = "; ".join(f"{k}={v}" for k, v in command.edit.written.items())
    case = decisions.record_change(session, case, by=ctx.who, why=f"rättelse: {changed}", now=now)
    evaluation = _evaluate(session, case, app, ctx, trigger="rättelse", now=now)
    case, blocks = _after_evaluation(session, case, evaluation, ctx, now)
    return moved(case, "Uppgifterna är ändrade.", paragraph("Ändrat: ", actor(changed)), *blocks)


def new_case(command: NewCase, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    app = _apply(Application(), command.edit, ctx, "ny")
    app = replace(app, title=command.title)
    move = transition(
        None,
        Phase.INKOMMEN,
        by=ctx.who,
        role=official_role(ctx),
        why="öppnat i chatten på stadens initiativ",
        now=now,
    )
    case = case_store.create_case(session, app, moves=[move], origin="chat", now=now)
    number = registration_number(session, case, series=ctx.settings.diarie_series, now=now)
    evaluation = _evaluate(session, case, app, ctx, trigger="ansökan", now=now)
    case, blocks = _after_evaluation(session, case, evaluation, ctx, now)
    queue_notice(
        session,
        case=case,
        kind="new_case",
        text=f"Nytt ärende {case.ref} (öppnat i chatten)",
        now=now,
    )
    return moved(case, f"Ärendet är öppnat med diarienummer {number}.", *blocks)


def add_registered_process(
    command: AddProcess, ctx: CommandContext, session: Session, now: datetime
) -> Reply:
    names = []
    for written in command.areas:
        area = ctx.assessor.resolve_area(written)
        if area is None:
            raise BadArgument(
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
