"""Array types (issue 17): every public entry point takes array-likes as NumPy's own functions
take plain arrays, and never computes with an array subclass's operators.

- np.matrix, np.memmap, any other ndarray subclass and objects with only ``__array__`` give
  exactly (bit for bit) the numbers of the plain array — validation.plain_array views a
  subclass as a plain ndarray at the entry point. Before that, ``*`` was a matrix product for
  an np.matrix target (a wrong MSE from evaluate, a wrong loss from fit).
- ``Garbage`` is an ndarray subclass whose arithmetic returns wrong numbers: an entry point
  that computed with the subclass's operators would give different numbers.
- masked arrays are refused — with or without masked values — by a TypeError naming the entry
  point and the argument (a masked NaN label used to reach training; predict then blamed an
  overflow "although x is finite").

Each case is one (entry point, argument) pair; CASES lists the functions, layers, losses,
tools, and MODEL_CALLS Sequential's methods.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable, List, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, array_shapes

import nanonet as nn
from nanonet import (augment, compress, datasets, gradcheck, layers, losses, metrics, ops,
                     optimizers, utils)
from nanonet.datasets import reviews
from nanonet.interop import from_keras_weights
from nanonet.teaching import statistics
from nanonet.text import Tokenizer, pad_sequences
from nanonet.validation import as_array, plain_array

from strategies import float64_arrays, seeds

#: np.matrix is what users still pass (scipy.sparse's .todense() returns one), whatever NumPy's
#: PendingDeprecationWarning says
pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")


# ============================================================================ array types
class Garbage(np.ndarray):
    """An ndarray subclass whose arithmetic is wrong: every float result of a ufunc (+, *,
    @, exp, sum …) is off by 0.25, and * and - return zeros. Nothing may compute with it."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [np.asarray(i) if isinstance(i, Garbage) else i for i in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(o) if isinstance(o, Garbage) else o
                                  for o in kwargs["out"])
        result = getattr(ufunc, method)(*inputs, **kwargs)
        if isinstance(result, np.ndarray) and result.dtype.kind == "f":
            return (result + 0.25).view(Garbage)
        return result

    def __mul__(self, other):
        return np.zeros(np.shape(self)).view(Garbage)

    def __sub__(self, other):
        return np.zeros(np.shape(self)).view(Garbage)


class ArrayOnly:
    """An object NumPy reads through ``__array__`` alone (no len, no indexing)."""

    def __init__(self, array: np.ndarray):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)


def memmap_of(array: np.ndarray, folder, writable: bool = False) -> np.memmap:
    """`array` written to a file in `folder` and mapped back (read-only unless `writable`)."""
    path = folder / f"memmap_{len(list(folder.iterdir()))}.dat"
    stored = np.memmap(path, dtype=array.dtype, mode="w+", shape=array.shape)
    stored[...] = array
    stored.flush()
    del stored
    return np.memmap(path, dtype=array.dtype, mode="r+" if writable else "r",
                     shape=array.shape)


KINDS = ["matrix", "memmap", "garbage", "__array__"]
MASKED = ["masked value", "nothing masked"]


def variant(kind: str, array: np.ndarray, folder, writable: bool = False):
    """`array` as the array type `kind` (same values)."""
    array = np.array(array)
    if kind == "matrix":
        return np.matrix(array)
    if kind == "memmap":
        return memmap_of(array, folder, writable)
    if kind == "garbage":
        return array.view(Garbage)
    if kind == "__array__":
        return ArrayOnly(array)
    if kind == "masked value":            # the first element hidden under the mask
        masked = np.ma.asarray(array)
        masked[(0,) * array.ndim] = np.ma.masked
        return masked
    if kind == "nothing masked":
        return np.ma.asarray(array)
    raise AssertionError(kind)


def assert_same(expected, got) -> None:
    """The same numbers, bit for bit, and plain types (no subclass leaks out)."""
    if isinstance(expected, dict):
        assert list(expected) == list(got)
        for key in expected:
            assert_same(expected[key], got[key])
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(got)
        for a, b in zip(expected, got):
            assert_same(a, b)
    elif isinstance(expected, np.ndarray):
        assert type(got) is np.ndarray, f"got a {type(got).__name__}"
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    else:
        assert type(got) is type(expected) and (got == expected or got != got), (expected, got)


