"""Slack acknowledgements under load, with many cases stored (issue: chat apps).

    .venv/bin/python -m bench.bench_slack [--cases 10000] [--bursts 5] [--burst 20]

Loads ``--cases`` generated applications into a fresh SQLite database, serves ``/slack/events``
under uvicorn on loopback exactly as ``samverkan serve`` does (acknowledge first, work in the
pool), with the Web API and ``response_url`` answered by a local recorder, and then sends
signed slash commands: one at a time (a mix of reads and changes), and in bursts sent all at
once. Prints a table: acknowledgement latency (what Slack waits for, limit 3 s) and the time
until the answer reached ``response_url``. Goals: every acknowledgement in a burst within 3 s,
p99 of single acknowledgements at most 50 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import httpx
import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette

from bench.mailgen import generate
from samverkan.bot.slack import EVENTS_PATH, SlackBridge, build_slack
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.rules.phases import Role
from samverkan.storage.db import make_engine
from samverkan.storage.setup import initialise

SECRET = "bench-signing-secret-0123456789abcdef"  # noqa: S105 - a local test secret
OFFICIAL = "U0BENCH"


class Recorder:
    """The Web API and ``response_url``: answers ``ok`` and notes when each answer arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with recorder.lock:
                    recorder.arrived.setdefault(self.path, time.perf_counter())
                body = b'{"ok": true, "channel": "C0BENCH", "ts": "1.1"}'
                if self.path == "/files.getUploadURLExternal":  # the chart is uploaded too
                    body = json.dumps(
                        {"ok": True, "upload_url": f"{recorder.url}upload/F0", "file_id": "F0"}
                    ).encode()
                elif self.path == "/files.completeUploadExternal":
                    body = b'{"ok": true, "files": [{"id": "F0", "title": "statistik"}]}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def wait(self, paths: list[str], timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(p in self.arrived for p in paths):
                    return
            time.sleep(0.005)


def load_cases(directory: Path, cases: int, api_url: str) -> tuple[Settings, Intake]:
    url = f"sqlite:///{directory / 'bench.db'}"
    settings = Settings(
        _env_file=None,
        database_url=url,
        slack_bot_token=SecretStr("xoxb-bench"),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=api_url,
        officials={OFFICIAL: Role.SAMORDNARE},
    )
    engine = make_engine(url)
    initialise(engine, settings, datetime.now(UTC))
    intake = Intake(engine, settings)
    stored = 0
    mails = generate(cases * 10 // 8, attachment_every=0)
    items = ((raw, f"gen#{i}") for i, raw in enumerate(mails))
    for result in intake.process_all(items):
        stored += result.outcome.value == "created"
        if stored >= cases:
            break
    return settings, intake


@contextmanager
def serving(bridge: SlackBridge) -> Iterator[str]:
    config = uvicorn.Config(
        Starlette(routes=bridge.routes()), host="127.0.0.1", port=0, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def signed_command(text: str, hook: str, n: int) -> tuple[str, dict[str, str]]:
    body = urlencode({
        "command": "/samverkan", "text": text, "user_id": OFFICIAL, "team_id": "T0BENCH",
        "channel_id": "C0BENCH", "response_url": hook, "trigger_id": f"{n}.{time.time_ns()}",
    })  # fmt: skip
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return body, headers


class Sender:
    def __init__(self, base: str, recorder: Recorder) -> None:
        self.base = base
        self.recorder = recorder
        self.n = 0
        self.lock = threading.Lock()

    def send(self, text: str) -> tuple[int, float, str, float]:
        """(status, ack seconds, hook path, sent at)."""
        with self.lock:
            self.n += 1
            n = self.n
        path = f"/hooks/{n}"
        body, headers = signed_command(text, self.recorder.url.rstrip("/") + path, n)
        with httpx.Client(timeout=10) as client:
            t0 = time.perf_counter()
            response = client.post(self.base + EVENTS_PATH, content=body, headers=headers)
            return response.status_code, time.perf_counter() - t0, path, t0


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def commands(cases: int) -> list[str]:
    year = 2026
    refs = [f"SAM-{year}-{n:04d}" for n in (1, cases // 2, cases)]
    return [
        "hjälp", *(f"visa {r}" for r in refs), "lista bedömning Seved", "påminnelser",
        "mina", f"tilldela {refs[0]} @{OFFICIAL}", "statistik",
    ]  # fmt: skip


def run(cases: int, bursts: int, burst: int, singles: int) -> list[tuple[str, str, str]]:
    recorder = Recorder()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        settings, intake = load_cases(Path(tmp), cases, recorder.url)
        load_s = time.perf_counter() - t0
        bridge = build_slack(settings, intake.engine, intake, clock=lambda: datetime.now(UTC))
        assert bridge is not None
        with serving(bridge) as base:
            sender = Sender(base, recorder)
            mix = commands(cases)
            single_acks, single_answers = [], []
            for i in range(singles):
                _, ack, path, sent = sender.send(mix[i % len(mix)])
                recorder.wait([path])
                single_acks.append(ack)
                single_answers.append(recorder.arrived[path] - sent)
            burst_acks: list[float] = []
            refused = 0
            slowest_answer = 0.0
            for _ in range(bursts):
                with ThreadPoolExecutor(burst) as pool:
                    sent_all = list(
                        pool.map(sender.send, (mix[i % len(mix)] for i in range(burst)))
                    )
                recorder.wait([path for _, _, path, _ in sent_all])
                burst_acks += [ack for _, ack, _, _ in sent_all]
                refused += sum(status != 200 for status, *_ in sent_all)
                slowest_answer = max(
                    [slowest_answer]
                    + [
                        recorder.arrived.get(path, time.perf_counter()) - at
                        for _, _, path, at in sent_all
                    ]
                )
            bridge.stop()
    ok_bursts = max(burst_acks) < 3.0 and refused == 0
    ok_single = p(single_acks, 0.99) <= 0.050
    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    return [
        ("cases stored", f"{cases:,}", f"loaded in {load_s:.0f} s"),
        ("single commands", f"{singles}", ", ".join(sorted({c.split()[0] for c in mix}))),
        ("  acknowledgement p50 / p99", f"{ms(p(single_acks, 0.5))} / {ms(p(single_acks, 0.99))}",
         "goal p99 <= 50 ms " + ("OK" if ok_single else "MISSED")),
        ("  answer at response_url p50 / p99",
         f"{ms(statistics.median(single_answers))} / {ms(p(single_answers, 0.99))}", ""),
        (f"bursts of {burst}", f"{bursts}", f"{refused} not acknowledged with 200"),
        ("  acknowledgement p50 / max", f"{ms(p(burst_acks, 0.5))} / {ms(max(burst_acks))}",
         "goal max < 3 s " + ("OK" if ok_bursts else "MISSED")),
        ("  slowest answer after its command", ms(slowest_answer), ""),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--singles", type=int, default=100)
    args = parser.parse_args()
    rows = run(args.cases, args.bursts, args.burst, args.singles)
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip())
    print(json.dumps({"ok": all("MISSED" not in r[2] for r in rows)}))


if __name__ == "__main__":
    main()
