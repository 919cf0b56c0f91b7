"""The record ``fit`` returns, shaped like Keras's ``History``."""
from __future__ import annotations

from typing import Dict, List


class History:
    """``history.history`` maps each metric name ("loss", "accuracy", "val_loss", …) to one
    value per epoch; ``history.epoch`` lists the epoch indices; ``history.params`` holds
    ``verbose``, ``epochs`` and ``steps`` (batches per epoch)."""

    def __init__(self, params: Dict[str, int]):
        self.history: Dict[str, List[float]] = {}
        self.epoch: List[int] = []
        self.params = dict(params)

    def record(self, epoch: int, logs: Dict[str, float]) -> None:
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))

    def __repr__(self) -> str:
        last = {name: round(values[-1], 4) for name, values in self.history.items() if values}
        return f"History(epochs={len(self.epoch)}, last={last})"
