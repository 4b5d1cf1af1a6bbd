"""Figures of a data-parallel run: the sample indices each rank draws, and each rank's loss per update.

The draws grid has one column per iteration and one row per draw of a rank's batch, the ranks stacked in
blocks; a cell shows the sample index drawn there, coloured by rank, and DistributedSampler's padding
duplicates (indices drawn a second time so that every rank gets as many) in a colour of their own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.figures.base import BATCH_COLOURS, PARTIAL_COLOUR, figure_from_spec
from core.i18n import t
from core.maths.batching import BatchPlan
from core.maths.thinning import MAX_POINTS, downsample_indices
from core.views.data_parallel import EpochDraws, draw_width, padding_mask

PADDING_COLOUR = PARTIAL_COLOUR  # red: no rank's colour is red, so a repeated index stands out
MAX_TEXT_COLUMNS = 24  # iterations whose cells are wide enough for an index of four digits
ROW_PX, FRAME_PX, MIN_HEIGHT, MAX_HEIGHT = 20, 130, 260, 800  # a draw's row; title, legend and axis around them
MAX_UNIT_TICKS = 20  # up to this many iterations, every one gets its tick
MAX_GAPPED = 120  # columns (rows) of the grid that still get a gap between them


def _colourscale(ranks: int) -> list[list[object]]:
    """Category k < ranks: rank k's colour; category ``ranks``: a padding duplicate."""
    colours = [*BATCH_COLOURS[:ranks], PADDING_COLOUR]
    scale: list[list[object]] = []
    for i, colour in enumerate(colours):
        scale += [[i / len(colours), colour], [(i + 1) / len(colours), colour]]
    return scale


def _swatch(name: str, colour: str) -> dict[str, Any]:
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name, "showlegend": True,
            "hoverinfo": "skip", "marker": {"size": 12, "color": colour, "symbol": "square"}}


