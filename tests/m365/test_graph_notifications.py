"""The change-notification endpoint: Graph's validation echo, and only our clientState wakes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from samverkan.bot.graph_hook import graph_routes
from samverkan.intake.feeders.graph import GraphWatcher
from tests.imap.support import FakeIntake
from tests.m365.conftest import graph_client_for, graph_settings
from tests.m365.entra import Entra
from tests.m365.graph_standin import Graph

URL = "https://samverkan.malmo.example/graph/notifications"


class Client:
    """POSTs to the endpoint in-process (httpx over ASGI)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def post(self, path: str, **kw: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
                return await client.post(path, **kw)

        return asyncio.run(send())


def _app(entra: Entra, graph: Graph, engine: Engine) -> tuple[Client, GraphWatcher]:
    settings = graph_settings(entra, graph, graph_notification_url=URL)
    watcher = GraphWatcher(settings, engine, FakeIntake(), client=graph_client_for(entra, graph))
    return Client(Starlette(routes=graph_routes(lambda: watcher))), watcher


def test_the_validation_token_is_echoed_as_plain_text(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    client, _ = _app(entra, graph, sqlite_engine)
    answer = client.post("/graph/notifications?validationToken=Validation%3a+Testing")
    assert answer.status_code == 200
    assert answer.text == "Validation: Testing"
    assert answer.headers["content-type"].startswith("text/plain")


def test_only_a_notification_with_our_client_state_wakes_the_watcher(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    client, watcher = _app(entra, graph, sqlite_engine)
    assert watcher.subscription is not None
    forged = {"value": [{"clientState": "gissat", "changeType": "created"}]}
    assert client.post("/graph/notifications", json=forged).status_code == 403
    ours = {"value": [{"clientState": watcher.subscription.client_state}]}
    assert client.post("/graph/notifications", json=ours).status_code == 202
    assert client.post("/graph/notifications", content=b"{inte json").status_code == 400
