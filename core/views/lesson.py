"""The lesson as data: its sections in order, the code it shows, and self-check questions.

Every number here comes from ``core.maths.batching`` (and the lesson's own rules), never typed in, so the
lesson, the calculator and the quiz answers cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from core.i18n import t
from core.maths.batching import BatchPlan, Framework, plan, recommend_batch_size
from core.maths.lr import LRSettings, warmup_updates
from core.views.links import Query, link_query
from core.views.params import Param, ParamProblem, Schema

SECTIONS: tuple[str, ...] = (
    "batch_size", "how_it_works", "epoch", "small_vs_large", "guide", "whole_vs_batches", "names", "worked",
    "code", "monitoring", "tips",
)


REGIMES: tuple[str, ...] = ("batch", "stochastic", "mini-batch")


GUIDE_RANGES: tuple[str, ...] = ("16–32", "32–64", "64–256")


@dataclass(frozen=True)
class CodeSettings:
    """What the learner set for the generated code examples."""

    n_samples: int = 1_000
    batch_size: int = 32
    epochs: int = 10
    validation_split: float = 0.2
    drop_last: bool = False


# The lesson's examples, exactly. Pages open with these and their links carry them, so every count agrees.
FIRST_FIT_N, FIRST_FIT_BATCH, FIRST_FIT_EPOCHS = 200, 20, 10  # "200 / 20 = 10 updates = 1 epoch"


FIRST_FIT_CODE = f"model.fit(train_set, epochs={FIRST_FIT_EPOCHS}, batch_size={FIRST_FIT_BATCH})"


WORKED_N, WORKED_BATCH, WORKED_EPOCHS = 1_000, 50, 20  # iterations_per_epoch = 20, total_iterations = 400


# MNIST: 1,500 iterations per epoch, 15,000 updates
KERAS_EXAMPLE = CodeSettings(n_samples=60_000, batch_size=32, epochs=10, validation_split=0.2)


# randn(1000, 10): 32 iterations per epoch, 320 updates
PYTORCH_EXAMPLE = CodeSettings(n_samples=1_000, batch_size=32, epochs=10, validation_split=0.0)


LESSON_LR = 0.001  # Adam's default, which both examples use


# Tip 1: learning_rate = 0.001 * (batch_size / 32), batch 256 -> 0.008.
LESSON_LR_SCALING = LRSettings(base_lr=LESSON_LR, base_batch_size=32, batch_size=256)


# Tip 2: warm up from 0.0001 to 0.001 over 3 epochs. 0.001 is the rate of the base batch 32, so the warm-up is shown
# for that batch: 1,000 samples -> 32 updates per epoch -> 96 warm-up updates.
LESSON_WARMUP = LRSettings(base_lr=LESSON_LR, base_batch_size=32, batch_size=32, n_samples=1_000, epochs=10)


@dataclass(frozen=True)
class LessonWidgets:
    """The lesson's own widgets: the grading example, the conveyor's shuffle and the guide's data set size."""

    homework_problems: int = 100  # "100 problems, graded 10 at a time" (learn_problems holds the URL's problems)
    per: int = 10
    shuffle: bool = False
    guide_n: int = 5_000


LESSON_SCHEMA = Schema(LessonWidgets, (
    Param("problems", "int", LessonWidgets.homework_problems, 1, 10_000, setting="homework_problems"),
    Param("per", "int", LessonWidgets.per, 1, 10_000),
    Param("shuffle", "bool", LessonWidgets.shuffle),
    Param("guide_n", "int", LessonWidgets.guide_n, 1, 10_000_000),
))


CODE_MAX_SAMPLES, CODE_MAX_EPOCHS, CODE_MAX_VAL_SPLIT = 60_000, 1_000, 0.5


def _code_schema(framework: str, example: CodeSettings, *, with_drop_last: bool) -> Schema[CodeSettings]:
    """The URL table of one generated example's settings (``keras_n``, ``torch_batch_size``, ...)."""
    params: tuple[Param, ...] = (
        Param(f"{framework}_n", "int", example.n_samples, 2, CODE_MAX_SAMPLES, setting="n_samples"),
        Param(f"{framework}_batch_size", "int", example.batch_size, 1, CODE_MAX_SAMPLES, setting="batch_size"),
        Param(f"{framework}_epochs", "int", example.epochs, 1, CODE_MAX_EPOCHS, setting="epochs"),
        Param(f"{framework}_val_split", "float", example.validation_split, 0.0, CODE_MAX_VAL_SPLIT,
              setting="validation_split"),
    )
    if with_drop_last:
        params += (Param(f"{framework}_drop_last", "bool", example.drop_last, setting="drop_last"),)
    return Schema(CodeSettings, params, defaults=example)


