"""Keras 2 weights into nanonet (nanonet.interop.from_keras_weights), against real Keras numbers.

The fixtures hold the weights of Keras models and what those models predicted
(tests/fixtures/make_keras_fixtures.py, make_keras_sequence_fixtures.py): loading the weights
into the same nanonet architecture must give Keras's predictions.
"""
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers
from nanonet.interop import from_keras_weights

FIXTURES = Path(__file__).parent / "fixtures"
LSTM_DATA = np.load(FIXTURES / "keras_lstm.npz")
TRAINING = np.load(FIXTURES / "keras_training.npz")


def keras_lstm_weights():
    return [LSTM_DATA[f"a_w{i}"] for i in range(6)]


def article_like_model(dtype="float64"):
    """Embedding(7, 5) → LSTM(4) → Dense(1, sigmoid), not built: no input_length."""
    return nn.Sequential([layers.Embedding(7, 5), layers.LSTM(4),
                          layers.Dense(1, activation="sigmoid")], dtype=dtype)


def test_an_unbuilt_embedding_lstm_model_gets_keras_predictions():
    model = from_keras_weights(article_like_model(), keras_lstm_weights())
    np.testing.assert_allclose(model.predict(LSTM_DATA["a_ids"]), LSTM_DATA["a_pred"],
                               rtol=1e-9, atol=1e-12)
    for got, want in zip(model.get_weights(), keras_lstm_weights()):
        np.testing.assert_array_equal(got, want)


def test_weights_from_an_npz_file_in_positional_order(tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, *keras_lstm_weights())
    model = from_keras_weights(article_like_model(), str(path))
    np.testing.assert_allclose(model.predict(LSTM_DATA["a_ids"]), LSTM_DATA["a_pred"],
                               rtol=1e-9, atol=1e-12)


def test_a_dense_model_trained_by_keras_predicts_as_keras():
    model = nn.Sequential([layers.Dense(4, activation="relu"),
                           layers.Dense(1, activation="sigmoid")])
    from_keras_weights(model, [TRAINING[f"w_final_{i}"] for i in range(4)])
    assert model.layers[0].input_shape == (3,)
    np.testing.assert_allclose(model.predict(TRAINING["x_train"]), TRAINING["predict"],
                               rtol=1e-5, atol=1e-6)


def test_a_swapped_gate_order_would_not_match():
    """The test can fail: Keras's [i, f, c̃, o] blocks permuted give other predictions."""
    weights = keras_lstm_weights()
    units = 4
    for k in (1, 2, 3):
        blocks = np.split(weights[k], 4, axis=-1)
        weights[k] = np.concatenate([blocks[1], blocks[0], blocks[2], blocks[3]], axis=-1)
    model = from_keras_weights(article_like_model(), weights)
    assert units == weights[2].shape[0]
    assert np.abs(model.predict(LSTM_DATA["a_ids"]) - LSTM_DATA["a_pred"]).max() > 1e-4


@pytest.mark.parametrize("weights, error, words", [
    (lambda: keras_lstm_weights()[:5], ValueError, ["expected 6 arrays", "dense"]),
    (lambda: [w.T for w in keras_lstm_weights()], ValueError, ["shape"]),
    (lambda: np.zeros(3), TypeError, ["list of arrays"]),
    (lambda: [np.array(["a", "b"])] + keras_lstm_weights()[1:], TypeError, ["weights[0]"]),
])
def test_wrong_weights_are_named(weights, error, words):
    with pytest.raises(error) as info:
        from_keras_weights(article_like_model(), weights())
    for word in words:
        assert word in str(info.value), str(info.value)


def test_files_that_are_not_plain_weights_are_refused(tmp_path):
    missing = tmp_path / "nope.npz"
    with pytest.raises(FileNotFoundError, match="np.savez"):
        from_keras_weights(article_like_model(), missing)
    named = tmp_path / "named.npz"
    np.savez(named, kernel=np.zeros((7, 5)))
    with pytest.raises(ValueError, match="arr_0, arr_1"):
        from_keras_weights(article_like_model(), named)
    gap = tmp_path / "gap.npz"
    np.savez(gap, arr_0=np.zeros((7, 5)), arr_2=np.zeros(3))
    with pytest.raises(ValueError, match="missing"):
        from_keras_weights(article_like_model(), gap)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ValueError, match="never unpickles"):
        from_keras_weights(article_like_model(), pickled)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="not a readable"):
        from_keras_weights(article_like_model(), broken)
    assert not zipfile.is_zipfile(broken)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match="one array"):
        from_keras_weights(article_like_model(), single)


def test_only_a_sequential_is_accepted():
    with pytest.raises(TypeError, match="Sequential"):
        from_keras_weights(layers.Dense(3), keras_lstm_weights())
