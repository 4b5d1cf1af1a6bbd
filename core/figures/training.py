"""Plotly figure builders for live training: pure functions of recorded numbers, no torch imports.

Every line is downsampled to at most ``max_points`` points (``MAX_POINTS`` for a finished run, ``LIVE_POINTS``
while it trains) so a redraw stays cheap however long the run. Traces are SVG (``scatter``), not WebGL: a
browser building a fresh WebGL context for every live redraw spends its time there (measured in issue 8).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go

from core.figures.base import BATCH_COLOURS, PARTIAL_COLOUR, figure_from_spec
from core.i18n import t
from core.maths.records import Snapshot
from core.maths.thinning import MAX_POINTS, downsample_indices


def _nan_if_none(values: Sequence[float | None]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


def epoch_curves(snapshot: Snapshot, label: str) -> EpochCurves:
    """Per-epoch curves of a run, like Keras ``history.history``."""
    records = snapshot.epochs
    return EpochCurves(
        label=label,
        epoch=np.array([r.epoch for r in records], dtype=np.int64),
        train_loss=np.array([r.train_loss for r in records], dtype=np.float64),
        val_loss=_nan_if_none([r.val_loss for r in records]),
        train_accuracy=np.array([r.train_accuracy for r in records], dtype=np.float64),
        val_accuracy=_nan_if_none([r.val_accuracy for r in records]),
    )


def update_curves(snapshot: Snapshot, label: str) -> UpdateCurves:
    """Per-update curves of a run."""
    h = snapshot.updates
    return UpdateCurves(
        label=label, update=h.update, epoch=h.epoch, samples_seen=h.samples_seen, wall_time=h.wall_time,
        loss=h.loss.astype(np.float64), lr=h.lr, updates_per_epoch=snapshot.plan.updates_per_epoch,
    )


LIVE_POINTS = 100  # per line while a run trains: the curve's shape, rebuilt 2-3 times a second; 2,000 when done


XAxis = Literal["updates", "epochs", "samples", "time"]


X_AXES: tuple[XAxis, ...] = ("updates", "epochs", "samples", "time")


TRAIN_COLOUR, VAL_COLOUR = BATCH_COLOURS[0], PARTIAL_COLOUR


RUN_COLOURS = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#9D755D", "#E45756", "#72B7B2", "#EECA3B")


@dataclass(frozen=True)
class EpochCurves:
    """Per-epoch numbers of one run, as the lesson's ``history.history`` holds them."""

    label: str
    epoch: np.ndarray  # (E,) 1-based
    train_loss: np.ndarray  # (E,)
    val_loss: np.ndarray  # (E,) NaN without a validation set
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray


@dataclass(frozen=True)
class UpdateCurves:
    """Per-update numbers of one run and where its epochs end."""

    label: str
    update: np.ndarray  # (U,) 1-based
    epoch: np.ndarray  # (U,) epochs completed after the update, fractional
    samples_seen: np.ndarray  # (U,)
    wall_time: np.ndarray  # (U,) seconds
    loss: np.ndarray  # (U,)
    lr: np.ndarray  # (U,)
    updates_per_epoch: int


MAX_EPOCH_MARKS = 20  # dotted epoch-end lines a loss chart draws; a 300-epoch run marks every 20th epoch


