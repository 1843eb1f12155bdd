"""``samverkan serve`` as a real process: start it, ask its HTTP endpoints, stop it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

EXE = str(Path(sys.executable).parent / "samverkan")


def wait_for(check: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def cli(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def clean_environment(**extra: str) -> dict[str, str]:
    """The machine's environment without any SAMVERKAN_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    env.update(extra)
    return env


@contextmanager
def serving(workdir: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """``samverkan serve`` in ``workdir`` until the block ends; then SIGTERM and exit code 0."""
    proc = subprocess.Popen(
        [EXE, "serve"], cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
            assert proc.returncode == 0, proc.stdout.read().decode() if proc.stdout else ""


def get(port: int, path: str) -> tuple[int, bytes] | None:
    """Status and body of ``GET path``; None while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return int(resp.status), bytes(resp.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())
    except OSError:
        return None


def healthz(port: int) -> dict[str, object] | None:
    answer = get(port, "/healthz")
    return None if answer is None else dict(json.loads(answer[1]))


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``/metrics`` parsed: (sample name, sorted labels) -> value."""
    answer = get(port, "/metrics")
    assert answer is not None
    assert answer[0] == 200, answer
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(answer[1].decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples
