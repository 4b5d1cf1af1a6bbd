"""The batch-size finder's figure: samples per second and memory per batch size."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.figures.base import BATCH_COLOURS, LEGEND_ABOVE_RIGHT, PARTIAL_COLOUR, figure_from_spec
from core.i18n import t
from core.maths.records import FinderResult


def throughput_spec(result: FinderResult, *, lang: str = "en") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of the throughput figure (see ``throughput_figure``)."""
    sizes = np.array([p.batch_size for p in result.points])
    rates = np.array([p.samples_per_s for p in result.points])
    memory = np.array([p.peak_memory_bytes / 2**20 for p in result.points])
    estimated = any(p.memory_estimated for p in result.points)
    memory_name = t("finder.fig.memory_estimate" if estimated else "finder.fig.memory_measured", lang)
    data: list[dict[str, Any]] = [
        {"type": "scatter", "x": sizes, "y": rates, "mode": "lines+markers", "name": t("finder.fig.throughput", lang),
         "line": {"color": BATCH_COLOURS[0], "width": 2}, "marker": {"size": 7},
         "hovertemplate": t("finder.fig.hover", lang) + "<extra></extra>"},
        {"type": "scatter", "x": sizes, "y": memory, "mode": "lines+markers", "name": memory_name, "yaxis": "y2",
         "line": {"color": BATCH_COLOURS[5], "width": 1, "dash": "dash"}, "marker": {"size": 5},
         "hovertemplate": t("finder.fig.hover_memory", lang) + "<extra></extra>"},
    ]
    best = result.best
    if best is not None:
        data.append({"type": "scatter", "x": [best.batch_size], "y": [best.samples_per_s], "mode": "markers",
                     "name": t("finder.fig.best", lang, batch=f"{best.batch_size:,}"),
                     "marker": {"size": 14, "color": PARTIAL_COLOUR, "symbol": "star"}, "hoverinfo": "skip"})
    ticks = [int(s) for s in sizes]
    layout = {
        "title": {"text": t("finder.fig.title", lang, device=result.device or "-")},
        "xaxis": {"title": {"text": t("finder.fig.x", lang)}, "type": "log", "tickvals": ticks,
                  "ticktext": [f"{s:,}" for s in ticks]},
        "yaxis": {"title": {"text": t("finder.fig.y", lang)}, "rangemode": "tozero"},
        "yaxis2": {"title": {"text": t("finder.fig.y2", lang)}, "overlaying": "y", "side": "right",
                   "rangemode": "tozero", "showgrid": False},
        "legend": {**LEGEND_ABOVE_RIGHT},
        "margin": {"l": 10, "r": 10, "t": 80, "b": 10},
        "height": 360,
    }
    return data, layout


def throughput_figure(result: FinderResult, *, lang: str = "en") -> go.Figure:
    """Samples per second against batch size (log2 axis), with peak memory on a second axis."""
    return figure_from_spec(*throughput_spec(result, lang=lang))
