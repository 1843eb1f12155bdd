"""What reminders a case should have now: a pure function of its facts and the policy.

Nothing here reads a clock or a database. Storage gathers a case's :class:`CaseFacts`; this
module answers with the reminders that should be pending (:func:`due_reminders`); storage
then cancels the pending ones that no longer apply and adds the missing ones. So a meeting
moved, a case that left ``mote``, a request answered or a case closed cancels what no longer
applies, wherever that change was made, and a reminder already sent is never sent again.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from samverkan.rules.deadline_policy import DEADLINES, DeadlinePolicy, Offset, Unit
from samverkan.rules.phases import TERMINAL, Phase
from samverkan.rules.workdays import add_months, add_working_days, at_local, working_day_on_or_after

__all__ = [
    "MEASUREMENT_KINDS",
    "POLICY_KINDS",
    "CaseFacts",
    "Due",
    "due_reminders",
    "is_late",
    "shift",
]

MEASUREMENT_KINDS = {"resultatmatning": "resultat", "effektmatning": "effekt"}
"""Reminder kind -> the measurement that answers it."""
POLICY_KINDS = frozenset(
    {k for k in DEADLINES if k != "uppfoljning_paminnelse"}
    | {f"{k}_paminnelse" for k in MEASUREMENT_KINDS}
)
"""Every reminder kind these rules schedule (and so may cancel)."""
LATE_AFTER = timedelta(hours=1)
_BEFORE_ASSESSMENT = (Phase.INKOMMEN, Phase.KOMPLETTERING)
_FOLLOWING_UP = (Phase.GENOMFORANDE, Phase.UPPFOLJNING)


@dataclass(frozen=True)
class CaseFacts:
    """What the deadlines of one case depend on, as storage knows it."""

    case_id: int
    ref: str
    phase: Phase
    received_at: datetime
    phase_since: datetime
    """When the case entered its current phase."""
    assigned_to: str | None = None
    meeting_at: datetime | None = None
    answered_since: bool = False
    """Mail from the actor came in after the case entered its current phase."""
    granted_at: datetime | None = None
    measured: frozenset[str] = field(default_factory=frozenset)
    """``resultat`` and/or ``effekt``: measurements recorded."""
    requested: Mapping[str, datetime] = field(default_factory=dict)
    """When each measurement was asked for (its reminder was sent), by reminder kind."""
    last_inbound: datetime | None = None
    """The newest mail from the actor on the case."""
    memo_deadline: date | None = None
    """The last day for the memo before the committee's next meeting, when known."""


@dataclass(frozen=True)
class Due:
    kind: str
    due_at: datetime
    note: str


def shift(day: date, offset: Offset, holidays: Container[date]) -> date:
    """The day ``offset`` after ``day``, landing on a working day (on or after for days and
    months, counted in working days for working days)."""
    if offset.unit is Unit.WORKING_DAYS:
        return add_working_days(day, offset.amount, holidays)
    if offset.unit is Unit.DAYS:
        return working_day_on_or_after(day + timedelta(days=offset.amount), holidays)
    return working_day_on_or_after(add_months(day, offset.amount), holidays)


def is_late(due_at: datetime, now: datetime) -> bool:
    """Acted on well after it fell due: the service was down, or the tick stood still."""
    return now - due_at > LATE_AFTER


def due_reminders(
    facts: CaseFacts, policy: DeadlinePolicy, holidays: Container[date], zone: tzinfo
) -> list[Due]:
    """The reminders the case should have pending or done now, soonest first."""
    if facts.phase in TERMINAL:
        return []

    def at(kind: str, start: datetime | date, note: str) -> Due:
        day = start.astimezone(zone).date() if isinstance(start, datetime) else start
        moment = at_local(shift(day, policy.offset(kind), holidays), policy.start_of_day, zone)
        return Due(kind, moment, note)

    found: list[Due] = []
    if facts.assigned_to is None and facts.phase in (*_BEFORE_ASSESSMENT, Phase.BEDOMNING):
        found.append(at("tilldelning", facts.received_at, "ingen kontaktperson tilldelad"))
    if facts.phase in (*_BEFORE_ASSESSMENT, Phase.BEDOMNING):  # no verdict of an official yet
        found.append(at("bedomning", facts.received_at, "ärendet är inte bedömt"))
    if facts.phase is Phase.KOMPLETTERING and not facts.answered_since:
        found.append(at("komplettering", facts.phase_since, "kompletteringen är obesvarad"))
        found.append(
            at("komplettering_avsluta", facts.phase_since, "obesvarad komplettering: avsluta?")
        )
    if facts.phase is Phase.MOTE and facts.meeting_at is not None:
        when = facts.meeting_at.astimezone(zone)
        found.append(
            at("mote", when.date(), f"möte med aktörerna {when:%Y-%m-%d} kl. {when:%H:%M}")
        )
    if facts.phase is Phase.NAMND and facts.memo_deadline is not None:
        note = f"sista dag för tjänsteskrivelsen {facts.memo_deadline:%Y-%m-%d}"
        found.append(at("namnd", facts.memo_deadline, note))
    if facts.granted_at is not None and facts.phase in _FOLLOWING_UP:
        granted = facts.granted_at.astimezone(zone).date()
        found += _measurements(facts, granted, policy, holidays, zone)
    return sorted(found, key=lambda d: (d.due_at, d.kind))


def _measurements(
    facts: CaseFacts,
    granted: date,
    policy: DeadlinePolicy,
    holidays: Container[date],
    zone: tzinfo,
) -> list[Due]:
    """Each measurement not yet recorded: the request, and one reminder some days after the
    request went out, unless the actor has written since."""
    found = []
    for kind, measurement in MEASUREMENT_KINDS.items():
        if measurement in facts.measured:
            continue
        day = shift(granted, policy.offset(kind), holidays)
        label = "resultatmätning" if measurement == "resultat" else "effektmätning"
        found.append(Due(kind, at_local(day, policy.start_of_day, zone), f"dags för {label}"))
        asked = facts.requested.get(kind)
        if asked is None or (facts.last_inbound is not None and facts.last_inbound > asked):
            continue  # not asked yet, or the actor has answered
        asked_on = asked.astimezone(zone).date()
        again = shift(asked_on, policy.offset("uppfoljning_paminnelse"), holidays)
        found.append(
            Due(
                f"{kind}_paminnelse",
                at_local(again, policy.start_of_day, zone),
                f"ingen {label} har kommit in",
            )
        )
    return found
