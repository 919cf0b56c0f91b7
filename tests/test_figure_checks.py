"""The figure checks every lesson figure passes (nanonet.figure_checks), and the plotting
helpers that make figures pass them (nanonet.plotting). Each check is shown to fire on a
figure with the problem and to stay quiet on the same figure with the problem fixed."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from extras import lazy, needs

pytestmark = needs("matplotlib")

from nanonet import gradcheck, plotting  # noqa: E402
from nanonet.figure_checks import FigureReadabilityWarning, readability_problems  # noqa: E402

plt = lazy(plotting.pyplot)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def curve_figure(epochs=7):
    figure, axis = plt.subplots(figsize=(5, 3.5))
    x = np.arange(1, epochs + 1)
    axis.plot(x, np.linspace(0.1, 0.9, epochs), label="rising")
    axis.plot(x, np.linspace(0.9, 0.1, epochs), label="falling")
    axis.set(xlabel="epoch", ylabel="loss")
    return figure, axis


def test_a_legend_on_the_lines_is_found_and_one_beside_the_axes_is_not():
    figure, axis = curve_figure()
    axis.legend(loc="center")                               # where the two lines cross
    plotting.integer_ticks(axis)
    problems = readability_problems(figure)
    assert len(problems) == 1 and "legend covers the line" in problems[0]
    axis.get_legend().remove()
    plotting.legend_outside(axis)
    assert readability_problems(figure) == []


@pytest.mark.parametrize("draw", ["bars", "points", "band", "image"])
def test_a_legend_on_bars_points_bands_or_images_is_found(draw):
    figure, axis = plt.subplots(figsize=(5, 3.5))
    x = np.arange(1, 6)
    if draw == "bars":
        axis.bar(x, np.full(5, 10.0), label="bars")
    elif draw == "points":
        grid = np.stack(np.meshgrid(np.linspace(1, 5, 15), np.linspace(0, 10, 15)), -1)
        axis.scatter(*grid.reshape(-1, 2).T, s=4, label="points")
    elif draw == "band":
        axis.fill_between(x, 0, 10, label="band")
    else:
        axis.imshow(np.ones((5, 5)), extent=(0.5, 5.5, 0, 10), aspect="auto")
        axis.plot([], [], label="nothing")
    axis.set(xlabel="x", ylabel="y", ylim=(0, 12))
    axis.legend(loc="lower left")
    assert any("legend covers" in p for p in readability_problems(figure))


def test_reference_lines_across_the_axes_are_not_data():
    figure, axis = curve_figure()
    axis.set_ylim(0, 1.5)
    axis.axhline(1.2, color="grey", label="chance")       # passes under the legend
    axis.legend(loc="upper center")
    plotting.integer_ticks(axis)
    assert readability_problems(figure) == []


def test_fractional_epoch_ticks_are_found_and_integer_ticks_fix_them():
    figure, axis = curve_figure(epochs=4)                   # matplotlib ticks 1.0, 1.5, …
    plotting.legend_outside(axis)
    problems = readability_problems(figure)
    assert len(problems) == 1 and "ticks between whole numbers" in problems[0]
    plotting.integer_ticks(axis)
    assert readability_problems(figure) == []


def test_a_step_size_epsilon_is_not_a_count():
    figure, axis = plt.subplots()
    axis.loglog([1e-8, 1e-6, 1e-4], [1e-2, 1e-9, 1e-6])
    axis.set(xlabel="step ε", ylabel="error")
    assert readability_problems(figure) == []


def test_a_numeric_axis_needs_a_label_but_category_names_do_not():
    figure, axis = plt.subplots()
    axis.bar(["always up", "MLP"], [0.52, 0.48])
    problems = readability_problems(figure)
    assert problems == ["the axes: the y axis has numbers but no label"]
    axis.set_ylabel("accuracy")
    assert readability_problems(figure) == []


def test_a_label_on_one_of_the_axes_sharing_an_axis_is_enough():
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True)
    for axis in (top, bottom):
        axis.plot([0, 1], [0, 1])
        axis.set_ylabel("value")
    assert readability_problems(figure) == ["axes 2 of 2: the x axis has numbers but no label"]
    bottom.set_xlabel("time")
    assert readability_problems(figure) == []


def test_a_title_wider_than_the_figure_is_found_and_wrapping_fixes_it():
    figure, axis = curve_figure()
    plotting.integer_ticks(axis)
    plotting.legend_outside(axis)
    words = "a title that goes on and on about what the figure shows " * 3
    axis.set_title(words)
    assert any("title is wider than the figure" in p for p in readability_problems(figure))
    axis.set_title(plotting.wrapped(words, 50))
    assert readability_problems(figure) == []


def test_a_title_running_into_the_next_panel_is_found():
    figure, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    for axis in (left, right):
        axis.plot([0, 1], [0, 1])
        axis.set(xlabel="x", ylabel="y")
    left.set_title("a long title for a narrow panel, much longer than the panel is wide")
    problems = readability_problems(figure)
    assert any("title runs into axes 2 of 2" in p for p in problems)
    left.set_title("short")
    figure.tight_layout()
    assert readability_problems(figure) == []


def test_a_legend_beside_one_panel_runs_into_the_next_and_one_below_does_not():
    figure, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    for axis in (left, right):
        axis.plot([1, 2, 3], [0, 1, 0], label="a long label for a curve")
        axis.set(xlabel="epoch", ylabel="y")
        plotting.integer_ticks(axis)
    plotting.legend_outside(left)
    assert any("legend runs into axes 2 of 2" in p for p in readability_problems(figure))
    left.get_legend().remove()
    plotting.legend_below(left)
    figure.tight_layout()
    assert readability_problems(figure) == []


def test_save_warns_about_an_unreadable_figure_and_still_writes_it(tmp_path):
    figure, axis = curve_figure()
    axis.legend(loc="center")
    plotting.integer_ticks(axis)
    with pytest.warns(FigureReadabilityWarning, match="bad.png: the axes: the legend covers"):
        path = plotting.save(figure, tmp_path / "bad.png")
    assert path.stat().st_size > 1000
    figure, axis = curve_figure()
    plotting.integer_ticks(axis)
    plotting.legend_outside(axis)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plotting.save(figure, tmp_path / "good.png")


def test_loss_curves_draws_coinciding_curves_in_their_own_styles():
    same = [0.9, 0.5, 0.3]
    figure = plotting.loss_curves({"by hand": same, "fit": same}, xlabel="epoch",
                                  styles={"by hand": {"linewidth": 5},
                                          "fit": {"linestyle": "--"}})
    by_hand, fit = figure.axes[0].lines
    assert by_hand.get_linewidth() == 5 and fit.get_linestyle() == "--"
    assert list(fit.get_xdata()) == [1, 2, 3] and list(fit.get_ydata()) == same
    assert readability_problems(figure) == []


def test_mean_and_band_is_the_mean_and_its_standard_error_over_runs():
    runs = np.random.default_rng(0).normal(size=(5, 4))
    figure, axis = plt.subplots()
    mean, error = plotting.mean_and_band(axis, np.arange(1, 5), runs, "runs")
    assert np.allclose(mean, runs.sum(axis=0) / 5)
    deviations = runs - mean
    assert np.allclose(error, np.sqrt((deviations ** 2).sum(axis=0) / 4 / 5))
    (band,) = axis.collections
    low, high = band.get_paths()[0].vertices[:, 1].min(), band.get_paths()[0].vertices[:, 1].max()
    assert np.isclose(low, (mean - error).min()) and np.isclose(high, (mean + error).max())
    _, single = plotting.mean_and_band(axis, np.arange(1, 5), runs[:1], "one run")
    assert np.all(single == 0) and len(axis.collections) == 1      # no band for one run


def printed_w1_report():
    """A gradient check of a (1, 5) and a (5, 3) parameter whose 'formula' is off by a
    factor per row (the article's printed ∂J/∂W1 in miniature)."""
    rng = np.random.default_rng(1)
    W, v = rng.normal(size=(5, 3)), rng.normal(size=(1, 5))
    factor = rng.uniform(0.5, 2, size=(5, 1))

    def f(W, v):
        return float(np.sum(np.tanh(W) ** 2) + np.sum(v ** 3))

    def wrong(W, v):
        return factor * 2 * np.tanh(W) * (1 - np.tanh(W) ** 2), 3 * v ** 2

    return gradcheck.check_formula(f, wrong, W, v, names=["W", "v"]), factor


def test_error_maps_keep_matrices_in_shape_and_name_their_axes():
    report, _ = printed_w1_report()
    figure = plotting.error_maps(report, axis_names={"W": ("hidden unit h", "input d"),
                                                     "v": ("", "hidden unit h")})
    panels = [axis for axis in figure.axes if axis.get_label() != "<colorbar>"
              and axis.images]
    W_panel, v_panel = panels[0], panels[3]
    (W_box, v_box) = (axis.get_window_extent() for axis in (W_panel, v_panel))
    assert W_box.height / W_box.width == pytest.approx(5 / 3, rel=0.02)     # square cells
    assert v_box.width / v_box.height == pytest.approx(5, rel=0.02)          # a row
    assert (W_panel.get_ylabel(), W_panel.get_xlabel()) == ("hidden unit h", "input d")
    assert v_panel.get_xlabel() == "hidden unit h"
    assert [t.get_text() for t in W_panel.get_yticklabels()] == ["0", "1", "2", "3", "4"]
    assert readability_problems(figure) == []


def test_the_ratio_panel_writes_formula_over_numerical_in_every_cell():
    report, factor = printed_w1_report()
    figure = plotting.error_maps(report, show_ratio=True)
    ratio_panel = [axis for axis in figure.axes if axis.get_title() == "formula ÷ numerical"][0]
    written = np.array([float(t.get_text()) for t in ratio_panel.texts]).reshape(5, 3)
    assert np.allclose(written, np.repeat(factor, 3, axis=1), rtol=5e-3)   # 3 digits
    assert readability_problems(figure) == []
