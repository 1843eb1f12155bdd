"""``samverkan chat``: one command through the command core, its reply and its exit code."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path

import pytest

from samverkan.bot.cli import EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE, main

APPLICATION = """Vi ansöker om samverkansstöd för Seved.

Organisation: Sevedsföreningen
Organisationsnummer: 802457-3167

Fastighetsägare och butiker i området vill samverka med föreningarna och de boende.
Syfte: Området har problem med otrygghet men stor potential som vi vill ta tillvara.
Mål: Ökad trygghet mätt i trygghetsvandringar.
Egen insats: Fastighetsägarna bidrar med 200 000 kr.
Vi söker finansiering med 350 000 kr under 24 månader.

Kontaktperson: Lina Ek, lina@seved.example
"""


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An initialised SQLite database with one case in bedömning, and two officials."""
    for key in [k for k in os.environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAMVERKAN_OFFICIALS", "U0KARIN:kontaktperson,anna.berg@malmo.se:samordnare")
    msg = EmailMessage()
    msg["From"] = "Lina Ek <lina@seved.example>"
    msg["To"] = "samverkan@malmo.se"
    msg["Subject"] = "Ansökan om samverkansstöd"
    msg["Message-ID"] = "<app-1@seved.example>"
    msg.set_content(APPLICATION)
    (tmp_path / "ansokan.eml").write_bytes(msg.as_bytes())
    assert main(["init"]) == 0
    assert main(["ingest", "--no-send", "ansokan.eml"]) == 0
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["chat", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_command_prints_its_reply_and_exits_0(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--as", "U0KARIN", "visa SAM-2026-0001")
    assert code == 0
    assert out.startswith("SAM-2026-0001 – ")
    assert "Fas: bedömning" in out
    assert "[Godkänn] godkänn SAM-2026-0001" in out


def test_words_need_no_quotes_and_the_memo_is_printed(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--as", "U0KARIN", "godkann", "SAM-2026-0001")
    assert code == 0
    assert "Fas: nämnd" in out
    assert (
        "--- Tjänsteskrivelse SAM-2026-0001 (utkast) (tjansteskrivelse-SAM-2026-0001.md) ---" in out
    )
    code, out, _ = run(capsys, "--as", "U0KARIN", "show", "SAM-2026-0001")
    assert "Fas: nämnd" in out


def test_who_comes_from_the_environment_or_must_be_given(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "lista")
    assert code == EXIT_USAGE
    assert "--as" in err
    assert out == ""
    monkeypatch.setenv("SAMVERKAN_CHAT_AS", "anna.berg@malmo.se")
    code, out, _ = run(capsys, "lista")
    assert code == 0
    assert "SAM-2026-0001: bedömning · Seved" in out


def test_refusals_exit_1(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--as", "U0NOBODY", "godkänn SAM-2026-0001")
    assert code == EXIT_FAILED
    assert "inte registrerad som handläggare" in out
    code, out, _ = run(capsys, "--as", "U0KARIN", "uppföljning SAM-2026-0001 resultat x")
    assert code == EXIT_FAILED
    assert "Det du kan göra nu: komplettera SAM-2026-0001 …, möte SAM-2026-0001" in out
    code, out, _ = run(capsys, "--as", "U0KARIN", "visa SAM-2026-0001")
    assert "Fas: bedömning" in out  # nothing moved


def test_a_parse_error_exits_2_with_help_and_an_unknown_case_3(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--as", "U0KARIN", "flytta SAM-2026-0001")
    assert code == EXIT_USAGE
    assert "Okänt kommando 'flytta'" in out
    assert "godkänn|approve REF [override: skäl]" in out
    code, out, _ = run(capsys, "--as", "U0KARIN", "möte SAM-2026-0001 imorgon")
    assert code == EXIT_USAGE
    assert "Så här: möte|meeting REF ÅÅÅÅ-MM-DD TT:MM" in out
    code, out, _ = run(capsys, "--as", "U0KARIN", "visa SAM-2026-0099")
    assert code == EXIT_NOT_FOUND
    assert "Det finns inget ärende SAM-2026-0099." in out


def test_help_is_open_to_anyone_also_without_as(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "hjälp")
    assert code == 0
    assert "--as" not in err  # no one was asked who they are
    assert "Kommandon i Samverkan" in out
    code, out, _ = run(capsys, "hjälp", "möte")
    assert code == 0
    assert "möte|meeting REF" in out


def test_a_typo_is_answered_with_menade_du_and_that_commands_usage(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--as", "U0KARIN", "godkan SAM-2026-0001")
    assert code == EXIT_USAGE
    assert "Menade du godkänn?" in out
    assert "Så här: godkänn|approve REF" in out
    assert "Kommandon i Samverkan" not in out  # not the whole help
