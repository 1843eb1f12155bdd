"""``samverkan rules``: rule-set files for the criteria."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from samverkan.bot.cli.base import fail
from samverkan.bot.cli.swedish import SwedishCommand, group

app = group("Regeluppsättningar för kriterierna.")


@app.command("check", cls=SwedishCommand)
def rules_check(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Regelfilen att kontrollera (TOML).")],
) -> None:
    """Kontrollera en regelfil och skriv ut dess kriterier; ett fel anges med radnummer."""
    from samverkan.rules.ruleset import RuleSetError, describe_ruleset, load_ruleset

    try:
        ruleset = load_ruleset(file)
    except RuleSetError as exc:
        fail(str(exc))
    sys.stdout.write(describe_ruleset(ruleset) + "\n")
