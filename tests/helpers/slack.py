"""A local stand-in for Slack's Web API and signed requests, shared by the Slack tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette

from samverkan.bot.slack import (
    SlackBridge,
)
from samverkan.config import Settings

FIXTURES = Path(__file__).parent.parent / "fixtures" / "slack"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


CHANNEL = "C0SAMVERKAN"


HOSTILE = "<!channel> *bold* <https://evil.example|Malmö stad>"


@dataclass
class Call:
    path: str
    authorization: str | None
    body: dict[str, Any]
    raw: bytes


@dataclass
class FakeSlack:
    """Answers like Slack's Web API and records every request; ``fail`` makes a method say no."""

    server: ThreadingHTTPServer
    calls: list[Call] = field(default_factory=list)
    fail: dict[str, str] = field(default_factory=dict)
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``users.info`` answers by user id."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Downloadable files by path (``/files-pri/...``), served to a bearer of the bot token."""
    canned: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Answers for other methods by path (``/apps.connections.open``)."""
    before_answer: Callable[[str], None] | None = None
    """Called with the path before a POST is answered (to hold a request back)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def to(self, path: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path == path]

    def paths(self) -> list[str]:
        with self.lock:
            return [c.path for c in self.calls]

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, bytes, str]:
        if path.startswith("/hooks/"):
            return 200, b"ok", "text/plain"
        if path.startswith("/upload/"):
            return 200, b"OK - 1234", "text/plain"
        if path in self.fail:
            data: dict[str, Any] = {"ok": False, "error": self.fail[path]}
        elif path in self.canned:
            data = self.canned[path]
        elif path == "/auth.test":
            data = {"ok": True, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0MALMO01"}
        elif path == "/chat.postMessage":
            ts = f"1772443800.{len(self.calls):06d}"
            data = {"ok": True, "channel": body.get("channel"), "ts": ts}
        elif path == "/files.getUploadURLExternal":
            data = {"ok": True, "upload_url": f"{self.url}upload/F0MEMO", "file_id": "F0MEMO"}
        elif path == "/users.info":
            user = body.get("user", "")
            known = self.people.get(str(user))
            data = (
                {"ok": True, "user": known} if known else {"ok": False, "error": "user_not_found"}
            )
        elif path == "/files.completeUploadExternal":
            data = {"ok": True, "files": [{"id": "F0MEMO", "title": "memo"}]}
        else:
            data = {"ok": True}
        return 200, json.dumps(data).encode(), "application/json"


def _handler(fake_box: list[FakeSlack]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            fake = fake_box[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            text = raw.decode("utf-8", "replace")
            if self.path.startswith("/upload/"):
                body: dict[str, Any] = {}
            elif text.startswith("{"):
                body = json.loads(text)
            else:
                body = dict(parse_qsl(text))
            if fake.before_answer is not None:
                fake.before_answer(self.path)
            status, payload, content_type = fake.answer(self.path, body)
            with fake.lock:
                fake.calls.append(Call(self.path, self.headers.get("Authorization"), body, raw))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            fake.arrived.set()

        def do_GET(self) -> None:
            fake = fake_box[0]
            data = fake.files.get(self.path)
            allowed = self.headers.get("Authorization") == "Bearer xoxb-test"
            with fake.lock:
                fake.calls.append(Call(self.path, self.headers.get("Authorization"), {}, b""))
            status = 200 if data is not None and allowed else 404
            payload = data if status == 200 and data is not None else b"not found"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    box: list[FakeSlack] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
    box.append(FakeSlack(server))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield box[0]
    server.shutdown()
    server.server_close()


def slack_settings(settings: Settings, fake: FakeSlack, **extra: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": SecretStr("xoxb-test"),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": fake.url,
        "slack_channel": CHANNEL,
        **extra,
    }
    return settings.model_copy(update=values)


@contextmanager
def serving(bridge: SlackBridge) -> Iterator[httpx.Client]:
    """The bridge's routes under a real uvicorn on 127.0.0.1, and a client for them."""
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=bridge.routes()), host="127.0.0.1", port=0,
                       log_level="warning")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(5)


def signed(
    body: str, *, secret: str = SECRET, age: int = 0, headers: dict[str, str] | None = None
) -> dict[str, str]:
    """Headers as Slack sends them: v0 signature over ``v0:timestamp:body``."""
    ts = str(int(time.time()) - age)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
        **(headers or {}),
    }


