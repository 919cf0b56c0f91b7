"""Multi-class nanonet against real Keras 2.15 (keras_categorical.npz, made by
tests/fixtures/make_keras_categorical_fixtures.py): softmax, the categorical cross-entropies
and their gradients, "accuracy" for multi-class models, to_categorical and a small fit.

float64 within 1e-9 relative (Keras runs float64 too); float32 within 1e-5 relative (float32
sums round differently on each CPU's vector units and in TensorFlow's kernels).
"""
from pathlib import Path

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, losses, ops
from nanonet.utils import to_categorical

with np.load(Path(__file__).parent / "fixtures" / "keras_categorical.npz",
             allow_pickle=False) as _data:
    KERAS = {key: _data[key] for key in _data.files}

TOLERANCE = {"_64": 1e-9, "_32": 1e-5}
DTYPES = {"_64": np.float64, "_32": np.float32}


def assert_close(ours, keras, rtol):
    """Relative to the largest |Keras value| (a gradient has entries that are exactly 0)."""
    ours, keras = np.asarray(ours, np.float64), np.asarray(keras, np.float64)
    assert ours.shape == keras.shape, (ours.shape, keras.shape)
    assert np.max(np.abs(ours - keras)) <= rtol * max(np.max(np.abs(keras)), 1e-300), \
        (ours, keras)


def test_softmax_and_its_jacobian_product_match_keras():
    layer = layers.Softmax(dtype="float64")
    layer.build((4,))
    y = layer.forward(KERAS["z"])
    assert_close(y, KERAS["softmax_y"], 1e-12)
    assert_close(layer.backward(KERAS["dy"]), KERAS["softmax_dx"], 1e-12)


@pytest.mark.parametrize("suffix", ["_64", "_32"])
@pytest.mark.parametrize("labels", ["onehot", "soft"])
def test_categorical_crossentropy_matches_keras(suffix, labels):
    dtype, rtol = DTYPES[suffix], TOLERANCE[suffix]
    y = KERAS["one_hot" if labels == "onehot" else "soft"].astype(dtype)
    cases = {"probs": (losses.CategoricalCrossentropy(), KERAS["p"]),
             "logits": (losses.CategoricalCrossentropy(from_logits=True), KERAS["z"])}
    for kind, (loss, prediction) in cases.items():
        value, gradient = loss.forward(y, prediction.astype(dtype))
        assert gradient.dtype == dtype
        assert_close(value, KERAS[f"cce_{labels}_{kind}_loss{suffix}"], rtol)
        assert_close(gradient, KERAS[f"cce_{labels}_{kind}_grad{suffix}"], rtol)
    # on a softmax's output Keras takes the logits: the model's path, from the logits
    value, gradient = losses.CategoricalCrossentropy().forward_from_logits(
        y, KERAS["z"].astype(dtype))
    assert_close(value, KERAS[f"cce_{labels}_via_softmax_loss{suffix}"], rtol)
    assert_close(gradient, KERAS[f"cce_{labels}_via_softmax_grad{suffix}"], rtol)


@pytest.mark.parametrize("suffix", ["_64", "_32"])
@pytest.mark.parametrize("shape", ["flat", "column"])
def test_sparse_categorical_crossentropy_matches_keras(suffix, shape):
    dtype, rtol = DTYPES[suffix], TOLERANCE[suffix]
    labels = KERAS["labels"] if shape == "flat" else KERAS["labels"][:, None]
    for kind, from_logits, prediction in (("probs", False, KERAS["p"]),
                                          ("logits", True, KERAS["z"])):
        loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
        value, gradient = loss.forward(labels, prediction.astype(dtype))
        assert_close(value, KERAS[f"scce_{shape}_{kind}_loss{suffix}"], rtol)
        assert_close(gradient, KERAS[f"scce_{shape}_{kind}_grad{suffix}"], rtol)
    value, gradient = losses.SparseCategoricalCrossentropy().forward_from_logits(
        labels, KERAS["z"].astype(dtype))
    assert_close(value, KERAS[f"scce_{shape}_via_softmax_loss{suffix}"], rtol)
    assert_close(gradient, KERAS[f"scce_{shape}_via_softmax_grad{suffix}"], rtol)


