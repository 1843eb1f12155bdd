"""Running ``samverkan`` in-process with a clean environment, for the CLI tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samverkan.bot.cli import main


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh working directory and no SAMVERKAN_* leaking in from the machine."""
    for key in [k for k in os.environ if k.startswith("SAMVERKAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of one ``samverkan`` command."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
