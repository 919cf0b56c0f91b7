"""Figures for the lessons (matplotlib, imported only when a figure is drawn).

matplotlib is an optional extra: ``pip install -e '.[plot]'``. Without it, ``available()`` is
False and lessons print where the figure would have gone instead of failing.

In a Jupyter notebook (a lesson opened with jupytext, see the README) figures keep the
notebook's inline backend, and ``save`` also shows each figure in the cell that drew it.
Elsewhere without a screen, figures are drawn with the file-only Agg backend.
"""
from __future__ import annotations

import os
import sys
import warnings
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


def require_matplotlib(where: str, path=None) -> None:
    """Raise a clear error unless matplotlib is importable and `path` is None or a file path
    (what every ``.plot(path)`` of nanonet checks first)."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{where}: path must be None (return the figure) or a file name such "
                        f"as 'errors.png', got {path!r:.60} ({type(path).__name__}).")
    if not available():
        raise ImportError(f"{where} draws with matplotlib, which is not installed; install it "
                          f"with  pip install matplotlib  (or pip install -e '.[plot]' from the "
                          f"nanonet checkout). Everything else works without it.")


def in_notebook() -> bool:
    """True inside a Jupyter kernel whose figures are shown inline."""
    import matplotlib
    return "ipykernel" in sys.modules and "inline" in matplotlib.get_backend().lower()


def pyplot():
    """matplotlib.pyplot with a file-only backend on machines without a screen (the inline
    backend in a notebook)."""
    import matplotlib
    if not os.environ.get("DISPLAY") and not in_notebook() \
            and matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save(figure, path) -> Path:
    """Save `figure` to `path` (creating folders), show it if in a notebook, close it, and
    return the path. A figure with a readability problem (``figure_checks``: a title that
    does not fit, fractional epoch ticks, an unlabelled axis, a legend over the data) is
    still saved, with a ``FigureReadabilityWarning`` that says what is wrong."""
    from .figure_checks import FigureReadabilityWarning, readability_problems
    path = Path(path)
    problems = readability_problems(figure)
    if problems:
        warnings.warn(FigureReadabilityWarning(f"{path.name}: " + "; ".join(problems)),
                      stacklevel=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    if in_notebook():                        # closed figures are not shown: show it first
        from IPython.display import display
        display(figure)
    pyplot().close(figure)
    return path


def integer_ticks(axis, which: str = "x") -> None:
    """Ticks only at whole numbers on the `which` ("x" or "y") axis of `axis`: for epochs,
    steps and other counts (no "2.5 epochs")."""
    from matplotlib.ticker import MaxNLocator
    getattr(axis, f"{which}axis").set_major_locator(MaxNLocator(integer=True,
                                                                steps=[1, 2, 5, 10]))


def legend_outside(axis, **options):
    """The legend of `axis` to its right, outside the plotting area, so it covers no data.
    `options` go to ``axis.legend`` (e.g. ``handles``, ``title``)."""
    return axis.legend(**{"loc": "upper left", "bbox_to_anchor": (1.02, 1.0),
                          "borderaxespad": 0.0, "fontsize": 8, **options})


def legend_below(axis, **options):
    """The legend of `axis` centred under it, below its tick labels and x label, so it
    covers no data (for panels side by side, where a legend to the right would run into
    the next panel). `options` go to ``axis.legend`` (e.g. ``ncol``)."""
    from matplotlib.transforms import offset_copy
    below = offset_copy(axis.transAxes, axis.figure, y=-34, units="points")
    return axis.legend(**{"loc": "upper center", "bbox_to_anchor": (0.5, 0.0),
                          "bbox_transform": below, "fontsize": 8, "ncol": 2, **options})


def wrapped(title: str, width: int = 60) -> str:
    """`title` broken into lines of at most `width` characters, so it fits above its axes
    (about 60 characters for a 6-inch-wide axes at the default title size)."""
    return _wrap(title, width)


def mean_and_band(axis, x, runs, label: str, **style):
    """The mean of `runs` (an (n_runs, len(x)) array: one row per run, e.g. per seed) as a
    line, and a band of ± one standard error of that mean, SE = sd / √n_runs (no band for a
    single run). `style` goes to ``axis.plot`` (e.g. ``color``, ``marker``). Returns
    (mean, standard error), each (len(x),)."""
    runs = np.atleast_2d(np.asarray(runs, dtype=float))
    mean = runs.mean(axis=0)
    error = (runs.std(axis=0, ddof=1) / np.sqrt(len(runs)) if len(runs) > 1
             else np.zeros_like(mean))
    line, = axis.plot(x, mean, label=label, **style)
    if len(runs) > 1:
        axis.fill_between(x, mean - error, mean + error, color=line.get_color(), alpha=0.2,
                          linewidth=0)
    return mean, error


def label_bars(axis, bars, texts: Sequence[str], fontsize: int = 8) -> None:
    """Write `texts` (one per bar) inside the bars of `bars` (what ``axis.bar`` returns),
    halfway up, in white — clear of error bars drawn at their tops."""
    for bar, text in zip(bars, texts):
        axis.text(bar.get_x() + bar.get_width() / 2, bar.get_height() / 2, text,
                  ha="center", va="center", color="white", fontsize=fontsize,
                  fontweight="bold")


def loss_curves(curves: Dict[str, Sequence[float]], path=None, title: str = "Training loss",
                xlabel: str = "iteration", ylabel: str = "loss", log_y: bool = False,
                styles: Optional[Dict[str, dict]] = None):
    """One line per named curve (e.g. {"loss": […], "val_loss": […]}), against 1, 2, … (whole
    numbers on the x axis), the legend beside the axes. `styles` maps a curve's name to
    ``axis.plot`` options (e.g. {"by hand": {"linestyle": "--"}}) — give two curves that
    coincide different styles, so both show. Saved to `path` if given (the path is
    returned), else the figure is returned."""
    plt = pyplot()
    styles = styles or {}
    figure, axes = plt.subplots(figsize=(6, 3.6))
    for name, values in curves.items():
        axes.plot(range(1, len(values) + 1), values, label=name, **styles.get(name, {}))
    axes.set(title=wrapped(title), xlabel=xlabel, ylabel=ylabel)
    if log_y:
        axes.set_yscale("log")
    integer_ticks(axes)
    axes.grid(alpha=0.3)
    legend_outside(axes)
    return save(figure, path) if path is not None else figure


#: inches: one matrix element's side, the largest panel, the margins, the gap between panels,
#: the room for a suptitle, for a panel's title above it and its labels and colour bar below
CELL, MAX_PANEL, MARGIN, GAP = 0.42, (2.6, 3.0), 0.8, 0.9
SUPTITLE, TITLES, BELOW = 0.4, 0.45, 1.0


def error_maps(report, path=None, title: Optional[str] = None, axis_names=None,
               show_ratio: bool = False):
    """For each checked parameter of a gradient-check report, side by side: the formula's
    gradient, the numerical one, the elementwise relative error on a log10 scale (dark =
    agrees to many digits, bright = wrong) and, with `show_ratio`, the ratio formula ÷
    numerical written in every cell (a row of equal ratios is a missing factor per row).
    Each element is a square cell, so a (1, 5) gradient is drawn as a row and a (5, 3) one
    as a column block; row and column indices are on the ticks, and `axis_names` names the
    two axes — ("hidden unit h", "input d"), or a dict from parameter name to such a pair
    (default: "row i", "column j"; "element j" for a vector). A parameter that could not be compared (a wrong shape)
    shows its note instead. Saved to `path` if given, else the figure is returned."""
    plt = pyplot()
    rows = report.rows
    panels = 4 if show_ratio else 3
    sizes = [_panel_size(row) for row in rows]
    width = 2 * MARGIN + panels * max(w for w, _ in sizes) + (panels - 1) * GAP
    height = SUPTITLE + sum(TITLES + h + BELOW for _, h in sizes)
    figure = plt.figure(figsize=(width, height))
    top = height - SUPTITLE
    for row, (w, h) in zip(rows, sizes):
        bottom = top - TITLES - h
        names = axis_names.get(row.name) if isinstance(axis_names, dict) else axis_names
        if names is None:
            names = ("", "element j") if len(row.shape) == 1 else ("row i", "column j")
        boxes = [figure.add_axes([(MARGIN + k * (w + GAP)) / width, bottom / height,
                                  w / width, h / height]) for k in range(panels)]
        _error_map_row(figure, boxes, row, names, show_ratio)
        top = bottom - BELOW
    figure.suptitle(title or report.title, fontsize=11, y=1 - 0.1 / height, va="top")
    return save(figure, path) if path is not None else figure


def _panel_size(row):
    """(width, height) in inches of one panel: square cells, within MAX_PANEL."""
    if row.error_map is None:
        return MAX_PANEL[0], 1.0
    n_rows, n_columns = np.atleast_2d(row.error_map).shape
    cell = min(CELL, MAX_PANEL[0] / n_columns, MAX_PANEL[1] / n_rows)
    return n_columns * cell, n_rows * cell


def _error_map_row(figure, axes, row, names, show_ratio: bool) -> None:
    verdict = "passed" if row.passed else "FAILED"
    if row.error_map is None:
        axes[0].set_title(f"{row.name}: {verdict}", fontsize=9, loc="left")
        axes[0].text(0, 0.85, _wrap(row.note, 100), va="top", fontsize=8,
                     transform=axes[0].transAxes)
        for axis in axes:
            axis.axis("off")
        return
    limit = max(np.abs(row.numeric).max(), np.abs(row.analytic).max(), 1e-300)
    panels = [(row.analytic, f"{row.name}: the formula", "RdBu_r", -limit, limit),
              (row.numeric, f"{row.name}: numerical", "RdBu_r", -limit, limit),
              (np.log10(np.maximum(row.error_map, 1e-16)), f"log10 rel. error\n({verdict})",
               "magma", -16, 0)]
    if show_ratio:
        panels.append((_ratio(row.analytic, row.numeric), "formula ÷ numerical",
                       "Greys", None, None))
    for axis, (values, label, cmap, low, high) in zip(axes, panels):
        values = np.atleast_2d(values)
        shown = np.where(np.isfinite(values), values, np.nan)
        image = axis.imshow(shown, cmap=cmap, vmin=low, vmax=high, aspect="equal",
                            interpolation="nearest")
        axis.set_title(label, fontsize=9)
        _index_ticks(axis, values.shape, names)
        if cmap == "Greys":
            image.set_alpha(0.0)                    # the numbers are the content
            _write_cells(axis, values)
        else:
            _colorbar_below(figure, axis, image)


def _ratio(analytic, numeric) -> np.ndarray:
    """analytic ÷ numeric elementwise; nan where the numerical gradient is 0."""
    analytic, numeric = np.atleast_2d(analytic), np.atleast_2d(numeric)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(numeric != 0, analytic / np.where(numeric != 0, numeric, 1), np.nan)


def _index_ticks(axis, shape, names) -> None:
    """Tick every index (every other one past 12) and name the two axes."""
    n_rows, n_columns = shape
    axis.set_xticks(range(0, n_columns, 1 if n_columns <= 12 else 2))
    axis.set_yticks(range(0, n_rows, 1 if n_rows <= 12 else 2))
    axis.tick_params(labelsize=7, length=2)
    axis.set_ylabel(names[0] if n_rows > 1 else "", fontsize=8)
    axis.set_xlabel(names[1], fontsize=8)
    if n_rows == 1:
        axis.set_yticks([])


def _write_cells(axis, values) -> None:
    """Each cell's number, in the cell (3 significant digits; '—' where undefined)."""
    for (i, j), value in np.ndenumerate(values):
        axis.text(j, i, f"{value:.3g}" if np.isfinite(value) else "—", ha="center",
                  va="center", fontsize=6.5)


