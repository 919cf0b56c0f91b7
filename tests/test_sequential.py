"""Sequential: building, training, reproducibility, history, progress output, summary, weights."""
import io
import sys
import types

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, optimizers, progress


def blobs(n=200, seed=0):
    """Two Gaussian blobs in 2-D, linearly separable with a wide margin."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return x.astype(np.float32), y


def xor(n=400, seed=0):
    """The XOR of two signs: no line separates it, one hidden layer does."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 2))
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(int)
    return x, y


def mlp(seed=0, hidden=16, activation="tanh", dtype="float32"):
    model = nn.Sequential([layers.Dense(hidden, activation=activation, input_shape=(2,)),
                           layers.Dense(1, activation="sigmoid")], seed=seed, dtype=dtype)
    model.compile(optimizer=optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


# ---------------------------------------------------------------- learning
def test_learns_a_linearly_separable_problem():
    x, y = blobs()
    model = nn.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))], seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    assert model.evaluate(x, y, verbose=0)[1] >= 0.98


def test_hidden_layer_learns_xor():
    x, y = xor()
    model = mlp()
    model.fit(x, y, epochs=40, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] >= 0.95


# ---------------------------------------------------------------- reproducibility
def test_same_seed_gives_bit_identical_training():
    x, y = xor(seed=1)
    runs = []
    for _ in range(2):
        model = mlp(seed=7)
        history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)  # shuffle=True
        runs.append((model.get_weights(), history.history["loss"]))
    for a, b in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(a, b)
    assert runs[0][1] == runs[1][1]


def test_different_seeds_give_different_weights():
    a, b = mlp(seed=1).get_weights()[0], mlp(seed=2).get_weights()[0]
    assert not np.array_equal(a, b)


def test_shuffle_changes_the_batches_each_epoch_but_not_the_initial_weights():
    x, y = xor(seed=2)
    shuffled, ordered = mlp(seed=3), mlp(seed=3)
    for a, b in zip(shuffled.get_weights(), ordered.get_weights()):
        np.testing.assert_array_equal(a, b)
    shuffled.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=True)
    ordered.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    assert not np.array_equal(shuffled.get_weights()[0], ordered.get_weights()[0])


# ---------------------------------------------------------------- fit details
def test_history_records_every_metric_per_epoch():
    x, y = blobs(60)
    model = mlp()
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}  # 45 samples, batch 32
    assert model.history is history


def test_validation_split_holds_out_the_last_samples_before_shuffling():
    x, y = blobs(40)
    model = mlp()
    model.fit(x, y, epochs=1, batch_size=40, verbose=0, validation_split=0.25)
    expected = model.evaluate(x[30:], y[30:], verbose=0)
    assert model.history.history["val_loss"][0] == pytest.approx(expected[0])
    assert model.history.history["val_accuracy"][0] == pytest.approx(expected[1])


def test_validation_data_is_evaluated_after_each_epoch():
    x, y = blobs(40)
    model = mlp()
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=(x[:10], y[:10]))
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(x[:10], y[:10],
                                                                          verbose=0)[0])


def test_epoch_loss_is_batch_size_weighted_mean_before_each_update():
    x, y = blobs(5)
    model = mlp()
    start = model.get_weights()
    history = model.fit(x, y, epochs=1, batch_size=3, shuffle=False, verbose=0)
    replay = mlp()
    replay.set_weights(start)
    first = replay.train_on_batch(x[:3], y[:3])[0]
    second = replay.train_on_batch(x[3:], y[3:])[0]
    assert history.history["loss"][0] == pytest.approx((3 * first + 2 * second) / 5, rel=1e-6)


def test_labels_may_be_a_python_list_and_rank_one():
    model = nn.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1, 0, 1], epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_loss_and_grads_does_not_update_and_returns_copies():
    x, y = blobs(8)
    model = mlp()
    before = model.get_weights()
    loss, grads = model.loss_and_grads(x, y)
    assert [g.shape for g in grads] == [w.shape for w in before]
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    grads[0][...] = 0
    assert np.any(model.loss_and_grads(x, y)[1][0] != 0)
    assert loss == pytest.approx(model.evaluate(x, y, verbose=0)[0], rel=1e-6)


