"""What every figure shares: a figure built from plain data, the toolbar's room, the batch colours."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

MAX_EPOCH_LINES = 200


# One colour per batch for up to 20 batches (they cycle beyond), ordered so that neighbouring batches
# differ most; no red and no light grey, which mark the partial last batch and dropped samples. Every
# pair, and every colour against those two and a white or dark page, is at least 16.9 apart in CIEDE2000.
BATCH_COLOURS = (
    "#4C78A8", "#F58518", "#54A24B", "#B279A2", "#EECA3B", "#9D755D", "#4B0082", "#00CED1", "#0B6E4F", "#FCBFD2",
    "#843C39", "#B5E48C", "#808000", "#636363", "#9C9EDE", "#7B4173", "#1F3B73", "#22A7F0", "#006D77", "#C9FBE5",
)


PARTIAL_COLOUR, DROPPED_COLOUR = "#E45756", "#D9D9D9"

# A horizontal legend above the plot, right-aligned: clear of the title on the left and of the data.
LEGEND_ABOVE_RIGHT = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"}

TOOLBAR_ROOM_PX = 36  # right margin holding Plotly's toolbar, drawn upright


def figure_from_spec(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from plain trace and layout dicts.

    Plotly's per-property validation costs ~15 ms a figure, a third of the calculator's rerun
    budget; tests build every spec with validation on, so it is safe to skip here. The figure carries an
    empty template: Streamlit's theme styles it in the browser, and Plotly's default template would add
    7 kB to every figure sent, twice a second on a live page. The toolbar stands upright in a right margin of
    its own, so it never covers a legend laid along the top (four batch sizes' entries reach the right edge).
    ``_validate`` is private to Plotly: listed, and guarded, in core/runtime/private_api.py.
    """
    margin = layout.get("margin", {})
    layout = {"template": {}, **layout, "modebar": {"orientation": "v"},
              "margin": {**margin, "r": max(margin.get("r", 0), TOOLBAR_ROOM_PX)}}
    return go.Figure({"data": data, "layout": layout}, _validate=False)
