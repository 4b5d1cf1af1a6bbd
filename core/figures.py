"""Plotly figure builders for the calculator: pure functions, data in, ``go.Figure`` out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.batching import BatchPlan, batch_assignment
from core.i18n import t

MAX_TILES = 2_000  # above this many training samples, one tile stands for several samples
MAX_TIMELINE_MARKERS = 300  # draw a dot per update only when there are at most this many
MAX_EPOCH_LINES = 200

# Categorical colours cycle over batches; two more mark the partial last batch and dropped samples.
BATCH_COLOURS = ("#4C78A8", "#72B7B2", "#54A24B", "#EECA3B", "#B279A2", "#9D755D", "#79706E", "#FF9DA6")
PARTIAL, DROPPED = len(BATCH_COLOURS), len(BATCH_COLOURS) + 1
PARTIAL_COLOUR, DROPPED_COLOUR = "#E45756", "#D9D9D9"


@dataclass(frozen=True)
class Conveyor:
    """Tiles of one epoch: which batch each tile's samples fall into, ready to draw."""

    category: np.ndarray  # (rows, cols) colour index: batch % 8, PARTIAL, DROPPED; NaN for padding cells
    batch: np.ndarray  # (rows, cols) 0-based batch index of the tile's first sample, -1 dropped
    rank: np.ndarray  # (rows, cols) device that draws the tile's first sample
    first: np.ndarray  # (rows, cols) first sample index (by_sample) or draw position of the tile
    samples_per_tile: int
    by_sample: bool  # True: tiles are samples in index order; False: positions in draw order


def _grid_shape(count: int) -> tuple[int, int]:
    cols = max(1, min(count, math.ceil(math.sqrt(count * 2.5))))
    return math.ceil(count / cols), cols


