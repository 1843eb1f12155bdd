"""`samverkan person export|erase`: a registry extract, and erasure within the archives act."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from samverkan.bot.cli import main
from tests.helpers.intake import COMPLETE, mail


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in [k for k in os.environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "1.eml").write_bytes(mail(COMPLETE, message_id="<app@x>"))
    (tmp_path / "in" / "2.eml").write_bytes(
        mail("Jag är på semester.", subject="Frånvaro", message_id="<oof@x>")
    )
    assert main(["ingest", "--no-send", str(tmp_path / "in")]) == 0
    return tmp_path


def export(capsys: pytest.CaptureFixture[str], email: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["person", "export", email]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_export_lists_the_application_and_every_message(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = export(capsys, "Lina@Seved.example")
    applications = data["applications"]
    assert isinstance(applications, list)
    assert [a["case"] for a in applications] == ["SAM-2026-0001"]
    messages = data["messages"]
    assert isinstance(messages, list)
    assert sorted((m["direction"], m["outcome"] or "") for m in messages) == [
        ("in", "created"),
        ("in", "ignored"),
        ("out", ""),
    ]
    assert export(capsys, "nobody@example.se")["messages"] == []


def test_erase_removes_mail_outside_cases_and_keeps_public_records(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["person", "erase", "lina@seved.example"]) == 0
    said = capsys.readouterr().out
    assert "Raderade 1 meddelanden" in said
    assert "SAM-2026-0001" in said
    assert "arkivlagen" in said
    data = export(capsys, "lina@seved.example")
    messages = data["messages"]
    assert isinstance(messages, list)
    assert all(m["case"] == "SAM-2026-0001" for m in messages)
    assert len(data["applications"]) == 1  # type: ignore[arg-type]
