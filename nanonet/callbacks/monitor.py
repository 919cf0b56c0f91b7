"""Reading a monitored value from an epoch's logs, and which direction is better — shared by
EarlyStopping and ModelCheckpoint (whose "auto" rules differ, as they do in Keras)."""
from __future__ import annotations

from typing import Callable, Dict, Optional

import numpy as np


def better_operator(mode: str, auto_is_max: bool, where: str) -> Callable:
    """np.greater for mode "max", np.less for "min"; "auto" picks max when `auto_is_max`.
    NaN compared either way is False: a NaN value never counts as an improvement."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{where}: mode must be 'auto', 'min' or 'max', got {mode!r}.")
    if mode == "max" or (mode == "auto" and auto_is_max):
        return np.greater
    return np.less


def monitored_value(logs: Optional[Dict], monitor: str, where: str) -> float:
    """logs[monitor], or a ValueError naming what the logs hold (Keras only warns, and then
    never stops or saves — a typo such as "val_los" would go unnoticed)."""
    logs = logs or {}
    if monitor not in logs:
        hint = " (val_… values need validation_data or validation_split in fit)" \
            if monitor.startswith("val_") else ""
        raise ValueError(f"{where}: monitor={monitor!r} is not among this epoch's logs "
                         f"{sorted(logs)}{hint}.")
    return float(logs[monitor])
