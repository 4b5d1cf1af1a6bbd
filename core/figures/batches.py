"""Plotly figure builders for the calculator: pure functions, data in, ``go.Figure`` out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.figures.base import (
    BATCH_COLOURS,
    DROPPED_COLOUR,
    LEGEND_ABOVE_RIGHT,
    MAX_EPOCH_LINES,
    PARTIAL_COLOUR,
    figure_from_spec,
)
from core.i18n import t
from core.maths.batching import BatchPlan, batch_assignment

MAX_TILES = 2_000  # above this many training samples, one tile stands for several samples


MAX_TIMELINE_MARKERS = 300  # draw a dot per update only when there are at most this many


PARTIAL, DROPPED = len(BATCH_COLOURS), len(BATCH_COLOURS) + 1




MAX_LABELLED_BATCHES = len(BATCH_COLOURS)  # write each batch's number on it while every batch has its own colour


MAX_ROW_TILES = 60  # with that few batches, one row per batch when a batch is at most this many tiles wide


@dataclass(frozen=True)
class Conveyor:
    """Tiles of one epoch: which batch each tile's samples fall into, ready to draw."""

    category: np.ndarray  # (rows, cols) colour index: batch % 20, PARTIAL, DROPPED; NaN for padding cells
    batch: np.ndarray  # (rows, cols) 0-based batch index of the tile's first sample, -1 dropped
    rank: np.ndarray  # (rows, cols) device that draws the tile's first sample
    first: np.ndarray  # (rows, cols) first sample index (by_sample) or draw position of the tile
    samples_per_tile: int
    by_sample: bool  # True: tiles are samples in index order; False: positions in draw order
    batches: int = 0  # batches per epoch on one device: hover says "batch k of batches"
    labels: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=int))  # (number, row, col) rows


def _grid_shape(count: int, cols: int | None = None) -> tuple[int, int]:
    if cols is None:
        cols = max(1, min(count, math.ceil(math.sqrt(count * 2.5))))
    return math.ceil(count / cols), cols


