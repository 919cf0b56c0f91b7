"""Bad input gets a clear exception: the right TYPE, and a message that names the layer or
argument, the value received and what was expected.

Covered here (one focused test per case, parametrized where the cases are alike):

- wrong number of features for a built Dense: via predict / fit / evaluate, and calling the
  layer directly (inside a model and standalone);
- x / y length mismatch in fit and evaluate (and in validation_data);
- labels outside [0, 1] for binary_crossentropy (fit and evaluate);
- NaN and inf in x and in y for fit / evaluate / predict (and nothing is trained on them);
- unknown loss / optimizer / activation / metric / initializer names: the valid names are listed
  and the closest is suggested ("adma" -> "adam"); a class passed where a name or instance goes;
- set_weights with the wrong count and with a wrong shape, on the model and on a layer
  (and on a layer that is not built yet);
- predict on an empty Sequential; a model whose first layer has no input shape builds from the
  data; Sequential.build() with no shape known;
- batch_size < 1 and non-integer batch_size (fit / evaluate / predict); epochs=0 and non-integer
  epochs; an empty dataset (x with 0 rows);
- fit / evaluate / train_on_batch / loss_and_grads before compile -> RuntimeError saying to compile;
- learning_rate <= 0 (and NaN) for SGD and Adam;
- a layer class instead of an instance in Sequential;
- ragged Python lists, string arrays and complex arrays as x; strings as y;
- verbose=5; validation_split=1.5 (and other values outside [0, 1));
- things that must be ACCEPTED: a Python list of labels `[1, 0, 1]` (the article's script),
  lists as x, a NumPy integer batch_size;
- a loss that turns NaN/inf during fit raises nanonet.TrainingDivergedError naming the epoch and
  batch and suggesting a lower learning rate, and the weights stay finite — exactly those from
  before the bad batch.

The second half of the file covers every other entry point of the model half of the API,
called directly: layer constructors, ``layer(x)``, ``forward``/``backward`` (wrong shapes,
ranks, dtypes, NaN, unbuilt layers, backward before forward, Embedding ids, LSTM masks and
states, Dropout noise shapes), losses and ``binary_accuracy`` (the (n,) vs (n, 1) broadcast that
used to give a silent wrong number, labels and probabilities out of range, NaN, overflow),
optimizers (lists, Keras's (gradient, weight) pairs, NaN gradients, overflowing steps and
float16 state, reused state, read-only weights, clipping, unknown arguments), initializers
(custom callables of the wrong shape or signature), ``ops`` on non-float input, and the
Sequential methods not covered above (constructor, build, compile, fit's shuffle and
validation_data, set_weights, summary, from_config, and predict/evaluate/__call__/
loss_and_grads whose numbers overflow although the inputs are finite).

Tests marked ``xfail(strict=True)`` assert the correct behaviour of code this file's author does
not own; each reason says what happens now. When the owner fixes it the test XPASSes, which fails
the run (strict) as a reminder to drop the marker.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, optimizers

N_FEATURES = 3


# ---------------------------------------------------------------------------- helpers
def make_model(compiled: bool = True, loss: str = "binary_crossentropy", metrics=("accuracy",),
               optimizer="adam") -> nn.Sequential:
    """A small built model: Dense(4, relu) -> Dense(1, sigmoid), inputs (None, 3)."""
    model = nn.Sequential([layers.Dense(4, activation="relu", input_shape=(N_FEATURES,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    if compiled:
        model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def make_data(n: int = 6):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, N_FEATURES))
    y = np.array([0.0, 1.0] * (n // 2) + [0.0] * (n % 2))
    return x, y


def call(model, method: str, x, y=None, **kwargs):
    """model.fit / evaluate / predict with quiet output."""
    if method == "fit":
        return model.fit(x, y, verbose=0, **kwargs)
    if method == "evaluate":
        return model.evaluate(x, y, verbose=0, **kwargs)
    return model.predict(x, **kwargs)


def message(excinfo) -> str:
    return str(excinfo.value)


def assert_weights_equal(before, after):
    assert len(before) == len(after)
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- wrong feature count
@pytest.mark.parametrize("method", ["predict", "fit", "evaluate"])
def test_wrong_feature_count_through_the_model(method):
    model = make_model()
    x = np.zeros((6, 5))
    y = np.zeros(6)
    with pytest.raises(ValueError) as excinfo:
        call(model, method, x, y)
    text = message(excinfo)
    assert f"Sequential.{method}" in text
    assert "(6, 5)" in text                          # the shape received
    assert re.search(r"\(None, 3,?\)", text)         # the shape expected
    assert "Dense 'dense'" in text                   # the layer that fixes it


def test_wrong_feature_count_calling_a_built_layer_of_a_model_directly():
    model = make_model()
    with pytest.raises(ValueError) as excinfo:
        model.layers[0](np.zeros((2, 5)))
    text = message(excinfo)
    assert "Dense 'dense'" in text
    assert "(None, 3)" in text and "(2, 5)" in text


def test_wrong_feature_count_calling_a_standalone_layer_directly():
    dense = layers.Dense(2, name="hidden")
    dense(np.zeros((1, 3)))                          # builds for 3 features
    with pytest.raises(ValueError) as excinfo:
        dense(np.zeros((1, 4)))
    text = message(excinfo)
    assert "Dense 'hidden'" in text
    assert "(None, 3)" in text and "(1, 4)" in text


def test_layer_input_must_be_a_batch():
    with pytest.raises(ValueError, match=r"shape \(4,\).*x\[None\]"):
        make_model().predict(np.arange(4.0))


# ---------------------------------------------------------------------------- x / y length
@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_x_y_length_mismatch(method):
    x, y = make_data(6)
    with pytest.raises(ValueError) as excinfo:
        call(make_model(), method, x, y[:4])
    text = message(excinfo)
    assert f"Sequential.{method}" in text
    assert "x and y" in text
    assert "x with 6" in text and "y with 4" in text


def test_x_y_length_mismatch_in_validation_data():
    x, y = make_data(6)
    with pytest.raises(ValueError, match=r"validation_data.*x with 6.*y with 3"):
        make_model().fit(x, y, validation_data=(x, y[:3]), verbose=0)


def test_y_with_wrong_number_of_outputs():
    x, _ = make_data(6)
    with pytest.raises(ValueError, match=r"y has shape \(6, 2\).*\(None, 1\)"):
        make_model().fit(x, np.zeros((6, 2)), verbose=0)


# ---------------------------------------------------------------------------- labels for BCE
@pytest.mark.parametrize("method", ["fit", "evaluate"])
@pytest.mark.parametrize("bad_label", [2.0, -1.0, 1.5])
def test_binary_crossentropy_labels_outside_0_1(method, bad_label):
    x, y = make_data(6)
    y[3] = bad_label
    model = make_model()
    before = model.get_weights()
    with pytest.raises(ValueError) as excinfo:
        call(model, method, x, y)
    text = message(excinfo)
    assert f"Sequential.{method}" in text
    assert "binary_crossentropy" in text
    assert "[0, 1]" in text                          # what was expected
    assert str(bad_label) in text                    # the value received
    assert_weights_equal(before, model.get_weights())


def test_binary_crossentropy_label_error_reads_plainly():
    x, y = make_data(6)
    y[3] = 2.0
    with pytest.raises(ValueError) as excinfo:
        make_model().fit(x, y, verbose=0)
    text = message(excinfo)
    assert "np.float32" not in text
    assert "y[3] = 2.0" in text


def test_mse_accepts_labels_outside_0_1():
    """Labels in [-2, 3] are regression targets, used as given: each of fit's two steps
    (batches of 3, in order) is −lr times the gradient of their mean squared error, and the
    loss fit reports is the mean of the two batches' losses."""
    x, y = make_data(6)
    targets = y * 5.0 - 2.0
    model = make_model(loss="mse", metrics=(), optimizer="sgd")
    reference = make_model(loss="mse", metrics=(), optimizer="sgd")
    learning_rate, losses = reference.optimizer.learning_rate, []
    for rows in (slice(0, 3), slice(3, 6)):
        expected = np.mean((reference.predict(x[rows]).ravel() - targets[rows]) ** 2)
        loss, grads = reference.loss_and_grads(x[rows], targets[rows])
        np.testing.assert_allclose(loss, expected, rtol=1e-5)
        losses.append(loss)
        reference.set_weights([w - learning_rate * g
                               for w, g in zip(reference.get_weights(), grads)])
    history = model.fit(x, targets, epochs=1, batch_size=3, shuffle=False, verbose=0)
    assert min(losses) > 1.0                # more than labels in [0, 1] could give here
    np.testing.assert_allclose(history.history["loss"], [np.mean(losses)], rtol=1e-5)
    for w, expected in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(w, expected, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------------------- NaN / inf
NON_FINITE_CASES = [(method, which, bad)
                    for method in ("fit", "evaluate", "predict")
                    for which in ("x", "y")
                    for bad in (np.nan, np.inf, -np.inf)
                    if not (method == "predict" and which == "y")]


@pytest.mark.parametrize("method, which, bad", NON_FINITE_CASES)
def test_non_finite_values_in_x_or_y(method, which, bad):
    x, y = make_data(6)
    if which == "x":
        x[4, 2] = bad
        index = "(4, 2)"
    else:
        y[4] = bad
        index = "(4,)"
    model = make_model()
    before = model.get_weights()
    with pytest.raises(ValueError) as excinfo:
        call(model, method, x, y)
    text = message(excinfo)
    assert f"Sequential.{method}" in text
    assert f"{which} contains {float(bad)}" in text  # which argument, which value ("nan", "-inf")
    assert f"at index {index}" in text               # where it is
    assert "finite" in text                          # what was expected
    assert "np.float" not in text                    # a plain value, not a NumPy repr
    assert_weights_equal(before, model.get_weights())   # nothing was trained on it


def test_non_finite_values_in_validation_data():
    x, y = make_data(6)
    x_val = x.copy()
    x_val[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"validation_data.*x contains nan"):
        make_model().fit(x, y, validation_data=(x_val, y), verbose=0)


def test_non_finite_values_calling_a_layer_directly():
    x = np.ones((2, 3))
    x[1, 1] = np.inf
    with pytest.raises(ValueError, match=r"Dense 'dense'.*contains inf at index \(1, 1\)"):
        make_model().layers[0](x)


def test_values_too_large_for_float32():
    x, _ = make_data(6)
    x[0, 0] = 1e300
    with pytest.raises(ValueError, match=r"Sequential.predict: x holds values up to 1e\+300.*"
                                         r"float32"):
        make_model().predict(x)


# ---------------------------------------------------------------------------- unknown names
def _compile_with(**kwargs):
    arguments = {"optimizer": "adam", "loss": "binary_crossentropy"}
    arguments.update(kwargs)
    make_model(compiled=False).compile(**arguments)


UNKNOWN_NAME_CASES = [
    # (id, action, bad name, kind, a valid name that must be listed, the suggestion)
    ("optimizer", lambda: _compile_with(optimizer="adma"), "adma", "optimizer", "sgd", "adam"),
    ("loss", lambda: _compile_with(loss="binary_crossentropie"), "binary_crossentropie", "loss",
     "mse", "binary_crossentropy"),
    ("metric", lambda: _compile_with(metrics=["acuracy"]), "acuracy", "metric",
     "binary_accuracy", "accuracy"),
    ("dense-activation", lambda: layers.Dense(2, activation="relo"), "relo", "activation",
     "sigmoid", "relu"),
    ("activation-layer", lambda: layers.Activation("sigmod"), "sigmod", "activation", "tanh",
     "sigmoid"),
    ("kernel-initializer", lambda: layers.Dense(2, kernel_initializer="glorot_unifrom"),
     "glorot_unifrom", "kernel_initializer", "zeros", "glorot_uniform"),
    ("bias-initializer", lambda: layers.Dense(2, bias_initializer="zero"), "zero",
     "bias_initializer", "glorot_uniform", "zeros"),
]


@pytest.mark.parametrize("action, bad, kind, listed, suggestion",
                         [case[1:] for case in UNKNOWN_NAME_CASES],
                         ids=[case[0] for case in UNKNOWN_NAME_CASES])
def test_unknown_name_lists_valid_names_and_suggests_the_closest(action, bad, kind, listed,
                                                                 suggestion):
    with pytest.raises(ValueError) as excinfo:
        action()
    text = message(excinfo)
    assert f"Unknown {kind} {bad!r}" in text         # the argument and the value received
    assert "Valid" in text and listed in text        # what was expected
    did_you_mean = re.search(r"Did you mean (.*)\?", text)
    assert did_you_mean, text
    assert did_you_mean.group(1).split(" or ")[0] == repr(suggestion)   # closest first


def test_unknown_optimizer_class_instead_of_instance():
    with pytest.raises(ValueError) as excinfo:
        _compile_with(optimizer=optimizers.Adam)
    text = message(excinfo)
    assert "optimizer" in text and "Adam()" in text and "adam, rmsprop, sgd" in text


def test_compile_without_loss():
    with pytest.raises(ValueError, match=r"compile: loss is required"):
        make_model(compiled=False).compile(optimizer="adam")


# ---------------------------------------------------------------------------- set_weights
def test_model_set_weights_wrong_count():
    model = make_model()
    with pytest.raises(ValueError) as excinfo:
        model.set_weights(model.get_weights()[:3])
    text = message(excinfo)
    assert "Sequential.set_weights" in text
    assert "expected 4 arrays" in text and "got 3" in text
    assert "dense_1/bias (1,)" in text               # lists what each array should be


def test_model_set_weights_wrong_shape():
    model = make_model()
    before = model.get_weights()
    weights = model.get_weights()
    weights[2] = np.zeros((1, 4))
    with pytest.raises(ValueError) as excinfo:
        model.set_weights(weights)
    text = message(excinfo)
    assert "Sequential.set_weights" in text
    assert "Dense 'dense_1'" in text and "'kernel'" in text
    assert "(4, 1)" in text and "(1, 4)" in text
    assert_weights_equal(before, model.get_weights())   # nothing half-written


def test_layer_set_weights_wrong_count():
    layer = make_model().layers[0]
    with pytest.raises(ValueError) as excinfo:
        layer.set_weights([np.zeros((3, 4))])
    text = message(excinfo)
    assert "Dense 'dense'.set_weights" in text
    assert "expected 2 arrays" in text and "got 1" in text
    assert "kernel (3, 4)" in text and "bias (4,)" in text


def test_layer_set_weights_wrong_shape():
    layer = make_model().layers[0]
    with pytest.raises(ValueError) as excinfo:
        layer.set_weights([np.zeros((4, 3)), np.zeros(4)])
    text = message(excinfo)
    assert "Dense 'dense'.set_weights" in text
    assert "'kernel'" in text and "(3, 4)" in text and "(4, 3)" in text


def test_layer_set_weights_non_finite():
    layer = make_model().layers[0]
    kernel = np.zeros((3, 4))
    kernel[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"Dense 'dense'.set_weights: weight 'kernel' contains "
                                         r"nan at index \(1, 2\)"):
        layer.set_weights([kernel, np.zeros(4)])


def test_model_set_weights_before_build():
    model = nn.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match=r"Sequential.set_weights: the model is not built"):
        model.set_weights([np.zeros((3, 2)), np.zeros(2)])


