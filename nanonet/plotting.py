"""Figures for the lessons (matplotlib, imported only when a figure is drawn).

matplotlib is an optional extra: ``pip install -e '.[plot]'``. Without it, ``available()`` is
False and lessons print where the figure would have gone instead of failing.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np


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


def loss_curves(curves: Dict[str, Sequence[float]], path=None, title: str = "Training loss",
                xlabel: str = "iteration", ylabel: str = "loss", log_y: bool = False):
    """One line per named curve (e.g. {"loss": […], "val_loss": […]}); saved to `path` if
    given (the path is returned), else the figure is returned."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6, 3.6))
    for name, values in curves.items():
        axes.plot(range(1, len(values) + 1), values, label=name)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if log_y:
        axes.set_yscale("log")
    axes.grid(alpha=0.3)
    axes.legend()
    return save(figure, path) if path is not None else figure


def error_maps(report, path=None, title: Optional[str] = None):
    """For each checked parameter of a gradient-check report, side by side: the formula's
    gradient, the numerical one, and the elementwise relative error on a log10 scale (dark =
    agrees to many digits, bright = wrong). A parameter that could not be compared (a wrong
    shape) shows its note instead. Saved to `path` if given, else the figure is returned."""
    plt = pyplot()
    rows = report.rows
    figure, axes = plt.subplots(len(rows), 3, figsize=(9.5, 2.6 * len(rows) + 0.4),
                                squeeze=False)
    for axis_row, row in zip(axes, rows):
        _error_map_row(figure, axis_row, row)
    figure.suptitle(title or report.title, fontsize=11)
    figure.tight_layout()
    return save(figure, path) if path is not None else figure


def _error_map_row(figure, axes, row) -> None:
    for axis in axes:
        axis.set_xticks([])
        axis.set_yticks([])
    verdict = "passed" if row.passed else "FAILED"
    if row.error_map is None:
        axes[0].set_title(f"{row.name}: {verdict}", fontsize=9)
        axes[1].text(0.5, 0.5, _wrap(row.note, 40), ha="center", va="center", fontsize=8,
                     transform=axes[1].transAxes)
        for axis in axes:
            axis.axis("off")
        return
    limit = max(np.abs(row.numeric).max(), np.abs(row.analytic).max(), 1e-300)
    panels = ((row.analytic, f"{row.name}: the formula", "RdBu_r", -limit, limit),
              (row.numeric, f"{row.name}: numerical", "RdBu_r", -limit, limit),
              (np.log10(np.maximum(row.error_map, 1e-16)), f"log10 rel. error ({verdict})",
               "magma", -16, 0))
    for axis, (values, label, cmap, low, high) in zip(axes, panels):
        image = axis.imshow(np.atleast_2d(values), cmap=cmap, vmin=low, vmax=high,
                            aspect="auto")
        axis.set_title(label, fontsize=9)
        figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)


def epsilon_sweep_figure(sweep, path=None):
    """Numerical-gradient error against ε, log-log, one line per dtype, best ε marked."""
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.8))
    for dtype, errors in sweep.errors.items():
        axis.loglog(sweep.eps, np.maximum(errors, 1e-17), marker="o", markersize=3, label=dtype)
        eps, error = sweep.best()[dtype]
        axis.annotate(f"best ε={eps:.0e}", (eps, max(error, 1e-17)), textcoords="offset points",
                      xytext=(0, -14), ha="center", fontsize=8)
    axis.set(xlabel="step ε", ylabel="max relative error",
             title="Central differences: truncation (right) vs round-off (left)")
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    return save(figure, path) if path is not None else figure


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))