def conveyor_tiles(p: BatchPlan, epoch: int, *, shuffle: bool, seed: int = 0) -> Conveyor:
    """The training samples of ``epoch`` as tiles coloured by batch, aggregated for large sets."""
    n = p.train_samples
    last_index = p.iterations_per_epoch - 1
    if n <= MAX_TILES:
        assigned = batch_assignment(
            n, p.batch_size, epoch, shuffle=shuffle, drop_last=p.drop_last, world_size=p.world_size, seed=seed
        )
        batch, rank, first, per_tile, by_sample = assigned.batch, assigned.rank, np.arange(n), 1, True
        dropped = batch < 0
        partial = p.has_partial_last_batch & (batch == last_index)
    else:
        # Aggregate in draw order: position -> (rank, batch) is arithmetic, no permutation needed.
        per_tile = math.ceil(n / MAX_TILES)
        first = np.arange(0, n, per_tile)
        last = np.minimum(first + per_tile, n) - 1
        rank = first % p.world_size
        batch = (first // p.world_size) // p.batch_size
        tail_batch = (last // p.world_size) // p.batch_size
        dropped = p.drop_last & (tail_batch > last_index)
        partial = p.has_partial_last_batch & (tail_batch == last_index)
        batch = np.where(batch > last_index, -1, batch)
        by_sample = False
    category = np.where(dropped, DROPPED, np.where(partial, PARTIAL, batch % len(BATCH_COLOURS)))

    rows, cols = _grid_shape(category.size)
    pad = rows * cols - category.size

    def grid(values: np.ndarray, fill: float) -> np.ndarray:
        return np.concatenate([values.astype(float), np.full(pad, fill)]).reshape(rows, cols)

    return Conveyor(
        category=grid(category, np.nan),
        batch=grid(batch, np.nan),
        rank=grid(rank, np.nan),
        first=grid(first, np.nan),
        samples_per_tile=per_tile,
        by_sample=by_sample,
    )


def _discrete_colourscale() -> list[list[object]]:
    colours = [*BATCH_COLOURS, PARTIAL_COLOUR, DROPPED_COLOUR]
    scale: list[list[object]] = []
    for i, colour in enumerate(colours):
        scale.append([i / len(colours), colour])
        scale.append([(i + 1) / len(colours), colour])
    return scale


def figure_from_spec(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from plain trace and layout dicts.

    Plotly's per-property validation costs ~15 ms a figure, a third of the calculator's rerun
    budget; tests build every spec with validation on, so it is safe to skip here. The figure carries an
    empty template: Streamlit's theme styles it in the browser, and Plotly's default template would add
    7 kB to every figure sent, twice a second on a live page.
    """
    return go.Figure({"data": data, "layout": {"template": {}, **layout}}, _validate=False)


def _legend_swatch(name: str, colour: str) -> dict[str, Any]:
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name, "showlegend": True,
            "marker": {"size": 12, "color": colour, "symbol": "square"}}


def conveyor_spec(
    p: BatchPlan, epoch: int, *, shuffle: bool, seed: int = 0, lang: str = "en"
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of the batch conveyor (see ``conveyor_figure``)."""
    tiles = conveyor_tiles(p, epoch, shuffle=shuffle, seed=seed)
    customdata = np.stack([tiles.first, tiles.batch + 1, tiles.rank + 1], axis=-1)
    hover_key = "fig.conveyor.hover_sample" if tiles.by_sample else "fig.conveyor.hover_tile"
    hover = t(hover_key, lang, per_tile=f"{tiles.samples_per_tile:,}")
    if p.world_size > 1:
        hover += "<br>" + t("fig.conveyor.hover_rank", lang)
    data: list[dict[str, Any]] = [
        {
            "type": "heatmap",
            "z": tiles.category,
            "customdata": customdata,
            "colorscale": _discrete_colourscale(),
            "zmin": -0.5,
            "zmax": DROPPED + 0.5,
            "showscale": False,
            "xgap": 1,
            "ygap": 1,
            "hovertemplate": hover + "<extra></extra>",
        },
        _legend_swatch(t("fig.conveyor.legend_batch", lang), BATCH_COLOURS[0]),
    ]
    if p.has_partial_last_batch:
        data.append(_legend_swatch(t("fig.conveyor.legend_partial", lang, last=p.last_batch_size), PARTIAL_COLOUR))
    if p.dropped_samples:
        data.append(_legend_swatch(t("fig.conveyor.legend_dropped", lang), DROPPED_COLOUR))
    subtitle = (
        t("fig.conveyor.by_sample", lang)
        if tiles.by_sample
        else t("fig.conveyor.by_position", lang, per_tile=f"{tiles.samples_per_tile:,}")
    )
    layout = {
        "title": {"text": t("fig.conveyor.title", lang, epoch=epoch) + f"<br><sup>{subtitle}</sup>"},
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "autorange": "reversed", "scaleanchor": "x"},
        "legend": {"orientation": "h", "y": -0.02, "yanchor": "top"},
        "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        "height": 380,
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return data, layout


def conveyor_figure(p: BatchPlan, epoch: int, *, shuffle: bool, seed: int = 0, lang: str = "en") -> go.Figure:
    """The batch conveyor: every training sample as a tile coloured by the batch that draws it."""
    return figure_from_spec(*conveyor_spec(p, epoch, shuffle=shuffle, seed=seed, lang=lang))


def timeline_points(p: BatchPlan) -> tuple[np.ndarray, np.ndarray]:
    """Exact (update, samples seen) vertices of the whole run; samples grow linearly within an epoch."""
    if p.total_updates == 0:
        return np.zeros(1), np.zeros(1)
    per_update_full = p.batch_size * p.grad_accum_steps * p.world_size
    full_updates = p.updates_per_epoch - 1  # every update of an epoch but the last is a full group
    starts_u = np.arange(p.epochs) * p.updates_per_epoch
    starts_s = np.arange(p.epochs) * p.samples_per_epoch
    u = np.stack([starts_u, starts_u + full_updates, starts_u + p.updates_per_epoch], axis=1).ravel()
    s = np.stack([starts_s, starts_s + full_updates * per_update_full, starts_s + p.samples_per_epoch], axis=1).ravel()
    return u, s


def timeline_spec(p: BatchPlan, *, lang: str = "en") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of the run timeline (see ``timeline_figure``)."""
    u, s = timeline_points(p)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": u,
            "y": s,
            "mode": "lines",
            "name": t("fig.timeline.samples", lang),
            "line": {"color": BATCH_COLOURS[0], "width": 2},
            "hovertemplate": t("fig.timeline.hover", lang) + "<extra></extra>",
        }
    ]
    if 0 < p.total_updates <= MAX_TIMELINE_MARKERS:
        per_epoch = p.updates_per_epoch
        updates = np.arange(1, p.total_updates + 1)
        epoch_index = (updates - 1) // per_epoch
        within = updates - epoch_index * per_epoch
        per_update = p.batch_size * p.grad_accum_steps * p.world_size
        seen = epoch_index * p.samples_per_epoch + np.minimum(within * per_update, p.samples_per_epoch)
        data.append(
            {
                "type": "scatter",
                "x": updates,
                "y": seen,
                "mode": "markers",
                "name": t("fig.timeline.update", lang),
                "marker": {"size": 5, "color": BATCH_COLOURS[0]},
                "customdata": np.stack([epoch_index + 1, within], axis=-1),
                "hovertemplate": t("fig.timeline.hover_update", lang) + "<extra></extra>",
            }
        )
    if p.total_updates > 0:
        step = max(1, math.ceil(p.epochs / MAX_EPOCH_LINES))
        epochs = np.arange(step, p.epochs + 1, step)
        xs = np.repeat(epochs * p.updates_per_epoch, 3).astype(float)
        ys = np.tile([0.0, float(p.samples_seen), np.nan], epochs.size)
        xs[2::3] = np.nan
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "name": t("fig.timeline.epoch_end", lang),
                "line": {"color": PARTIAL_COLOUR, "width": 1, "dash": "dot"},
                "hoverinfo": "skip",
            }
        )
    layout = {
        "title": {"text": t("fig.timeline.title", lang, updates=f"{p.total_updates:,}", epochs=p.epochs)},
        "xaxis": {"title": {"text": t("fig.timeline.x", lang)}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": t("fig.timeline.y", lang)}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        "margin": {"l": 10, "r": 10, "t": 80, "b": 10},
        "height": 340,
    }
    return data, layout


def timeline_figure(p: BatchPlan, *, lang: str = "en") -> go.Figure:
    """The whole run along the update axis: samples seen, with each epoch boundary marked."""
    return figure_from_spec(*timeline_spec(p, lang=lang))
