"""Gradient checking: compare any analytic gradient with central differences, in float64.

The numerical gradient of a scalar function f at x, one element at a time::

    ∂f/∂x_i ≈ ( f(x + ε e_i) − f(x − ε e_i) ) / 2ε            (error O(ε²) + round-off O(δ/ε))

A layer or formula whose output is an array is reduced to a scalar with a **random upstream
gradient** G of the output's shape, f = Σ (output ⊙ G), and the analytic side is the
backward pass fed with G. (Checking Σ output alone — G = 1 — would hide a backward that forgets
to multiply by its upstream gradient.)

Each compared array gets a row: the largest relative error

    rel_i = |a_i − n_i| / max(1e-8, |a_i| + |n_i|)

where it occurs, and whether the check passed. An element passes when rel_i ≤ tol, or when
|a_i − n_i| is below the round-off noise of the numerical derivative itself
(≈ 32 δ (1 + Σ|terms of f|) / ε with δ = 2.2e-16) — so a gradient that is truly 0 or tiny is not
failed for noise, while a sign error or a missing factor on any real gradient always fails.

One concept per file, each importing only the ones below it::

    settings.py           ε, tol, the noise floor
    numerical.py          numerical_gradient (central differences)
    diagnosis.py          hints in words: a factor, a transpose, a wrong shape
    reports.py            GradCheckRow, GradCheckReport
    comparison.py         relative_error(_map), compare → a row
    formulas.py           check_formula
    layers_and_models.py  check_layer, check_model
    sweep.py              epsilon_sweep: why float64 and ε ≈ 1e-6
    selfcheck.py          every built-in gradient (python -m nanonet gradcheck); not imported here
"""
from .comparison import compare, relative_error, relative_error_map
from .formulas import check_formula
from .layers_and_models import check_layer, check_model
from .numerical import numerical_gradient
from .reports import GradCheckReport, GradCheckRow
from .settings import DEFAULT_EPS, DEFAULT_TOL, REL_FLOOR
from .sweep import EpsilonSweep, epsilon_sweep

__all__ = ["numerical_gradient", "relative_error", "relative_error_map", "compare",
           "check_formula", "check_layer", "check_model", "epsilon_sweep", "EpsilonSweep",
           "GradCheckReport", "GradCheckRow", "DEFAULT_EPS", "DEFAULT_TOL", "REL_FLOOR"]
