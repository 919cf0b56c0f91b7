"""The gradient checker itself: it must pass true gradients and fail every kind of wrong one."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanonet as nn
from nanonet import gradcheck, layers, selfcheck
from nanonet.layers import dense as dense_module

from strategies import float64_arrays, seeds


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(gradcheck.numerical_gradient(lambda v: np.sum(v ** 3), x),
                               3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored exactly


def test_numerical_gradient_refuses_integer_arrays():
    with pytest.raises(TypeError, match="float NumPy array"):
        gradcheck.numerical_gradient(lambda v: float(np.sum(v)), np.arange(3))


def test_relative_error_uses_floor_for_zero_gradients():
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.0 + 2e-8]) == pytest.approx(5e-9)
    assert gradcheck.relative_error([0.0], [1e-9]) == pytest.approx(0.1)


@given(x=float64_arrays((3, 2)), seed=seeds)
def test_true_formula_passes(x, seed):
    report = gradcheck.check_formula(lambda x: np.tanh(x) * x, lambda x, d: d * (np.tanh(x) + x * (1 - np.tanh(x) ** 2)), x, seed=seed)
    assert report.passed, report


WRONG_GRADIENTS = {
    "sign flipped": lambda w, d: -(d * 2 * w),
    "factor of 2 missing": lambda w, d: d * w,
    "upstream gradient ignored": lambda w, d: 2 * w,
    "transposed": lambda w, d: (d * 2 * w).T,
}


@pytest.mark.parametrize("mistake", sorted(WRONG_GRADIENTS))
def test_wrong_formula_fails(mistake):
    w = np.random.default_rng(0).standard_normal((3, 3)) + 0.5
    report = gradcheck.check_formula(lambda w: w ** 2, WRONG_GRADIENTS[mistake], w)
    assert not report.passed
    assert report["w"].max_rel_error > 0.1


def test_shape_mismatch_is_reported_not_raised():
    w = np.ones((2, 3))
    report = gradcheck.check_formula(lambda w: np.sum(w ** 2), lambda w: (2 * w).T, w)
    assert not report.passed
    assert "shape (3, 2)" in report["w"].note and "(2, 3)" in report["w"].note


def test_scalar_formula_with_several_arguments_and_names():
    a, b = np.array([1.5, -0.5]), np.array([2.0, 0.25])
    report = gradcheck.check_formula(lambda a, b: np.sum(a * b), lambda a, b: (b, a), a, b)
    assert [row.name for row in report.rows] == ["a", "b"]
    assert report.passed
    with pytest.raises(ValueError, match="returned 1 gradient"):
        gradcheck.check_formula(lambda a, b: np.sum(a * b), lambda a, b: b, a, b)


def test_tiny_true_gradients_are_not_failed_for_round_off():
    """σ'(x) at x = ±30 is ~1e-13: the numerical estimate is pure noise there."""
    x = np.array([[30.0, -30.0, 0.3]])
    report = gradcheck.check_layer(layers.Sigmoid(), x)
    assert report.passed, report


def test_report_prints_a_table():
    report = gradcheck.check_layer(layers.Dense(2, name="d"), np.ones((2, 3)))
    text = str(report)
    assert "Gradient check: Dense 'd'" in text
    for column in ("parameter", "max rel err", "worst at", "passed", "kernel", "bias", "input"):
        assert column in text
    assert text.strip().endswith("PASSED")
    assert report.to_dict()["rows"][1]["name"] == "kernel"


def test_check_layer_fails_when_backward_is_mutated(monkeypatch):
    """A sign flipped in dense_backward turns the check red."""
    original = dense_module.dense_backward

    def flipped(dz, cache, compute_dx=True, out=None):
        dx, d_kernel, d_bias = original(dz, cache, compute_dx, out)
        np.negative(d_kernel, out=d_kernel)   # the layer passes its gradient buffer as out
        return dx, d_kernel, d_bias

    monkeypatch.setattr(dense_module, "dense_backward", flipped)
    report = gradcheck.check_layer(layers.Dense(3), np.random.default_rng(0).normal(size=(4, 2)))
    assert not report["kernel"].passed and report["bias"].passed and report["input"].passed


def test_check_layer_catches_a_backward_that_ignores_the_upstream_gradient(monkeypatch):
    from nanonet.layers import activations
    monkeypatch.setattr(activations, "activation_backward",
                        lambda dy, cache, inplace=False: activations.ops.sigmoid_grad_from_output(cache[1]))
    report = gradcheck.check_layer(layers.Sigmoid(), np.random.default_rng(0).normal(size=(3, 4)))
    assert not report.passed


def test_check_model_fails_when_loss_gradient_is_scaled(monkeypatch):
    from nanonet import losses
    original = losses.bce_from_logits
    monkeypatch.setattr(losses, "bce_from_logits",
                        lambda y, z: (original(y, z)[0], 2 * original(y, z)[1]))
    model = nn.Sequential([layers.Dense(2, activation="tanh", input_shape=(3,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    rng = np.random.default_rng(1)
    report = gradcheck.check_model(model, rng.normal(size=(4, 3)), [0, 1, 1, 0])
    assert not report.passed
    assert all(not row.passed for row in report.rows)


def test_check_layer_uses_existing_weights_of_a_built_layer():
    layer = layers.Dense(2, dtype="float32")
    layer.build((3,), np.random.default_rng(0))
    layer.set_weights([np.full((3, 2), 0.5), np.array([0.1, -0.1])])
    report = gradcheck.check_layer(layer, np.ones((1, 3)))
    # with kernel 0.5 everywhere, dx is 0.5·(dout₀ + dout₁) for every input feature
    assert report.passed
    assert report["input"].shape == (1, 3)


def test_builtins_all_pass_and_cover_every_layer_and_loss():
    reports = selfcheck.check_builtins()
    titles = " ".join(r.title for r in reports)
    for name in ("dense_linear", "dense_sigmoid", "dense_tanh", "dense_relu", "Sigmoid", "Tanh",
                 "ReLU", "Activation", "dropout (training)", "binary_crossentropy (probabilities)",
                 "from_logits=True", "mse", "embedding (repeated ids)", "lstm (mask)",
                 "return_state", "dropout masks held fixed", "one cell step", "'sequential'",
                 "'embedding_lstm_dense'"):
        assert name in titles
    assert all(r.passed for r in reports), "\n".join(str(r) for r in reports if not r.passed)


@given(seed=seeds, n=st.integers(1, 4))
def test_check_model_passes_true_gradients(seed, n):
    model = nn.Sequential([layers.Dense(3, activation="sigmoid", input_shape=(2,)),
                           layers.Dense(1)], seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(seed)
    assert gradcheck.check_model(model, rng.normal(size=(n, 2)), rng.normal(size=(n, 1))).passed
