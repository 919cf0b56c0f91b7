"""The paired comparison the lessons use for two classifiers scored on the same test items.

    d_i = [first right on item i] − [second right on item i]        (−1, 0 or 1)
    difference = mean(d),  paired standard error = std(d) / √n

McNemar's exact test looks only at the items exactly one of the two gets right (b of them
the first, c the second): under "equally accurate" each such item is the first's with
probability ½, so the two-sided p-value is P(Binomial(b + c, ½) lands at least as far from
(b + c)/2 as min(b, c)) = min(1, 2 Σ_{k ≤ min(b, c)} C(b + c, k) / 2^{b + c}).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..validation import plain_array


class PairedTest(NamedTuple):
    """Two models compared on the same items (see `paired_test`)."""

    difference: float       # accuracy of the first − accuracy of the second
    standard_error: float   # the paired standard error of `difference`, std(d) / √n
    first_only: int         # items only the first model gets right
    second_only: int        # items only the second model gets right
    p_value: float          # McNemar's exact two-sided p-value


def paired_test(first_correct: np.ndarray, second_correct: np.ndarray) -> PairedTest:
    """The paired difference of two models' accuracies on the same n items (boolean arrays
    (n,) of "got item i right"), and McNemar's exact test (module docstring)."""
    first_correct = plain_array(first_correct, "first_correct", "paired_test").astype(bool)
    second_correct = plain_array(second_correct, "second_correct", "paired_test").astype(bool)
    difference = first_correct.astype(float) - second_correct.astype(float)
    first_only = int(np.sum(first_correct & ~second_correct))
    second_only = int(np.sum(second_correct & ~first_correct))
    discordant = first_only + second_only
    tail = sum(math.comb(discordant, k) for k in range(min(first_only, second_only) + 1))
    return PairedTest(float(difference.mean()),
                      float(difference.std(ddof=1) / np.sqrt(len(difference))),
                      first_only, second_only, min(1.0, 2 * tail / 2 ** discordant))
