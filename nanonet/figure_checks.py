"""Is a figure readable? The checks every lesson figure passes (matplotlib only).

``readability_problems(figure)`` lays the figure out (without painting pixels) and returns one
sentence per problem a learner would trip over:

- a title (of an axes, or the figure's suptitle) wider than the figure, or running into
  another axes or its title;
- an axis that counts epochs, steps or iterations with ticks between the integers (2.5 epochs);
- an axis with numbers on its ticks but no label saying what they are (an axis is labelled
  if it, or an axes sharing it, has a label; category names on the ticks need no label);
- a legend over the data: its box crosses a plotted line, a bar, a band, an image or a point,
  or (outside the axes) another axes.

Reference lines drawn across the whole axes (``axhline``/``axvline``) and text are not data.
``plotting.save`` warns (``FigureReadabilityWarning``) when a figure has a problem, so the
lesson tests, which turn warnings into errors, fail on an unreadable figure.
"""
from __future__ import annotations

import re
from typing import List

import numpy as np

#: an axis label that counts whole things: ticks must be integers ("step ε" is not a count)
COUNTING_LABEL = re.compile(r"\bepochs?\b|\biterations?\b|\bsteps?\b(?!\s*ε)", re.IGNORECASE)
#: a tick label that is a number (after removing mathtext markup): 0.5, −3, 1e-05, 10−12, 25%
NUMBER = re.compile(r"[−+-]?[\d.,]+(?:[eE×]?[−+-]?[\d.,]+)?%?")
#: points above an axes where its title goes: another panel's title must stay out of it
TITLE_ZONE = 24


class FigureReadabilityWarning(UserWarning):
    """A saved figure has a title, tick, label or legend problem (see ``figure_checks``)."""


def readability_problems(figure) -> List[str]:
    """The readability problems of a matplotlib `figure`, one sentence each ([] if none)."""
    _lay_out(figure)
    renderer = figure.canvas.get_renderer()
    problems: List[str] = []
    plots = [axes for axes in figure.axes if not _is_colorbar(axes) and axes.get_visible()]
    for axes in plots:
        name = _name(axes, plots)
        problems += _title_problems(axes, name, plots, figure, renderer)
        if axes.axison:
            problems += _tick_problems(axes, name)
            problems += _label_problems(axes, name)
        problems += _legend_problems(axes, name, plots, renderer)
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None and suptitle.get_text() and not _inside_width(
            suptitle.get_window_extent(renderer), figure.bbox):
        problems.append(f"the figure's title {suptitle.get_text()!r} is wider than the figure")
    return problems


def _lay_out(figure) -> None:
    """Run the layout and position every text, without painting pixels when possible."""
    draw = getattr(figure, "draw_without_rendering", None)
    if draw is not None:
        draw()
    else:                                        # matplotlib < 3.6
        figure.canvas.draw()


def _is_colorbar(axes) -> bool:
    return axes.get_label() == "<colorbar>" or hasattr(axes, "_colorbar")


def _titles(axes):
    return [t for t in (axes.title, axes._left_title, axes._right_title)
            if t.get_text() and t.get_visible()]


def _name(axes, plots) -> str:
    """'axes 2 of 3 ('its title')', to say which panel a problem is in."""
    where = f"axes {plots.index(axes) + 1} of {len(plots)}" if len(plots) > 1 else "the axes"
    titles = _titles(axes)
    return f"{where} ({titles[0].get_text()!r})" if titles else where


def _title_problems(axes, name, plots, figure, renderer) -> List[str]:
    from matplotlib.transforms import Bbox
    problems = []
    for title in _titles(axes):
        box = title.get_window_extent(renderer)
        if not _inside_width(box, figure.bbox):
            problems.append(f"{name}: its title is wider than the figure")
        for other in plots:
            if other is axes:
                continue
            frame = other.get_window_extent(renderer)
            title_zone = Bbox.from_extents(frame.x0, frame.y0, frame.x1,
                                           frame.y1 + TITLE_ZONE * figure.dpi / 72)
            others = [title_zone] + [t.get_window_extent(renderer) for t in _titles(other)]
            if any(_overlap(box, o) for o in others):
                problems.append(f"{name}: its title runs into {_name(other, plots)}")
                break
    return problems


def _inside_width(box, figure_box, slack: float = 1.0) -> bool:
    return box.x0 >= figure_box.x0 - slack and box.x1 <= figure_box.x1 + slack


def _overlap(a, b, slack: float = 1.0) -> bool:
    return (a.x0 < b.x1 - slack and b.x0 < a.x1 - slack
            and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack)


