"""The README's "Get started", run as written on a fresh clone: install, init, serve, look."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def getting_started_blocks(readme: str) -> list[list[str]]:
    section = readme.split("## Get started", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.slow(seconds=60)
def test_the_readme_getting_started_works_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "samverkan"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    blocks = getting_started_blocks((clone / "README.md").read_text(encoding="utf-8"))
    install, look = blocks[0], blocks[1]  # then the test suite's own block
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMVERKAN_", "VIRTUAL_ENV"))}
    port = free_port()
    env["SAMVERKAN_HTTP_PORT"] = str(port)  # the README's 8080 may be taken on this machine

    def sh(line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", line], cwd=clone, env=env, capture_output=True, text=True,
            timeout=900, check=False,
        )  # fmt: skip

    serve_line = next(line for line in install if "samverkan serve" in line)
    for line in install[: install.index(serve_line)]:
        done = sh(line)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    service = subprocess.Popen(
        ["bash", "-c", f"exec {serve_line}"], cwd=clone, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not up(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert up(port), "serve did not answer /healthz"
        while time.monotonic() < deadline and "SAM-2026-0001" not in sh(look[0]).stdout:
            time.sleep(0.3)  # the seeded examples become cases
        outputs = {}
        for line in look:
            done = sh(line)
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
            outputs[line] = done.stdout
        chat = next(out for line, out in outputs.items() if "samverkan chat" in line)
        assert "SAM-2026-0001" in chat
        assert "inte registrerad" not in chat
    finally:
        service.send_signal(signal.SIGTERM)
        log, _ = service.communicate(timeout=30)
    assert service.returncode == 0, log.decode()
