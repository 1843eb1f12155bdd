"""``samverkan stats``: the figures the committee and the city ask for."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from samverkan.bot.cli.base import database, load_settings, print_json


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", metavar="FIL", help="Rita också diagrammet som PNG i FIL."),
    ] = None,
) -> None:
    """Statistik: ärenden per fas och område, tider, stöd, uppföljning."""
    from samverkan.bot.reply import to_plain_text
    from samverkan.bot.views import stats_reply
    from samverkan.storage.db import session_scope
    from samverkan.storage.statistics import statistics

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        if chart is not None:
            from samverkan.bot.chart import render_chart
            from samverkan.storage.chart_data import chart_series

            chart.write_bytes(render_chart(chart_series(session, settings.timezone)))
        if as_json:
            print_json(statistics(session).to_dict())
            return
        text = to_plain_text(stats_reply(session))
    sys.stdout.write(text)
