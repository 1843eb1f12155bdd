"""The Slack app manifest, built from the code it describes.

An administrator creates the app in one step from ``deploy/slack/manifest.json`` (HTTP, with
``https://samverkan.example.se`` replaced by the service's address) or
``deploy/slack/manifest-socket.json`` (Socket Mode: no public address needed);
``samverkan slack-manifest [--url URL] [--socket]`` prints either for a given address. The
command, the shortcuts, the events and the scopes come from the modules that use them, and a
test holds the files in the repository to what this module builds and to the Web API methods
the code calls.
"""

from __future__ import annotations

from typing import Any

from samverkan.bot.slack import EVENTS_PATH
from samverkan.bot.slack_commands import COMMAND
from samverkan.bot.slack_intake import SHORTCUT_CREATE_CASE
from samverkan.bot.slack_modals import NEW_CASE_SHORTCUT

__all__ = ["BOT_EVENTS", "EXAMPLE_URL", "SCOPES_BY_METHOD", "bot_scopes", "manifest"]

EXAMPLE_URL = "https://samverkan.example.se"
SCOPES_BY_METHOD: dict[str, tuple[str, ...]] = {
    "chat_postEphemeral": ("chat:write",),
    "chat_postMessage": ("chat:write", "im:write"),
    "files_upload_v2": ("files:write",),
    "users_info": ("users:read", "users:read.email"),
    "views_open": (),
    "views_publish": (),
}
"""Every Web API method the app calls, with the bot scopes it needs (``users:read.email``
gives the author's address, so the acknowledgement also goes by e-mail; ``im:write`` lets the
app answer an official in a direct message)."""
BOT_EVENTS: dict[str, tuple[str, ...]] = {
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
    "message.im": ("im:history",),
    "app_home_opened": (),
}
"""Events the app subscribes to, with the scopes Slack requires for each."""
OTHER_SCOPES = ("commands", "files:read")
"""The slash command and shortcuts (``commands``); fetching a message's files (``files:read``)."""


def bot_scopes() -> list[str]:
    wanted = {*OTHER_SCOPES}
    for scopes in (*SCOPES_BY_METHOD.values(), *BOT_EVENTS.values()):
        wanted.update(scopes)
    return sorted(wanted)


def _shortcuts() -> list[dict[str, str]]:
    return [
        {
            "name": "Skapa ärende",
            "type": "message",
            "callback_id": SHORTCUT_CREATE_CASE,
            "description": "Gör meddelandet till en ansökan om samverkansstöd",
        },
        {
            "name": "Nytt ärende",
            "type": "global",
            "callback_id": NEW_CASE_SHORTCUT,
            "description": "Öppnar ett ärende med ett formulär",
        },
    ]


def manifest(url: str | None = EXAMPLE_URL) -> dict[str, Any]:
    """The manifest for a service at ``url`` (HTTP), or for Socket Mode when ``url`` is None."""
    endpoint = f"{url.rstrip('/')}{EVENTS_PATH}" if url else None
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "Ärenden om samverkansstöd: lista, visa, godkänn, beslut …",
        "usage_hint": "hjälp",
        "should_escape": True,
    }
    events: dict[str, Any] = {"bot_events": sorted(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if endpoint:
        command["url"] = endpoint
        events["request_url"] = endpoint
        interactivity["request_url"] = endpoint
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Samverkan",
            "description": "Ansökningar om samverkansstöd i Malmö stad",
            "long_description": (
                "Samverkan tar emot ansökningar om samverkansstöd från e-post och chatt, "
                "bedömer dem mot modellens kriterier och låter handläggare driva ärendet "
                "med kommandot /samverkan, knappar och formulär."
            ),
            "background_color": "#0b5a8f",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "Samverkan", "always_online": True},
            "slash_commands": [command],
            "shortcuts": _shortcuts(),
        },
        "oauth_config": {"scopes": {"bot": bot_scopes()}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": endpoint is None,
            "token_rotation_enabled": False,
        },
    }
