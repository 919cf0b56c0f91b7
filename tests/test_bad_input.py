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
    x, y = make_data(6)
    model = make_model(loss="mse", metrics=())
    model.fit(x, y * 5.0 - 2.0, verbose=0)


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
    assert "optimizer" in text and "Adam()" in text and "adam, sgd" in text


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
    x, y = make_data(6)
    make_model().fit(x, y, batch_size=np.int64(2), verbose=0)


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
