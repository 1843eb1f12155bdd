"""Intake throughput and memory (issue: e-mail intake).

    .venv/bin/python -m bench.bench_intake [--n 5000] [--memory]

Prints a table: Python's own full parse of the same messages (``email`` with ``policy.default``,
body and every attachment decoded) against the whole pipeline (parse, extract, store, evaluate,
queue the reply) on SQLite, one core, both as the mailbox watchers run it (``process``, one
transaction per message) and as ``samverkan ingest`` does (``process_all``, batches). Goal: the
pipeline costs at most 2.5x the full parse.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import mailbox
import resource
import tempfile
import time
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

from bench.mailgen import generate
from samverkan.config import Settings
from samverkan.intake.feeders.files import iter_messages
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine
from samverkan.storage.setup import initialise


def full_parse(raw: bytes) -> int:
    """The baseline: what any mail program must at least do with a message."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    size = 0
    for part in msg.walk():
        if part.is_multipart():
            continue
        content = part.get_content()
        size += len(content)
    return size


def fresh_intake(directory: Path) -> Intake:
    url = f"sqlite:///{directory / 'bench.db'}"
    engine = make_engine(url)
    settings = Settings(_env_file=None, database_url=url)
    initialise(engine, settings, time_now())
    return Intake(engine, settings)


def time_now() -> datetime:
    return datetime.now(UTC)


def throughput(n: int) -> list[tuple[str, str, str]]:
    messages = list(generate(n))
    megabytes = sum(len(m) for m in messages) / 1e6
    gc.collect()
    t0 = time.perf_counter()
    for raw in messages:
        full_parse(raw)
    parse_s = time.perf_counter() - t0
    outcomes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # As the mailbox watchers do: one message, one transaction.
        intake = fresh_intake(Path(tmp))
        t0 = time.perf_counter()
        for i, raw in enumerate(messages):
            result = intake.process(raw, source=f"gen#{i}")
            outcomes[result.outcome.value] = outcomes.get(result.outcome.value, 0) + 1
        single_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        # As ``samverkan ingest`` does: batches of up to 100 messages per transaction.
        intake = fresh_intake(Path(tmp))
        batched: dict[str, int] = {}
        t0 = time.perf_counter()
        items = ((raw, f"gen#{i}") for i, raw in enumerate(messages))
        for result in intake.process_all(items):
            batched[result.outcome.value] = batched.get(result.outcome.value, 0) + 1
        batch_s = time.perf_counter() - t0
    if batched != outcomes:
        raise SystemExit(f"batched outcomes differ: {batched} != {outcomes}")
    return [
        ("messages", f"{n}", f"{megabytes:.1f} MB"),
        ("full parse (email, policy.default)", f"{n / parse_s:,.0f} msg/s", f"{parse_s:.2f} s"),
        *_pipeline_rows("one at a time (process)", n, single_s, parse_s),
        *_pipeline_rows("batches of 100 (ingest)", n, batch_s, parse_s),
        ("outcomes", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())), ""),
    ]


def _pipeline_rows(how: str, n: int, seconds: float, parse_s: float) -> list[tuple[str, str, str]]:
    ratio = seconds / parse_s
    return [
        (f"whole pipeline (SQLite), {how}", f"{n / seconds:,.0f} msg/s", f"{seconds:.2f} s"),
        (
            "  cost / full parse",
            f"{ratio:.2f}x",
            "goal <= 2.5x " + ("OK" if ratio <= 2.5 else "MISSED"),
        ),
    ]


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field: str) -> float | None:
    """``VmRSS`` (now) or ``VmHWM`` (peak) from /proc, in MB; None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Resident memory now: the peak alone would hide growth below an earlier peak."""
    return _status_mb("VmRSS") or max_rss_mb()


def reset_peak() -> None:
    """Start a new peak (Linux: clear_refs 5), so a step's own peak can be read."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    return _status_mb("VmHWM") or max_rss_mb()


def memory(n_mbox: int) -> list[tuple[str, str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        big = path / "big.eml"
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["From"] = "Stor Bilaga <stor@example.se>"
        msg["Subject"] = "Ansökan med stor bilaga"
        msg["Message-ID"] = "<big@example.se>"
        msg.set_content("Ansökan om samverkansstöd för Seved, se bilaga.")
        msg.add_attachment(
            b"\x89PNG\r\n\x1a\n" + bytes(25_000_000),
            maintype="image",
            subtype="png",
            filename="karta.png",
        )
        big.write_bytes(msg.as_bytes())
        del msg
        box_path = path / "many.mbox"
        box = mailbox.mbox(box_path)
        for raw in generate(n_mbox, attachment_every=0):
            box.add(raw)
        box.close()
        intake = fresh_intake(path)
        gc.collect()
        before = rss_mb()
        reset_peak()
        # As ``samverkan ingest`` reads them: streamed, in batches.
        for _ in intake.process_all((m.data, m.source) for m in iter_messages([big])):
            pass
        big_peak, after_big = peak_mb(), rss_mb()
        checkpoints = []
        reset_peak()
        stream = ((m.data, m.source) for m in iter_messages([box_path]))
        t0 = time.perf_counter()
        for i, _ in enumerate(intake.process_all(stream)):
            if (i + 1) % (n_mbox // 5) == 0:
                checkpoints.append(rss_mb())
        box_s = time.perf_counter() - t0
        box_peak = peak_mb()
    rows.append(("RSS before", f"{before:.0f} MB", ""))
    rows.append(("a 25 MB message: peak, after", f"{big_peak:.0f} MB, {after_big:.0f} MB", ""))
    rows.append(
        (
            f"during a {n_mbox:,}-message mbox (RSS)",
            " → ".join(f"{c:.0f}" for c in checkpoints) + f" MB, peak {box_peak:.0f} MB",
            "flat" if checkpoints[-1] - checkpoints[0] < 50 else "GROWS",
        ),
    )
    rows.append(("  mbox ingest time", f"{box_s:.0f} s", f"{n_mbox / box_s:,.0f} msg/s"))
    return rows


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    print(f"\n{title}")
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--memory", action="store_true", help="also the memory run")
    parser.add_argument("--mbox", type=int, default=50_000)
    args = parser.parse_args()
    print_table(f"Intake throughput, {args.n} messages", throughput(args.n))
    if args.memory:
        print_table("Memory", memory(args.mbox))


if __name__ == "__main__":
    main()