KERAS_SCHEMA = _code_schema("keras", KERAS_EXAMPLE, with_drop_last=False)


TORCH_SCHEMA = _code_schema("torch", PYTORCH_EXAMPLE, with_drop_last=True)


LessonPage = tuple[LessonWidgets, CodeSettings, CodeSettings]  # the lesson's widgets, the Keras and PyTorch examples


def _code_from_query(schema: Schema[CodeSettings], query: Query) -> tuple[CodeSettings, list[ParamProblem]]:
    """One example's settings from a URL; a batch larger than its data set is reported and fitted to it."""
    settings, problems = schema.parse(query)
    if settings.batch_size > settings.n_samples:
        name = next(param.name for param in schema.params if param.attribute == "batch_size")
        used = min((schema.defaults or CodeSettings()).batch_size, settings.n_samples)
        problems.append(ParamProblem(name, str(settings.batch_size), "out_of_range", used))
        settings = replace(settings, batch_size=used)
    return settings, problems


def page_from_query(query: Query) -> tuple[LessonPage, list[ParamProblem]]:
    """The lesson page's widgets and both examples from a shared URL, every unusable value reported."""
    widgets, problems = LESSON_SCHEMA.parse(query)
    keras, keras_problems = _code_from_query(KERAS_SCHEMA, query)
    torch, torch_problems = _code_from_query(TORCH_SCHEMA, query)
    return (widgets, keras, torch), problems + keras_problems + torch_problems


def page_to_query(page: LessonPage) -> dict[str, str]:
    """The shareable URL query of the lesson page."""
    widgets, keras, torch = page
    return {**LESSON_SCHEMA.to_query(widgets), **KERAS_SCHEMA.to_query(keras), **TORCH_SCHEMA.to_query(torch)}


def lesson_formula(p: BatchPlan) -> list[str]:
    """The worked calculation in the lesson's own names: ``iterations_per_epoch = 1000 / 50 = 20``, ..."""
    exact = p.train_samples % p.batch_size == 0
    division = f"{p.train_samples} / {p.batch_size}"
    if not exact:
        division = f"{'floor' if p.drop_last else 'ceil'}({division})"
    return [
        f"iterations_per_epoch = {division} = {p.iterations_per_epoch}",
        f"total_iterations = {p.iterations_per_epoch} * {p.epochs} = {p.total_updates}",
    ]


def training_query(s: CodeSettings, framework: Framework) -> dict[str, str]:
    """The Training page link that runs a generated example: the same rows, split, batch size and epochs."""
    if framework == "keras":
        data = {"dataset": "mnist", "model": "mlp", "drop_last": "false"}
    else:
        data = {"dataset": "random", "model": "linear", "drop_last": str(s.drop_last).lower()}
    return link_query("pages/training.py", {
        **data, "n": str(s.n_samples), "batch_size": str(s.batch_size), "epochs": str(s.epochs),
        "val_split": f"{s.validation_split:g}", "optimizer": "adam", "lr": f"{LESSON_LR:g}"})


def _comment(key: str, lang: str, **values: object) -> str:
    return t(f"learn.code.{key}", lang, **values)


def keras_code(s: CodeSettings, lang: str = "en") -> str:
    """The lesson's Keras MNIST example with the learner's batch size, epochs and split, counts in comments."""
    p = plan(s.n_samples, s.batch_size, s.epochs, validation_split=s.validation_split, framework="keras")
    subset = f"X_train, y_train = X_train[:{s.n_samples}], y_train[:{s.n_samples}]\n" if s.n_samples != 60_000 else ""
    split = ""
    if s.validation_split:
        note = _comment("keras_split", lang, train=p.train_samples, val=p.val_samples)
        split = f"    validation_split={s.validation_split:g},  # {note}\n"
    return (
        "import tensorflow as tf\n"
        "from tensorflow import keras\n\n"
        f"# {_comment('data', lang)}\n"
        "(X_train, y_train), (X_test, y_test) = keras.datasets.mnist.load_data()\n"
        "X_train = X_train.reshape(-1, 28*28) / 255.0\n"
        f"{subset}\n"
        f"# {_comment('model', lang)}\n"
        "model = keras.Sequential([\n"
        "    keras.layers.Dense(128, activation='relu'),\n"
        "    keras.layers.Dense(10, activation='softmax')\n"
        "])\n"
        "model.compile(optimizer='adam',\n"
        "              loss='sparse_categorical_crossentropy',\n"
        "              metrics=['accuracy'])\n\n"
        f"# {_comment('train', lang)}\n"
        "history = model.fit(\n"
        "    X_train, y_train,\n"
        f"    batch_size={s.batch_size},  # {_comment('per_epoch', lang, iterations=p.iterations_per_epoch)}\n"
        f"    epochs={s.epochs},  # {_comment('total', lang, updates=p.total_updates)}\n"
        f"{split}"
        ")\n"
    )


