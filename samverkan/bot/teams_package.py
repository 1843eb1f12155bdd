"""The Teams app package: ``manifest.json`` and the two icons, zipped for upload.

``samverkan teams-package [--out FILE]`` writes it; an administrator uploads the zip in the
Teams admin center (or Teams' "Upload a custom app"). The manifest (schema 1.17) names the bot
``SAMVERKAN_TEAMS_APP_ID`` in personal chats, teams and group chats, with its command list
(from the same table as ``hjälp``) and the message action ``Skapa ärende``. The icons are drawn
here, so the package needs no binary files in the repository: a 192×192 colour icon and a
32×32 outline, white on transparent, as Teams requires.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from samverkan.bot.commands import SPECS
from samverkan.bot.teams_intake import MESSAGE_ACTION_COMMAND

__all__ = [
    "COLOR_SIZE",
    "OUTLINE_SIZE",
    "PackageError",
    "build_package",
    "color_icon",
    "manifest",
    "outline_icon",
]

SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
COLOR_SIZE = 192
OUTLINE_SIZE = 32
ACCENT = (0x0B, 0x5A, 0x8F)
BOT_SCOPES = ["personal", "team", "groupChat"]
LISTED = ("hjalp", "lista", "mina", "visa", "komplettera", "mote", "godkann", "beslut", "avsla")
"""The commands Teams suggests (it shows at most ten per scope)."""
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class PackageError(ValueError):
    """The package cannot be built as configured; ``str()`` says why, in Swedish."""


def _commands() -> list[dict[str, str]]:
    by_name = {spec.name: spec for spec in SPECS}
    return [
        {
            "title": by_name[name].usage.split("|")[0].split()[0],
            "description": by_name[name].summary[:128],
        }
        for name in LISTED
    ]


def _message_action(app_id: str) -> dict[str, Any]:
    """``Skapa ärende`` on a message (``composeExtension/submitAction``, see teams_intake)."""
    return {
        "botId": app_id,
        "commands": [
            {
                "id": MESSAGE_ACTION_COMMAND,
                "type": "action",
                "title": "Skapa ärende",
                "description": "Gör meddelandet till en ansökan om samverkansstöd",
                "context": ["message"],
                "fetchTask": False,
                "parameters": [
                    {
                        "name": "kommentar",
                        "title": "Kommentar",
                        "description": "Frivillig anteckning till ärendet",
                        "inputType": "textarea",
                    }
                ],
            }
        ],
    }


def manifest(
    app_id: str, *, version: str = "1.0.0", website: str = "https://malmo.se"
) -> dict[str, Any]:
    """The manifest for the bot registered as ``app_id`` (an Entra application id)."""
    if not _GUID.match(app_id):
        raise PackageError(f"SAMVERKAN_TEAMS_APP_ID ska vara ett GUID, inte '{app_id}'.")
    return {
        "$schema": SCHEMA,
        "manifestVersion": "1.17",
        "version": version,
        "id": app_id,
        "developer": {
            "name": "Malmö stad",
            "websiteUrl": website,
            "privacyUrl": f"{website.rstrip('/')}/personuppgifter",
            "termsOfUseUrl": f"{website.rstrip('/')}/villkor",
        },
        "name": {"short": "Samverkan", "full": "Samverkan – samverkansstöd i Malmö stad"},
        "description": {
            "short": "Ansökningar om samverkansstöd, från meddelande till beslut",
            "full": (
                "Samverkan tar emot ansökningar om samverkansstöd från e-post och chatt, "
                "bedömer dem mot modellens kriterier och förklarar varje bedömning. "
                "Handläggare driver ärendet med kommandon, knappar och formulär; sökande "
                "skriver sin ansökan till appen och får svar med ärendets nummer."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": BOT_SCOPES,
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [{"scopes": BOT_SCOPES, "commands": _commands()}],
            }
        ],
        "composeExtensions": [_message_action(app_id)],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


# -- icons: PNG written by hand (zlib), so no imaging library is needed --------------------------

Pixel = tuple[int, int, int, int]


def _png(size: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _ring(size: int, x: int, y: int) -> bool:
    """Two linked rings, the mark: actors working together."""
    r = size * 0.22
    width = size * 0.07
    for cx in (size * 0.38, size * 0.62):
        d = ((x - cx) ** 2 + (y - size / 2) ** 2) ** 0.5
        if abs(d - r) <= width:
            return True
    return False


def color_icon() -> bytes:
    """192×192: white rings on the accent colour, fully opaque."""
    white: Pixel = (255, 255, 255, 255)
    accent: Pixel = (*ACCENT, 255)
    return _png(COLOR_SIZE, lambda x, y: white if _ring(COLOR_SIZE, x, y) else accent)


def outline_icon() -> bytes:
    """32×32: white rings on a transparent background (Teams tints it)."""
    white: Pixel = (255, 255, 255, 255)
    clear: Pixel = (0, 0, 0, 0)
    return _png(OUTLINE_SIZE, lambda x, y: white if _ring(OUTLINE_SIZE, x, y) else clear)


def build_package(app_id: str | None, out: Path, *, website: str = "https://malmo.se") -> Path:
    """Write the zip to ``out`` (manifest and icons at its root, as Teams expects)."""
    if not app_id:
        raise PackageError("Ange SAMVERKAN_TEAMS_APP_ID (botens app-id i Entra) först.")
    data = json.dumps(manifest(app_id, website=website), ensure_ascii=False, indent=2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", data + "\n")
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    out.write_bytes(buffer.getvalue())
    return out
