"""Socket Mode over a real websocket: the envelope is acknowledged before its work is done.

Slack's side is two local stand-ins: :class:`FakeSlack` for the Web API (``apps.connections.open``
names the websocket, ``response_url`` takes the answer) and an aiohttp websocket server that
greets like Slack (``hello``), sends a slash command envelope and records the acknowledgement.
The answer to the command is held back until the acknowledgement has arrived: acknowledging
after the work (bolt's own handler) would leave it waiting, and the test would see that.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import WSMsgType, web
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from samverkan.bot.slack import build_slack
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from tests.helpers.chat import KARIN
from tests.helpers.slack import FakeSlack, command_body, event_body, slack_settings

POST = "/chat.postMessage"


@dataclass
class FakeSocket:
    """Slack's Socket Mode endpoint: sends ``envelopes`` after ``hello``, records answers."""

    envelopes: list[dict[str, Any]]
    acks: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    acked: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    async def endpoint(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0SAMVERKAN"}}))  # fmt: skip
        for envelope in self.envelopes:
            await ws.send_str(json.dumps(envelope))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append((time.monotonic(), json.loads(message.data)))
                self.acked.set()
        return ws


@contextmanager
def serve_socket(fake: FakeSocket) -> Iterator[None]:
    """The websocket stand-in on 127.0.0.1, in a thread with its own event loop."""
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_get("/link", fake.endpoint)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"ws://127.0.0.1:{port}/link"
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture
def socket_world(fake_slack: FakeSlack) -> Iterator[FakeSocket]:
    fields = dict(parse_qsl(command_body(fake_slack, "hjälp")))
    command = {"envelope_id": "env-1", "type": "slash_commands", "payload": fields,
               "accepts_response_payload": True}  # fmt: skip
    event = json.loads(event_body(channel="D0KARIN", channel_type="im", user=KARIN, text="lista",
                                  ts="1772443800.000100"))  # fmt: skip
    message = {"envelope_id": "env-2", "type": "events_api", "payload": event,
               "accepts_response_payload": False, "retry_attempt": 0,
               "retry_reason": ""}  # fmt: skip
    fake = FakeSocket([command, message])
    with serve_socket(fake):
        yield fake


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_socket_mode_with_a_signing_secret_too_acknowledges_before_the_work(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, now: datetime,
    socket_world: FakeSocket,
) -> None:  # fmt: skip
    fake_slack.canned["/apps.connections.open"] = {"ok": True, "url": socket_world.url}
    answered: list[tuple[float, bool]] = []

    def hold_the_answer(path: str) -> None:
        if path.startswith("/hooks/"):  # the command's answer, through its response_url
            acked = socket_world.acked.wait(5)
            answered.append((time.monotonic(), acked))

    fake_slack.before_answer = hold_the_answer
    both = slack_settings(settings, fake_slack, slack_app_token=SecretStr("xapp-1-test"))
    intake = Intake(engine, both, clock=lambda: now)
    bridge = build_slack(both, engine, intake, clock=lambda: now)
    assert bridge is not None
    bridge.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (answered and fake_slack.to(POST)):
            time.sleep(0.01)
    finally:
        bridge.stop()

    (acked_at, ack), (_, event_ack) = socket_world.acks
    assert ack == {"envelope_id": "env-1"}  # an empty acknowledgement: the answer follows
    assert event_ack == {"envelope_id": "env-2"}
    ((answered_at, was_acked),) = answered
    assert was_acked  # the answer was held until the acknowledgement had arrived
    assert acked_at <= answered_at
    (opened,) = fake_slack.to("/apps.connections.open")
    assert opened.authorization == "Bearer xapp-1-test"
    (hook,) = [c.body for c in fake_slack.calls if c.path.startswith("/hooks/")]
    assert "Kommandon i Samverkan" in hook["text"]
    (listed,) = [c.body for c in fake_slack.to(POST)]  # a first delivery (retry_attempt 0) runs
    assert listed["channel"] == "D0KARIN"