def command_body(fake: FakeSlack, text: str, user: str = "U0KARIN", trigger: str = "") -> str:
    fields = json.loads((FIXTURES / "slash_command.json").read_text())
    fields.update(text=text, user_id=user, response_url=f"{fake.url}hooks/commands/T0MALMO01/1")
    fields["trigger_id"] = trigger or f"{time.monotonic_ns()}.1234567890.abc"
    return urlencode(fields)


def click_body(fake: FakeSlack, element: dict[str, Any], user: str = "U0KARIN") -> str:
    """A click on ``element`` (a button as the app rendered it) by ``user``."""
    payload = json.loads((FIXTURES / "block_actions.json").read_text())
    payload["user"]["id"] = user
    payload["response_url"] = f"{fake.url}hooks/actions/T0MALMO01/2"
    payload["trigger_id"] = f"{time.monotonic_ns()}.1234567890.def"
    (clicked,) = payload["actions"]
    clicked.update(action_id=element["action_id"], value=element["value"])
    clicked["text"] = element["text"]
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def event_body(**event: Any) -> str:
    """An Events API ``message`` envelope (JSON) with the given event fields."""
    envelope = json.loads((FIXTURES / "message_event.json").read_text())
    envelope["event"].update(event)
    envelope["event_id"] = f"Ev{time.monotonic_ns()}"
    return json.dumps(envelope, ensure_ascii=False)


def shortcut_body(fake: FakeSlack, message: dict[str, Any], user: str = "U0KARIN") -> str:
    """``Skapa ärende`` used by ``user`` on ``message``."""
    payload = json.loads((FIXTURES / "message_action.json").read_text())
    payload["user"]["id"] = user
    payload["message"].update(message)
    payload["message_ts"] = payload["message"]["ts"]
    payload["response_url"] = f"{fake.url}hooks/app/T0MALMO01/3"
    payload["trigger_id"] = f"{time.monotonic_ns()}.1234567890.ghi"
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def signed_json(body: str, **kwargs: Any) -> dict[str, str]:
    return {**signed(body, **kwargs), "Content-Type": "application/json"}


def submission_body(
    callback: str, values: dict[str, Any], meta: str = "", user: str = "U0KARIN"
) -> str:
    """A form submitted: ``values`` maps block ids to a text, or a list of chosen options."""
    payload = json.loads((FIXTURES / "view_submission.json").read_text())
    payload["user"]["id"] = user
    state: dict[str, Any] = {}
    for block, value in values.items():
        if isinstance(value, list):
            chosen = [{"value": v, "text": {"type": "plain_text", "text": v}} for v in value]
            state[block] = {"value": {"type": "checkboxes", "selected_options": chosen}}
        elif block == "utfall":
            option = {"value": value, "text": {"type": "plain_text", "text": value}}
            state[block] = {"value": {"type": "radio_buttons", "selected_option": option}}
        else:
            state[block] = {"value": {"type": "plain_text_input", "value": value}}
    payload["view"].update(callback_id=callback, private_metadata=meta, state={"values": state})
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def home_body(user: str = "U0KARIN") -> str:
    envelope = json.loads((FIXTURES / "app_home_opened.json").read_text())
    envelope["event"]["user"] = user
    envelope["event_id"] = f"Ev{time.monotonic_ns()}"
    return json.dumps(envelope)


def shortcut_global_body(callback: str, user: str = "U0KARIN") -> str:
    payload = {
        "type": "shortcut", "callback_id": callback, "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "action_ts": "1772443901.1", "team": {"id": "T0MALMO01", "domain": "malmo-stad"},
        "user": {"id": user, "username": "karin.lund", "team_id": "T0MALMO01"},
        "trigger_id": f"{time.monotonic_ns()}.1234567890.jkl", "is_enterprise_install": False,
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)})


def json_of(value: Any) -> Any:
    """A Web API argument the SDK sent as a JSON string (``view``, ``blocks``), decoded."""
    return json.loads(value) if isinstance(value, str) else value
