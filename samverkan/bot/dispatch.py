"""The one entry into the command core: ``dispatch(text, who, platform) -> Reply``.

Slack, Teams and ``samverkan chat`` each translate their input into canonical chat text first
(Slack's ``<@U123>`` becomes ``@U123``, Teams' ``<at>`` tags become the mentioned user's id)
and then call :meth:`Dispatcher.dispatch`; what they do with the :class:`Reply` is rendering
only. The dispatch parses the text, runs the command as ``who`` (the core checks that ``who``
may), and says in :attr:`Reply.audience` whether the answer is for the asker alone (reads,
refusals, mistakes) or for the channel (a change that succeeded), so no adapter has to know
which commands read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.engine import Engine

from samverkan.bot.actions import CommandContext, handle
from samverkan.bot.commands import OPEN_TO_ANYONE, Command, Invalid, NewCase, parse, reads
from samverkan.bot.context import registry_role
from samverkan.bot.reply import Audience, Reply
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.rules.phases import Role

__all__ = [
    "ANONYMOUS",
    "Dispatcher",
    "Platform",
    "audience_of",
    "is_application_text",
    "is_command_text",
    "needs_identity",
]

log = logging.getLogger(__name__)

ANONYMOUS = "okänd"
"""``who`` when the platform could not say: no official, so only open commands run."""


class Platform(StrEnum):
    """Where a command came from; for the log, and for what differs per platform."""

    SLACK = "slack"
    TEAMS = "teams"
    CLI = "cli"


def audience_of(command: Command, answer: Reply) -> Audience:
    """A change that succeeded is for the channel; everything else for the asker."""
    if answer.ok and not reads(command):
        return Audience.CHANNEL
    return Audience.ASKER


def needs_identity(text: str) -> bool:
    """Whether running ``text`` depends on who asks, so an adapter may look the asker up
    (Teams' roster) only when it matters; ``hjälp`` and mistakes are open to anyone."""
    return not isinstance(parse(text), OPEN_TO_ANYONE)


def is_application_text(text: str) -> bool:
    """Whether text from someone who is not an official is an application rather than a
    command they mean: anything that is no command, and ``ny …`` (which reads like a title)."""
    return isinstance(parse(text), Invalid | NewCase)


def is_command_text(text: str) -> bool:
    """Whether an official's text is a command (``ny …`` too), not just words in a channel."""
    return not isinstance(parse(text), Invalid)


@dataclass(frozen=True)
class Dispatcher:
    """The service the commands run against; one per process, shared by every adapter."""

    engine: Engine
    settings: Settings
    intake: Intake
    clock: Callable[[], datetime]

    def role_of(self, who: str) -> Role | None:
        """The asker's role in the officials' registry; None for everyone else."""
        return registry_role(self.engine, self.settings, who)

    def context(self, who: str) -> CommandContext:
        return CommandContext(self.engine, self.settings, self.intake.assessor, who, self.clock)

    def dispatch(self, text: str, who: str | None, platform: Platform) -> Reply:
        """Run one chat text as ``who`` (canonical id or e-mail; None: unknown); never raises."""
        command = parse(text)
        answer = handle(command, self.context(who or ANONYMOUS))
        log.info(
            "%s: %s by %s -> %s", platform.value, type(command).__name__, who, answer.status.value
        )
        return replace(answer, audience=audience_of(command, answer))
