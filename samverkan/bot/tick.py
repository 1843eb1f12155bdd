"""One scheduler tick: everything that is due at ``now``, done once.

The database is the truth about what is due; APScheduler (in ``serve``) and ``samverkan tick``
only decide when to call this. Calling it twice for the same moment does nothing the second
time, and a tick after the service was down catches up on everything that fell due meanwhile.
A tick first acts on due reminders (queueing their e-mail and notices in the same
transaction as the claim), then drains the outbox.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from samverkan.bot.delivery import Delivery
from samverkan.bot.delivery.setup import delivery
from samverkan.config import Settings
from samverkan.intake.outbox import queue_email, queue_notice
from samverkan.rules.phases import TERMINAL, Phase
from samverkan.storage import reminders
from samverkan.storage.db import session_scope
from samverkan.storage.registry import register_documents

log = logging.getLogger(__name__)

MEASUREMENT_LABELS = {reminders.RESULT: "resultatmätning", reminders.EFFECT: "effektmätning"}


@dataclass(frozen=True)
class _Case:
    id: int
    ref: str


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_reminders(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Act on every due reminder once: notices to officials, follow-up requests to actors."""
    zone = ZoneInfo(settings.timezone)
    done: list[str] = []
    with session_scope(engine) as session:
        for due in reminders.claim_due(session, now=now, holder=holder_name()):
            if Phase(due.phase) in TERMINAL:
                done.append(f"{due.ref}: påminnelse {due.kind} hoppades över (ärendet avslutat)")
                continue
            case = _Case(due.case_id, due.ref)
            local = due.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if due.kind in MEASUREMENT_LABELS:
                label = MEASUREMENT_LABELS[due.kind]
                if due.applicant_email:
                    queue_email(
                        session,
                        case=case,
                        template="followup",
                        context={
                            "ref": due.ref,
                            "kind": due.kind,
                            "measurement": label,
                            "contact_name": due.contact_name,
                            "contact_address": settings.contact_address,
                        },
                        sender=settings.contact_address,
                        to=due.applicant_email,
                        kind=due.kind,
                        now=now,
                    )
                queue_notice(
                    session,
                    case=case,
                    kind="reminder",
                    text=f"Påminnelse {due.ref}: dags för {label}"
                    + ("" if due.applicant_email else " (sökanden saknar e-postadress)"),
                    now=now,
                )
                done.append(f"{due.ref}: {label} begärd av sökanden")
            else:
                queue_notice(
                    session,
                    case=case,
                    kind="reminder",
                    text=f"Påminnelse {due.ref}: {due.note or due.kind} ({local})",
                    now=now,
                )
                done.append(f"{due.ref}: påminnelse {due.kind} köad ({local})")
    return done


def run_tick(
    engine: Engine, settings: Settings, now: datetime, *, drainer: Delivery | None = None
) -> list[str]:
    """Run what is due and return one Swedish line per thing done (for the CLI and the log):
    what was queued, then what was delivered, retried or given up."""
    done = run_reminders(engine, settings, now)
    report = (drainer or delivery(settings, engine)).run(now)
    with session_scope(engine) as session:
        registered = register_documents(session, now=now, series=settings.diarie_series)
    if registered:  # bookkeeping, not an action on a case: logged, not listed
        log.info("diarieförde %d handlingar", registered)
    return done + report.lines()
