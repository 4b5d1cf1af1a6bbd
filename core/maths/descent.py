"""Descent paths: batch, stochastic and mini-batch gradient descent on a loss surface you can see.

The problem has two parameters, so its loss surface is a picture: linear regression
``y = w·x + b`` on seeded synthetic data, mean squared error loss. Every path starts at the
same point with the same learning rate; only the batch size differs (N, 1, or the chosen
size). Which samples form each batch comes from ``core.maths.batching`` — ``plan`` for the counts,
``epoch_order`` for a fresh shuffle each epoch, the last partial batch kept as DataLoader does.

This is not a torch training loop. With two parameters the MSE gradient has a closed form,
so each update applies the exact analytic gradient of the batch's loss in numpy. A batch
enters only through five sums (Σx², Σx, Σxy, Σy, Σy²) and its size, which keeps even
hundreds of thousands of stochastic updates fast.

>>> s = PathsSettings(n_samples=200, batch_size=32, epochs=10)
>>> [p.updates for p in descend_all(s)]
[10, 2000, 70]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.maths.batching import BatchPlan, epoch_order, plan

Budget = Literal["epochs", "updates"]


Method = Literal["batch", "stochastic", "mini-batch"]


METHODS: tuple[Method, ...] = ("batch", "stochastic", "mini-batch")


BUDGETS: tuple[Budget, ...] = ("epochs", "updates")


TRUE_W, TRUE_B = 2.0, -1.0  # the line the data is drawn around


START = (-1.5, 3.0)  # (w, b) where every path begins


X_MEAN, X_STD = 1.0, 1.0  # x ~ N(1, 1): an off-centre x makes the bowl a tilted ellipse


MAX_NOISE = 5.0


DIVERGE_FACTOR = 1e6  # a loss this many times the starting loss counts as exploding


GRID = 80  # contour resolution per axis


@dataclass(frozen=True)
class PathsSettings:
    """Everything the page lets a learner choose."""

    n_samples: int = 200
    batch_size: int = 32
    learning_rate: float = 0.1
    epochs: int = 10
    budget: Budget = "epochs"
    seed: int = 0
    noise: float = 0.5


@dataclass(frozen=True)
class Moments:
    """The sums a set of samples enters the MSE through: the loss and gradient need nothing else."""

    count: float
    sxx: float
    sx: float
    sxy: float
    sy: float
    syy: float

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray) -> Moments:
        """The moments of samples ``x``, ``y`` (both shape (m,))."""
        return cls(float(x.size), float(x @ x), float(x.sum()), float(x @ y), float(y.sum()), float(y @ y))


def loss(m: Moments, w: float | np.ndarray, b: float | np.ndarray) -> Any:
    """Mean squared error of ``y ≈ w·x + b``; ``w`` and ``b`` may be arrays (a grid)."""
    total = w * w * m.sxx + 2 * w * b * m.sx + b * b * m.count - 2 * w * m.sxy - 2 * b * m.sy + m.syy
    return np.maximum(total, 0.0) / m.count  # clamp rounding below zero at an exact fit


def gradient(m: Moments, w: float, b: float) -> tuple[float, float]:
    """(∂L/∂w, ∂L/∂b) of the mean squared error, exactly."""
    return (2 * (w * m.sxx + b * m.sx - m.sxy) / m.count, 2 * (w * m.sx + b * m.count - m.sy) / m.count)


def make_data(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` samples (x, y) around the line ``y = 2x − 1`` with Gaussian noise of std ``noise``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(X_MEAN, X_STD, n)
    y = TRUE_W * x + TRUE_B + noise * rng.normal(0.0, 1.0, n)
    return x, y


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The (w, b) of least loss, in closed form (minimum-norm when the data cannot pin it down)."""
    design = np.stack([x, np.ones_like(x)], axis=1)  # (n, 2)
    (w, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(w), float(b)


@dataclass(frozen=True)
class DescentPath:
    """One method's path: the parameters and full-data loss after every update (index 0 is the start)."""

    method: Method
    batch_size: int
    plan: BatchPlan  # the batching of the epochs this path needs
    w: np.ndarray  # (updates + 1,)
    b: np.ndarray  # (updates + 1,)
    loss: np.ndarray  # (updates + 1,) loss on all n samples
    samples_seen: int
    diverged_at: int | None  # the update whose loss exploded (not drawn); None when the path is sane

    @property
    def updates(self) -> int:
        """Weight updates made (and drawn)."""
        return self.w.size - 1

    @property
    def epochs_covered(self) -> float:
        """Passes over the data the updates made, as a fraction when the last epoch was cut short."""
        per_epoch = self.plan.updates_per_epoch
        full, partial = divmod(self.updates, per_epoch)
        if not partial:
            return float(full)
        sizes = self.plan.epoch_batch_sizes()
        return full + float(sizes[:partial].sum()) / self.plan.samples_per_epoch


def method_batch_size(method: Method, settings: PathsSettings) -> int:
    """Batch size of a method: N for batch, 1 for stochastic, the chosen size for mini-batch."""
    return {"batch": settings.n_samples, "stochastic": 1, "mini-batch": settings.batch_size}[method]


def target_updates(settings: PathsSettings) -> int:
    """Updates every method makes under the same-updates budget: what mini-batch makes in the epochs."""
    return plan(settings.n_samples, settings.batch_size, settings.epochs).total_updates


def descend(
    x: np.ndarray, y: np.ndarray, batch_size: int, lr: float, *, epochs: int | None = None,
    updates: int | None = None, seed: int = 0, method: Method = "mini-batch",
) -> DescentPath:
    """Gradient descent from ``START`` for ``epochs`` epochs, or for exactly ``updates`` updates.

    Each epoch reshuffles the samples with ``epoch_order``; a path whose loss turns NaN, infinite
    or more than ``DIVERGE_FACTOR`` times its starting loss stops there.
    """
    n = x.size
    per_epoch = plan(n, batch_size, 1).updates_per_epoch
    if updates is not None:
        epochs = -(-updates // per_epoch)
    if epochs is None:
        raise ValueError("descend needs epochs or updates")
    p = plan(n, batch_size, epochs)
    wanted = p.total_updates if updates is None else updates
    everything = Moments.of(x, y)
    starts = np.arange(0, n, batch_size)  # batch boundaries in draw order; the last may be partial
    sizes = p.epoch_batch_sizes().astype(float).tolist()
    w, b = START
    start_loss = float(loss(everything, w, b))
    limit = DIVERGE_FACTOR * max(start_loss, 1e-12)
    ws, bs, losses = [w], [b], [start_loss]
    diverged_at = None
    for epoch in range(1, epochs + 1):
        order = epoch_order(n, epoch, shuffle=True, seed=seed)
        xo, yo = x[order], y[order]
        # Per-batch moments of this epoch, all at once: (iterations,) each.
        sums = [np.add.reduceat(v, starts).tolist() for v in (xo * xo, xo, xo * yo, yo)]
        take = min(p.updates_per_epoch, wanted - (len(ws) - 1))
        new_w, new_b = [], []
        for sxx, sx, sxy, sy, m in zip(*(s[:take] for s in sums), sizes[:take], strict=True):
            # The exact gradient of this batch's MSE (``gradient``), inlined: plain floats are 20x faster here.
            gw = 2 * (w * sxx + b * sx - sxy) / m
            gb = 2 * (w * sx + b * m - sy) / m
            w, b = w - lr * gw, b - lr * gb
            new_w.append(w)
            new_b.append(b)
        with np.errstate(over="ignore", invalid="ignore"):
            new_loss = loss(everything, np.array(new_w), np.array(new_b))
            bad = np.flatnonzero(~np.isfinite(new_loss) | (new_loss > limit))
        keep = int(bad[0]) if bad.size else take
        ws += new_w[:keep]
        bs += new_b[:keep]
        losses += new_loss[:keep].tolist()
        if bad.size:
            diverged_at = len(ws)
            break
        if len(ws) - 1 == wanted:
            break
    made = len(ws) - 1
    full, partial = divmod(made, p.updates_per_epoch)
    seen = full * p.samples_per_epoch + int(p.epoch_batch_sizes()[:partial].sum())
    return DescentPath(method, batch_size, p, np.array(ws), np.array(bs), np.array(losses), seen, diverged_at)


def descend_all(settings: PathsSettings) -> list[DescentPath]:
    """The three paths of ``settings``, in ``METHODS`` order, from the same start and learning rate."""
    x, y = make_data(settings.n_samples, settings.noise, settings.seed)
    budget: dict[str, int] = (
        {"epochs": settings.epochs} if settings.budget == "epochs" else {"updates": target_updates(settings)}
    )
    return [
        descend(x, y, method_batch_size(method, settings), settings.learning_rate, seed=settings.seed, method=method,
                **budget)
        for method in METHODS
    ]


@dataclass(frozen=True)
class Surface:
    """The loss over a (w, b) grid, its least-squares minimum, and the axis ranges to show."""

    w: np.ndarray  # (GRID,)
    b: np.ndarray  # (GRID,)
    loss: np.ndarray  # (GRID, GRID), rows follow b, columns follow w
    minimum: tuple[float, float]
    minimum_loss: float


def loss_surface(n: int, noise: float, seed: int) -> Surface:
    """The loss surface of the data of (n, noise, seed), framing both the start and the minimum."""
    x, y = make_data(n, noise, seed)
    w_min, b_min = least_squares(x, y)
    m = Moments.of(x, y)
    axes = []
    for start, best in ((START[0], w_min), (START[1], b_min)):
        low, high = min(start, best), max(start, best)
        margin = 0.5 * max(high - low, 1.0)
        axes.append(np.linspace(low - margin, high + margin, GRID))
    ww, bb = np.meshgrid(*axes)
    return Surface(axes[0], axes[1], loss(m, ww, bb), (w_min, b_min), float(loss(m, w_min, b_min)))
