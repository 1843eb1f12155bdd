"""The commands an official can give, as typed values: what ``parse`` makes of a text.

Each is a frozen dataclass holding only what the text said; ``Invalid`` is a text that is not a
command. ``READS`` are the commands that change nothing, so their answers are for the asker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from samverkan.rules.model import ActorCategory, SupportForm, SupportRequest
from samverkan.rules.phases import Phase


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class ListCases:
    phase: Phase | None = None
    area: str | None = None


@dataclass(frozen=True)
class Show:
    ref: str


@dataclass(frozen=True)
class Assign:
    ref: str
    assignee: str


@dataclass(frozen=True)
class RequestInfo:
    ref: str
    text: str


@dataclass(frozen=True)
class Meeting:
    """A meeting in local time (``settings.timezone``); the core makes it an instant."""

    ref: str
    day: date
    at: time


@dataclass(frozen=True)
class Approve:
    ref: str
    override: str | None = None


@dataclass(frozen=True)
class Reject:
    ref: str
    reason: str


@dataclass(frozen=True)
class Decide:
    ref: str
    granted: bool
    support: tuple[SupportRequest, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class FollowUp:
    ref: str
    kind: str
    """``resultat`` or ``effekt``."""
    text: str


@dataclass(frozen=True)
class Withdraw:
    ref: str
    reason: str


@dataclass(frozen=True)
class Assess:
    ref: str
    reason: str = ""


@dataclass(frozen=True)
class Close:
    ref: str
    reason: str = ""


@dataclass(frozen=True)
class Reminders:
    """``påminnelser``: the pending reminders, soonest first."""


@dataclass(frozen=True)
class Mine:
    """``mina``: the asker's own cases (as contact person) and what falls due in them."""


@dataclass(frozen=True)
class Stats:
    """``statistik``: cases per phase and area, lead times, support granted."""


@dataclass(frozen=True)
class ApplicationEdit:
    """Fields an official sets; None is "leave as it is". ``area`` is resolved by the core."""

    title: str | None = None
    organisation: str | None = None
    orgnr: str | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    area: str | None = None
    actors: tuple[ActorCategory, ...] | None = None
    forms: tuple[SupportForm, ...] | None = None
    amount_sek: int | None = None
    hours: int | None = None
    support_text: str | None = None
    start: date | None = None
    duration_months: int | None = None
    purpose: str | None = None
    goals: str | None = None
    own_contribution: str | None = None
    written: dict[str, str] = field(default_factory=dict, compare=False)
    """Field name -> the words the official typed (kept as evidence)."""

    @property
    def empty(self) -> bool:
        return not self.written


@dataclass(frozen=True)
class NewCase:
    title: str
    edit: ApplicationEdit


@dataclass(frozen=True)
class EditFields:
    ref: str
    edit: ApplicationEdit


@dataclass(frozen=True)
class AddProcess:
    name: str
    areas: tuple[str, ...]
    contact: str | None = None


@dataclass(frozen=True)
class ListProcesses:
    """``process lista``: the registry of running collaboration processes."""


@dataclass(frozen=True)
class Documents:
    """``handlingar REF``: the case's registered documents with their numbers."""

    ref: str


@dataclass(frozen=True)
class Secrecy:
    """``sekretess REF NR på|av``: mark a registered document secret, or public again."""

    ref: str
    doc_seq: int
    secret: bool


@dataclass(frozen=True)
class Invalid:
    """Text that is not a command. ``command`` is the command word, if that much was right."""

    problem: str
    command: str | None = None
    suggestion: str | None = None
    """For an unknown command word: the command it looks like a typo of ("menade du …?")."""


Command = (
    Help
    | ListCases
    | Show
    | Assign
    | RequestInfo
    | Meeting
    | Approve
    | Reject
    | Decide
    | FollowUp
    | Withdraw
    | Assess
    | Close
    | Reminders
    | Stats
    | Mine
    | NewCase
    | EditFields
    | AddProcess
    | ListProcesses
    | Documents
    | Secrecy
    | Invalid
)


READS: tuple[type[Command], ...] = (
    Help, ListCases, Show, Reminders, Stats, ListProcesses, Documents, Mine, Invalid
)  # fmt: skip
"""Commands that change nothing: their answers are for the asking official only."""
OPEN_TO_ANYONE: tuple[type[Command], ...] = (Help, Invalid)
"""Commands anyone may give: who is asking does not matter for them."""
