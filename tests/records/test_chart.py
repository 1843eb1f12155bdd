"""The statistics chart: a valid PNG in chat and from the command line."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import pytest

from samverkan.bot.reply import to_plain_text
from samverkan.bot.teams_render import render_reply
from samverkan.storage.chart_data import chart_series
from tests.helpers.chat import Chat
from tests.records.year import build_year

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(data: bytes) -> tuple[int, int]:
    """Every chunk's CRC right, IHDR first, IEND last, the image data inflates; the size."""
    assert data.startswith(SIGNATURE)
    pos, chunks, idat = len(SIGNATURE), [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert chunks[0] == b"IHDR"
    assert chunks[-1] == b"IEND"
    width, height = struct.unpack(">II", data[16:24])
    assert len(zlib.decompress(idat)) > width * height  # at least a byte a pixel
    return width, height


def test_statistik_in_chat_comes_with_a_chart(chat: Chat) -> None:
    build_year(chat)
    answer = chat("statistik")
    assert answer.ok
    (chart,) = answer.attachments
    assert chart.content_type == "image/png"
    assert chart.data is not None
    width, height = check_png(chart.data)
    assert width >= 400
    assert height >= 400
    assert "statistik.png" in to_plain_text(answer)  # the terminal names it, prints no bytes
    cards = render_reply(answer).attachments()
    images = [
        item for card in cards for item in card["content"]["body"] if item.get("type") == "Image"
    ]
    assert len(images) == 1
    encoded = images[0]["url"].removeprefix("data:image/png;base64,")
    assert base64.b64decode(encoded) == chart.data
    assert len(json.dumps(cards)) < 28_000  # Teams refuses bot messages above about 28 KB


def test_the_series_behind_the_chart(chat: Chat) -> None:
    build_year(chat)
    from sqlmodel import Session

    with Session(chat.engine) as session:
        series = chart_series(session, chat.settings.timezone)
    assert series.months == tuple(f"2026-{m:02d}" for m in range(1, 13))
    assert sum(sum(v) for v in series.by_phase.values()) == 12
    assert sum(sum(v) for v in series.by_area.values()) == 12
    assert series.granted_by_year == {2026: 700000}


def test_stats_chart_from_the_command_line(
    chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from samverkan.bot.cli import main

    build_year(chat)
    for key in [k for k in os.environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SAMVERKAN_DATABASE_URL", chat.settings.database_url)
    target = tmp_path / "diagram.png"
    assert main(["stats", "--chart", str(target)]) == 0
    check_png(target.read_bytes())
