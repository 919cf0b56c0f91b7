"""Stable elementwise math: right values, right dtype, no warnings for any finite input.

pytest runs with warnings as errors (setup.cfg), so any NumPy overflow/invalid RuntimeWarning
inside these functions fails the test.
"""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nanonet import ops

EXTREMES = [0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0, 20.0, -20.0, 88.0, -88.0, 710.0, -710.0,
            1e4, -1e4, 1e30, -1e30]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softplus", "log_sigmoid"])
def test_no_warnings_and_finite_for_extreme_inputs(dtype, name):
    limit = float(np.finfo(dtype).max)
    finite = np.array([v for v in EXTREMES if abs(v) <= limit], dtype=dtype)
    finite = np.concatenate([finite, [np.finfo(dtype).max, -np.finfo(dtype).max]]).astype(dtype)
    out = getattr(ops, name)(finite)
    assert out.dtype == dtype
    if name in ("sigmoid", "tanh", "relu"):
        assert np.all(np.isfinite(out))


def _sigmoid_reference(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


@given(x=st.floats(-700, 700))
def test_sigmoid_is_exact_in_float64_including_the_tails(x):
    assert ops.sigmoid(np.array([x]))[0] == pytest.approx(_sigmoid_reference(x), rel=1e-15, abs=0)


def test_sigmoid_limits_and_symmetry():
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    s = ops.sigmoid(x)
    np.testing.assert_array_equal(s[[0, -1]], [0.0, 1.0])
    assert s[2] == 0.5
    assert s[1] == pytest.approx(math.exp(-50), rel=1e-14)  # not rounded to 0
    np.testing.assert_allclose(ops.sigmoid(-x), 1 - s, atol=1e-16)


@given(x=arrays(np.float64, st.integers(1, 8), elements=st.floats(-30, 30)))
def test_derivatives_match_their_definitions(x):
    s = ops.sigmoid(x)
    np.testing.assert_allclose(ops.sigmoid_grad_from_output(s), s * (1 - s))
    t = ops.tanh(x)
    np.testing.assert_allclose(ops.tanh_grad_from_output(t), 1 - np.tanh(x) ** 2, atol=1e-15)
    np.testing.assert_array_equal(ops.relu_grad(x), (x > 0).astype(np.float64))
    np.testing.assert_array_equal(ops.relu_grad(ops.relu(x)), (x > 0).astype(np.float64))


def test_relu_derivative_is_zero_at_the_kink():
    assert ops.relu_grad(np.array([0.0]))[0] == 0.0


@given(x=st.floats(-1e4, 1e4))
def test_softplus_and_log_sigmoid(x):
    expected = max(x, 0) + math.log1p(math.exp(-abs(x)))
    assert ops.softplus(np.array([x]))[0] == pytest.approx(expected, rel=1e-14)
    assert ops.log_sigmoid(np.array([x]))[0] == pytest.approx(-ops.softplus(np.array([-x]))[0])


def test_log_sigmoid_is_finite_where_naive_log_is_not():
    x = np.array([-800.0, 800.0])
    np.testing.assert_allclose(ops.log_sigmoid(x), [-800.0, 0.0])
