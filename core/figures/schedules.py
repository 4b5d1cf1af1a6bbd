"""Plotly figure of a learning-rate schedule per update, with warm-up and epoch boundaries marked."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.figures.base import BATCH_COLOURS, LEGEND_ABOVE_RIGHT, MAX_EPOCH_LINES, PARTIAL_COLOUR, figure_from_spec
from core.i18n import t
from core.maths.lr import LRSettings, lr_at, sample_steps, warmup_updates

WARMUP_FILL = "rgba(238, 202, 59, 0.18)"


def schedule_spec(settings: LRSettings, *, lang: str = "en") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of the schedule figure (see ``schedule_figure``)."""
    p = settings.plan()
    warmup, total = min(warmup_updates(p, settings.warmup_epochs), p.total_updates), p.total_updates
    steps = np.asarray(sample_steps(total, warmup))
    lrs = [lr_at(int(s), initial_lr=settings.initial_lr, final_lr=settings.final_lr, warmup=warmup, total=total,
                 decay=settings.decay, min_lr=settings.min_lr) for s in steps]
    updates = steps + 1  # 1-based, as the calculator and the training page count them
    per_epoch = p.updates_per_epoch
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": updates,
            "y": lrs,
            "customdata": (steps // per_epoch) + 1,
            "mode": "lines+markers" if total <= 300 else "lines",
            "marker": {"size": 4},
            "name": t("lr.fig.lr", lang),
            "line": {"color": BATCH_COLOURS[0], "width": 2},
            "hovertemplate": t("lr.fig.hover", lang) + "<extra></extra>",
        }
    ]
    top = max(max(lrs), settings.final_lr) * 1.05
    if p.epochs > 1:
        step = max(1, math.ceil((p.epochs - 1) / MAX_EPOCH_LINES))
        epochs = np.arange(step, p.epochs, step)
        xs = np.repeat(epochs * per_epoch + 0.5, 3).astype(float)
        ys = np.tile([0.0, top, np.nan], epochs.size)
        xs[2::3] = np.nan
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": t("lr.fig.epoch_end", lang),
                     "line": {"color": PARTIAL_COLOUR, "width": 1, "dash": "dot"}, "hoverinfo": "skip"})
    shapes: list[dict[str, Any]] = []
    if warmup:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": 0.5, "x1": warmup + 0.5, "y0": 0,
                       "y1": 1, "fillcolor": WARMUP_FILL, "line": {"width": 0}, "layer": "below"})
        data.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers", "showlegend": True,
                     "name": t("lr.fig.warmup", lang, updates=f"{warmup:,}"),
                     "marker": {"size": 12, "color": WARMUP_FILL, "symbol": "square"}})
    layout = {
        "title": {"text": t("lr.fig.title", lang, updates=f"{total:,}", epochs=p.epochs, per_epoch=f"{per_epoch:,}")},
        "xaxis": {"title": {"text": t("lr.fig.x", lang)}, "range": [0.5, total + 0.5]},
        "yaxis": {"title": {"text": t("lr.fig.y", lang)}, "range": [0, top], "exponentformat": "e"},
        "legend": {**LEGEND_ABOVE_RIGHT},
        "shapes": shapes,
        "margin": {"l": 10, "r": 10, "t": 80, "b": 10},
        "height": 360,
    }
    return data, layout


def schedule_figure(settings: LRSettings, *, lang: str = "en") -> go.Figure:
    """The learning rate of every update: the warm-up shaded, each epoch's end a dotted line."""
    return figure_from_spec(*schedule_spec(settings, lang=lang))
