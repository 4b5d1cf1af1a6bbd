"""Learning-rate arithmetic: scaling the learning rate with the batch size, and warm-up schedules per update.

Pure Python (no torch, no Streamlit). The lesson's two tips, generalised:

- ``learning_rate = 0.001 * (batch_size / 32)`` is ``scale_lr(0.001, 256, 32, "linear")`` (= 0.008);
  the square-root rule and its Adam form (Malladi et al. 2022) sit beside it.
- ``initial_lr = 0.0001, final_lr = 0.001, warmup_epochs = 3`` becomes one learning rate per update,
  ``schedule(plan, ...)``, which ``core.maths.config.TrainConfig(lr_schedule=...)`` accepts.

>>> scale_lr(0.001, 256, 32, "linear")
0.008
>>> lrs = schedule(plan(1_000, 32, 10), initial_lr=0.0001, final_lr=0.001, warmup_epochs=3)
>>> len(lrs), lrs[0], lrs[96]
(320, 0.0001, 0.001)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from core.maths.batching import BatchPlan, SettingsError, plan
from core.maths.thinning import MAX_POINTS, downsample_indices

Rule = Literal["none", "linear", "sqrt"]


Decay = Literal["constant", "linear", "cosine"]


RULES: tuple[Rule, ...] = ("none", "linear", "sqrt")


DECAYS: tuple[Decay, ...] = ("constant", "linear", "cosine")


# Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour": the linear scaling rule
# (with warm-up) matched the small-batch accuracy of ResNet-50 on ImageNet up to a minibatch of 8k and broke
# down beyond it.
LINEAR_SCALING_LIMIT = 8_192


ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8  # torch.optim.Adam's and Keras's defaults


# The lesson's warm-up example.
LESSON_INITIAL_LR, LESSON_FINAL_LR, LESSON_WARMUP_EPOCHS = 0.0001, 0.001, 3


WARMUP_START = LESSON_INITIAL_LR / LESSON_FINAL_LR  # pages warm up from this share of the peak rate, as the lesson does


class ScheduleError(SettingsError):
    """Learning-rate settings that make no sense; ``key`` and ``values`` let the UI explain in any language."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = f"lr.error.{key}"
        self.values = values
        ValueError.__init__(self, self.message("en"))


def _require_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ScheduleError("not_number", name=name, value=repr(value))
    if value < 0 or (value == 0 and not allow_zero):
        raise ScheduleError("not_positive" if not allow_zero else "negative", name=name, value=value)
    return float(value)


