"""What ``samverkan serve`` says when it starts, and a start that cannot happen."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from samverkan.bot.startup import WARNING, configuration_report
from samverkan.config import Settings
from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture

EXE = str(Path(sys.executable).parent / "samverkan")


def lines(settings: Settings) -> dict[str, tuple[int, str]]:
    return {text.split(":")[0]: (level, text) for level, text in configuration_report(settings)}


def test_unset_smtp_and_chat_are_named_with_what_that_means(tmp_path: Path) -> None:
    report = lines(Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/s.db"))
    level, text = report["Utgående e-post"]
    assert level == WARNING
    assert "SAMVERKAN_SMTP_HOST" in text
    assert "väntar i utkorgen" in text
    assert report["Brevlåda"][0] == WARNING
    assert "maildir" in report["Brevlåda"][1]
    assert "inte konfigurerat" in report["Slack"][1]
    assert "inte konfigurerat" in report["Teams"][1]
    assert report["Handläggare"][0] == WARNING
    assert str(tmp_path / "s.db") in report["Databas"][1]


def test_configured_parts_are_named_without_their_secrets() -> None:
    settings = Settings(
        _env_file=None,
        database_url="postgresql://samverkan:hemligt-db@db.example:5432/samverkan",
        imap_host="imap.example",
        imap_user="samverkan@malmo.example",
        imap_password="hemligt-imap",
        smtp_host="smtp.example",
        smtp_password="hemligt-smtp",
        slack_bot_token="xoxb-hemligt",
        slack_signing_secret="hemligt-slack",
        slack_channel="C0SAMVERKAN",
        officials="U0KARIN:kontaktperson",
    )
    report = configuration_report(settings)
    assert all(level != WARNING for level, _ in report), report
    text = "\n".join(line for _, line in report)
    assert "db.example:5432/samverkan" in text
    assert "IMAP imap.example" in text
    assert "SMTP smtp.example:587" in text
    assert "C0SAMVERKAN" in text
    assert "hemligt" not in text


def test_a_port_in_use_is_one_swedish_line(
    clean_env: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, "init")[0] == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        monkeypatch.setenv("SAMVERKAN_HTTP_PORT", str(port))
        code, _, err = run(capsys, "serve")
    assert code == 1
    assert f"Port {port} på 127.0.0.1 används redan" in err
    assert "SAMVERKAN_HTTP_PORT" in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.slow
def test_serve_logs_its_configuration_in_local_time_and_no_scheduler_chatter(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    port = free_port()
    env.update(SAMVERKAN_HTTP_PORT=str(port), SAMVERKAN_TIMEZONE="Europe/Stockholm", TZ="UTC")
    done = subprocess.run([EXE, "init"], cwd=tmp_path, env=env, capture_output=True, check=False)
    assert done.returncode == 0
    proc = subprocess.Popen(
        [EXE, "serve"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)  # the first tick runs at start
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    log = out.decode()
    assert proc.returncode == 0, log
    assert "Utgående e-post: SMTP är inte konfigurerat" in log
    assert "Brevlåda: ingen IMAP- eller Graph-brevlåda" in log
    first = log.splitlines()[0]
    winter_or_summer = ("+01:00 ", "+02:00 ")
    assert any(offset in first for offset in winter_or_summer), first  # local, not the TZ=UTC
    assert "Running job" not in log
    assert "executed successfully" not in log