def _colorbar_below(figure, axis, image) -> None:
    """A horizontal colour bar as wide as `axis`, under its tick labels and axis name."""
    from matplotlib.ticker import MaxNLocator
    box = axis.get_position()
    inches = figure.get_size_inches()
    below = figure.add_axes([box.x0, box.y0 - 0.62 / inches[1], box.width, 0.1 / inches[1]])
    bar = figure.colorbar(image, cax=below, orientation="horizontal")
    bar.ax.tick_params(labelsize=7)
    bar.locator = MaxNLocator(3)
    bar.update_ticks()


def epsilon_sweep_figure(sweep, path=None):
    """Numerical-gradient error against ε, log-log, one line per dtype, best ε marked."""
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.8))
    for dtype, errors in sweep.errors.items():
        line, = axis.loglog(sweep.eps, np.maximum(errors, 1e-17), marker="o", markersize=3,
                            label=dtype)
        eps, error = sweep.best()[dtype]
        axis.plot([eps], [max(error, 1e-17)], marker="*", markersize=11, linestyle="none",
                  color=line.get_color(), label=f"best for {dtype}: ε = {eps:.0e}")
    axis.set(xlabel="step ε", ylabel="max relative error",
             title="Central differences: truncation (right) vs round-off (left)")
    axis.grid(alpha=0.3, which="both")
    legend_outside(axis)
    return save(figure, path) if path is not None else figure


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))
