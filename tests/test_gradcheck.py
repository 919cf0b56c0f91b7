"""The gradient checker itself: it must pass true gradients and fail every kind of wrong one."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanonet as nn
from nanonet import gradcheck, layers
from nanonet.gradcheck import selfcheck
from nanonet.layers import dense as dense_module
from nanonet.fast import dense as fast_dense

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
    assert "a 3×2 matrix (3, 2), but the parameter is a 2×3 matrix (2, 3): it is transposed; " \
           "its transpose matches the numerical gradient" in report["w"].note
    assert "note (w): the formula gives" in str(report)


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


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_check_layer_fails_when_backward_is_mutated(monkeypatch, engine):
    """A sign flipped in dense_backward (the engine's own) turns the check red."""
    module = dense_module if engine == "reference" else fast_dense
    original = module.dense_backward

    def flipped(dz, cache, *args, **kwargs):
        dx, d_kernel, d_bias = original(dz, cache, *args, **kwargs)
        return dx, -d_kernel, d_bias

    def flipped_in_place(dz, cache, *args, **kwargs):
        dx, d_kernel, d_bias = original(dz, cache, *args, **kwargs)
        np.negative(d_kernel, out=d_kernel)   # the fast layer passes its buffer as out
        return dx, d_kernel, d_bias

    monkeypatch.setattr(module, "dense_backward",
                        flipped if engine == "reference" else flipped_in_place)
    layer = layers.Dense(3)
    layer.engine = engine
    report = gradcheck.check_layer(layer, np.random.default_rng(0).normal(size=(4, 2)))
    assert not report["kernel"].passed and report["bias"].passed and report["input"].passed


def test_check_layer_catches_a_backward_that_ignores_the_upstream_gradient(monkeypatch):
    from nanonet.layers import activations
    monkeypatch.setattr(activations, "activation_backward",
                        lambda dy, cache: activations.ops.sigmoid_grad_from_output(cache[1]))
    layer = layers.Sigmoid()
    layer.engine = "reference"
    report = gradcheck.check_layer(layer, np.random.default_rng(0).normal(size=(3, 4)))
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
                 "'embedding_lstm_dense'", "dense_softmax", "Softmax",
                 "categorical_crossentropy (probabilities)",
                 "sparse_categorical_crossentropy (from_logits=True)"):
        assert name in titles
    assert all(r.passed for r in reports), "\n".join(str(r) for r in reports if not r.passed)


