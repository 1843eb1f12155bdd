"""`samverkan ingest`, `show`, `memo` and `rules check` as a registrar runs them."""

from __future__ import annotations

import json
import mailbox
import shutil
from pathlib import Path

import pytest

from samverkan.bot.cli import EXIT_FAILED, EXIT_USAGE, main
from samverkan.rules.ruleset import bundled_ruleset_path
from tests.helpers.intake import COMPLETE, NO_ORGNR, mail


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in [k for k in __import__("os").environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_ingest_a_folder_mbox_and_maildir_with_json_outcomes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = workdir / "inbox"
    folder.mkdir()
    (folder / "1-application.eml").write_bytes(mail(COMPLETE, message_id="<a@x>"))
    (folder / "2-again.eml").write_bytes(mail(COMPLETE, message_id="<a@x>"))
    (folder / "3-broken.eml").write_bytes(b"")
    box = mailbox.mbox(workdir / "old.mbox")
    box.add(mail(NO_ORGNR, message_id="<b@x>"))
    box.add(mail("Jag är på semester.", subject="Frånvaro", message_id="<c@x>"))
    box.close()
    md = mailbox.Maildir(workdir / "drop")
    md.add(
        mail(
            "Organisationsnummer: 802457-3167",
            subject="SV: [SAM-2026-0002] Vi har tagit emot er ansökan",
            message_id="<d@x>",
        )
    )
    code, out, _ = run(
        capsys, "ingest", "--json", str(folder), str(workdir / "old.mbox"), str(workdir / "drop")
    )
    assert code == 0
    results = json_lines(out)
    assert [(r["outcome"], r["case"]) for r in results] == [
        ("created", "SAM-2026-0001"),
        ("duplicate", "SAM-2026-0001"),
        ("quarantined", None),
        ("created", "SAM-2026-0002"),
        ("ignored", None),
        ("appended", "SAM-2026-0002"),
    ]
    assert all(set(r) == {"source", "outcome", "case", "reason"} for r in results)
    assert str(results[3]["source"]).endswith("old.mbox#1")
    assert results[2]["reason"]

    code, out, _ = run(capsys, "show", "SAM-2026-0002", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["applicant"]["orgnr"] == "802457-3167"
    assert [m["direction"] for m in shown["messages"]] == ["in", "out", "in"]

    code, out, _ = run(capsys, "cases", "--json", "--phase", "bedomning")
    assert [c["ref"] for c in json.loads(out)] == ["SAM-2026-0001", "SAM-2026-0002"]


def test_ingest_of_a_missing_path_is_a_usage_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "ingest", "nowhere.eml")
    assert code == EXIT_USAGE
    assert "nowhere.eml" in err


def test_show_prints_the_verdict_with_reasons(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "a.eml").write_bytes(mail(NO_ORGNR))
    assert run(capsys, "ingest", str(workdir / "a.eml"))[0] == 0
    code, out, _ = run(capsys, "show", "SAM-2026-0001")
    assert code == 0
    assert "SAM-2026-0001" in out
    assert "Identifierbar sökande: uppgift saknas" in out


def test_memo_prints_the_committee_draft(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "a.eml").write_bytes(mail(COMPLETE))
    assert run(capsys, "ingest", "--no-send", str(workdir / "a.eml"))[0] == 0
    code, out, _ = run(capsys, "memo", "SAM-2026-0001")
    assert code == 0
    for heading in (
        "Sammanfattning",
        "Förslag till beslut",
        "Beslutsunderlag",
        "Beslutsplanering",
        "Ärendet",
    ):
        assert heading in out
    assert "Sevedsföreningen" in out


def test_rules_check_lists_criteria_and_names_the_line_of_a_mistake(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "rules", "check", str(bundled_ruleset_path()))
    assert code == 0
    assert "2020-08-25.1" in out
    assert "omrade" in out
    broken = workdir / "broken.toml"
    shutil.copy(bundled_ruleset_path(), broken)
    text = broken.read_text(encoding="utf-8").replace(
        "warn_above_months = 36", 'warn_above_months = "trettiosex"'
    )
    broken.write_text(text, encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "trettiosex" in s)
    code, _, err = run(capsys, "rules", "check", str(broken))
    assert code == EXIT_FAILED
    assert f"rad {line}" in err
