"""The same seed gives bit-identical weights, losses and predictions in separate processes on
one machine — shuffling, validation_split, dropout, recurrent dropout and data augmentation
included (Keras cannot promise this on CPU: with dropout, two runs with the same seed differ in
the 4th decimal).

This is the promise the lessons rely on ("run it again, get the same numbers"), tested once here
on the same mechanisms rather than by running every lesson twice. Across *machines* the promise
is weaker (different SIMD code paths round differently): see the tolerances in
tests/test_training_hooks.py and tests/test_lesson_08.py."""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

import nanonet as nn
from nanonet import layers

SCRIPT = r"""
import hashlib, json, sys
import numpy as np
import nanonet as nn
from nanonet import augment, layers

seed = int(sys.argv[1])
rng = np.random.default_rng(123)                       # the data: the same in every process
ids = rng.integers(0, 9, (24, 7))
x = rng.normal(size=(24, 5))
y = (rng.random(24) > 0.5).astype(int)

text_model = nn.Sequential([layers.Embedding(9, 6, mask_zero=True),
                            layers.LSTM(8, dropout=0.2, recurrent_dropout=0.3),
                            layers.Dropout(0.25), layers.Dense(1, activation="sigmoid")],
                           seed=seed)
text_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
text_history = text_model.fit(ids, y, epochs=3, batch_size=5, verbose=0, validation_split=0.25,
                              augment=augment.compose(augment.token_dropout(0.2),
                                                      augment.random_crop(5)))

dense_model = nn.Sequential([layers.Dense(7, activation="relu", input_shape=(5,)),
                             layers.Dropout(0.5), layers.Dense(1, activation="sigmoid")],
                            seed=seed)
dense_model.compile(optimizer=nn.optimizers.SGD(0.1, momentum=0.9), loss="binary_crossentropy")
dense_history = dense_model.fit(x, y, epochs=4, batch_size=4, verbose=0,
                                augment=augment.compose(augment.jitter(0.1),
                                                        augment.scaling(0.2)))

def digest(arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()

print(json.dumps({
    "text_weights": digest(text_model.get_weights()),
    "text_losses": [float(v).hex() for v in text_history.history["loss"]],
    "text_val_losses": [float(v).hex() for v in text_history.history["val_loss"]],
    "text_predictions": digest([text_model.predict(ids)]),
    "dense_weights": digest(dense_model.get_weights()),
    "dense_losses": [float(v).hex() for v in dense_history.history["loss"]],
    "dense_predictions": digest([dense_model.predict(x)]),
}))
"""


def run(seed: int, hash_seed: str) -> dict:
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(seed)], capture_output=True,
                            text=True, timeout=120, env=environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_same_seed_is_bit_identical_across_processes_dropout_included():
    first, second = run(7, "1"), run(7, "2")
    assert first == second


def test_a_different_seed_gives_different_training():
    first, other = run(7, "0"), run(8, "0")
    assert first["text_weights"] != other["text_weights"]
    assert first["dense_losses"] != other["dense_losses"]


def test_in_process_repeat_matches_too():
    def train():
        model = nn.Sequential([layers.Dense(3, activation="tanh", input_shape=(2,)),
                               layers.Dropout(0.3), layers.Dense(1)], seed=3)
        model.compile(optimizer="adam", loss="mse")
        x = np.linspace(-1, 1, 20).reshape(10, 2)
        model.fit(x, x.sum(axis=1), epochs=3, batch_size=3, verbose=0)
        return hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()

    assert train() == train()
