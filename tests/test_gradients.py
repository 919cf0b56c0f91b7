"""Every backward pass against central differences, in float64, with a random upstream gradient.

Shapes, values and seeds are drawn by hypothesis. Each test would fail if its backward lost a
sign, a factor, a transpose or the upstream gradient (see test_gradcheck.py for proof that the
checker catches those).
"""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nanonet as nn
from nanonet import gradcheck, layers, losses
from nanonet.layers import activation_backward, activation_forward, dense_backward, dense_forward

from strategies import activations, batch_shapes, binary_labels, float64_arrays, seeds


def assert_passed(report):
    assert report.passed, f"\n{report}"


@given(data=st.data(), shape=batch_shapes(), units=st.integers(1, 5), activation=activations,
       use_bias=st.booleans(), seed=seeds)
def test_dense_layer_gradients(data, shape, units, activation, use_bias, seed):
    x = data.draw(float64_arrays(shape))
    layer = layers.Dense(units, activation=activation, use_bias=use_bias, dtype="float64")
    layer.build(x.shape[1:], np.random.default_rng(seed))
    if activation == "relu":  # keep every pre-activation off the kink at 0
        z = dense_forward(x, layer.params["kernel"], layer.params.get("bias"))[0]
        assume(np.abs(z).min() > 1e-3)
    report = gradcheck.check_layer(layer, x, seed=seed)
    assert_passed(report)
    assert [row.name for row in report.rows] == ["input", "kernel"] + (["bias"] if use_bias else [])


@given(data=st.data(), shape=batch_shapes(), seed=seeds,
       layer_class=st.sampled_from([layers.Sigmoid, layers.Tanh, layers.ReLU]))
def test_activation_layer_gradients(data, shape, seed, layer_class):
    x = data.draw(float64_arrays(shape, low=-6, high=6, kink_margin=0.05))
    assert_passed(gradcheck.check_layer(layer_class(), x, seed=seed))


@given(data=st.data(), shape=batch_shapes(), activation=activations, seed=seeds)
def test_activation_pure_functions(data, shape, activation, seed):
    x = data.draw(float64_arrays(shape, kink_margin=0.05))
    report = gradcheck.check_formula(
        lambda x: activation_forward(x, activation)[0],
        lambda x, dout: activation_backward(dout, activation_forward(x, activation)[1]),
        x, seed=seed)
    assert_passed(report)


@given(data=st.data(), shape=batch_shapes(), units=st.integers(1, 4), seed=seeds)
def test_dense_pure_functions(data, shape, units, seed):
    x = data.draw(float64_arrays(shape))
    kernel = data.draw(float64_arrays((shape[-1], units), -1, 1))
    bias = data.draw(float64_arrays((units,), -1, 1))

    def forward(x, kernel, bias):
        return dense_forward(x, kernel, bias)[0]

    def backward(x, kernel, bias, dout):
        return dense_backward(dout, dense_forward(x, kernel, bias)[1])

    assert_passed(gradcheck.check_formula(forward, backward, x, kernel, bias, seed=seed))


@given(data=st.data(), n=st.integers(1, 6), k=st.integers(1, 3))
def test_bce_from_probabilities_gradient(data, n, k):
    y = data.draw(binary_labels((n, k)))
    p = data.draw(float64_arrays((n, k), 0.02, 0.98))
    loss = losses.BinaryCrossentropy()
    assert_passed(gradcheck.check_formula(lambda p: loss.forward(y, p)[0],
                                          lambda p: loss.forward(y, p)[1], p))


@given(data=st.data(), n=st.integers(1, 6), k=st.integers(1, 3))
def test_bce_from_logits_gradient(data, n, k):
    y = data.draw(binary_labels((n, k)))
    z = data.draw(float64_arrays((n, k), -20, 20))
    loss = losses.BinaryCrossentropy(from_logits=True)
    assert_passed(gradcheck.check_formula(lambda z: loss.forward(y, z)[0],
                                          lambda z: loss.forward(y, z)[1], z))


@given(data=st.data(), n=st.integers(1, 6), k=st.integers(1, 3))
def test_mse_gradient(data, n, k):
    y = data.draw(float64_arrays((n, k)))
    p = data.draw(float64_arrays((n, k)))
    loss = losses.MeanSquaredError()
    assert_passed(gradcheck.check_formula(lambda p: loss.forward(y, p)[0],
                                          lambda p: loss.forward(y, p)[1], p))


@given(data=st.data(), n=st.integers(1, 6), d=st.integers(1, 4), hidden=st.integers(1, 5),
       hidden_activation=st.sampled_from(["sigmoid", "tanh", "linear"]),
       loss=st.sampled_from(["binary_crossentropy", "mse"]), seed=seeds)
def test_model_gradients_through_every_layer_and_the_loss(data, n, d, hidden, hidden_activation,
                                                          loss, seed):
    x = data.draw(float64_arrays((n, d)))
    y = data.draw(binary_labels((n, 1)))
    model = nn.Sequential([layers.Dense(hidden, activation=hidden_activation, input_shape=(d,)),
                           layers.Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer="sgd", loss=loss)
    assert_passed(gradcheck.check_model(model, x, y, seed=seed))


def test_model_with_separate_activation_layers_uses_logits_path_and_checks():
    rng = np.random.default_rng(3)
    model = nn.Sequential([layers.Dense(3, input_shape=(2,)), layers.Tanh(), layers.Dense(1),
                           layers.Sigmoid()], seed=1)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert model.uses_logits()
    assert_passed(gradcheck.check_model(model, rng.standard_normal((5, 2)),
                                        rng.integers(0, 2, 5)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_and_grads_of_float32_model_agree_with_float64_check(dtype):
    rng = np.random.default_rng(0)
    model = nn.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                           layers.Dense(1, activation="sigmoid")], seed=2, dtype=dtype)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = rng.standard_normal((6, 3))
    y = rng.integers(0, 2, 6)
    loss, grads = model.loss_and_grads(x, y)
    probe = nn.Sequential.from_config(model.get_config(), dtype="float64")
    probe.set_weights(model.get_weights())
    probe.compile(optimizer="adam", loss="binary_crossentropy")
    loss64, grads64 = probe.loss_and_grads(x, y)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    assert abs(loss - loss64) < tolerance
    for g, g64 in zip(grads, grads64):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, g64, atol=tolerance)
