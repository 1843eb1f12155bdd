"""The registrar's commands from a terminal: postlista (and its mistakes)."""

from __future__ import annotations

import csv
import io
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture
from tests.records.year import application_mail


@pytest.fixture
def workdir(clean_env: Path) -> Path:  # noqa: F811 - the fixture above
    (clean_env / "a.eml").write_bytes(application_mail(3, private=True))
    (clean_env / "b.eml").write_bytes(application_mail(4, private=False))
    noise = EmailMessage()
    noise["From"] = "nyhetsbrev@reklam.example"
    noise["To"] = "samverkan@malmo.se"
    noise["Subject"] = "Veckans erbjudanden"
    noise["Precedence"] = "bulk"
    noise.set_content("Köp nu!")
    (clean_env / "c.eml").write_bytes(noise.as_bytes())
    from samverkan.bot.cli import main

    assert main(["init"]) == 0
    assert main(["ingest", "--no-send", "a.eml", "b.eml", "c.eml"]) == 0
    return clean_env


def test_postlista_as_csv_and_html(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code, out, _ = run(capsys, "postlista", "--from", "2020-01-01", "--to", "2099-12-31")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert rows[0][:3] == ["Diarienummer", "Datum", "Riktning"]
    numbers = {r[0].split(":")[0] for r in rows[1:]}
    assert len(numbers) == 2  # two cases; the newsletter is no case and no registered document
    assert {r[4] for r in rows[1:] if r[2] == "Inkommen"} == {"Privatperson", "Sevedsföreningen"}
    assert "19811218-9876" not in out
    code, html, _ = run(
        capsys, "postlista", "--from", "2020-01-01", "--to", "2099-12-31", "--format", "html"
    )
    assert code == 0
    assert html.startswith("<!DOCTYPE html>")
    assert "Privatperson" in html


def test_postlista_refuses_a_backwards_period(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code, _, err = run(capsys, "postlista", "--from", "2026-05-01", "--to", "2026-04-01")
    assert code == 2
    assert "före" in err
    code, _, err = run(capsys, "postlista", "--from", "maj", "--to", "2026-04-01")
    assert code == 2


def test_gallra_dry_run_then_for_real_then_the_log(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code, out, _ = run(capsys, "gallra", "--dry-run", "--now", "2099-01-01T03:00")
    assert code == 0
    assert "Skulle gallras enligt brus: e-post (ignored)" in out
    assert "Veckans erbjudanden" in out
    code, again, _ = run(capsys, "gallra", "--dry-run", "--now", "2099-01-01T03:00")
    assert again == out  # the dry run changed nothing
    code, out, _ = run(capsys, "gallra", "--now", "2099-01-01T03:00")
    assert code == 0
    assert "Gallrat enligt brus" in out
    assert out.rstrip().endswith("enligt gallringsplan 2026-12-01.1.")
    code, log, _ = run(capsys, "gallra", "--log")
    assert "2026-12-01.1/brus: e-post (ignored)" in log
    code, out, _ = run(capsys, "gallra", "--now", "2099-01-01T03:00")
    assert "Gallrat: 0 " in out


def test_gallra_names_the_line_of_a_mistake_in_the_plan(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = workdir / "plan.toml"
    plan.write_text('id = "x"\nbeslut = "y"\n\n[[regel]]\nid = "a"\nvad = "allt"\n')
    monkeypatch.setenv("SAMVERKAN_RETENTION_FILE", str(plan))
    capsys.readouterr()
    code, _, err = run(capsys, "gallra", "--dry-run")
    assert code == 1
    assert "plan.toml, rad " in err
