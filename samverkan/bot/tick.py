"""One scheduler tick: everything that is due at ``now``, done once.

The database is the truth about what is due; APScheduler (in ``serve``) and ``samverkan tick``
only decide when to call this. Calling it twice for the same moment does nothing the second
time, and a tick after the service was down catches up on everything that fell due meanwhile.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.outbox import queue_email, queue_notice
from samverkan.intake.smtp import send_pending, smtp_configured
from samverkan.rules.model import Application
from samverkan.rules.phases import TERMINAL, Phase
from samverkan.storage import reminders
from samverkan.storage.db import session_scope
from samverkan.storage.models import CaseRow
from samverkan.storage.registry import register_documents

log = logging.getLogger(__name__)

MEASUREMENT_LABELS = {reminders.RESULT: "resultatmätning", reminders.EFFECT: "effektmätning"}


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_reminders(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Act on every due reminder once: notices to officials, follow-up requests to actors."""
    zone = ZoneInfo(settings.timezone)
    done: list[str] = []
    with session_scope(engine) as session:
        for due in reminders.claim_due(session, now=now, holder=holder_name()):
            case = session.get(CaseRow, due.case_id)
            if case is None or Phase(case.phase) in TERMINAL:
                done.append(f"{due.ref}: påminnelse {due.kind} hoppades över (ärendet avslutat)")
                continue
            local = due.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if due.kind in MEASUREMENT_LABELS:
                label = MEASUREMENT_LABELS[due.kind]
                app = Application.from_dict(case.application)
                if app.email:
                    queue_email(
                        session,
                        case=case,
                        template="followup",
                        context={
                            "ref": case.ref,
                            "kind": due.kind,
                            "measurement": label,
                            "contact_name": app.contact_name,
                            "contact_address": settings.contact_address,
                        },
                        sender=settings.contact_address,
                        to=app.email,
                        kind=due.kind,
                        now=now,
                    )
                queue_notice(
                    session,
                    case=case,
                    kind="reminder",
                    text=f"Påminnelse {case.ref}: dags för {label}"
                    + ("" if app.email else " (sökanden saknar e-postadress)"),
                    now=now,
                )
                done.append(f"{case.ref}: {label} begärd av sökanden")
            else:
                queue_notice(
                    session,
                    case=case,
                    kind="reminder",
                    text=f"Påminnelse {case.ref}: {due.note or due.kind} ({local})",
                    now=now,
                )
                done.append(f"{case.ref}: påminnelse {due.kind} skickad ({local})")
    return done


def run_tick(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Run what is due and return one Swedish line per thing done (for the CLI and the log)."""
    done = run_reminders(engine, settings, now)
    if smtp_configured(settings):
        report = send_pending(engine, settings, now)
        done += [f"skickade e-post {mid}" for mid in report.sent]
        done += [f"e-post {mid} försöks igen senare" for mid in report.retrying]
        done += [f"e-post {mid} kunde inte skickas" for mid in report.failed]
    with session_scope(engine) as session:
        registered = register_documents(session, now=now, series=settings.diarie_series)
    if registered:  # bookkeeping, not an action on a case: logged, not listed
        log.info("diarieförde %d handlingar", registered)
    return done
