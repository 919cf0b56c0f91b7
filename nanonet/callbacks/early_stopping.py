"""``EarlyStopping``: stop fit when a monitored value stops improving — Keras 2.15's rules.

Each epoch end (epochs 0-based), with `best` starting at +inf for "min" (−inf for "max")::

    wait ← wait + 1
    improved = op(current − Δ, best)          op: < for min, > for max; Δ = ±|min_delta|,
                                              toward "better"; ties and NaN never improve
    if improved:  best ← current, best_epoch ← epoch (and remember the weights);
                  wait ← 0 only if there is no baseline or current also beats it
    elif wait ≥ patience and epoch > 0:
                  stop (model.stop_training = True), stopped_epoch ← epoch,
                  and with restore_best_weights put the best epoch's weights back — now,
                  at the stop: a run that reaches its last epoch keeps its last weights.

With restore_best_weights, the weights after the first monitored epoch are remembered even
if it did not improve (so "nothing ever improved" restores those).
"""
from __future__ import annotations

from typing import Dict, Optional

import numpy as np

from ..validation import check_bool, check_float, check_int
from .base import Callback
from .monitor import better_operator, monitored_value


class EarlyStopping(Callback):
    """``EarlyStopping(monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
    baseline=None, restore_best_weights=False, start_from_epoch=0)`` — module docstring.
    "auto" means max for names ending in acc, accuracy or auc, else min."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: Optional[float] = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        where = "EarlyStopping"
        if not isinstance(monitor, str):
            raise TypeError(f"{where}: monitor must be a metric name such as 'val_loss', "
                            f"got {monitor!r}.")
        self.monitor = monitor
        self.patience = check_int(patience, "patience", where, minimum=0)
        self.verbose = check_int(verbose, "verbose", where, minimum=0)
        self.baseline = None if baseline is None else check_float(baseline, "baseline", where)
        self.restore_best_weights = check_bool(restore_best_weights, "restore_best_weights",
                                               where)
        self.start_from_epoch = check_int(start_from_epoch, "start_from_epoch", where,
                                          minimum=0)
        auto_is_max = monitor.endswith(("acc", "accuracy", "auc"))
        self.monitor_op = better_operator(mode, auto_is_max, where)
        delta = abs(check_float(min_delta, "min_delta", where))
        self.min_delta = delta if self.monitor_op is np.greater else -delta
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_train_begin(self, logs: Optional[Dict] = None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: Optional[Dict] = None) -> None:
        if epoch < self.start_from_epoch:
            return
        current = monitored_value(logs, self.monitor, "EarlyStopping")
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights:
                if self.verbose > 0:
                    print(f"Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: Optional[Dict] = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")

    def is_improvement(self, value: float, reference: float) -> bool:
        """op(value − min_delta, reference): strictly better by more than |min_delta|."""
        return bool(self.monitor_op(value - self.min_delta, reference))
