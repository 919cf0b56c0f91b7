"""Divergence: when ``fit`` (or ``train_on_batch``) stops a run whose loss explodes.

A loss or update that stops being finite (NaN, inf) always stops training (training/step.py).
A loss that stays finite but grows by orders of magnitude — Adam or RMSprop at a learning
rate of 1e6 climb from 0.69 to 1e12 and keep going, with weights of 1e7 — stops it too, with
the same TrainingDivergedError, the same for every optimizer and both engines. The rule, for
the loss J_b of batch b (taken before its update, as fit reports it):

    J_b ≥ FLOOR  and  J_b ≥ FACTOR · max(J_1, Z_1, Z_data)  and  J_b ≥ FACTOR · Z_b

    J_1     the loss of the first batch of this fit call (train_on_batch: of the first call
            since the model was compiled or built, or of the last fit);
    Z_b     the loss the batch would have if the model output 0 everywhere (0 logits when
            the loss is taken from them: a model that knows nothing; Z_1 for the first
            batch, Z_data for the first SAMPLE rows of fit's training data): the scale of
            the targets — for MSE, the mean of y² — so that a regression on unscaled
            targets (a large J_1) and a batch of outlier targets (a large Z_b) are never
            taken for divergence (a loss undefined at 0 gives no Z: the rest of the rule);
    FACTOR  1000 (three orders of magnitude), FLOOR 1.0 (a loss below 1 is never called
            diverged: a loss that starts near 0 is not blown up by noise).

A healthy run stays far below it — its loss stays within a few times the first batch's
(measured: at most 4.2 times, tests/test_divergence.py) — and a model whose loss is a
thousand times that of outputting 0 is not learning (for MSE: errors about 30 times the
targets' size). The check costs one comparison per batch; Z_b is only
computed for a batch already beyond the first bound. Nothing random is drawn: reproducibility
is untouched (tests/test_divergence.py).
"""
from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np

from ..errors import TrainingDivergedError

FACTOR = 1e3
FLOOR = 1.0
#: the rows of fit's training targets whose zero-output loss sets Z_data (fewer if the
#: outputs are large: at most SAMPLE_VALUES zeros)
SAMPLE, SAMPLE_VALUES = 1024, 1 << 20


def zero_output_loss(model, y: np.ndarray, output_shape: tuple) -> float:
    """The loss of targets `y` (n, …) for a model that outputs 0 everywhere, shaped
    (n, *output_shape) — 0 logits, as the loss is taken, when it is taken from the logits
    (then the prediction is ½ or 1/K: a model that knows nothing). The scale of the targets:
    for MSE the mean of y². inf if it overflows (MSE on targets of 1e20); NaN where the loss
    is undefined at 0 (a categorical cross-entropy of probabilities 0) — no scale."""
    zeros = np.zeros((len(y),) + tuple(output_shape), dtype=model.dtype)
    compute = model.loss.compute_from_logits if model.uses_logits() else model.loss.compute
    try:
        with np.errstate(all="ignore"):
            loss = float(compute(y, zeros)[0])
    except (ArithmeticError, ValueError):        # a custom loss undefined at 0: no scale
        return math.nan
    return loss if math.isfinite(loss) or loss == math.inf else math.nan


def what_to_try(model) -> str:
    """The advice every divergence message ends with."""
    return (f"Try a lower learning_rate (now {model.optimizer.learning_rate}), gradient "
            f"clipping (clipnorm=1.0), or check the data's scale (standardise the features; "
            f"scale large targets).")


class DivergenceWatch:
    """The module docstring's rule for one model: ``start(y)`` at the beginning of fit,
    ``check(…)`` on every batch's finite loss before its update. train_on_batch keeps the
    reference of its first call (after compile or build) or of the last fit."""

    def __init__(self, model):
        self.model = model
        self.targets: Optional[np.ndarray] = None
        self.first: Optional[float] = None       # J_1
        self.zero = math.inf                     # max(Z_1, Z_data)
        self.limit = math.inf                    # FACTOR · max(J_1, Z_1, Z_data), ≥ FLOOR

    def start(self, y: np.ndarray) -> None:
        """A new fit on the training targets `y` (n, …): the reference is set again, at its
        first batch."""
        self.targets, self.first, self.limit = y[:SAMPLE], None, math.inf

    def check(self, loss: float, y: np.ndarray, y_pred: np.ndarray, epoch: int, batch: int,
              history, where: str, scale: Callable[[], str]) -> None:
        """Raise TrainingDivergedError if the finite batch loss `loss` (targets y, outputs
        y_pred (B, …)) meets the rule; ``scale()`` describes the sizes behind it."""
        if self.first is None:
            self.set_reference(loss, y, y_pred)
            return
        if loss < self.limit:                    # the hot path: one comparison
            return
        zero = zero_output_loss(self.model, y, y_pred.shape[1:])
        if loss < FACTOR * zero:                 # this batch's targets are that large
            return                               # (False for a NaN: no scale known)
        raise TrainingDivergedError(
            f"{where}: the loss exploded at epoch {epoch}, batch {batch}: {loss:.3g}, against "
            f"{self.first:.3g} on the first batch and {max(zero, self.zero):.3g} for a model "
            f"that outputs 0 — more than {FACTOR:g} times both, so training diverged "
            f"({scale()}). Training stopped; the weights are those from before this batch. "
            f"{what_to_try(self.model)}", epoch, batch, history)

    def set_reference(self, loss: float, y: np.ndarray, y_pred: np.ndarray) -> None:
        """J_1, Z_1 and (in fit) Z_data, and the limit they set."""
        shape = y_pred.shape[1:]
        zeros = [zero_output_loss(self.model, y, shape)]
        if self.targets is not None:
            rows = max(1, min(SAMPLE, SAMPLE_VALUES // max(1, int(np.prod(shape)))))
            zeros.append(zero_output_loss(self.model, self.targets[:rows], shape))
        self.first = loss
        self.zero = max([zero for zero in zeros if not math.isnan(zero)], default=0.0)
        self.limit = max(FACTOR * max(loss, self.zero), FLOOR)
