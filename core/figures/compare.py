"""The Compare page's gradient-noise figure."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from core.figures.base import figure_from_spec
from core.figures.training import RUN_COLOURS
from core.i18n import fmt_float, t
from core.maths.records import NoiseReport


def noise_figure(report: NoiseReport, *, lang: str = "en") -> go.Figure:
    """Cosine to the full-batch gradient per batch size tried (± one std), with the B_simple estimate marked."""
    sizes = list(report.batch_sizes)
    data: list[dict[str, object]] = [{
        "type": "scatter", "x": sizes, "y": list(report.cosine), "mode": "lines+markers",
        "name": t("compare.fig.tried", lang), "line": {"color": RUN_COLOURS[0], "width": 2},
        "marker": {"size": 9, "color": RUN_COLOURS[0]},
        "error_y": {"type": "data", "array": list(report.cosine_std), "visible": True},
        "text": [f"B={b}" for b in sizes], "hovertemplate": "%{text}: cos %{y:.3f}<extra></extra>",
    }]
    lowest = max(1.0, min(sizes) / 2)
    highest = max(sizes) * 2.0
    b_simple = report.scale.b_simple
    if b_simple is not None:
        lowest, highest = min(lowest, b_simple / 2), max(highest, b_simple * 2)
        data.append({
            "type": "scatter", "x": [b_simple, b_simple], "y": [0, 1], "mode": "lines",
            "name": t("compare.fig.bsimple", lang, value=fmt_float(b_simple, 1)),
            "line": {"color": "#E45756", "width": 2, "dash": "dash"}, "hoverinfo": "skip",
        })
    layout = {
        "height": 300,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"type": "log", "title": {"text": t("compare.fig.batch", lang)},
                  "range": [math.log10(lowest), math.log10(highest)], "tickvals": sizes},
        "yaxis": {"title": {"text": t("compare.fig.cosine", lang)}, "range": [min(0.0, *report.cosine), 1.05]},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    }
    return figure_from_spec(data, layout)
