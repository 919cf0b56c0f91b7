"""fit's callbacks: EarlyStopping and ModelCheckpoint replay Keras 2.15's decisions
(keras_callbacks.json, made by tests/fixtures/make_keras_callback_fixtures.py), and fit calls
every callback at Keras's moments."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers
from nanonet.callbacks import Callback, EarlyStopping, History, ModelCheckpoint

KERAS = json.loads((Path(__file__).parent / "fixtures" / "keras_callbacks.json")
                   .read_text(encoding="utf-8"))


class StandIn:
    """What a callback touches of a model; its weights are [the epoch they come from]."""

    def __init__(self):
        self.weights, self.stop_training, self.saved = [np.array(-1.0)], False, []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, path):
        self.saved.append(path)


def replay(callback, monitor, values):
    model = StandIn()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = []
    for epoch, value in enumerate(values):
        model.weights = [np.array(float(epoch))]
        callback.on_epoch_end(epoch, {monitor: math.nan if value is None else value,
                                      "other": 0.0})
        record = {"stop": model.stop_training, "weights": float(model.weights[0]),
                  "saved": list(model.saved)}
        for name in ("wait", "best", "best_epoch", "stopped_epoch"):
            if hasattr(callback, name):
                value = float(getattr(callback, name))
                record[name] = None if math.isnan(value) else value
        epochs.append(record)
        if model.stop_training:
            break
    return epochs


@pytest.mark.parametrize("case", KERAS["early_stopping"], ids=lambda c: c["title"])
def test_early_stopping_decides_as_keras(case):
    callback = EarlyStopping(monitor=case["monitor"], **case["config"])
    assert replay(callback, case["monitor"], case["values"]) == case["epochs"]


@pytest.mark.parametrize("case", KERAS["checkpoint"], ids=lambda c: c["title"])
def test_model_checkpoint_saves_as_keras(case):
    callback = ModelCheckpoint(**case["config"])
    assert replay(callback, case["config"]["monitor"], case["values"]) == case["epochs"]


# ---------------------------------------------------------------- inside fit
def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, (x[:, 0] + 0.3 * x[:, 1] > 0).astype(float)


def _model(seed=0):
    model = nn.Sequential([layers.Dense(6, activation="tanh", input_shape=(3,)),
                           layers.Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer=nn.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


class Recorder(Callback):
    def __init__(self, stop_at_batch=None):
        super().__init__()
        self.moments, self.stop_at_batch = [], stop_at_batch

    def on_train_begin(self, logs=None):
        self.moments.append(("train_begin", self.params["epochs"], self.params["steps"]))

    def on_epoch_begin(self, epoch, logs=None):
        self.moments.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, logs=None):          # the old name is called too
        self.moments.append(("batch_end", batch, round(logs["loss"], 12)))
        if batch == self.stop_at_batch:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.moments.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.moments.append(("train_end", sorted(logs)))


def test_fit_calls_each_moment_in_keras_order():
    x, y = _data()
    recorder = Recorder()
    history = _model().fit(x, y, epochs=2, batch_size=25, validation_split=0.2, verbose=0,
                           callbacks=[recorder])
    kinds = [m[0] for m in recorder.moments]
    assert kinds == ["train_begin", "epoch_begin", "batch_end", "batch_end", "epoch_end",
                     "epoch_begin", "batch_end", "batch_end", "epoch_end", "train_end"]
    assert recorder.moments[0] == ("train_begin", 2, 2)
    logs = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert recorder.moments[4] == ("epoch_end", 0, logs) and recorder.moments[-1][1] == logs
    # the last batch's running mean is the epoch's loss that History records
    assert recorder.moments[3][2] == round(history.history["loss"][0], 12)
    assert recorder.model is not None and isinstance(history, History)


def test_a_callback_stops_training_after_the_batch_it_chose():
    x, y = _data()
    recorder = Recorder(stop_at_batch=0)
    model = _model()
    history = model.fit(x, y, epochs=5, batch_size=20, verbose=0, callbacks=[recorder])
    assert len(history.epoch) == 1 and model.stop_training
    assert [m[0] for m in recorder.moments].count("batch_end") == 1
    assert model.optimizer.iterations == 1


def test_early_stopping_in_fit_stops_and_restores_the_best_weights():
    x, y = _data(200)
    model = _model()
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=300, validation_split=0.3, verbose=0,
                        callbacks=[stopper])
    val = history.history["val_loss"]
    assert 0 < stopper.stopped_epoch == len(val) - 1 < 299
    best = int(np.argmin(val))
    assert stopper.best_epoch == best and stopper.best == val[best]
    assert len(val) - 1 - best >= 2                     # patience 2: two epochs without gain
    x_val, y_val = x[140:], y[140:]
    assert model.evaluate(x_val, y_val, verbose=0)[0] == pytest.approx(val[best], rel=1e-6)


def test_early_stopping_is_reproducible_with_a_seed():
    x, y = _data(200)
    runs = [len(_model(seed=3).fit(x, y, epochs=300, validation_split=0.3, verbose=0,
                                   callbacks=[EarlyStopping(patience=3)]).epoch)
            for _ in range(2)]
    assert runs[0] == runs[1]


def test_model_checkpoint_writes_files_that_load(tmp_path):
    x, y = _data()
    model = _model()
    path = tmp_path / "ckpt_{epoch:02d}_{loss:.3f}.npz"
    model.fit(x, y, epochs=3, verbose=0, callbacks=[ModelCheckpoint(path, monitor="loss")])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 3 and files[0].startswith("ckpt_01_")
    last = nn.load_model(tmp_path / files[-1])
    np.testing.assert_array_equal(last.predict(x), model.predict(x))


# ---------------------------------------------------------------- misuse, clearly refused
def test_a_monitor_that_is_not_logged_names_what_is():
    x, y = _data()
    with pytest.raises(ValueError, match=r"EarlyStopping: monitor='val_loss' is not among this "
                                         r"epoch's logs \['accuracy', 'loss'\] \(val_… values "
                                         r"need validation_data or validation_split in fit\)"):
        _model().fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])


@pytest.mark.parametrize("callbacks,message", [
    (EarlyStopping(), r"callbacks must be a list of Callback instances"),
    ([EarlyStopping], r"callbacks\[0\] must be a Callback instance .* call it, e\.g\. "
                      r"EarlyStopping\(\)"),
    ([print], r"callbacks\[0\] must be a Callback instance")])
def test_callbacks_must_be_a_list_of_instances(callbacks, message):
    x, y = _data()
    with pytest.raises(TypeError, match=r"Sequential\.fit: " + message):
        _model().fit(x, y, verbose=0, callbacks=callbacks)


@pytest.mark.parametrize("make,message", [
    (lambda: EarlyStopping(mode="maximum"), r"EarlyStopping: mode must be 'auto', 'min' or "
                                            r"'max', got 'maximum'"),
    (lambda: EarlyStopping(patience=-1), r"EarlyStopping: patience"),
    (lambda: ModelCheckpoint(3), r"ModelCheckpoint: filepath must be a path"),
    (lambda: ModelCheckpoint("m.npz", mode="best"), r"ModelCheckpoint: mode must be")])
def test_bad_callback_arguments_name_themselves(make, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def test_a_filepath_naming_a_value_not_logged_says_what_is(tmp_path):
    x, y = _data()
    with pytest.raises(ValueError, match=r"ModelCheckpoint: filepath .* names something this "
                                         r"epoch's logs do not hold"):
        _model().fit(x, y, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "{val_loss}.npz",
                                                                 monitor="loss")])
