"""The statistics chart as a PNG: cases per month by phase and by area, support per year.

Where a table of twelve months times eight phases is hard to read in chat, three small panels
say it at a glance. matplotlib draws it off-screen (the Agg backend, no display, no GUI
toolkit), imported only when a chart is drawn, so nothing else pays for it. The picture is
reduced to 64 colours (Pillow, which matplotlib brings): a Teams card carries it inline and
must stay under the platform's message size.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from sqlmodel import Session

from samverkan.bot.reply import Attachment
from samverkan.rules.phases import Phase
from samverkan.storage.chart_data import ChartSeries, chart_series

__all__ = ["chart_attachment", "render_chart"]


def _stacked(axes: Any, months: tuple[str, ...], series: dict[str, tuple[int, ...]]) -> None:
    bottom = [0] * len(months)
    for name, counts in series.items():
        axes.bar(months, counts, bottom=bottom, label=name)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.legend(fontsize=7, loc="upper left", ncols=2)
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)


def render_chart(series: ChartSeries) -> bytes:
    """A PNG of the three panels (an empty database gives empty panels, not an error).

    Drawing takes a few hundred milliseconds, so the last few pictures are kept: asking
    again while nothing changed answers at once."""
    key = (
        series.months,
        tuple(series.by_phase.items()),
        tuple(series.by_area.items()),
        tuple(series.granted_by_year.items()),
    )
    return _render(key)


_Key = tuple[
    tuple[str, ...],
    tuple[tuple[str, tuple[int, ...]], ...],
    tuple[tuple[str, tuple[int, ...]], ...],
    tuple[tuple[int, int], ...],
]


@functools.lru_cache(maxsize=4)
def _render(key: _Key) -> bytes:
    months, by_phase, by_area, granted_by_year = key
    series = ChartSeries(months, dict(by_phase), dict(by_area), dict(granted_by_year))
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 8), dpi=64, layout="constrained")
    by_phase, by_area, granted = figure.subplots(3, 1)
    labels = {p.value: p.label for p in Phase}
    _stacked(by_phase, series.months, {labels.get(k, k): v for k, v in series.by_phase.items()})
    by_phase.set_title("Nya ärenden per månad, efter fas i dag")
    _stacked(by_area, series.months, {k or "(inget område)": v for k, v in series.by_area.items()})
    by_area.set_title("Nya ärenden per månad, efter område")
    years = [str(y) for y in series.granted_by_year]
    granted.bar(years, [v / 1000 for v in series.granted_by_year.values()], color="#2e7d32")
    granted.set_title("Beviljad finansiering per år (tusental kronor)")
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png")
    return _small(drawn.getvalue())


def _small(png: bytes) -> bytes:
    """The same picture in 64 colours: a third of the size, small enough for a Teams card."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        reduced = image.convert("RGB").quantize(colors=64)
        out = io.BytesIO()
        reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def chart_attachment(session: Session, timezone: str) -> Attachment:
    """The chart as a file for a chat reply (Slack uploads it, Teams shows it in a card)."""
    return Attachment(
        filename="statistik.png",
        content_type="image/png",
        content="Diagram: nya ärenden per månad efter fas och område, beviljat stöd per år "
        "(samverkan stats --chart FIL ritar det också).",
        title="Statistik i diagram",
        data=render_chart(chart_series(session, timezone)),
    )
