"""Embedding, LSTM (cell and BPTT), Dropout: gradients, masks, dropout semantics, bad input.

Gradient checks run in float64 against a random upstream gradient, on hypothesis-drawn shapes.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanonet as nn
from nanonet import gradcheck, layers
from nanonet.fast import lstm as fast_lstm
from nanonet.layers import lstm_step_backward, lstm_step_forward

from strategies import float64_arrays, seeds

small = st.integers(1, 4)


def assert_passed(report):
    assert report.passed, f"\n{report}"


# ---------------------------------------------------------------- the cell step
@given(data=st.data(), n=small, d=small, units=small, seed=seeds)
def test_lstm_step_gradients(data, n, d, units, seed):
    x = data.draw(float64_arrays((n, d), -2, 2))
    h = data.draw(float64_arrays((n, units), -1, 1))
    c = data.draw(float64_arrays((n, units), -2, 2))
    kernel = data.draw(float64_arrays((d, 4 * units), -1, 1))
    recurrent = data.draw(float64_arrays((units, 4 * units), -1, 1))
    bias = data.draw(float64_arrays((4 * units,), -1, 1))

    def step(x, h, c, kernel, recurrent, bias):          # both outputs, side by side
        h_new, c_new, _ = lstm_step_forward(x, h, c, kernel, recurrent, bias)
        return np.concatenate([h_new, c_new], axis=1)

    def step_backward(x, h, c, kernel, recurrent, bias, dout):
        cache = lstm_step_forward(x, h, c, kernel, recurrent, bias)[2]
        dx, dh, dc, dk, dr, db = lstm_step_backward(dout[:, :units], dout[:, units:], cache)
        return dx, dh, dc, dk, dr, db

    assert_passed(gradcheck.check_formula(step, step_backward, x, h, c, kernel, recurrent, bias,
                                          seed=seed))


def test_step_is_the_equations_written_out():
    rng = np.random.default_rng(0)
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    W, R, b = rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=8)
    z = x @ W + h @ R + b
    sigmoid = lambda v: 1 / (1 + np.exp(-v))
    i, f, g, o = sigmoid(z[:, :2]), sigmoid(z[:, 2:4]), np.tanh(z[:, 4:6]), sigmoid(z[:, 6:])
    c_new = f * c + i * g
    h_new, c_got, _ = lstm_step_forward(x, h, c, W, R, b)
    np.testing.assert_allclose(c_got, c_new, rtol=1e-13)
    np.testing.assert_allclose(h_new, o * np.tanh(c_new), rtol=1e-13)


# ---------------------------------------------------------------- the LSTM layer (BPTT)
@given(data=st.data(), n=small, steps=st.integers(1, 5), d=small, units=small,
       return_sequences=st.booleans(), return_state=st.booleans(), use_mask=st.booleans(),
       seed=seeds)
def test_lstm_gradients(data, n, steps, d, units, return_sequences, return_state, use_mask,
                        seed):
    x = data.draw(float64_arrays((n, steps, d), -2, 2))
    mask = data.draw(st.lists(st.lists(st.booleans(), min_size=steps, max_size=steps),
                              min_size=n, max_size=n)) if use_mask else None
    layer = layers.LSTM(units, return_sequences=return_sequences, return_state=return_state)
    report = gradcheck.check_layer(layer, x, mask=None if mask is None else np.array(mask),
                                   seed=seed)
    assert_passed(report)
    assert [r.name for r in report.rows] == ["input", "kernel", "recurrent_kernel", "bias"]


@given(data=st.data(), n=small, steps=st.integers(1, 4), d=small, units=small,
       dropout=st.sampled_from([0.0, 0.3]), recurrent_dropout=st.sampled_from([0.0, 0.4]),
       seed=seeds)
def test_lstm_gradients_with_dropout_masks_held_fixed(data, n, steps, d, units, dropout,
                                                     recurrent_dropout, seed):
    x = data.draw(float64_arrays((n, steps, d), -2, 2))
    layer = layers.LSTM(units, dropout=dropout, recurrent_dropout=recurrent_dropout,
                        return_sequences=True)
    assert_passed(gradcheck.check_layer(layer, x, training=True, seed=seed))


@given(data=st.data(), n=small, steps=st.integers(1, 6), vocab=st.integers(1, 5),
       width=small, seed=seeds)
def test_embedding_gradient_sums_repeated_ids(data, n, steps, vocab, width, seed):
    ids = np.array(data.draw(st.lists(st.lists(st.integers(0, vocab - 1), min_size=steps,
                                               max_size=steps), min_size=n, max_size=n)))
    assert_passed(gradcheck.check_layer(layers.Embedding(vocab, width), ids, seed=seed))


def test_embedding_backward_adds_up_every_use_of_an_id():
    layer = layers.Embedding(3, 2)
    layer.build((4,))
    layer.forward(np.array([[1, 1, 2, 1]]))
    layer.backward(np.ones((1, 4, 2)))
    np.testing.assert_array_equal(layer.grads["embeddings"], [[0, 0], [3, 3], [1, 1]])


@pytest.mark.parametrize("mask_zero", [False, True])
def test_whole_embedding_lstm_dense_model_checks(mask_zero):
    model = nn.Sequential([layers.Embedding(6, 3, mask_zero=mask_zero), layers.LSTM(4),
                           layers.Dense(1, activation="sigmoid")], seed=3)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    ids = np.array([[0, 0, 3, 4, 5], [2, 0, 3, 0, 1], [5, 4, 0, 0, 0]])
    assert_passed(gradcheck.check_model(model, ids, [1, 0, 1]))


def test_lstm_cell_layer_matches_one_step_of_the_lstm():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 1, 3)).astype(np.float32)
    lstm = layers.LSTM(4)
    lstm.build((1, 3), rng)
    cell = layers.LSTMCell(4)
    cell.build((3,))
    cell.set_weights(lstm.get_weights())
    h, (h_again, c) = cell.forward(x[:, 0])
    np.testing.assert_allclose(h, lstm.forward(x), rtol=1e-6)
    assert h is h_again
    dx, (dh_prev, dc_prev) = cell.backward(np.ones_like(h))
    lstm.forward(x)
    np.testing.assert_allclose(dx, lstm.backward(np.ones_like(h))[:, 0], rtol=1e-5)
    np.testing.assert_allclose(cell.grads["kernel"], lstm.grads["kernel"], rtol=1e-5)


# ---------------------------------------------------------------- dropout semantics
def test_dropout_layer_drops_the_rate_and_rescales():
    layer = layers.Dropout(0.3, seed=1)
    y = layer.forward(np.ones((400, 100)), training=True)
    assert abs((y == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / 0.7)
    np.testing.assert_array_equal(layer.forward(np.ones((3, 4)), training=False), 1.0)
    np.testing.assert_array_equal(layer.backward(np.full((3, 4), 2.0)), 2.0)


def test_lstm_masks_follow_keras_shapes_and_are_constant_across_time():
    x = np.ones((5, 7, 3), np.float32)
    both = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5)
    both.build((7, 3))
    both.rng = np.random.default_rng(0)
    masks = both._dropout_masks(x, training=True)
    assert masks["gate_input_masks"].shape == (4, 5, 3)      # per gate, (N, D): every step
    assert masks["recurrent_masks"].shape == (4, 5, 4)       # per gate, (N, U): every step
    assert not np.array_equal(masks["gate_input_masks"][0], masks["gate_input_masks"][1])
    assert set(np.unique(masks["recurrent_masks"])) <= {0.0, 2.0}
    only_input = layers.LSTM(4, dropout=0.5)
    only_input.build((7, 3))
    only_input.rng = np.random.default_rng(0)
    mask = only_input._dropout_masks(x, training=True)["input_mask"]
    assert mask.shape == (5, 7, 3)                           # one (N, T, D) mask
    assert not all(np.array_equal(mask[:, 0], mask[:, t]) for t in range(1, 7))
    assert both._dropout_masks(x, training=False) == {}


def test_inference_is_deterministic_and_training_uses_dropout():
    model = nn.Sequential([layers.Embedding(5, 4, input_length=6),
                           layers.LSTM(8, dropout=0.3, recurrent_dropout=0.3),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    ids = np.random.default_rng(0).integers(0, 5, (4, 6))
    np.testing.assert_array_equal(model.predict(ids), model.predict(ids))
    assert not np.array_equal(model(ids, training=True), model(ids, training=True))


def test_same_seed_gives_bit_identical_training_with_dropout():
    ids = np.random.default_rng(1).integers(0, 6, (12, 8))
    y = np.arange(12) % 2
    runs = []
    for _ in range(2):
        model = nn.Sequential([layers.Embedding(6, 4), layers.LSTM(5, dropout=0.2,
                                                                   recurrent_dropout=0.2),
                               layers.Dropout(0.3), layers.Dense(1, activation="sigmoid")],
                              seed=11)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(ids, y, epochs=2, batch_size=4, verbose=0)
        runs.append(model.get_weights())
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- building and training
def test_model_builds_from_input_length_and_counts_keras_parameters():
    model = nn.Sequential([layers.Embedding(4, 64, input_length=10),
                           layers.LSTM(64, dropout=0.2, recurrent_dropout=0.2),
                           layers.Dense(1, activation="sigmoid")])
    assert model.built and model.output_shape == (None, 1)
    assert [layer.count_params() for layer in model.layers] == [256, 33024, 65]


def test_sequence_model_learns_which_token_came_first():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 5, (200, 6))
    y = (ids[:, 0] <= 2).astype(int)                 # remember the first token to the end
    model = nn.Sequential([layers.Embedding(5, 8), layers.LSTM(16),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=nn.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(ids, y, epochs=15, batch_size=20, verbose=0)
    assert model.evaluate(ids, y, verbose=0)[1] >= 0.95


def test_lstm_return_sequences_feeds_a_dense_on_every_step():
    model = nn.Sequential([layers.LSTM(3, return_sequences=True, input_shape=(4, 2)),
                           layers.Dense(1)], seed=0)
    assert model.predict(np.ones((5, 4, 2))).shape == (5, 4, 1)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad,message", [
    ([[0, 1, 4]], r"token id 4 at x\[0, 2\] is outside \[0, 3\] \(input_dim=4\)"),
    ([[0, -1, 2]], r"token id -1 at x\[0, 1\] is outside \[0, 3\].*never negative"),
    ([[0.0, 1.5, 2.0]], r"x\[0, 1\] = 1.5 is not a whole number"),
    ([[True, False]], r"integer token ids, got booleans"),
    ([1, 2, 3], r"shape \(batch, timesteps\), got shape \(3,\)"),
])
def test_bad_token_ids_name_the_embedding_and_the_value(bad, message):
    model = nn.Sequential([layers.Embedding(4, 2), layers.LSTM(2),
                           layers.Dense(1, activation="sigmoid")])
    with pytest.raises((ValueError, TypeError), match=message) as excinfo:
        model.predict(bad)
    assert "Embedding 'embedding'" in str(excinfo.value)


def test_whole_float_ids_are_accepted_as_keras_does():
    model = nn.Sequential([layers.Embedding(4, 2), layers.LSTM(2)], seed=0)
    np.testing.assert_array_equal(model.predict([[0.0, 3.0]]), model.predict([[0, 3]]))


def test_calling_an_embedding_directly_checks_ids_too():
    with pytest.raises(ValueError, match="token id 9"):
        layers.Embedding(4, 2)(np.array([[9]]))


@pytest.mark.parametrize("x,message", [
    (np.ones((4, 3)), r"expects x of shape \(batch, timesteps, features\), got 2-D shape \(4, 3\)"),
    (np.ones((4, 5, 2)), r"x has shape \(4, 5, 2\), but the model expects \(None, 5, 3\) "
                         r"— its first layer, LSTM 'lstm'"),
])
def test_lstm_input_shape_errors(x, message):
    model = nn.Sequential([layers.LSTM(2, input_shape=(5, 3))])
    with pytest.raises(ValueError, match=message):
        model.predict(x)


def test_lstm_called_directly_with_the_wrong_feature_size():
    layer = layers.LSTM(2)
    layer.build((None, 3))
    with pytest.raises(ValueError, match=r"LSTM was built for 3 features per step, got input "
                                         r"of shape \(4, 5, 2\)"):
        layer.forward(np.ones((4, 5, 2)))


def test_sequence_length_stays_open_unless_declared():
    model = nn.Sequential([layers.Embedding(5, 3), layers.LSTM(2)], seed=0)
    assert model.predict(np.ones((2, 7), int)).shape == (2, 2)
    assert model.input_shape == (None, None)
    assert model.predict(np.ones((2, 4), int)).shape == (2, 2)      # shorter batches work too
    fixed = nn.Sequential([layers.Embedding(5, 3, input_length=7), layers.LSTM(2)])
    with pytest.raises(ValueError, match=r"expects \(None, 7\)"):
        fixed.predict(np.ones((2, 4), int))


@pytest.mark.parametrize("kwargs,name", [({"dropout": 1.0}, "dropout"),
                                         ({"recurrent_dropout": -0.1}, "recurrent_dropout")])
def test_lstm_rates_outside_0_1(kwargs, name):
    with pytest.raises(ValueError, match=rf"{name} must be in \[0.0, 1.0\)"):
        layers.LSTM(2, **kwargs)


def test_dropout_rate_outside_0_1():
    with pytest.raises(ValueError, match=r"rate must be in \[0.0, 1.0\), got 1.5"):
        layers.Dropout(1.5)


def test_ragged_sequences_must_be_padded_first():
    with pytest.raises(ValueError, match="ragged.*pad_sequences"):
        nn.Sequential([layers.Embedding(4, 2), layers.LSTM(2)]).predict([[1, 2], [3]])


def test_return_state_lstm_cannot_sit_in_a_sequential():
    with pytest.raises(ValueError, match="return_state=True.*list"):
        nn.Sequential([layers.LSTM(2, return_state=True)])


def test_backward_before_forward_is_a_clear_error():
    layer = layers.LSTM(2)
    layer.build((3, 2))
    with pytest.raises(RuntimeError, match="call forward first"):
        layer.backward(np.ones((1, 2)))


def test_a_mask_reaching_the_loss_is_refused():
    model = nn.Sequential([layers.Embedding(4, 2, mask_zero=True),
                           layers.LSTM(2, return_sequences=True), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="still carries the mask"):
        model.fit([[0, 1, 2]], np.ones((1, 3, 1)), verbose=0)


# ---------------------------------------------------------------- BPTT = the step, repeated
def test_bptt_equals_stepping_the_cell_through_time():
    """The fast BPTT (nanonet.fast.lstm: fused, in place) gives the numbers of
    lstm_step_forward / lstm_step_backward called step by step — one set of equations."""
    rng = np.random.default_rng(5)
    n, steps, d, units = 3, 6, 4, 5
    x = rng.normal(size=(n, steps, d))
    kernel, recurrent = rng.normal(size=(d, 4 * units)), rng.normal(size=(units, 4 * units))
    bias = rng.normal(size=4 * units)
    dhs = rng.normal(size=(n, steps, units))
    hs, h_last, c_last, cache = fast_lstm.lstm_forward(x, kernel, recurrent, bias)
    dx, dk, dr, db, _, _ = fast_lstm.lstm_backward(dhs, None, None, cache)
    h = c = np.zeros((n, units))
    caches, outputs = [], []
    for t in range(steps):
        h, c, step_cache = lstm_step_forward(x[:, t], h, c, kernel, recurrent, bias)
        caches.append(step_cache)
        outputs.append(h)
    np.testing.assert_allclose(hs, np.stack(outputs, axis=1), rtol=1e-12, atol=1e-14)
    dh_next = dc_next = np.zeros((n, units))
    grads = [np.zeros_like(kernel), np.zeros_like(recurrent), np.zeros_like(bias)]
    step_dx = []
    for t in reversed(range(steps)):
        dxt, dh_next, dc_next, *step_grads = lstm_step_backward(dhs[:, t] + dh_next, dc_next,
                                                                caches[t])
        step_dx.insert(0, dxt)
        grads = [total + g for total, g in zip(grads, step_grads)]
    np.testing.assert_allclose(dx, np.stack(step_dx, axis=1), rtol=1e-10, atol=1e-12)
    for ours, stepped in zip((dk, dr, db), grads):
        np.testing.assert_allclose(ours, stepped, rtol=1e-10, atol=1e-12)


def test_embedding_backward_accepts_time_major_gradients():
    layer = layers.Embedding(4, 2)
    layer.build((3,))
    ids = np.array([[1, 2, 1], [3, 1, 0]])
    layer.forward(ids)
    dy = np.arange(12.0).reshape(2, 3, 2)
    layer.backward(np.ascontiguousarray(dy.transpose(1, 0, 2)).transpose(1, 0, 2))
    expected = np.zeros((4, 2))
    np.add.at(expected, ids.reshape(-1), dy.reshape(-1, 2))
    np.testing.assert_array_equal(layer.grads["embeddings"], expected)


# ---------------------------------------------------------------- saving a sequence model
def sequence_model():
    model = nn.Sequential([layers.Embedding(7, 4, mask_zero=True),
                           layers.LSTM(5, dropout=0.2, recurrent_dropout=0.1),
                           layers.Dropout(0.3), layers.Dense(1, activation="sigmoid")], seed=4)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_sequence_model_saves_and_resumes_training_exactly(tmp_path):
    ids = np.random.default_rng(2).integers(0, 7, (10, 6))
    y = np.arange(10) % 2
    straight = sequence_model()
    straight.fit(ids, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    resumed = sequence_model()
    resumed.fit(ids, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    resumed.save(tmp_path / "model.npz")
    loaded = nn.load_model(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.predict(ids), resumed.predict(ids))
    assert loaded.get_config() == resumed.get_config()
    loaded.fit(ids, y, epochs=1, batch_size=5, verbose=0)    # dropout and shuffling resume
    straight.fit(ids, y, epochs=1, batch_size=5, verbose=0)
    for a, b in zip(loaded.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


@given(data=st.data(), n=small, steps=st.integers(1, 4), d=small, units=small, seed=seeds)
def test_bptt_pure_functions_with_every_dropout_mask(data, n, steps, d, units, seed):
    """The fast lstm_forward/lstm_backward called directly (no preallocated outputs), with
    per-gate input masks and recurrent masks held fixed."""
    rng = np.random.default_rng(seed)
    x = data.draw(float64_arrays((n, steps, d), -2, 2))
    gate_masks = (rng.random((4, n, d)) > 0.3) / 0.7
    recurrent_masks = (rng.random((4, n, units)) > 0.4) / 0.6
    args = (x, rng.normal(size=(d, 4 * units)), rng.normal(size=(units, 4 * units)) * 0.5,
            rng.normal(size=4 * units))

    def sequence(x, kernel, recurrent, bias):
        return fast_lstm.lstm_forward(x, kernel, recurrent, bias, gate_input_masks=gate_masks,
                                   recurrent_masks=recurrent_masks)[0]

    def sequence_backward(x, kernel, recurrent, bias, dout):
        cache = fast_lstm.lstm_forward(x, kernel, recurrent, bias, gate_input_masks=gate_masks,
                                    recurrent_masks=recurrent_masks)[3]
        return fast_lstm.lstm_backward(dout, None, None, cache)[:4]

    assert_passed(gradcheck.check_formula(sequence, sequence_backward, *args, seed=seed))


def test_a_wide_lstm_takes_the_transposed_copy_path_and_still_equals_the_step():
    """From 128 units on, BPTT multiplies by a contiguous copy of Rᵀ; same numbers."""
    rng = np.random.default_rng(9)
    n, steps, d, units = 2, 3, 2, 128
    x = rng.normal(size=(n, steps, d))
    kernel = rng.normal(size=(d, 4 * units)) * 0.3
    recurrent = rng.normal(size=(units, 4 * units)) * 0.05
    bias = rng.normal(size=4 * units) * 0.1
    dhs = rng.normal(size=(n, steps, units))
    cache = fast_lstm.lstm_forward(x, kernel, recurrent, bias)[3]
    dx, _, d_recurrent, _, dh0, _ = fast_lstm.lstm_backward(dhs, None, None, cache)
    h = c = np.zeros((n, units))
    caches = []
    for t in range(steps):
        h, c, step_cache = lstm_step_forward(x[:, t], h, c, kernel, recurrent, bias)
        caches.append(step_cache)
    dh_next = dc_next = np.zeros((n, units))
    stepped = np.zeros_like(recurrent)
    for t in reversed(range(steps)):
        _, dh_next, dc_next, _, dr, _ = lstm_step_backward(dhs[:, t] + dh_next, dc_next,
                                                           caches[t])
        stepped += dr
    np.testing.assert_allclose(d_recurrent, stepped, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-10, atol=1e-12)
