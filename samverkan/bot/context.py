"""What every chat command shares: who is asking, the errors that stop a command, and small
steps both the reading and the changing commands take."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.bot.reply import (
    Block,
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
from samverkan.intake.assessor import Assessor
from samverkan.intake.reading.noise import is_noreply_address
from samverkan.rules.criteria import Evaluation, Status
from samverkan.rules.deadline_policy import LABELS
from samverkan.rules.model import Application
from samverkan.rules.phases import Phase, Role, transition
from samverkan.storage import cases as case_store
from samverkan.storage import officials, reminders
from samverkan.storage.case_view import latest_evaluation
from samverkan.storage.cases import Case
from samverkan.storage.db import session_scope

REMINDER_LABELS = {
    **LABELS,
    reminders.MEETING: "möte",
    reminders.RESULT: "resultatmätning",
    reminders.EFFECT: "effektmätning",
    "resultatmatning_paminnelse": "påminnelse om resultatmätning",
    "effektmatning_paminnelse": "påminnelse om effektmätning",
}


@dataclass(frozen=True)
class CommandContext:
    """Who is asking, and the service they ask; ``clock`` is the only source of "now".

    ``assessor`` is the one intake judges with, so a correction in chat is judged as a reply by
    e-mail would be.
    """

    engine: Engine
    settings: Settings
    assessor: Assessor
    who: str
    clock: Callable[[], datetime]

    @cached_property
    def role(self) -> Role | None:
        """The role in the officials' registry, read once per command."""
        return registry_role(self.engine, self.settings, self.who)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)


def registry_role(engine: Engine, settings: Settings, who: str) -> Role | None:
    """The role of an active official in the registry (the configuration seeds it)."""
    with session_scope(engine) as session:
        return officials.role_of(session, who, settings.officials)


class Refused(Exception):
    """Not allowed; the parts are the Swedish message (actor text kept marked)."""

    def __init__(self, *parts: str | Text) -> None:
        super().__init__("".join(p if isinstance(p, str) else p.value for p in parts))
        self.parts = parts


class BadArgument(Exception):
    def __init__(self, command: str, problem: str) -> None:
        super().__init__(problem)
        self.command = command


def official_role(ctx: CommandContext) -> Role:
    role = ctx.role
    if role is None:  # pragma: no cover - _check_role ran first
        raise Refused("Du är inte registrerad som handläggare.")
    return role


def local_time(moment: datetime, ctx: CommandContext) -> str:
    return f"{moment.astimezone(ctx.zone):%Y-%m-%d %H:%M}"


def at_local(day: date, at: time, ctx: CommandContext) -> datetime:
    return datetime.combine(day, at, tzinfo=ctx.zone)


def evaluation_of(session: Session, case: Case) -> Evaluation | None:
    """The newest verdict on the case, if it was ever judged."""
    stored = latest_evaluation(session, case)
    return stored.evaluation if stored is not None else None


def applicant_address(app: Application) -> str | None:
    if app.email and not is_noreply_address(app.email):
        return app.email
    return None


def missing_list(evaluation: Evaluation, ctx: CommandContext) -> list[Block]:
    lines = ctx.assessor.missing(evaluation)
    if not lines:
        return []
    names = [r.name or r.id for r in evaluation.results if r.status is Status.MISSING]
    items = tuple(Fact(name, actor(line)) for name, line in zip(names, lines, strict=True))
    return [FactList(items, title="Uppgifter som saknas:")]


def move_case(
    session: Session, case: Case, target: Phase, ctx: CommandContext, why: str, now: datetime
) -> Case:
    """Move the case as the official, if the model allows it (else ``TransitionRefused``)."""
    step = transition(case.phase, target, by=ctx.who, role=official_role(ctx), why=why, now=now)
    return case_store.record_transition(session, case, step)


def moved(case: Case, what: str, *extra: Block) -> Reply:
    """The answer to a change: what was done and the phase the case is in now."""
    return reply(
        ReplyStatus.OK,
        paragraph(f"{case.ref}: {what} Fas: {case.phase.label}."),
        *extra,
    )
