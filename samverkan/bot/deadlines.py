"""Wiring the deadlines: the policy and calendar the settings make, and keeping cases in step.

The pure rules (``rules/deadlines.py``) say which reminders a case should have; storage
(``storage/deadlines.py``) reconciles the rows. This module joins them with what only an entry
point may hold: the policy file of the settings, Sweden's holiday calendar (the ``holidays``
package stays out of the pure core) and the time zone. Chat commands call :func:`sync` for
the case they changed; the tick calls :func:`sync_changed` for everything else (new mail,
replies), so reminders follow a case wherever it was changed.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.config import Settings
from samverkan.rules.deadline_policy import (
    DeadlinePolicy,
    DeadlinePolicyError,
    bundled_policy,
    load_policy,
)
from samverkan.rules.deadlines import CaseFacts, Due, due_reminders
from samverkan.storage import deadlines as store
from samverkan.storage.db import session_scope

__all__ = [
    "policy_of",
    "refusal",
    "swedish_holidays",
    "sync",
    "sync_changed",
    "sync_refs",
    "wanted_for",
]


class _Calendar:
    """The days offices are closed, as a set of dates per year, worked out once per year.

    The ``holidays`` package answers ``in`` by parsing its argument and checking that the year
    is filled in: fine once, slow in a tick that works out thousands of deadlines.
    """

    def __init__(self) -> None:
        self._years: dict[int, frozenset[date]] = {}

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if isinstance(day, datetime):
            day = day.date()
        year = self._years.get(day.year)
        if year is None:
            found = holidays.country_holidays("SE", years=day.year, categories=_CLOSED)
            year = self._years[day.year] = frozenset(found)
        return day in year


_CLOSED = ("public", "de_facto")


@cache
def swedish_holidays() -> Container[date]:
    """Public holidays plus midsummer, Christmas and New Year's Eve, when offices are closed."""
    return _Calendar()


@cache
def _policy(path: Path | None) -> DeadlinePolicy:
    return bundled_policy() if path is None else load_policy(path)


def policy_of(settings: Settings) -> DeadlinePolicy:
    """The deadline policy of ``DEADLINES_FILE``, or the bundled one (read once)."""
    return _policy(settings.deadlines_file)


def refusal(exc: DeadlinePolicyError) -> str:
    """Why ``serve`` or ``tick`` will not start with this policy file, in one Swedish line."""
    return (
        f"Startar inte: fristfilen i SAMVERKAN_DEADLINES_FILE går inte att använda. {exc} "
        f"Rätta filen (kontrollera med: samverkan deadlines check {exc.source}) och starta igen."
    )


def wanted_for(
    session: Session, case_ids: Sequence[int], settings: Settings
) -> dict[int, list[Due]]:
    """What reminders each case should have now, by the policy."""
    return wanted_by(store.case_facts(session, case_ids), settings)


def wanted_by(facts: Mapping[int, CaseFacts], settings: Settings) -> dict[int, list[Due]]:
    """What reminders cases with these facts should have, by the policy."""
    policy, zone = policy_of(settings), ZoneInfo(settings.timezone)
    return {cid: due_reminders(f, policy, swedish_holidays(), zone) for cid, f in facts.items()}


def keep(
    session: Session, wanted: Mapping[int, Sequence[Due]], settings: Settings, now: datetime
) -> None:
    """Reconcile with reminders already worked out (the tick, after a request went out)."""
    store.reconcile(session, wanted, policy=policy_of(settings).id, now=now)
    store.mark_synced(session, wanted)


def sync(
    session: Session, case_ids: Sequence[int], settings: Settings, now: datetime
) -> dict[int, list[Due]]:
    """Bring these cases' reminders in step with their facts, in the caller's transaction;
    returns what each case should have."""
    wanted = wanted_for(session, case_ids, settings)
    store.reconcile(session, wanted, policy=policy_of(settings).id, now=now)
    store.mark_synced(session, wanted)
    return wanted


def sync_refs(
    session: Session, refs: Sequence[str], settings: Settings, now: datetime
) -> dict[int, list[Due]]:
    """:func:`sync` for cases named by reference (after a chat command)."""
    return sync(session, store.case_ids(session, refs), settings, now)


def sync_changed(engine: Engine, settings: Settings, now: datetime, *, batch: int = 500) -> int:
    """Reconcile every case changed since it was last reconciled; returns how many."""
    done = 0
    while True:
        with session_scope(engine) as session:
            ids = store.cases_to_sync(session, limit=batch)
            if ids:
                sync(session, ids, settings, now)
        done += len(ids)
        if len(ids) < batch:
            return done