def test_layer_set_weights_before_build():
    with pytest.raises(ValueError, match=r"not built"):
        layers.Dense(2).set_weights([np.zeros((3, 2)), np.zeros(2)])


# ---------------------------------------------------------------------------- building
def test_predict_on_an_empty_sequential():
    with pytest.raises(ValueError, match=r"Sequential.predict: the model has no layers"):
        nn.Sequential().predict(np.zeros((2, 3)))


def test_predict_builds_a_model_whose_first_layer_has_no_input_shape():
    model = nn.Sequential([layers.Dense(4, activation="tanh"), layers.Dense(2)], seed=0)
    assert not model.built
    out = model.predict(np.ones((5, 3)))
    assert out.shape == (5, 2) and out.dtype == np.float32
    assert model.built and model.input_shape == (None, 3)
    with pytest.raises(ValueError, match=r"\(5, 7\)"):   # and now it is fixed to 3 features
        model.predict(np.ones((5, 7)))


def test_fit_builds_a_model_whose_first_layer_has_no_input_shape():
    model = nn.Sequential([layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = make_data(6)
    model.fit(x, y, verbose=0)
    assert model.input_shape == (None, 3)


def test_build_with_no_shape_known():
    model = nn.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError) as excinfo:
        model.build()
    text = message(excinfo)
    assert "Sequential.build" in text and "input shape is unknown" in text
    assert "model.build((" in text and "input_shape=" in text   # says how to fix it


def test_build_with_no_layers():
    with pytest.raises(ValueError, match=r"Sequential.build: the model has no layers"):
        nn.Sequential().build((3,))


# ---------------------------------------------------------------------------- batch_size, epochs
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_one(method, batch_size):
    x, y = make_data(6)
    with pytest.raises(ValueError) as excinfo:
        call(make_model(), method, x, y, batch_size=batch_size)
    text = message(excinfo)
    assert f"Sequential.{method}: batch_size must be >= 1, got {batch_size}" in text


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("batch_size", [2.5, 4.0, "4", True])
def test_batch_size_not_an_integer(method, batch_size):
    x, y = make_data(6)
    with pytest.raises(TypeError) as excinfo:
        call(make_model(), method, x, y, batch_size=batch_size)
    text = message(excinfo)
    assert f"Sequential.{method}: batch_size must be an integer" in text
    assert repr(batch_size) in text


def test_numpy_integer_batch_size_is_accepted():
    """np.int64(2) is batch size 2: three steps an epoch on 6 samples, the same weights as
    batch_size=2, not those of one full batch."""
    x, y = make_data(6)
    weights = {}
    for batch_size in (np.int64(2), 2, 6):
        model = make_model()
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        weights[type(batch_size).__name__ + str(batch_size)] = model.get_weights()
        assert model.optimizer.iterations == 6 // int(batch_size)
    for a, b in zip(weights["int642"], weights["int2"]):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(weights["int642"], weights["int6"]))


