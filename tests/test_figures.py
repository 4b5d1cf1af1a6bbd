"""The calculator's figures draw exactly the plan's batches, and stay small for huge datasets."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.batching import plan
from core.figures import (
    DROPPED,
    MAX_TILES,
    PARTIAL,
    conveyor_figure,
    conveyor_spec,
    conveyor_tiles,
    timeline_figure,
    timeline_points,
    timeline_spec,
)


def test_conveyor_has_one_tile_per_sample_for_small_sets():
    tiles = conveyor_tiles(plan(200, 20, 10), 1, shuffle=False)
    assert tiles.by_sample and tiles.samples_per_tile == 1
    assert np.count_nonzero(~np.isnan(tiles.category)) == 200
    assert np.nanmax(tiles.batch) == 9


def test_conveyor_marks_the_partial_last_batch_and_dropped_samples():
    partial = conveyor_tiles(plan(100, 30, 1), 1, shuffle=True)
    assert np.count_nonzero(partial.category == PARTIAL) == 10
    dropped = conveyor_tiles(plan(100, 30, 1, drop_last=True), 1, shuffle=True)
    assert np.count_nonzero(dropped.category == DROPPED) == 10
    assert np.count_nonzero(dropped.category == PARTIAL) == 0


def test_conveyor_reshuffles_between_epochs():
    p = plan(500, 50, 3)
    first = conveyor_tiles(p, 1, shuffle=True).batch
    assert not np.array_equal(first, conveyor_tiles(p, 2, shuffle=True).batch, equal_nan=True)
    assert np.array_equal(conveyor_tiles(p, 1, shuffle=False).batch, conveyor_tiles(p, 2, shuffle=False).batch,
                          equal_nan=True)


@pytest.mark.parametrize("n", [MAX_TILES + 1, 60_000, 10_000_000])
def test_conveyor_aggregates_large_sets_to_a_bounded_number_of_tiles(n):
    tiles = conveyor_tiles(plan(n, 32, 1, drop_last=True), 1, shuffle=True)
    assert not tiles.by_sample
    assert np.count_nonzero(~np.isnan(tiles.category)) <= MAX_TILES
    assert (tiles.category == DROPPED).any() == bool(plan(n, 32, 1, drop_last=True).dropped_samples)


def test_conveyor_figure_is_a_heatmap_with_a_legend():
    fig = conveyor_figure(plan(100, 30, 1), 1, shuffle=True, lang="ko")
    assert isinstance(fig.data[0], go.Heatmap)
    assert "마지막" in " ".join(trace.name or "" for trace in fig.data)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 500), batch_size=st.integers(1, 64), epochs=st.integers(1, 6), accum=st.integers(1, 5),
       world=st.integers(1, 3), drop_last=st.booleans())
def test_timeline_vertices_match_samples_counted_update_by_update(n, batch_size, epochs, accum, world, drop_last):
    p = plan(n, batch_size, epochs, drop_last=drop_last, grad_accum_steps=accum, world_size=world)
    # Count samples update by update the slow way: micro-batch sizes grouped by accumulation.
    micro = [batch_size] * (p.iterations_per_epoch - 1) + ([p.last_batch_size] if p.iterations_per_epoch else [])
    per_update = [sum(micro[i:i + accum]) * world for i in range(0, len(micro), accum)]
    cumulative = np.concatenate([[0], np.cumsum(per_update * epochs)])
    u, s = timeline_points(p)
    assert np.array_equal(np.interp(u, np.arange(cumulative.size), cumulative), s)
    assert s[-1] == p.samples_seen and u[-1] == p.total_updates


def test_timeline_stays_small_for_billions_of_updates():
    fig = timeline_figure(plan(10_000_000, 1, 1000))
    assert sum(len(trace.x) for trace in fig.data) < 5_000


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    "p",
    [plan(100, 30, 1), plan(1000, 32, 5, drop_last=True, world_size=3), plan(60_000, 32, 10, validation_split=0.2),
     plan(10, 20, 1, drop_last=True)],
    ids=["partial", "devices-drop-last", "mnist", "no-update"],
)
def test_figure_specs_pass_plotly_validation(p, lang):
    # The builders skip validation at run time for speed; here every spec must validate.
    go.Figure(dict(zip(["data", "layout"], conveyor_spec(p, 1, shuffle=True, lang=lang), strict=True)))
    go.Figure(dict(zip(["data", "layout"], timeline_spec(p, lang=lang), strict=True)))
