"""Hints that quote numbers show the difference they are about.

Before: a bce_from_logits whose gradient was off by a relative 3e-6 was told "at (3, 0) it
gives 0.163669, the truth is 0.163669 — a term that should vanish there?": two equal-looking
numbers, and a lead to the wrong kind of bug.
"""
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nanonet import losses
from nanonet.gradcheck.diagnosis import diagnose, distinct_digits
from nanonet.teaching.exercises import probes

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(a=finite, b=finite)
def test_distinct_numbers_are_printed_distinctly(a, b):
    shown_a, shown_b = distinct_digits(a, b)
    assert (shown_a == shown_b) == (a == b)
    assert float(shown_a) == pytest.approx(a, rel=1e-5, abs=0)     # at least 6 digits
    if a == b:
        assert shown_a == f"{a:.6g}"                  # no more digits than needed


@pytest.mark.teacher_only          # the solution of E03, scaled
def test_e03_hint_for_a_gradient_off_by_a_tiny_factor_shows_both_numbers(monkeypatch):
    def slightly_off(y, z):
        loss, dz = losses.bce_from_logits(y, z)
        return loss, dz * (1 + 3e-6)
    monkeypatch.setattr(probes, "bce_from_logits", slightly_off)
    result = probes.run("E03")
    row = next(r for r in result.failed_rows if r.name == "bce_from_logits → dJ/dz (Keras)")
    found = re.search(r"it gives (\S+), the truth is (\S+)$", row.hint)
    assert found, row.hint
    got, truth = float(found[1]), float(found[2])
    assert got != truth and got == pytest.approx(truth * (1 + 3e-6), rel=1e-7)
    assert "close, but off by the same small relative amount" in row.hint
    assert "expected value" in row.hint and "gradient" not in row.hint      # a value, here


def test_a_wrong_value_where_the_truth_is_zero_keeps_its_own_hint():
    hint = diagnose(np.array([1.0, 2.0, 0.25]), np.array([1.0, 2.0, 0.0]))
    assert "not where it is (nearly) zero: at (2,) it gives 0.25, the truth is 0" in hint
