"""The IMAP watcher's small parts: token command, folder names, batching, backoff."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import SecretStr

from samverkan.config import Settings
from samverkan.intake.feeders.imap import (
    ImapConfigError,
    oauth2_token,
    server_folder,
    split_by_size,
)
from samverkan.intake.feeders.watching import Backoff


def _settings(**kw: Any) -> Settings:
    return Settings(_env_file=None, imap_host="mail.example", imap_user="bot", **kw)


def test_a_configured_token_is_used_as_is() -> None:
    assert oauth2_token(_settings(imap_oauth2_token=SecretStr("tok"))) == "tok"
    assert oauth2_token(_settings()) is None


def test_the_token_command_runs_without_a_shell_and_its_output_is_trimmed() -> None:
    command = f"{sys.executable} -c \"print('  ya29.token  ')\" ; rm -rf /"
    seen: list[list[str]] = []

    def run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
        seen.append(args)
        assert kw["timeout"] > 0
        return subprocess.CompletedProcess(args, 0, "  ya29.token  \n", "")

    assert oauth2_token(_settings(imap_oauth2_command=command), run=run) == "ya29.token"
    # No shell: the ";" is just another argument, never a second command.
    assert seen == [[sys.executable, "-c", "print('  ya29.token  ')", ";", "rm", "-rf", "/"]]


def test_a_real_token_command_is_run() -> None:
    command = f"{sys.executable} -c \"print('ya29.real')\""
    assert oauth2_token(_settings(imap_oauth2_command=command)) == "ya29.real"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (f'{sys.executable} -c "import sys; sys.exit(3)"', "kod 3"),
        (f"{sys.executable} -c \"print('')\"", "ingen token"),
        ("/finns/inte/token-kommando", "gick inte att köra"),
        (f'{sys.executable} -c "import time; time.sleep(5)"', "svarade inte"),
    ],
)
def test_a_failing_token_command_is_a_clear_config_error(command: str, message: str) -> None:
    with pytest.raises(ImapConfigError, match=message):
        oauth2_token(_settings(imap_oauth2_command=command), timeout=0.5)


def test_folder_names_follow_the_servers_delimiter_and_prefix() -> None:
    assert server_folder("Samverkan/Karantän", "", "/") == "Samverkan/Karantän"
    assert server_folder("Samverkan/Behandlat", "INBOX.", ".") == "INBOX.Samverkan.Behandlat"
    assert server_folder("INBOX", "INBOX.", ".") == "INBOX"


def test_fetches_are_split_so_big_messages_do_not_pile_up() -> None:
    sizes = {1: 10, 2: 10, 3: 100, 4: 5}
    assert split_by_size([1, 2, 3, 4], sizes, 25) == [[1, 2], [3], [4]]
    assert split_by_size([1, 2], {}, 25) == [[1, 2]]


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    low = Backoff(base=1.0, cap=10.0, rand=lambda: 0.0)
    assert [low.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    high = Backoff(base=1.0, cap=10.0, rand=lambda: 1.0)
    assert [high.next_delay() for _ in range(5)] == [1.0, 2.0, 4.0, 8.0, 10.0]
    high.reset()
    assert high.next_delay() == 1.0