def test_epochs_zero():
    x, y = make_data(6)
    with pytest.raises(ValueError, match=r"Sequential.fit: epochs must be >= 1, got 0"):
        make_model().fit(x, y, epochs=0, verbose=0)


def test_epochs_not_an_integer():
    x, y = make_data(6)
    with pytest.raises(TypeError, match=r"Sequential.fit: epochs must be an integer, got 2.0"):
        make_model().fit(x, y, epochs=2.0, verbose=0)


# ---------------------------------------------------------------------------- empty dataset
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_empty_dataset(method):
    with pytest.raises(ValueError) as excinfo:
        call(make_model(), method, np.zeros((0, 3)), np.zeros(0))
    text = message(excinfo)
    assert f"Sequential.{method}: x is empty" in text
    assert "(0, 3)" in text and "at least one sample" in text


def test_empty_dataset_on_an_unbuilt_model():
    model = nn.Sequential([layers.Dense(1)])
    with pytest.raises(ValueError, match=r"Sequential.predict: x is empty"):
        model.predict(np.zeros((0, 3)))


# ---------------------------------------------------------------------------- not compiled
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "loss_and_grads"])
def test_training_before_compile(method):
    x, y = make_data(6)
    model = make_model(compiled=False)
    with pytest.raises(RuntimeError) as excinfo:
        if method in ("fit", "evaluate"):
            call(model, method, x, y)
        else:
            getattr(model, method)(x, y)
    text = message(excinfo)
    assert f"Sequential.{method}" in text
    assert "not compiled" in text and "model.compile(" in text


def test_predict_does_not_need_compile():
    x, _ = make_data(6)
    assert make_model(compiled=False).predict(x).shape == (6, 1)


# ---------------------------------------------------------------------------- learning rate
@pytest.mark.parametrize("optimizer_class", [optimizers.SGD, optimizers.Adam])
@pytest.mark.parametrize("learning_rate", [0, 0.0, -0.1, -1])
def test_learning_rate_not_positive(optimizer_class, learning_rate):
    with pytest.raises(ValueError) as excinfo:
        optimizer_class(learning_rate=learning_rate)
    text = message(excinfo)
    name = optimizer_class.__name__
    assert f"{name}: learning_rate must be in (0.0, inf)" in text   # what was expected
    assert f"got {float(learning_rate)}" in text                    # the value received


@pytest.mark.parametrize("optimizer_class", [optimizers.SGD, optimizers.Adam])
@pytest.mark.parametrize("learning_rate", [float("nan"), float("inf")])
def test_learning_rate_not_finite(optimizer_class, learning_rate):
    with pytest.raises(ValueError,
                       match=rf"{optimizer_class.__name__}: learning_rate must be finite, "
                             rf"got {learning_rate}"):
        optimizer_class(learning_rate=learning_rate)


@pytest.mark.parametrize("optimizer_class", [optimizers.SGD, optimizers.Adam])
def test_learning_rate_not_a_number(optimizer_class):
    with pytest.raises(TypeError, match=rf"{optimizer_class.__name__}: learning_rate must be a "
                                        rf"number, got '0.1'"):
        optimizer_class(learning_rate="0.1")


# ---------------------------------------------------------------------------- layer classes
def test_layer_class_instead_of_instance():
    with pytest.raises(TypeError) as excinfo:
        nn.Sequential([layers.Dense(4, input_shape=(3,)), layers.Sigmoid])
    text = message(excinfo)
    assert "Sequential.add" in text
    assert "Sigmoid" in text                         # the value received
    assert "instead of an instance" in text          # what was expected


def test_not_a_layer():
    with pytest.raises(TypeError, match=r"Sequential.add: expected a nanonet layer, got 'relu'"):
        nn.Sequential([layers.Dense(4), "relu"])


# ---------------------------------------------------------------------------- data types
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_ragged_lists_as_x(method):
    x = [[0.1, 0.2, 0.3], [0.4, 0.5], [0.6, 0.7, 0.8]]
    with pytest.raises(ValueError) as excinfo:
        call(make_model(), method, x, [0, 1, 0])
    text = message(excinfo)
    assert f"Sequential.{method}: x must be a rectangular array" in text
    assert "ragged" in text and "pad" in text


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_string_array_as_x(method):
    x = np.array([["0.1", "0.2", "0.3"], ["a", "b", "c"]])
    with pytest.raises(TypeError) as excinfo:
        call(make_model(), method, x, [0, 1])
    text = message(excinfo)
    assert f"Sequential.{method}: x must hold numbers" in text
    assert "<U3" in text and "'0.1'" in text and "of type str" in text


def test_string_labels():
    x, _ = make_data(2)
    with pytest.raises(TypeError, match=r"Sequential.fit: y must hold numbers.*'spam'"):
        make_model().fit(x, ["spam", "ham"], verbose=0)


def test_complex_array_as_x():
    x = np.ones((2, 3), dtype=complex)
    x[0, 0] = 1 + 2j
    with pytest.raises(TypeError, match=r"Sequential.predict: x must hold real numbers.*complex"):
        make_model().predict(x)


def test_object_array_as_x():
    with pytest.raises(TypeError, match=r"Sequential.predict: x must hold numbers, got an array "
                                        r"of dtype object"):
        make_model().predict([[1.0, None, 3.0]])


# ---------------------------------------------------------------------------- verbose, split
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("verbose", [5, 3, -1])
def test_verbose_out_of_range(method, verbose):
    x, y = make_data(6)
    model = make_model()
    with pytest.raises(ValueError) as excinfo:
        if method == "predict":
            model.predict(x, verbose=verbose)
        elif method == "evaluate":
            model.evaluate(x, y, verbose=verbose)
        else:
            model.fit(x, y, verbose=verbose)
    text = message(excinfo)
    assert f"Sequential.{method}: verbose must be" in text
    assert f"got {verbose}" in text


@pytest.mark.parametrize("split", [1.5, 1.0, -0.1])
def test_validation_split_out_of_range(split):
    x, y = make_data(6)
    with pytest.raises(ValueError) as excinfo:
        make_model().fit(x, y, validation_split=split, verbose=0)
    text = message(excinfo)
    assert "Sequential.fit: validation_split must be in [0.0, 1.0)" in text
    assert f"got {split}" in text


def test_validation_split_leaving_no_training_sample():
    x, y = make_data(2)
    with pytest.raises(ValueError, match=r"validation_split=0.9 leaves 0 training"):
        make_model().fit(x, y, validation_split=0.9, verbose=0)


# ---------------------------------------------------------------------------- accepted input
def test_python_list_of_labels_is_accepted():
    """The article's own script: plain Python lists for x and for the labels."""
    x = [[0.1, 0.2, 0.3], [0.9, 0.8, 0.7], [0.2, 0.1, 0.4]]
    labels = [1, 0, 1]
    model = make_model()
    history = model.fit(x, labels, epochs=2, batch_size=1, verbose=0)
    assert len(history.history["loss"]) == 2
    assert all(np.isfinite(history.history["loss"]))
    loss, accuracy = model.evaluate(x, labels, verbose=0)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
    assert model.predict(x).shape == (3, 1)


def test_integer_and_boolean_arrays_are_accepted():
    x = np.array([[1, 2, 3], [4, 5, 6]])
    y = np.array([True, False])
    model = make_model()
    model.fit(x, y, verbose=0)
    assert model.predict(x).dtype == np.float32