# ============================================================================ Sequential
RNG = np.random.default_rng(17)
X = RNG.normal(size=(8, 3)).astype(np.float32)
Y = RNG.normal(size=(8, 4)).astype(np.float32)      # (4, 4) batches: np.matrix's * fits them


def new_model(seed: int = 0) -> nn.Sequential:
    model = nn.Sequential([layers.Dense(4, input_shape=(3,))], seed=seed)
    model.compile(optimizer="sgd", loss="mse")
    return model


def fit_run(model, x, y, **options):
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0, **options)
    return history.history, model.get_weights()


#: Sequential's entry points taking data, each a function (model, x, y) -> its numbers; the
#: validation_data calls pass the argument under test as (x_val, y_val) beside plain X, Y
MODEL_CALLS = {
    "evaluate": lambda m, x, y: m.evaluate(x, y, batch_size=4, verbose=0),
    "fit": fit_run,
    "fit validation_split": lambda m, x, y: fit_run(m, x, y, validation_split=0.5),
    "fit validation_data": lambda m, x, y: fit_run(m, X, Y, validation_data=(x, y)),
    "train_on_batch": lambda m, x, y: (m.train_on_batch(x, y), m.get_weights()),
    "loss_and_grads": lambda m, x, y: m.loss_and_grads(x, y),
    "predict": lambda m, x, y: m.predict(x),
    "__call__": lambda m, x, y: m(x),
}
MODEL_ARGUMENTS = [(call, argument) for call in MODEL_CALLS for argument in ("x", "y")
                   if argument == "x" or call not in ("predict", "__call__")]
MODEL_WHERE = {"fit validation_split": "Sequential.fit",
               "fit validation_data": "Sequential.fit (validation_data)"}


def run_model_call(call: str, argument: str, value):
    x, y = (value, Y) if argument == "x" else (X, value)
    return MODEL_CALLS[call](new_model(), x, y)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("call, argument", MODEL_ARGUMENTS)
def test_sequential_gives_the_plain_arrays_numbers(call, argument, kind, tmp_path):
    plain = X if argument == "x" else Y
    expected = run_model_call(call, argument, plain)
    assert_same(expected, run_model_call(call, argument, variant(kind, plain, tmp_path)))


@pytest.mark.parametrize("kind", MASKED)
@pytest.mark.parametrize("call, argument", MODEL_ARGUMENTS)
def test_sequential_refuses_masked_arrays(call, argument, kind, tmp_path):
    plain = X if argument == "x" else Y
    with pytest.raises(TypeError) as info:
        run_model_call(call, argument, variant(kind, plain, tmp_path))
    message = str(info.value)
    where = MODEL_WHERE.get(call, f"Sequential.{call}")
    assert message.startswith(f"{where}: {argument} is a masked array"), message
    assert "does not honour masks" in message
    assert (".filled(0.0)" if kind == "masked value" else "np.ma.getdata") in message


def test_the_issues_cases():
    """The reported bugs: an np.matrix target's MSE, and a masked NaN label or input."""
    model = new_model()
    truth = float(np.mean((model.predict(X) - Y) ** 2, dtype=np.float64))
    assert model.evaluate(X, np.matrix(Y), batch_size=8, verbose=0) == pytest.approx(truth)
    history = new_model().fit(X, np.matrix(Y), batch_size=4, epochs=3, verbose=0).history
    assert history == new_model().fit(X, Y, batch_size=4, epochs=3, verbose=0).history
    assert min(history["loss"]) > 0
    labels = np.ma.masked_invalid(np.where(np.eye(8, 4, dtype=bool), np.nan, Y))
    with pytest.raises(TypeError, match=r"Sequential.fit: y is a masked array .* with 4 "
                                        r"masked value\(s\) of 32"):
        new_model().fit(X, labels, verbose=0)
    inputs = np.ma.masked_invalid(np.where(np.eye(8, 3, dtype=bool), np.nan, X))
    with pytest.raises(TypeError) as info:
        new_model().predict(inputs)
    assert "masked array" in str(info.value) and "although" not in str(info.value)


