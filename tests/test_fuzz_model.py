"""Fuzzing the model half of the public API: Sequential, the layers, losses, metrics, optimizers.

hypothesis throws random shapes and ranks (including zero-size dimensions), dtypes (float16/32/64,
int8/32/64, uint8, bool) and values (0, ±1e30, the subnormals ±1e-310, NaN, ±inf, and ordinary
numbers) at each entry point. Only two outcomes are allowed:

- a correct result: the right shape and dtype, finite whenever the inputs were finite and
  representable — and, where the inputs are ordinary numbers, equal to a float64 reference
  computed here with plain NumPy;
- an exception nanonet raises on purpose: a ValueError, TypeError or TrainingDivergedError
  whose innermost traceback frame is a ``raise`` statement in nanonet's own code (a
  ``raw_error`` check: an IndexError, a broadcast error or any exception from inside NumPy
  fails the test).

Warnings are errors (setup.cfg), so a NumPy RuntimeWarning (overflow, invalid, divide) fails the
test too — here it is also turned into an error explicitly, in case the file runs alone.
Each test sets its own ``max_examples``; with the "ci" profile (tests/conftest.py) the run is
derandomized and the whole file takes a few seconds.
"""
from __future__ import annotations

import linecache
import os
import traceback
import warnings

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis.control import currently_in_test_context
from hypothesis import strategies as st

import nanonet as nn
from nanonet import layers, losses, metrics, optimizers

NANONET_DIR = os.path.dirname(os.path.abspath(nn.__file__)) + os.sep
NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep
ALLOWED = (ValueError, TypeError, nn.TrainingDivergedError)

# ---------------------------------------------------------------------------- strategies
FLOAT_DTYPES = ["float16", "float32", "float64"]
INT_DTYPES = ["int8", "int32", "int64", "uint8"]
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + ["bool"]
SPECIAL = [0.0, 1e30, -1e30, 1e-310, -1e-310, np.nan, np.inf, -np.inf]
ORDINARY = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False, width=64)


def float_values(special_weight: int = 1):
    """Ordinary numbers mixed with the special ones (special_weight in 3 + special_weight)."""
    return st.one_of(*([ORDINARY] * 3), *([st.sampled_from(SPECIAL)] * special_weight))


@st.composite
def data_arrays(draw, shape, dtypes=ALL_DTYPES):
    """arrays_of, half the time with ordinary values only (so that whole batches of valid
    data get through often enough to test the results, not only the refusals)."""
    return draw(arrays_of(shape, dtypes, special_weight=draw(st.sampled_from([0, 1]))))


@st.composite
def labels(draw, shape):
    """Half the time valid 0/1 labels in any dtype (bool, ints, floats), else data_arrays."""
    if draw(st.booleans()):
        size = int(np.prod(shape))
        values = draw(st.lists(st.sampled_from([0, 1]), min_size=size, max_size=size))
        dtype = draw(st.sampled_from(ALL_DTYPES))
        return np.array(values).astype(dtype).reshape(shape)
    return draw(data_arrays(shape))


@st.composite
def arrays_of(draw, shape, dtypes=ALL_DTYPES, special_weight: int = 1):
    """An array of `shape` and a drawn dtype. Floats are drawn in float64 and cast (so 1e30
    becomes inf in float16 and 1e-310 becomes 0 in float32, as a learner's data would); ints
    range over the whole dtype, extremes included; bools are bools."""
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    size = int(np.prod(shape))
    if dtype.kind == "f":
        values = draw(st.lists(float_values(special_weight), min_size=size, max_size=size))
        with np.errstate(all="ignore"):
            return np.array(values, dtype=np.float64).astype(dtype).reshape(shape)
    if dtype.kind == "b":
        return np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)),
                        dtype=bool).reshape(shape)
    info = np.iinfo(dtype)
    elements = st.integers(max(-3, int(info.min)), 3)
    if special_weight:
        elements = st.one_of(elements, elements, st.sampled_from([int(info.min), int(info.max)]))
    values = draw(st.lists(elements, min_size=size, max_size=size))
    return np.array(values, dtype=dtype).reshape(shape)


@st.composite
def shapes(draw, usual, max_rank: int = 4):
    """Mostly the shape the entry point expects (`usual`), sometimes any shape of rank 0–4
    with sizes 0–3 (wrong ranks, zero-size batches and features)."""
    if draw(st.integers(0, 3)) > 0:
        return tuple(usual)
    rank = draw(st.integers(0, max_rank))
    return tuple(draw(st.integers(0, 3)) for _ in range(rank))


