"""``samverkan teams-package`` and ``samverkan slack-manifest``: what an administrator uploads.

Both only build files from the configuration; neither talks to Slack or Teams.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from samverkan.bot.cli import EXIT_USAGE
from samverkan.bot.cli.base import fail, load_settings, say


def teams_package(
    out: Annotated[Path, typer.Option("--out", metavar="FIL", help="Zip-filen att skriva.")] = Path(
        "samverkan-teams.zip"
    ),
    website: Annotated[
        str, typer.Option("--website", metavar="URL", help="Utvecklarens webbplats i manifestet.")
    ] = "https://malmo.se",
) -> None:
    """Bygg Teams-appens paket (manifest och ikoner) att ladda upp i Teams.

    Appens id är SAMVERKAN_TEAMS_APP_ID.
    """
    from samverkan.bot.teams_package import PackageError, build_package

    settings = load_settings()
    try:
        written = build_package(settings.teams_app_id, out, website=website)
    except PackageError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        fail(f"Kunde inte skriva {out}: {exc.strerror or exc}")
    say(f"Teams-paketet är skrivet: {written}")


def slack_manifest(
    url: Annotated[
        str | None,
        typer.Option("--url", metavar="URL", help="Tjänstens publika adress (HTTP-läge)."),
    ] = None,
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode: ingen publik adress behövs.")
    ] = False,
) -> None:
    """Skriv ut Slack-appens manifest (JSON) att skapa appen med.

    Utan --url används exempeladressen i deploy/slack/manifest.json.
    """
    from samverkan.bot.slack_manifest import EXAMPLE_URL, manifest

    data = manifest(None if socket else (url or EXAMPLE_URL))
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
