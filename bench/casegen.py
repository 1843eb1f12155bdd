"""A database of N cases for the benchmarks, built in seconds instead of hours.

A few hundred generated applications go through the real intake (so every case has what intake
gives it: applicant, actors, support, evaluation, history, the mail in and the reply out); the
rest are copies of those cases with new references, written table by table in bulk. Every
table with a ``case_id`` column is copied, so a table added later is copied too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from bench.mailgen import generate
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine
from samverkan.storage.setup import initialise

SEED_MAILS = 300
CHUNK = 2000


def _unique_columns(table: Table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for constraint in table.constraints:
        cols = [c.name for c in getattr(constraint, "columns", [])]
        if len(cols) == 1 and not table.c[cols[0]].primary_key:
            names.add(cols[0])
    return names - {"case_id"}


def _shared_unique(table: Table) -> bool:
    """A unique key over several columns, none of them the case (registered documents are
    unique by their source row): copies would collide, so such a table is not copied."""
    for constraint in table.constraints:
        cols = [c.name for c in getattr(constraint, "columns", [])]
        unique = constraint.__class__.__name__ == "UniqueConstraint"
        if unique and len(cols) > 1 and "case_id" not in cols:
            return True
    return any(
        index.unique and len(index.columns) > 1 and "case_id" not in index.columns
        for index in table.indexes
    )


def _copy_children(
    conn: Connection, meta: MetaData, mapping: dict[int, list[int]], copy_no: dict[int, int]
) -> None:
    """Rows of every case table, once per copy of their case, with unique text made unique."""
    for table in meta.sorted_tables:
        if "case_id" not in table.c or table.name == "cases" or _shared_unique(table):
            continue
        rows = [
            dict(r._mapping)
            for r in conn.execute(select(table).where(table.c.case_id.in_(mapping)))
        ]
        unique = _unique_columns(table)
        batch: list[dict[str, Any]] = []
        for row in rows:
            for new_id in mapping[row["case_id"]]:
                copy = {k: v for k, v in row.items() if k != "id"}
                copy["case_id"] = new_id
                for name in unique:
                    if isinstance(copy.get(name), str):
                        copy[name] = f"{copy[name]}#{copy_no[new_id]}"
                batch.append(copy)
                if len(batch) >= CHUNK:
                    conn.execute(insert(table), batch)
                    batch = []
        if batch:
            conn.execute(insert(table), batch)


def _clone(engine: Engine, n: int) -> None:
    meta = MetaData()
    meta.reflect(engine)
    cases = meta.tables["cases"]
    with engine.begin() as conn:
        seeds = [dict(r._mapping) for r in conn.execute(select(cases).order_by(cases.c.id))]
        have = len(seeds)
        year = seeds[0]["year"]
        mapping: dict[int, list[int]] = {s["id"]: [] for s in seeds}
        copy_no: dict[int, int] = {}
        rows = []
        for k in range(have, n):
            seed = seeds[k % have]
            row = {key: v for key, v in seed.items() if key != "id"}
            row.update(
                seq=k + 1, ref=f"SAM-{year}-{k + 1:04d}" if k < 9999 else f"SAM-{year}-{k + 1}"
            )
            rows.append(row)
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(cases), rows[start : start + CHUNK])
        new = conn.execute(
            select(cases.c.id, cases.c.seq).where(cases.c.seq > have).order_by(cases.c.seq)
        ).all()
        for case_id, seq in new:
            source = seeds[(seq - 1) % have]["id"]
            mapping[source].append(case_id)
            copy_no[case_id] = seq
        _copy_children(conn, meta, mapping, copy_no)
        sequence = meta.tables.get("case_sequence")
        if sequence is not None:
            conn.execute(update(sequence).values(last=n))
        count = conn.execute(select(func.count()).select_from(cases)).scalar_one()
    assert count == n, (count, n)


def build(path: Path, n: int) -> str:
    """An initialised SQLite database at ``path`` holding ``n`` cases; returns its URL."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    settings = Settings(_env_file=None, database_url=url)
    now = datetime(2026, 3, 2, 8, tzinfo=UTC)
    initialise(engine, settings, now)
    intake = Intake(engine, settings)
    seeds = min(SEED_MAILS, max(n + n // 3, 10))
    created = 0
    for result in intake.process_all((raw, f"gen#{i}") for i, raw in enumerate(generate(seeds))):
        created += result.outcome.value == "created"
    if created > n:
        raise ValueError(f"asked for {n} cases, the seed mail made {created}")
    _clone(engine, n)
    engine.dispose()
    return url
