"""Keras's model attributes: weights, trainable_weights, metrics_names, get_layer — and
QuantizedModel.predict taking Sequential.predict's arguments."""
import numpy as np
import pytest

import nanonet as nn
from nanonet import layers
from nanonet.compress import quantize


def _model(dtype="float32"):
    model = nn.Sequential([layers.Dense(3, activation="relu", input_shape=(2,), name="hidden"),
                           layers.Dense(1, activation="sigmoid")], seed=0, dtype=dtype)
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_weights_are_the_live_arrays_in_get_weights_order():
    model = _model()
    assert [w.shape for w in model.weights] == [(2, 3), (3,), (3, 1), (1,)]
    for live, copy in zip(model.weights, model.get_weights()):
        np.testing.assert_array_equal(live, copy)
    x = np.ones((4, 2), np.float32)
    before = model.predict(x)
    model.weights[3][...] += 5.0                      # as assigning a Keras variable
    assert np.all(model.predict(x) > before)
    assert all(a is b for a, b in zip(model.trainable_weights, model.weights))


def test_mixed_precision_weights_are_the_float32_masters():
    model = _model("mixed_float16")
    assert {w.dtype for w in model.weights} == {np.dtype(np.float32)}


def test_metrics_names_follow_compile():
    model = nn.Sequential([layers.Dense(1, input_shape=(2,))])
    assert model.metrics_names == []
    model.compile(loss="mse")
    assert model.metrics_names == ["loss"]
    model.compile(loss="mse", metrics=["acc", "binary_accuracy"])
    assert model.metrics_names == ["loss", "acc", "binary_accuracy"]
    assert len(model.metrics_names) == len(model.evaluate(np.zeros((2, 2)), np.zeros(2)))


def test_get_layer_by_name_or_index_as_keras():
    model = _model()
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(index=1) is model.layers[1]
    assert model.get_layer(index=-1) is model.layers[-1]
    with pytest.raises(ValueError, match=r"no such layer: 'nope'\. Existing layers are: "
                                         r"\['hidden', 'dense'\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match=r"index 2, but the model has 2 layers"):
        model.get_layer(index=2)
    with pytest.raises(ValueError, match=r"either a layer name or a layer index, not neither"):
        model.get_layer()
    with pytest.raises(ValueError, match=r"not both"):
        model.get_layer("hidden", index=0)


def test_a_quantized_model_predicts_with_sequential_predicts_arguments(capsys):
    model = _model()
    x = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    quantized = quantize(model, 8)
    np.testing.assert_array_equal(quantized.predict(x, batch_size=2, verbose=0),
                                  quantized.predict(x))
    assert capsys.readouterr().out == ""
    quantized.predict(x, batch_size=2, verbose=1)
    assert "3/3" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"QuantizedModel\.predict: verbose"):
        quantized.predict(x, verbose=3)
