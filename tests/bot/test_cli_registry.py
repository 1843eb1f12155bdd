"""``samverkan officials`` and ``samverkan committee`` as an operator uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samverkan.bot.cli import EXIT_NOT_FOUND, EXIT_USAGE
from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture


@pytest.fixture
def initialised(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Path:
    workdir: Path = request.getfixturevalue("clean_env")
    monkeypatch.setenv("SAMVERKAN_OFFICIALS", "U0KARIN:kontaktperson,anna.berg@malmo.se:samordnare")
    assert run(capsys, "init")[0] == 0
    return workdir


def test_officials_are_listed_added_changed_and_removed(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "officials", "list", "--json")
    assert code == 0
    assert {o["id"] for o in json.loads(out)} == {"U0KARIN", "anna.berg@malmo.se"}

    code, out, _ = run(
        capsys, "officials", "change", "U0KARIN", "--name", "Karin Holm",
        "--title", "Stadsutvecklare", "--email", "karin.holm@malmo.se",
    )  # fmt: skip
    assert code == 0
    assert "Karin Holm, Stadsutvecklare – kontaktperson" in out
    code, out, _ = run(
        capsys, "officials", "add", "U0PER", "--role", "samordnare", "--name", "Per Ek"
    )
    assert code == 0
    code, out, _ = run(capsys, "officials", "list", "--json")
    listed = {o["id"]: o for o in json.loads(out)}
    assert listed["U0KARIN"]["email"] == "karin.holm@malmo.se"
    assert listed["U0PER"]["role"] == "samordnare"

    assert run(capsys, "officials", "remove", "karin.holm@malmo.se")[0] == 0
    code, out, _ = run(capsys, "officials", "list")
    assert "Karin Holm" not in out
    code, out, _ = run(capsys, "officials", "list", "--all")
    assert "Karin Holm, Stadsutvecklare – kontaktperson – U0KARIN" in out
    assert "(borttagen)" in out

    code, _, err = run(capsys, "officials", "add", "U0NEW")
    assert code == EXIT_USAGE
    assert "Ange rollen" in err


def test_the_committee_calendar_from_the_terminal(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "committee", "add", "2030-02-23", "--memo-deadline", "2030-02-02")
    assert code == 0
    assert "2030-02-23 är tillagt" in out
    code, out, _ = run(capsys, "committee", "list", "--json")
    assert json.loads(out) == [{"date": "2030-02-23", "memo_deadline": "2030-02-02"}]
    code, _, err = run(capsys, "committee", "add", "2030-03-01", "--memo-deadline", "2030-03-02")
    assert code == EXIT_USAGE
    assert "ligger efter sammanträdet" in err
    assert run(capsys, "committee", "remove", "2030-02-23")[0] == 0
    code, _, err = run(capsys, "committee", "remove", "2030-02-23")
    assert code == EXIT_NOT_FOUND
    assert "Inga sammanträden" in run(capsys, "committee", "list")[1]
