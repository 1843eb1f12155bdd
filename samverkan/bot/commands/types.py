"""The commands an official can give, as typed values: what ``parse`` makes of a text.

Each is a frozen dataclass holding only what the text said; ``Invalid`` is a text that is not a
command. ``READS`` are the commands that change nothing, so their answers are for the asker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from samverkan.rules.model import ActorCategory, SupportForm, SupportRequest
from samverkan.rules.phases import Phase, Role


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
    """The committee's decision. ``note`` is its reasons (required for a refusal);
    ``meeting_on`` None means the latest meeting in the calendar; ``paragraph`` is the §."""

    ref: str
    granted: bool
    support: tuple[SupportRequest, ...] = ()
    note: str = ""
    meeting_on: date | None = None
    paragraph: str | None = None


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
class Officials:
    """``handläggare lägg-till|ändra|ta-bort|lista``: the officials' registry."""

    action: str
    """``add``, ``change``, ``remove`` or ``list``."""
    who: str | None = None
    role: Role | None = None
    name: str | None = None
    title: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Calendar:
    """``nämnd lägg-till|ta-bort|lista``: the committee's meeting calendar."""

    action: str
    """``add``, ``remove`` or ``list``."""
    on: date | None = None
    memo_deadline: date | None = None


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
    | Officials
    | Calendar
    | Invalid
)


READS: tuple[type[Command], ...] = (
    Help, ListCases, Show, Reminders, Stats, ListProcesses, Documents, Mine, Invalid
)  # fmt: skip
# ``handläggare lista`` and ``nämnd lista`` read too, but share a type with the changes: see
# :func:`reads`.


def reads(command: Command) -> bool:
    """True when the command changes nothing (its answer is for the asker only)."""
    if isinstance(command, Officials | Calendar):
        return command.action == "list"
    return isinstance(command, READS)


"""Commands that change nothing: their answers are for the asking official only."""
OPEN_TO_ANYONE: tuple[type[Command], ...] = (Help, Invalid)
"""Commands anyone may give: who is asking does not matter for them."""
