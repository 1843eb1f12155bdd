"""Benchmark of the tick: 100,000 pending reminders, 1,000 of them due.

    .venv/bin/python -m bench.bench_reminders [--pending 100000] [--due 1000] [--pg URL]

Fills a fresh database with cases that each have a pending follow-up reminder (the cases'
deadlines already reconciled, as after a day of service), makes ``--due`` of them due, and
times one ``run_reminders``: claiming the due ones, checking them against the deadline
policy and queueing each one's e-mail and notice (goal: under 1 s), on SQLite and, when a
PostgreSQL admin URL is reachable (``--pg``, default the test server), on PostgreSQL.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from samverkan.bot.deadlines import swedish_holidays
from samverkan.bot.tick import run_reminders
from samverkan.config import Settings
from samverkan.storage.db import make_engine
from samverkan.storage.models import CaseRow, DecisionRow, MessageRow, PhaseChangeRow, ReminderRow
from samverkan.storage.setup import initialise

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
GRANTED = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
CHUNK = 5000


@dataclass
class Result:
    backend: str
    pending: int
    due: int
    acted: int
    queued: int
    seconds: float


def fill(engine: Engine, pending: int, due: int) -> None:
    """``pending`` granted cases, each with a pending result reminder; ``due`` of them due."""
    tables = {m: m.__table__ for m in (CaseRow, PhaseChangeRow, DecisionRow, ReminderRow)}  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for start in range(0, pending, CHUNK):
            ids = range(start + 1, min(start + CHUNK, pending) + 1)
            conn.execute(insert(tables[CaseRow]), [_case(i) for i in ids])
            conn.execute(insert(tables[PhaseChangeRow]), [_move(i) for i in ids])
            conn.execute(insert(tables[DecisionRow]), [_decision(i) for i in ids])
            conn.execute(insert(tables[ReminderRow]), [_reminder(i, due) for i in ids])


def _case(i: int) -> dict[str, object]:
    return {
        "id": i, "ref": f"SAM-2026-{i:06d}", "year": 2026, "seq": i, "title": f"Ärende {i}",
        "phase": "genomforande", "origin": "email", "application": {
            "email": f"aktor{i}@example.org", "contact_name": f"Aktör {i}"},
        "assigned_to": "U0KARIN", "created_at": GRANTED, "updated_at": GRANTED,
        "deadlines_at": GRANTED,
    }  # fmt: skip


def _move(i: int) -> dict[str, object]:
    return {"case_id": i, "at": GRANTED, "by": "U0KARIN", "from_phase": "namnd",
            "to_phase": "genomforande", "why": "beviljat"}  # fmt: skip


def _decision(i: int) -> dict[str, object]:
    return {"case_id": i, "outcome": "beviljad", "support": [], "by": "U0KARIN", "at": GRANTED}


def _reminder(i: int, due: int) -> dict[str, object]:
    """The policy's own moment (6 months after the grant, 08:00 Stockholm) for the due ones,
    a later one for the rest, so the check against the policy passes for each due one."""
    due_at = (
        datetime(2027, 3, 1, 7, 0, tzinfo=UTC) if i <= due else NOW + timedelta(days=30 + i % 300)
    )
    return {"case_id": i, "kind": "resultatmatning", "due_at": due_at, "state": "pending",
            "note": "dags för resultatmätning", "policy": "bench"}  # fmt: skip


def measure(backend: str, url: str, pending: int, due: int) -> Result:
    engine = make_engine(url)
    settings = Settings(_env_file=None, database_url=url, contact_address="samverkan@malmo.example")
    initialise(engine, settings, NOW)
    fill(engine, pending, due)
    swedish_holidays()  # loaded once per process, at a service's first tick
    start = time.perf_counter()
    lines = run_reminders(engine, settings, NOW)
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        queued = len(conn.execute(select(MessageRow.__table__.c.id)).all())  # type: ignore[attr-defined]
    engine.dispose()
    return Result(backend, pending, due, len(lines), queued, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.pending, args.due)
        )
    name = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(
            args.pg.replace("postgresql://", "postgresql://", 1), autocommit=True
        )
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}); SQLite only")
    else:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.pg.rsplit("/", 1)[0] + f"/{name}"
            results.append(measure("PostgreSQL", url, args.pending, args.due))
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.close()
    head = ("database", "pending", "due", "acted on", "queued", "tick")
    print("{:<11} {:>8} {:>6} {:>9} {:>7} {:>8}  goal".format(*head))
    for r in results:
        ok = "ok" if r.seconds < 1 else "SLOW"
        print(f"{r.backend:<11} {r.pending:>8} {r.due:>6} {r.acted:>9} {r.queued:>7} "
              f"{r.seconds:>7.2f}s  < 1 s {ok}")  # fmt: skip


if __name__ == "__main__":
    main()
