"""What every gradient check shares: the step ε, the tolerance, and the round-off noise floor.

An element passes when its relative error is ≤ tol, or when |analytic − numeric| is below the
round-off noise of the numerical derivative itself, ≈ 32 δ (1 + Σ|terms of f|) / ε with
δ = 2.2e-16 (``noise_floor``) — so a gradient that is truly 0 or tiny is not failed for noise.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..validation import check_float, check_int

DEFAULT_EPS = 1e-6
DEFAULT_TOL = 1e-6
REL_FLOOR = 1e-8
NOISE_FACTOR = 32 * np.finfo(np.float64).eps


def noise_floor(scale: float, eps: float) -> float:
    """The round-off noise of a central difference of a function of size `scale`."""
    return float(NOISE_FACTOR * (1.0 + scale) / eps)



def check_settings(eps, tol, seed, where: str) -> Tuple[float, float, int]:
    """eps > 0, tol >= 0 (finite numbers) and seed an int >= 0."""
    return (check_float(eps, "eps", where, low=0.0, low_inclusive=False),
            check_float(tol, "tol", where, low=0.0),
            check_int(seed, "seed", where, minimum=0))

