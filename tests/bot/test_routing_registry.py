"""Notices follow the officials' registry: an official added from the CLI gets their reminders
where they work, and one removed gets nothing more, whatever SAMVERKAN_OFFICIALS says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from samverkan.bot.tick import run_tick
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from tests.conftest import SmtpSink
from tests.helpers.chat import ANNA, REF, Chat
from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture
from tests.helpers.slack import CHANNEL, FakeSlack, fake_slack, slack_settings

__all__ = ["fake_slack"]  # the fixture, used by name

JONAS_SLACK = "U0JONAS1"


@pytest.fixture
def cli(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
) -> pytest.CaptureFixture[str]:
    """``samverkan`` on the test's database, configured as the service is."""
    request.getfixturevalue("clean_env")
    monkeypatch.setenv("SAMVERKAN_DATABASE_URL", db_url)
    monkeypatch.setenv("SAMVERKAN_OFFICIALS", "U0KARIN:kontaktperson,anna.berg@malmo.se:samordnare")
    return capsys


def office(engine: Engine, settings: Settings) -> Chat:
    clock = [datetime(2026, 3, 2, 9, 30, tzinfo=UTC)]
    return Chat(engine, settings, Intake(engine, settings, clock=lambda: clock[0]), clock)


def test_an_official_added_from_the_cli_gets_the_reminder_on_their_registered_slack_id(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, cli: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(cli, "officials", "add", "jonas.berg@malmo.se", "--role", "kontaktperson",
                       "--name", "Jonas Berg", "--slack", JONAS_SLACK)  # fmt: skip
    assert code == 0, err
    configured = slack_settings(settings, fake_slack)
    chat = office(engine, configured)
    chat.apply()
    # Assigned by his e-mail address; the registry knows his Slack id.
    assert chat(f"tilldela {REF} @jonas.berg@malmo.se", who=ANNA).ok
    assert chat(f"möte {REF} 2026-03-10 10:00").ok
    fake_slack.calls.clear()
    lines = run_tick(engine, configured, datetime(2026, 3, 9, 7, tzinfo=UTC))
    assert f"{REF}: påminnelse möte köad (2026-03-09 08:00)" in lines
    posted = [c.body for c in fake_slack.to("/chat.postMessage")]
    reminders = [p["channel"] for p in posted if f"Påminnelse {REF}" in p["text"]]
    assert sorted(reminders) == sorted([CHANNEL, JONAS_SLACK])


def test_without_chat_the_registry_decides_who_is_written_to(
    engine: Engine, settings: Settings, smtp_sink: SmtpSink, cli: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ("add", "eva.lund@malmo.se", "--role", "samordnare", "--name", "Eva Lund"),
        ("add", "per.ek@malmo.se", "--role", "kontaktperson", "--slack", "U0PEREK1"),
        ("remove", ANNA),  # still in SAMVERKAN_OFFICIALS, but no longer an official
    ):
        code, _, err = run(cli, "officials", *args)
        assert code == 0, err
    mailing = settings.model_copy(
        update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port, "smtp_tls": "none"}
    )
    chat = office(engine, mailing)
    chat.apply()
    assert chat(f"tilldela {REF} @U0PEREK1", who="eva.lund@malmo.se").ok  # Per, by Slack id
    # Monday 16 March: not assessed in ten working days (the coordinators), and the digest.
    lines = run_tick(engine, mailing, datetime(2026, 3, 16, 7, tzinfo=UTC))
    assert f"{REF}: påminnelse ej bedömt köad (2026-03-16 08:00)" in lines
    assert "veckobrev 2026-W12 till per.ek@malmo.se köat" in lines
    mail = [(m["To"], m["Subject"]) for m in smtp_sink.messages()]
    assessment = [to for to, subject in mail if f"{REF}" in subject and "bedömt" in subject]
    assert assessment == ["eva.lund@malmo.se"]
    assert any(to == "per.ek@malmo.se" and "Veckobrev" in subject for to, subject in mail)
    assert all(to != ANNA for to, _ in mail)
