"""The descent-paths arithmetic: exact gradients, batching from core.maths.batching, budgets, divergence, figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.figures.paths import paths_figure
from core.maths.batching import epoch_order, plan
from core.maths.descent import (
    START,
    DescentPath,
    Moments,
    PathsSettings,
    descend,
    descend_all,
    gradient,
    least_squares,
    loss,
    loss_surface,
    make_data,
    target_updates,
)
from core.maths.thinning import MAX_POINTS, downsample_indices
from core.views.paths import PARAMS, settings_from_query, settings_to_query
from tests.conftest import examples

NAMES = {
    "en": ("Batch Gradient Descent", "Stochastic Gradient Descent", "Mini-batch Gradient Descent"),
    "ko": ("배치 경사하강법", "확률적 경사하강법", "미니배치 경사하강법"),
}


def _reference_descent(x, y, batch_size, lr, epochs, seed):  # type: ignore[no-untyped-def]
    """Textbook mini-batch gradient descent on raw samples, batches sliced from each epoch's order."""
    w, b = START
    ws = [w]
    for epoch in range(1, epochs + 1):
        order = epoch_order(x.size, epoch, shuffle=True, seed=seed)
        for start in range(0, x.size, batch_size):
            xb, yb = x[order[start:start + batch_size]], y[order[start:start + batch_size]]
            residual = w * xb + b - yb
            w, b = w - lr * 2 * np.mean(residual * xb), b - lr * 2 * np.mean(residual)
            ws.append(w)
    return np.array(ws)


@settings(max_examples=examples(40), deadline=None)
@given(
    w=st.floats(-5, 5), b=st.floats(-5, 5), n=st.integers(1, 50), noise=st.floats(0, 2), seed=st.integers(0, 99)
)
def test_gradient_matches_finite_differences_of_the_mse(w, b, n, noise, seed):
    x, y = make_data(n, noise, seed)
    m = Moments.of(x, y)

    def mse(w_: float, b_: float) -> float:
        return float(np.mean((w_ * x + b_ - y) ** 2))

    h = 1e-6
    numeric = ((mse(w + h, b) - mse(w - h, b)) / (2 * h), (mse(w, b + h) - mse(w, b - h)) / (2 * h))
    assert gradient(m, w, b) == pytest.approx(numeric, rel=1e-5, abs=1e-5)
    assert float(loss(m, w, b)) == pytest.approx(mse(w, b), rel=1e-9, abs=1e-9)


def test_least_squares_agrees_with_polyfit():
    x, y = make_data(300, 0.7, 3)
    assert least_squares(x, y) == pytest.approx(tuple(np.polyfit(x, y, 1)), rel=1e-9)


@pytest.mark.parametrize("noise", [0.0, 0.5, 2.0], ids=["noiseless", "default-noise", "noisy"])
def test_batch_gradient_descent_converges_to_the_closed_form_minimum(noise):
    x, y = make_data(200, noise, 0)
    path = descend(x, y, x.size, 0.2, epochs=400, method="batch")
    assert (path.w[-1], path.b[-1]) == pytest.approx(least_squares(x, y), abs=1e-6)
    assert np.all(np.diff(path.loss) <= 1e-12)  # full-batch steps below 2/L never raise the loss


@pytest.mark.parametrize(
    ("batch_size", "lr"),
    [pytest.param(1, 0.05, id="stochastic"), pytest.param(7, 0.1, id="partial-last-batch"),
     pytest.param(10, 0.1, id="divides-evenly"), pytest.param(40, 0.1, id="batch")],
)
def test_descent_matches_a_textbook_loop_over_the_same_batches(batch_size, lr):
    x, y = make_data(40, 0.5, 1)
    path = descend(x, y, batch_size, lr, epochs=3, seed=5)
    np.testing.assert_allclose(path.w, _reference_descent(x, y, batch_size, lr, 3, seed=5), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("n", "batch_size", "epochs"),
    [pytest.param(200, 32, 10, id="seed-default"), pytest.param(100, 10, 3, id="divisible"),
     pytest.param(5, 5, 4, id="batch-equals-n"), pytest.param(2, 1, 1, id="tiny"),
     pytest.param(1000, 50, 2, id="seed-worked-example")],
)
def test_same_epochs_budget_makes_as_many_updates_as_plan_says(n, batch_size, epochs):
    paths = descend_all(PathsSettings(n_samples=n, batch_size=batch_size, epochs=epochs, learning_rate=0.01))
    for path, size in zip(paths, (n, 1, batch_size), strict=True):
        p = plan(n, size, epochs)
        assert path.batch_size == size
        assert (path.updates, path.samples_seen, path.epochs_covered) == (p.total_updates, p.samples_seen, epochs)


@pytest.mark.parametrize(
    ("n", "batch_size", "epochs"),
    [pytest.param(200, 32, 10, id="seed-default"), pytest.param(100, 10, 3, id="divisible"),
     pytest.param(50, 50, 2, id="batch-equals-n"), pytest.param(30, 1, 2, id="mini-batch-is-sgd")],
)
def test_same_updates_budget_gives_every_method_the_mini_batch_update_count(n, batch_size, epochs):
    s = PathsSettings(n_samples=n, batch_size=batch_size, epochs=epochs, learning_rate=0.01, budget="updates")
    target = plan(n, batch_size, epochs).total_updates
    assert target_updates(s) == target
    batch, sgd, mini = descend_all(s)
    assert batch.updates == sgd.updates == mini.updates == target
    assert (batch.epochs_covered, batch.samples_seen) == (target, target * n)
    assert (sgd.epochs_covered, sgd.samples_seen) == pytest.approx((target / n, target))
    assert mini.epochs_covered == epochs


