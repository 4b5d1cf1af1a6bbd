"""The training engine: counts equal plan(), seeded runs repeat exactly, stops and divergence are clean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import random_split

import core.train.engine as engine
from core.i18n import Message
from core.maths.batching import SettingsError, split_sizes
from core.maths.config import TrainConfig
from core.runtime.throughput import ThroughputCache
from core.train.engine import Trainer, decision_boundary, fast_step, resolve_device, split_indices
from core.train.models import build_model, count_parameters, functional_forward
from core.train.optimizers import make_optimizer

ROOT = Path(__file__).resolve().parents[1]


def tiny(**overrides: object) -> TrainConfig:
    """A config that trains in milliseconds."""
    settings: dict[str, object] = dict(n_samples=60, model="linear", batch_size=16, epochs=2, validation_split=0.0,
                                       device="cpu")
    settings.update(overrides)
    return TrainConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def batch_sizes_seen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows of every batch the engine's forward pass receives."""
    seen: list[int] = []

    def recording(net: torch.nn.Sequential):  # type: ignore[no-untyped-def]
        forward = functional_forward(net)

        def record(x: torch.Tensor) -> torch.Tensor:
            seen.append(x.shape[0])
            return forward(x)

        return record

    monkeypatch.setattr(engine, "functional_forward", recording)
    return seen


@pytest.mark.parametrize(
    ("n_samples", "batch_size", "drop_last", "validation_split", "framework"),
    [
        pytest.param(20, 32, False, 0.0, "pytorch", id="N<B"),
        pytest.param(64, 16, False, 0.0, "pytorch", id="N-divisible-by-B"),
        pytest.param(50, 16, False, 0.0, "pytorch", id="partial-last-batch"),
        pytest.param(50, 16, True, 0.0, "pytorch", id="drop-last"),
        pytest.param(12, 1, False, 0.0, "pytorch", id="B=1"),
        pytest.param(40, 40, False, 0.0, "pytorch", id="B=N"),
        pytest.param(51, 16, False, 0.2, "pytorch", id="pytorch-split"),
        pytest.param(51, 16, False, 0.2, "keras", id="keras-split"),
        pytest.param(51, 8, True, 0.3, "pytorch", id="split-and-drop-last"),
    ],
)
def test_updates_and_batch_sizes_equal_plan(
    batch_sizes_seen: list[int], n_samples: int, batch_size: int, drop_last: bool, validation_split: float,
    framework: str,
) -> None:
    config = tiny(n_samples=n_samples, batch_size=batch_size, drop_last=drop_last, validation_split=validation_split,
                  framework=framework, epochs=3)
    plan = config.plan()
    trainer = Trainer(config)
    result = trainer.train()
    per_epoch = [batch_size] * (plan.iterations_per_epoch - 1) + [plan.last_batch_size]
    assert batch_sizes_seen == per_epoch * plan.epochs
    adam_steps = {int(state["step"]) for state in trainer.optimizer.state.values()}
    assert adam_steps == {result.updates_done} == {plan.total_updates}
    assert result.samples_seen == plan.samples_seen
    assert result.updates.batch_size.tolist() == per_epoch * plan.epochs
    assert [e.updates_done for e in result.epochs] == [plan.updates_per_epoch * e for e in (1, 2, 3)]


def test_no_shuffle_takes_rows_in_order(batch_sizes_seen: list[int]) -> None:
    trainer = Trainer(tiny(n_samples=40, batch_size=16, shuffle=False, epochs=1))
    trainer.train()
    assert batch_sizes_seen == [16, 16, 8]


def test_same_seed_gives_identical_numbers() -> None:
    config = tiny(model="mlp", validation_split=0.2, epochs=3)
    first, second = Trainer(config).train(), Trainer(config).train()
    np.testing.assert_array_equal(first.updates.loss, second.updates.loss)
    np.testing.assert_array_equal(first.updates.accuracy, second.updates.accuracy)
    assert first.epochs == tuple(
        type(e)(**{**e.__dict__, "wall_time": f.wall_time}) for e, f in zip(second.epochs, first.epochs, strict=True)
    )


