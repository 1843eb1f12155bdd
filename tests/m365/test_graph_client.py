"""The Graph client's own rules: how long it waits when throttled, and where links may lead."""

from __future__ import annotations

import pytest

from samverkan.intake.m365.graph import GraphError, GraphThrottled
from tests.m365.conftest import graph_client_for
from tests.m365.entra import Entra
from tests.m365.graph_standin import Graph


def test_throttling_without_retry_after_backs_off_growing(entra: Entra, graph: Graph) -> None:
    slept: list[float] = []
    client = graph_client_for(entra, graph, sleep=slept.append)
    graph.throttle(3, retry_after=None)
    assert client.get_json(f"{client.user}/mailFolders/inbox")["id"]
    assert slept == [2.0, 4.0, 8.0]


def test_throttling_past_the_last_retry_is_an_error_with_graphs_wait(
    entra: Entra, graph: Graph
) -> None:
    slept: list[float] = []
    client = graph_client_for(entra, graph, sleep=slept.append, max_retries=2)
    graph.throttle(5, retry_after="30")
    with pytest.raises(GraphThrottled) as raised:
        client.get_json(f"{client.user}/mailFolders/inbox")
    assert slept == [30.0, 30.0]
    assert raised.value.retry_after == 30.0


def test_a_link_that_leads_away_from_graph_is_not_followed(entra: Entra, graph: Graph) -> None:
    client = graph_client_for(entra, graph)
    with pytest.raises(GraphError, match="utanför"):
        client.get_json("https://evil.example/v1.0/users/x/messages")
    assert graph.calls == []