def _require_batch(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ScheduleError("batch", name=name, value=repr(value))
    return value


def scale_lr(base_lr: float, batch_size: int, base_batch_size: int, rule: Rule = "linear") -> float:
    """The learning rate for ``batch_size``, given one that worked at ``base_batch_size``.

    ``linear``: lr x B / B_base (Krizhevsky 2014, Goyal et al. 2017); ``sqrt``: lr x sqrt(B / B_base)
    (Krizhevsky 2014; Malladi et al. 2022 for adaptive optimizers); ``none``: unchanged.

    >>> scale_lr(0.001, 256, 32, "sqrt")  # doctest: +ELLIPSIS
    0.00282842712...
    """
    lr = _require_positive("base_lr", base_lr)
    kappa = _require_batch("batch_size", batch_size) / _require_batch("base_batch_size", base_batch_size)
    if rule == "none":
        return lr
    if rule == "linear":
        # Multiply before dividing so that the lesson's 0.001 * 256 / 32 is exactly 0.008.
        return lr * batch_size / base_batch_size
    if rule == "sqrt":
        return lr * math.sqrt(kappa)
    raise ScheduleError("rule", value=repr(rule), choices=", ".join(RULES))


def exceeds_linear_limit(batch_size: int) -> bool:
    """True above the batch size where linear scaling is known to break down (Goyal et al. 2017: ~8k)."""
    return _require_batch("batch_size", batch_size) > LINEAR_SCALING_LIMIT


@dataclass(frozen=True)
class AdamHyperparameters:
    """Adam's learning rate, betas and epsilon."""

    lr: float
    beta1: float
    beta2: float
    eps: float


def adam_sqrt_scaling(
    base_lr: float,
    batch_size: int,
    base_batch_size: int,
    *,
    beta1: float = ADAM_BETA1,
    beta2: float = ADAM_BETA2,
    eps: float = ADAM_EPS,
) -> AdamHyperparameters:
    """Adam's hyperparameters for ``batch_size`` by the square-root scaling rule.

    Malladi, Lyu, Panigrahi & Arora 2022, "On the SDEs and Scaling Rules for Adaptive Gradient
    Algorithms" (NeurIPS 2022, arXiv:2205.10287), Definition 4.3: with kappa = B / B_base,
    lr -> lr x sqrt(kappa), beta1 -> 1 - kappa (1 - beta1), beta2 -> 1 - kappa (1 - beta2),
    eps -> eps / sqrt(kappa). A kappa so large that a beta would reach 0 or below has no Adam
    equivalent: that raises ``ScheduleError`` with the largest batch size the rule can reach.

    >>> h = adam_sqrt_scaling(0.001, 64, 32)
    >>> round(h.beta1, 10), round(h.beta2, 10)
    (0.8, 0.998)
    """
    lr = _require_positive("base_lr", base_lr)
    eps = _require_positive("eps", eps, allow_zero=True)
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not 0.0 <= beta < 1.0:
            raise ScheduleError("beta_range", name=name, value=repr(beta))
    kappa = _require_batch("batch_size", batch_size) / _require_batch("base_batch_size", base_batch_size)
    new_beta1, new_beta2 = 1.0 - kappa * (1.0 - beta1), 1.0 - kappa * (1.0 - beta2)
    if min(new_beta1, new_beta2) <= 1e-12:  # 0 up to rounding: 1 - 0.9 is 0.09999999999999998
        # beta1 -> 0 first, as 1 - beta1 > 1 - beta2 for the usual settings; kappa must stay below 1 / (1 - beta).
        worst = max(1.0 - beta1, 1.0 - beta2)
        largest = math.ceil(round(base_batch_size / worst, 9)) - 1
        raise ScheduleError("beta_negative", batch=batch_size, largest=largest, kappa=f"{kappa:g}")
    root = math.sqrt(kappa)
    return AdamHyperparameters(lr=lr * root, beta1=new_beta1, beta2=new_beta2, eps=eps / root)


def warmup_updates(batch_plan: BatchPlan, warmup_epochs: int) -> int:
    """Updates the warm-up lasts: ``warmup_epochs`` x updates per epoch (1,000 samples, batch 32, 3 epochs: 96)."""
    if isinstance(warmup_epochs, bool) or not isinstance(warmup_epochs, int) or warmup_epochs < 0:
        raise ScheduleError("warmup_epochs", value=repr(warmup_epochs))
    return warmup_epochs * batch_plan.updates_per_epoch


def lr_at(
    step: int,
    *,
    initial_lr: float,
    final_lr: float,
    warmup: int,
    total: int,
    decay: Decay = "constant",
    min_lr: float = 0.0,
) -> float:
    """The learning rate of update ``step`` (0-based, like nanoGPT's ``get_lr(it)``).

    Warm-up rises linearly from ``initial_lr`` at step 0 to ``final_lr`` at step ``warmup``, like
    ``torch.optim.lr_scheduler.LinearLR`` stepped after every update; so at each epoch's first update it equals
    the per-epoch form ``initial + (final - initial) * epoch / warmup_epochs``. After warm-up it stays at
    ``final_lr`` (``constant``) or decays towards ``min_lr`` over the remaining updates, linearly or along a half
    cosine (``CosineAnnealingLR`` with ``T_max`` = the updates after warm-up).
    """
    if step < warmup:
        return initial_lr + (final_lr - initial_lr) * step / warmup
    if decay == "constant" or total <= warmup:
        return final_lr
    progress = (step - warmup) / (total - warmup)  # 0 at the end of warm-up, (T-W-1)/(T-W) at the last update
    if decay == "linear":
        return final_lr - (final_lr - min_lr) * progress
    return min_lr + 0.5 * (final_lr - min_lr) * (1.0 + math.cos(math.pi * progress))


def schedule(
    batch_plan: BatchPlan,
    *,
    initial_lr: float = LESSON_INITIAL_LR,
    final_lr: float = LESSON_FINAL_LR,
    warmup_epochs: int = LESSON_WARMUP_EPOCHS,
    decay: Decay = "constant",
    min_lr: float = 0.0,
) -> tuple[float, ...]:
    """One learning rate per update of ``batch_plan`` (length ``total_updates``), for ``TrainConfig.lr_schedule``."""
    check_schedule(initial_lr=initial_lr, final_lr=final_lr, warmup_epochs=warmup_epochs, decay=decay, min_lr=min_lr)
    warmup, total = warmup_updates(batch_plan, warmup_epochs), batch_plan.total_updates
    return tuple(
        lr_at(step, initial_lr=initial_lr, final_lr=final_lr, warmup=warmup, total=total, decay=decay, min_lr=min_lr)
        for step in range(total)
    )


def check_schedule(*, initial_lr: float, final_lr: float, warmup_epochs: int, decay: str, min_lr: float) -> None:
    """Raise ``ScheduleError`` for settings no schedule can follow (without building one)."""
    _require_positive("initial_lr", initial_lr, allow_zero=True)
    _require_positive("final_lr", final_lr)
    _require_positive("min_lr", min_lr, allow_zero=True)
    if isinstance(warmup_epochs, bool) or not isinstance(warmup_epochs, int) or warmup_epochs < 0:
        raise ScheduleError("warmup_epochs", value=repr(warmup_epochs))
    if decay not in DECAYS:
        raise ScheduleError("decay", value=repr(decay), choices=", ".join(DECAYS))
    if decay != "constant" and min_lr > final_lr:
        raise ScheduleError("floor_above_final", min_lr=min_lr, final_lr=final_lr)


def peak_schedule(batch_plan: BatchPlan, peak_lr: float, warmup_epochs: int, decay: Decay) -> tuple[float, ...] | None:
    """A run's rates when it warms up from ``WARMUP_START`` x ``peak_lr`` to ``peak_lr`` and then decays; None when
    the rate stays constant (no warm-up, no decay), so the run keeps its plain learning rate.

    >>> peak_schedule(plan(100, 50, 2), 0.1, 0, "constant") is None
    True
    >>> [round(lr, 3) for lr in peak_schedule(plan(100, 50, 2), 0.1, 1, "constant")]
    [0.01, 0.055, 0.1, 0.1]
    """
    if warmup_epochs == 0 and decay == "constant":
        return None
    return schedule(batch_plan, initial_lr=peak_lr * WARMUP_START, final_lr=peak_lr, warmup_epochs=warmup_epochs,
                    decay=decay)


def sample_steps(total: int, warmup: int, max_points: int = MAX_POINTS) -> list[int]:
    """At most about ``max_points`` 0-based steps to draw a schedule with, always keeping its corners."""
    return downsample_indices(total, max_points, keep=(warmup - 1, warmup)).tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class LRSettings:
    """Everything the Learning-rate page asks for; the defaults are the lesson's two examples."""

    base_lr: float = 0.001
    base_batch_size: int = 32
    batch_size: int = 256
    initial_lr: float = LESSON_INITIAL_LR
    final_lr: float = LESSON_FINAL_LR
    warmup_epochs: int = LESSON_WARMUP_EPOCHS
    n_samples: int = 1_000
    epochs: int = 10
    decay: Decay = "constant"
    min_lr: float = 0.0

    def plan(self) -> BatchPlan:
        """The batch arithmetic of the run the warm-up schedule is drawn for."""
        return plan(self.n_samples, self.batch_size, self.epochs)

    def validate(self) -> BatchPlan:
        """Raise ``SettingsError`` (or ``ScheduleError``) when no schedule can be drawn; else return the plan."""
        check_schedule(initial_lr=self.initial_lr, final_lr=self.final_lr, warmup_epochs=self.warmup_epochs,
                       decay=self.decay, min_lr=self.min_lr)
        return self.plan()

    def lr(self, update: int) -> float:
        """The learning rate of the 1-based ``update`` (no tuple built: runs can be millions of updates long)."""
        p = self.plan()
        return lr_at(update - 1, initial_lr=self.initial_lr, final_lr=self.final_lr,
                     warmup=warmup_updates(p, self.warmup_epochs), total=p.total_updates, decay=self.decay,
                     min_lr=self.min_lr)

    def schedule(self) -> tuple[float, ...]:
        """One learning rate per update of ``plan()``."""
        return schedule(self.plan(), initial_lr=self.initial_lr, final_lr=self.final_lr,
                        warmup_epochs=self.warmup_epochs, decay=self.decay, min_lr=self.min_lr)