# ---------------------------------------------------------------------------- divergence
def test_exploding_learning_rate_raises_training_diverged():
    """SGD with learning_rate=1e6 on unscaled data: the loss overflows within a few batches."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)) * 1000.0            # unscaled features
    y = x @ np.array([1.0, 2.0, 3.0, 4.0])
    model = nn.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                           layers.Dense(1)], seed=0)
    snapshots = []

    def weights_after_each_batch(y_true, y_pred):   # a metric runs after each good batch
        snapshots.append(model.get_weights())
        return 0.0

    model.compile(optimizer=optimizers.SGD(learning_rate=1e6), loss="mse",
                  metrics=[weights_after_each_batch])
    initial = model.get_weights()
    with pytest.raises(nn.TrainingDivergedError) as excinfo:
        model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    error = excinfo.value
    text = str(error)
    assert isinstance(error, FloatingPointError)
    assert f"epoch {error.epoch}" in text and f"batch {error.batch}" in text
    assert re.search(r"\b(nan|inf)\b", text)
    assert "lower learning_rate" in text and "1000000.0" in text
    assert (error.epoch - 1) * 8 + error.batch == len(snapshots) + 1   # the very next batch
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    assert_weights_equal(snapshots[-1] if snapshots else initial, weights)


@pytest.mark.parametrize("loss, activation", [("mse", None),
                                              ("binary_crossentropy", "sigmoid")])
def test_huge_weights_raise_training_diverged_on_the_first_batch(loss, activation):
    model = nn.Sequential([layers.Dense(1, activation=activation, input_shape=(4,))], seed=0)
    model.compile(optimizer="sgd", loss=loss)
    huge = [np.full((4, 1), 3e38, dtype=np.float32), np.zeros(1, dtype=np.float32)]
    model.set_weights(huge)
    with pytest.raises(nn.TrainingDivergedError) as excinfo:
        model.fit(np.ones((4, 4)), [0, 1, 0, 1], verbose=0)
    assert (excinfo.value.epoch, excinfo.value.batch) == (1, 1)
    assert "epoch 1, batch 1" in str(excinfo.value)
    assert "learning_rate" in str(excinfo.value)
    assert_weights_equal(huge, model.get_weights())  # untouched: still finite


def test_update_that_overflows_raises_training_diverged_with_finite_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4))
    model = nn.Sequential([layers.Dense(1, input_shape=(4,))], seed=0)
    model.compile(optimizer=optimizers.SGD(learning_rate=1e38), loss="mse")
    with pytest.raises(nn.TrainingDivergedError) as excinfo:
        model.fit(x, x.sum(axis=1), epochs=2, batch_size=4, shuffle=False, verbose=0)
    assert "learning_rate" in str(excinfo.value)
    assert all(np.isfinite(w).all() for w in model.get_weights())


# ============================================================================ the API beyond fit
# Every entry point a learner may call directly: layers (constructors, __call__, forward,
# backward), losses, metrics, optimizers, initializers, ops, and the Sequential methods not
# covered above. Same contract: the exception type, and a message naming where, which argument,
# the value received and what was expected. Several cases below were silent wrong numbers.
import warnings  # noqa: E402

from nanonet import initializers, losses, metrics, ops  # noqa: E402


def raises(exception, action, *parts):
    """Run `action`, expect `exception`, and check every part appears in its message."""
    with pytest.raises(exception) as excinfo:
        action()
    text = message(excinfo)
    for part in parts:
        assert part in text, f"{part!r} not in message: {text}"
    return text


def built_dense(units=2, features=3, activation=None, dtype="float32"):
    layer = layers.Dense(units, activation=activation, name="d", dtype=dtype)
    layer.build((features,), np.random.default_rng(0))
    return layer


def built_lstm(units=2, features=3, **kwargs):
    layer = layers.LSTM(units, name="rnn", **kwargs)
    layer.build((None, features), np.random.default_rng(0))
    return layer


# ---------------------------------------------------------------------------- losses, directly
LABELS = np.array([1.0, 0.0, 1.0])
PROBABILITIES = np.array([[0.9], [0.1], [0.8]])


@pytest.mark.parametrize("loss", [losses.BinaryCrossentropy(), losses.MeanSquaredError()],
                         ids=["bce", "mse"])
@pytest.mark.parametrize("labels_shape", [(3,), (3, 1)])
@pytest.mark.parametrize("pred_shape", [(3,), (3, 1)])
def test_loss_labels_and_predictions_differing_by_a_last_axis_of_one_match_keras(
        loss, labels_shape, pred_shape):
    """(n,) labels with (n, 1) predictions: before, NumPy broadcast them to (n, n) and the loss
    compared every label with every prediction — a silent wrong number (bce 1.03, not 0.14)."""
    expected = loss(LABELS[:, None], PROBABILITIES)
    value = loss(LABELS.reshape(labels_shape), PROBABILITIES.reshape(pred_shape))
    assert value == pytest.approx(expected, rel=1e-12)
    _, gradient = loss.forward(LABELS.reshape(labels_shape), PROBABILITIES.reshape(pred_shape))
    assert gradient.shape == pred_shape                  # the gradient is y_pred's shape


@pytest.mark.parametrize("y_true, y_pred", [([1, 0, 1], [0.5, 0.5]),
                                            (np.zeros((3, 2)), np.zeros((3, 1))),
                                            (np.zeros((2, 3)), np.zeros((3, 2)))])
def test_loss_shapes_that_would_broadcast_are_refused(y_true, y_pred):
    y_true_shape, y_pred_shape = np.shape(y_true), np.shape(y_pred)
    raises(ValueError, lambda: losses.BinaryCrossentropy()(y_true, y_pred),
           "BinaryCrossentropy", f"y_true has shape {y_true_shape}",
           f"y_pred has shape {y_pred_shape}", "expected the same shape")


def test_loss_forward_names_itself_in_the_message():
    raises(ValueError, lambda: losses.MeanSquaredError().forward(np.zeros(3), np.zeros(4)),
           "MeanSquaredError.forward", "(3,)", "(4,)", "same shape")


def test_loss_accepts_python_lists_and_ints_like_keras():
    expected = losses.BinaryCrossentropy()(np.array([1.0, 0.0]), np.array([0.75, 0.25]))
    assert losses.BinaryCrossentropy()([1, 0], [0.75, 0.25]) == pytest.approx(expected)
    loss, gradient = losses.BinaryCrossentropy(from_logits=True).forward([1, 0], [2, -3])
    assert np.isfinite(loss) and gradient.dtype == np.float64


def test_bce_labels_outside_0_1_called_directly():
    raises(ValueError, lambda: losses.BinaryCrossentropy()([0, 2, 1], [0.5, 0.5, 0.5]),
           "BinaryCrossentropy", "labels in [0, 1]", "y[1] = 2.0")


def test_bce_logits_passed_as_probabilities():
    """Keras clips 3.2 to 1 − 1e-7 and returns a meaningless number; here it is refused."""
    text = raises(ValueError, lambda: losses.BinaryCrossentropy()([1, 0], [3.2, -1.0]),
                  "BinaryCrossentropy", "y_pred", "3.2", "probabilities in [0, 1]")
    assert "from_logits=True" in text


@pytest.mark.parametrize("which, bad", [("y_pred", np.nan), ("y_pred", np.inf),
                                        ("y_true", np.nan), ("y_true", -np.inf)])
def test_loss_non_finite_values(which, bad):
    y_true, y_pred = np.array([1.0, 0.0]), np.array([0.5, 0.5])
    (y_pred if which == "y_pred" else y_true)[1] = bad
    raises(ValueError, lambda: losses.BinaryCrossentropy()(y_true, y_pred),
           "BinaryCrossentropy", f"{which} contains {float(bad)}", "at index (1,)", "finite")


def test_bce_from_logits_with_inf_logits():
    raises(ValueError,
           lambda: losses.BinaryCrossentropy().forward_from_logits([1.0], [np.inf]),
           "BinaryCrossentropy.forward_from_logits", "logits contains inf", "finite")


def test_loss_on_empty_arrays():
    raises(ValueError, lambda: losses.MeanSquaredError()(np.zeros(0), np.zeros(0)),
           "MeanSquaredError", "y_pred is empty", "(0,)", "at least one")


def test_loss_on_strings():
    raises(TypeError, lambda: losses.MeanSquaredError()(["1", "0"], [0.5, 0.5]),
           "MeanSquaredError", "y_true must hold numbers", "'1'")


def test_loss_on_ragged_lists():
    raises(ValueError, lambda: losses.MeanSquaredError()([[1, 0], [1]], [[0.5, 0.5], [0.5]]),
           "MeanSquaredError", "rectangular", "ragged")


def test_mse_that_overflows_float32():
    y_pred = np.full(2, 1e30, dtype=np.float32)
    raises(ValueError, lambda: losses.MeanSquaredError()(np.zeros(2, np.float32), y_pred),
           "MeanSquaredError", "the loss is inf", "float32", "1e+30", "scale")


def test_bce_from_logits_must_be_a_bool():
    raises(TypeError, lambda: losses.BinaryCrossentropy(from_logits="yes"),
           "BinaryCrossentropy", "from_logits must be True or False", "'yes'")


def test_a_plain_function_is_not_a_loss():
    def my_loss(y_true, y_pred):
        return 0.0
    raises(TypeError, lambda: make_model(compiled=False).compile("adam", my_loss),
           "'my_loss'", "gradient", "binary_crossentropy", "subclass nanonet.losses.Loss")


def test_loss_from_config_without_a_name():
    raises(ValueError, lambda: losses.from_config({"from_logits": True}),
           "losses.from_config", "'name'", "from_logits")


# ---------------------------------------------------------------------------- metrics, directly
def test_binary_accuracy_labels_n_with_predictions_n_1_match_keras():
    """Before: (3,) == (3, 1) broadcast to (3, 3) and gave 0.556 for predictions all right."""
    assert metrics.binary_accuracy(LABELS, PROBABILITIES) == 1.0
    assert metrics.binary_accuracy(LABELS[:, None], PROBABILITIES[:, 0]) == 1.0
    assert metrics.binary_accuracy([1, 0, 1], [[0.9], [0.6], [0.8]]) == pytest.approx(2 / 3)


def test_binary_accuracy_nan_predictions():
    """Before: NaN > 0.5 is False, so a NaN silently counted as a prediction of class 0."""
    raises(ValueError, lambda: metrics.binary_accuracy([1, 0], [np.nan, 0.2]),
           "binary_accuracy", "y_pred contains nan", "at index (0,)", "finite")


def test_binary_accuracy_mismatched_lengths():
    raises(ValueError, lambda: metrics.binary_accuracy([1, 0, 1], [0.2, 0.3]),
           "binary_accuracy", "y_true has shape (3,)", "y_pred has shape (2,)", "same shape")


def test_binary_accuracy_labels_not_0_1():
    raises(ValueError, lambda: metrics.binary_accuracy([1, 2, 1], [0.7, 0.8, 0.9]),
           "binary_accuracy", "labels must be in [0, 1]", "y_true[1] = 2")


def test_binary_accuracy_empty():
    raises(ValueError, lambda: metrics.binary_accuracy([], []),
           "binary_accuracy", "y_pred is empty", "at least one")


def test_binary_accuracy_threshold_not_a_number():
    raises(TypeError, lambda: metrics.binary_accuracy([1], [0.7], threshold="0.5"),
           "binary_accuracy", "threshold must be a number", "'0.5'")


def test_compile_metrics_not_a_list():
    raises(TypeError, lambda: make_model(compiled=False).compile("adam", "mse", metrics=123),
           "Sequential.compile", "metrics must be a list", "123", "['accuracy']")


# ---------------------------------------------------------------------------- optimizers
def test_apply_gradients_accepts_lists_for_the_gradients():
    w = np.ones(2)
    assert optimizers.SGD(0.5).apply_gradients([w], [[1, 2]])     # ints in a list, as Keras
    np.testing.assert_allclose(w, [0.5, 0.0])


def test_apply_gradients_accepts_keras_pairs():
    w = np.ones(2)
    optimizers.SGD(0.5).apply_gradients(zip([np.array([1.0, 2.0])], [w]))
    np.testing.assert_allclose(w, [0.5, 0.0])


def test_apply_gradients_params_must_be_arrays():
    raises(TypeError, lambda: optimizers.SGD().apply_gradients([[1.0, 2.0]], [[1.0, 1.0]]),
           "SGD.apply_gradients", "params[0] must be a NumPy float array", "got list")


def test_apply_gradients_single_array_instead_of_a_list():
    raises(TypeError, lambda: optimizers.SGD().apply_gradients(np.ones(2), np.ones(2)),
           "SGD.apply_gradients", "params must be a list of arrays", "[w]", "a single array")


def test_apply_gradients_without_grads():
    raises(TypeError, lambda: optimizers.Adam().apply_gradients([np.ones(2)]),
           "Adam.apply_gradients", "grads is missing", "zip(grads, params)")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_apply_gradients_non_finite_gradient(bad):
    """Before: the weights silently became NaN."""
    w = np.ones(3)
    grad = np.array([0.1, bad, 0.1])
    raises(ValueError, lambda: optimizers.Adam().apply_gradients([w], [grad]),
           "Adam.apply_gradients", f"grads[0] contains {float(bad)}", "at index (1,)",
           "finite")
    np.testing.assert_array_equal(w, 1.0)


def test_apply_gradients_non_finite_gradient_with_clipnorm():
    raises(ValueError, lambda: optimizers.SGD(clipnorm=1.0).apply_gradients(
        [np.ones(2)], [np.array([np.inf, 1.0])]), "grads[0] contains inf")


def test_apply_gradients_step_that_overflows():
    """Before: a RuntimeWarning and inf weights; now nothing changes and the message says why."""
    w = np.ones(2)
    optimizer = optimizers.SGD(learning_rate=1e308)
    raises(ValueError, lambda: optimizer.apply_gradients([w], [np.array([1e10, 1.0])]),
           "SGD.apply_gradients", "params[0]", "non-finite", "learning_rate = 1e+308",
           "lower the learning_rate")
    np.testing.assert_array_equal(w, 1.0)
    assert optimizer.iterations == 0


def test_adam_in_float16_whose_state_overflows():
    """v = g² beyond float16's 65504: before, v became inf and the weight silently stopped
    learning (its step was m/∞ = 0)."""
    w = np.ones(2, dtype=np.float16)
    optimizer = optimizers.Adam()
    raises(ValueError, lambda: optimizer.apply_gradients([w], [np.array([1e3, 1.0], np.float16)]),
           "Adam.apply_gradients", "params[0]", "optimizer's state", "float16", "float64")
    np.testing.assert_array_equal(w, 1.0)
    assert optimizer.apply_gradients([w], [np.array([1e3, 1.0], np.float16)],
                                     check_finite=True) is False


def test_apply_gradients_shape_that_would_broadcast():
    raises(ValueError, lambda: optimizers.SGD().apply_gradients([np.ones((3, 2))], [np.ones(2)]),
           "params[0] and grads[0] must be arrays of the same shape", "(3, 2)", "(2,)")


def test_reusing_an_optimizer_for_other_weights():
    optimizer = optimizers.Adam()
    optimizer.apply_gradients([np.ones(2)], [np.ones(2)])
    raises(ValueError, lambda: optimizer.apply_gradients([np.ones(3)], [np.ones(3)]),
           "Adam.apply_gradients", "state for params[0]", "shape (2,)", "(3,)",
           "one optimizer per")


def test_apply_gradients_read_only_weights():
    w = np.ones(2)
    w.flags.writeable = False
    raises(ValueError, lambda: optimizers.SGD().apply_gradients([w], [np.ones(2)]),
           "SGD.apply_gradients", "params[0]", "read-only", "writeable")


@pytest.mark.parametrize("grad, expected, received", [
    (np.ones(2, complex), "must hold real numbers", "complex128"),
    (np.array(["a", "b"]), "must hold numbers", "'a'")])
def test_apply_gradients_non_numeric_gradients(grad, expected, received):
    raises(TypeError, lambda: optimizers.Adam().apply_gradients([np.ones(2)], [grad]),
           "Adam.apply_gradients", f"grads[0] {expected}", received)


def test_apply_gradients_check_finite_not_a_bool():
    raises(TypeError, lambda: optimizers.SGD().apply_gradients([np.ones(1)], [np.ones(1)],
                                                               check_finite="yes"),
           "check_finite must be True or False", "'yes'")


def test_global_clipnorm_with_huge_float64_gradients_still_steps():
    """Before: the squared norms overflowed (an OverflowError from Python's float ** 2)."""
    w1, w2 = np.zeros(1), np.zeros(1)
    optimizers.SGD(1.0, global_clipnorm=1.0).apply_gradients(
        [w1, w2], [np.array([3e200]), np.array([4e200])])
    np.testing.assert_allclose([w1[0], w2[0]], [-0.6, -0.8])


def test_clipnorm_with_huge_float64_gradients_still_steps():
    """Before: ‖g‖ overflowed to inf and the clipped gradient became 0 — no step at all."""
    w = np.zeros(2)
    optimizers.SGD(1.0, clipnorm=1.0).apply_gradients([w], [np.array([3e200, 4e200])])
    np.testing.assert_allclose(w, [-0.6, -0.8])


@pytest.mark.parametrize("make, text", [
    (lambda: optimizers.SGD(lr=0.1), "renamed lr to learning_rate"),
    (lambda: optimizers.Adam(beta1=0.9), "Did you mean 'beta_1'"),
])
def test_optimizer_unknown_argument(make, text):
    raises(TypeError, make, "unknown argument", "Valid arguments: learning_rate", text)


@pytest.mark.parametrize("kwargs, exception, text", [
    ({"clipnorm": -1.0}, ValueError, "clipnorm must be in (0.0, inf), got -1.0"),
    ({"clipvalue": "1"}, TypeError, "clipvalue must be a number, got '1'"),
    ({"global_clipnorm": float("nan")}, ValueError, "global_clipnorm must be finite, got nan"),
    ({"momentum": 1.5}, ValueError, "momentum must be in [0.0, 1.0], got 1.5"),
    ({"nesterov": "yes"}, TypeError, "nesterov must be True or False, got 'yes'"),
])
def test_sgd_argument_checks(kwargs, exception, text):
    raises(exception, lambda: optimizers.SGD(**kwargs), "SGD: " + text)


def test_optimizer_from_config_with_an_unknown_name():
    raises(ValueError, lambda: optimizers.from_config({"name": "adm"}),
           "Unknown optimizer 'adm'", "adam, rmsprop, sgd", "Did you mean 'adam'")


# ---------------------------------------------------------------------------- initializers
def test_custom_initializer_returning_the_wrong_shape():
    """Before: the wrong-shaped array became the kernel, and Dense silently returned (N,)
    broadcast results."""
    dense = layers.Dense(2, kernel_initializer=lambda shape, rng, dtype: np.ones(3), name="d")
    raises(ValueError, lambda: dense(np.ones((2, 3))), "Dense 'd'", "weight 'kernel'",
           "returned an array of shape (3,)", "expected shape (3, 2)")


def test_custom_initializer_with_keras_signature():
    dense = layers.Dense(2, kernel_initializer=lambda shape, dtype=None: np.ones(shape))
    raises(TypeError, lambda: dense(np.ones((2, 3))), "Dense", "weight 'kernel'",
           "must accept (shape, rng, dtype)", "def init(shape, rng, dtype)")


def test_custom_initializer_returning_nan():
    dense = layers.Dense(2, kernel_initializer=lambda s, r, d: np.full(s, np.nan))
    raises(ValueError, lambda: dense(np.ones((2, 3))), "weight 'kernel'", "contains nan",
           "finite")


def test_custom_initializer_returning_strings():
    dense = layers.Dense(2, kernel_initializer=lambda s, r, d: np.full(s, "x"))
    raises(TypeError, lambda: dense(np.ones((2, 3))), "weight 'kernel'", "must hold numbers",
           "'x'")


@pytest.mark.parametrize("make, argument, bad, suggestion", [
    (lambda: layers.Embedding(5, 2, embeddings_initializer="unifrom"),
     "embeddings_initializer", "unifrom", "uniform"),
    (lambda: layers.LSTM(2, recurrent_initializer="orthogonl"),
     "recurrent_initializer", "orthogonl", "orthogonal"),
])
def test_unknown_initializer_names_in_sequence_layers(make, argument, bad, suggestion):
    raises(ValueError, make, f"Unknown {argument} {bad!r}", "glorot_uniform",
           f"Did you mean {suggestion!r}")


def test_initializers_get_a_number():
    raises(ValueError, lambda: initializers.get(5), "Unknown initializer 5", "glorot_uniform",
           "Expected a name (a str), got int")


def test_initializer_called_with_a_negative_size():
    raises(ValueError, lambda: initializers.glorot_uniform((-1, 2), np.random.default_rng(0)),
           "initializers.glorot_uniform", "shape must be a tuple of sizes >= 0", "(-1, 2)")


def test_initializer_called_with_a_bad_rng():
    raises(TypeError, lambda: initializers.orthogonal((2, 2), "seed"),
           "initializers.orthogonal", "rng must be a numpy.random.Generator", "'seed'")


def test_initializer_called_with_an_integer_dtype():
    raises(TypeError, lambda: initializers.zeros((2,), None, "int32"),
           "initializers.zeros", "dtype must be a float dtype", "int32")


# ---------------------------------------------------------------------------- ops
def test_ops_on_unsigned_and_boolean_input_are_exact():
    """Before: −x of uint8 1 wrapped to 255, so sigmoid overflowed (a RuntimeWarning) and
    log_sigmoid(1) came out as −256; −x of a bool array raised NumPy's TypeError."""
    np.testing.assert_allclose(ops.sigmoid(np.array([1, 2], np.uint8)), 1 / (1 + np.exp([-1, -2])))
    np.testing.assert_allclose(ops.log_sigmoid(np.array([1], np.uint8)), [-0.31326169])
    np.testing.assert_allclose(ops.sigmoid(np.array([True, False])), [0.7310585786, 0.5])
    assert ops.softplus(3) == pytest.approx(3.0485873515737)


@pytest.mark.parametrize("function", ["sigmoid", "tanh", "relu", "softplus", "relu_grad"])
def test_ops_on_strings(function):
    raises(TypeError, lambda: getattr(ops, function)(np.array(["a"])),
           f"nanonet.ops.{function}", "real numbers", "<U1")


# ---------------------------------------------------------------------------- layer constructors
@pytest.mark.parametrize("make, exception, parts", [
    (lambda: layers.Dense(2, dtype="int32"), TypeError,
     ("Dense", "dtype must be a float dtype", "int32")),
    (lambda: layers.Dense(2, dtype="foo"), TypeError, ("Dense", "dtype", "'foo'")),
    (lambda: layers.Dense(2, input_shape=3), TypeError,
     ("Dense", "input_shape", "the integer 3", "(3,)")),
    (lambda: layers.Dense(2, input_shape=(0,)), ValueError,
     ("Dense", "input_shape must hold sizes >= 1", "got 0")),
    (lambda: layers.Dense(2, use_bias="no"), TypeError,
     ("Dense", "use_bias must be True or False", "'no'")),
    (lambda: layers.Dense(2, name=5), TypeError, ("Dense", "name must be a string", "5")),
    (lambda: layers.Dense(0), ValueError, ("Dense", "units must be >= 1, got 0")),
    (lambda: layers.Dense(2.5), TypeError, ("Dense", "units must be an integer, got 2.5")),
    (lambda: layers.LSTM("4"), TypeError, ("LSTM", "units must be an integer, got '4'")),
    (lambda: layers.LSTM(2, return_sequences="yes"), TypeError,
     ("LSTM", "return_sequences must be True or False", "'yes'")),
    (lambda: layers.Embedding(0, 2), ValueError, ("Embedding", "input_dim must be >= 1, got 0")),
    (lambda: layers.Embedding(5, 2, mask_zero="true"), TypeError,
     ("Embedding", "mask_zero must be True or False", "'true'")),
    (lambda: layers.Dropout(0.5, noise_shape=3), TypeError,
     ("Dropout", "noise_shape", "the integer 3", "(3,)")),
], ids=["dense-int-dtype", "dense-unknown-dtype", "input-shape-int", "input-shape-zero",
        "use-bias-str", "name-int", "units-zero", "units-float", "lstm-units-str",
        "return-sequences-str", "embedding-input-dim-zero", "mask-zero-str", "noise-shape-int"])
def test_layer_constructor_arguments(make, exception, parts):
    raises(exception, make, *parts)


# ---------------------------------------------------------------------------- layers, directly
def test_forward_on_a_layer_that_is_not_built():
    for layer in (layers.Dense(2, name="d"), layers.Embedding(4, 2, name="d"),
                  layers.LSTM(2, name="d"), layers.LSTMCell(2, name="d")):
        raises(ValueError, lambda: layer.forward(np.ones((1, 3))),
               f"{type(layer).__name__} 'd'.forward", "not built", "layer(x)", "layer.build(")


def test_dense_forward_accepts_lists_and_casts_ints_like_keras():
    dense = built_dense()
    expected = dense.forward(np.array([[1.0, 2.0, 3.0]], np.float32))
    np.testing.assert_array_equal(dense.forward([[1, 2, 3]]), expected)
    assert dense.forward(np.array([[1, 2, 3]])).dtype == np.float32     # not float64


def test_dense_forward_with_nan():
    x = np.ones((2, 3))
    x[0, 1] = np.nan
    raises(ValueError, lambda: built_dense().forward(x), "Dense 'd'.forward",
           "x contains nan", "at index (0, 1)", "finite")


def test_backward_before_forward():
    for layer in (built_dense(), layers.Activation("relu", name="d"), layers.Dropout(0.5, name="d")):
        raises(RuntimeError, lambda: layer.backward(np.ones((1, 2))),
               f"{type(layer).__name__} 'd'.backward", "call forward first")


def test_dense_backward_with_labels_shaped_gradient():
    """dy (n,) for an output (n, 1): before, dy · σ'(z) broadcast to (n, n) — a silent
    (n, n) gradient, then a matmul error from deep inside NumPy."""
    dense = built_dense(units=1, activation="sigmoid")
    dense.forward(np.ones((4, 3)))
    raises(ValueError, lambda: dense.backward(np.ones(4)), "Dense 'd'.backward",
           "dy must have shape (4, 1)", "got (4,)")


def test_dense_backward_with_another_batch_size():
    dense = built_dense()
    dense.forward(np.ones((4, 3)))
    raises(ValueError, lambda: dense.backward(np.ones((5, 2))), "Dense 'd'.backward",
           "dy must have shape (4, 2)", "got (5, 2)")


def test_dense_backward_with_inf():
    dense = built_dense()
    dense.forward(np.ones((1, 3)))
    raises(ValueError, lambda: dense.backward([[np.inf, 0.0]]), "Dense 'd'.backward",
           "dy contains inf", "finite")


def test_dense_backward_from_logits_with_the_wrong_shape():
    dense = built_dense(units=1, activation="sigmoid")
    dense.forward(np.ones((2, 3)))
    raises(ValueError, lambda: dense.backward_from_logits(np.ones((2, 2))),
           "Dense 'd'.backward_from_logits", "dz must have shape (2, 1)", "got (2, 2)")


def test_layer_called_on_samples_with_no_features():
    raises(ValueError, lambda: layers.Dense(2, name="d")(np.ones((3, 0))), "Dense 'd'",
           "shape (3, 0)", "at least one feature")


@pytest.mark.parametrize("make, x", [(lambda: layers.Dense(2, name="d"), np.ones((0, 3))),
                                     (lambda: layers.LSTM(2, name="d"), np.ones((0, 3, 2))),
                                     (lambda: layers.Embedding(4, 2, name="d"),
                                      np.ones((0, 3), int))], ids=["dense", "lstm", "embedding"])
def test_layer_called_on_an_empty_batch(make, x):
    """Before, the LSTM failed inside NumPy ("cannot reshape array of size 0")."""
    raises(ValueError, lambda: make()(x), "'d'", "input is empty", str(x.shape),
           "at least one sample")


def test_building_a_built_layer_for_another_size():
    dense = built_dense()
    raises(ValueError, lambda: dense.build((5,)), "Dense 'd'.build",
           "already built for inputs of shape (None, 3)", "(None, 5)", "new layer")


def test_building_with_a_bad_rng():
    raises(TypeError, lambda: layers.Dense(2).build((3,), rng=0),
           "Dense.build", "rng must be a numpy.random.Generator", "got 0")


def test_activation_forward_and_backward():
    relu = layers.Activation("relu", name="d")
    raises(ValueError, lambda: relu.forward([[1.0, np.nan]]), "Activation 'd'.forward",
           "x contains nan")
    relu.forward(np.ones((2, 2)))
    raises(ValueError, lambda: relu.backward(np.ones((3, 2))), "Activation 'd'.backward",
           "dy must have shape (2, 2)", "got (3, 2)")


def test_sigmoid_layer_on_unsigned_ints():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layers.Sigmoid().forward(np.array([[1, 200]], np.uint8))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, [[0.7310586, 1.0]])