def _label_cells(batch: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """(number, row, col) of the tile that carries each batch's number.

    ``spans[k]`` is the first and last flat tile index batch ``k`` covers unshuffled. The number goes on the
    batch's own tile nearest that span's centre, so unshuffled it sits in the middle of its batch and shuffled
    the numbers still run top to bottom; never right beside another number in its row, where "1" and "0"
    would read as "10".
    """
    cols = batch.shape[1]
    flat = batch.ravel()
    cells: list[tuple[int, int, int]] = []
    for k, (lo, hi) in enumerate(spans):
        own = np.flatnonzero(flat == k)
        if own.size == 0:
            continue
        r, c = own // cols, own % cols
        span = np.arange(lo, hi + 1)
        distance = (r - (span // cols).mean()) ** 2 + (c - (span % cols).mean()) ** 2
        if cells:
            placed = np.array(cells)[:, 1:]
            crowded = ((r[:, None] == placed[:, 0]) & (np.abs(c[:, None] - placed[:, 1]) <= 1)).any(axis=1)
            distance = distance + np.where(crowded, 1e9, 0.0)
        i = int(np.argmin(distance))
        cells.append((k + 1, int(r[i]), int(c[i])))
    return np.array(cells, dtype=int).reshape(-1, 3)


def conveyor_tiles(p: BatchPlan, epoch: int, *, shuffle: bool, seed: int = 0) -> Conveyor:
    """The training samples of ``epoch`` as tiles coloured by batch, aggregated for large sets."""
    n = p.train_samples
    batches = p.iterations_per_epoch
    last_index = batches - 1
    labelled = 0 < batches <= MAX_LABELLED_BATCHES
    cols = None
    if n <= MAX_TILES:
        assigned = batch_assignment(
            n, p.batch_size, epoch, shuffle=shuffle, drop_last=p.drop_last, world_size=p.world_size, seed=seed
        )
        batch, rank, first, per_tile, by_sample = assigned.batch, assigned.rank, np.arange(n), 1, True
        dropped = batch < 0
        partial = p.has_partial_last_batch & (batch == last_index)
        # Unshuffled, batch k (on all devices together) is the index range [k * group, (k + 1) * group).
        group = p.batch_size * p.world_size
        spans = [(k * group, min((k + 1) * group, n) - 1) for k in range(batches if labelled else 0)]
        if labelled and 2 <= group <= MAX_ROW_TILES:
            cols = group  # one row per batch: "10 batches of 20" is 10 rows of 20
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
        # Tiles are already in draw order (batch never decreases): each batch is one run of tiles.
        numbers = np.arange(batches if labelled else 0)
        starts, ends = np.searchsorted(batch, numbers), np.searchsorted(batch, numbers + 1) - 1
        spans = list(zip(starts.tolist(), ends.tolist(), strict=True))
        batch = np.where(batch > last_index, -1, batch)
        by_sample = False
    category = np.where(dropped, DROPPED, np.where(partial, PARTIAL, batch % len(BATCH_COLOURS)))

    rows, cols = _grid_shape(category.size, cols)
    pad = rows * cols - category.size

    def grid(values: np.ndarray, fill: float) -> np.ndarray:
        return np.concatenate([values.astype(float), np.full(pad, fill)]).reshape(rows, cols)

    batch_grid = grid(batch, np.nan)
    return Conveyor(
        category=grid(category, np.nan),
        batch=batch_grid,
        rank=grid(rank, np.nan),
        first=grid(first, np.nan),
        samples_per_tile=per_tile,
        by_sample=by_sample,
        batches=batches,
        labels=_label_cells(batch_grid, spans),
    )


def _discrete_colourscale() -> list[list[object]]:
    colours = [*BATCH_COLOURS, PARTIAL_COLOUR, DROPPED_COLOUR]
    scale: list[list[object]] = []
    for i, colour in enumerate(colours):
        scale.append([i / len(colours), colour])
        scale.append([(i + 1) / len(colours), colour])
    return scale


def _tile_colour(category: float) -> str:
    return [*BATCH_COLOURS, PARTIAL_COLOUR, DROPPED_COLOUR][int(category)]


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    srgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


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
    where = t(hover_key, lang, per_tile=f"{tiles.samples_per_tile:,}")
    hover = where + "<br>" + t("fig.conveyor.hover_batch", lang, batches=tiles.batches)
    if p.world_size > 1:
        hover += "<br>" + t("fig.conveyor.hover_rank", lang)
    dropped = tiles.category == DROPPED
    heatmap = {
        "type": "heatmap",
        "colorscale": _discrete_colourscale(),
        "zmin": -0.5,
        "zmax": DROPPED + 0.5,
        "showscale": False,
        "xgap": 1,
        "ygap": 1,
        "hoverongaps": False,
        "customdata": customdata,
    }
    data: list[dict[str, Any]] = [
        {**heatmap, "z": np.where(dropped, np.nan, tiles.category), "hovertemplate": hover + "<extra></extra>"}
    ]
    if dropped.any():  # dropped samples belong to no batch: their own trace, hover without a batch number
        data.append({**heatmap, "z": np.where(dropped, DROPPED, np.nan),
                     "hovertemplate": where + "<br>" + t("fig.conveyor.legend_dropped", lang) + "<extra></extra>"})
    rows, cols = tiles.category.shape
    if tiles.labels.size:
        number, row, col = tiles.labels.T
        tile_px = min(290 / rows, 800 / cols)  # about the size of a tile on a wide page
        data.append({
            "type": "scatter",
            "x": col,
            "y": row,
            "mode": "text",
            "text": [str(k) for k in number],
            "textfont": {"size": int(np.clip(tile_px * 0.5, 9, 14)),
                         "color": [_ink(_tile_colour(tiles.category[r, c])) for r, c in zip(row, col, strict=True)]},
            "hoverinfo": "skip",
            "showlegend": False,
        })
    numbered = 0 < tiles.batches <= MAX_LABELLED_BATCHES
    batch_legend = (t("fig.conveyor.legend_numbered", lang, batches=tiles.batches) if numbered
                    else t("fig.conveyor.legend_batch", lang))
    data.append(_legend_swatch(batch_legend, BATCH_COLOURS[0]))
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
        "xaxis": {"visible": False, "range": [-0.5, cols - 0.5]},
        "yaxis": {"visible": False, "range": [rows - 0.5, -0.5], "scaleanchor": "x"},  # first row on top
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
        "legend": {**LEGEND_ABOVE_RIGHT},
        "margin": {"l": 10, "r": 10, "t": 80, "b": 10},
        "height": 340,
    }
    return data, layout


def timeline_figure(p: BatchPlan, *, lang: str = "en") -> go.Figure:
    """The whole run along the update axis: samples seen, with each epoch boundary marked."""
    return figure_from_spec(*timeline_spec(p, lang=lang))
