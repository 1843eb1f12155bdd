"""``samverkan teams-package``: a zip Teams accepts, its manifest checked against the schema."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from samverkan.bot.commands import spec_of
from samverkan.bot.teams_intake import MESSAGE_ACTION_COMMAND
from samverkan.bot.teams_package import manifest
from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture

pytestmark = pytest.mark.usefixtures("clean_env")  # a fresh directory, no SAMVERKAN_*

APP_ID = "00000000-1111-2222-3333-444444444444"
SCHEMA = json.loads(
    (
        Path(__file__).parent.parent / "fixtures" / "teams" / "manifest-1.17.subset.schema.json"
    ).read_text("utf-8")
)


def png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, colour type, rows of pixels) of an 8-bit, unfiltered PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(
            kind + body
        )
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + width * (4 if colour == 6 else 3)
    rows = [raw[i * stride : (i + 1) * stride] for i in range(height)]
    assert all(row[0] == 0 for row in rows)  # filter type none
    return width, height, colour, [row[1:] for row in rows]


@pytest.fixture
def package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> zipfile.ZipFile:
    monkeypatch.setenv("SAMVERKAN_TEAMS_APP_ID", APP_ID)
    code, out, _ = run(capsys, "teams-package", "--out", "app.zip")
    assert code == 0
    assert "app.zip" in out
    return zipfile.ZipFile(tmp_path / "app.zip")


def test_the_zip_holds_the_manifest_and_two_icons_at_its_root(package: zipfile.ZipFile) -> None:
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]


def test_the_manifest_is_valid_against_the_schema_and_names_the_bot(
    package: zipfile.ZipFile,
) -> None:
    data: dict[str, Any] = json.loads(package.read("manifest.json"))
    jsonschema.Draft7Validator(SCHEMA).validate(data)
    assert data["id"] == APP_ID
    (bot,) = data["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert "hjälp" in titles
    assert all(spec_of(title) is not None for title in titles)  # each one the core reads
    (extension,) = data["composeExtensions"]
    (action,) = extension["commands"]
    assert (action["id"], action["type"], action["context"]) == (
        MESSAGE_ACTION_COMMAND,
        "action",
        ["message"],
    )
    assert data["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_the_schema_check_is_not_toothless() -> None:
    validator = jsonschema.Draft7Validator(SCHEMA)
    good = manifest(APP_ID)
    assert validator.is_valid(good)
    too_many = json.loads(json.dumps(good))
    too_many["bots"][0]["commandLists"][0]["commands"] *= 2  # Teams shows ten at most
    long_name = {**good, "name": {"short": "S" * 31}}
    unknown = {**good, "staticTabz": []}
    bad_scope = json.loads(json.dumps(good))
    bad_scope["bots"][0]["scopes"] = ["groupchat"]
    for broken in (too_many, long_name, unknown, bad_scope):
        assert not validator.is_valid(broken)


def test_the_icons_have_the_sizes_teams_requires_and_the_outline_is_white_on_clear(
    package: zipfile.ZipFile,
) -> None:
    width, height, _, _ = png(package.read("color.png"))
    assert (width, height) == (192, 192)
    width, height, colour, rows = png(package.read("outline.png"))
    assert (width, height, colour) == (32, 32, 6)
    pixels = {bytes(row[i : i + 4]) for row in rows for i in range(0, len(row), 4)}
    assert pixels <= {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}
    assert len(pixels) == 2  # a mark, and room around it


def test_without_an_app_id_it_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "teams-package")
    assert code == 2
    assert "SAMVERKAN_TEAMS_APP_ID" in err
    assert not (tmp_path / "samverkan-teams.zip").exists()


def test_the_slack_manifest_command_prints_either_variant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "slack-manifest", "--url", "https://samverkan.malmo.example")
    assert code == 0
    http = json.loads(out)
    assert http["settings"]["event_subscriptions"]["request_url"] == (
        "https://samverkan.malmo.example/slack/events"
    )
    code, out, _ = run(capsys, "slack-manifest", "--socket")
    assert json.loads(out)["settings"]["socket_mode_enabled"] is True