def test_dropout_on_integer_input_keeps_the_scale():
    """Before: the mask was cast to the input's int dtype, so 1/(1 − 0.3) = 1.43 became 1 and
    the kept values were not rescaled — a silent wrong number."""
    layer = layers.Dropout(0.3, seed=0)
    y = layer.forward(np.ones((50, 40), dtype=int), training=True)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)


def test_dropout_noise_shape_that_does_not_fit_the_input():
    layer = layers.Dropout(0.5, noise_shape=(None, 3), seed=0)
    raises(ValueError, lambda: layer(np.ones((2, 4)), training=True), "Dropout",
           "noise_shape (None, 3)", "input shape (2, 4)", "None, 1")


def test_dropout_backward_with_another_shape():
    layer = layers.Dropout(0.5, seed=0, name="d")
    layer.forward(np.ones((2, 4)), training=True)
    raises(ValueError, lambda: layer.backward(np.ones((3, 4))), "Dropout 'd'.backward",
           "dy must have shape (2, 4)", "got (3, 4)")


def test_embedding_backward_with_another_shape():
    """Before: a dy of 3 timesteps for 2 ids was silently cut to 2 rows — a wrong gradient."""
    layer = layers.Embedding(5, 2, name="e")
    layer(np.array([[1, 2]]))
    raises(ValueError, lambda: layer.backward(np.ones((1, 3, 2))), "Embedding 'e'.backward",
           "dy must have shape (1, 2, 2)", "got (1, 3, 2)")


