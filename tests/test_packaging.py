"""What an operator installs from: the unit file, the image, the example settings, the
licence and the README's links, each checked the way the machine here allows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from samverkan.config import Settings

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "samverkan.service"


def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """Verified as installed: the documented prefix stands for where the venv really is."""
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is needed (apt-get install systemd)"
    venv_bin = str(Path(sys.executable).parent) + "/"
    unit = tmp_path / "samverkan.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/opt/samverkan/venv/bin/", venv_bin))
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    complaints = [line for line in done.stderr.splitlines() if "samverkan.service" in line]
    assert done.returncode == 0, done.stderr
    assert complaints == []


def test_the_unit_runs_init_then_serve_as_its_own_user() -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert "\nUser=samverkan\n" in text
    assert "ExecStartPre=/opt/samverkan/venv/bin/samverkan init" in text
    assert "ExecStart=/opt/samverkan/venv/bin/samverkan serve" in text
    assert "EnvironmentFile=/etc/samverkan/samverkan.env" in text


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_image_is_small_runs_as_a_user_and_checks_its_health() -> None:
    steps = dockerfile_instructions()
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    assert final[0] == ("FROM", "python:3.11-slim")
    users = [arg for op, arg in final if op == "USER"]
    assert users
    assert users[-1] not in ("root", "0")
    assert any(op == "HEALTHCHECK" and "/healthz" in arg for op, arg in final)
    cmd = next(arg for op, arg in reversed(final) if op == "CMD")
    assert "samverkan init" in cmd
    assert "samverkan serve --host 0.0.0.0" in cmd
    assert not any(op == "ADD" for op, _ in steps)  # COPY only: nothing fetched at build time
    assert not any(op == "COPY" and ".env" in arg for op, arg in steps)


def test_the_image_builds_where_docker_runs(tmp_path: Path) -> None:
    """Built when a Docker daemon answers; the Dockerfile checks above hold either way."""
    docker = shutil.which("docker")
    daemon = docker is not None and (
        subprocess.run([docker, "info"], capture_output=True, timeout=30, check=False).returncode
        == 0
    )
    if not daemon:
        assert dockerfile_instructions()  # the file parses; the lint test checks the rest
        return
    assert docker is not None
    done = subprocess.run(
        [docker, "build", "-t", "samverkan-test", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_compose_runs_the_service_with_postgresql() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert re.search(r"^  db:\n    image: postgres:\d+", text, re.M)
    assert re.search(r"^  samverkan:\n    build: \.", text, re.M)
    assert "SAMVERKAN_DATABASE_URL: postgresql://samverkan:" in text
    assert "condition: service_healthy" in text
    assert "\t" not in text


def test_every_example_setting_is_a_real_setting_and_every_setting_is_there() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?SAMVERKAN_([A-Z0-9_]+)=", text, re.M))
    fields = {name.upper() for name in Settings.model_fields}
    assert named - fields == set()
    assert fields - named == set()


def test_the_example_settings_give_the_getting_started_official(
    tmp_path: Path, monkeypatch: object
) -> None:
    env = (ROOT / ".env.example").read_text(encoding="utf-8")
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    settings = Settings(_env_file=tmp_path / ".env")
    assert settings.chat_as in settings.officials


def test_the_licence_is_the_one_pyproject_names() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = { text = "EUPL-1.2" }' in pyproject
    assert "SPDX-License-Identifier: EUPL-1.2" in licence


def markdown_links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.findall(r"\]\(([^)]+)\)", text)


def test_the_readme_and_docs_link_only_inside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for link in markdown_links(page):
            target = link.split("#")[0]
            assert "://" not in link, f"{page.name} links outside: {link}"
            resolved = (page.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), f"{page.name} leaves the repository: {link}"
            assert resolved.exists(), f"{page.name} links to a missing {link}"
