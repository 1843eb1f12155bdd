"""Intake as open cases pile up in one area (issue: run it like a service).

    .venv/bin/python -m bench.bench_overlap [--sizes 1000,3000,10000] [--mails 200]

Every case of a ``bench.casegen`` database is moved to Seved and left open, so the overlap
check of each new application in Seved has all of them to consider; then ``--mails`` new
applications for Seved go through the pipeline one transaction each (as the mailbox watchers
run it). Goal: the rate does not fall as the area fills (within 20 % of the smallest size).
Before issue 15 the check read every open case of the related areas for each message (1,000
cases in one area: 15 s for this run; 3,000: 73 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import update

from bench.casegen import build
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine
from samverkan.storage.models import CaseRow
from tests.helpers.intake import COMPLETE, mail


def measure(url: str, mails: int) -> float:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(CaseRow).values(area_name="Seved", phase="bedomning"))
    intake = Intake(engine, Settings(_env_file=None, database_url=url))
    raws = [
        mail(COMPLETE, message_id=f"<bench-{i}@x>", sender=f"A {i} <a{i}@seved.example>")
        for i in range(mails)
    ]
    start = time.perf_counter()
    for i, raw in enumerate(raws):
        result = intake.process(raw, source=f"bench-{i}")
        assert result.outcome.value == "created", result
    took = time.perf_counter() - start
    engine.dispose()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000")
    parser.add_argument("--mails", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    took: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(f"building a database of {n} open cases in Seved …", flush=True)
            took[n] = measure(build(Path(tmp) / f"{n}.db", n), args.mails)
    base = took[sizes[0]]
    print(f"\n{args.mails} new applications for Seved, one transaction each\n")
    head = f"{'open cases in Seved':<22}{'seconds':>10}{'msg/s':>10}{'x smallest':>12}"
    print(head)
    print("-" * len(head))
    for n in sizes:
        print(f"{n:<22,}{took[n]:>10.2f}{args.mails / took[n]:>10.0f}{took[n] / base:>11.2f}x")
    worst = max(took[n] / base for n in sizes)
    print(f"\ngoal (within 20 % of {sizes[0]:,}): {'met' if worst <= 1.2 else 'not met'}")


if __name__ == "__main__":
    main()
