"""nanonet against real Keras 2.15 numbers (golden fixtures made by tests/fixtures/make_keras_fixtures.py).

The fixtures are plain .npz files, so these tests need NumPy only.
"""
from pathlib import Path

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, losses, metrics, optimizers

FIXTURES = Path(__file__).parent / "fixtures"


def load(name):
    with np.load(FIXTURES / name, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


DENSE = load("keras_dense.npz")
LOSSES = load("keras_losses.npz")
OPTIMIZERS = load("keras_optimizers.npz")
GLOROT = load("keras_glorot.npz")
TRAINING = load("keras_training.npz")


# ---------------------------------------------------------------- Dense
@pytest.mark.parametrize("activation", ["linear", "sigmoid", "relu", "tanh"])
def test_dense_output_and_gradients_match_keras(activation):
    layer = layers.Dense(3, activation=activation, dtype="float64")
    layer.build((5,))
    layer.set_weights([DENSE["kernel"], DENSE["bias"]])
    y = layer.forward(DENSE["x"])
    dx = layer.backward(DENSE["dy"])
    np.testing.assert_allclose(y, DENSE[f"y_{activation}"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, DENSE[f"dx_{activation}"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], DENSE[f"dkernel_{activation}"], atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], DENSE[f"dbias_{activation}"], atol=1e-12)


def test_dense_on_sequences_acts_on_last_axis_like_keras():
    layer = layers.Dense(3, activation="sigmoid", dtype="float64")
    layer.build((3, 5))
    layer.set_weights([DENSE["kernel"], DENSE["bias"]])
    np.testing.assert_allclose(layer.forward(DENSE["x3"]), DENSE["y3"], atol=1e-12)
    np.testing.assert_allclose(layer.backward(DENSE["dy3"]), DENSE["dx3"], atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], DENSE["dkernel3"], atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], DENSE["dbias3"], atol=1e-12)


# ---------------------------------------------------------------- losses
def test_bce_from_probabilities_matches_keras_clipping():
    loss, grad = losses.BinaryCrossentropy().forward(LOSSES["y_true"], LOSSES["p"])
    np.testing.assert_allclose(loss, LOSSES["bce_prob"], rtol=1e-6)
    np.testing.assert_allclose(grad, LOSSES["bce_prob_grad"], rtol=1e-5, atol=1e-8)


def test_bce_clips_before_the_log_so_p_beyond_the_bounds_costs_like_the_bounds():
    """Keras clips p to [ε, 1−ε], then takes log(p + ε): p = 1 with label 0 costs what
    p = 1 − ε costs (Keras: 15.3332 in float32), not −log(ε) = 16.12; likewise p = 0, label 1."""
    loss = losses.BinaryCrossentropy()
    at_upper = LOSSES["bce_prob_per_sample"][3]          # y = 0, p = 0.9999999 = 1 − ε
    at_lower = LOSSES["bce_prob_per_sample"][4]          # y = 1, p = 1e-9 → clipped to ε
    for y, p, expected in ((0.0, 1.0, at_upper), (1.0, 0.0, at_lower), (1.0, 1e-12, at_lower)):
        value = loss(np.array([[y]], np.float32), np.array([[p]], np.float32))
        assert value == pytest.approx(float(expected), rel=1e-6), (y, p)


def test_bce_two_columns_is_mean_over_last_axis_then_batch():
    loss = losses.BinaryCrossentropy()(LOSSES["y_true2"], LOSSES["p2"])
    np.testing.assert_allclose(loss, LOSSES["bce_prob2"], rtol=1e-6)


def test_bce_from_logits_matches_keras():
    loss, grad = losses.BinaryCrossentropy(from_logits=True).forward(LOSSES["y_true"], LOSSES["z"])
    np.testing.assert_allclose(loss, LOSSES["bce_logits"], rtol=1e-6)
    np.testing.assert_allclose(grad, LOSSES["bce_logits_grad"], rtol=1e-5, atol=1e-12)


