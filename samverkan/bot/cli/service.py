"""``samverkan serve`` and ``samverkan tick``: the service, and one round of what is due."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from samverkan.bot.cli import EXIT_USAGE
from samverkan.bot.cli.base import database, fail, load_settings, say
from samverkan.clock import utc_now


def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host", metavar="ADRESS", help="Adress för HTTP-gränssnittet (/healthz, chatt)."
        ),
    ] = "127.0.0.1",
) -> None:
    """Kör tjänsten: brevlådan, schemaläggaren och HTTP-gränssnittet."""
    from samverkan.bot.logs import configure_logging
    from samverkan.bot.serve import ConfigurationError
    from samverkan.bot.serve import serve as run_service
    from samverkan.rules.ruleset import RuleSetError

    settings = load_settings()
    configure_logging(settings)
    with database(settings) as engine:
        try:
            run_service(settings, engine, host=host)
        except (RuleSetError, ConfigurationError) as exc:
            fail(str(exc))


def parse_moment(value: str, timezone: str) -> datetime:
    """An ISO 8601 moment; without an offset it is local time in SAMVERKAN_TIMEZONE."""
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"'{value}' är ingen tidpunkt i ISO 8601", EXIT_USAGE)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def tick(
    now: Annotated[
        str | None,
        typer.Option(
            "--now", metavar="TIDPUNKT", help="Tidpunkt (ISO 8601) att köra som; standard nu."
        ),
    ] = None,
) -> None:
    """Kör allt som är förfallet vid en tidpunkt, en gång.

    Som schemaläggaren gör: påminnelser, uppföljningar och köad e-post.
    """
    from samverkan.bot.deadlines import policy_of, refusal
    from samverkan.bot.tick import run_tick
    from samverkan.rules.deadline_policy import DeadlinePolicyError

    settings = load_settings()
    try:
        policy_of(settings)
    except DeadlinePolicyError as exc:
        fail(refusal(exc))
    at = parse_moment(now, settings.timezone) if now else utc_now()
    with database(settings) as engine:
        done = run_tick(engine, settings, at)
    for line in done:
        say(line)
    from samverkan.rules.text import plural

    say(f"Klart vid {at.isoformat()}: {plural(len(done), 'åtgärd', 'åtgärder')}.")
