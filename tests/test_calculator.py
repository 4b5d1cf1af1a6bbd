"""Calculator settings from URLs, their round trip, and the explanation of a plan."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.i18n import t
from core.maths.batching import plan
from core.views.calculator import (
    DEFAULTS,
    PARAMS,
    PRESETS,
    CalculatorSettings,
    explain,
    settings_from_query,
    settings_to_query,
)
from tests.conftest import examples


def test_a_full_query_string_sets_every_input():
    query = {"n": "1001", "batch_size": "32", "epochs": "3", "drop_last": "true", "val_split": "0.2",
             "framework": "pytorch", "accum": "4", "devices": "2"}
    settings, problems = settings_from_query(query)
    assert problems == []
    assert settings == CalculatorSettings(1001, 32, 3, True, 0.2, "pytorch", 4, 2)


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        pytest.param({"n": "abc"}, "n", "malformed", id="n-not-a-number"),
        pytest.param({"n": "0"}, "n", "out_of_range", id="n-zero"),
        pytest.param({"n": "20000000"}, "n", "out_of_range", id="n-above-10M"),
        pytest.param({"epochs": "2.5"}, "epochs", "malformed", id="fractional-epochs"),
        pytest.param({"val_split": "1"}, "val_split", "out_of_range", id="split-of-one"),
        pytest.param({"val_split": "nan"}, "val_split", "malformed", id="split-nan"),
        pytest.param({"drop_last": "maybe"}, "drop_last", "malformed", id="bool-garbage"),
        pytest.param({"framework": "jax"}, "framework", "malformed", id="unknown-framework"),
        pytest.param({"batch_size": "5,0"}, "batch_size", "ambiguous", id="comma-is-not-a-thousands-separator"),
        pytest.param({"n": "1"}, "batch_size", "adjusted", id="default-batch-above-the-link-n"),
        pytest.param({"framework": "keras", "drop_last": "true"}, "drop_last", "conflict", id="keras-drop-last"),
        pytest.param({"framework": "keras", "devices": "4"}, "devices", "conflict", id="keras-devices"),
    ],
)
def test_bad_url_values_are_reported_and_fall_back(query, name, reason):
    settings, problems = settings_from_query(query)
    assert [(p.name, p.reason) for p in problems] == [(name, reason)]
    settings.plan()  # whatever the URL said, the settings it falls back to are valid
    field = next((param.attribute for param in PARAMS if param.name == name), name)
    assert getattr(settings, field) == problems[0].used


@settings(max_examples=examples(200), deadline=None)
@given(n=st.integers(1, 10_000), batch_size=st.integers(1, 10_000_000))
def test_a_batch_above_the_dataset_is_kept_as_one_full_batch(n, batch_size):
    settings, problems = settings_from_query({"n": str(n), "batch_size": str(batch_size)})
    assert problems == [] and settings.batch_size == batch_size
    p = settings.plan()
    if batch_size >= n:
        assert p.iterations_per_epoch == 1
    if batch_size > n:
        assert "note.full_batch" in [note.key for note in explain(p).notes]


def test_a_default_fitted_to_the_link_is_reported_as_such_not_as_the_link_value():
    settings, problems = settings_from_query({"n": "1"})
    assert settings.batch_size == 1
    [problem] = problems
    message = t(f"param.{problem.reason}.{problem.name}", "en", raw=problem.raw, used=problem.used,
                **dict(problem.details))
    assert "link's batch size" not in message and "The link sets no batch size" in message
    assert "default batch size 50 is larger than the link's dataset size 1" in message


@given(number=st.integers(0, 10_000_000))
def test_thousands_separators_are_read_and_other_commas_refused(number):
    settings, problems = settings_from_query({"batch_size": f"{number:,}"})
    if number >= 1:
        assert problems == [] and settings.batch_size == number
    ambiguous = f"{number},{number % 100}"  # "5,0", "1234,34": never a thousands grouping
    _, problems = settings_from_query({"batch_size": ambiguous})
    assert [(p.name, p.reason) for p in problems] == [("batch_size", "ambiguous")]


@settings(max_examples=examples(300), deadline=None)
@given(
    n=st.integers(1, 10_000_000), epochs=st.integers(1, 1000), drop_last=st.booleans(),
    val_split=st.floats(0, 0.95).map(lambda v: round(v, 2)), accum=st.integers(1, 1024),
    devices=st.integers(1, 1024), data=st.data(),
)
def test_settings_survive_a_url_round_trip(n, epochs, drop_last, val_split, accum, devices, data):
    batch_size = data.draw(st.integers(1, 10_000_000))
    original = CalculatorSettings(n, batch_size, epochs, drop_last, val_split, "pytorch", accum, devices)
    parsed, problems = settings_from_query(settings_to_query(original))
    assert problems == [] and parsed == original


def test_presets_reproduce_the_seed_numbers():
    counts = [(p.settings.plan().iterations_per_epoch, p.settings.plan().total_updates) for p in PRESETS]
    assert counts == [(10, 100), (20, 400), (1500, 15000)]


def test_default_settings_are_the_seed_worked_calculation():
    p = DEFAULTS.plan()
    assert (p.n_samples, p.batch_size, p.epochs, p.iterations_per_epoch, p.total_updates) == (1000, 50, 20, 20, 400)


def test_formula_is_written_like_the_seed_when_the_batch_divides():
    e = explain(plan(1000, 50, 20))
    assert e.formula == ["iterations_per_epoch = 1000 / 50 = 20", "total_updates = 20 * 20 = 400"]
    assert e.sentence.values == {"division": "1000 / 50", "iterations": 20, "updates": 20}


def test_formula_shows_rounding_when_the_batch_does_not_divide():
    assert explain(plan(1000, 32, 2)).formula[0] == "iterations_per_epoch = ceil(1000 / 32) = 32"
    assert explain(plan(1000, 32, 2, drop_last=True)).formula[0] == "iterations_per_epoch = floor(1000 / 32) = 31"


def test_formula_includes_devices_and_accumulation():
    formula = explain(plan(1000, 32, 2, world_size=3, grad_accum_steps=4)).formula
    assert formula == [
        "samples_per_device = ceil(1000 / 3) = 334",
        "iterations_per_epoch = ceil(334 / 32) = 11",
        "updates_per_epoch = ceil(11 / 4) = 3",
        "total_updates = 3 * 2 = 6",
    ]


@pytest.mark.parametrize(
    ("p", "key"),
    [
        pytest.param(plan(10, 20, 1, drop_last=True), "warn.zero_updates", id="no-batch-formed"),
        pytest.param(plan(1000, 32, 1, drop_last=True), "warn.dropped", id="drop-last-wastes-data"),
        pytest.param(plan(100, 100, 1, validation_split=0.2), "note.full_batch", id="batch-exceeds-train-set"),
        pytest.param(plan(100, 30, 1), "note.partial", id="partial-last-batch"),
        pytest.param(plan(10, 2, 1, world_size=3), "note.padded", id="sampler-pads"),
        pytest.param(plan(100, 10, 1, grad_accum_steps=3), "note.accum", id="accumulation-convention"),
    ],
)
def test_explanation_warns_about_wasted_or_missing_updates(p, key):
    assert key in [note.key for note in explain(p).notes]


def test_a_clean_plan_has_no_warnings():
    assert [n for n in explain(plan(200, 20, 10)).notes if n.level == "warning"] == []


@pytest.mark.parametrize(
    ("batch_size", "key"),
    [pytest.param(8, "rec.below", id="below"), pytest.param(50, "rec.inside", id="inside"),
     pytest.param(256, "rec.above", id="above")],
)
def test_recommendation_note_places_the_batch_size_in_the_seed_range(batch_size, key):
    assert explain(plan(1000, batch_size, 1)).recommendation_note.key == key
