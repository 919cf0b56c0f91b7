"""The batch loops: fit's epochs and batches, evaluate's batches, validation data.

As Keras: each epoch uses a new permutation of the samples when shuffling; the last partial
batch is kept; the loss shown is the batch-size-weighted mean of the batch losses, each taken
before that batch's update; ``validation_split`` holds out the *last* fraction of the data
before any shuffling. Callbacks (nanonet/callbacks/) are called at Keras's moments, the
model's History last; a callback stops training by setting ``model.stop_training``.
"""
from __future__ import annotations

import math
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..callbacks import CallbackList, History
from ..progress import ProgressBar
from ..validation import check_float, check_int
from .step import ModelStep, check_outputs, check_targets_fit, scale_report


class RunningMeans:
    """Batch-size-weighted running means of named values (Keras's epoch averages)."""

    def __init__(self, names: List[str]):
        self.names = names
        self.sums = [0.0] * len(names)
        self.count = 0

    def add(self, values: Sequence[float], weight: int) -> None:
        self.sums = [s + float(v) * weight for s, v in zip(self.sums, values)]
        self.count += weight

    def means(self) -> Dict[str, float]:
        return {name: s / self.count for name, s in zip(self.names, self.sums)}


def check_verbose(verbose, where: str) -> int:
    """0 (silent), 1 (progress bar; also for "auto") or 2 (one line per epoch)."""
    if verbose == "auto":
        return 1
    verbose = check_int(verbose, "verbose", where, minimum=0)
    if verbose > 2:
        raise ValueError(f"{where}: verbose must be 0 (silent), 1 (progress bar) or 2 "
                         f"(one line per epoch), got {verbose}.")
    return verbose


def split_validation(model, x, y, validation_split, validation_data, where):
    """(x_train, y_train, (x_val, y_val) or None) from fit's arguments (x, y prepared)."""
    validation_split = check_float(validation_split, "validation_split", where, low=0.0,
                                   high=1.0, high_inclusive=False)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            got = f"a {type(validation_data).__name__} of length {len(validation_data)}" \
                if isinstance(validation_data, (tuple, list)) \
                else type(validation_data).__name__
            extra = " (sample weights are not supported)" \
                if isinstance(validation_data, (tuple, list)) and len(validation_data) == 3 \
                else ""
            raise ValueError(f"{where}: validation_data must be a tuple (x_val, y_val), "
                             f"got {got}{extra}.")
        return x, y, model.prepare_xy(*validation_data, where + " (validation_data)")
    if validation_split == 0:
        return x, y, None
    split_at = int(math.floor(len(x) * (1.0 - validation_split)))
    if split_at in (0, len(x)):
        raise ValueError(f"{where}: validation_split={validation_split} leaves "
                         f"{split_at} training and {len(x) - split_at} validation samples "
                         f"out of {len(x)}; both must be at least 1.")
    return x[:split_at], y[:split_at], (x[split_at:], y[split_at:])


def fit_epochs(model, trainer, x, y, validation, batch_size: int, epochs: int, verbose: int,
               shuffle: bool, augment, where: str, callbacks=()) -> History:
    """`epochs` passes of `trainer` (a TrainingStep) over the prepared x (n, …), y (n, …), each
    followed by the loss on `validation` (or None); the progress shown as `verbose` says;
    `callbacks` (checked Callback instances) called at Keras's moments (callbacks/base.py)."""
    steps = math.ceil(len(x) / batch_size)
    history = History({"verbose": verbose, "epochs": epochs, "steps": steps})
    model.history, model.stop_training = history, False
    trainer.watch.start(y)                              # divergence: a new reference
    hooks = CallbackList([*callbacks, history], model, dict(history.params))
    hooks.call("on_train_begin", {})
    logs: Dict[str, float] = {}
    for epoch in range(1, epochs + 1):
        if verbose in (1, 2) and epochs > 1:            # as Keras's ProgbarLogger
            print(f"Epoch {epoch}/{epochs}")
        hooks.call("on_epoch_begin", epoch - 1, {})
        progress = ProgressBar(steps, verbose)
        logs = run_epoch(model, trainer, x, y, batch_size, shuffle, progress, epoch, history,
                         augment, hooks)
        if validation is not None:
            val = evaluate_batches(model, *validation, batch_size, where + " (validation data)")
            logs.update({f"val_{name}": value for name, value in val.items()})
        progress.update(steps, logs)
        hooks.call("on_epoch_end", epoch - 1, logs)
        if model.stop_training:
            break
    hooks.call("on_train_end", logs)
    return history