@settings(max_examples=10)
@given(x=float64_arrays((8, 3)), y=float64_arrays((8, 4)), seed=seeds)
def test_matrix_data_trains_bit_identically(x, y, seed):
    """Any data, any seed: fit and evaluate on np.matrix x and y equal the plain run."""
    x, y = x.astype(np.float32), y.astype(np.float32)
    plain, matrix = new_model(seed), new_model(seed)
    assert_same(fit_run(plain, x, y), fit_run(matrix, np.matrix(x), np.matrix(y)))
    assert_same(plain.evaluate(x, y, batch_size=4, verbose=0),
                matrix.evaluate(np.matrix(x), np.matrix(y), batch_size=4, verbose=0))


@pytest.mark.parametrize("kind", KINDS + MASKED)
def test_set_weights(kind, tmp_path):
    weights = [w + 0.5 for w in new_model().get_weights()]
    expected = new_model()
    expected.set_weights(weights)
    model = new_model()
    given = [variant(kind, weights[0], tmp_path), weights[1]]
    if kind in MASKED:
        with pytest.raises(TypeError, match=r"set_weights.*weight 'kernel' is a masked array"):
            model.set_weights(given)
        return
    model.set_weights(given)
    assert_same(expected.get_weights(), model.get_weights())


# ============================================================================ everything else
@dataclass
class Case:
    """One entry point called on `args`, the argument `which` varied; `name` is how its
    error messages name that argument."""
    label: str
    call: Callable
    args: Sequence
    which: int
    name: str
    kinds: List[str] = field(default_factory=lambda: list(KINDS))
    writes: bool = False                 # the argument is changed in place (memmap: r+)

    def run(self, value):
        args = [np.array(a) if isinstance(a, np.ndarray) else a for a in self.args]
        args[self.which] = value
        return self.call(*args)


def built(layer, input_shape):
    layer.build(input_shape, np.random.default_rng(0))
    return layer


def dense_backward(dy):
    layer = built(layers.Dense(4), (3,))
    layer.forward(X[:4])
    return layer.backward(dy), layer.grads


def lstm_cell(x, h):
    return built(layers.LSTMCell(2), (3,))(x, [h, h])


def apply_gradients(param, grad, name="adam"):
    optimizers.get(name).apply_gradients([param], [grad])
    return np.array(param)               # read back from the array passed (updated in place)


def quantized_model():
    model = new_model()
    model.build((3,))
    return model, compress.quantize(model)


P = RNG.random((4, 4)).astype(np.float32)
T = (RNG.random((4, 4)) > 0.5).astype(np.float32)
IDS = np.array([[1, 2, 0, 3], [3, 1, 1, 4]])
X64 = X[:4].astype(np.float64)
H = RNG.normal(size=(4, 2)).astype(np.float32)
TOKENIZER = Tokenizer()
TOKENIZER.fit_on_texts(["a b c", "b c d e"])
Q8, SCALE = compress.quantize_int8(X, 1)
MODEL, QUANTIZED = quantized_model()
FIRST = RNG.random(12) > 0.4


def square(a):
    return float(np.sum(a * a))


