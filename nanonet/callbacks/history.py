"""The record ``fit`` returns, shaped like Keras's ``History`` — itself a callback, the last
one fit calls each epoch."""
from __future__ import annotations

from typing import Dict, List, Optional

from .base import Callback


class History(Callback):
    """``history.history`` maps each metric name ("loss", "accuracy", "val_loss", …) to one
    value per epoch; ``history.epoch`` lists the epoch indices; ``history.params`` holds
    ``verbose``, ``epochs`` and ``steps`` (batches per epoch)."""

    def __init__(self, params: Optional[Dict[str, int]] = None):
        super().__init__()
        self.history: Dict[str, List[float]] = {}
        self.epoch: List[int] = []
        self.params = dict(params or {})

    def on_train_begin(self, logs: Optional[Dict] = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Optional[Dict] = None) -> None:
        self.record(epoch, logs or {})

    def record(self, epoch: int, logs: Dict[str, float]) -> None:
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))

    def __repr__(self) -> str:
        last = {name: round(values[-1], 4) for name, values in self.history.items() if values}
        return f"History(epochs={len(self.epoch)}, last={last})"
