"""The Compare page's results: one table row per batch size, and a verdict on each of the lesson's claims."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.i18n import fmt_float, t
from core.maths.memory import step_memory_estimate
from core.maths.records import NoiseReport, RunStatus, Snapshot, throughput


@dataclass(frozen=True)
class RunSummary:
    """One batch size's measured results, as the results table shows them."""

    batch_size: int
    learning_rate: float
    status: RunStatus
    updates: int
    epochs_done: float  # samples seen / training samples
    wall_time_s: float
    samples_per_s: float | None
    time_per_epoch_s: float | None
    updates_per_epoch: int
    peak_memory_bytes: int
    memory_is_estimate: bool  # True: CPU estimate from step_memory_estimate; False: measured on CUDA
    train_loss: float | None  # whole training set at the final weights
    train_accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    loss_noise: float | None  # standard deviation of the update-to-update change of the batch loss

    @property
    def accuracy_gap(self) -> float | None:
        """Generalisation gap as train accuracy − validation accuracy (positive: better on seen data)."""
        if self.train_accuracy is None or self.val_accuracy is None:
            return None
        return self.train_accuracy - self.val_accuracy

    @property
    def loss_gap(self) -> float | None:
        """Generalisation gap as validation loss − train loss."""
        if self.train_loss is None or self.val_loss is None:
            return None
        return self.val_loss - self.train_loss


def summarise(snapshot: Snapshot) -> RunSummary:
    """The results-table row of one run's latest snapshot."""
    history, plan_ = snapshot.updates, snapshot.plan
    updates = len(history)
    samples = int(history.samples_seen[-1]) if updates else 0
    wall = float(history.wall_time[-1]) if updates else 0.0
    epochs_done = samples / plan_.samples_per_epoch if plan_.samples_per_epoch else 0.0
    final = snapshot.final
    measured = final is not None and final.peak_memory_bytes is not None
    loss = history.loss.astype(np.float64)
    changes = np.diff(loss[np.isfinite(loss)])
    return RunSummary(
        batch_size=snapshot.config.batch_size,
        learning_rate=snapshot.config.learning_rate,
        status=snapshot.status,
        updates=updates,
        epochs_done=epochs_done,
        wall_time_s=wall,
        samples_per_s=throughput(history),  # the figure its progress line shows
        time_per_epoch_s=wall / epochs_done if epochs_done > 0 else None,
        updates_per_epoch=plan_.updates_per_epoch,
        peak_memory_bytes=final.peak_memory_bytes if measured else step_memory_estimate(snapshot.config),  # type: ignore[union-attr, arg-type]
        memory_is_estimate=not measured,
        train_loss=final.train_loss if final else None,
        train_accuracy=final.train_accuracy if final else None,
        val_loss=final.val_loss if final else None,
        val_accuracy=final.val_accuracy if final else None,
        loss_noise=float(changes.std()) if len(changes) >= 2 else None,
    )


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b is not None and b > 0 else None


def _num(value: float, digits: int = 1) -> str:
    return fmt_float(value, digits) if abs(value) >= 10 ** -digits or value == 0 else f"{value:.2g}"


# A claim's verdict: whether it holds and the numbers its sentence names, or None when the runs cannot tell.
Judgement = tuple[bool, dict[str, object]] | None


def _updates_per_epoch(s: RunSummary) -> float | None:
    return s.updates / s.epochs_done if s.epochs_done else None


def _frequent(small: RunSummary, large: RunSummary, noise: NoiseReport | None, lang: str) -> Judgement:
    small_rate, large_rate = _updates_per_epoch(small), _updates_per_epoch(large)
    ratio = _ratio(small_rate, large_rate)
    if ratio is None:
        return None
    return ratio > 1, {"ratio": _num(ratio), "small_n": _num(small_rate or 0), "large_n": _num(large_rate or 0)}


