"""The service's log as a collector reads it: JSON a line, local time, no actor's address."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

import pytest

from samverkan.bot.logs import configure_logging
from samverkan.config import Settings


@pytest.fixture
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield None
    root.handlers, root.level = handlers, level
    for name in ("apscheduler", "pypdf"):
        logging.getLogger(name).setLevel(logging.NOTSET)
        logging.getLogger(name).propagate = True


def test_json_logs_parse_line_by_line_in_local_time_without_addresses(
    capsys: pytest.CaptureFixture[str], restore_logging: object, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, log_format="json", timezone="Europe/Stockholm")
    configure_logging(settings)
    log = logging.getLogger("samverkan.test")
    log.info("ny ansökan från %s", "lina.ek@seved.example")
    try:
        raise ValueError("svar till lina.ek@seved.example misslyckades")
    except ValueError:
        log.exception("utskick misslyckades")
    logging.getLogger("apscheduler.executors.default").info("Running job tick")
    logging.getLogger("pypdf._reader").warning("Ignoring wrong pointing object")
    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == [
        "ny ansökan från <e-post>",
        "utskick misslyckades",
    ]
    assert entries[1]["error"] == "ValueError"
    assert "seved.example" not in "\n".join(lines)
    moment = datetime.fromisoformat(entries[0]["time"])
    assert moment.utcoffset() is not None
    assert moment.utcoffset().total_seconds() in (3600, 7200)  # Stockholm, winter or summer
    assert entries[0]["level"] == "INFO"
    assert entries[0]["logger"] == "samverkan.test"


def test_debug_shows_the_scheduler_again(
    capsys: pytest.CaptureFixture[str], restore_logging: object
) -> None:
    configure_logging(Settings(_env_file=None, log_level="DEBUG"))
    logging.getLogger("apscheduler.executors.default").info("Running job tick")
    assert "Running job tick" in capsys.readouterr().err
