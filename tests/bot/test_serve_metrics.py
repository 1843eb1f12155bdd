"""``/metrics`` and ``/healthz`` of a real ``samverkan serve`` after a known workload.

Five mails are dropped before the service starts: three applications (one from an address
the SMTP server refuses), a second copy of the first, and an out-of-office reply. The service
reads them, answers by e-mail (a real SMTP server) and announces the new cases in Slack (a
stand-in for Slack's Web API); then the scrape must say exactly that.
"""

from __future__ import annotations

import json
import mailbox
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.helpers.intake import COMPLETE, NO_ORGNR, mail
from tests.helpers.serve import clean_environment, cli, healthz, scrape, serving, wait_for
from tests.helpers.slack import SECRET, FakeSlack
from tests.helpers.smtp import PickySink, picky_smtp  # noqa: F401 - picky_smtp is a fixture

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def drop_workload(maildir: Path) -> None:
    box = mailbox.Maildir(maildir, create=True)  # exists: serve seeds no examples into it
    box.add(mail(COMPLETE, message_id="<m-1@seved.example>"))
    box.add(mail(COMPLETE, message_id="<m-1@seved.example>"))  # the same mail again
    box.add(mail(NO_ORGNR, message_id="<m-2@x>", sender="Karl Åsk <karl@foreningen.example>"))
    box.add(mail(COMPLETE, message_id="<m-3@x>", sender="Okänd <okand@nowhere.example>"))
    box.add(
        mail(
            "Jag är på semester till måndag.",
            subject="Frånvaro: Ansökan",
            message_id="<ooo@x>",
            sender="Per Sol <per@sol.example>",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )


def test_metrics_after_a_known_workload_match_what_happened(
    tmp_path: Path,
    free_port: Callable[[], int],
    picky_smtp: tuple[PickySink, int],  # noqa: F811 - the fixture
    fake_slack: FakeSlack,
) -> None:
    sink, smtp_port = picky_smtp
    port = free_port()
    env = clean_environment(
        SAMVERKAN_HTTP_PORT=str(port),
        SAMVERKAN_SMTP_HOST="127.0.0.1",
        SAMVERKAN_SMTP_PORT=str(smtp_port),
        SAMVERKAN_SMTP_TLS="none",
        SAMVERKAN_SLACK_BOT_TOKEN="xoxb-test",
        SAMVERKAN_SLACK_SIGNING_SECRET=SECRET,
        SAMVERKAN_SLACK_API_URL=fake_slack.url,
        SAMVERKAN_SLACK_CHANNEL="C0SAMVERKAN",
        SAMVERKAN_OFFICIALS="U0KARIN:kontaktperson",
        SAMVERKAN_DELIVERY_SECONDS="1",
    )
    assert cli(tmp_path, env, "init").returncode == 0
    drop_workload(tmp_path / "maildir")

    def outbox() -> list[dict[str, object]]:
        done = cli(tmp_path, env, "outbox", "--json")
        return list(json.loads(done.stdout)) if done.returncode == 0 else []

    def settled() -> bool:  # asked of /metrics: a CLI process per poll is slow
        states = {
            dict(labels)["state"]
            for (name, labels), v in scrape(port).items()
            if name == "samverkan_outbox_items" and v
        }
        return bool(states) and states <= {"sent", "failed"}

    with serving(tmp_path, env):
        wait_for(lambda: healthz(port) is not None)
        wait_for(lambda: not list((tmp_path / "maildir" / "new").iterdir()))
        wait_for(settled, 30)
        samples = scrape(port)
        health = healthz(port)

    by_outcome = {
        o: value(samples, "samverkan_intake_messages_total", outcome=o)
        for o in ("created", "appended", "duplicate", "ignored", "quarantined")
    }
    assert by_outcome == {
        "created": 3, "appended": 0, "duplicate": 1, "ignored": 1, "quarantined": 0
    }  # fmt: skip
    assert value(samples, "samverkan_intake_seconds_count") == 5
    assert value(samples, "samverkan_intake_seconds_sum") > 0

    cases = json.loads(cli(tmp_path, env, "cases", "--json").stdout)
    assert len(cases) == 3
    for phase, n in Counter(c["phase"] for c in cases).items():
        assert value(samples, "samverkan_cases", phase=phase) == n
    assert sum(v for (name, _), v in samples.items() if name == "samverkan_cases") == 3

    # The outbox by state and transport is what `samverkan outbox` lists, and what arrived.
    listed = Counter((str(i["state"]), str(i["transport"])) for i in outbox())
    scraped = {
        (dict(labels)["state"], dict(labels)["transport"]): v
        for (name, labels), v in samples.items()
        if name == "samverkan_outbox_items"
    }
    assert scraped == dict(listed)
    assert scraped[("failed", "email")] == 1  # the refused address
    assert scraped[("sent", "email")] == len(sink.accepted) >= 2
    posted = [c for c in fake_slack.to("/chat.postMessage") if c.body.get("channel")]
    assert scraped[("sent", "slack")] == len(posted) >= 3  # new cases, the failed mail
    assert value(samples, "samverkan_deliveries_total", transport="email", result="failed") == 1
    assert value(
        samples, "samverkan_deliveries_total", transport="email", result="delivered"
    ) == len(sink.accepted)
    assert value(samples, "samverkan_database_up") == 1
    assert value(samples, "samverkan_mailbox_reader") == 1
    assert value(samples, "samverkan_mailbox_state", state="ok") == 1

    assert health is not None
    connections = health["connections"]
    assert isinstance(connections, dict)
    assert connections["slack"]["state"] == "ok"
    assert connections["email"]["state"] in ("ok", "failing")  # by which mail went last
    assert "550" in connections["email"]["last_error"]  # the refused address
    assert connections["email"]["last_failure_at"] is not None
    mailbox_health = health["mailbox"]
    assert isinstance(mailbox_health, dict)
    assert mailbox_health["reading_here"] is True
    assert mailbox_health["holder"] == mailbox_health["this_instance"]
