"""Optimizer mechanics beyond the Keras trajectories (test_keras_parity.py): block-wise updates,
refusing an overflowing step, state, and argument checks."""
import numpy as np
import pytest

from nanonet import optimizers
from nanonet.fast import optimizers as fast_optimizers

CASES = [lambda: optimizers.Adam(0.01), lambda: optimizers.SGD(0.1),
         lambda: optimizers.SGD(0.1, momentum=0.9),
         lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True)]


def trajectory(make, monkeypatch, block, size=40_000, steps=3):
    monkeypatch.setattr(fast_optimizers, "BLOCK", block)
    rng = np.random.default_rng(0)
    w = rng.normal(size=size).astype(np.float32)
    optimizer = make()
    for _ in range(steps):
        optimizer.apply_gradients([w], [rng.normal(size=size).astype(np.float32)])
    return w


@pytest.mark.parametrize("make", CASES)
def test_block_wise_update_is_bit_identical_to_one_pass(make, monkeypatch):
    one_pass = trajectory(make, monkeypatch, block=1 << 20)
    blocked = trajectory(make, monkeypatch, block=1000)
    np.testing.assert_array_equal(one_pass, blocked)


@pytest.mark.parametrize("make", CASES)
def test_overflowing_update_leaves_every_weight_untouched(make, monkeypatch):
    monkeypatch.setattr(fast_optimizers, "BLOCK", 100)
    rng = np.random.default_rng(1)
    first = rng.normal(size=(30, 20)).astype(np.float32)       # 6 blocks, all fine
    second = rng.normal(size=450).astype(np.float32)
    before = first.copy(), second.copy()
    grad_second = np.zeros_like(second)
    grad_second[400] = np.inf                                   # the 5th block of the 2nd array
    optimizer = make()
    with np.errstate(invalid="ignore", over="ignore"):
        ok = optimizer.apply_gradients([first, second], [np.ones_like(first), grad_second],
                                       check_finite=True)
    assert ok is False
    np.testing.assert_array_equal(first, before[0])
    np.testing.assert_array_equal(second, before[1])


def test_finite_update_with_check_is_the_same_as_without(monkeypatch):
    monkeypatch.setattr(fast_optimizers, "BLOCK", 64)
    rng = np.random.default_rng(2)
    w1 = rng.normal(size=1000)
    w2 = w1.copy()
    a, b = optimizers.Adam(0.1), optimizers.Adam(0.1)
    for _ in range(3):
        g = rng.normal(size=1000)
        assert a.apply_gradients([w1], [g], check_finite=True)
        b.apply_gradients([w2], [g])
    np.testing.assert_array_equal(w1, w2)


def test_gradients_are_not_modified_by_clipping_or_updates():
    g = np.array([3.0, 4.0])
    w = np.zeros(2)
    optimizers.SGD(1.0, clipnorm=1.0).apply_gradients([w], [g])
    np.testing.assert_array_equal(g, [3.0, 4.0])
    np.testing.assert_allclose(w, [-0.6, -0.8])


def test_global_clipnorm_scales_all_gradients_together():
    w1, w2 = np.zeros(1), np.zeros(1)
    optimizers.SGD(1.0, global_clipnorm=1.0).apply_gradients([w1, w2],
                                                             [np.array([3.0]), np.array([4.0])])
    np.testing.assert_allclose([w1[0], w2[0]], [-0.6, -0.8])


def test_state_round_trip_resumes_identically():
    rng = np.random.default_rng(3)
    grads = [rng.normal(size=5) for _ in range(4)]
    w_a = np.ones(5)
    a = optimizers.Adam(0.1)
    for g in grads:
        a.apply_gradients([w_a], [g])
    w_b = np.ones(5)
    b = optimizers.Adam(0.1)
    for g in grads[:2]:
        b.apply_gradients([w_b], [g])
    c = optimizers.Adam(0.1)
    c.set_state(b.get_state(), [w_b])
    for g in grads[2:]:
        c.apply_gradients([w_b], [g])
    np.testing.assert_array_equal(w_a, w_b)


@pytest.mark.parametrize("param,problem", [
    (np.ones((4, 4))[:, 0], "not contiguous"),
    (np.arange(4), "dtype int64"),
])
def test_params_must_be_writeable_contiguous_float_arrays(param, problem):
    with pytest.raises(ValueError, match=problem):
        optimizers.SGD().apply_gradients([param], [np.ones(param.shape)])


def test_mismatched_lists_and_shapes():
    with pytest.raises(ValueError, match="2 parameter arrays but 1 gradients"):
        optimizers.Adam().apply_gradients([np.ones(2), np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        optimizers.Adam().apply_gradients([np.ones(2)], [np.ones(3)])
    optimizer = optimizers.Adam()
    optimizer.apply_gradients([np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="state for 1 arrays, got 2"):
        optimizer.apply_gradients([np.ones(2), np.ones(2)], [np.ones(2), np.ones(2)])


@pytest.mark.parametrize("kwargs,message", [
    ({"beta_1": 1.0}, "beta_1 must be in"), ({"beta_2": -0.1}, "beta_2 must be in"),
    ({"epsilon": -1e-7}, "epsilon must be in"), ({"clipnorm": 0}, "clipnorm must be in"),
    ({"clipnorm": 1.0, "global_clipnorm": 1.0}, "at most one of clipnorm and global_clipnorm"),
])
def test_adam_arguments_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.Adam(**kwargs)


def test_unknown_optimizer_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        optimizers.get("adma")
