"""One scheduler tick: everything that is due at ``now``, done once.

The database is the truth about what is due; APScheduler (in ``serve``) and ``samverkan tick``
only decide when to call this. Calling it twice for the same moment does nothing the second
time, which is what makes a restarted service catch up without doubling anything.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.smtp import send_pending, smtp_configured

log = logging.getLogger(__name__)


def run_tick(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Run what is due and return one Swedish line per thing done (for the CLI and the log)."""
    done: list[str] = []
    if smtp_configured(settings):
        report = send_pending(engine, settings, now)
        done += [f"skickade e-post {mid}" for mid in report.sent]
        done += [f"e-post {mid} försöks igen senare" for mid in report.retrying]
        done += [f"e-post {mid} kunde inte skickas" for mid in report.failed]
    return done
