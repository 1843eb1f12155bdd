"""The exports for a year of cases, opened back with the csv module and openpyxl."""

from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from samverkan.bot.cli import main
from samverkan.storage.models import CaseRow, DecisionRow, MeasurementRow
from samverkan.storage.registry import register_documents
from samverkan.storage.statistics import statistics
from tests.helpers.chat import Chat
from tests.records.year import PNR, build_year


@pytest.fixture
def year(chat: Chat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Chat:
    made = build_year(chat)
    assert chat(f"uppföljning {made[0].ref} resultat 12 vandringar, kontakt {PNR}").ok
    assert chat(f"ändra {made[5].ref} titel=Gården för {PNR}").ok
    with Session(chat.engine) as session:
        register_documents(session, now=chat.clock[0])
        session.commit()
    for key in [k for k in os.environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SAMVERKAN_DATABASE_URL", chat.settings.database_url)
    monkeypatch.chdir(tmp_path)
    return chat


def _db(chat: Chat) -> tuple[list[CaseRow], list[DecisionRow], list[MeasurementRow]]:
    with Session(chat.engine) as session:
        return (
            list(session.exec(select(CaseRow).order_by(CaseRow.year, CaseRow.seq)).all()),
            list(session.exec(select(DecisionRow)).all()),
            list(session.exec(select(MeasurementRow)).all()),
        )


def test_csv_export_opens_back_as_the_database(year: Chat, tmp_path: Path) -> None:
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "ut")]) == 0
    cases, decisions, follow_ups = _db(year)

    def read(name: str) -> list[dict[str, str]]:
        with (tmp_path / "ut" / name).open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle, delimiter=";"))

    rows = read("arenden.csv")
    assert [r["Ärende"] for r in rows] == [c.ref for c in cases]
    assert [r["Diarienummer"] for r in rows] == [f"TN-2026-{i:04d}" for i in range(1, 13)]
    assert [r["Område"] for r in rows] == [c.area_name or "" for c in cases]
    assert {r["Organisation"] for r in rows if r["Org.nr"]} == {"Sevedsföreningen"}
    assert rows[0]["Inkom"] == "2026-01-05"
    beslut = read("beslut.csv")
    assert len(beslut) == len(decisions) == 2
    assert {r["Belopp (kr)"] for r in beslut} == {"350000"}
    uppfoljning = read("uppfoljning.csv")
    assert len(uppfoljning) == len(follow_ups) == 1
    everything = "".join(
        (tmp_path / "ut" / n).read_text("utf-8-sig") for n in os.listdir(tmp_path / "ut")
    )
    assert PNR not in everything
    assert "19811218-XXXX" in everything


def test_xlsx_export_opens_back_as_the_database(year: Chat, tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(path)]) == 0
    cases, decisions, follow_ups = _db(year)
    book = load_workbook(path)
    assert book.sheetnames == ["Ärenden", "Beslut", "Uppföljning"]
    sheet = book["Ärenden"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("Ärende", "Diarienummer")
    assert [v[0] for v in values[1:]] == [c.ref for c in cases]
    assert values[1][9].date() == date(2026, 1, 5)  # a real date, not text
    decided = list(book["Beslut"].iter_rows(values_only=True))[1:]
    assert len(decided) == len(decisions)
    assert all(row[5] == 350000 for row in decided)  # a real number
    assert len(list(book["Uppföljning"].iter_rows(values_only=True))) == len(follow_ups) + 1
    cells = " ".join(str(c) for s in book for row in s.iter_rows(values_only=True) for c in row)
    assert PNR not in cells


def test_stats_json_includes_the_total(year: Chat, capsys: pytest.CaptureFixture[str]) -> None:
    with Session(year.engine) as session:
        figures = statistics(session).to_dict()
    assert figures["total"] == 12
    assert figures["total"] == sum(figures["per_phase"].values())
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 12