CASES = [
    Case("MeanSquaredError y_true", losses.MeanSquaredError(), [T, P], 0, "y_true"),
    Case("MeanSquaredError y_pred", losses.MeanSquaredError(), [T, P], 1, "y_pred"),
    Case("BinaryCrossentropy.forward", losses.BinaryCrossentropy().forward, [T, P], 1, "y_pred"),
    Case("CategoricalCrossentropy.forward_from_logits",
         losses.CategoricalCrossentropy().forward_from_logits, [T, P], 1, "logits"),
    Case("binary_accuracy", metrics.binary_accuracy, [T, P], 0, "y_true"),
    Case("categorical_accuracy", metrics.categorical_accuracy, [T, P], 1, "y_pred"),
    Case("sparse_categorical_accuracy", metrics.sparse_categorical_accuracy,
         [IDS[:1].T, P], 0, "y_true"),
    Case("Dense(x)", lambda x: built(layers.Dense(4), (3,))(x), [X], 0, "input"),
    Case("Dense.backward", dense_backward, [Y[:4]], 0, "dy"),
    Case("Activation(x)", lambda x: layers.Activation("softmax")(x), [X], 0, "input"),
    Case("Embedding(ids)", lambda ids: built(layers.Embedding(5, 2), (4,))(ids), [IDS], 0,
         "input"),
    Case("LSTMCell states", lstm_cell, [X[:4], H], 1, "states[0] (h)"),
    Case("Dropout.forward", lambda x: layers.Dropout(0.5, seed=0).forward(x, training=True),
         [X], 0, "x"),
    Case("ops.sigmoid_grad_from_output", ops.sigmoid_grad_from_output, [P], 0, "x"),
    Case("ops.tanh", ops.tanh, [X], 0, "x"),
    Case("ops.relu", ops.relu, [X], 0, "x"),
    Case("ops.softplus", ops.softplus, [X], 0, "x"),
    Case("ops.log_sigmoid", ops.log_sigmoid, [X], 0, "x"),
    Case("ops.logsumexp", ops.logsumexp, [X], 0, "x"),
    Case("ops.softmax_backward_from_output", ops.softmax_backward_from_output, [T, P], 0,
         "x"),
    Case("to_categorical", utils.to_categorical, [IDS], 0, "y"),
    Case("pad_sequences", lambda s: pad_sequences(s, maxlen=5), [IDS], 0, "sequences"),
    Case("Tokenizer.sequences_to_matrix", TOKENIZER.sequences_to_matrix, [IDS], 0,
         "sequences"),
    Case("Tokenizer.sequences_to_texts", TOKENIZER.sequences_to_texts, [IDS], 0, "sequences"),
    Case("numerical_gradient", lambda x: gradcheck.numerical_gradient(square, x), [X64], 0,
         "x", kinds=["matrix", "memmap", "garbage"], writes=True),
    Case("relative_error", gradcheck.relative_error, [X64, X64 * 1.01], 0, "analytic"),
    Case("relative_error_map", gradcheck.relative_error_map, [X64, X64 * 1.01], 1, "numeric"),
    Case("compare", lambda a, n: gradcheck.compare("w", a, n).max_rel_error, [X64, X64 * 1.01],
         1, "numeric"),
    Case("check_formula", lambda x: [r.max_rel_error for r in gradcheck.check_formula(
        square, lambda a: 2 * a, x).rows], [X64], 0, "argument 0",
         kinds=["matrix", "memmap", "garbage"]),
    Case("check_layer", lambda x: [r.max_rel_error for r in gradcheck.check_layer(
        layers.Dense(2), x).rows], [X64], 0, "x", writes=True),
    Case("check_model", lambda y: [r.max_rel_error for r in gradcheck.check_model(
        new_model(), X64, y).rows], [Y[:4].astype(np.float64)], 0, "y"),
    Case("epsilon_sweep", lambda x: gradcheck.epsilon_sweep(square, lambda a: 2 * a, x,
                                                            [1e-3]).errors, [X64], 0, "x"),
    Case("quantize_int8", lambda w: compress.quantize_int8(w, 1), [X], 0, "w"),
    Case("dequantize_int8", lambda q: compress.dequantize_int8(q, SCALE, 1), [Q8], 0, "q"),
    Case("QuantizedModel.predict", QUANTIZED.predict, [X], 0, "x"),
    Case("error_bound", lambda x: compress.error_bound(MODEL, QUANTIZED, x), [X], 0, "x"),
    Case("add_jitter", lambda x: augment.add_jitter(x, 0.1, np.random.default_rng(0)), [X], 0,
         "x"),
    Case("scale_features", lambda x: augment.scale_features(x, 0.1, np.random.default_rng(0)),
         [X], 0, "x"),
    Case("apply_augment", lambda x: augment.apply_augment(augment.jitter(0.1), x, seed=0)[0],
         [X], 0, "x"),
    Case("drop_tokens", lambda ids: augment.drop_tokens(ids, 0.3, np.random.default_rng(0)),
         [IDS], 0, "ids"),
    Case("replace_tokens", lambda ids: augment.replace_tokens(
        ids, 0.3, 5, np.random.default_rng(0)), [IDS], 0, "ids"),
    Case("crop_tokens", lambda ids: augment.crop_tokens(ids, 2, np.random.default_rng(0)),
         [IDS], 0, "ids"),
    Case("Adam.apply_gradients grads", apply_gradients, [X, Y[:, :3]], 1, "grads[0]"),
    Case("Adam.apply_gradients params", apply_gradients, [X, Y[:, :3]], 0, "params[0]",
         kinds=["matrix", "memmap", "garbage"], writes=True),
    Case("SGD.apply_gradients params", lambda p, g: apply_gradients(p, g, "sgd"),
         [X, Y[:, :3]], 0, "params[0]", kinds=["matrix", "memmap", "garbage"], writes=True),
    Case("from_keras_weights", lambda kernel: from_keras_weights(
        new_model(), [kernel, np.zeros(4, np.float32)]).get_weights(), [Y[:3]], 0,
         "weights[0]"),
    Case("standardize", lambda train: tuple(datasets.standardize(train, X)), [X * 3], 0,
         "train"),
    Case("train_test_split", lambda labels: reviews.train_test_split(
        list("abcdefgh"), labels, 0.25)[2:], [IDS.ravel() % 2], 0, "labels",
         kinds=["memmap", "garbage", "__array__"]),
    Case("char_naive_bayes", lambda labels: reviews.char_naive_bayes(
        ["ab", "ba", "cd", "dc"], labels, ["a", "c"]), [IDS[0] % 2], 0, "train_labels",
         kinds=["memmap", "garbage", "__array__"]),
    Case("paired_test", lambda first: tuple(statistics.paired_test(first, ~FIRST)), [FIRST],
         0, "first_correct", kinds=["memmap", "garbage", "__array__"]),
]


