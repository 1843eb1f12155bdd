"""Statistics over real cases walked through the process by chat commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from samverkan.bot.cli import main
from samverkan.storage.chart_data import chart_series
from samverkan.storage.statistics import statistics
from tests.helpers.chat import Chat


def test_lead_times_support_and_follow_ups(chat: Chat) -> None:
    received = chat.clock[0]
    chat.apply()
    chat.clock[0] = datetime(2026, 3, 12, 9, 30, tzinfo=UTC)  # ten days later
    assert chat("godkänn SAM-2026-0001").ok
    chat.clock[0] = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)  # thirty days after received
    assert chat(
        "beslut SAM-2026-0001 beviljad § 1 sammanträde=2026-03-02 stödform=finansiering "
        "belopp=300000"
    ).ok
    chat.clock[0] = datetime(2026, 9, 8, 9, 0, tzinfo=UTC)
    assert chat("uppföljning SAM-2026-0001 resultat 40 möten hölls").ok
    with Session(chat.engine) as session:
        stats = statistics(session)
    assert received == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert (stats.to_committee.cases, stats.to_committee.median_days) == (1, 10.0)
    assert (stats.to_decision.cases, stats.to_decision.median_days) == (1, 30.0)
    assert (stats.granted_cases, stats.granted_sek) == (1, 300_000)
    assert stats.measurements == {"resultat": 1}
    assert stats.follow_ups_due == 1  # the effect measurement is still to come
    assert stats.per_phase == {"uppfoljning": 1}
    text = "\n".join(str(getattr(b, "plain", "")) for b in chat("statistik").blocks)
    assert "1 resultatmätning och 0 effektmätningar" in text  # Swedish plurals


def test_stats_command_prints_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in [k for k in __import__("os").environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["per_phase"] == {}
    assert data["to_decision"] == {"cases": 0, "median_days": None, "longest_days": None}
    assert main(["stats"]) == 0
    assert "0 ärenden totalt" in capsys.readouterr().out


def test_the_chart_counts_a_case_in_its_local_month(chat: Chat) -> None:
    chat.clock[0] = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 1 April 00:30 in Malmö
    chat.apply()
    with Session(chat.engine) as session:
        series = chart_series(session, "Europe/Stockholm")
        in_utc = chart_series(session, "UTC")
    assert series.months == ("2026-04",)
    assert sum(sum(v) for v in series.by_phase.values()) == 1
    assert in_utc.months == ("2026-03",)
