"""How soon the command line does its work (issue: run it like a service).

    .venv/bin/python -m bench.bench_cli [--runs 15] [--cases 10000]

Each figure times whole processes, A and B in turn (A B A B …, after one warm-up each), and
reads each finished run's CPU time from the kernel (``wait4``). The ratio is taken pair by
pair and its median quoted, so a comparison holds when the shared machine's speed drifts.

- ``samverkan --version`` and ``--help`` against ``python -c pass`` (the same interpreter):
  at most 3x.
- ``samverkan cases --json`` and ``show REF --json`` on a database of 10,000 cases against
  ``python -c "import sqlmodel"``, the floor any command reading the database pays: at most
  1.5x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.casegen import build

PYTHON = sys.executable
SAMVERKAN = str(Path(sys.executable).parent / "samverkan")


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float


def run_once(argv: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime)


@dataclass(frozen=True)
class Pair:
    name: str
    a: list[Run]
    b: list[Run]
    goal: float

    def ratios(self, field: str) -> list[float]:
        return [getattr(x, field) / getattr(y, field) for x, y in zip(self.a, self.b, strict=True)]


def pair(
    name: str, a: list[str], b: list[str], env: dict[str, str], runs: int, goal: float
) -> Pair:
    run_once(a, env), run_once(b, env)  # warm-up: page cache, .pyc files
    a_runs, b_runs = [], []
    for _ in range(runs):
        a_runs.append(run_once(a, env))
        b_runs.append(run_once(b, env))
    return Pair(name, a_runs, b_runs, goal)


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f}"


def print_table(pairs: list[Pair], runs: int) -> None:
    print(f"\nwhole processes, {runs} runs each, A and B in turn; medians (ratio min–max)\n")
    head = f"{'A vs B':<52} {'A ms':>6} {'B ms':>6} {'wall A/B':>16} {'cpu A/B':>16} {'goal':>6}"
    print(head)
    print("-" * len(head))
    for p in pairs:
        wall, cpu = p.ratios("wall"), p.ratios("cpu")
        ok = statistics.median(wall) <= p.goal
        print(
            f"{p.name:<52} {_ms([r.wall for r in p.a]):>6} {_ms([r.wall for r in p.b]):>6} "
            f"{statistics.median(wall):>5.2f} ({min(wall):.2f}–{max(wall):.2f}) "
            f"{statistics.median(cpu):>5.2f} ({min(cpu):.2f}–{max(cpu):.2f}) "
            f"{'≤' if ok else '>'}{p.goal:>4}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    bare = [PYTHON, "-c", "pass"]
    floor = [PYTHON, "-c", "import sqlmodel"]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"building a database of {args.cases} cases …", file=sys.stderr)
        env["SAMVERKAN_DATABASE_URL"] = build(Path(tmp) / "bench.db", args.cases)
        ref = f"SAM-2026-{args.cases // 2:04d}"
        pairs = [
            pair(
                "samverkan --version  vs  python -c pass",
                [SAMVERKAN, "--version"], bare, env, args.runs, 3,
            ),
            pair(
                "samverkan --help  vs  python -c pass",
                [SAMVERKAN, "--help"], bare, env, args.runs, 3,
            ),
            pair(
                f"cases --json ({args.cases} cases)  vs  import sqlmodel",
                [SAMVERKAN, "cases", "--json"], floor, env, args.runs, 1.5,
            ),
            pair(
                f"show {ref} --json  vs  import sqlmodel",
                [SAMVERKAN, "show", ref, "--json"], floor, env, args.runs, 1.5,
            ),
        ]  # fmt: skip
    print_table(pairs, args.runs)


if __name__ == "__main__":
    main()
