"""Embedding / LSTM / Dense against real Keras 2.15 numbers
(tests/fixtures/make_keras_sequence_fixtures.py made them; these tests need NumPy only)."""
from pathlib import Path

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers

FIXTURES = Path(__file__).parent / "fixtures"


def load(name):
    with np.load(FIXTURES / name, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


LSTM_DATA = load("keras_lstm.npz")
ADAM = load("keras_lstm_adam.npz")
DROPOUT = load("keras_dropout_facts.npz")


def weights(prefix, count, data=LSTM_DATA):
    return [data[f"{prefix}{i}"] for i in range(count)]


def assert_close(actual, expected, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- model A: Embedding → LSTM → Dense
def model_a(dtype="float64"):
    model = nn.Sequential([layers.Embedding(7, 5, input_length=6), layers.LSTM(4),
                           layers.Dense(1, activation="sigmoid")], dtype=dtype)
    model.set_weights(weights("a_w", 6))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_embedding_lstm_dense_outputs_loss_and_all_six_gradients_match_keras_in_float64():
    model = model_a()
    assert_close(model.predict(LSTM_DATA["a_ids"]), LSTM_DATA["a_pred"])
    loss, grads = model.loss_and_grads(LSTM_DATA["a_ids"], LSTM_DATA["a_y"])
    assert_close(loss, LSTM_DATA["a_loss"])
    for index, gradient in enumerate(grads):
        assert_close(gradient, LSTM_DATA[f"a_grad{index}"])


# ---------------------------------------------------------------- B: the LSTM alone
def lstm_b(**kwargs):
    layer = layers.LSTM(4, dtype="float64", **kwargs)
    layer.build((5, 3))
    layer.set_weights(weights("b_w", 3))
    return layer


def test_return_sequences_and_last_output_match_keras():
    x = LSTM_DATA["b_x"]
    seq = lstm_b(return_sequences=True).forward(x)
    assert_close(seq, LSTM_DATA["b_seq"])
    assert_close(lstm_b().forward(x), LSTM_DATA["b_last"])
    np.testing.assert_array_equal(seq[:, -1], lstm_b().forward(x))   # last step is h_T


def test_return_state_matches_keras():
    out, h, c = lstm_b(return_state=True).forward(LSTM_DATA["b_x"])
    assert_close(out, LSTM_DATA["b_state_out"])
    assert_close(h, LSTM_DATA["b_state_h"])
    assert_close(c, LSTM_DATA["b_state_c"])


def test_sequence_gradients_match_keras():
    layer = lstm_b(return_sequences=True)
    layer.forward(LSTM_DATA["b_x"])
    dx = layer.backward(LSTM_DATA["b_dseq"])
    assert_close(dx, LSTM_DATA["b_dx"])
    for index, name in enumerate(["kernel", "recurrent_kernel", "bias"]):
        assert_close(layer.grads[name], LSTM_DATA[f"b_dw{index}"])


# ---------------------------------------------------------------- C: mask_zero
def masked_model(**lstm_kwargs):
    model = nn.Sequential([layers.Embedding(6, 3, mask_zero=True),
                           layers.LSTM(4, **lstm_kwargs)], dtype="float64")
    model.build((5,))
    model.set_weights(weights("c_w", 4))
    return model


def test_mask_zero_carries_state_and_repeats_outputs_like_keras():
    ids = LSTM_DATA["c_ids"]
    seq = masked_model(return_sequences=True).predict(ids)
    assert_close(seq, LSTM_DATA["c_seq"])
    assert_close(masked_model().predict(ids), LSTM_DATA["c_last"])
    np.testing.assert_array_equal(seq[3], 0.0)              # an all-padding row stays zero
    np.testing.assert_array_equal(seq[0, :2], 0.0)          # zeros before the first real token
    np.testing.assert_array_equal(seq[1, 1], seq[1, 0])     # a masked step repeats the output


def test_mask_zero_states_and_gradients_match_keras():
    embedding = layers.Embedding(6, 3, mask_zero=True, dtype="float64")
    lstm = layers.LSTM(4, return_sequences=True, return_state=True, dtype="float64")
    embedding.build((5,))
    lstm.build((5, 3))
    embedding.set_weights([LSTM_DATA["c_w0"]])
    lstm.set_weights(weights("c_w", 4)[1:])
    vectors = embedding.forward(LSTM_DATA["c_ids"])
    seq, h, c = lstm.forward(vectors, mask=embedding.compute_mask(None))
    assert_close(h, LSTM_DATA["c_state_h"])
    assert_close(c, LSTM_DATA["c_state_c"])
    embedding.backward(lstm.backward([LSTM_DATA["c_dseq"], None, None]))
    assert_close(embedding.grads["embeddings"], LSTM_DATA["c_dw0"])
    for index, name in enumerate(["kernel", "recurrent_kernel", "bias"], start=1):
        assert_close(lstm.grads[name], LSTM_DATA[f"c_dw{index}"])
    np.testing.assert_array_equal(embedding.grads["embeddings"][0], 0.0)  # padding row


# ---------------------------------------------------------------- D: initialisation
def test_lstm_initialisation_follows_keras():
    layer = layers.LSTM(8)
    layer.build((None, 5), np.random.default_rng(0))
    kernel, recurrent, bias = layer.get_weights()
    np.testing.assert_array_equal(bias, LSTM_DATA["d_bias_init"])
    assert np.abs(kernel).max() <= LSTM_DATA["d_kernel_limit"]
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-6)
    np.testing.assert_allclose(LSTM_DATA["d_rrt"], np.eye(8), atol=1e-6)
    plain = layers.LSTM(8, unit_forget_bias=False)
    plain.build((None, 5))
    np.testing.assert_array_equal(plain.get_weights()[2], LSTM_DATA["d_bias_init_no_ufb"])


def test_embedding_initialisation_is_uniform_005():
    layer = layers.Embedding(50, 8)
    layer.build((None,), np.random.default_rng(0))
    table = layer.get_weights()[0]
    assert np.abs(table).max() <= 0.05 and np.abs(LSTM_DATA["d_embedding_init"]).max() <= 0.05
    assert table.std() == pytest.approx(0.1 / np.sqrt(12), rel=0.1)


# ---------------------------------------------------------------- the article's model, trained
def article_model():
    model = nn.Sequential([layers.Embedding(4, 64, input_length=10), layers.LSTM(64),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.set_weights(weights("w_init_", 6, ADAM))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_two_adam_steps_on_the_articles_model_match_keras():
    model = article_model()
    for step in (1, 2):
        loss, accuracy = model.train_on_batch(ADAM["ids"], ADAM["y"])
        assert loss == pytest.approx(float(ADAM[f"loss_{step}"]), abs=1e-6)
        assert accuracy == pytest.approx(float(ADAM[f"accuracy_{step}"]))
        for index, w in enumerate(model.get_weights()):
            np.testing.assert_allclose(w, ADAM[f"w_step{step}_{index}"], atol=2e-6)
    np.testing.assert_allclose(model.predict(ADAM["ids"]), ADAM["pred_after"], atol=1e-6)


def test_fit_batch_size_1_on_the_articles_model_matches_keras():
    model = article_model()
    history = model.fit(ADAM["ids"], ADAM["y"], epochs=3, batch_size=1, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"], ADAM["fit_history_loss"], atol=1e-6)
    np.testing.assert_allclose(history.history["accuracy"], ADAM["fit_history_accuracy"])
    for index, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ADAM[f"fit_w_final_{index}"], atol=5e-6)


# ---------------------------------------------------------------- dropout at inference
def test_dropout_is_off_at_inference_like_keras():
    x = DROPOUT["e_x"]
    with_dropout = layers.LSTM(6, dropout=0.5, recurrent_dropout=0.5, return_sequences=False)
    with_dropout.build(x.shape[1:])
    with_dropout.set_weights(weights("e_w", 3, DROPOUT))
    np.testing.assert_allclose(with_dropout.forward(x.astype(np.float32)),
                               DROPOUT["e_pred_train_false"], atol=1e-6)
    np.testing.assert_allclose(DROPOUT["e_pred_train_false"], DROPOUT["e_pred_nodropout"],
                               atol=1e-6)
    layer = layers.Dropout(0.25, seed=0)
    y = layer.forward(np.ones((200, 50), np.float32), training=True)
    kept = y[y != 0]
    np.testing.assert_allclose(kept, DROPOUT["f_kept_value"])
    assert abs((y == 0).mean() - 0.25) < 0.02 and abs(DROPOUT["f_zero_fraction"] - 0.25) < 0.02
