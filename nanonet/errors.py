"""nanonet's own exception types (everything else raises the standard ValueError/TypeError)."""
from __future__ import annotations

from typing import Optional


class TrainingDivergedError(FloatingPointError):
    """``fit`` stopped because the loss or the gradients stopped being finite numbers, or
    the loss grew by orders of magnitude (the rule: nanonet/training/divergence.py).

    Attributes: ``epoch`` and ``batch`` (1-based) where it happened, and ``history`` — the
    History of the epochs that completed. The weights are left as they were *before* the
    batch that diverged.
    """

    def __init__(self, message: str, epoch: int, batch: int, history: Optional[object] = None):
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.history = history