def test_stochastic_path_stops_mid_epoch_and_counts_the_part_it_covered():
    x, y = make_data(10, 0.5, 0)
    path = descend(x, y, 4, 0.01, updates=4)  # batches 4, 4, 2: four updates = one epoch and one batch
    assert (path.updates, path.plan.epochs, path.samples_seen) == (4, 2, 14)
    assert path.epochs_covered == pytest.approx(1.4)


def test_paths_are_reproducible_with_a_seed_and_change_with_it():
    first, again = descend_all(PathsSettings(seed=7)), descend_all(PathsSettings(seed=7))
    other = descend_all(PathsSettings(seed=8))
    for a, b, c in zip(first, again, other, strict=True):
        np.testing.assert_array_equal(a.w, b.w)
        np.testing.assert_array_equal(a.b, b.b)
        assert not np.array_equal(a.w, c.w)


def test_every_epoch_reshuffles_the_stochastic_order():
    x, y = make_data(20, 0.5, 0)
    two_epochs = descend(x, y, 1, 0.01, epochs=2, seed=3)
    assert not np.array_equal(epoch_order(20, 1, shuffle=True, seed=3), epoch_order(20, 2, shuffle=True, seed=3))
    np.testing.assert_allclose(two_epochs.w, _reference_descent(x, y, 1, 0.01, 2, seed=3), rtol=1e-9)


@pytest.mark.parametrize("lr", [1.0, 10.0], ids=["lr-1", "lr-10"])
def test_a_diverging_path_stops_and_keeps_what_it_drew(lr):
    for path in descend_all(PathsSettings(learning_rate=lr)):
        assert path.diverged_at == path.updates + 1
        assert np.all(np.isfinite(path.loss)) and np.all(np.isfinite(path.w))


def test_a_sane_learning_rate_never_diverges():
    assert [path.diverged_at for path in descend_all(PathsSettings())] == [None, None, None]


def test_query_round_trips_the_settings():
    s = PathsSettings(n_samples=500, batch_size=16, learning_rate=0.03, epochs=4, budget="updates", seed=9, noise=1.5)
    assert settings_from_query(settings_to_query(s)) == (s, [])


@pytest.mark.parametrize(
    ("query", "name", "reason", "used"),
    [
        pytest.param({"lr": "fast"}, "lr", "malformed", 0.1, id="malformed-lr"),
        pytest.param({"budget": "time"}, "budget", "malformed", "epochs", id="unknown-budget"),
        pytest.param({"epochs": "0"}, "epochs", "out_of_range", 10, id="zero-epochs"),
        pytest.param({"noise": "-1"}, "noise", "out_of_range", 0.5, id="negative-noise"),
        pytest.param({"n": "20", "batch_size": "64"}, "batch_size", "out_of_range", 20, id="batch-above-n"),
    ],
)
def test_bad_query_values_fall_back_and_are_reported(query, name, reason, used):
    s, problems = settings_from_query(query)
    assert [(p.name, p.reason, p.used) for p in problems] == [(name, reason, used)]
    field = next((param.attribute for param in PARAMS if param.name == name), name)
    assert getattr(s, field) == used


@given(count=st.integers(1, 20_000))
def test_thinning_keeps_at_most_the_limit_with_both_ends(count):
    index = downsample_indices(count)
    assert index.size <= MAX_POINTS
    assert index[0] == 0 and index[-1] == count - 1
    assert np.all(np.diff(index) > 0)


def _traces(paths: list[DescentPath], shown: int | None = None, lang: str = "en") -> go.Figure:
    fig = paths_figure(loss_surface(paths[0].plan.n_samples, 0.5, 0), paths, shown, lang=lang)
    go.Figure(fig.to_dict())  # validates every property the builder skipped
    return fig


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_figure_names_the_three_methods_in_legend_and_labels(lang):
    fig = _traces(descend_all(PathsSettings()), lang=lang)
    assert fig.data[0].type == "contour"
    legend = [trace.name for trace in fig.data if trace.showlegend is not False]
    labels = [annotation.text for annotation in fig.layout.annotations]
    for name in NAMES[lang]:
        assert any(entry.startswith(name) for entry in legend)
        assert name in labels


def test_figure_marks_start_and_closed_form_minimum():
    surface = loss_surface(200, 0.5, 0)
    fig = paths_figure(surface, descend_all(PathsSettings()))
    marks = {trace.name: (trace.x[0], trace.y[0]) for trace in fig.data if trace.name in ("Start", "Minimum")}
    assert marks == {"Start": START, "Minimum": surface.minimum}


def test_figure_draws_only_the_first_k_updates_and_at_most_the_point_limit():
    paths = descend_all(PathsSettings(n_samples=1000, epochs=5))  # stochastic: 5,000 updates
    lines = [t for t in _traces(paths).data if t.type == "scatter" and t.legendgroup and t.showlegend is not False]
    assert [len(t.x) for t in lines] == [6, MAX_POINTS, 161]  # start + 5, start + thinned 5,000, start + 160
    first_ten = [t for t in _traces(paths, shown=10).data if t.legendgroup and t.showlegend is not False]
    assert [len(t.x) for t in first_ten] == [6, 11, 11]
