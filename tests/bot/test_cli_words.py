"""The command line speaks Swedish, starts at once and says where the database is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from samverkan.bot.cli import COMMANDS, EXIT_DATABASE, EXIT_USAGE, load_command
from tests.helpers.cli import run
from tests.helpers.intake import COMPLETE, mail

ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "Error", "Missing")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in [k for k in os.environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def every_help_page() -> list[list[str]]:
    pages = [[e.name, "--help"] for e in COMMANDS]
    for entry in COMMANDS:
        command = load_command(entry)
        for sub in getattr(command, "commands", {}):
            pages.append([entry.name, sub, "--help"])
    return pages


def test_version_is_the_installed_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out == f"samverkan {version('samverkan')}\n"


def test_the_overview_lists_every_command_with_its_own_first_help_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("Användning: samverkan")
    for entry in COMMANDS:
        first_line = (load_command(entry).help or "").strip().splitlines()[0]
        assert entry.summary == first_line, entry.name
        assert f"  {entry.name} " in out


@pytest.mark.parametrize("args", every_help_page(), ids=" ".join)
def test_every_help_page_is_swedish(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out.startswith(f"Användning: samverkan {' '.join(args[:-1])}")
    assert "Visa den här hjälpen och avsluta." in out
    assert [word for word in ENGLISH if word in out] == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["cases", "--jsn"], "Okänd flagga: --jsn (menade du --json?)"),
        (["show"], "Saknar argument 'REF'"),
        (["cases", "--json", "extra"], "Oväntade argument: extra"),
        (["tick", "--now"], "Flaggan '--now' behöver ett värde"),
        (["rules", "check"], "Saknar argument 'FIL'"),
        (["rules", "kolla"], "Okänt kommando 'kolla'"),
        (["lista"], "Okänt kommando 'lista'"),
        (["--verbose"], "Okänd flagga: --verbose"),
    ],
)
def test_usage_errors_are_one_swedish_line(
    env: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == EXIT_USAGE
    assert out == ""
    assert err.startswith("Fel: ")
    assert says in err
    assert err.count("\n") == 1
    assert [word for word in ENGLISH if word in err] == []


def test_a_missing_database_is_named_and_not_created(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "cases", "--json")
    assert code == EXIT_DATABASE
    assert out == ""
    assert str(env / "samverkan.db") in err
    assert "samverkan init" in err
    assert not (env / "samverkan.db").exists()


def test_phases_are_accepted_as_shown_and_typed_without_accents(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    folder = env / "in"
    folder.mkdir()
    (folder / "a.eml").write_bytes(mail(COMPLETE, message_id="<ord-1@x>"))
    code, _, err = run(capsys, "ingest", "--no-send", str(folder))
    assert code == 0
    assert "Klart: 1 nytt ärende." in err
    for typed in ("bedömning", "Bedömning", "bedomning"):
        code, out, _ = run(capsys, "cases", "--json", "--phase", typed)
        assert code == 0
        assert [c["ref"] for c in json.loads(out)] == ["SAM-2026-0001"]
    code, out, _ = run(capsys, "cases", "--phase", "möte")
    assert (code, out) == (0, "Inga ärenden.\n")


def loaded_modules(*args: str) -> set[str]:
    """Top-level packages a command imported, run as the console script runs it."""
    program = (
        "import sys\n"
        "from samverkan.bot.cli import main\n"
        f"main({list(args)!r})\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    return set(done.stderr.strip().splitlines()[-1].split())


def test_help_and_version_load_no_library() -> None:
    for args in (["--help"], ["--version"]):
        heavy = loaded_modules(*args) & {"typer", "sqlalchemy", "pydantic", "rich", "alembic"}
        assert heavy == set(), args


def test_reading_cases_loads_neither_alembic_nor_the_mail_pipeline(env: Path) -> None:
    loaded = loaded_modules("cases", "--json")
    assert loaded & {"alembic", "mako", "pygments", "pypdf", "slack_bolt", "uvicorn"} == set()


def test_show_lists_the_messages_and_reminders_in_local_time(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SAMVERKAN_OFFICIALS", "U0KARIN:kontaktperson")
    assert run(capsys, "init")[0] == 0
    (env / "a.eml").write_bytes(mail(COMPLETE, message_id="<visa-1@x>"))
    assert run(capsys, "ingest", "--no-send", str(env / "a.eml"))[0] == 0
    code, _, err = run(capsys, "chat", "--as", "U0KARIN", "möte SAM-2026-0001 2030-06-12 10:00")
    assert code == 0, err
    code, out, _ = run(capsys, "show", "SAM-2026-0001")
    assert code == 0
    messages = out.split("Meddelanden (")[1].split("Påminnelser")[0]
    assert " in e-post " in messages
    assert "ut e-post" in messages
    assert "väntar på att skickas" in messages  # no SMTP configured: the reply waits
    reminders = out.split("Påminnelser (")[1].split("Historik:")[0]
    assert "2030-06-11 " in reminders  # the working day before the meeting
    assert "väntar" in reminders
