"""``ModelCheckpoint``: save the model at the end of each epoch (or only when a monitored value
improves), through ``model.save`` — atomic, so a crash mid-save never spoils the last file.

    filepath.format(epoch=epoch + 1, **logs)      e.g. "ckpt_{epoch:02d}_{val_loss:.3f}.npz"

As Keras 2.15: "auto" means max when the name contains "acc" (or starts with "fmeasure"),
else min; ``initial_value_threshold`` is the value to beat first; an improvement is strict.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import numpy as np

from ..validation import check_bool, check_float, check_int
from .base import Callback
from .monitor import better_operator, monitored_value


class ModelCheckpoint(Callback):
    """``ModelCheckpoint(filepath, monitor="val_loss", verbose=0, save_best_only=False,
    mode="auto", initial_value_threshold=None)`` — module docstring. Whole models only (no
    save_weights_only); once per epoch (no save_freq)."""

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, mode: str = "auto",
                 initial_value_threshold: Optional[float] = None):
        super().__init__()
        where = "ModelCheckpoint"
        if not isinstance(filepath, (str, Path)):
            raise TypeError(f"{where}: filepath must be a path (str or Path), such as "
                            f"'model_{{epoch:02d}}.npz', got {filepath!r}.")
        self.filepath = str(filepath)
        self.monitor = monitor
        self.verbose = check_int(verbose, "verbose", where, minimum=0)
        self.save_best_only = check_bool(save_best_only, "save_best_only", where)
        auto_is_max = "acc" in monitor or monitor.startswith("fmeasure")
        self.monitor_op = better_operator(mode, auto_is_max, where)
        self.best = (np.inf if self.monitor_op is np.less else -np.inf) \
            if initial_value_threshold is None \
            else check_float(initial_value_threshold, "initial_value_threshold", where)

    def on_epoch_end(self, epoch: int, logs: Optional[Dict] = None) -> None:
        path = self.file_path(epoch, logs or {})
        if not self.save_best_only:
            self._save(path, epoch, "")
            return
        current = monitored_value(logs, self.monitor, "ModelCheckpoint")
        if self.monitor_op(current, self.best):
            note = f"{self.monitor} improved from {self.best:.5f} to {current:.5f}, "
            self.best = current
            self._save(path, epoch, note)
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")

    def file_path(self, epoch: int, logs: Dict) -> str:
        """filepath with {epoch} (1-based) and the logs' values filled in."""
        try:
            return self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} names something "
                             f"this epoch's logs do not hold ({error}); it may use {{epoch}} "
                             f"and {sorted(logs)}.") from None

    def _save(self, path: str, epoch: int, note: str) -> None:
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {note}saving model to {path}")
        self.model.save(path)