@pytest.mark.parametrize("ids, parts", [
    ([[1.0, 1e30]], ("token id 1e+30", "outside [0, 4]")),
    ([[1.0, np.nan]], ("ids[0, 1] = nan", "not a whole number")),
    ([[2, -1]], ("token id -1", "never negative")),
    ([[0.0, 2.5]], ("ids[0, 1] = 2.5", "not a whole number")),
])
def test_embedding_forward_with_bad_ids(ids, parts):
    layer = layers.Embedding(5, 2, name="e")
    layer(np.array([[1, 2]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # 1e30 used to warn "invalid cast"
        raises(ValueError, lambda: layer.forward(np.array(ids)), "Embedding 'e'.forward",
               *parts)


def test_lstm_mask_of_the_wrong_shape():
    """Before: a (2, 5) mask for 4 timesteps was silently used (its first 4 columns)."""
    lstm = built_lstm()
    raises(ValueError, lambda: lstm.forward(np.ones((2, 4, 3)), mask=np.ones((2, 5), bool)),
           "LSTM 'rnn'.forward", "mask must have shape (2, 4)", "got (2, 5)")


def test_lstm_mask_with_values_other_than_0_1():
    lstm = built_lstm()
    raises(ValueError, lambda: lstm.forward(np.ones((1, 2, 3)), mask=[[1, 2]]),
           "LSTM 'rnn'.forward", "mask must hold True/False", "2")


def test_lstm_forward_casts_integer_input():
    """Before: int inputs reached the BPTT workspace as ints (a UFuncTypeError from NumPy)."""
    lstm = built_lstm()
    np.testing.assert_array_equal(lstm.forward(np.ones((2, 4, 3), int)),
                                  lstm.forward(np.ones((2, 4, 3), np.float32)))


def test_lstm_with_zero_timesteps():
    raises(ValueError, lambda: layers.LSTM(2, name="rnn")(np.ones((2, 0, 3))), "LSTM 'rnn'",
           "(2, 0, 3)", "0 timesteps", "at least one step")


def test_lstm_called_directly_on_a_2d_batch():
    raises(ValueError, lambda: built_lstm().forward(np.ones((2, 3))), "LSTM 'rnn'.forward",
           "(batch, timesteps, features)", "2-D shape (2, 3)", "Embedding")


def test_lstm_called_standalone_keeps_the_sequence_length_open():
    lstm = layers.LSTM(2)
    assert lstm(np.ones((1, 4, 3))).shape == (1, 2)
    assert lstm(np.ones((1, 7, 3))).shape == (1, 2)      # as Keras: only the features are fixed


def test_lstm_backward_with_the_wrong_shape():
    lstm = built_lstm()
    lstm.forward(np.ones((2, 4, 3)))
    raises(ValueError, lambda: lstm.backward(np.ones((2, 4, 2))), "LSTM 'rnn'.backward",
           "dy must have shape (2, 2)", "got (2, 4, 2)")


def test_lstm_with_return_state_backward_needs_a_list():
    lstm = built_lstm(return_state=True)
    lstm.forward(np.ones((2, 4, 3)))
    raises(TypeError, lambda: lstm.backward(np.ones((2, 2))), "LSTM 'rnn'.backward",
           "return_state=True", "[d_output, dh_T, dc_T]", "ndarray")


def test_lstm_cell_states_of_the_wrong_shape():
    cell = layers.LSTMCell(3, name="cell")
    cell(np.ones((2, 4)))
    raises(ValueError, lambda: cell.forward(np.ones((2, 4)), [np.ones((2, 2)), np.ones((2, 2))]),
           "LSTMCell 'cell'.forward", "states[0] (h) must have shape (2, 3)", "got (2, 2)")


def test_lstm_cell_states_not_a_list():
    cell = layers.LSTMCell(3, name="cell")
    cell(np.ones((2, 4)))
    raises(TypeError, lambda: cell.forward(np.ones((2, 4)), np.zeros((2, 3))),
           "LSTMCell 'cell'.forward", "states must be a list of two arrays [h, c]", "ndarray")


def test_lstm_cell_backward_with_the_wrong_shape():
    cell = layers.LSTMCell(3, name="cell")
    cell(np.ones((2, 4)))
    raises(ValueError, lambda: cell.backward(np.ones((2, 4))), "LSTMCell 'cell'.backward",
           "dh must have shape (2, 3)", "got (2, 4)")


def test_lstm_cell_takes_states_when_called_like_keras():
    cell = layers.LSTMCell(3, name="cell")
    h, (h_again, c) = cell(np.ones((2, 4)))
    h2, _ = cell(np.ones((2, 4)), [h, c])
    assert h2.shape == (2, 3) and not np.array_equal(h, h2)


def test_set_weights_beyond_float32():
    """Before: 1e300 was written into a float32 kernel as inf (with a RuntimeWarning)."""
    dense = built_dense()
    raises(ValueError, lambda: dense.set_weights([np.full((3, 2), 1e300), np.zeros(2)]),
           "Dense 'd'.set_weights", "weight 'kernel'", "1e+300", "float32")
    assert np.isfinite(dense.get_weights()[0]).all()


def test_layer_from_config_with_an_unknown_argument():
    raises(ValueError, lambda: nn.Sequential.from_config(
        {"layers": [{"class_name": "Dense", "config": {"unitz": 3}}]}),
        "layer class 'Dense'", "unknown argument 'unitz'", "Valid arguments: units",
        "Did you mean 'units'")


# ---------------------------------------------------------------------------- Sequential
@pytest.mark.parametrize("make, exception, parts", [
    (lambda: nn.Sequential("dense"), TypeError,
     ("Sequential: layers must be a list of nanonet layers", "'dense'")),
    (lambda: nn.Sequential(5), TypeError, ("Sequential: layers must be a list", "5 (int)")),
    (lambda: nn.Sequential(name=5), TypeError, ("Sequential: name must be a string", "5")),
    (lambda: nn.Sequential(dtype="int32"), TypeError,
     ("Sequential: dtype must be a float dtype", "int32")),
    (lambda: nn.Sequential(seed=-1), ValueError, ("Sequential: seed must be >= 0, got -1",)),
], ids=["layers-str", "layers-int", "name-int", "dtype-int", "seed-negative"])
def test_sequential_constructor_arguments(make, exception, parts):
    raises(exception, make, *parts)


@pytest.mark.parametrize("shape, exception, parts", [
    (20, TypeError, ("the integer 20", "(20,)")),
    ((-3,), ValueError, ("sizes >= 1", "got -3")),
    ("20", TypeError, ("tuple of sizes", "'20'")),
    ((None,), ValueError, ("size of each sample", "(None,)")),
], ids=["int", "negative", "str", "batch-only"])
def test_build_with_a_bad_input_shape(shape, exception, parts):
    raises(exception, lambda: nn.Sequential([layers.Dense(1)]).build(shape),
           "Sequential.build", *parts)


def test_build_a_built_model_for_another_input_size():
    raises(ValueError, lambda: make_model().build((None, 5)), "Sequential.build",
           "already built for inputs of shape (None, 3)", "(None, 5)", "new model")


def test_changing_the_input_size_after_build_through_a_layer_call():
    model = make_model()
    raises(ValueError, lambda: model.layers[0](np.ones((2, 4))), "Dense 'dense'",
           "(None, 3)", "(2, 4)", "cannot change")


def test_fit_shuffle_not_a_bool():
    x, y = make_data(6)
    raises(TypeError, lambda: make_model().fit(x, y, shuffle="no", verbose=0),
           "Sequential.fit", "shuffle must be True or False", "'no'")


def test_fit_validation_data_with_sample_weights():
    x, y = make_data(6)
    raises(ValueError, lambda: make_model().fit(x, y, validation_data=(x, y, y), verbose=0),
           "Sequential.fit", "validation_data must be a tuple (x_val, y_val)",
           "tuple of length 3", "sample weights")


@pytest.mark.parametrize("missing", ["x", "y"])
def test_fit_without_x_or_y(missing):
    x, y = make_data(6)
    arguments = {"x": None, "y": y} if missing == "x" else {"x": x, "y": None}
    raises(ValueError, lambda: make_model().fit(verbose=0, **arguments), "Sequential.fit",
           f"{missing}", "required")


def test_sequence_model_with_zero_timesteps():
    model = nn.Sequential([layers.Embedding(5, 2), layers.LSTM(2)])
    raises(ValueError, lambda: model.predict(np.zeros((2, 0), int)), "Sequential.predict",
           "(2, 0)", "empty", "at least one")


def test_sequence_model_with_nan_ids():
    model = nn.Sequential([layers.Embedding(5, 2), layers.LSTM(2)])
    raises(ValueError, lambda: model.predict([[1.0, np.nan]]), "Sequential.predict",
           "Embedding 'embedding'", "x[0, 1] = nan", "not a whole number")


def huge_model(dtype="float32"):
    """Dense(4, relu) -> Dense(1) with all-ones weights: x = 1e38 sums to inf in float32."""
    model = nn.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                           layers.Dense(1)], seed=0, dtype=dtype)
    model.set_weights([np.ones((3, 4)), np.zeros(4), np.ones((4, 1)), np.zeros(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def huge_x():
    x = np.ones((5, 3))
    x[3] = 2e38                                   # finite in float32; its sum is not
    return x


def test_predict_whose_output_overflows():
    """Before: predict silently returned inf for sample 3."""
    raises(ValueError, lambda: huge_model().predict(huge_x()), "Sequential.predict",
           "output for sample 3 is inf", "although x is finite", "float32",
           "largest |x| = 2e+38", "scale", "float64")


def test_predict_in_batches_names_the_sample_in_the_whole_data():
    raises(ValueError, lambda: huge_model().predict(huge_x(), batch_size=2),
           "output for sample 3 is inf")


def test_evaluate_whose_output_overflows():
    raises(ValueError, lambda: huge_model().evaluate(huge_x(), np.zeros(5), verbose=0),
           "Sequential.evaluate", "output for sample 3 is inf", "scale")


def test_evaluate_whose_loss_overflows():
    """Outputs of 1e20 are finite, but their squares are not in float32: before, evaluate
    returned loss=inf without a word."""
    x = np.full((2, 3), 1e20)
    raises(ValueError, lambda: huge_model().evaluate(x, [0, 1], verbose=0),
           "Sequential.evaluate", "the loss on samples 0–1 is inf", "float32",
           "largest |output| = 1.2e+21", "scale")


def test_model_call_whose_output_overflows():
    raises(ValueError, lambda: huge_model()(huge_x()), "Sequential.__call__",
           "output for sample 3 is inf")


def test_loss_and_grads_whose_numbers_overflow():
    raises(ValueError, lambda: huge_model().loss_and_grads(huge_x(), np.zeros(5)),
           "Sequential.loss_and_grads", "inf", "scale")


def test_float16_model_whose_output_overflows():
    x = np.full((2, 3), 6e4)
    raises(ValueError, lambda: huge_model("float16").predict(x), "Sequential.predict",
           "output for sample 0 is inf", "float16", "dtype='float64'")


def test_train_on_batch_divergence_names_train_on_batch():
    model = huge_model()
    with pytest.raises(nn.TrainingDivergedError) as excinfo:
        model.train_on_batch(np.full((2, 3), 1e20), [0, 1])
    assert "Sequential.train_on_batch: the loss became inf" in str(excinfo.value)


def test_model_set_weights_with_nan_writes_nothing():
    """Before: the layers before the bad array were already overwritten."""
    model = make_model()
    before = model.get_weights()
    weights = [w + 1 for w in before]
    weights[3] = np.array([np.nan])
    raises(ValueError, lambda: model.set_weights(weights), "Sequential.set_weights",
           "Dense 'dense_1'", "weight 'bias' contains nan", "finite")
    assert_weights_equal(before, model.get_weights())


def test_model_set_weights_not_a_list():
    raises(TypeError, lambda: make_model().set_weights(np.zeros(4)), "Sequential.set_weights",
           "weights must be a list of arrays", "ndarray")


def test_model_set_weights_ragged():
    weights = make_model().get_weights()
    weights[0] = [[1.0, 2.0], [3.0]]
    raises(ValueError, lambda: make_model().set_weights(weights), "Sequential.set_weights",
           "weight 'kernel'", "ragged")


def test_summary_print_fn_not_callable():
    raises(TypeError, lambda: make_model().summary(print_fn=5), "Sequential.summary",
           "print_fn must be a function", "5")


@pytest.mark.parametrize("config", [5, {}, {"layers": "dense"}])
def test_from_config_that_is_not_a_model_config(config):
    raises(ValueError, lambda: nn.Sequential.from_config(config), "Sequential.from_config",
           "a dict with a list of 'layers'")


def test_loss_and_grads_training_not_a_bool():
    x, y = make_data(6)
    raises(TypeError, lambda: make_model().loss_and_grads(x, y, training="yes"),
           "Sequential.loss_and_grads", "training must be True or False", "'yes'")
