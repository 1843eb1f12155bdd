"""Sending through Graph sendMail: the outbox's MIME goes as base64 text/plain and is read
back from the stand-in byte for byte; throttling and refusals come back as outcomes."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from samverkan.intake.m365.send import GraphSender, SendLater, SendRefused
from tests.m365.conftest import MAILBOX, graph_client_for
from tests.m365.entra import Entra
from tests.m365.graph_standin import Graph


def _reply(to: str = "lina@seved.example") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Malmö stad – samverkansstöd <{MAILBOX}>"
    if to:
        msg["To"] = to
    msg["Subject"] = "[SAM-2026-0007] Vi har tagit emot er ansökan"
    msg["Message-ID"] = "<SAM-2026-0007.ack.1f2e@malmo.example>"
    msg["In-Reply-To"] = "<ansokan-7@seved.example>"
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("Hej Lina!\n\nTack för er ansökan om samverkansstöd för Seved.\n")
    return msg.as_bytes(policy=policy.SMTP)


def test_mail_sent_through_graph_is_read_back_unchanged(entra: Entra, graph: Graph) -> None:
    client = graph_client_for(entra, graph)
    raw = _reply()
    GraphSender(client).send(raw)
    (sent_id,) = graph.folder("sentitems").messages  # Exchange keeps a copy in Sent Items
    back = client.request("GET", f"{client.user}/messages/{sent_id}/$value").content
    assert back == raw
    read = message_from_bytes(back, policy=policy.default)
    assert read["Message-ID"] == "<SAM-2026-0007.ack.1f2e@malmo.example>"
    assert read["In-Reply-To"] == "<ansokan-7@seved.example>"
    assert read["Auto-Submitted"] == "auto-replied"
    assert ("POST", f"/v1.0/users/{MAILBOX}/sendMail") in graph.calls


def test_throttled_sending_comes_back_with_graphs_wait(entra: Entra, graph: Graph) -> None:
    client = graph_client_for(entra, graph, max_retries=0)  # the outbox waits, not the sender
    graph.throttle(1, retry_after="12")
    with pytest.raises(SendLater) as later:
        GraphSender(client).send(_reply())
    assert later.value.after == timedelta(seconds=12)
    assert graph.folder("sentitems").messages == {}
    GraphSender(client).send(_reply())
    assert len(graph.folder("sentitems").messages) == 1


def test_a_message_graph_refuses_is_refused_for_good(entra: Entra, graph: Graph) -> None:
    with pytest.raises(SendRefused, match="ErrorInvalidRecipients"):
        GraphSender(graph_client_for(entra, graph)).send(_reply(to=""))


def test_no_token_means_later_not_a_crash(entra: Entra, graph: Graph) -> None:
    entra.refuse = "invalid_client"
    with pytest.raises(SendLater, match="invalid_client"):
        GraphSender(graph_client_for(entra, graph)).send(_reply())