@pytest.mark.parametrize("case, kind", [(case, kind) for case in CASES for kind in case.kinds],
                         ids=lambda value: value.label if isinstance(value, Case) else value)
def test_entry_point_gives_the_plain_arrays_numbers(case, kind, tmp_path):
    value = variant(kind, case.args[case.which], tmp_path, case.writes)
    assert_same(case.run(case.args[case.which]), case.run(value))


@pytest.mark.parametrize("label, words", [
    ("numerical_gradient", ["x must be a float NumPy array"]),
    ("check_formula", ["none of the arguments is a float array"]),
    ("Adam.apply_gradients params", ["params[0] must be a NumPy float array",
                                     "updated in place"])])
def test_what_must_be_an_ndarray_refuses_other_array_likes(label, words):
    """Arguments changed in place (or perturbed in place) must be ndarrays: an object with
    only __array__ would be copied, and the change lost; they are refused, clearly."""
    case = next(case for case in CASES if case.label == label)
    with pytest.raises(TypeError) as info:
        case.run(ArrayOnly(np.array(case.args[case.which])))
    assert all(word in str(info.value) for word in words), str(info.value)


@pytest.mark.parametrize("kind", MASKED)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_entry_point_refuses_masked_arrays(case, kind, tmp_path):
    with pytest.raises(TypeError) as info:
        case.run(variant(kind, case.args[case.which], tmp_path))
    message = str(info.value)                 # "{where}: {argument} is a masked array …"
    assert f": {case.name} is a masked array (np.ma.MaskedArray)" in message, message
    assert "does not honour masks" in message


def test_a_list_of_masked_rows_is_refused_too():
    rows = [np.ma.asarray(row) for row in Y]
    with pytest.raises(TypeError, match=r"Sequential.fit: y\[0\] is a masked array"):
        new_model().fit(X, rows, verbose=0)
    with pytest.raises(TypeError, match=r"pad_sequences: sequences\[1\] is a masked array"):
        pad_sequences([[1, 2], np.ma.asarray([3, 4])])