def epoch_mark_step(epochs: int, max_marks: int = MAX_EPOCH_MARKS) -> int:
    """Mark every k-th epoch end, k the smallest of 1, 2, 5, 10, 20, 50, … that leaves at most ``max_marks`` lines.

    >>> [epoch_mark_step(e) for e in (10, 20, 21, 100, 300, 1000)]
    [1, 1, 2, 5, 20, 50]
    """
    step, scale = 1, 1
    while -(-epochs // step) > max_marks:
        for factor in (2, 5, 10):
            step = factor * scale
            if -(-epochs // step) <= max_marks:
                return step
        scale *= 10
    return step


SMOOTH_BLOCK = 256  # values per vectorised block of the moving average


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard-style exponential moving average with bias correction (weight 0 = raw); non-finite values pass.

    >>> smooth(np.array([1.0, 3.0]), 0.5).tolist()
    [1.0, 2.3333333333333335]
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    raw = np.asarray(values, dtype=np.float64)
    out = raw.copy()
    finite = np.flatnonzero(np.isfinite(raw))
    x = raw[finite]
    # average_k = weight * average_(k-1) + (1 - weight) * x_k, computed a block at a time as a matrix product:
    # within a block, average_j = weight^(j+1) * carry + sum_(i<=j) (1 - weight) * weight^(j-i) * x_i.
    lags = np.arange(SMOOTH_BLOCK)
    lag = lags[:, None] - lags[None, :]
    kernel = np.where(lag >= 0, (1 - weight) * weight ** np.maximum(lag, 0), 0.0)  # (block, block)
    carry_weights = weight ** (lags + 1)
    averages = np.empty(len(x))
    carry = 0.0
    for start in range(0, len(x), SMOOTH_BLOCK):
        block = x[start:start + SMOOTH_BLOCK]
        size = len(block)
        averaged = kernel[:size, :size] @ block + carry_weights[:size] * carry
        averages[start:start + size] = averaged
        carry = float(averaged[-1])
    correction = 1 - weight ** np.arange(1, len(x) + 1, dtype=np.float64)
    out[finite] = averages / correction
    return out


def _compact(values: np.ndarray) -> np.ndarray:
    """Values as sent to the browser: whole numbers as int32, the rest as float32 (half the bytes of float64)."""
    if np.issubdtype(values.dtype, np.integer):
        return values.astype(np.int32)
    return values.astype(np.float32)


def _x_values(curves: UpdateCurves, axis: XAxis) -> np.ndarray:
    return {"updates": curves.update, "epochs": curves.epoch, "samples": curves.samples_seen,
            "time": curves.wall_time}[axis]


def monitoring_figure(runs: Sequence[EpochCurves], *, lang: str = "en") -> go.Figure:
    """The lesson's monitoring figure: loss and accuracy per epoch, training vs validation, side by side."""
    data: list[dict[str, Any]] = []
    for i, run in enumerate(runs):
        current = i == len(runs) - 1
        width, opacity = (2.5, 1.0) if current else (1.5, 0.55)
        prefix = "" if len(runs) == 1 else f"{run.label} · "
        for axis, metric in (("", "loss"), ("2", "accuracy")):
            for split, colour, dash in (("train", TRAIN_COLOUR, "solid"), ("val", VAL_COLOUR, "dash")):
                values = getattr(run, f"{split}_{metric}")
                if not np.isfinite(values).any():
                    continue
                data.append({
                    "type": "scatter", "x": run.epoch, "y": values, "mode": "lines+markers",
                    "name": prefix + t(f"train.fig.{split}_{metric}", lang),
                    "legendgroup": f"{run.label}-{split}", "showlegend": True,
                    "line": {"color": colour if len(runs) == 1 else RUN_COLOURS[i % len(RUN_COLOURS)],
                             "width": width, "dash": dash},
                    "marker": {"size": 4}, "opacity": opacity, "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                })
    layout = {
        "height": 360,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "xaxis": {"domain": [0, 0.45], "title": {"text": t("train.fig.epoch", lang)}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": t("train.fig.loss", lang)}},
        "xaxis2": {"domain": [0.55, 1], "title": {"text": t("train.fig.epoch", lang)}, "rangemode": "tozero"},
        "yaxis2": {"title": {"text": t("train.fig.accuracy", lang)}, "anchor": "x2", "range": [0, 1.02]},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        "uirevision": "monitoring",
    }
    return figure_from_spec(data, layout)


def _run_traces(
    run: UpdateCurves, colour: str, prefix: str, *, current: bool, x_axis: XAxis, smoothing: float, show_lr: bool,
    lang: str, max_points: int,
) -> list[dict[str, Any]]:
    """One run's loss lines: raw (the current run only), smoothed, and its learning rate when asked for."""
    keep = downsample_indices(len(run.update), max_points)
    x = _compact(_x_values(run, x_axis)[keep])
    data: list[dict[str, Any]] = []
    if current:
        data.append({
            "type": "scatter", "x": x, "y": _compact(run.loss[keep]), "mode": "lines",
            "name": prefix + t("train.fig.loss_raw", lang), "line": {"color": colour, "width": 1},
            "opacity": 0.3,
        })
    data.append({
        "type": "scatter", "x": x, "y": _compact(smooth(run.loss, smoothing)[keep]), "mode": "lines",
        "name": prefix + t("train.fig.loss_smoothed", lang),
        "line": {"color": colour, "width": 2.5 if current else 1.5}, "opacity": 1.0 if current else 0.6,
    })
    if show_lr and current:
        data.append({
            "type": "scatter", "x": x, "y": run.lr[keep].astype(np.float32), "mode": "lines", "yaxis": "y2",
            "name": t("train.fig.lr", lang), "line": {"color": "#54A24B", "width": 1.5, "dash": "dot"},
        })
    return data


def _epoch_end_trace(runs: Sequence[UpdateCurves], x_axis: XAxis, lang: str) -> dict[str, Any] | None:
    """Dotted lines at the current run's epoch ends (every k-th when there are many), or None without any."""
    if not runs or runs[-1].updates_per_epoch <= 0:
        return None
    current_run = runs[-1]
    ends = np.arange(current_run.updates_per_epoch, len(current_run.update) + 1, current_run.updates_per_epoch)
    mark_step = epoch_mark_step(len(ends))
    ends = ends[mark_step - 1::mark_step] - 1  # epochs k, 2k, …: each line still sits on a real epoch end
    shapes_x: list[float | None] = []
    for x in _x_values(current_run, x_axis)[ends]:
        shapes_x.extend([float(x), float(x), None])
    if not shapes_x:
        return None
    finite = np.concatenate([r.loss[np.isfinite(r.loss)] for r in runs])
    top = float(finite.max()) if finite.size else 1.0
    return {
        "type": "scatter", "x": shapes_x, "y": [0.0, top, None] * (len(shapes_x) // 3), "mode": "lines",
        "name": t("train.fig.epoch_end", lang) if mark_step == 1 else t("train.fig.epoch_end_every", lang,
                                                                         step=mark_step),
        "hoverinfo": "skip",
        "line": {"color": "#999999", "width": 1, "dash": "dot"},
    }


def loss_figure(
    runs: Sequence[UpdateCurves], *, x_axis: XAxis = "updates", smoothing: float = 0.8, show_lr: bool = False,
    lang: str = "en", max_points: int = MAX_POINTS,
) -> go.Figure:
    """Loss of every update (raw, faint) and smoothed, epoch ends marked, on the chosen x axis."""
    data: list[dict[str, Any]] = []
    for i, run in enumerate(runs):
        colour = TRAIN_COLOUR if len(runs) == 1 else RUN_COLOURS[i % len(RUN_COLOURS)]
        prefix = "" if len(runs) == 1 else f"{run.label} · "
        data += _run_traces(run, colour, prefix, current=i == len(runs) - 1, x_axis=x_axis, smoothing=smoothing,
                            show_lr=show_lr, lang=lang, max_points=max_points)
    epoch_ends = _epoch_end_trace(runs, x_axis, lang)
    if epoch_ends is not None:
        data.append(epoch_ends)
    layout: dict[str, Any] = {
        "height": 340,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"title": {"text": t(f"train.axis.{x_axis}", lang)}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": t("train.fig.loss", lang)}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        "uirevision": f"loss-{x_axis}",
    }
    if show_lr:
        layout["yaxis2"] = {"title": {"text": t("train.fig.lr", lang)}, "overlaying": "y", "side": "right",
                            "showgrid": False, "rangemode": "tozero"}
    return figure_from_spec(data, layout)


def boundary_figure(
    xs: np.ndarray, ys: np.ndarray, predicted: np.ndarray, confidence: np.ndarray, points: np.ndarray,
    labels: np.ndarray, *, n_classes: int, lang: str = "en", max_points: int = MAX_POINTS, max_cells: int = 80,
) -> go.Figure:
    """The model's predicted class over the plane (shaded by confidence) with the training points on top.

    The mesh is thinned to at most ``max_cells`` per axis (every k-th row and column) and sent as small
    integers and 32-bit floats: a live chart is rebuilt every few seconds.
    """
    step = -(-len(xs) // max_cells)
    xs, ys = xs[::step].astype(np.float32), ys[::step].astype(np.float32)
    predicted, confidence = predicted[::step, ::step].astype(np.int8), confidence[::step, ::step].astype(np.float32)
    points = points.astype(np.float32)
    palette = RUN_COLOURS[:n_classes]
    colourscale: list[list[object]] = []
    for k, colour in enumerate(palette):
        colourscale.extend([[k / n_classes, colour], [(k + 1) / n_classes, colour]])
    keep = downsample_indices(len(points), max_points)
    data: list[dict[str, Any]] = [
        {"type": "heatmap", "x": xs, "y": ys, "z": predicted, "zmin": -0.5, "zmax": n_classes - 0.5,
         "colorscale": colourscale, "showscale": False, "opacity": 0.35, "hoverinfo": "skip", "showlegend": False},
        # confidence in whole percent, one byte a cell
        {"type": "contour", "x": xs, "y": ys, "z": np.rint(100 * confidence).astype(np.uint8), "showscale": False,
         "hoverinfo": "skip", "contours": {"coloring": "none", "start": 60, "end": 90, "size": 15},
         "line": {"width": 0.5},
         "colorscale": [[0, "#555555"], [1, "#555555"]], "showlegend": False},
    ]
    for k in range(n_classes):
        mine = keep[labels[keep] == k]
        data.append({
            "type": "scatter", "x": points[mine, 0], "y": points[mine, 1], "mode": "markers",
            "name": t("train.fig.class", lang, label=k),
            "marker": {"size": 5, "color": palette[k], "line": {"width": 0.5, "color": "white"}},
        })
    layout = {
        "height": 380,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        # Equal scales shrink the plot to the data's shape (constrain="domain") instead of widening the x range
        # past the shaded grid, which would leave bare bands beside it.
        "xaxis": {"range": [float(xs[0]), float(xs[-1])], "title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": {"range": [float(ys[0]), float(ys[-1])], "title": {"text": "x₂"}, "scaleanchor": "x",
                  "constrain": "domain"},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        "uirevision": "boundary",
    }
    return figure_from_spec(data, layout)
