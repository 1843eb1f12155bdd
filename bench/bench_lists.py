"""Chat lists and statistics as the cases pile up (issue: run it like a service).

    .venv/bin/python -m bench.bench_lists [--sizes 1000,10000,100000] [--runs 20]

``lista``, ``lista Seved`` and ``statistik`` through the one dispatch (what Slack, Teams and
``samverkan chat`` run) on SQLite databases of each size, built by ``bench.casegen``. Each
figure is the median of ``--runs`` calls after one warm-up. Goal: at 10,000 and 100,000 cases
within 20 % of the figure at 1,000, and under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.casegen import build
from samverkan.bot.dispatch import Dispatcher, Platform
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine

COMMANDS = ("lista", "lista Seved", "statistik")
OFFICIAL = "U0BENCH"


def measure(url: str, runs: int) -> dict[str, float]:
    engine = make_engine(url)
    settings = Settings(_env_file=None, database_url=url, officials=f"{OFFICIAL}:kontaktperson")
    dispatcher = Dispatcher(engine, settings, Intake(engine, settings), lambda: datetime.now(UTC))
    medians = {}
    for command in COMMANDS:
        answer = dispatcher.dispatch(command, OFFICIAL, Platform.CLI)
        assert answer.ok, (command, answer)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            dispatcher.dispatch(command, OFFICIAL, Platform.CLI)
            times.append(time.perf_counter() - start)
        medians[command] = statistics.median(times)
    engine.dispose()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    figures: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(f"building a database of {n} cases …", flush=True)
            figures[n] = measure(build(Path(tmp) / f"{n}.db", n), args.runs)
    base = figures[sizes[0]]
    head = f"{'command':<14}" + "".join(f"{n:>16,}" for n in sizes) + "   goal"
    print(f"\nmedian of {args.runs} calls, ms (and x the figure at {sizes[0]:,} cases)\n")
    print(head)
    print("-" * len(head))
    for command in COMMANDS:
        cells = []
        worst = 1.0
        for n in sizes:
            ms = figures[n][command] * 1000
            ratio = figures[n][command] / base[command]
            worst = max(worst, ratio) if n != sizes[0] else worst
            cells.append(f"{ms:>9.1f} ({ratio:.2f}x)")
        ok = worst <= 1.2 and all(figures[n][command] < 0.1 for n in sizes)
        print(
            f"{command:<14}"
            + "".join(f"{c:>16}" for c in cells)
            + ("   met" if ok else "   not met")
        )


if __name__ == "__main__":
    main()
