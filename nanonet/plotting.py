"""Figures for the lessons (matplotlib, imported only when a figure is drawn).

matplotlib is an optional extra: ``pip install -e '.[plot]'``. Without it, ``available()`` is
False and lessons print where the figure would have gone instead of failing.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional, Sequence


def available() -> bool:
    """True if matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def pyplot():
    """matplotlib.pyplot with a file-only backend (works on machines without a screen)."""
    import matplotlib
    if not os.environ.get("DISPLAY") and matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save(figure, path) -> Path:
    """Save `figure` to `path` (creating folders), close it, and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(figure)
    return path


def loss_curves(curves: Dict[str, Sequence[float]], path, title: str = "Training loss",
                xlabel: str = "iteration", ylabel: str = "loss",
                log_y: bool = False) -> Optional[Path]:
    """One line per named curve (e.g. {"loss": […], "val_loss": […]}); saved to `path`."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6, 3.6))
    for name, values in curves.items():
        axes.plot(range(1, len(values) + 1), values, label=name)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if log_y:
        axes.set_yscale("log")
    axes.grid(alpha=0.3)
    axes.legend()
    return save(figure, path)
