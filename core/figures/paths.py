"""The Descent paths figure: three descents drawn over the contours of their loss surface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.figures.base import figure_from_spec
from core.i18n import t
from core.maths.descent import START, DescentPath, Method, Surface
from core.maths.thinning import downsample_indices

COLOURS: dict[Method, str] = {"batch": "#4C78A8", "stochastic": "#E45756", "mini-batch": "#54A24B"}


# Pixel offsets of each path's name from its end point: paths often end close together.
LABEL_OFFSETS: dict[Method, tuple[int, int]] = {"batch": (0, 70), "stochastic": (-150, 25), "mini-batch": (0, -70)}


def paths_spec(
    surface: Surface, paths: Sequence[DescentPath], shown: int | None = None, *, lang: str = "en"
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of the descent figure (see ``paths_figure``)."""
    log_loss = np.log10(np.maximum(surface.loss, 1e-12))
    data: list[dict[str, Any]] = [
        {
            "type": "contour",
            "x": surface.w,
            "y": surface.b,
            "z": log_loss,
            "customdata": surface.loss,
            "colorscale": "Blues",
            "reversescale": True,
            "ncontours": 24,
            "contours": {"coloring": "heatmap", "showlines": True},
            "line": {"width": 0.5, "color": "rgba(255,255,255,0.6)"},
            "opacity": 0.55,
            "colorbar": {"title": {"text": t("paths.fig.colorbar", lang)}, "thickness": 12},
            "hovertemplate": t("paths.fig.hover_surface", lang) + "<extra></extra>",
            "name": t("paths.fig.surface", lang),
            "showlegend": False,
        }
    ]
    labels: list[dict[str, Any]] = []  # each path's name at its current end point
    for path in paths:
        count = path.w.size if shown is None else min(shown, path.updates) + 1
        index = downsample_indices(count)
        name = t(f"paths.method.{path.method}", lang)
        colour = COLOURS[path.method]
        data.append(
            {
                "type": "scatter",
                "x": path.w[index],
                "y": path.b[index],
                "customdata": np.stack([index, path.loss[index]], axis=-1),
                "mode": "lines+markers" if count <= 60 else "lines",
                "name": t("paths.fig.legend", lang, method=name, batch=f"{path.batch_size:,}"),
                "legendgroup": path.method,
                "line": {"color": colour, "width": 2 if path.method != "stochastic" else 1.2},
                "opacity": 0.75 if path.method == "stochastic" else 1.0,
                "marker": {"size": 5, "color": colour},
                "hovertemplate": t("paths.fig.hover_path", lang, method=name) + "<extra></extra>",
            }
        )
        end = index[-1]
        data.append(
            {
                "type": "scatter",
                "x": [path.w[end]],
                "y": [path.b[end]],
                "mode": "markers",
                "marker": {"size": 10, "color": colour, "line": {"color": "white", "width": 1.5}},
                "legendgroup": path.method,
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
        ax, ay = LABEL_OFFSETS[path.method]
        labels.append(
            {
                "x": path.w[end], "y": path.b[end], "text": name, "ax": ax, "ay": ay, "showarrow": True,
                "arrowhead": 0, "arrowcolor": colour, "font": {"color": colour, "size": 13},
                "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": colour, "borderpad": 2,
            }
        )
    w_min, b_min = surface.minimum
    data += [
        {
            "type": "scatter",
            "x": [START[0]],
            "y": [START[1]],
            "mode": "markers+text",
            "text": [t("paths.fig.start", lang)],
            "textposition": "bottom center",
            "marker": {"size": 14, "symbol": "circle-open", "color": "#333", "line": {"width": 2}},
            "name": t("paths.fig.start", lang),
            "hovertemplate": "w=%{x:.3f}, b=%{y:.3f}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": [w_min],
            "y": [b_min],
            "mode": "markers+text",
            "text": [t("paths.fig.minimum", lang)],
            "textposition": "bottom center",
            "marker": {"size": 16, "symbol": "star", "color": "#F2B701", "line": {"color": "#333", "width": 1}},
            "name": t("paths.fig.minimum", lang),
            "hovertemplate": "w=%{x:.3f}, b=%{y:.3f}<extra></extra>",
        },
    ]
    layout = {
        "title": {"text": t("paths.fig.title", lang)},
        "xaxis": {"title": {"text": t("paths.fig.x", lang)}, "range": [surface.w[0], surface.w[-1]]},
        "yaxis": {"title": {"text": t("paths.fig.y", lang)}, "range": [surface.b[0], surface.b[-1]]},
        "legend": {"orientation": "h", "y": -0.15, "yanchor": "top"},
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "height": 560,
        "annotations": labels,
        "uirevision": "paths",
    }
    return data, layout


def paths_figure(
    surface: Surface, paths: Sequence[DescentPath], shown: int | None = None, *, lang: str = "en"
) -> go.Figure:
    """The loss contour over (w, b) with each method's path over its first ``shown`` updates."""
    return figure_from_spec(*paths_spec(surface, paths, shown, lang=lang))