def run_epoch(model, trainer, x, y, batch_size, shuffle, progress, epoch, history,
              augment=None, hooks=None) -> Dict[str, float]:
    """One pass over x, y in batches (a new permutation if `shuffle`): {name: epoch mean}.
    `hooks` (a CallbackList) hears each batch begin and end; a callback setting
    model.stop_training ends the epoch after its batch."""
    n = len(x)
    order = model.random_streams.shuffle.permutation(n) if shuffle else None
    totals = RunningMeans(["loss"] + [name for name, _ in model.metrics])
    metric_fns = model.metric_functions
    for batch, start in enumerate(range(0, n, batch_size), start=1):
        rows = slice(start, start + batch_size) if order is None else \
            order[start:start + batch_size]
        if hooks is not None:
            hooks.call("on_train_batch_begin", batch - 1, {})
        xb, yb = x[rows], y[rows]
        if augment is not None:
            xb, yb = augmented(model, augment, xb, yb, order is None, epoch, batch)
        loss, y_pred = trainer.run(xb, yb, epoch, batch, history)
        values = [loss] + [fn(yb, y_pred) for fn in metric_fns]
        totals.add(values, len(xb))
        if start + batch_size < n:
            progress.update(batch, totals.means())
        if hooks is not None:
            hooks.call("on_train_batch_end", batch - 1, totals.means())
            if model.stop_training:
                break
    return totals.means()


def augmented(model, augment, xb: np.ndarray, yb: np.ndarray, views: bool, epoch: int,
              batch: int) -> Tuple[np.ndarray, np.ndarray]:
    """``augment(xb, yb, rng)`` on copies of the batch, its result checked like fit's data."""
    if views:                                # slices of the training data: hand out copies
        xb, yb = xb.copy(), yb.copy()
    result = augment(xb, yb, model.random_streams.augment)
    where = f"Sequential.fit: the batch returned by augment (epoch {epoch}, batch {batch})"
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        got = f"a {type(result).__name__} of length {len(result)}" \
            if isinstance(result, (tuple, list)) else f"{type(result).__name__}"
        raise TypeError(f"Sequential.fit: augment must return a pair (x_batch, y_batch), "
                        f"got {got} (epoch {epoch}, batch {batch}).")
    return model.prepare_xy(result[0], result[1], where)


def evaluate_batches(model, x, y, batch_size: int, where: str = "Sequential.evaluate"
                     ) -> Dict[str, float]:
    """{"loss": …, metric: …}: batch-size-weighted means over x (n, …), y (n, …) — already
    prepared by ``model.prepare_xy`` — dropout off. Errors name `where`."""
    totals = RunningMeans(["loss"] + [name for name, _ in model.metrics])
    metric_fns = model.metric_functions
    with ModelStep(model):
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            y_pred = model.forward(xb, training=False)
            check_outputs(model, y_pred, xb, where, first_sample=start)
            y_pred = model.cast_output(y_pred)
            if model.uses_logits():
                logits = model.cast_output(model.layers[-1].logits)
                loss = model.loss.compute_from_logits(yb, logits)[0]
            else:
                loss = model.loss.compute(yb, y_pred)[0]
            if not math.isfinite(loss):
                check_targets_fit(model, yb, y_pred,
                                  f"{where} (samples {start}–{start + len(xb) - 1})")
                raise ValueError(
                    f"{where}: the loss on samples {start}–{start + len(xb) - 1} is {loss} "
                    f"although x and y are finite — it overflowed {model.compute_dtype} "
                    f"({scale_report(model, xb, yb, y_pred)}). Expected targets and "
                    f"outputs of moderate size: scale the data (e.g. standardise the "
                    f"features and targets) or use dtype='float64'.")
            totals.add([loss] + [fn(yb, y_pred) for fn in metric_fns], len(xb))
    return totals.means()