@given(seed=seeds, n=st.integers(1, 4))
def test_check_model_passes_true_gradients(seed, n):
    model = nn.Sequential([layers.Dense(3, activation="sigmoid", input_shape=(2,)),
                           layers.Dense(1)], seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(seed)
    assert gradcheck.check_model(model, rng.normal(size=(n, 2)), rng.normal(size=(n, 1))).passed


# ---------------------------------------------------------------- hints for a person checking a derivation
def quadratic(w):
    return np.sum(w ** 2)


W = np.random.default_rng(7).normal(size=(4, 3)) + 0.1


@pytest.mark.parametrize("wrong_gradient,hint", [
    (lambda w: -2 * w, "sign is flipped"),
    (lambda w: 4 * w, "≈ +2 × the true gradient"),
    (lambda w: w, "1/2"),
    (lambda w: 2 * 6 * w, "a sum over a batch of 6 where the mean was meant"),
    (lambda w: 2 * w * np.array([1.0, 2.0, 3.0]), "constant along each column"),
    (lambda w: 2 * w * np.array([[1.0], [2.0], [3.0], [4.0]]), "constant along each row"),
    (lambda w: 2 * w + 0.3 * np.sin(w), "not a constant factor"),
    (lambda w: np.zeros_like(w), "gives zeros"),
])
def test_hints_name_the_mistake(wrong_gradient, hint):
    row = gradcheck.check_formula(quadratic, wrong_gradient, W)["w"]
    assert not row.passed
    assert hint in row.hint


def test_hint_for_a_transposed_square_gradient():
    a = np.random.default_rng(1).normal(size=(3, 3))
    f = lambda w: np.sum(w * a)                      # noqa: E731  gradient: a
    row = gradcheck.check_formula(f, lambda w: a.T, np.ones((3, 3)))["w"]
    assert "transpose" in row.hint


def test_transposed_shape_is_explained_in_words():
    row = gradcheck.check_formula(quadratic, lambda w: 2 * w.T, W)["w"]
    assert "a 3×4 matrix (3, 4), but the parameter is a 4×3 matrix (4, 3): it is transposed" \
           in row.note


@pytest.mark.parametrize("gradient,words", [
    (lambda w: 2 * w.sum(axis=1), "fewer dimensions"),
    (lambda w: 2 * w[None], "more dimensions"),
    (lambda w: np.zeros((2, 6)), "same number of entries, arranged differently"),
    (lambda w: np.zeros((2, 2)), "sizes differ"),
])
def test_shape_mismatches_are_explained_not_raised(gradient, words):
    report = gradcheck.check_formula(quadratic, gradient, W)
    assert not report.passed and words in report["w"].note


def test_worst_elements_and_error_map():
    wrong = lambda w: 2 * w + np.where(np.arange(12).reshape(4, 3) == 7, 1.0, 0.0)  # noqa
    row = gradcheck.check_formula(quadratic, wrong, W)["w"]
    assert row.error_map.shape == (4, 3)
    assert row.worst[0][0] == (2, 1) and row.worst_index == (2, 1)
    assert (row.error_map > 1e-6).sum() == 1


# ---------------------------------------------------------------- bad input to check_formula
def test_non_finite_gradient_is_named():
    row = gradcheck.check_formula(quadratic, lambda w: np.full_like(w, np.nan), W)["w"]
    assert "contains nan at index (0, 0)" in row.note


def test_array_f_with_a_gradient_that_takes_no_upstream():
    with pytest.raises(TypeError, match=r"f returned an array of shape \(4, 3\), not a scalar.*dout"):
        gradcheck.check_formula(lambda w: w ** 2, lambda w: 2 * w, W)


@pytest.mark.parametrize("f,error,message", [
    (lambda w: None, TypeError, "f must return a number or an array of numbers, got NoneType"),
    (lambda w: "loss", TypeError, "got str"),
    (lambda w: np.log(-np.abs(w)).sum(), ValueError, "non-finite value"),
])
def test_functions_that_return_no_usable_number(f, error, message):
    with np.errstate(invalid="ignore"):
        with pytest.raises(error, match=message):
            gradcheck.check_formula(f, lambda w: w, W)


def test_non_finite_arguments_are_refused():
    with pytest.raises(ValueError, match="argument 'w' contains NaN or inf"):
        gradcheck.check_formula(quadratic, lambda w: 2 * w, np.array([1.0, np.inf]))


# ---------------------------------------------------------------- the ε sweep and the figures
def test_epsilon_sweep_shows_why_float64_with_eps_1e_minus_6():
    sweep = gradcheck.epsilon_sweep()
    best = sweep.best()
    eps64, error64 = best["float64"]
    assert 1e-7 <= eps64 <= 1e-4 and error64 < 1e-8
    assert best["float32"][1] > 1e-5                 # float32 cannot check to high precision
    index = list(sweep.eps).index(min(sweep.eps, key=lambda e: abs(np.log(e / 1e-6))))
    assert sweep.errors["float64"][index] < 1e-7      # ε = 1e-6 is good in float64 …
    assert sweep.errors["float32"][index] > 0.5       # … and useless in float32
    assert sweep.errors["float64"][0] > 1e3 * error64  # round-off at tiny ε
    assert sweep.errors["float64"][-1] > 1e3 * error64  # truncation at large ε
    assert "best for float64" in str(sweep)


def test_figures_are_saved(tmp_path):
    pytest.importorskip("matplotlib")
    report = gradcheck.check_formula(quadratic, lambda w: 4 * w, W)
    assert report.plot(tmp_path / "map.png").stat().st_size > 1000
    shape = gradcheck.check_formula(quadratic, lambda w: 2 * w.T, W)
    assert shape.plot(tmp_path / "shape.png").stat().st_size > 1000
    assert gradcheck.epsilon_sweep(eps_values=[1e-8, 1e-6, 1e-4]).plot(
        tmp_path / "sweep.png").stat().st_size > 1000


def test_check_formula_uses_a_given_estimator_and_hands_it_a_copy():
    """The exercise grader brings its own numerical gradient (estimator=)."""
    x = np.array([0.3, -1.2, 2.0])
    seen = []

    def halved(g, point, eps):                 # a deliberately wrong estimator: ½ the truth
        seen.append(point)
        gradient = np.zeros_like(point)
        for i in range(point.size):
            step = np.zeros_like(point)
            step[i] = eps
            gradient[i] = (g(point + step) - g(point - step)) / (4 * eps)
        point += 100.0                          # must not disturb the caller's x
        return gradient
    report = gradcheck.check_formula(lambda v: np.sum(v ** 3), lambda v: 3 * v ** 2, x, estimator=halved)
    assert len(seen) == 1 and not report.passed
    assert "factor" in report.rows[0].hint and "2" in report.rows[0].hint
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])
    right = gradcheck.check_formula(lambda v: np.sum(v ** 3), lambda v: 3 * v ** 2, x,
                          estimator=lambda g, p, eps: np.array(
                              [(g(p + e * eps) - g(p - e * eps)) / (2 * eps)
                               for e in np.eye(p.size)]))
    assert right.passed