def test_sparse_and_categorical_differ_only_where_the_clip_acts():
    """Keras's categorical loss divides each row by its sum, then clips; the sparse one clips,
    then divides. On rows with no entry below ε the two agree; with one (1e-9, 0.0) they do not."""
    sparse, dense = KERAS["scce_flat_probs_loss_64"], KERAS["cce_onehot_probs_loss_64"]
    assert abs(sparse - dense) > 1e-9
    assert_close(losses.SparseCategoricalCrossentropy()(KERAS["labels"], KERAS["p"]), sparse, 1e-12)
    assert_close(losses.CategoricalCrossentropy()(KERAS["one_hot"], KERAS["p"]), dense, 1e-12)
    for row in range(5):
        p, one_hot, label = KERAS["p"][row:row + 1], KERAS["one_hot"][row:row + 1], \
            KERAS["labels"][row:row + 1]
        gap = abs(losses.SparseCategoricalCrossentropy()(label, p)
                  - losses.CategoricalCrossentropy()(one_hot, p))
        clipped = np.any(p / p.sum() < 1e-7) or np.any(p > 1 - 1e-7)
        assert (gap > 1e-12) == clipped, (row, gap)


@pytest.mark.parametrize("case,call", [
    ("to_cat_flat", lambda: to_categorical([2, 0, 1])),
    ("to_cat_column", lambda: to_categorical(np.array([[1], [3]]))),
    ("to_cat_classes", lambda: to_categorical([1, 0], num_classes=4)),
    ("to_cat_zero_classes", lambda: to_categorical([1, 2], num_classes=0)),
    ("to_cat_matrix", lambda: to_categorical(np.array([[0, 1], [2, 2]])))])
def test_to_categorical_matches_keras(case, call):
    result = call()
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, KERAS[case])


def _model():
    model = nn.Sequential([layers.Dense(5, activation="tanh", input_shape=(3,)),
                           layers.Dense(3, activation="softmax")], dtype="float64")
    model.set_weights([KERAS[f"init_{i}"] for i in range(4)])
    return model


@pytest.mark.parametrize("case,loss,targets", [
    ("fit_scce", "sparse_categorical_crossentropy", lambda y: y),
    ("fit_scce_column", "sparse_categorical_crossentropy", lambda y: y[:, None]),
    ("fit_cce", "categorical_crossentropy", lambda y: np.eye(3)[y]),
    ("fit_mse", "mse", lambda y: np.eye(3)[y])])
@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_fit_evaluate_predict_match_keras(case, loss, targets, engine):
    """SGD on a softmax model: the losses (from the logits for both cross-entropies, through
    the softmax for MSE), "accuracy" resolved as Keras does, weights after 4 epochs."""
    model = _model()
    model.engine = engine
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.3), loss=loss,
                  metrics=["accuracy"])
    y = targets(KERAS["y_train"])
    history = model.fit(KERAS["x_train"], y, epochs=4, batch_size=5, shuffle=False, verbose=0)
    assert_close(history.history["loss"], KERAS[f"{case}_loss"], 1e-9)
    np.testing.assert_array_equal(history.history["accuracy"], KERAS[f"{case}_accuracy"])
    for i, weight in enumerate(model.get_weights()):
        assert_close(weight, KERAS[f"{case}_w{i}"], 1e-9)
    assert_close(model.evaluate(KERAS["x_train"], y, verbose=0), KERAS[f"{case}_evaluate"], 1e-9)
    assert_close(model.predict(KERAS["x_train"], verbose=0), KERAS[f"{case}_predict"], 1e-9)


def test_the_fixture_is_what_the_generator_writes():
    """The inputs in the file are the literals of the generator script (so the two cannot
    drift apart without a regeneration)."""
    np.testing.assert_allclose(ops.softmax(KERAS["z"]).sum(axis=-1), 1.0, rtol=1e-15)
    assert KERAS["p"].shape == (5, 4) and np.any(KERAS["p"] < 1e-7)
    assert np.any(np.abs(KERAS["p"].sum(axis=-1) - 1) > 0.05)       # rows not normalised
