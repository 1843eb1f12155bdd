"""Personal identity numbers are masked in every channel that text leaves storage by."""

from __future__ import annotations

import io
import json
import logging
import os
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from samverkan.bot.cli import main
from samverkan.bot.delivery import Delivery, FakeTransport
from samverkan.bot.logs import JsonFormatter, TextFormatter
from samverkan.bot.memo import memo_markdown
from samverkan.bot.reply import to_plain_text
from samverkan.bot.slack_render import render as slack_render
from samverkan.bot.teams_render import render_reply as teams_render
from samverkan.storage.outbox import Routing
from tests.helpers.chat import APPLICATION, REF, Chat

PNR = "19811218-9876"
MASKED = "19811218-XXXX"
WITH_PNR = APPLICATION.replace(
    "Kontaktperson: Lina Ek, lina@seved.example, 070-123 45 67",
    f"Kontakt: Olle Ek (personnummer {PNR}), lina@seved.example, 070-123 45 67\n"
    "Adress: Rönngatan 7, 214 46 Malmö",
)


def test_chat_renderers_never_show_the_number(chat: Chat) -> None:
    ref = chat.apply(WITH_PNR, subject=f"Ansökan, kontakt {PNR}")
    answer = chat(f"visa {ref}")
    assert answer.ok
    outputs = {
        "console": to_plain_text(answer),
        "slack": json.dumps(slack_render(answer).blocks, ensure_ascii=False)
        + slack_render(answer).text,
        "teams": json.dumps(teams_render(answer).attachments(), ensure_ascii=False),
    }
    for channel, text in outputs.items():
        assert "9876" not in text, channel
    assert MASKED in outputs["console"]  # masked, not dropped: the official sees it is there


def test_the_memo_masks_the_number(chat: Chat) -> None:
    chat.apply(WITH_PNR, subject=f"Ansökan, kontakt {PNR}")
    chat(f"ändra {REF} titel=Trygghet för {PNR}")
    memo = memo_markdown(chat.engine, chat.settings, REF, now=chat.clock[0])
    assert "9876" not in memo
    assert "19811218" in memo.replace("\\", "")


def test_notices_mask_numbers_phones_and_addresses(chat: Chat) -> None:
    chat.apply(WITH_PNR, subject=f"Ansökan från {PNR}, ring 070-123 45 67")
    fake = FakeTransport("slack")
    drain = Delivery(
        chat.engine,
        {"slack": fake},
        planner=lambda ns, _: Routing({n.id: ["slack:C1"] for n in ns}),
    )
    assert len(drain.run(chat.clock[0] + timedelta(minutes=1)).delivered) >= 1
    text = "\n".join(n.text for n in fake.delivered)
    assert "9876" not in text
    assert "123 45 67" not in text
    assert "Rönngatan" not in text
    assert "19811218-XXXX, ring 070-XXX XX XX" in text


@pytest.mark.parametrize("formatter", [TextFormatter, JsonFormatter])
def test_log_lines_and_tracebacks_are_masked(formatter: type[logging.Formatter]) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("%(message)s", ZoneInfo("Europe/Stockholm")))  # type: ignore[call-arg]
    logger = logging.getLogger("samverkan.test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("okänd avsändare %s med org.nr %s", f"Olle {PNR}", "802457-3167")
        try:
            raise ValueError(f"kan inte läsa {PNR}")
        except ValueError:
            logger.exception("fel i brev från 811218-9876")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "9876" not in written
    assert "Olle 19811218-XXXX med org.nr 802457-3167" in written
    assert "kan inte läsa 19811218-XXXX" in written  # the traceback too
    assert "811218-XXXX" in written


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, now: datetime) -> Path:
    for key in [k for k in os.environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    msg = EmailMessage()
    msg["From"] = "Olle Ek <olle@ek.example>"
    msg["To"] = "samverkan@malmo.se"
    msg["Subject"] = f"Ansökan om samverkansstöd, kontakt {PNR}"
    msg["Message-ID"] = "<pnr-1@ek.example>"
    msg.set_content(WITH_PNR)
    (tmp_path / "ansokan.eml").write_bytes(msg.as_bytes())
    assert main(["init"]) == 0
    assert main(["ingest", "--no-send", "ansokan.eml"]) == 0
    return tmp_path


def test_show_masks_and_show_full_does_not(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["show", "--json", REF]) == 0
    masked = capsys.readouterr().out
    assert main(["show", "--json", "--full", REF]) == 0
    full = capsys.readouterr().out
    assert main(["person", "export", "olle@ek.example"]) == 0
    export = capsys.readouterr().out
    assert PNR not in masked
    assert MASKED in masked
    assert main(["cases", "--json"]) == 0
    listed = capsys.readouterr().out
    assert PNR not in listed
    assert MASKED in listed
    assert PNR in full
    assert PNR in export
