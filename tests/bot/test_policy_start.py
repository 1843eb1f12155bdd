"""``serve`` and ``tick`` refuse a deadline policy file with a mistake, naming file and line."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from samverkan.rules.deadline_policy import BUNDLED_POLICY
from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture


def policy_file(folder: Path, *, mistake: bool) -> tuple[Path, int]:
    """The bundled policy under another id, with the result measurement's offset in weeks
    (not a unit the policy knows) when ``mistake``; the file and the line of that offset."""
    bundled = resources.files("samverkan.rules").joinpath("rulesets", BUNDLED_POLICY)
    text = bundled.read_text(encoding="utf-8").replace('id = "frister-2026-12-01.1"', 'id = "x.1"')
    if mistake:
        text = text.replace('"6 månader"', '"26 veckor"')
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "26 veckor" in t or "6 mån" in t)
    path = folder / "frister.toml"
    path.write_text(text, encoding="utf-8")
    return path, line


@pytest.fixture
def initialised(
    clean_env: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> Path:
    assert run(capsys, "init")[0] == 0
    return clean_env


@pytest.mark.parametrize("command", ["serve", "tick"])
def test_a_mistake_in_the_policy_file_stops_the_start_with_its_file_and_line(
    command: str,
    initialised: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, line = policy_file(initialised, mistake=True)
    monkeypatch.setenv("SAMVERKAN_DEADLINES_FILE", str(path))
    code, out, err = run(capsys, command)
    assert code == 1
    assert err.startswith("Fel: Startar inte: fristfilen i SAMVERKAN_DEADLINES_FILE går inte")
    assert f"{path}, rad {line}:" in err
    assert "26 veckor" in err  # what is wrong, in the file's own words
    assert f"samverkan deadlines check {path}" in err
    assert "Traceback" not in err
    assert err.count("\n") == 1
    assert "Klart" not in out  # nothing ran


def test_a_missing_policy_file_is_named(
    initialised: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = initialised / "finns-inte.toml"
    monkeypatch.setenv("SAMVERKAN_DEADLINES_FILE", str(missing))
    code, _, err = run(capsys, "tick")
    assert code == 1
    assert f"{missing}: Filen finns inte." in err


def test_a_valid_policy_file_lets_the_tick_run(
    initialised: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = policy_file(initialised, mistake=False)
    monkeypatch.setenv("SAMVERKAN_DEADLINES_FILE", str(path))
    code, out, err = run(capsys, "tick", "--now", "2026-03-02T08:00")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("Klart vid 2026-03-02T08:00:00+01:00")
