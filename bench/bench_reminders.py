"""Benchmark of the tick: 100,000 pending reminders, 1,000 of them due (issue 10).

    .venv/bin/python -m bench.bench_reminders [--pending 100000] [--due 1000] [--rounds 5]
                                              [--pg URL]

Fills a fresh database with cases that each have a pending follow-up reminder (the cases'
deadlines already reconciled, as after a day of service), makes ``--due`` of them due, and
times ``run_reminders``: claiming the due ones, checking them against the deadline policy and
queueing each one's e-mail and notice (goal: under 1 s), on SQLite and, when a PostgreSQL
admin URL is reachable (``--pg``, default the test server), on PostgreSQL.

Beside it, in the same run and turn by turn (tick, floor, tick, floor …, after one warm-up
of each), the floor: the same claim and the same number of outbox rows written as bare
statements (one ``UPDATE … RETURNING``, one ``executemany`` of ready rows, no policy and no
rendering), what any implementation pays the database. Between turns the database is put
back as it was. Medians, with the range, so a shared machine's drift shows; ``cpu`` is this
process's CPU time in the tick (the database server's own work on PostgreSQL is not in it),
which a loaded machine stretches less than the wall clock.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from samverkan.bot.deadlines import swedish_holidays
from samverkan.bot.tick import run_reminders
from samverkan.config import Settings
from samverkan.storage.db import make_engine
from samverkan.storage.messages import insert_messages
from samverkan.storage.models import CaseRow, DecisionRow, MessageRow, PhaseChangeRow, ReminderRow
from samverkan.storage.outbox import email_values, notice_values
from samverkan.storage.setup import initialise

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
GRANTED = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
CHUNK = 5000


_REMINDER = ReminderRow.__table__  # type: ignore[attr-defined]
_MESSAGE = MessageRow.__table__  # type: ignore[attr-defined]


@dataclass
class Result:
    backend: str
    pending: int
    due: int
    acted: int
    queued: int
    tick: list[Timing]
    floor: list[Timing]


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


def reset(engine: Engine) -> None:
    """Put the database back as :func:`fill` left it: the due reminders pending again, the
    reminders and outbox rows the tick added gone."""
    r = _REMINDER.c
    with engine.begin() as conn:
        conn.execute(delete(_MESSAGE))
        conn.execute(delete(_REMINDER).where(r.kind != "resultatmatning"))
        conn.execute(
            update(_REMINDER)
            .where(r.state != "pending")
            .values(state="pending", claimed_by=None, claimed_at=None, done_at=None)
        )


def floor(engine: Engine, due: int) -> int:
    """The database's share of a tick, as bare statements: claim the due reminders in one
    ``UPDATE … RETURNING`` and write an e-mail and a notice for each in one ``executemany``."""
    r = _REMINDER.c
    with engine.begin() as conn:
        batch = (
            select(r.id)
            .where(r.state == "pending", r.due_at <= NOW)
            .order_by(r.due_at, r.id)
            .limit(due)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claimed = conn.execute(
            update(_REMINDER)
            .where(r.id.in_(batch))
            .values(state="done", claimed_by="floor", claimed_at=NOW, done_at=NOW)
            .returning(r.id, r.case_id)
        ).all()
        rows = []
        for _, case_id in claimed:
            rows.append(
                email_values(case_id=case_id, subject="Uppföljning", body_text="Hej!",
                             sender="samverkan@malmo.example", recipients="a@example.org",
                             kind="resultatmatning", at=NOW)
            )  # fmt: skip
            rows.append(notice_values(case_id=case_id, text="Påminnelse", kind="reminder", now=NOW))
        insert_messages(conn, rows)
    return len(claimed)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def _timed(step: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def measure(backend: str, url: str, pending: int, due: int, rounds: int) -> Result:
    engine = make_engine(url)
    settings = Settings(_env_file=None, database_url=url, contact_address="samverkan@malmo.example")
    initialise(engine, settings, NOW)
    fill(engine, pending, due)
    swedish_holidays()  # loaded once per process, at a service's first tick
    ticks, floors = [], []
    lines: list[str] = []
    queued = 0
    for turn in range(rounds + 1):  # the first turn warms up: templates compiled, caches full
        lines.clear()
        tick = _timed(lambda: lines.extend(run_reminders(engine, settings, NOW)))
        with engine.connect() as conn:
            queued = conn.execute(select(func.count()).select_from(_MESSAGE)).scalar_one()
        reset(engine)
        low = _timed(lambda: floor(engine, due))
        reset(engine)
        if turn:
            ticks.append(tick)
            floors.append(low)
    engine.dispose()
    return Result(backend, pending, due, len(lines), queued, ticks, floors)


def print_table(results: list[Result], rounds: int) -> None:
    print(f"\n{rounds} turns each, tick and floor in turn; medians (min–max)\n")
    head = (
        f"{'database':<11} {'pending':>8} {'due':>5} {'acted':>6} {'queued':>6} "
        f"{'tick':>18} {'tick cpu':>8} {'floor':>18} {'tick/floor':>10}  goal"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        wall = [t.wall for t in r.tick]
        tick, low = statistics.median(wall), statistics.median(t.wall for t in r.floor)
        ok = "ok" if tick < 1 else "SLOW"
        print(
            f"{r.backend:<11} {r.pending:>8} {r.due:>5} {r.acted:>6} {r.queued:>6} "
            f"{_span(wall):>18} {statistics.median(t.cpu for t in r.tick):>7.3f}s "
            f"{_span([t.wall for t in r.floor]):>18} {tick / low:>9.1f}x  tick < 1 s {ok}"
        )


def _span(values: list[float]) -> str:
    return f"{statistics.median(values):.3f}s ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    sizes = (args.pending, args.due, args.rounds)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", *sizes))
    name = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(args.pg, autocommit=True)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}); SQLite only")
    else:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.pg.rsplit("/", 1)[0] + f"/{name}"
            results.append(measure("PostgreSQL", url, *sizes))
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.close()
    print_table(results, args.rounds)


if __name__ == "__main__":
    main()
