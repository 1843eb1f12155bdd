"""One scheduler tick: everything that is due at ``now``, done once.

The database is the truth about what is due; APScheduler (in ``serve``) and ``samverkan tick``
only decide when to call this. A tick

1. brings the reminders of every case changed since the last tick in step with the deadline
   policy (new mail, replies; chat commands do it themselves);
2. claims the reminders due at ``now`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
   instances never take the same one) and, in the same transaction, queues what each one
   does: e-mail to the actor, notices to the officials. A reminder that no longer applies
   when it falls due (the case moved on) is cancelled instead;
3. on the policy's digest day (Monday), queues each official's weekly digest, once;
4. drains the outbox, so the report says what was queued and what was delivered.

Calling it twice for the same moment does nothing the second time, and a tick after the
service was down catches up on everything that fell due meanwhile, once, marked late.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.bot import deadlines
from samverkan.bot.delivery import Delivery
from samverkan.bot.delivery.setup import delivery
from samverkan.bot.digest import run_digests
from samverkan.bot.reminder_effects import act
from samverkan.config import Settings
from samverkan.intake.chat_answers import case_threads
from samverkan.rules.deadlines import MEASUREMENT_KINDS, POLICY_KINDS
from samverkan.rules.phases import TERMINAL, Phase
from samverkan.storage import reminders
from samverkan.storage.db import session_scope
from samverkan.storage.deadlines import case_facts
from samverkan.storage.messages import insert_messages
from samverkan.storage.registry import register_documents, registration_numbers

log = logging.getLogger(__name__)

BATCH = 1000


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_reminders(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Act on every due reminder once; one Swedish line per reminder acted on."""
    deadlines.sync_changed(engine, settings, now)
    done: list[str] = []
    while True:
        with session_scope(engine) as session:
            claimed = _run_batch(session, settings, now, done)
        if claimed < BATCH:
            return done


def _run_batch(session: Session, settings: Settings, now: datetime, done: list[str]) -> int:
    """Claim one batch and act on it in the caller's transaction; returns how many were
    claimed. A fixed number of statements whatever the batch's size: the claim, the cases'
    facts, the outbox rows, the cancellations and the reconciling."""
    zone = ZoneInfo(settings.timezone)
    claimed = reminders.claim_due(session, now=now, holder=holder_name(), limit=BATCH)
    case_ids = sorted({d.case_id for d in claimed})
    facts = case_facts(session, case_ids)
    series = settings.diarie_series
    numbers = registration_numbers(session, case_ids, series=series, now=now)
    without_address = sorted({d.case_id for d in claimed if not d.applicant_email})
    threads = case_threads(session.connection(), without_address)
    # a request sent now counts as asked: the reminder that follows it is wanted at once
    for due in claimed:
        if due.kind in MEASUREMENT_KINDS and (f := facts.get(due.case_id)) is not None:
            facts[due.case_id] = replace(f, requested={**f.requested, due.kind: now})
    wanted = deadlines.wanted_by(facts, settings)
    stale: list[int] = []
    rows: list[dict[str, Any]] = []
    for due in claimed:
        keys = {(w.kind, w.due_at) for w in wanted.get(due.case_id, ())}
        if Phase(due.phase) in TERMINAL:
            done.append(f"{due.ref}: påminnelse {due.kind} hoppades över (ärendet avslutat)")
            stale.append(due.id)
        elif due.kind in POLICY_KINDS and (due.kind, due.due_at) not in keys:
            stale.append(due.id)  # the case moved on: it no longer applies
        else:
            number, thread = numbers[due.case_id], threads.get(due.case_id)
            done.append(act(rows, due, settings, zone, now, number=number, thread=thread))
    insert_messages(session.connection(), rows)
    register_documents(session, now=now, series=series, case_ids=case_ids)
    reminders.cancel_claimed(session, stale, now=now)
    asked = {d.case_id for d in claimed if d.kind in MEASUREMENT_KINDS and d.id not in stale}
    deadlines.keep(session, {c: wanted[c] for c in sorted(asked) if c in wanted}, settings, now)
    return len(claimed)


def run_tick(
    engine: Engine, settings: Settings, now: datetime, *, drainer: Delivery | None = None
) -> list[str]:
    """Run what is due and return one Swedish line per thing done (for the CLI and the log):
    what was queued, then what was delivered, retried or given up."""
    done = run_reminders(engine, settings, now) + run_digests(engine, settings, now)
    report = (drainer or delivery(settings, engine)).run(now)
    with session_scope(engine) as session:  # what a database from before left unregistered
        registered = register_documents(session, now=now, series=settings.diarie_series)
    if registered:  # bookkeeping, not an action on a case: logged, not listed
        log.info("diarieförde %d handlingar", registered)
    return done + report.lines()
