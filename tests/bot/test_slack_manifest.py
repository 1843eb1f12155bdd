"""The Slack app manifest in the repository matches what the code serves, listens to and calls."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

import samverkan
from samverkan.bot.slack import EVENTS_PATH
from samverkan.bot.slack_manifest import BOT_EVENTS, EXAMPLE_URL, SCOPES_BY_METHOD, manifest

ROOT = Path(samverkan.__file__).parent.parent
BOT = Path(samverkan.__file__).parent / "bot"
SLACK_MODULES = sorted(BOT.glob("slack*.py"))


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "deploy" / "slack" / name).read_text("utf-8"))
    return data


def web_api_calls() -> set[str]:
    """Every ``something.method(...)`` in the Slack modules that names a Web API method."""
    found: set[str] = set()
    for path in SLACK_MODULES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
                if not name.startswith("_") and callable(getattr(WebClient, name, None)):
                    found.add(name)
    return found - {"api_call"}


def listeners() -> dict[str, set[str]]:
    """What ``@app.event/shortcut/command/view(X)`` the Slack modules register, X resolved."""
    found: dict[str, set[str]] = {
        "event": set(),
        "shortcut": set(),
        "command": set(),
        "view": set(),
    }
    for path in SLACK_MODULES:
        module = importlib.import_module(f"samverkan.bot.{path.stem}")
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
                    continue
                kind = deco.func.attr
                if kind in found and deco.args:
                    arg = deco.args[0]
                    if isinstance(arg, ast.Constant):
                        found[kind].add(str(arg.value))
                    elif isinstance(arg, ast.Name):
                        found[kind].add(str(getattr(module, arg.id)))
    return found


def test_the_files_in_the_repository_are_what_the_code_builds() -> None:
    assert load("manifest.json") == manifest(EXAMPLE_URL)
    assert load("manifest-socket.json") == manifest(None)


def test_every_endpoint_is_the_route_the_service_serves() -> None:
    http = load("manifest.json")
    expected = f"{EXAMPLE_URL}{EVENTS_PATH}"
    (command,) = http["features"]["slash_commands"]
    assert command["url"] == expected
    assert http["settings"]["event_subscriptions"]["request_url"] == expected
    assert http["settings"]["interactivity"]["request_url"] == expected
    assert http["settings"]["socket_mode_enabled"] is False
    socket = load("manifest-socket.json")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["event_subscriptions"]
    assert "url" not in socket["features"]["slash_commands"][0]


def test_every_listener_in_the_code_is_in_the_manifest_and_nothing_else() -> None:
    registered = listeners()
    data = load("manifest.json")
    assert {c["command"] for c in data["features"]["slash_commands"]} == registered["command"]
    assert {s["callback_id"] for s in data["features"]["shortcuts"]} == registered["shortcut"]
    events = set(data["settings"]["event_subscriptions"]["bot_events"])
    wanted = {e for e in registered["event"] if e != "message"}
    if "message" in registered["event"]:
        wanted |= {"message.channels", "message.groups", "message.im"}
    assert events == wanted
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["features"]["app_home"]["messages_tab_enabled"] is True  # DMs to the app


def test_every_web_api_method_the_code_calls_has_its_scopes_in_the_manifest() -> None:
    calls = web_api_calls()
    assert calls, "the scan found no Web API calls"
    assert calls <= SCOPES_BY_METHOD.keys(), calls - SCOPES_BY_METHOD.keys()
    scopes = set(load("manifest.json")["oauth_config"]["scopes"]["bot"])
    for method in calls:
        assert set(SCOPES_BY_METHOD[method]) <= scopes, method
    for event in BOT_EVENTS:
        assert set(BOT_EVENTS[event]) <= scopes, event
    assert {"commands", "files:read"} <= scopes