def test_sigmoid_output_uses_the_logits_path_like_keras():
    """Dense(…, sigmoid) + BCE(from_logits=False): Keras uses the logits, not clipped p."""
    y, z = LOSSES["y_true"], LOSSES["z"]
    model = nn.Sequential([layers.Dense(1, activation="sigmoid", use_bias=False,
                                        input_shape=(1,))])
    model.set_weights([np.ones((1, 1), np.float32)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    loss, grads = model.loss_and_grads(z, y)
    np.testing.assert_allclose(loss, LOSSES["bce_sigmoid_path"], rtol=1e-6)
    # with weight 1 and input z, dJ/dw = Σ_n z_n · dJ/dz_n
    np.testing.assert_allclose(grads[0].item(), np.sum(z * LOSSES["bce_sigmoid_path_grad"]),
                               rtol=1e-5)
    clipped = losses.BinaryCrossentropy()(y, nn.ops.sigmoid(z))
    np.testing.assert_allclose(clipped, LOSSES["bce_sigmoid_path_clipped"], rtol=1e-6)
    assert abs(loss - clipped) > 1e-3  # the two paths really differ here


def test_mse_matches_keras():
    loss, grad = losses.MeanSquaredError().forward(LOSSES["y_true"], LOSSES["p"])
    np.testing.assert_allclose(loss, LOSSES["mse"], rtol=1e-6)
    np.testing.assert_allclose(grad, LOSSES["mse_grad"], rtol=1e-6, atol=1e-8)


def test_binary_accuracy_matches_keras_and_half_counts_as_zero():
    np.testing.assert_allclose(metrics.binary_accuracy(LOSSES["y_true"], LOSSES["p"]),
                               LOSSES["acc"])
    np.testing.assert_allclose(metrics.binary_accuracy(LOSSES["y_true"], LOSSES["p_acc"]),
                               LOSSES["acc_half"], rtol=1e-6)


# ---------------------------------------------------------------- optimizers
OPTIMIZER_CASES = {
    "adam_default": lambda: optimizers.Adam(),
    "adam_custom": lambda: optimizers.Adam(0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
    "sgd_plain": lambda: optimizers.SGD(0.1),
    "sgd_momentum": lambda: optimizers.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam_clipnorm": lambda: optimizers.Adam(0.01, clipnorm=1.0),
    "sgd_clipvalue": lambda: optimizers.SGD(0.1, clipvalue=0.5),
}


@pytest.mark.parametrize("case", sorted(OPTIMIZER_CASES))
def test_optimizer_trajectory_matches_keras(case):
    optimizer = OPTIMIZER_CASES[case]()
    w = OPTIMIZERS["w0"].copy()
    for step, grad in enumerate(OPTIMIZERS["grads"]):
        optimizer.apply_gradients([w], [grad.copy()])
        np.testing.assert_allclose(w, OPTIMIZERS[case][step], rtol=1e-6, atol=1e-7,
                                   err_msg=f"{case}, step {step + 1}")


def test_adam_moments_match_keras():
    optimizer = optimizers.Adam()
    w = OPTIMIZERS["w0"].copy()
    for grad in OPTIMIZERS["grads"]:
        optimizer.apply_gradients([w], [grad])
    np.testing.assert_allclose(optimizer.slots[0]["m"], OPTIMIZERS["adam_default_m"], rtol=1e-6)
    np.testing.assert_allclose(optimizer.slots[0]["v"], OPTIMIZERS["adam_default_v"], rtol=1e-6)


def test_adam_epsilon_is_added_before_bias_correction():
    """The textbook form m̂/(√v̂ + ε) is measurably different from Keras's trajectory."""
    b1, b2, eps, lr = 0.8, 0.99, 1e-3, 0.05
    w = OPTIMIZERS["w0"].astype(np.float64)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(OPTIMIZERS["grads"], start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    assert np.abs(w - OPTIMIZERS["adam_custom"][-1]).max() > 1e-3


# ---------------------------------------------------------------- initialisation
@pytest.mark.parametrize("fan_in,fan_out", [(20, 64), (784, 512), (64, 1)])
def test_glorot_uniform_has_keras_limit_and_variance(fan_in, fan_out):
    key = f"glorot_{fan_in}x{fan_out}"
    limit = GLOROT[f"{key}_limit"]
    w = nn.initializers.glorot_uniform((fan_in, fan_out), np.random.default_rng(0))
    assert w.dtype == np.float32 and w.shape == (fan_in, fan_out)
    assert np.abs(w).max() <= limit
    n = w.size
    # both samples come from U(−limit, limit): mean 0, variance limit²/3, extremes near ±limit
    for sample_var in (w.var(), GLOROT[f"{key}_var"]):
        assert abs(sample_var - limit ** 2 / 3) < 6 * limit ** 2 * np.sqrt(4 / 45 / n)
    assert abs(w.mean()) < 6 * limit / np.sqrt(3 * n)
    assert abs(GLOROT[f"{key}_max"]) <= limit and w.max() > limit * (1 - 20 / n)


def test_dense_default_initialisation_is_glorot_kernel_and_zero_bias():
    layer = layers.Dense(64)
    layer.build((20,), np.random.default_rng(1))
    kernel, bias = layer.get_weights()
    np.testing.assert_array_equal(bias, np.zeros(64, np.float32))
    assert np.abs(kernel).max() <= np.sqrt(6 / 84)
    np.testing.assert_array_equal(GLOROT["dense_bias_init"], np.zeros(3, np.float32))


# ---------------------------------------------------------------- training end to end
TRAINING_CASES = {
    "": (lambda: optimizers.Adam(0.05), "binary_crossentropy"),
    "sgd_": (lambda: optimizers.SGD(0.5, momentum=0.9), "binary_crossentropy"),
    "mse_": (lambda: optimizers.Adam(0.05), "mse"),
}


@pytest.mark.parametrize("prefix", sorted(TRAINING_CASES))
def test_fit_predict_evaluate_match_keras(prefix):
    make_optimizer, loss = TRAINING_CASES[prefix]
    model = nn.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.set_weights([TRAINING[f"{prefix}w_init_{i}"] for i in range(4)])
    model.compile(optimizer=make_optimizer(), loss=loss, metrics=["accuracy"])
    history = model.fit(TRAINING["x_train"], TRAINING["y_train"], epochs=4, batch_size=3,
                        shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], TRAINING[f"{prefix}history_loss"],
                               atol=1e-6)
    np.testing.assert_allclose(history.history["accuracy"],
                               TRAINING[f"{prefix}history_accuracy"])
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, TRAINING[f"{prefix}w_final_{i}"], atol=1e-6)
    np.testing.assert_allclose(model.predict(TRAINING["x_train"]), TRAINING[f"{prefix}predict"],
                               atol=1e-6)
    loss_value, accuracy = model.evaluate(TRAINING["x_train"], TRAINING["y_train"], verbose=0)
    np.testing.assert_allclose(loss_value, TRAINING[f"{prefix}evaluate_loss"], atol=1e-6)
    np.testing.assert_allclose(accuracy, TRAINING[f"{prefix}evaluate_accuracy"])
