"""``samverkan ingest``: files, folders, Maildirs and mbox files through the intake pipeline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from samverkan.bot.cli import EXIT_USAGE
from samverkan.bot.cli.base import database, fail, load_settings, say
from samverkan.bot.logs import quiet_libraries
from samverkan.clock import utc_now

# outcome -> (one, several), for the closing summary line.
SUMMARY_WORDS = {
    "created": ("nytt ärende", "nya ärenden"),
    "appended": ("tillagt i ett ärende", "tillagda i ärenden"),
    "duplicate": ("dubblett", "dubbletter"),
    "ignored": ("ignorerat", "ignorerade"),
    "quarantined": ("i karantän", "i karantän"),
}


def summary(counts: dict[str, int]) -> str:
    """``2841 nya ärenden, 159 ignorerade`` in the order the outcomes are listed above."""
    parts = []
    for outcome, (one, several) in SUMMARY_WORDS.items():
        n = counts.get(outcome, 0)
        if n:
            parts.append(f"{n} {one if n == 1 else several}")
    return ", ".join(parts) or "inga meddelanden"


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="SÖKVÄG...", help=".eml-filer, mappar med sådana, Maildir eller mbox-filer."
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Ett JSON-objekt per meddelande.")
    ] = False,
    no_send: Annotated[
        bool, typer.Option("--no-send", help="Skicka inte svaren nu; tjänsten skickar dem.")
    ] = False,
) -> None:
    """Läs in e-post genom samma flöde som den bevakade brevlådan."""
    from rich.console import Console
    from rich.progress import Progress

    from samverkan.bot.delivery.setup import delivery, email_configured
    from samverkan.intake.feeders.files import SourceError, count_messages, iter_messages
    from samverkan.intake.pipeline import Intake
    from samverkan.rules.ruleset import RuleSetError

    quiet_libraries()
    settings = load_settings()
    for path in paths:
        if not path.exists():
            fail(f"Hittar inte {path}", EXIT_USAGE)
    err = Console(stderr=True, soft_wrap=True)
    with database(settings) as engine:
        try:
            intake = Intake(engine, settings)
        except RuleSetError as exc:
            fail(str(exc))
        counts: dict[str, int] = {}
        show_progress = not as_json and err.is_terminal
        total = count_messages(paths) if show_progress else None
        with Progress(console=err, disable=not show_progress, transient=True) as progress:
            task = progress.add_task("Läser in", total=total)
            try:
                messages = ((raw.data, raw.source) for raw in iter_messages(paths))
                for result in intake.process_all(messages):
                    counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
                    progress.advance(task)
                    if as_json:
                        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
                    elif not show_progress:
                        say(
                            f"{result.source}: {result.outcome.label}"
                            + (f" {result.case}" if result.case else "")
                            + (f" ({result.reason})" if result.reason else "")
                        )
            except SourceError as exc:
                fail(str(exc), EXIT_USAGE)
        if email_configured(settings) and not no_send:
            report = delivery(settings, engine).run(utc_now(), channel="email")
            if not as_json:
                say(f"Skickade {len(report.delivered)} svar.")
    if not as_json:
        sys.stderr.write(f"Klart: {summary(counts)}.\n")