def is_ordinary(*arrays) -> bool:
    """Every value finite and of moderate size, so a float64 reference is meaningful."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    return all(np.isfinite(a).all() and np.all(np.abs(a) <= 1e3)
               and np.all((a == 0) | (np.abs(a) >= 1e-30)) for a in arrays)


# ---------------------------------------------------------------------------- the outcome check
def raw_error(error: BaseException) -> str:
    """'' if `error` is one of nanonet's clear exceptions, else what is wrong with it."""
    if not isinstance(error, ALLOWED):
        return f"{type(error).__name__} is not ValueError/TypeError/TrainingDivergedError"
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "no traceback"
    innermost = frames[-1]
    filename = os.path.abspath(innermost.filename)
    if filename.startswith(NUMPY_DIR):
        return f"raised inside NumPy ({filename}:{innermost.lineno})"
    if not filename.startswith(NANONET_DIR):
        return f"raised outside nanonet ({filename}:{innermost.lineno})"
    line = linecache.getline(innermost.filename, innermost.lineno).strip()
    if not line.startswith("raise"):
        return f"not an explicit raise: {filename}:{innermost.lineno}: {line}"
    if len(str(error)) < 20:
        return f"a message too short to teach: {error!s}"
    return ""


def outcome(action):
    """Run `action` with warnings as errors: (result, None) or (None, a clear nanonet error).
    Anything else fails the test with the original traceback."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = action()
        except Exception as error:          # noqa: BLE001 — judged by raw_error below
            problem = raw_error(error)
            if problem:
                raise AssertionError(f"{problem}: {type(error).__name__}: {error}") from error
            _event(f"refused: {type(error).__name__}")
            return None, error
    _event("a result")
    return result, None


def _event(text: str) -> None:
    """Count outcomes for ``pytest --hypothesis-show-statistics`` (inside a hypothesis test)."""
    if currently_in_test_context():
        event(text)


def assert_finite(*arrays):
    for array in arrays:
        assert np.isfinite(np.asarray(array, dtype=np.float64)).all(), array


def test_raw_error_check_can_fail():
    """The checker itself: NumPy's own errors and Python's implicit ones are not clear errors."""
    with pytest.raises(AssertionError, match="raised inside NumPy"):
        outcome(lambda: np.linspace(0, 1, -1))       # a ValueError raised in NumPy's Python
    with pytest.raises(AssertionError, match="not an explicit raise"):   # NumPy's C code,
        outcome(lambda: layers.dense_forward(np.ones((2, 3)), np.ones((2, 2)), None))
    with pytest.raises(AssertionError, match="IndexError is not"):
        outcome(lambda: np.ones(2)[5])
    with pytest.raises(AssertionError, match="outside nanonet"):
        outcome(lambda: int("x"))
    with pytest.raises(AssertionError, match="RuntimeWarning"):
        outcome(lambda: np.exp(np.float32(1e30)))
    _, error = outcome(lambda: layers.Dense(0))
    assert isinstance(error, ValueError)


# ---------------------------------------------------------------------------- models
def dense_model(features: int, hidden: int, activation: str, dtype: str) -> nn.Sequential:
    model = nn.Sequential([layers.Dense(hidden, activation=activation, input_shape=(features,)),
                           layers.Dense(1, activation="sigmoid")], seed=0, dtype=dtype)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def dense_reference(model: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """The Dense → Dense(sigmoid) model in float64, written out."""
    kernel1, bias1, kernel2, bias2 = (w.astype(np.float64) for w in model.get_weights())
    z = x.astype(np.float64) @ kernel1 + bias1
    activation = model.layers[0].activation
    h = {"relu": np.maximum(z, 0), "tanh": np.tanh(z), "linear": z,
         "sigmoid": 1 / (1 + np.exp(-z))}[activation]
    return 1 / (1 + np.exp(-(h @ kernel2 + bias2)))


MODEL_SETUP = dict(features=st.integers(1, 4), hidden=st.integers(1, 3),
                   activation=st.sampled_from(["relu", "tanh", "linear", "sigmoid"]),
                   dtype=st.sampled_from(FLOAT_DTYPES), n=st.integers(1, 4))


@settings(max_examples=60)
@given(data=st.data(), **MODEL_SETUP)
def test_dense_model_predict(data, features, hidden, activation, dtype, n):
    model = dense_model(features, hidden, activation, dtype)
    x = data.draw(data_arrays(data.draw(shapes((n, features)))))
    result, error = outcome(lambda: model.predict(x, batch_size=data.draw(st.integers(1, 3))))
    if error is None:
        assert result.shape == (len(x), 1) and result.dtype == np.dtype(dtype)
        assert_finite(result)
        if is_ordinary(x) and dtype != "float16":
            np.testing.assert_allclose(result, dense_reference(model, x), rtol=1e-4, atol=1e-5)


@settings(max_examples=40)
@given(data=st.data(), **MODEL_SETUP)
def test_dense_model_fit_and_evaluate(data, features, hidden, activation, dtype, n):
    model = dense_model(features, hidden, activation, dtype)
    x = data.draw(data_arrays(data.draw(shapes((n, features)))))
    y_shape = data.draw(st.sampled_from([(n,), (n, 1)]))     # Keras takes both
    y = data.draw(labels(data.draw(shapes(y_shape, max_rank=2))))
    before = model.get_weights()
    history, error = outcome(lambda: model.fit(x, y, epochs=1, batch_size=2, verbose=0))
    weights = model.get_weights()
    assert_finite(*weights)                       # never NaN weights, whatever happened
    if error is None:
        assert_finite(history.history["loss"], history.history["accuracy"])
        assert 0.0 <= history.history["accuracy"][0] <= 1.0
    elif not isinstance(error, nn.TrainingDivergedError):
        for b, a in zip(before, weights):         # refused data trains nothing
            np.testing.assert_array_equal(a, b)
    result, error = outcome(lambda: model.evaluate(x, y, verbose=0))
    if error is None:
        loss, accuracy = result
        assert np.isfinite(loss) and loss >= 0 and 0.0 <= accuracy <= 1.0


@settings(max_examples=40)
@given(data=st.data(), **MODEL_SETUP)
def test_dense_model_call_train_on_batch_and_loss_and_grads(data, features, hidden, activation,
                                                             dtype, n):
    model = dense_model(features, hidden, activation, dtype)
    x = data.draw(data_arrays(data.draw(shapes((n, features)))))
    y = data.draw(labels(data.draw(shapes((n,), max_rank=2))))
    result, error = outcome(lambda: model(x))
    if error is None:
        assert result.shape == (len(x), 1) and result.dtype == np.dtype(dtype)
        assert_finite(result)
    result, error = outcome(lambda: model.loss_and_grads(x, y))
    if error is None:
        loss, grads = result
        assert np.isfinite(loss)
        assert [g.shape for g in grads] == [w.shape for w in model.get_weights()]
        assert_finite(*grads)
    result, error = outcome(lambda: model.train_on_batch(x, y))
    assert_finite(*model.get_weights())
    if error is None:
        assert np.isfinite(result[0]) and 0.0 <= result[1] <= 1.0


def sequence_model(vocab: int, units: int, mask_zero: bool) -> nn.Sequential:
    model = nn.Sequential([layers.Embedding(vocab, 3, mask_zero=mask_zero), layers.LSTM(units),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


@st.composite
def token_ids(draw, vocab: int, n: int, steps: int):
    """Mostly valid ids (ints or whole floats), sometimes anything arrays_of draws."""
    shape = draw(shapes((n, steps)))
    if draw(st.booleans()):
        size = int(np.prod(shape))
        ids = draw(st.lists(st.integers(0, vocab - 1), min_size=size, max_size=size))
        dtype = draw(st.sampled_from(["int32", "int64", "uint8", "float32", "float64"]))
        return np.array(ids, dtype=dtype).reshape(shape)
    return draw(data_arrays(shape))


SEQUENCE_SETUP = dict(vocab=st.integers(2, 6), units=st.integers(1, 3), mask_zero=st.booleans(),
                      n=st.integers(1, 3), steps=st.integers(1, 4))


@settings(max_examples=50)
@given(data=st.data(), **SEQUENCE_SETUP)
def test_sequence_model_predict(data, vocab, units, mask_zero, n, steps):
    model = sequence_model(vocab, units, mask_zero)
    ids = data.draw(token_ids(vocab, n, steps))
    result, error = outcome(lambda: model.predict(ids))
    if error is None:
        assert result.shape == (len(ids), 1) and result.dtype == np.float32
        assert_finite(result)
        assert np.all((result >= 0) & (result <= 1))
        valid = np.asarray(ids)
        assert valid.ndim == 2 and valid.min() >= 0 and valid.max() < vocab


@settings(max_examples=30)
@given(data=st.data(), **SEQUENCE_SETUP)
def test_sequence_model_fit_and_evaluate(data, vocab, units, mask_zero, n, steps):
    model = sequence_model(vocab, units, mask_zero)
    ids = data.draw(token_ids(vocab, n, steps))
    y = data.draw(labels(data.draw(shapes((n,), max_rank=2))))
    history, error = outcome(lambda: model.fit(ids, y, epochs=1, batch_size=2, verbose=0))
    assert_finite(*model.get_weights())
    if error is None:
        assert_finite(history.history["loss"])
    result, error = outcome(lambda: model.evaluate(ids, y, verbose=0))
    if error is None:
        assert np.isfinite(result[0]) and 0.0 <= result[1] <= 1.0


# ---------------------------------------------------------------------------- layers, called
def make_layer(kind: str, units: int, dtype: str = "float32"):
    return {"dense": lambda: layers.Dense(units, activation="tanh", dtype=dtype),
            "activation": lambda: layers.Activation("sigmoid", dtype=dtype),
            "relu": lambda: layers.ReLU(dtype=dtype),
            "sigmoid": lambda: layers.Sigmoid(dtype=dtype),
            "tanh": lambda: layers.Tanh(dtype=dtype),
            "dropout": lambda: layers.Dropout(0.5, seed=0, dtype=dtype),
            "embedding": lambda: layers.Embedding(5, units, dtype=dtype),
            "lstm": lambda: layers.LSTM(units, return_sequences=True, dtype=dtype),
            "lstm_cell": lambda: layers.LSTMCell(units, dtype=dtype)}[kind]()


USUAL_INPUT = {"embedding": (2, 3), "lstm": (2, 3, 2), "lstm_cell": (2, 3)}


@settings(max_examples=150)
@given(data=st.data(), units=st.integers(1, 3), training=st.booleans(),
       kind=st.sampled_from(["dense", "activation", "relu", "sigmoid", "tanh", "dropout",
                             "embedding", "lstm", "lstm_cell"]),
       dtype=st.sampled_from(["float32", "float32", "float64", "float16"]))
def test_layer_call(data, kind, units, training, dtype):
    layer = make_layer(kind, units, dtype)
    x = data.draw(data_arrays(data.draw(shapes(USUAL_INPUT.get(kind, (2, 3))))))
    result, error = outcome(lambda: layer(x, training=training))
    if error is not None:
        return
    outputs = [result[0]] + list(result[1]) if kind == "lstm_cell" else [result]
    for output in outputs:
        assert output.dtype == np.dtype(dtype) and len(output) == len(x)
        assert_finite(output)
    expected = {"dense": x.shape[:-1] + (units,), "embedding": x.shape + (units,),
                "lstm": x.shape[:-1] + (units,), "lstm_cell": (len(x), units)}
    assert outputs[0].shape == expected.get(kind, x.shape)
    tolerance = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-12}[dtype]
    x64 = x.astype(dtype).astype(np.float64)       # the input as the layer sees it
    if kind in ("activation", "relu", "sigmoid", "tanh") and is_ordinary(x):
        reference = {"activation": 1 / (1 + np.exp(-x64)), "sigmoid": 1 / (1 + np.exp(-x64)),
                     "relu": np.maximum(x64, 0), "tanh": np.tanh(x64)}[kind]
        np.testing.assert_allclose(result, reference, rtol=tolerance, atol=tolerance)
    if kind == "dense" and is_ordinary(x):
        kernel, bias = layer.get_weights()
        reference = np.tanh(x64 @ kernel + bias)
        np.testing.assert_allclose(result, reference, rtol=tolerance, atol=10 * tolerance)


@settings(max_examples=60)
@given(data=st.data(), kind=st.sampled_from(["dense", "activation", "dropout", "embedding",
                                             "lstm"]))
def test_layer_backward(data, kind):
    """backward with gradients of random shapes, dtypes and values, after a valid forward."""
    layer = make_layer(kind, 2)
    x = np.array([[1, 2, 0], [3, 4, 1]]) if kind == "embedding" else \
        np.linspace(-1, 1, np.prod(USUAL_INPUT.get(kind, (2, 3)))).reshape(
            USUAL_INPUT.get(kind, (2, 3)))
    y = layer(x, training=True)
    dy = data.draw(data_arrays(data.draw(shapes(y.shape))))
    result, error = outcome(lambda: layer.backward(dy))
    if error is None:
        assert dy.shape == y.shape
        if kind == "embedding":
            assert result is None
            result = layer.grads["embeddings"]
        else:
            assert result.shape == x.shape
        assert_finite(result, *layer.grads.values())


# ---------------------------------------------------------------------------- losses & metrics
LOSSES = {"bce": losses.BinaryCrossentropy(), "bce_logits": losses.BinaryCrossentropy(True),
          "mse": losses.MeanSquaredError()}


def loss_reference(kind: str, y: np.ndarray, p: np.ndarray) -> float:
    if kind == "mse":
        return float(np.mean((p - y) ** 2))
    if kind == "bce_logits":
        return float(np.mean(np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p)))))
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(q + 1e-7) + (1 - y) * np.log(1 - q + 1e-7)))


@settings(max_examples=150)
@given(data=st.data(), kind=st.sampled_from(sorted(LOSSES)), n=st.integers(1, 4),
       trailing=st.sampled_from([(), (1,), (2,)]))
def test_loss_called_directly(data, kind, n, trailing):
    y_true = data.draw(labels(data.draw(shapes((n,) + trailing))))
    y_pred = data.draw(data_arrays(data.draw(shapes((n,) + data.draw(st.sampled_from(
        [trailing, (1,), ()]))))))
    result, error = outcome(lambda: LOSSES[kind].forward(y_true, y_pred))
    if error is not None:
        return
    loss, gradient = result
    assert isinstance(loss, float) and np.isfinite(loss)
    assert gradient.shape == y_pred.shape and gradient.dtype.kind == "f"
    assert_finite(gradient)
    if is_ordinary(y_true, y_pred) and y_pred.dtype != np.float16:
        y64 = y_true.reshape(-1).astype(np.float64)          # same size: the shapes agreed
        p64 = y_pred.reshape(-1).astype(np.float64)
        assert loss == pytest.approx(loss_reference(kind, y64, p64), rel=1e-4, abs=1e-6)


@settings(max_examples=100)
@given(data=st.data(), n=st.integers(1, 4), trailing=st.sampled_from([(), (1,), (2,)]))
def test_binary_accuracy_called_directly(data, n, trailing):
    y_true = data.draw(labels(data.draw(shapes((n,) + trailing))))
    y_pred = data.draw(data_arrays(data.draw(shapes((n,) + data.draw(st.sampled_from(
        [trailing, (1,), ()]))))))
    result, error = outcome(lambda: metrics.binary_accuracy(y_true, y_pred))
    if error is None:
        assert isinstance(result, float) and 0.0 <= result <= 1.0
        assert y_true.size == y_pred.size                     # never a broadcast (n, n)
        expected = np.mean((y_pred.reshape(-1) > 0.5) == y_true.reshape(-1))
        assert result == pytest.approx(expected)


# ---------------------------------------------------------------------------- optimizers
OPTIMIZERS = {"sgd": lambda: optimizers.SGD(0.1), "momentum": lambda: optimizers.SGD(0.1, 0.9),
              "adam": lambda: optimizers.Adam(0.01),
              "clipnorm": lambda: optimizers.Adam(0.01, clipnorm=1.0),
              "global_clipnorm": lambda: optimizers.SGD(0.1, global_clipnorm=1.0)}


@settings(max_examples=150)
@given(data=st.data(), kind=st.sampled_from(sorted(OPTIMIZERS)),
       param_dtype=st.sampled_from(FLOAT_DTYPES), size=st.integers(0, 4),
       check_finite=st.booleans())
def test_apply_gradients(data, kind, param_dtype, size, check_finite):
    param = data.draw(arrays_of((size,), dtypes=[param_dtype], special_weight=0))
    grad = data.draw(data_arrays(data.draw(shapes((size,)))))
    before = param.copy()
    optimizer = OPTIMIZERS[kind]()
    result, error = outcome(lambda: optimizer.apply_gradients([param], [grad],
                                                              check_finite=check_finite))
    assert_finite(param)                          # never NaN weights, whatever happened
    if error is not None or result is False:
        np.testing.assert_array_equal(param, before)     # refused: nothing changed
        assert optimizer.iterations == 0
        return
    assert result is True and optimizer.iterations == 1
    if kind == "sgd" and is_ordinary(grad):
        step = (grad.astype(param.dtype) if grad.dtype.kind != "f" else grad) * -0.1
        expected = (before + step.astype(param.dtype)).astype(param.dtype)
        np.testing.assert_allclose(param, expected, rtol=2e-3, atol=1e-3)
