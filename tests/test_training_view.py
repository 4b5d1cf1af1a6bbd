"""What the Training page shows of a run: URL settings, the lesson's epoch log, exports and figures."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import plotly.graph_objects as go
import pytest

from core.figures.training import (
    X_AXES,
    boundary_figure,
    epoch_curves,
    loss_figure,
    monitoring_figure,
    smooth,
    update_curves,
)
from core.maths.catalog import DATASETS
from core.maths.config import TrainConfig
from core.maths.thinning import downsample_indices
from core.train.runner import TrainingRun
from core.views.training import (
    DEFAULT_CONFIG,
    config_from_query,
    config_to_query,
    epoch_log,
    history_csv,
    history_json,
    settings_from_query,
    settings_to_query,
)

TINY = TrainConfig(dataset="moons", n_samples=100, batch_size=16, epochs=3, validation_split=0.2, hidden_width=8)


@pytest.fixture(scope="module")
def finished():
    run = TrainingRun(TINY)
    run.start()
    assert run.join(timeout=60)
    snapshot = run.snapshot()
    assert snapshot.status == "finished"
    return snapshot


def test_every_url_setting_round_trips():
    config = TrainConfig(dataset="digits", n_samples=500, batch_size=64, epochs=7, validation_split=0.25,
                         learning_rate=0.003, optimizer="momentum", model="linear", seed=5, device="cpu",
                         shuffle=False, drop_last=True, noise=0.0)
    parsed, problems = config_from_query(config_to_query(config))
    assert problems == [] and parsed == config


def test_the_model_noise_and_framework_round_trip_through_the_url():
    config = TrainConfig(dataset="circles", noise=0.35, model="mlp", hidden_layers=3, hidden_width=128,
                         activation="tanh", framework="keras")
    query = config_to_query(config)
    assert {name: query[name] for name in ("noise", "hidden_layers", "hidden_width", "activation", "framework")} == {
        "noise": "0.35", "hidden_layers": "3", "hidden_width": "128", "activation": "tanh", "framework": "keras"}
    assert config_from_query(query) == (config, [])


def test_a_link_without_noise_takes_the_data_sets_noise():
    config, problems = config_from_query({"dataset": "circles", "n": "500"})
    assert problems == [] and config.noise == DATASETS["circles"].default_noise


@pytest.mark.parametrize(
    ("query", "name"),
    [
        pytest.param({"dataset": "imagenet"}, "dataset", id="unknown-dataset"),
        pytest.param({"lr": "-1"}, "lr", id="negative-lr"),
        pytest.param({"epochs": "many"}, "epochs", id="malformed-epochs"),
        pytest.param({"dataset": "digits", "n": "5000"}, "n", id="n-above-the-dataset"),
        pytest.param({"n": "100", "batch_size": "500", "drop_last": "true"}, "batch_size", id="drop-every-batch"),
    ],
)
def test_bad_training_urls_are_reported_and_still_train(query, name):
    config, problems = config_from_query(query)
    assert name in [p.name for p in problems]
    assert config.validate().total_updates > 0


def test_choosing_a_dataset_in_the_url_takes_its_default_size():
    config, problems = config_from_query({"dataset": "digits"})
    assert problems == [] and config.n_samples == 1797


def test_epoch_log_uses_the_lesson_print_format(finished):
    lines = epoch_log(finished)
    assert len(lines) == 3
    last_batch = finished.epochs[0].last_batch_loss
    assert lines[0].startswith(f"Epoch 1/3, Loss: {last_batch:.4f}")
    assert "val_loss" in lines[0]


def test_csv_has_one_row_per_update_and_epoch_summaries(finished):
    rows = list(csv.DictReader(io.StringIO(history_csv(finished))))
    assert len(rows) == finished.plan.total_updates == len(finished.updates)
    assert sum(1 for row in rows if row["epoch_train_loss"]) == 3
    assert [int(row["batch_size"]) for row in rows[:5]] == [16, 16, 16, 16, 16]


def test_json_export_holds_keras_style_history(finished):
    document = json.loads(history_json(finished))
    assert len(document["history"]["loss"]) == 3
    assert document["plan"]["total_updates"] == len(document["updates"]["loss"])
    assert document["config"]["batch_size"] == 16


@pytest.mark.parametrize("x_axis", X_AXES)
def test_training_figures_are_valid_plotly_on_every_axis(finished, x_axis):
    figures = [
        monitoring_figure([epoch_curves(finished, "a"), epoch_curves(finished, "b")], lang="ko"),
        loss_figure([update_curves(finished, "a"), update_curves(finished, "b")], x_axis=x_axis, show_lr=True),
    ]
    grid = finished.boundary
    figures.append(boundary_figure(grid.xs, grid.ys, grid.predicted, grid.probabilities.max(axis=-1),
                                   np.random.default_rng(0).normal(size=(50, 2)), np.arange(50) % 2, n_classes=2))
    for figure in figures:
        go.Figure(figure.to_dict())  # the builders skip validation; re-validate here


def test_monitoring_figure_has_training_and_validation_for_loss_and_accuracy(finished):
    names = [trace.name for trace in monitoring_figure([epoch_curves(finished, "run")]).data]
    assert names == ["Training Loss", "Validation Loss", "Training Accuracy", "Validation Accuracy"]


def test_downsampling_keeps_at_most_2000_points_and_the_last():
    indices = downsample_indices(1_000_000)
    assert len(indices) <= 2000 and indices[0] == 0 and indices[-1] == 999_999
    assert list(downsample_indices(5)) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(("epochs", "marked"), [(10, list(range(1, 11))), (300, list(range(20, 301, 20))),
                                                (45, list(range(5, 46, 5)))])
def test_a_long_run_marks_every_kth_epoch_end_instead_of_a_wall_of_lines(epochs, marked):
    from core.figures.training import UpdateCurves

    per_epoch, total = 3, 3 * epochs
    update = np.arange(1, total + 1)
    curves = UpdateCurves("run", update, update / per_epoch, update * 10, update * 0.01, np.ones(total),
                          np.full(total, 0.001), per_epoch)
    for lang in ("en", "ko"):
        marks = next(trace for trace in loss_figure([curves], lang=lang).data if trace.hoverinfo == "skip")
        drawn = [x for x in marks.x if x is not None][::2]
        assert [round(x / per_epoch) for x in drawn] == marked  # each line on a real epoch end, x = its update
        assert (str(marked[1] - marked[0]) in marks.name) == (len(marked) < epochs)


def test_smoothing_is_bias_corrected_and_zero_weight_is_raw():
    values = np.array([1.0, 2.0, 3.0])
    assert smooth(values, 0.0).tolist() == [1.0, 2.0, 3.0]
    assert smooth(np.full(5, 4.0), 0.9) == pytest.approx(np.full(5, 4.0))


def test_default_training_config_is_the_url_default():
    assert config_from_query({}) == (DEFAULT_CONFIG, [])


# --- the lesson's examples, exactly --------------------------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"
LESSON_RANDOM_LINK = "/training?dataset=random&n=1000&batch_size=32&epochs=10&model=linear&lr=0.001"


def _query(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def test_the_readme_random_link_trains_on_all_1000_rows_like_the_lesson():
    assert f"`{LESSON_RANDOM_LINK}`" in README.read_text()
    config, problems = config_from_query(_query(LESSON_RANDOM_LINK))
    p = config.plan()
    assert problems == [] and config.validation_split == 0.0
    assert (p.train_samples, p.val_samples, p.iterations_per_epoch, p.total_updates) == (1000, 0, 32, 320)


@pytest.mark.parametrize(
    ("query", "split"),
    [
        pytest.param({"dataset": "random", "val_split": "0.2"}, 0.2, id="random-with-an-explicit-split"),
        pytest.param({"dataset": "moons"}, 0.2, id="moons-keeps-its-split"),
        pytest.param({"dataset": "mnist", "n": "60000"}, 0.2, id="mnist-keeps-its-split"),
    ],
)
def test_a_link_may_still_ask_for_a_split(query, split):
    assert config_from_query(query)[0].validation_split == split


def test_every_readme_link_to_a_lesson_example_shows_the_lessons_counts():
    links = {line.split(": `")[0]: line.split("`")[-2] for line in README.read_text().splitlines()
             if line.startswith("- the lesson's") and "/training?" in line}
    counts = {label: config_from_query(_query(link))[0].plan() for label, link in links.items()}
    assert {(p.iterations_per_epoch, p.total_updates) for p in counts.values()} == {(32, 320), (1500, 15000)}
    mnist = next(p for label, p in counts.items() if "MNIST" in label)  # counted only: nothing is downloaded
    assert (mnist.n_samples, mnist.train_samples, mnist.val_samples) == (60_000, 48_000, 12_000)


def test_epoch_log_without_validation_is_the_lessons_print_line_exactly():
    run = TrainingRun(TrainConfig(dataset="random", n_samples=100, model="linear", batch_size=32, epochs=2,
                                  validation_split=0.0, learning_rate=0.001))
    run.start()
    assert run.join(timeout=60)
    snapshot = run.snapshot()
    lines = epoch_log(snapshot)
    assert lines == [f"Epoch {r.epoch}/2, Loss: {r.last_batch_loss:.4f}" for r in snapshot.epochs]
    assert all(re.fullmatch(r"Epoch \d+/2, Loss: \d+\.\d{4}", line) for line in lines)


def test_a_link_with_noise_and_a_data_set_but_no_size_keeps_its_noise():
    config, problems = config_from_query({"dataset": "circles", "noise": "0.35"})
    assert problems == [] and (config.noise, config.n_samples) == (0.35, DATASETS["circles"].default_size)


def test_the_finders_memory_budget_is_a_url_setting_and_a_bad_one_is_reported():
    (_, _, finder), problems = settings_from_query({"memory_budget": "256"})
    assert (finder.memory_budget_mib, problems) == (256, [])
    assert settings_to_query(settings_from_query({"memory_budget": "256"})[0])["memory_budget"] == "256"
    (_, _, finder), problems = settings_from_query({"memory_budget": "0"})
    assert finder.memory_budget_mib == 1_024 and [p.name for p in problems] == ["memory_budget"]
