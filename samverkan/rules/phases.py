"""The model's process as a pure state machine.

Who may move a case where is data (``TRANSITIONS``), so the chat commands, the CLI and the
scheduler all ask the same table, and a refused move always says what is possible instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Phase(StrEnum):
    INKOMMEN = "inkommen"
    KOMPLETTERING = "komplettering"
    BEDOMNING = "bedomning"
    MOTE = "mote"
    NAMND = "namnd"
    GENOMFORANDE = "genomforande"
    UPPFOLJNING = "uppfoljning"
    AVSLUTAD = "avslutad"
    AVSLAG = "avslag"
    ATERKALLAD = "aterkallad"

    @property
    def label(self) -> str:
        """The Swedish name an official reads."""
        return PHASE_LABELS[self]


PHASE_LABELS: dict[Phase, str] = {
    Phase.INKOMMEN: "inkommen",
    Phase.KOMPLETTERING: "komplettering",
    Phase.BEDOMNING: "bedömning",
    Phase.MOTE: "möte",
    Phase.NAMND: "nämnd",
    Phase.GENOMFORANDE: "genomförande",
    Phase.UPPFOLJNING: "uppföljning",
    Phase.AVSLUTAD: "avslutad",
    Phase.AVSLAG: "avslag",
    Phase.ATERKALLAD: "återkallad",
}


_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o"})


def phase_named(word: str) -> Phase | None:
    """The phase an official means by ``bedömning``, ``bedomning`` or ``Bedömning``."""
    key = word.strip().lower().translate(_FOLD)
    return next((p for p in Phase if key == p.value), None)


class Role(StrEnum):
    """Who is acting. ``system`` is intake and the scheduler acting on the model's rules."""

    KONTAKTPERSON = "kontaktperson"
    SAMORDNARE = "samordnare"
    SYSTEM = "system"


OFFICIALS = frozenset({Role.KONTAKTPERSON, Role.SAMORDNARE})
ANYONE = frozenset({Role.KONTAKTPERSON, Role.SAMORDNARE, Role.SYSTEM})

TERMINAL = frozenset({Phase.AVSLUTAD, Phase.AVSLAG, Phase.ATERKALLAD})

# from-phase -> {to-phase: roles allowed}. ``None`` is "no case yet": intake opens a case on
# an application, and FGK may open one itself when the city initiates a collaboration.
TRANSITIONS: dict[Phase | None, dict[Phase, frozenset[Role]]] = {
    None: {Phase.INKOMMEN: ANYONE},
    Phase.INKOMMEN: {
        Phase.KOMPLETTERING: ANYONE,
        Phase.BEDOMNING: ANYONE,
        Phase.AVSLAG: OFFICIALS,
        Phase.ATERKALLAD: OFFICIALS,
    },
    Phase.KOMPLETTERING: {
        Phase.BEDOMNING: ANYONE,
        Phase.KOMPLETTERING: ANYONE,
        Phase.AVSLAG: OFFICIALS,
        Phase.ATERKALLAD: OFFICIALS,
    },
    Phase.BEDOMNING: {
        Phase.KOMPLETTERING: OFFICIALS,
        Phase.MOTE: OFFICIALS,
        Phase.NAMND: OFFICIALS,
        Phase.AVSLAG: OFFICIALS,
        Phase.ATERKALLAD: OFFICIALS,
    },
    Phase.MOTE: {
        Phase.KOMPLETTERING: OFFICIALS,
        Phase.BEDOMNING: OFFICIALS,
        Phase.MOTE: OFFICIALS,
        Phase.NAMND: OFFICIALS,
        Phase.AVSLAG: OFFICIALS,
        Phase.ATERKALLAD: OFFICIALS,
    },
    Phase.NAMND: {
        Phase.GENOMFORANDE: OFFICIALS,
        Phase.AVSLAG: OFFICIALS,
        Phase.ATERKALLAD: OFFICIALS,
    },
    Phase.GENOMFORANDE: {
        Phase.UPPFOLJNING: ANYONE,
        Phase.ATERKALLAD: OFFICIALS,
    },
    Phase.UPPFOLJNING: {
        Phase.AVSLUTAD: OFFICIALS,
    },
    Phase.AVSLUTAD: {},
    Phase.AVSLAG: {},
    Phase.ATERKALLAD: {},
}

# Moves to these phases must say why (a rejection or withdrawal is a decision with a reason).
REASON_REQUIRED = frozenset({Phase.AVSLAG, Phase.ATERKALLAD})


class TransitionRefused(Exception):
    """A move the model does not allow; ``str()`` is a Swedish message for the official.

    ``reason`` is its first sentence and ``possible`` the phases that are allowed instead, so
    a chat can name the commands that take those steps rather than the phases.
    """

    def __init__(
        self, reason: str, possible: Sequence[Phase] | None = None, *, yours: bool = False
    ):
        self.reason = reason
        self.possible = tuple(possible or ())
        tail = ""
        if possible is not None:
            tail = f" Möjliga nästa steg{' för dig' if yours else ''}: {_describe(list(possible))}."
        super().__init__(reason + tail)


@dataclass(frozen=True)
class Transition:
    """One recorded move: the history row every transition writes."""

    at: datetime
    by: str
    from_phase: Phase | None
    to_phase: Phase
    why: str


def next_phases(current: Phase | None, role: Role) -> list[Phase]:
    """The phases ``role`` may move a case to from ``current``, in process order."""
    allowed = TRANSITIONS[current]
    return [p for p in Phase if p in allowed and role in allowed[p]]


def _describe(phases: list[Phase]) -> str:
    if not phases:
        return "inga – ärendet är avslutat"
    return ", ".join(p.label for p in phases)


def transition(
    current: Phase | None,
    target: Phase,
    *,
    by: str,
    role: Role,
    why: str,
    now: datetime,
) -> Transition:
    """Check a move and return its history row, or raise :class:`TransitionRefused`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    allowed = TRANSITIONS[current]
    here = current.label if current else "nytt ärende"
    if target not in allowed:
        raise TransitionRefused(
            f"Ett ärende i fas {here} kan inte flyttas till {target.label}.",
            next_phases(current, role),
        )
    if role not in allowed[target]:
        raise TransitionRefused(
            f"Endast en handläggare kan flytta ärendet från {here} till {target.label}.",
            next_phases(current, role),
            yours=True,
        )
    if target in REASON_REQUIRED and not why.strip():
        raise TransitionRefused(f"Ange ett skäl för att flytta ärendet till {target.label}.")
    return Transition(at=now, by=by, from_phase=current, to_phase=target, why=why.strip())