def pytorch_code(s: CodeSettings, lang: str = "en") -> str:
    """The lesson's PyTorch DataLoader loop with the learner's settings, counts in comments.

    Without a validation split it is the lesson's loop line for line: no ``random_split``, which the lesson
    does not have.
    """
    p = plan(s.n_samples, s.batch_size, s.epochs, validation_split=s.validation_split, drop_last=s.drop_last)
    loader_args = f"    batch_size={s.batch_size},\n    shuffle=True,\n"
    if s.drop_last:
        loader_args += "    drop_last=True,\n"
    if s.validation_split:
        dataset_lines = (
            "dataset = TensorDataset(X_train, y_train)\n"
            f"train_set, val_set = random_split(dataset, [1 - {s.validation_split:g}, {s.validation_split:g}])"
            f"  # {_comment('torch_split', lang, train=p.train_samples, val=p.val_samples)}\n"
            "dataloader = DataLoader(\n    train_set,\n"
        )
        imports = "from torch.utils.data import DataLoader, TensorDataset, random_split\n"
    else:
        dataset_lines = "dataset = TensorDataset(X_train, y_train)\ndataloader = DataLoader(\n    dataset,\n"
        imports = "from torch.utils.data import DataLoader, TensorDataset\n"
    return (
        "import torch\n"
        f"{imports}\n"
        f"# {_comment('data', lang)}\n"
        f"X_train = torch.randn({s.n_samples}, 10)\n"
        f"y_train = torch.randint(0, 2, ({s.n_samples},))\n\n"
        f"# {_comment('loader', lang)}\n"
        f"{dataset_lines}"
        f"{loader_args}"
        f")  # {_comment('len_loader', lang, iterations=p.iterations_per_epoch)}\n\n"
        f"# {_comment('loop', lang)}\n"
        "model = torch.nn.Linear(10, 2)\n"
        "criterion = torch.nn.CrossEntropyLoss()\n"
        "optimizer = torch.optim.Adam(model.parameters())\n\n"
        f"epochs = {s.epochs}  # {_comment('total', lang, updates=p.total_updates)}\n"
        "for epoch in range(epochs):\n"
        "    for batch_X, batch_y in dataloader:\n"
        "        # Forward pass\n"
        "        outputs = model(batch_X)\n"
        "        loss = criterion(outputs, batch_y)\n\n"
        "        # Backward pass\n"
        "        optimizer.zero_grad()\n"
        "        loss.backward()\n"
        "        optimizer.step()\n\n"
        "    print(f'Epoch {epoch+1}/{epochs}, Loss: {loss.item():.4f}')\n"
    )


@dataclass(frozen=True)
class Question:
    """One self-check question: its text key and values, and the answer computed by core."""

    key: str
    values: dict[str, object]
    kind: Literal["int", "choice"]
    answer: int | str
    choices: tuple[str, ...] = field(default_factory=tuple)  # for kind "choice": keys or literal options

    def is_correct(self, given: object) -> bool:
        """True when ``given`` is the answer (a whole number, or the chosen option)."""
        if self.kind == "int":
            if isinstance(given, bool) or not isinstance(given, (int, float, str)):
                return False
            try:
                return float(given) == self.answer
            except ValueError:
                return False
        return bool(given == self.answer)


def _pick(rng: np.random.Generator, options: tuple[int, ...]) -> int:
    return int(options[int(rng.integers(len(options)))])


def _batch_size_question(variant: int, rng: np.random.Generator) -> Question:
    problems, per = (100, 10) if variant == 0 else (_pick(rng, (60, 100, 150, 250)), _pick(rng, (8, 10, 16, 25)))
    return Question("learn.q.batch_size", {"problems": problems, "per": per}, "int",
                    plan(problems, per, 1).iterations_per_epoch)


def _how_it_works_question(variant: int, rng: np.random.Generator) -> Question:
    n, b = (200, 20) if variant == 0 else (_pick(rng, (300, 500, 1000, 1234)), _pick(rng, (16, 20, 32, 50)))
    return Question("learn.q.how_it_works", {"n": n, "batch": b}, "int", plan(n, b, 1).updates_per_epoch)


