"""Benchmark of the contact mailbox: IDLE latency and backlog throughput against a real Dovecot.

    .venv/bin/python -m bench.bench_imap [--n 5000] [--latency-rounds 10] [--fake]

1. Latency: an APPEND from another connection until ``process()`` has returned (goal < 2 s).
2. Backlog: N messages waiting in Dovecot, worked off by the watcher, against the same N
   messages processed straight from files (goal: IMAP at >= 70 % of the file rate).
The real pipeline runs on a fresh SQLite database per measurement; ``--fake`` measures the
mail handling alone with a pipeline that does nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.feeders.imap import ImapWatcher
from samverkan.intake.feeders.watching import HandledMessage, HealthState, MessageProcessor
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine
from samverkan.storage.setup import initialise
from tests.imap.dovecot import Dovecot, DovecotServer
from tests.imap.support import FakeResult, imap_settings, make_message


def message_id(raw: bytes) -> bytes:
    found = re.search(rb"Message-ID: (<[^>]+>)", raw)
    return found.group(1) if found else b""


@dataclass
class Counting:
    """Wraps a pipeline: counts calls and notes when each message finished."""

    inner: MessageProcessor
    done: int = 0

    def __post_init__(self) -> None:
        self.finished: dict[bytes, float] = {}
        self.lock = threading.Lock()

    def reached(self, count: int) -> Callable[[], bool]:
        return lambda: self.done >= count

    def process(self, raw: bytes, *, source: str) -> HandledMessage:
        return self.process_batch([(raw, source)])[0]

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> Sequence[HandledMessage]:
        results = self.inner.process_batch(items)
        with self.lock:
            self.done += len(items)
            for raw, _ in items:
                self.finished[message_id(raw)] = time.perf_counter()
        return results


class NoPipeline:
    def process(self, raw: bytes, *, source: str) -> HandledMessage:
        return FakeResult(source, "created")

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> Sequence[HandledMessage]:
        return [self.process(raw, source=source) for raw, source in items]


def fresh_db(directory: Path, name: str) -> tuple[str, Engine]:
    url = f"sqlite:///{directory / name}"
    engine = make_engine(url)
    initialise(engine, Settings(_env_file=None), datetime.now(UTC))
    return url, engine


def pipeline(fake: bool, engine: Engine, url: str) -> MessageProcessor:
    if fake:
        return NoPipeline()
    return Intake(engine, Settings(_env_file=None, database_url=url))


def wait(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout} s")
        time.sleep(0.005)


def deliver_directly(box: Dovecot, messages: list[bytes], uid: int) -> None:
    """Drop messages into Dovecot's own Maildir, as its delivery agent would: fast for 5000."""
    c = box.client()
    c.select_folder("INBOX")  # makes Dovecot create the user's Maildir
    c.logout()
    root = box.maildir()
    for i, raw in enumerate(messages):
        tmp = root / "tmp" / f"bench.{i}"
        tmp.write_bytes(raw)
        if os.geteuid() == 0:
            os.chown(tmp, uid, uid)
        tmp.rename(root / "new" / f"bench.{i}")


def measure_latency(server: DovecotServer, work: Path, fake: bool, rounds: int) -> list[float]:
    box = server.mailbox()
    url, engine = fresh_db(work, "latency.db")
    counting = Counting(pipeline(fake, engine, url))
    w = ImapWatcher(imap_settings(box.host, box.port, box.user, box.password), engine, counting)
    w.start()
    wait(lambda: w.health.state is HealthState.OK, 10)
    client = box.client()
    latencies = []
    try:
        for n in range(rounds):
            raw = make_message(100_000 + n)
            started = time.perf_counter()
            client.append("INBOX", raw)
            wait(counting.reached(n + 1), 10)
            latencies.append(counting.finished[message_id(raw)] - started)
    finally:
        client.logout()
        w.stop()
        engine.dispose()
    return latencies


def measure_backlog(server: DovecotServer, work: Path, fake: bool, n: int) -> tuple[float, float]:
    messages = [make_message(i) for i in range(n)]

    files = work / "files"
    files.mkdir()
    for i, raw in enumerate(messages):
        (files / f"{i:06d}.eml").write_bytes(raw)
    url, engine = fresh_db(work, "files.db")
    direct = pipeline(fake, engine, url)
    started = time.perf_counter()
    # What `samverkan ingest` does with files: read them in order, store them in batches.
    items = ((path.read_bytes(), str(path)) for path in sorted(files.iterdir()))
    if isinstance(direct, Intake):
        for _ in direct.process_all(items):
            pass
    else:
        for raw, source in items:
            direct.process(raw, source=source)
    file_seconds = time.perf_counter() - started
    engine.dispose()

    box = server.mailbox()
    deliver_directly(box, messages, server.mail_uid)
    url, engine = fresh_db(work, "imap.db")
    counting = Counting(pipeline(fake, engine, url))
    w = ImapWatcher(imap_settings(box.host, box.port, box.user, box.password), engine, counting)
    started = time.perf_counter()
    w.start()
    try:
        wait(counting.reached(n), 3600)
        imap_seconds = time.perf_counter() - started
    finally:
        w.stop()
        engine.dispose()
    return file_seconds, imap_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="backlog size (default 5000)")
    parser.add_argument("--latency-rounds", type=int, default=10)
    parser.add_argument("--fake", action="store_true", help="a pipeline that does nothing")
    args = parser.parse_args()

    server = DovecotServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-imap-") as tmp:
            work = Path(tmp)
            latencies = measure_latency(server, work, args.fake, args.latency_rounds)
            file_s, imap_s = measure_backlog(server, work, args.fake, args.n)
    finally:
        server.close()

    ratio = file_s / imap_s
    kind = "no-op pipeline" if args.fake else "real pipeline (SQLite)"
    print(f"\nIMAP benchmark, {kind}, Dovecot on loopback\n")
    rows = [
        ("APPEND -> processed, median", f"{statistics.median(latencies):.3f} s", "< 2 s"),
        ("APPEND -> processed, max", f"{max(latencies):.3f} s", "< 2 s"),
        (f"backlog {args.n} from files", f"{args.n / file_s:.0f} msg/s", ""),
        (f"backlog {args.n} from IMAP", f"{args.n / imap_s:.0f} msg/s", ""),
        ("IMAP rate / file rate", f"{ratio:.0%}", ">= 70%"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>12}  goal")
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:>12}  {goal}")


if __name__ == "__main__":
    main()