def _slower(small: RunSummary, large: RunSummary, noise: NoiseReport | None, lang: str) -> Judgement:
    ratio = _ratio(small.time_per_epoch_s, large.time_per_epoch_s)
    if ratio is None:
        return None
    return ratio > 1, {"ratio": _num(ratio), "small_s": _num(small.time_per_epoch_s or 0, 3),
                       "large_s": _num(large.time_per_epoch_s or 0, 3)}


def _faster(small: RunSummary, large: RunSummary, noise: NoiseReport | None, lang: str) -> Judgement:
    ratio = _ratio(large.samples_per_s, small.samples_per_s)
    if ratio is None:
        return None
    return ratio > 1, {"ratio": _num(ratio), "small_r": _num(small.samples_per_s or 0, 0),
                       "large_r": _num(large.samples_per_s or 0, 0)}


def _noisier(small: RunSummary, large: RunSummary, noise: NoiseReport | None, lang: str) -> Judgement:
    ratio = _ratio(small.loss_noise, large.loss_noise)
    if ratio is None:
        return None
    return ratio > 1, {"ratio": _num(ratio), "small_v": _num(small.loss_noise or 0, 3),
                       "large_v": _num(large.loss_noise or 0, 3)}


def _stable(small: RunSummary, large: RunSummary, noise: NoiseReport | None, lang: str) -> Judgement:
    if noise is None or small.batch_size not in noise.batch_sizes or large.batch_size not in noise.batch_sizes:
        return None
    cos_small = noise.cosine[noise.batch_sizes.index(small.batch_size)]
    cos_large = noise.cosine[noise.batch_sizes.index(large.batch_size)]
    return cos_large > cos_small, {"small_c": _num(cos_small, 2), "large_c": _num(cos_large, 2)}


def _memory(small: RunSummary, large: RunSummary, noise: NoiseReport | None, lang: str) -> Judgement:
    ratio = _ratio(large.peak_memory_bytes, small.peak_memory_bytes)
    if ratio is None:
        return None
    kind = t("compare.memory_kind.estimate" if large.memory_is_estimate else "compare.memory_kind.measured", lang)
    return ratio > 1, {"ratio": _num(ratio), "small_m": _num(small.peak_memory_bytes / 1024),
                       "large_m": _num(large.peak_memory_bytes / 1024), "kind": kind}


def _generalise(small: RunSummary, large: RunSummary, noise: NoiseReport | None, lang: str) -> Judgement:
    if small.accuracy_gap is None or large.accuracy_gap is None:
        return None
    return small.accuracy_gap < large.accuracy_gap, {"small_g": _num(100 * small.accuracy_gap),
                                                     "large_g": _num(100 * large.accuracy_gap)}


# The lesson's claims in the order the page lists them, each judged by one function.
CLAIMS: tuple[tuple[str, Callable[[RunSummary, RunSummary, NoiseReport | None, str], Judgement]], ...] = (
    ("frequent", _frequent), ("slower", _slower), ("faster", _faster), ("noisier", _noisier),
    ("stable", _stable), ("memory", _memory), ("generalise", _generalise),
)


def verdicts(summaries: Sequence[RunSummary], noise: NoiseReport | None, lang: str = "en") -> list[str]:
    """One sentence per seed claim, from the smallest and largest batch's measured numbers."""
    done = [s for s in summaries if s.updates > 0]
    if len(done) < 2:
        return []
    small, large = min(done, key=lambda s: s.batch_size), max(done, key=lambda s: s.batch_size)
    lines = []
    for claim, judge in CLAIMS:
        judgement = judge(small, large, noise, lang)
        if judgement is None:
            continue
        holds, values = judgement
        verdict = t("compare.verdict.holds" if holds else "compare.verdict.fails", lang)
        lines.append(t(f"compare.claim.{claim}", lang, verdict=verdict, small=small.batch_size,
                       large=large.batch_size, **values))
    return lines