def test_different_seed_gives_different_initial_weights_and_losses() -> None:
    a, b = Trainer(tiny(model="mlp")), Trainer(tiny(model="mlp", seed=1))
    assert not torch.equal(a.model[0].weight, b.model[0].weight)
    assert not np.array_equal(a.train().updates.loss, b.train().updates.loss)


def test_initial_weights_follow_the_seed_not_the_global_rng() -> None:
    torch.manual_seed(123)
    a = build_model("mlp", 2, 2, seed=5)
    torch.manual_seed(456)
    b = build_model("mlp", 2, 2, seed=5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu", "sigmoid"])
def test_functional_forward_equals_module_forward(activation: str) -> None:
    net = build_model("mlp", 5, 3, hidden_layers=2, hidden_width=7, activation=activation, seed=0)
    x = torch.randn(4, 5)
    torch.testing.assert_close(functional_forward(net)(x), net(x), rtol=0, atol=0)


def test_seed_models_have_the_seeds_shapes() -> None:
    assert [p.shape for p in build_model("linear", 10, 2).parameters()] == [(2, 10), (2,)]
    keras_mlp = build_model("mlp", 784, 10, hidden_layers=1, hidden_width=128)
    assert [tuple(p.shape) for p in keras_mlp.parameters()] == [(128, 784), (128,), (10, 128), (10,)]
    assert count_parameters(keras_mlp) == 101_770  # what Keras's model.summary() prints for the seed's MLP


@pytest.mark.parametrize("stop_after", [0, 1, 5])
def test_stop_takes_effect_before_the_next_update(stop_after: int) -> None:
    calls = iter(range(1_000))
    result = Trainer(tiny(batch_size=4, epochs=5)).train(should_stop=lambda: next(calls) >= stop_after)
    assert result.status == "stopped"
    assert result.updates_done == stop_after == len(result.updates)
    assert result.message.key == "engine.stopped" and "Stopped after" in result.message.text("en")


def test_huge_learning_rate_diverges_and_keeps_history_up_to_that_update() -> None:
    config = tiny(dataset="random", n_samples=200, model="mlp", optimizer="sgd", learning_rate=1e30, epochs=5)
    result = Trainer(config).train()
    assert result.status == "diverged"
    assert result.diverged_at is not None and result.diverged_at < config.plan().total_updates
    assert len(result.updates) == result.updates_done == result.diverged_at
    assert not np.isfinite(result.updates.loss[-1])
    assert np.isfinite(result.updates.loss[:-1]).all()
    assert result.message.key == "engine.diverged" and f"update {result.diverged_at}" in result.message.text("en")


def test_divergence_is_caught_within_one_chunk_when_read_back_often() -> None:
    config = tiny(dataset="random", n_samples=200, model="mlp", optimizer="sgd", learning_rate=1e30, batch_size=4)
    chunks: list[int] = []
    result = Trainer(config).train(flush_interval_s=0.0, on_chunk=lambda t: chunks.append(len(t.history)))
    assert result.status == "diverged"
    assert chunks[-1] == result.diverged_at


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
@pytest.mark.parametrize(("n_samples", "validation_split"), [(51, 0.2), (10, 0.25), (101, 0.3)])
def test_validation_split_counts_follow_the_framework(framework: str, n_samples: int, validation_split: float) -> None:
    trainer = Trainer(tiny(n_samples=n_samples, validation_split=validation_split, framework=framework))
    n_train, n_val = split_sizes(n_samples, validation_split, framework)  # type: ignore[arg-type]
    assert (len(trainer.x_train), len(trainer.x_val)) == (n_train, n_val)


def test_keras_split_takes_the_last_rows_before_shuffling() -> None:
    x = torch.arange(20, dtype=torch.float32).repeat(2, 1).T  # (20, 2), row i = (i, i)
    y = torch.arange(20) % 2
    trainer = Trainer(tiny(n_samples=20, validation_split=0.25, framework="keras"), data=(x, y))
    torch.testing.assert_close(trainer.x_val, x[15:])
    torch.testing.assert_close(trainer.x_train, x[:15])


def test_pytorch_split_picks_the_same_rows_as_random_split() -> None:
    train, val = split_indices(51, 0.2, "pytorch", seed=7)
    subsets = random_split(range(51), [len(train), len(val)], generator=torch.Generator().manual_seed(7))
    assert train.tolist() == list(subsets[0].indices)
    assert val.tolist() == list(subsets[1].indices)


def test_epoch_records_summarise_the_epoch() -> None:
    result = Trainer(tiny(n_samples=50, validation_split=0.2, epochs=2)).train()
    per_epoch = result.updates.batch_size[:3]
    first = result.epochs[0]
    assert first.last_batch_loss == pytest.approx(float(result.updates.loss[2]))
    assert first.train_loss == pytest.approx(np.average(result.updates.loss[:3], weights=per_epoch), rel=1e-5)
    assert first.train_accuracy == pytest.approx(np.average(result.updates.accuracy[:3], weights=per_epoch))
    assert first.val_loss is not None and first.val_accuracy is not None
    assert result.updates.samples_seen[-1] == 80
    np.testing.assert_allclose(result.updates.epoch, np.arange(1, 7) / 3)


def test_no_validation_set_leaves_validation_metrics_empty() -> None:
    record = Trainer(tiny()).train().epochs[-1]
    assert record.val_loss is None and record.val_accuracy is None


def test_batch_accuracy_matches_a_direct_count() -> None:
    config = tiny(n_samples=40, batch_size=40, epochs=1, shuffle=False)
    trainer = Trainer(config)
    with torch.no_grad():
        expected = (trainer.model(trainer.x_train).argmax(1) == trainer.y_train).float().mean().item()
    assert trainer.train().updates.accuracy[0] == pytest.approx(expected)


def test_default_config_learns_moons() -> None:
    result = Trainer(TrainConfig(device="cpu", epochs=10)).train()
    assert result.status == "finished"
    assert result.epochs[-1].val_accuracy is not None and result.epochs[-1].val_accuracy > 0.9


def test_learning_rate_schedule_is_applied_per_update() -> None:
    total = tiny().plan().total_updates
    schedule = tuple(0.001 * (i + 1) for i in range(total))
    trainer = Trainer(tiny(optimizer="sgd", lr_schedule=schedule))
    result = trainer.train()
    np.testing.assert_allclose(result.updates.lr, schedule)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(schedule[-1])


def test_metrics_off_trains_without_recording() -> None:
    result = Trainer(tiny()).train(metrics=False)
    assert result.updates_done == tiny().plan().total_updates
    assert len(result.updates) == 0 and result.epochs == ()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"dataset": "nope"}, "Unknown data set", id="dataset"),
        pytest.param({"n_samples": 5}, "takes 10 to", id="too-few-samples"),
        pytest.param({"learning_rate": 0.0}, "learning rate", id="learning-rate"),
        pytest.param({"optimizer": "rmsprop"}, "Unknown optimizer", id="optimizer"),
        pytest.param({"device": "tpu"}, "Unknown device", id="device"),
        pytest.param({"model": "mlp", "hidden_layers": 0}, "hidden layers", id="hidden-layers"),
        pytest.param({"activation": "swish"}, "Unknown activation", id="activation"),
        pytest.param({"batch_size": 100, "drop_last": True}, "every batch is dropped", id="drop-last-everything"),
        pytest.param({"framework": "keras", "drop_last": True}, "Keras", id="keras-drop-last"),
        pytest.param({"lr_schedule": (0.1,)}, "one per update", id="schedule-length"),
        pytest.param({"noise": -1.0}, "Noise", id="noise"),
        pytest.param({"batch_size": 1, "epochs": 10_000}, "the limit is", id="too-many-updates"),
    ],
)
def test_validate_explains_what_is_wrong(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tiny(**overrides).validate()


def test_cuda_requested_but_absent_falls_back_to_cpu_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    device, message = resolve_device("cuda")
    assert device == torch.device("cpu")
    assert message is not None and "no CUDA GPU is available" in message.text("en")
    trainer = Trainer(tiny(device="cuda"))
    assert trainer.device == torch.device("cpu") and trainer.device_message == message


def test_mps_requested_but_absent_falls_back_to_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    device, message = resolve_device("mps")
    assert device == torch.device("cpu") and message is not None and "MPS" in message.text("en")


def test_auto_picks_cpu_without_accelerators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert resolve_device("auto") == (torch.device("cpu"), None)


@pytest.mark.parametrize("name", ["adam", "sgd", "momentum"])
def test_optimizers_use_the_fused_cpu_kernels(name: str) -> None:
    optimizer = make_optimizer(name, list(build_model("linear", 2, 2).parameters()), 0.1)
    assert optimizer.defaults["fused"] is True
    assert optimizer.defaults.get("momentum", 0) == (0.9 if name == "momentum" else 0)


@pytest.mark.parametrize("name", ["adam", "sgd", "momentum"])
def test_fast_step_updates_weights_exactly_as_optimizer_step(name: str) -> None:
    nets = [build_model("mlp", 3, 2, hidden_width=5, seed=0) for _ in range(2)]
    optimizers = [make_optimizer(name, list(net.parameters()), 0.05) for net in nets]
    steps = [optimizers[0].step, fast_step(optimizers[1])]
    x, y = torch.randn(8, 3), torch.tensor([0, 1] * 4)
    for i in range(4):
        for net, step in zip(nets, steps, strict=True):
            for p in net.parameters():
                p.grad = None
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizers[0].param_groups[0]["lr"] = optimizers[1].param_groups[0]["lr"] = 0.05 / (i + 1)
            step()
    for p, q in zip(*(net.parameters() for net in nets), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert optimizers[0].state_dict()["state"].keys() == optimizers[1].state_dict()["state"].keys()


def test_the_private_fused_adam_call_is_used_only_where_it_was_checked_against_the_public_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import core.train.engine

    optimizer = make_optimizer("adam", list(build_model("linear", 2, 2).parameters()), 0.1)
    assert core.train.engine.direct_fused_adam_agrees("cpu")  # on the torch this project pins
    assert fast_step(optimizer) != optimizer.step
    # a torch whose fused kernel differs from the public step
    monkeypatch.setattr(core.train.engine, "direct_fused_adam_agrees", lambda device_type: False)
    assert fast_step(optimizer) == optimizer.step


def test_decision_boundary_covers_the_data_with_class_probabilities() -> None:
    trainer = Trainer(tiny(dataset="spiral", n_samples=60))
    grid = trainer.boundary_grid(resolution=20)
    assert grid is not None
    assert grid.probabilities.shape == (20, 20, 3) and grid.predicted.shape == (20, 20)
    np.testing.assert_allclose(grid.probabilities.sum(-1), 1.0, rtol=1e-5)
    x = np.concatenate([trainer.x_train.numpy(), trainer.x_val.numpy()])
    assert grid.xs[0] < x[:, 0].min() and grid.xs[-1] > x[:, 0].max()
    assert grid.ys[0] < x[:, 1].min() and grid.ys[-1] > x[:, 1].max()
    assert (grid.predicted == grid.probabilities.argmax(-1)).all()


def test_decision_boundary_rows_follow_y_and_columns_follow_x() -> None:
    net = build_model("linear", 2, 2, seed=0)
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))  # class 0 where x > 0
        net[0].bias.zero_()
    grid = decision_boundary(net, (-1.0, 1.0, -2.0, 2.0), resolution=4)
    assert grid.predicted.tolist() == [[1, 1, 0, 0]] * 4