def _epoch_question(variant: int, rng: np.random.Generator) -> Question:
    n, b = (200, 20) if variant == 0 else (_pick(rng, (400, 600, 1000)), _pick(rng, (20, 25, 40)))
    per_epoch = plan(n, b, 1).updates_per_epoch
    updates = per_epoch * (3 if variant == 0 else int(rng.integers(2, 9))) + int(rng.integers(0, per_epoch))
    return Question("learn.q.epoch", {"n": n, "batch": b, "updates": updates}, "int", updates // per_epoch)


def _small_vs_large_question(variant: int, rng: np.random.Generator) -> Question:
    n = 10_000 if variant == 0 else _pick(rng, (2_000, 5_000, 20_000, 60_000))
    gap = plan(n, 8, 1).updates_per_epoch - plan(n, 256, 1).updates_per_epoch
    return Question("learn.q.small_vs_large", {"n": n}, "int", gap)


def _guide_question(variant: int, rng: np.random.Generator) -> Question:
    n = 5_000 if variant == 0 else _pick(rng, (500, 800, 3_000, 10_000, 12_000, 60_000))
    rec = recommend_batch_size(n)
    return Question("learn.q.guide", {"n": n}, "choice", f"{rec.low}–{rec.high}", GUIDE_RANGES)


def _whole_vs_batches_question(variant: int, rng: np.random.Generator) -> Question:
    n = 60_000 if variant == 0 else _pick(rng, (1_000, 10_000, 50_000))
    return Question("learn.q.whole_vs_batches", {"n": n}, "int", plan(n, n, 1).updates_per_epoch)


def _names_question(variant: int, rng: np.random.Generator) -> Question:
    n = 1_000
    batch = (1, n, 32)[variant % 3]
    return Question("learn.q.names", {"batch": "len(X_train)" if batch == n else batch}, "choice",
                    plan(n, batch, 1).regime, REGIMES)


def _worked_question(variant: int, rng: np.random.Generator) -> Question:
    n, b, e = (10_000, 64, 5) if variant == 0 else (
        _pick(rng, (1_000, 5_000, 12_345)), _pick(rng, (32, 50, 64, 128)), _pick(rng, (3, 10, 20)))
    return Question("learn.q.worked", {"n": n, "batch": b, "epochs": e}, "int", plan(n, b, e).total_updates)


def _code_question(variant: int, rng: np.random.Generator) -> Question:
    n, b, v = (1001, 32, 0.2) if variant == 0 else (_pick(rng, (1001, 999, 2023)), _pick(rng, (16, 32, 64)), 0.2)
    return Question("learn.q.code", {"n": n, "batch": b, "split": v}, "int",
                    plan(n, b, 1, validation_split=v, framework="keras").iterations_per_epoch)


def _monitoring_question(variant: int, rng: np.random.Generator) -> Question:
    epochs = 10 if variant == 0 else _pick(rng, (5, 20, 30))
    return Question("learn.q.monitoring", {"epochs": epochs}, "int", epochs)


def _tips_question(variant: int, rng: np.random.Generator) -> Question:
    n, b = (1_000, 32) if variant == 0 else (_pick(rng, (2_000, 6_400)), _pick(rng, (32, 64, 100)))
    return Question("learn.q.tips", {"n": n, "batch": b, "warmup": 3}, "int", warmup_updates(plan(n, b, 1), 3))


# One question maker per section, in the lesson's order (a test checks every section has one).
QUESTIONS: dict[str, Callable[[int, np.random.Generator], Question]] = {
    "batch_size": _batch_size_question, "how_it_works": _how_it_works_question, "epoch": _epoch_question,
    "small_vs_large": _small_vs_large_question, "guide": _guide_question,
    "whole_vs_batches": _whole_vs_batches_question, "names": _names_question, "worked": _worked_question,
    "code": _code_question, "monitoring": _monitoring_question, "tips": _tips_question,
}


def question(section: str, variant: int = 0) -> Question:
    """A question for ``section``; ``variant`` 0 is the lesson's own example, others are seeded variations."""
    if section not in QUESTIONS:
        raise ValueError(f"unknown lesson section {section!r}")
    return QUESTIONS[section](variant, np.random.default_rng([SECTIONS.index(section), variant]))


def framework_plan(s: CodeSettings, framework: Framework) -> BatchPlan:
    """The plan of the generated code for one framework."""
    drop_last = s.drop_last and framework == "pytorch"
    return plan(s.n_samples, s.batch_size, s.epochs, validation_split=s.validation_split, drop_last=drop_last,
                framework=framework)
