"""``samverkan outbox``: a registrar sees what waits, what went and what could not be sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samverkan.bot.cli import EXIT_NOT_FOUND, EXIT_USAGE
from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture
from tests.helpers.intake import COMPLETE, mail
from tests.helpers.smtp import PickySink, picky_smtp  # noqa: F401 - picky_smtp is a fixture


@pytest.fixture
def sent_and_failed(
    clean_env: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    picky_smtp: tuple[PickySink, int],  # noqa: F811 - the fixture
) -> PickySink:
    """Two applications: the reply to one went, the other's address was refused."""
    sink, port = picky_smtp
    assert run(capsys, "init")[0] == 0
    (clean_env / "a.eml").write_bytes(mail(COMPLETE, message_id="<ut-1@x>"))
    (clean_env / "b.eml").write_bytes(
        mail(COMPLETE, message_id="<ut-2@x>", sender="Okänd <okand@nowhere.example>")
    )
    monkeypatch.setenv("SAMVERKAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SAMVERKAN_SMTP_PORT", str(port))
    monkeypatch.setenv("SAMVERKAN_SMTP_TLS", "none")
    code, _, err = run(capsys, "ingest", str(clean_env / "a.eml"), str(clean_env / "b.eml"))
    assert code == 0, err
    return sink


def emails(items: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {i["to"]: i for i in items if i["channel"] == "email"}


def test_the_outbox_lists_what_went_and_what_was_refused(
    sent_and_failed: PickySink, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sent_and_failed.accepted == ["lina@seved.example"]
    code, out, _ = run(capsys, "outbox", "--json")
    assert code == 0
    mails = emails(json.loads(out))
    assert mails["lina@seved.example"]["state"] == "sent"
    assert mails["lina@seved.example"]["case"] == "SAM-2026-0001"
    refused = mails["okand@nowhere.example"]
    assert refused["state"] == "failed"
    assert "550" in str(refused["last_error"])

    code, out, _ = run(capsys, "outbox", "--failed", "--json")
    assert code == 0
    assert {i["state"] for i in json.loads(out)} == {"failed"}
    assert "okand@nowhere.example" in emails(json.loads(out))

    code, out, _ = run(capsys, "outbox", "--pending", "--json")
    assert code == 0
    assert all(i["state"] in ("pending", "sending") for i in json.loads(out))
    assert "lina@seved.example" not in emails(json.loads(out))

    code, out, _ = run(capsys, "outbox", "--failed")
    assert code == 0
    assert "misslyckades" in out
    assert "okand@nowhere.example" in out


def test_one_outbox_item_in_full(
    sent_and_failed: PickySink, capsys: pytest.CaptureFixture[str]
) -> None:
    items = json.loads(run(capsys, "outbox", "--failed", "--json")[1])
    refused = emails(items)["okand@nowhere.example"]
    code, out, _ = run(capsys, "outbox", "show", str(refused["id"]))
    assert code == 0
    assert "Tillstånd:    misslyckades" in out
    assert "550" in out
    assert "No such user here" in out
    assert "SAM-2026-0002" in out
    code, out, _ = run(capsys, "outbox", "show", str(refused["id"]), "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["id"] == refused["id"]
    assert shown["text"]  # the reply as rendered
    assert shown["message_id"]


def test_an_unknown_outbox_id_exits_3_and_a_word_exits_2(
    sent_and_failed: PickySink, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "outbox", "show", "99999")
    assert (code, out) == (EXIT_NOT_FOUND, "")
    assert "99999" in err
    code, _, err = run(capsys, "outbox", "show", "tjugo")
    assert code == EXIT_USAGE
    assert "tjugo" in err