def test_boundary_grid_is_none_for_data_that_is_not_2d() -> None:
    assert Trainer(tiny(dataset="random")).boundary_grid() is None


@pytest.mark.slow
def test_engine_and_runner_import_without_streamlit_or_plotly() -> None:
    code = ("import sys, core.train.engine, core.train.runner, core.train.datasets; "
            "bad = [m for m in ('streamlit', 'plotly', 'sklearn') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_a_trainer_trains_only_once() -> None:
    trainer = Trainer(tiny())
    trainer.train()
    with pytest.raises(RuntimeError, match="already trained"):
        trainer.train()


# ---- every sentence the engine produces, in both languages -------------------------------------------------

TECHNICAL_WORDS = {"CUDA", "GPU", "CPU", "MPS", "Apple", "NaN", "MLP", "max_updates", "time_budget_s"}


def english_words(text: str) -> list[str]:
    """Latin-letter words in ``text`` that are not technical names (an English sentence leaking into Korean)."""
    return [word for word in re.findall(r"[A-Za-z_]{2,}", text) if word not in TECHNICAL_WORDS]


def _end_messages(monkeypatch: pytest.MonkeyPatch) -> dict[str, Message]:
    calls = iter(range(1_000))
    stopped = Trainer(tiny(batch_size=4, epochs=5)).train(should_stop=lambda: next(calls) >= 3)
    diverged = Trainer(tiny(dataset="random", n_samples=200, model="mlp", optimizer="sgd", learning_rate=1e30,
                            epochs=5)).train()
    finished = Trainer(tiny()).train()
    budget = Trainer(tiny(max_updates=3)).train()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    cuda, mps = resolve_device("cuda")[1], resolve_device("mps")[1]
    assert cuda is not None and mps is not None
    return {"stopped": stopped.message, "diverged": diverged.message, "finished": finished.message,
            "budget": budget.message, "cuda": cuda, "mps": mps}


def test_engine_messages_keep_their_english_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    english = {name: m.text("en") for name, m in _end_messages(monkeypatch).items()}
    assert english["stopped"] == "Stopped after 3 of 75 updates."
    assert english["finished"] == "Finished: 2 epochs, 8 updates, 120 samples seen."
    assert english["budget"] == "Finished: budget spent after 3 updates, 48 samples seen."
    assert english["diverged"].startswith("The loss became NaN or infinite at update ")
    assert english["cuda"] == "CUDA was requested but no CUDA GPU is available here: training on the CPU."
    assert english["mps"] == "MPS was requested but no Apple GPU is available here: training on the CPU."
    assert all(str(m) == m.text("en") for m in _end_messages(monkeypatch).values())


def test_engine_messages_read_in_korean_without_english_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, m in _end_messages(monkeypatch).items():
        korean = m.text("ko")
        assert re.search("[가-힣]", korean), (name, korean)
        assert english_words(korean) == [], (name, korean)
    messages = _end_messages(monkeypatch)
    assert messages["stopped"].text("ko") == "업데이트 75회 중 3회를 마치고 중지했습니다."
    assert "CPU에서 학습합니다" in messages["cuda"].text("ko")


@pytest.mark.parametrize(
    "overrides",
    [{"optimizer": "rmsprop"}, {"device": "tpu"}, {"model": "mlp", "hidden_layers": 0},
     {"model": "mlp", "hidden_width": 5_000}, {"activation": "swish"}, {"model": "cnn"}, {"max_updates": 0},
     {"time_budget_s": -1.0}],
    ids=["optimizer", "device", "hidden-layers", "hidden-width", "activation", "model", "max-updates", "budget"],
)
def test_refused_settings_are_explained_in_korean(overrides: dict[str, object]) -> None:
    with pytest.raises(SettingsError) as caught:
        tiny(**overrides).validate()
    korean = caught.value.message("ko")
    assert re.search("[가-힣]", korean) and caught.value.message("en") == str(caught.value)
    # Only the refused value and the names of the choices (code identifiers) stay as they are.
    allowed = set(re.findall(r"[A-Za-z_]{2,}", caught.value.message("en").partition(" got ")[2]))
    allowed |= {word for value in caught.value.values.values() for word in re.findall(r"[A-Za-z_]{2,}", str(value))}
    assert [w for w in english_words(korean) if w not in allowed] == [], korean


# ---- device="auto": the measured faster device, else the GPU when one is present -----------------------------

MNIST_MLP = ((784, 128), (128, 10))


def test_auto_picks_the_device_measured_faster_at_this_batch_size() -> None:
    chosen, why = engine.choose_device(["cuda", "cpu"], {"cuda": 47_890.0, "cpu": 92_836.0}, 32)
    assert chosen == "cpu"
    assert why.text("en") == "auto chose CPU: measured 92,836 samples/s on CPU vs 47,890 on CUDA GPU at batch size 32."
    chosen, why = engine.choose_device(["cuda", "cpu"], {"cuda": 1_560_000.0, "cpu": 170_000.0}, 256)
    assert chosen == "cuda" and "1,560,000 samples/s on CUDA GPU vs 170,000 on CPU" in why.text("en")


@pytest.mark.parametrize("rates", [{}, {"cuda": 50_000.0}, {"cpu": 90_000.0}, {"cpu": 90_000.0, "cuda": None}])
def test_auto_without_both_measurements_keeps_the_gpu_rule_and_says_so(rates: dict[str, float | None]) -> None:
    chosen, why = engine.choose_device(["cuda", "cpu"], rates, 32)
    assert chosen == "cuda" and why.key == "engine.device_choice.default"
    assert why.text("en") == ("auto chose CUDA GPU, as it does whenever a GPU is present: no throughput has been "
                              "measured yet at batch size 32 on both CUDA GPU and CPU.")


def test_auto_reads_the_measurements_of_this_model_and_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    cache = ThroughputCache()
    cache.record("cpu", MNIST_MLP, 32, 92_836.0)
    cache.record("cuda", MNIST_MLP, 32, 47_890.0)
    cache.record("cuda", MNIST_MLP, 256, 1_560_000.0)
    assert engine.auto_device(MNIST_MLP, 32, throughputs=cache)[0] == torch.device("cpu")
    device, why = engine.auto_device(MNIST_MLP, 256, throughputs=cache)  # cpu unmeasured at 256
    assert device == torch.device("cuda") and why is not None and why.key == "engine.device_choice.default"
    assert engine.auto_device(((784, 64), (64, 10)), 32, throughputs=cache)[1].key == (  # type: ignore[union-attr]
        "engine.device_choice.default")  # another model: nothing known
    assert engine.auto_device(throughputs=cache) == (torch.device("cuda"), None)  # no workload: today's rule


def test_auto_has_nothing_to_say_when_only_the_cpu_is_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    cache = ThroughputCache()
    cache.record("cpu", MNIST_MLP, 32, 92_836.0)
    assert engine.auto_device(MNIST_MLP, 32, throughputs=cache) == (torch.device("cpu"), None)
    trainer = Trainer(tiny(device="auto"))
    assert trainer.device == torch.device("cpu") and trainer.device_choice is None and trainer.device_message is None


def test_a_trainer_on_auto_follows_the_measurements_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    throughputs = ThroughputCache()
    config = tiny(device="auto")
    throughputs.record("cpu", engine.model_shape(config), config.batch_size, 92_836.0)
    throughputs.record("cuda", engine.model_shape(config), config.batch_size, 47_890.0)
    trainer = Trainer(config, throughputs=throughputs)  # CUDA "is available", but the CPU was measured faster
    assert trainer.device == torch.device("cpu") and trainer.static is None
    assert trainer.device_choice is not None and trainer.device_choice.key == "engine.device_choice.measured"
    assert trainer.device_message is None  # the page warns only when a requested device is missing
    assert trainer.train().status == "finished"


def test_the_throughput_cache_keeps_the_newest_valid_measurements() -> None:
    cache = ThroughputCache(max_entries=2)
    cache.record("cpu", MNIST_MLP, 8, 1.0)
    cache.record("cpu", MNIST_MLP, 8, 2.0)
    cache.record("cpu", MNIST_MLP, 16, float("nan"))
    cache.record("cpu", MNIST_MLP, 16, 0.0)
    assert cache.get("cpu", MNIST_MLP, 8) == 2.0 and cache.get("cpu", MNIST_MLP, 16) is None
    cache.record("cuda", MNIST_MLP, 8, 3.0)
    cache.record("cuda", MNIST_MLP, 16, 4.0)  # the third entry pushes out the oldest
    assert cache.get("cpu", MNIST_MLP, 8) is None and cache.get("cuda", MNIST_MLP, 16) == 4.0
    cache.clear()
    assert cache.get("cuda", MNIST_MLP, 16) is None


def test_the_batch_size_finder_records_what_it_measures_in_its_callers_cache() -> None:
    from core.train.finder import find_batch_size

    throughputs = ThroughputCache()
    config = tiny(n_samples=64)
    result = find_batch_size(config, steps=2, min_time_s=0.0, time_budget_s=60, throughputs=throughputs)
    shape = engine.model_shape(config)
    for point in result.points:
        assert throughputs.get("cpu", shape, point.batch_size) == point.samples_per_s


def test_one_students_measurements_never_move_another_students_device(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.train.finder import find_batch_size

    config = tiny(n_samples=64, batch_size=16)
    shape = engine.model_shape(config)
    theirs = ThroughputCache()  # a classmate measured the CPU, and a GPU slower than it
    find_batch_size(config, steps=2, min_time_s=0.0, time_budget_s=60, throughputs=theirs)
    theirs.record("cuda", shape, 16, 1.0)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert engine.auto_device(shape, 16, throughputs=theirs)[0] == torch.device("cpu")  # their own choice
    for mine in (None, ThroughputCache()):  # nothing measured by this student: the fixed order, GPU first
        device, why = engine.auto_device(shape, 16, throughputs=mine)
        assert device == torch.device("cuda") and why is not None and why.key == "engine.device_choice.default"


def test_device_choice_messages_read_in_korean_without_english_sentences() -> None:
    measured = engine.choose_device(["cuda", "cpu"], {"cuda": 47_890.0, "cpu": 92_836.0}, 32)[1]
    default = engine.choose_device(["cuda", "cpu"], {}, 32)[1]
    failed = Message("engine.step.graph_failed", {"error": "RuntimeError: boom"})
    for m in (measured, default, failed):
        korean = m.text("ko")
        assert re.search("[가-힣]", korean) and english_words(korean.replace("RuntimeError: boom", "")) == [], korean
    assert measured.text("ko") == ("자동 선택이 CPU를 골랐습니다. 배치 사이즈 32에서 측정한 처리량이 "
                                   "CPU는 초당 92,836개, CUDA GPU는 초당 47,890개입니다.")


def test_a_stopped_run_holds_memory_for_the_updates_it_made_not_for_its_plan() -> None:
    config = TrainConfig(n_samples=1_000, model="linear", batch_size=1, epochs=200, validation_split=0.0, device="cpu")
    asked = iter(range(10**9))
    result = Trainer(config).train(should_stop=lambda: next(asked) >= 10)
    assert result.updates_done == 10 and config.plan().total_updates == 200_000
    arrays = [getattr(result.updates, name) for name in result.updates.__dataclass_fields__]
    held = sum((a.base if a.base is not None else a).nbytes for a in arrays)
    assert held <= 8 * 8 * 1_024  # the first 1,024 rows; the plan's 200,000 would take 10.4 MB


def test_a_log_that_grows_keeps_every_update_as_the_plan_counts_it() -> None:
    config = TrainConfig(n_samples=250, model="linear", batch_size=7, epochs=40, device="cpu", drop_last=False)
    result = Trainer(config).train()
    p = config.plan()
    history = result.updates
    assert p.total_updates > 1_024 and len(history) == p.total_updates
    sizes = np.tile(p.epoch_batch_sizes(), p.epochs)
    np.testing.assert_array_equal(history.update, np.arange(1, p.total_updates + 1))
    np.testing.assert_array_equal(history.batch_size, sizes)
    np.testing.assert_array_equal(history.samples_seen, np.cumsum(sizes))
    np.testing.assert_allclose(history.epoch, history.update / p.updates_per_epoch)
    assert np.all(history.lr == config.learning_rate) and np.isfinite(history.loss).all()
    assert np.all(np.diff(history.wall_time) >= 0)