def test_train_on_batch_returns_loss_and_metrics():
    x, y = blobs(8)
    model = mlp()
    loss, accuracy = model.train_on_batch(x, y)
    assert loss > 0 and 0 <= accuracy <= 1


# ---------------------------------------------------------------- building
def test_model_builds_from_first_layer_input_shape_and_names_layers_like_keras():
    model = nn.Sequential([layers.Dense(4, input_dim=3), layers.Dense(4), layers.ReLU(),
                           layers.Dense(1)])
    assert model.built and model.input_shape == (None, 3) and model.output_shape == (None, 1)
    assert [l.name for l in model.layers] == ["dense", "dense_1", "re_lu", "dense_2"]


def test_model_builds_from_data_and_from_build():
    a = nn.Sequential([layers.Dense(2), layers.Dense(1)], seed=0)
    assert not a.built
    out = a.predict(np.ones((3, 5)))
    assert a.built and out.shape == (3, 1) and out.dtype == np.float32
    b = nn.Sequential([layers.Dense(2)], seed=0)
    b.build((None, 5))
    assert b.input_shape == (None, 5)


def test_add_after_build_builds_the_new_layer_and_training_uses_it():
    model = nn.Sequential([layers.Dense(4, activation="tanh", input_shape=(2,))], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.add(layers.Dense(1, activation="sigmoid"))
    assert model.output_shape == (None, 1) and model.count_params() == 12 + 5
    x, y = xor(16)
    model.fit(x, y, epochs=1, verbose=0)
    last_before = model.get_weights()[-2].copy()
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(last_before, model.get_weights()[-2])


def test_get_and_set_weights_keras_order_and_shapes():
    model = nn.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)], seed=0)
    assert [w.shape for w in model.get_weights()] == [(2, 3), (3,), (3, 1), (1,)]
    new = [np.full(w.shape, i, np.float64) for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    for i, w in enumerate(model.get_weights()):
        assert w.dtype == np.float32 and np.all(w == i)
    model.get_weights()[0][...] = 99  # copies: the model is unaffected
    assert model.get_weights()[0][0, 0] == 0


def test_float64_model_trains_in_float64():
    x, y = xor(32)
    model = mlp(dtype="float64")
    model.fit(x, y, epochs=1, verbose=0)
    assert all(w.dtype == np.float64 for w in model.get_weights())
    assert model.predict(x).dtype == np.float64


def test_model_call_runs_forward():
    model = mlp()
    x, _ = xor(4)
    np.testing.assert_allclose(model(x), model.predict(x))


def test_from_config_rebuilds_the_architecture():
    model = mlp(seed=5)
    clone = nn.Sequential.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    for a, b in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)  # same seed → same initial weights


# ---------------------------------------------------------------- output
def test_summary_table_has_layers_shapes_and_parameter_counts():
    model = nn.Sequential([layers.Dense(64, activation="relu", input_shape=(20,)),
                           layers.Dense(1, activation="sigmoid")])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "sequential"' in text
    assert "dense (Dense)" in text and "(None, 64)" in text and "1344" in text
    assert "dense_1 (Dense)" in text and "(None, 1)" in text
    assert "Total params: 1409 (5.50 KB)" in text
    assert "Trainable params: 1409" in text


def test_progress_bar_matches_keras_format():
    assert progress.bar(1, 3) == "1/3 [=========>....................]"
    assert progress.bar(3, 3) == "3/3 [==============================]"
    assert progress.bar(0, 10) == " 0/10 [..............................]"
    assert progress.format_logs({"loss": 0.69371, "accuracy": 2 / 3}) == \
        " - loss: 0.6937 - accuracy: 0.6667"
    assert progress.format_value(0.0005) == "5.0000e-04"
    assert progress.format_time_per_unit(0.006, "step") == "6ms/step"
    assert progress.format_time_per_unit(2e-5, "step") == "20us/step"
    assert progress.format_eta(75) == "1:15"


