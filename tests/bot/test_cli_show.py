"""`samverkan show` speaks Swedish to people and keeps the machine values in --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture
from tests.helpers.intake import NO_ORGNR, mail


def test_show_says_uppfyllt_and_ofullstandig_and_json_keeps_the_machine_values(
    clean_env: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    (clean_env / "ansokan.eml").write_bytes(mail(NO_ORGNR))
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "ingest", "--no-send", "ansokan.eml")[0] == 0

    code, out, _ = run(capsys, "show", "SAM-2026-0001")
    assert code == 0
    assert "Bedömning (2020-08-25.1): ofullständig" in out
    assert "Geografiskt avgränsat område i Malmö: uppfyllt" in out
    assert "Identifierbar sökande: uppgift saknas" in out
    assert "fastighetsägare" in out
    assert "in e-post" in out
    assert "Diarienummer: TN-2026-0001" in out  # numbered by intake
    for machine_word in (": met", ": missing", "incomplete", "fastighetsagare", " email "):
        assert machine_word not in out

    code, out, _ = run(capsys, "show", "SAM-2026-0001", "--json")
    shown = json.loads(out)
    assert shown["diarienummer"] == "TN-2026-0001"
    assert shown["criteria"]["outcome"] == "incomplete"
    statuses = {r["id"]: r["status"] for r in shown["criteria"]["results"]}
    assert statuses["sokande"] == "missing"
    assert "fastighetsagare" in shown["actors"]
