"""`samverkan serve` on embedded defaults, as the README starts it: a real process."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.intake import COMPLETE, mail
from tests.helpers.serve import clean_environment, cli, healthz, serving, wait_for
from tests.helpers.slack import SECRET, FakeSlack, command_body, signed


@pytest.fixture
def extra_env() -> dict[str, str]:
    """Settings a test adds to the service's environment (before it starts)."""
    return {}


@pytest.fixture
def service(
    tmp_path: Path, free_port: Callable[[], int], extra_env: dict[str, str]
) -> Iterator[tuple[Path, dict[str, str], int]]:
    port = free_port()
    env = clean_environment(SAMVERKAN_HTTP_PORT=str(port), **extra_env)
    assert cli(tmp_path, env, "init").returncode == 0
    with serving(tmp_path, env):
        yield tmp_path, env, port


@pytest.mark.slow
def test_serve_on_defaults_reads_the_seeded_drop_folder_and_new_mail(
    service: tuple[Path, dict[str, str], int],
) -> None:
    workdir, env, port = service
    wait_for(lambda: healthz(port) is not None)
    health = healthz(port)
    assert health is not None
    assert health["database"] == "ok"

    def cases() -> list[dict[str, object]]:
        done = cli(workdir, env, "cases", "--json")
        return list(json.loads(done.stdout)) if done.returncode == 0 else []

    wait_for(lambda: len(cases()) >= 1)  # the bundled examples
    seeded = len(cases())
    drop = workdir / "maildir"
    (drop / "tmp" / "new-app").write_bytes(mail(COMPLETE, message_id="<serve-1@x>"))
    (drop / "tmp" / "new-app").rename(drop / "new" / "new-app")
    wait_for(lambda: len(cases()) == seeded + 1)
    wait_for(lambda: not list((drop / "new").iterdir()))
    health = healthz(port)
    assert health is not None
    assert health["status"] == "ok"


@pytest.fixture
def slack_env(fake_slack: FakeSlack, extra_env: dict[str, str]) -> dict[str, str]:
    extra_env.update(
        {
            "SAMVERKAN_SLACK_BOT_TOKEN": "xoxb-test",
            "SAMVERKAN_SLACK_SIGNING_SECRET": SECRET,
            "SAMVERKAN_SLACK_API_URL": fake_slack.url,
            "SAMVERKAN_SLACK_CHANNEL": "C0SAMVERKAN",
            "SAMVERKAN_OFFICIALS": "U0KARIN:kontaktperson",
        }
    )
    return extra_env


@pytest.mark.slow
def test_serve_with_slack_posts_notices_and_answers_signed_commands(
    slack_env: dict[str, str],
    fake_slack: FakeSlack,
    service: tuple[Path, dict[str, str], int],
) -> None:
    _, _, port = service
    wait_for(lambda: healthz(port) is not None)

    def posted_to_channel() -> list[str]:
        return [
            str(c.body.get("text", ""))
            for c in fake_slack.to("/chat.postMessage")
            if c.body.get("channel") == "C0SAMVERKAN"
        ]

    wait_for(lambda: any("Nytt ärende SAM-2026-0001" in t for t in posted_to_channel()))
    body = command_body(fake_slack, "visa SAM-2026-0001")
    answer = httpx.post(
        f"http://127.0.0.1:{port}/slack/events", content=body, headers=signed(body), timeout=10
    )
    assert answer.status_code == 200
    wait_for(lambda: any(c.path.startswith("/hooks/") for c in fake_slack.calls))
    forged = httpx.post(
        f"http://127.0.0.1:{port}/slack/events",
        content=body,
        headers=signed(body, secret="wrong"),
        timeout=10,
    )
    assert forged.status_code == 401
