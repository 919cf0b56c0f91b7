"""Softmax and the categorical cross-entropies: float64 gradient checks (hypothesis shapes and
values, random upstream gradients), the model's logits path, and clear errors for misuse.
Keras's numbers for the same functions: tests/test_categorical_keras.py."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanonet as nn
from nanonet import gradcheck, layers, losses, ops
from nanonet.utils import to_categorical

from strategies import float64_arrays, seeds


def assert_passed(report):
    assert report.passed, f"\n{report}"


@st.composite
def class_rows(draw, min_classes=2):
    """(leading shape, K): rows of K ≥ 2 classes under one or two leading axes."""
    leading = tuple(draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 2))))
    return leading, draw(st.integers(min_classes, 5))


@st.composite
def distributions(draw, shape):
    """Rows of class probabilities (soft labels) summing to 1."""
    weights = draw(float64_arrays(shape, 0.0, 1.0))
    weights[..., 0] += 0.1                                   # no row of zeros
    return weights / weights.sum(axis=-1, keepdims=True)


@given(data=st.data(), rows=class_rows(), seed=seeds,
       make=st.sampled_from([layers.Softmax, lambda: layers.Activation("softmax")]))
def test_the_softmax_layer_passes_its_gradient_check(data, rows, seed, make):
    leading, k = rows
    x = data.draw(float64_arrays((*leading, k), -6, 6))
    assert_passed(gradcheck.check_layer(make(), x, seed=seed))


@given(data=st.data(), rows=class_rows(), seed=seeds)
def test_a_dense_softmax_layer_passes_its_gradient_check(data, rows, seed):
    leading, k = rows
    x = data.draw(float64_arrays((*leading, 3)))
    layer = layers.Dense(k, activation="softmax", dtype="float64")
    layer.build(x.shape[1:], np.random.default_rng(seed))
    assert_passed(gradcheck.check_layer(layer, x, seed=seed))


@given(data=st.data(), rows=class_rows(), soft=st.booleans())
def test_categorical_crossentropy_gradients(data, rows, soft):
    leading, k = rows
    shape = (*leading, k)
    y = data.draw(distributions(shape)) if soft else \
        np.eye(k)[data.draw(st.lists(st.integers(0, k - 1), min_size=int(np.prod(leading)),
                                     max_size=int(np.prod(leading))))].reshape(shape)
    p = data.draw(float64_arrays(shape, 0.02, 0.98))          # rows need not sum to 1
    z = data.draw(float64_arrays(shape, -20, 20))
    for loss, prediction in ((losses.CategoricalCrossentropy(), p),
                             (losses.CategoricalCrossentropy(from_logits=True), z)):
        assert_passed(gradcheck.check_formula(lambda q: loss.forward(y, q)[0],
                                              lambda q: loss.forward(y, q)[1], prediction))


@given(data=st.data(), rows=class_rows())
def test_sparse_categorical_crossentropy_gradients(data, rows):
    leading, k = rows
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=int(np.prod(leading)),
                                         max_size=int(np.prod(leading))))).reshape(leading)
    p = data.draw(float64_arrays((*leading, k), 0.02, 0.98))
    z = data.draw(float64_arrays((*leading, k), -20, 20))
    for loss, prediction in ((losses.SparseCategoricalCrossentropy(), p),
                             (losses.SparseCategoricalCrossentropy(from_logits=True), z)):
        assert_passed(gradcheck.check_formula(lambda q: loss.forward(labels, q)[0],
                                              lambda q: loss.forward(labels, q)[1], prediction))


def test_the_gradient_is_zero_where_the_clip_acts():
    y = np.array([[0.0, 1.0, 0.0]])
    p = np.array([[0.0, 0.7, 0.3]])                           # q_0 = 0 < ε: clipped
    dp = losses.CategoricalCrossentropy().forward(y, p)[1]
    np.testing.assert_allclose(dp[0, 1:], (-1 / 0.7 + 1.0) * np.array([1, 0]) +
                               np.array([0, 1.0]), atol=1e-12)   # the row division's share
    assert dp[0, 0] == pytest.approx(1.0)                     # only through Σ p, not the log
    dp = losses.SparseCategoricalCrossentropy().forward([1], np.array([[0.0, 0.7, 0.3]]))[1]
    assert dp[0, 0] == 0.0                                    # SCCE clips each entry first


def test_the_logits_forms_are_finite_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-800.0, 800.0, 1.0]])
    for loss, y in ((losses.CategoricalCrossentropy(from_logits=True), np.eye(3)[[1, 0]]),
                    (losses.SparseCategoricalCrossentropy(from_logits=True), [1, 0])):
        value, dz = loss.forward(y, z)
        assert np.isfinite(value) and value == pytest.approx((2e4 + 1600) / 2)
        np.testing.assert_allclose(dz, (ops.softmax(z) - np.eye(3)[[1, 0]]) / 2, atol=1e-15)


def _softmax_model(loss, k=3, engine="fast", extra=()):
    model = nn.Sequential([layers.Dense(4, activation="tanh", input_shape=(2,)), *extra,
                           layers.Dense(k, activation="softmax")], seed=1, dtype="float64",
                          engine=engine)
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("loss,labels", [
    ("categorical_crossentropy", lambda c: np.eye(3)[c]),
    ("sparse_categorical_crossentropy", lambda c: c),
    ("sparse_categorical_crossentropy", lambda c: c[:, None]),
    ("mse", lambda c: np.eye(3)[c])])
def test_a_softmax_model_passes_its_gradient_check(loss, labels):
    rng = np.random.default_rng(0)
    x, classes = rng.normal(size=(7, 2)), rng.integers(0, 3, 7)
    model = _softmax_model(loss)
    assert model.uses_logits() == (loss != "mse")       # cross-entropies start from the logits
    assert_passed(gradcheck.check_model(model, x, labels(classes)))


def test_a_sequence_of_class_indices_trains_an_lstm_tagger():
    """LSTM(return_sequences=True) → Dense(K, softmax): one class per time step, labels (N, T)."""
    rng = np.random.default_rng(2)
    x = rng.integers(1, 6, size=(16, 5))
    y = (x % 3)                                               # each step's class: its id mod 3
    model = nn.Sequential([layers.Embedding(6, 4), layers.LSTM(8, return_sequences=True),
                           layers.Dense(3, activation="softmax")], seed=0, dtype="float64")
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.03),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert_passed(gradcheck.check_model(model, x[:3], y[:3]))
    history = model.fit(x, y, epochs=40, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (16, 5, 3)


def test_both_engines_train_a_softmax_model_to_the_same_weights():
    rng = np.random.default_rng(3)
    x, classes = rng.normal(size=(40, 2)), rng.integers(0, 3, 40)
    weights = {}
    for engine in ("fast", "reference"):
        model = _softmax_model("sparse_categorical_crossentropy", engine=engine,
                               extra=(layers.Dropout(0.3),))
        model.fit(x, classes, epochs=2, batch_size=8, verbose=0)
        weights[engine] = model.get_weights()
    for fast, reference in zip(weights["fast"], weights["reference"]):
        np.testing.assert_allclose(fast, reference, rtol=1e-9, atol=1e-12)


def test_a_softmax_model_round_trips_through_a_file(tmp_path):
    rng = np.random.default_rng(4)
    x, classes = rng.normal(size=(10, 2)), rng.integers(0, 3, 10)
    model = nn.Sequential([layers.Dense(4, activation="tanh", input_shape=(2,)),
                           layers.Dense(3), layers.Softmax()], seed=0)
    model.compile(optimizer="adam", loss=losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    model.fit(x, classes, epochs=1, verbose=0)
    assert model.uses_logits()                      # the Softmax layer keeps its logits too
    model.save(tmp_path / "m.nanonet")
    loaded = nn.load_model(tmp_path / "m.nanonet")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, classes, verbose=0) == model.evaluate(x, classes, verbose=0)
    assert type(loaded.loss) is losses.SparseCategoricalCrossentropy


def test_accuracy_is_keras_s_choice_from_the_shapes():
    p = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    assert nn.metrics.accuracy([1, 2], p) == 0.5                    # sparse: labels (n,)
    assert nn.metrics.accuracy([[1], [0]], p) == 1.0                # sparse: labels (n, 1)
    assert nn.metrics.accuracy(np.eye(3)[[1, 2]], p) == 0.5         # categorical: one-hot
    assert nn.metrics.accuracy([[1], [0]], [[0.8], [0.4]]) == 1.0   # binary: one column
    assert nn.metrics.categorical_accuracy(np.eye(3)[[1, 0]], p) == 1.0
    assert nn.metrics.sparse_categorical_accuracy([1, 1], p) == 0.5


# ---------------------------------------------------------------- misuse, clearly refused
def test_a_softmax_over_one_unit_is_refused():
    with pytest.raises(ValueError, match=r"Dense: a softmax over 1 unit always outputs 1.*"
                                         r"activation='sigmoid'"):
        layers.Dense(1, activation="softmax")
    with pytest.raises(ValueError, match=r"Softmax 'softmax': a softmax over 1 unit"):
        nn.Sequential([layers.Dense(1, input_shape=(2,)), layers.Softmax()])


def test_softmax_takes_only_the_last_axis():
    with pytest.raises(ValueError, match=r"Softmax: axis=1 is not supported; expected axis=-1"):
        layers.Softmax(axis=1)


@pytest.mark.parametrize("labels,message", [
    ([0, 3, 1], r"class index 3 is out of range for predictions over 3 classes; expected "
                r"indices 0 … 2"),
    ([0, 1.5, 1], r"needs class indices \(integers 0, 1, …, K − 1\), but y\[1\] = 1\.5"),
    ([0, -1, 1], r"needs class indices .* but y\[1\] = -1"),
    (np.eye(3)[[0, 1, 2]], r"y has shape \(3, 3\), but sparse_categorical_crossentropy needs "
                           r"one class index per row .* use categorical_crossentropy")])
def test_bad_sparse_labels_are_refused_by_fit_and_by_the_loss(labels, message):
    model = _softmax_model("sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"Sequential\.fit: .*" + message):
        model.fit(np.zeros((3, 2)), labels, verbose=0)
    with pytest.raises(ValueError, match=message):
        losses.SparseCategoricalCrossentropy()(labels, np.full((3, 3), 1 / 3))


def test_one_hot_rows_of_the_wrong_width_are_refused():
    model = _softmax_model("categorical_crossentropy")
    with pytest.raises(ValueError, match=r"Sequential\.fit: y has shape \(3, 4\), but the model "
                                         r"outputs \(None, 3\); give one target per output"):
        model.fit(np.zeros((3, 2)), np.eye(4)[:3], verbose=0)
    with pytest.raises(ValueError, match=r"y_true has shape \(3, 4\) but y_pred has shape "
                                         r"\(3, 3\)"):
        losses.CategoricalCrossentropy()(np.eye(4)[:3], np.full((3, 3), 1 / 3))


def test_negative_probabilities_point_to_from_logits():
    with pytest.raises(ValueError, match=r"must be probabilities .* y_pred\[0, 1\] = -0\.5.*"
                                         r"CategoricalCrossentropy\(from_logits=True\)"):
        losses.CategoricalCrossentropy()(np.eye(2), np.array([[1.0, -0.5], [0.2, 0.8]]))


def test_to_categorical_refuses_what_keras_would_silently_misread():
    with pytest.raises(ValueError, match=r"to_categorical: y must hold class indices \(whole "
                                         r"numbers ≥ 0\), got 1\.7"):
        to_categorical([0, 1.7])
    with pytest.raises(ValueError, match=r"got -1"):
        to_categorical([-1, 0])
    with pytest.raises(ValueError, match=r"class index 3 is out of range for num_classes=3"):
        to_categorical([3], num_classes=3)