def test_lstm_mask_and_pruning_masks_are_plain_arrays(tmp_path):
    """Masks given to a layer (an LSTM's mask, a pruning mask) follow the same rules."""
    lstm = built(layers.LSTM(2, return_sequences=True), (4, 3))
    x = RNG.normal(size=(2, 4, 3)).astype(np.float32)
    keep = np.array([[True, True, False, True], [True, False, True, True]])
    expected = lstm.forward(x, mask=keep)
    assert_same(expected, lstm.forward(x, mask=np.matrix(keep)))
    with pytest.raises(TypeError, match="mask is a masked array"):
        lstm.forward(x, mask=np.ma.asarray(keep))
    model = new_model()
    kernel = model.layers[0]
    kernel.weight_masks = {"kernel": np.ma.asarray(np.ones((3, 4), bool))}
    with pytest.raises(TypeError, match=r"weight_masks\['kernel'\] is a masked array"):
        model.fit(X, Y, verbose=0)


# ============================================================================ the helper itself
@settings(max_examples=25)
@given(array=arrays(st.sampled_from([np.float16, np.float32, np.float64, np.int64, np.bool_]),
                    array_shapes(min_dims=2, max_dims=2, max_side=4)))
def test_as_array_views_any_subclass_as_a_plain_array(array):
    for value in (np.matrix(array), array.view(Garbage)):
        result = as_array(value, "x", "f")
        assert type(result) is np.ndarray
        assert np.shares_memory(result, value)             # a view: nothing copied
        np.testing.assert_array_equal(result, array)
    assert as_array(array, "x", "f") is array                # a plain array: itself
    assert type(as_array(ArrayOnly(array), "x", "f")) is np.ndarray


def test_plain_array_wording():
    with pytest.raises(TypeError) as info:
        plain_array(np.ma.masked_invalid([1.0, np.nan, np.nan]), "y", "Sequential.fit")
    assert str(info.value) == (
        "Sequential.fit: y is a masked array (np.ma.MaskedArray) with 2 masked value(s) of 3; "
        "np.asarray would silently use the values under the mask (NaN, say). Fill them, e.g. "
        ".filled(0.0), or drop the samples that have them (np.ma.compress_rows for 2-D data — "
        "drop the same samples from the other arrays). nanonet takes plain arrays only and "
        "does not honour masks.")


def test_every_public_function_with_array_arguments_is_covered():
    """A walk over the public functions taking arrays: each must be a case above — or one of
    the equation functions, which take prepared arrays of one dtype and check nothing (as
    their docstrings say), or ops.linear, the identity, which computes nothing."""
    unchecked = {"dense_forward", "dense_backward", "activation_forward",
                 "activation_backward", "embedding_forward", "embedding_backward",
                 "dropout_forward", "dropout_backward", "lstm_step_forward",
                 "lstm_step_backward", "lstm_forward", "lstm_backward",
                 "bce_from_probabilities", "bce_from_logits", "mean_squared_error",
                 "cce_from_probabilities", "cce_from_logits", "scce_from_probabilities",
                 "scce_from_logits", "linear"}
    covered = " ".join(case.label for case in CASES) + " " + " ".join(MODEL_CALLS)
    array_names = {"x", "y", "y_true", "y_pred", "ids", "sequences", "w", "q", "analytic",
                   "numeric", "first_correct", "weights", "params", "grads", "dy"}
    missing = []
    for module in (losses, metrics, ops, utils, compress, augment, gradcheck, layers,
                   nn.text):
        for name in getattr(module, "__all__", dir(module)):
            function = getattr(module, name)
            if not inspect.isfunction(function) or name.startswith("_") or name in unchecked \
                    or not function.__module__.startswith(module.__name__):
                continue                               # (imported helpers are not its API)
            parameters = set(inspect.signature(function).parameters)
            if parameters & array_names and name not in covered:
                missing.append(f"{module.__name__}.{name}")
    assert not missing, f"public functions taking arrays without a case here: {missing}"
