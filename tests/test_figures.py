"""The calculator's figures draw exactly the plan's batches, and stay small for huge datasets."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.figures.base import BATCH_COLOURS
from core.figures.batches import (
    DROPPED,
    DROPPED_COLOUR,
    MAX_LABELLED_BATCHES,
    MAX_TILES,
    PARTIAL,
    PARTIAL_COLOUR,
    conveyor_figure,
    conveyor_spec,
    conveyor_tiles,
    timeline_figure,
    timeline_points,
    timeline_spec,
)
from core.maths.batching import plan
from tests.conftest import examples


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


@settings(max_examples=examples(300), deadline=None)
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


def _lab(colour: str) -> np.ndarray:
    """CIELAB of a '#RRGGBB' colour (D65), for colour distances a person would see."""
    srgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(srgb > 0.04045, ((srgb + 0.055) / 1.055) ** 2.4, srgb / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    f = np.where(xyz / [0.95047, 1.0, 1.08883] > 0.008856, np.cbrt(xyz / [0.95047, 1.0, 1.08883]),
                 7.787 * xyz / [0.95047, 1.0, 1.08883] + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _distance(a: str, b: str) -> float:
    return float(np.linalg.norm(_lab(a) - _lab(b)))  # CIE76 ΔE: about 2.3 is just noticeable


def test_twenty_batch_colours_stay_apart_and_away_from_partial_and_dropped():
    assert len(set(BATCH_COLOURS)) == MAX_LABELLED_BATCHES == 20
    for i, a in enumerate(BATCH_COLOURS):
        for b in BATCH_COLOURS[i + 1:]:
            assert _distance(a, b) >= 20, (a, b)
        assert _distance(a, PARTIAL_COLOUR) >= 20 and _distance(a, DROPPED_COLOUR) >= 20, a
    assert _distance(PARTIAL_COLOUR, DROPPED_COLOUR) >= 20


@st.composite
def _few_batch_plans(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, MAX_TILES))
    world = draw(st.integers(1, 3))
    batch_size = draw(st.integers(-(-n // MAX_LABELLED_BATCHES), n + 5))
    return plan(n, batch_size, 2, drop_last=draw(st.booleans()), world_size=world)


@settings(max_examples=examples(150), deadline=None)
@given(p=_few_batch_plans(), shuffle=st.booleans(), epoch=st.integers(1, 2))
def test_up_to_twenty_batches_each_get_their_own_colour_and_one_number(p, shuffle, epoch):
    tiles = conveyor_tiles(p, epoch, shuffle=shuffle)
    batches = p.iterations_per_epoch
    assert tiles.batches == batches <= MAX_LABELLED_BATCHES
    # Exactly one number per batch, 1..K, each written on a tile of its own batch.
    number, row, col = tiles.labels.T
    assert sorted(number.tolist()) == list(range(1, batches + 1))
    assert np.array_equal(tiles.batch[row, col], number - 1)
    # No number right beside an earlier one in its row (they would read as one) unless its batch has no other tile.
    assert len({(r, c) for r, c in zip(row, col, strict=True)}) == len(number)

    def beside_earlier(i: int, r: int, c: int) -> bool:
        return any(row[j] == r and abs(col[j] - c) <= 1 for j in range(i))

    for i in range(len(number)):
        if beside_earlier(i, row[i], col[i]):
            assert all(beside_earlier(i, r, c) for r, c in np.argwhere(tiles.batch == number[i] - 1))
    # Every full batch has one colour, and no two batches share one; partial and dropped stand apart.
    colour_of = {}
    for k in range(batches):
        categories = set(np.unique(tiles.category[tiles.batch == k]).tolist())
        expected = PARTIAL if (p.has_partial_last_batch and k == batches - 1) else k
        assert categories == {expected}
        colour_of[k] = expected
    assert len(set(colour_of.values())) == batches
    assert set(np.unique(tiles.category[tiles.batch == -1]).tolist()) <= {DROPPED}


def test_two_hundred_samples_in_batches_of_twenty_are_ten_numbered_rows():
    tiles = conveyor_tiles(plan(200, 20, 10), 1, shuffle=False)
    assert tiles.category.shape == (10, 20)
    assert np.array_equal(tiles.batch, np.repeat(np.arange(10), 20).reshape(10, 20))
    assert tiles.labels[:, 0].tolist() == list(range(1, 11))
    assert tiles.labels[:, 1].tolist() == list(range(10))  # each number on its own row

    data, layout = conveyor_spec(plan(200, 20, 10), 1, shuffle=False, lang="en")
    (text,) = [trace for trace in data if trace.get("mode") == "text"]
    assert text["text"] == [str(k) for k in range(1, 11)]
    assert "batch %{customdata[1]} of 10" in data[0]["hovertemplate"]
    assert any("numbered 1 to 10" in (trace.get("name") or "") for trace in data)
    ko, _ = conveyor_spec(plan(200, 20, 10), 1, shuffle=True, lang="ko")
    assert "배치 10개 중 %{customdata[1]}번째" in ko[0]["hovertemplate"]


def test_shuffled_batches_keep_their_numbers_and_reshuffle_each_epoch():
    p = plan(200, 20, 3)
    first, second = conveyor_tiles(p, 1, shuffle=True), conveyor_tiles(p, 2, shuffle=True)
    assert first.labels[:, 0].tolist() == second.labels[:, 0].tolist() == list(range(1, 11))
    assert not np.array_equal(first.batch, second.batch)


def test_a_thousand_in_batches_of_fifty_gives_twenty_distinct_colours():
    tiles = conveyor_tiles(plan(1000, 50, 20), 1, shuffle=False)
    assert tiles.category.shape == (20, 50)
    assert len(np.unique(tiles.category)) == 20 and tiles.labels[:, 0].tolist() == list(range(1, 21))


def test_partial_and_dropped_tiles_are_marked_and_dropped_ones_name_no_batch():
    data, _ = conveyor_spec(plan(100, 30, 1, drop_last=True), 1, shuffle=False)
    heatmaps = [trace for trace in data if trace["type"] == "heatmap"]
    assert len(heatmaps) == 2
    assert np.nansum(heatmaps[1]["z"] == DROPPED) == 10 and "%{customdata[1]}" not in heatmaps[1]["hovertemplate"]
    assert not (heatmaps[0]["z"] == DROPPED).any()
    partial = conveyor_tiles(plan(100, 30, 1), 1, shuffle=False)
    assert partial.labels[-1, 0] == 4 and partial.category[partial.labels[-1, 1], partial.labels[-1, 2]] == PARTIAL


def test_large_sets_with_few_batches_are_numbered_and_many_batches_are_not():
    few = conveyor_tiles(plan(60_000, 3_000, 1), 1, shuffle=True)
    assert not few.by_sample and few.labels[:, 0].tolist() == list(range(1, 21))
    assert np.array_equal(few.batch[few.labels[:, 1], few.labels[:, 2]], np.arange(20))
    many = conveyor_tiles(plan(60_000, 32, 1), 1, shuffle=True)
    assert many.labels.size == 0 and many.batches == 1875
    data, _ = conveyor_spec(plan(60_000, 32, 1), 1, shuffle=True)
    assert not any(trace.get("mode") == "text" for trace in data)
    assert any(trace.get("name") == "batch (colours cycle)" for trace in data)