def test_fit_verbose_1_and_2_print_keras_style_lines(capsys):
    x, y = blobs(6)
    model = mlp()
    model.fit(x, y, epochs=2, batch_size=2, verbose=1, shuffle=False)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "3/3 [==============================] - " in out and "/step - loss: " in out
    model.fit(x, y, epochs=1, batch_size=2, verbose=2)
    line = capsys.readouterr().out.strip()            # one epoch: no header, as in Keras
    assert line.startswith("3/3 - ") and "/epoch - " in line and "accuracy: " in line
    model.fit(x, y, epochs=2, batch_size=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert [lines[0], lines[2]] == ["Epoch 1/2", "Epoch 2/2"] and len(lines) == 4, lines
    assert lines[1].startswith("3/3 - ") and lines[3].startswith("3/3 - ")
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_progress_bar_rewrites_the_line_in_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = progress.ProgressBar(3, verbose=1, stream=stream)
    bar.update(1, {"loss": 0.5})
    bar.update(3, {"loss": 0.4})
    text = stream.getvalue()
    assert text.startswith("\r1/3 [=========>") and "ETA: " in text
    assert text.endswith("loss: 0.4000\n") and text.count("\r") == 2


def test_in_a_notebook_the_bar_is_live_on_stdout_only(monkeypatch, capsys):
    """Under Jupyter (ipykernel loaded) the bar on sys.stdout redraws with \\r, as Keras's
    Progbar does; a file or pipe still gets only the finished line."""
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    bar = progress.ProgressBar(3, verbose=1, interval=0)
    bar.update(1, {"loss": 0.5})
    bar.update(3, {"loss": 0.4})
    text = capsys.readouterr().out
    assert text.startswith("\r1/3 [") and text.count("\r") == 2
    log = io.StringIO()
    quiet = progress.ProgressBar(3, verbose=1, stream=log)
    quiet.update(1, {"loss": 0.5})
    quiet.update(3, {"loss": 0.4})
    assert log.getvalue().startswith("3/3 [") and "\r" not in log.getvalue()
    monkeypatch.delitem(sys.modules, "ipykernel")
    assert not progress.is_live(sys.stdout)


def test_a_live_bar_redraws_at_most_every_interval_and_always_at_the_end():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = progress.ProgressBar(100, verbose=1, stream=stream, interval=3600)
    for step in range(1, 101):
        bar.update(step, {"loss": 1 / step})
    drawn = stream.getvalue().split("\r")[1:]
    assert [d.split("/")[0].strip() for d in drawn] == ["1", "100"], drawn


# ---------------------------------------------------------------- reused buffers stay invisible
def test_trained_model_predicts_each_batch_separately_and_layers_return_fresh_arrays():
    x, y = xor(50)
    model = nn.Sequential([layers.Dense(8, activation="relu", input_shape=(2,)),
                           layers.Dense(4, activation="tanh"), layers.Dense(1,
                                                                            activation="sigmoid")],
                          seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)   # the model now reuses its temporaries
    one_by_one = np.concatenate([model.predict(x[i:i + 1]) for i in range(len(x))])
    np.testing.assert_allclose(model.predict(x, batch_size=7), one_by_one, rtol=1e-6)
    first = model.layers[0]
    h1 = first.forward(x[:5].astype(np.float32))
    h2 = first.forward(x[5:10].astype(np.float32))
    assert not np.shares_memory(h1, h2)
    np.testing.assert_allclose(h1, first.forward(x[:5].astype(np.float32)))
    dy = np.ones_like(h1)
    first.backward(dy)
    np.testing.assert_array_equal(dy, np.ones_like(h1))   # your arrays are never overwritten
