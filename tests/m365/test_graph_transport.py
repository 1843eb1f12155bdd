"""Outbox mail through the Graph transport: the drainer hands an acknowledgement to sendMail,
it is read back from the stand-in, and throttling comes back as a retry at Graph's time."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy.engine import Engine

from samverkan.bot.delivery.graph import GraphTransport
from samverkan.bot.delivery.setup import delivery, transports
from samverkan.intake.pipeline import Intake
from tests.conftest import NOW
from tests.imap.support import make_message
from tests.m365.conftest import MAILBOX, graph_client_for, graph_settings
from tests.m365.entra import Entra
from tests.m365.graph_standin import Graph


@pytest.fixture
def trusted(entra: Entra, monkeypatch: pytest.MonkeyPatch) -> Entra:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(entra.cafile))  # as an operator would
    return entra


def test_without_smtp_the_outbox_sends_through_graph_and_it_reads_back(
    trusted: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    settings = graph_settings(trusted, graph, contact_address=MAILBOX)
    assert isinstance(transports(settings)["email"], GraphTransport)
    Intake(sqlite_engine, settings, clock=lambda: NOW).process(make_message(1), source="a.eml")
    report = delivery(settings, sqlite_engine).run(NOW, channel="email")
    assert len(report.delivered) == 1
    (sent_id,) = graph.folder("sentitems").messages
    client = graph_client_for(trusted, graph)
    raw = client.request("GET", f"{client.user}/messages/{sent_id}/$value").content
    sent = message_from_bytes(raw, policy=policy.default)
    assert sent["To"] == "aktor1@example.org"
    assert sent["In-Reply-To"] == "<msg-1@example.org>"
    assert sent["Subject"].startswith("[SAM-2026-0001]")
    assert sent["Message-ID"] == report.delivered[0].message_id
    assert delivery(settings, sqlite_engine).run(NOW, channel="email").delivered == []


def test_throttled_sending_is_retried_when_graph_says(
    trusted: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    settings = graph_settings(trusted, graph, contact_address=MAILBOX)
    Intake(sqlite_engine, settings, clock=lambda: NOW).process(make_message(1), source="a.eml")
    graph.throttle(1, retry_after="120")
    report = delivery(settings, sqlite_engine).run(NOW, channel="email")
    assert len(report.retrying) == 1
    assert graph.folder("sentitems").messages == {}
    later = NOW + timedelta(seconds=119)
    assert delivery(settings, sqlite_engine).run(later, channel="email").delivered == []
    again = delivery(settings, sqlite_engine).run(NOW + timedelta(seconds=121), channel="email")
    assert len(again.delivered) == 1
    assert len(graph.folder("sentitems").messages) == 1
