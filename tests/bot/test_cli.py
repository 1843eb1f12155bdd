"""The command line as an operator and a script use it: output, JSON and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samverkan.bot.cli import EXIT_DATABASE, EXIT_NOT_FOUND, EXIT_USAGE, main


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean working directory and no SAMVERKAN_* leaking in from the machine."""
    for key in [k for k in list(__import__("os").environ) if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_init_twice_then_an_empty_case_list(
    kind: str,
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    if kind == "postgresql":
        url = request.getfixturevalue("pg_empty_database")
        monkeypatch.setenv("SAMVERKAN_DATABASE_URL", url)
    for _ in range(2):
        code, out, _ = run(capsys, "init")
        assert code == 0
        assert "är klar" in out
    code, out, _ = run(capsys, "cases", "--json")
    assert code == 0
    assert json.loads(out) == []
    if kind == "sqlite":
        assert (env / "samverkan.db").exists()  # the documented default: a file in the cwd


def test_show_an_unknown_case_exits_3_naming_it(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    code, out, err = run(capsys, "show", "SAM-2026-0042")
    assert code == EXIT_NOT_FOUND
    assert "SAM-2026-0042" in err
    assert out == ""


def test_commands_before_init_say_to_run_init(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "cases")
    assert code == EXIT_DATABASE
    assert "samverkan init" in err


def test_an_unreachable_database_is_reported_without_a_traceback(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAMVERKAN_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, _, err = run(capsys, "cases", "--json")
    assert code == EXIT_DATABASE
    assert "Kan inte ansluta till databasen" in err
    assert "Traceback" not in err


def test_a_malformed_database_url_is_named(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAMVERKAN_DATABASE_URL", "inte en url")
    code, _, err = run(capsys, "init")
    assert code == EXIT_DATABASE
    assert "Ogiltig databas-URL" in err


def test_a_wrong_phase_is_a_usage_error_listing_the_phases(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "cases", "--phase", "klar")
    assert code == EXIT_USAGE
    assert "bedömning" in err  # the phases as officials read them


def test_bad_officials_setting_is_a_clear_configuration_error(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAMVERKAN_OFFICIALS", "U0KARIN:chef")
    code, _, err = run(capsys, "cases")
    assert code == EXIT_USAGE
    assert "okänd roll 'chef'" in err


def test_the_installed_console_script_runs(env: Path) -> None:
    exe = shutil.which("samverkan", path=str(Path(sys.executable).parent))
    assert exe is not None, "the package must install a `samverkan` console script"
    done = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    for command in ("init", "cases", "show", "ingest"):
        assert command in done.stdout


def test_a_broken_rule_file_stops_the_service_at_start_up_naming_the_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from samverkan.rules.ruleset import bundled_ruleset_path

    text = bundled_ruleset_path().read_text(encoding="utf-8")
    broken = text.replace("min_categories = 2", "min_categories = två")
    line = next(n for n, s in enumerate(broken.splitlines(), 1) if "två" in s)
    (env / "regler.toml").write_text(broken, encoding="utf-8")
    monkeypatch.setenv("SAMVERKAN_RULES_FILE", str(env / "regler.toml"))
    assert run(capsys, "init")[0] == 0
    for command in (["serve"], ["ingest", str(env / "regler.toml")]):
        code, _, err = run(capsys, *command)
        assert code == 1
        assert f"rad {line}" in err
        assert "Traceback" not in err


def test_sqlite_runs_with_foreign_keys_and_wal(env: Path) -> None:
    from sqlalchemy import text

    from samverkan.storage.db import make_engine

    engine = make_engine(f"sqlite:///{env / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SAMVERKAN_SLACK_BOT_TOKEN", "xoxb-only-a-token", "SLACK"),
        ("SAMVERKAN_TEAMS_APP_ID", "00000000-0000-0000-0000-000000000001", "TEAMS_APP_PASSWORD"),
    ],
)
def test_a_half_configured_chat_platform_stops_serve_with_the_reason(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    says: str,
) -> None:
    assert run(capsys, "init")[0] == 0
    monkeypatch.setenv(variable, value)
    code, _, err = run(capsys, "serve")
    assert code == 1
    assert says in err
    assert "Traceback" not in err
