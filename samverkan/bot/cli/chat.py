"""``samverkan chat``: one chat command from the terminal, through the Slack/Teams core."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from samverkan.bot.cli import EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE
from samverkan.bot.cli.base import database, fail, load_settings
from samverkan.clock import utc_now


def chat(
    text: Annotated[
        list[str],
        typer.Argument(
            metavar="TEXT...", help='Kommandot, t.ex. "visa SAM-2026-0001" eller "hjälp".'
        ),
    ],
    who: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="VEM",
            help="Handläggaren du agerar som (id eller e-post ur SAMVERKAN_OFFICIALS); "
            "standard SAMVERKAN_CHAT_AS.",
        ),
    ] = None,
) -> None:
    """Kör ett chattkommando genom samma kärna som Slack och Teams.

    Svaret skrivs ut som text.
    """
    from samverkan.bot.dispatch import Dispatcher, Platform, needs_identity
    from samverkan.bot.reply import ReplyStatus, to_plain_text
    from samverkan.intake.pipeline import Intake
    from samverkan.rules.ruleset import RuleSetError

    line = " ".join(text)
    settings = load_settings()  # SAMVERKAN_CHAT_AS from the environment or .env
    who = who or settings.chat_as
    if not who and needs_identity(line):
        fail("Ange vem du är med --as ID (eller SAMVERKAN_CHAT_AS).", EXIT_USAGE)
    with database(settings) as engine:
        try:
            intake = Intake(engine, settings)
        except RuleSetError as exc:
            fail(str(exc))
        answer = Dispatcher(engine, settings, intake, utc_now).dispatch(line, who, Platform.CLI)
    sys.stdout.write(to_plain_text(answer))
    codes = {
        ReplyStatus.OK: 0,
        ReplyStatus.USAGE: EXIT_USAGE,
        ReplyStatus.NOT_FOUND: EXIT_NOT_FOUND,
    }
    if answer.status is not ReplyStatus.OK:
        raise typer.Exit(codes.get(answer.status, EXIT_FAILED))
