"""``Callback``: what ``fit(callbacks=[...])`` calls, at Keras's moments, and the list that calls
them in order.

One fit, as Keras 2.15 runs it (epochs and batches counted from 0)::

    set_model(model); set_params({"verbose", "epochs", "steps"}); on_train_begin(logs)
    for each epoch:   on_epoch_begin(epoch)
        for each batch:   on_train_batch_begin(batch)  → on_batch_begin
                          … one training step …
                          on_train_batch_end(batch, logs)  → on_batch_end   (running means)
        … validation …
        on_epoch_end(epoch, logs)            logs: the epoch's loss, metrics, val_… values
        stop if model.stop_training (a callback may set it; checked after every batch too)
    on_train_end(logs)
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence


class Callback:
    """Override the moments you need; ``self.model`` and ``self.params`` are set by fit."""

    def __init__(self):
        self.model = None
        self.params: Dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: Dict) -> None:
        self.params = params

    def on_train_begin(self, logs: Optional[Dict] = None) -> None:
        """Before the first epoch."""

    def on_train_end(self, logs: Optional[Dict] = None) -> None:
        """After the last epoch (or the one a callback stopped at); logs: the last epoch's."""

    def on_epoch_begin(self, epoch: int, logs: Optional[Dict] = None) -> None:
        """Before epoch `epoch` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: Optional[Dict] = None) -> None:
        """After epoch `epoch` and its validation; logs: {"loss": …, metric: …, "val_…": …}."""

    def on_train_batch_begin(self, batch: int, logs: Optional[Dict] = None) -> None:
        """Before training batch `batch` (0-based within the epoch); calls on_batch_begin."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Optional[Dict] = None) -> None:
        """After batch `batch`; logs: the epoch's running means so far. Calls on_batch_end."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: Optional[Dict] = None) -> None:
        """Keras's older name for on_train_batch_begin."""

    def on_batch_end(self, batch: int, logs: Optional[Dict] = None) -> None:
        """Keras's older name for on_train_batch_end."""


class CallbackList:
    """The callbacks of one fit, called in the order given (fit puts its History last, as
    Keras does, so it records what the other callbacks saw)."""

    def __init__(self, callbacks: Sequence[Callback], model, params: Dict):
        self.callbacks: List[Callback] = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)

    def call(self, moment: str, *args) -> None:
        """Call ``callback.<moment>(*args)`` on each callback in turn."""
        for callback in self.callbacks:
            getattr(callback, moment)(*args)


def checked_callbacks(callbacks, where: str) -> List[Callback]:
    """fit's `callbacks`: None or a list of Callback instances, else a clear TypeError."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"{where}: callbacks must be a list of Callback instances, e.g. "
                        f"callbacks=[EarlyStopping(patience=2)], got "
                        f"{type(callbacks).__name__}.")
    for index, callback in enumerate(callbacks):
        if not isinstance(callback, Callback):
            hint = " (the class itself: call it, e.g. EarlyStopping())" \
                if isinstance(callback, type) and issubclass(callback, Callback) else ""
            raise TypeError(f"{where}: callbacks[{index}] must be a Callback instance (a "
                            f"subclass of nanonet.callbacks.Callback), got "
                            f"{callback!r:.60}{hint}.")
    return list(callbacks)
