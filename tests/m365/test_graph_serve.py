"""``samverkan serve`` with MAIL_BACKEND=graph, a real process against the stand-ins: mail
becomes a case, and a token that cannot be had is one line in /healthz, not a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.imap.support import make_message, wait_until
from tests.m365.conftest import MAILBOX
from tests.m365.entra import CLIENT_ID, CLIENT_SECRET, TENANT, Entra
from tests.m365.graph_standin import Graph

EXE = str(Path(sys.executable).parent / "samverkan")


def _healthz(port: int) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            return dict(json.loads(resp.read()))
    except OSError:
        return None


@pytest.fixture
def serve(
    entra: Entra, graph: Graph, tmp_path: Path, free_port: Callable[[], int]
) -> Iterator[Callable[[str], tuple[int, Callable[[], list[object]]]]]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(secret: str, **more: str) -> tuple[int, Callable[[], list[object]]]:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
        env.update(
            REQUESTS_CA_BUNDLE=str(entra.cafile),
            SAMVERKAN_HTTP_PORT=str(port),
            SAMVERKAN_MAIL_BACKEND="graph",
            SAMVERKAN_GRAPH_MAILBOX=MAILBOX,
            SAMVERKAN_GRAPH_URL=graph.url,
            SAMVERKAN_GRAPH_POLL_SECONDS="0.5",
            SAMVERKAN_M365_AUTHORITY_URL=entra.authority_url,
            SAMVERKAN_M365_TENANT_ID=TENANT,
            SAMVERKAN_M365_CLIENT_ID=CLIENT_ID,
            SAMVERKAN_M365_CLIENT_SECRET=secret,
        )
        env.update({k: v.format(port=port) for k, v in more.items()})
        run = {"cwd": tmp_path, "env": env, "capture_output": True, "timeout": 60}
        assert subprocess.run([EXE, "init"], check=False, **run).returncode == 0  # type: ignore[call-overload]
        log = (tmp_path / "serve.log").open("wb")
        procs.append(
            subprocess.Popen([EXE, "serve"], cwd=tmp_path, env=env, stdout=log, stderr=log)
        )

        def cases() -> list[object]:
            done = subprocess.run([EXE, "cases", "--json"], check=False, text=True, **run)  # type: ignore[call-overload]
            return list(json.loads(done.stdout)) if done.returncode == 0 else []

        return port, cases

    yield start
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


@pytest.mark.slow
def test_serve_reads_the_mailbox_through_graph(
    serve: Callable[..., tuple[int, Callable[[], list[object]]]], graph: Graph
) -> None:
    graph.deliver(make_message(1))
    port, cases = serve(CLIENT_SECRET)
    wait_until(lambda: len(cases()) == 1, 30, "a case from the Graph mailbox")
    graph.deliver(make_message(2))
    wait_until(lambda: len(cases()) == 2, 60, "live mail")
    health = _healthz(port)
    assert health is not None
    assert health["status"] == "ok"
    assert health["mailbox"]["state"] == "ok"  # type: ignore[index]
    assert health["m365"]["state"] == "ok"  # type: ignore[index]


@pytest.mark.slow
def test_a_refused_secret_is_one_line_in_healthz_and_the_service_stays_up(
    serve: Callable[..., tuple[int, Callable[[], list[object]]]], tmp_path: Path
) -> None:
    port, _ = serve("fel-hemlighet")

    def mailbox_state() -> object:
        mailbox = (_healthz(port) or {}).get("mailbox")
        return mailbox.get("state") if isinstance(mailbox, dict) else None

    # The token's state is recorded a moment before the watcher reports its failed login.
    wait_until(lambda: mailbox_state() == "login_failed", 30, "the failed login")
    health = _healthz(port)
    assert health is not None
    assert health["status"] == "degraded"
    error = health["m365"]["last_error"]  # type: ignore[index]
    assert "invalid_client" in error
    assert "\n" not in error
    assert health["mailbox"]["state"] == "login_failed"  # type: ignore[index]
    time.sleep(0.5)
    log = (tmp_path / "serve.log").read_text()
    assert "fel-hemlighet" not in log
    assert "Traceback" not in log


@pytest.mark.slow
def test_a_change_notification_wakes_the_watcher_long_before_its_next_poll(
    serve: Callable[..., tuple[int, Callable[[], list[object]]]], graph: Graph
) -> None:
    graph.deliver(make_message(1))
    _, cases = serve(
        CLIENT_SECRET,
        SAMVERKAN_GRAPH_POLL_SECONDS="300",
        SAMVERKAN_GRAPH_NOTIFICATION_URL="http://127.0.0.1:{port}/graph/notifications",
    )
    wait_until(lambda: len(cases()) == 1, 30, "the first round")
    wait_until(lambda: bool(graph.subscriptions), 30, "a validated subscription")
    (subscription,) = graph.subscriptions.values()
    assert subscription["changeType"] == "created"
    started = time.monotonic()
    graph.deliver(make_message(2))
    wait_until(lambda: len(cases()) == 2, 30, "the notified mail")
    assert time.monotonic() - started < 30  # a poll would have taken 300 s
    assert graph.notified
