"""The weekly digest: on the policy's day (Monday), each official's cases and their week.

Each official of the registry (and each configured id it has not seen) gets one, for the
cases assigned to any of their ids.

Sent once per official and week: a ``digest_sent`` row (official, ISO week) is inserted in
the transaction that queues the digest, so a second tick, or a second instance, finds it and
sends nothing. A service that was down on Monday sends the week's digest when it is back,
on a working day of the same week.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from samverkan.bot.context import REMINDER_LABELS
from samverkan.bot.deadlines import policy_of
from samverkan.config import Settings
from samverkan.intake.outbox import queue_notice
from samverkan.rules.phases import Phase
from samverkan.storage import digests, officials
from samverkan.storage.db import session_scope

__all__ = ["run_digests"]

FRIDAY = 4


def run_digests(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Queue this week's digest for every official who has not had it; one line each."""
    policy, zone = policy_of(settings), ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    if not policy.digest_weekday <= local.weekday() <= FRIDAY or local.time() < policy.start_of_day:
        return []  # not yet this week, or the weekend: next week's digest will come
    year, week, _ = local.isocalendar()
    key = f"{year}-W{week:02d}"
    monday = local.date() - timedelta(days=local.weekday())
    until = datetime.combine(monday + timedelta(days=7), policy.start_of_day, tzinfo=zone)
    done = []
    with session_scope(engine) as session:
        for official in officials.reachable(session, settings.officials):
            ident = official.ident
            cases = digests.cases_of(session, official.ids)
            due = digests.due_for(session, official.ids, until)
            if not cases or not digests.claim(session, ident, key, now):
                continue  # nothing to tell, or told already this week
            lines = [f"Veckobrev {key}: {len(cases)} ärenden där du är kontaktperson."]
            lines += [f"– {c.ref} ({Phase(c.phase).label}): {c.title or ''}" for c in cases[:30]]
            if due:
                lines.append("Att göra i veckan:")
                lines += [_due_line(d, zone) for d in due[:30]]
            queue_notice(
                session, case=None, text="\n".join(lines), kind="digest", audience=ident, now=now
            )
            done.append(f"veckobrev {key} till {ident} köat")
    return done


WEEKDAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")


def _due_line(due: digests.DigestDue, zone: ZoneInfo) -> str:
    at = due.due_at.astimezone(zone)
    label = REMINDER_LABELS.get(due.kind, due.kind)
    return f"– {WEEKDAYS[at.weekday()]} {at:%d/%m %H:%M} {due.ref} {label}: {due.note or ''}"