def draws_spec(p: BatchPlan, draws: EpochDraws, *, lang: str = "en") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of the draws grid for one epoch (see ``draws_figure``)."""
    ranks, iterations, width = p.world_size, p.iterations_per_epoch, draw_width(p)
    padding = padding_mask(p)
    drawn = draws.indices >= 0
    category = np.where(padding, ranks, np.arange(ranks)[:, None, None]).astype(float)
    category[~drawn] = np.nan
    # (rank, iteration, draw) -> rows (rank, draw) by columns (iteration)
    rows = ranks * width
    z = category.transpose(0, 2, 1).reshape(rows, iterations)
    index = draws.indices.transpose(0, 2, 1).reshape(rows, iterations)
    rank_of_row = np.repeat(np.arange(ranks), width)
    draw_of_row = np.tile(np.arange(width), ranks)
    padded_cell = padding.transpose(0, 2, 1).reshape(rows, iterations)
    customdata = np.stack([
        index,
        np.broadcast_to(rank_of_row[:, None], (rows, iterations)),
        np.broadcast_to(draw_of_row[:, None] + 1, (rows, iterations)),
    ], axis=-1)
    hover = t("dp.fig.hover", lang)
    heatmap: dict[str, Any] = {
        "type": "heatmap", "x": np.arange(1, iterations + 1), "y": np.arange(rows), "customdata": customdata,
        "colorscale": _colourscale(ranks), "zmin": -0.5, "zmax": ranks + 0.5, "showscale": False,
        # A pixel between cells while they are wide; none once a gap would hide them (a thousand iterations).
        "xgap": int(iterations <= MAX_GAPPED), "ygap": int(rows <= MAX_GAPPED), "hoverongaps": False,
        "showlegend": False,
    }
    # Numbers only where they fit: a row of full height for every draw, and columns wide enough for 4 digits.
    labelled = rows * ROW_PX + FRAME_PX <= MAX_HEIGHT and iterations <= MAX_TEXT_COLUMNS

    def cells(shown: np.ndarray, note: str) -> dict[str, Any]:
        trace = {**heatmap, "z": np.where(shown, z, np.nan), "hovertemplate": hover + note + "<extra></extra>"}
        if labelled:  # each sample's index written in its cell
            trace.update(text=np.where(shown & (index >= 0), index.astype(str), ""), texttemplate="%{text}",
                         textfont={"size": 11, "color": "#FFFFFF"})
        return trace

    # The padding duplicates get a trace of their own, whose hover says what they are.
    data = [cells(~padded_cell, "")]
    if p.padded_samples:
        data.append(cells(padded_cell, t("dp.fig.padding_note", lang)))
    data += [_swatch(t("dp.fig.rank", lang, rank=rank), BATCH_COLOURS[rank]) for rank in range(ranks)]
    if p.padded_samples:
        data.append(_swatch(t("dp.fig.padding", lang, count=p.padded_samples), PADDING_COLOUR))
    # A line between the ranks' blocks, and each block named once, at its middle.
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": r * width - 0.5,
               "y1": r * width - 0.5, "line": {"width": 2, "color": "#888888"}} for r in range(1, ranks)]
    layout: dict[str, Any] = {
        "title": {"text": t("dp.fig.title", lang, epoch=draws.epoch, ranks=ranks)},
        "xaxis": {"title": {"text": t("dp.fig.x", lang)}, "range": [0.5, iterations + 0.5], "showgrid": False,
                  "zeroline": False, "tickformat": "d",
                  **({"dtick": 1, "tick0": 1} if iterations <= MAX_UNIT_TICKS else {})},
        "yaxis": {"range": [rows - 0.5, -0.5], "showgrid": False,
                  "zeroline": False, "tickmode": "array",
                  "tickvals": [r * width + (width - 1) / 2 for r in range(ranks)],
                  "ticktext": [t("dp.fig.rank", lang, rank=r) for r in range(ranks)]},
        "shapes": shapes,
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        "margin": {"l": 10, "r": 10, "t": 80, "b": 40},
        "height": int(np.clip(rows * ROW_PX + FRAME_PX, MIN_HEIGHT, MAX_HEIGHT)),
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return data, layout


def draws_figure(p: BatchPlan, draws: EpochDraws, *, lang: str = "en") -> go.Figure:
    """The sample indices each rank drew in each iteration of one epoch, padding duplicates marked."""
    return figure_from_spec(*draws_spec(p, draws, lang=lang))


def loss_spec(
    p: BatchPlan, epochs: tuple[EpochDraws, ...], *, lang: str = "en", max_points: int = MAX_POINTS
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of the loss per update (see ``loss_figure``), at most ``max_points`` points a line."""
    losses = np.concatenate([epoch.losses for epoch in epochs], axis=1) if epochs else np.zeros((p.world_size, 0))
    kept = downsample_indices(losses.shape[1], max_points)
    losses, updates = losses[:, kept], kept + 1
    data: list[dict[str, Any]] = [
        {"type": "scatter", "x": updates, "y": losses[rank], "mode": "lines", "name": t("dp.fig.rank", lang, rank=rank),
         "line": {"color": BATCH_COLOURS[rank], "width": 1}, "opacity": 0.7,
         "hovertemplate": t("dp.fig.loss_hover", lang) + "<extra>" + t("dp.fig.rank", lang, rank=rank) + "</extra>"}
        for rank in range(p.world_size)
    ]
    if p.world_size > 1:
        with np.errstate(all="ignore"):
            mean = np.where(np.isnan(losses).any(axis=0), np.nan, losses.mean(axis=0)) if losses.size else losses[0]
        data.append({"type": "scatter", "x": updates, "y": mean, "mode": "lines", "name": t("dp.fig.loss_mean", lang),
                     "line": {"color": "#222222", "width": 2.5},
                     "hovertemplate": t("dp.fig.loss_hover", lang) + "<extra></extra>"})
    boundaries = [{"type": "line", "xref": "x", "x0": e * p.iterations_per_epoch + 0.5,
                   "x1": e * p.iterations_per_epoch + 0.5, "yref": "paper", "y0": 0, "y1": 1,
                   "line": {"width": 1, "dash": "dot", "color": "#999999"}} for e in range(1, len(epochs))]
    layout: dict[str, Any] = {
        "title": {"text": t("dp.fig.loss_title", lang)},
        "xaxis": {"title": {"text": t("dp.fig.loss_x", lang)}, "range": [0.5, max(p.total_updates, 1) + 0.5]},
        "yaxis": {"title": {"text": t("dp.fig.loss_y", lang)}, "rangemode": "tozero"},
        "shapes": boundaries,
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        "margin": {"l": 10, "r": 10, "t": 80, "b": 40},
        "height": 300,
    }
    return data, layout


def loss_figure(
    p: BatchPlan, epochs: tuple[EpochDraws, ...], *, lang: str = "en", max_points: int = MAX_POINTS
) -> go.Figure:
    """Each rank's loss on its own batch per update and, with several ranks, their mean: the global batch's loss."""
    return figure_from_spec(*loss_spec(p, epochs, lang=lang, max_points=max_points))