def _tick_problems(axes, name) -> List[str]:
    problems = []
    for which, axis, limits in (("x", axes.xaxis, axes.get_xlim()),
                                ("y", axes.yaxis, axes.get_ylim())):
        label = axis.get_label().get_text()
        if not COUNTING_LABEL.search(label) or not _has_tick_labels(axis):
            continue
        low, high = sorted(limits)
        ticks = np.asarray(axis.get_majorticklocs(), dtype=float)
        shown = ticks[(ticks >= low) & (ticks <= high)]
        if np.any(np.abs(shown - np.round(shown)) > 1e-9):
            problems.append(f"{name}: the {which} axis counts {label!r} but has ticks between "
                            f"whole numbers ({', '.join(f'{t:g}' for t in shown[:6])})")
    return problems


def _has_tick_labels(axis) -> bool:
    return axis.get_visible() and any(t.get_visible() and t.get_text()
                                      for t in axis.get_ticklabels())


def _numeric_ticks(axis) -> bool:
    """True if the tick labels are numbers (years, 10⁻³, 25%), not category names."""
    texts = [re.sub(r"\\mathdefault|[${}\\^\s]", "", t.get_text())
             for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
    return bool(texts) and all(NUMBER.fullmatch(text) for text in texts)


def _label_problems(axes, name) -> List[str]:
    if not (axes.lines or axes.collections or axes.patches or axes.images):
        return []
    problems = []
    for which, axis, siblings in (("x", axes.xaxis, axes.get_shared_x_axes()),
                                  ("y", axes.yaxis, axes.get_shared_y_axes())):
        if not _has_tick_labels(axis) or not _numeric_ticks(axis):
            continue
        sharing = siblings.get_siblings(axes)
        labelled = any(getattr(other, f"get_{which}label")() for other in sharing)
        if not labelled:
            problems.append(f"{name}: the {which} axis has numbers but no label")
    return problems


def _legend_problems(axes, name, plots, renderer) -> List[str]:
    legend = axes.get_legend()
    if legend is None or not legend.get_visible():
        return []
    box = legend.get_window_extent(renderer)
    problems = []
    if _overlap(box, axes.get_window_extent(renderer)):
        covered = _covered_data(axes, box)
        if covered:
            problems.append(f"{name}: the legend covers {covered}")
    for other in plots:
        if other is not axes and _overlap(box, other.get_window_extent(renderer)):
            problems.append(f"{name}: the legend runs into {_name(other, plots)}")
        labels = [other.xaxis.label, other.yaxis.label] + [
            tick for tick in other.get_xticklabels() + other.get_yticklabels() if tick.get_text()]
        if any(label.get_visible() and label.get_text() and _overlap(
                box, label.get_window_extent(renderer)) for label in labels):
            problems.append(f"{name}: the legend covers the tick labels or axis label of "
                            f"{_name(other, plots)}")
    return problems


def _covered_data(axes, box) -> str:
    """What data the legend's `box` (display coordinates) lies on, or '' if none."""
    inner = box.shrunk(0.98, 0.98)
    data = axes.transData
    for line in axes.lines:
        if line.get_visible() and line.get_transform().contains_branch(data) and len(
                line.get_xydata()):
            path = line.get_transform().transform_path(line.get_path())
            drawn = line.get_linestyle() not in ("None", "none", "", " ")
            if path.intersects_bbox(inner, filled=False) if drawn else _any_inside(
                    path.vertices, inner):
                return f"the line {line.get_label()!r}"
    for patch in axes.patches:
        if patch.get_visible() and patch.get_transform().contains_branch(data):
            if patch.get_transform().transform_path(patch.get_path()).intersects_bbox(inner):
                return f"a bar or patch ({patch.get_label()!r})"
    for collection in axes.collections:
        if collection.get_visible() and _collection_covered(collection, inner, data):
            return f"the {type(collection).__name__} {collection.get_label()!r}"
    if axes.images:
        return "an image"
    return ""


def _collection_covered(collection, inner, data) -> bool:
    """Paths drawn in data coordinates (bands, error bars, vlines) crossing `inner`, or
    markers (a scatter plot: paths in points, placed at data offsets) inside it."""
    transform = collection.get_transform()
    if transform.contains_branch(data):
        return any(transform.transform_path(path).intersects_bbox(inner, filled=True)
                   for path in collection.get_paths())
    offsets = collection.get_offsets()
    return bool(len(offsets)) and collection.get_offset_transform().contains_branch(data) \
        and _any_inside(collection.get_offset_transform().transform(offsets), inner)


def _any_inside(points, box) -> bool:
    """True if any of the (n, 2) display-coordinate `points` lies inside `box`."""
    x, y = np.asarray(points, dtype=float).reshape(-1, 2).T
    return bool(np.any((x > box.x0) & (x < box.x1) & (y > box.y0) & (y < box.y1)))
