"""Every built-in gradient, checked numerically: what ``python -m nanonet gradcheck`` prints.

Each entry is a small float64 problem with a random upstream gradient (see gradcheck.py):
every layer (each activation, masks, returned states, dropout masks held fixed), every loss,
one LSTM step, and two whole models (through the sigmoid-logits path of the loss, and
Embedding(mask_zero) → LSTM → Dense).
"""
from __future__ import annotations

from typing import List

import numpy as np

from . import layers, losses
from .gradcheck import GradCheckReport, check_formula, check_layer, check_model
from .models import Sequential
from .validation import check_int


def check_builtins(seed: int = 0) -> List[GradCheckReport]:
    """Run every check; one report each. seed: an integer >= 0."""
    seed = check_int(seed, "seed", "selfcheck.check_builtins", minimum=0)
    rng = np.random.default_rng(seed)
    return (_dense_and_activations(rng, seed) + _losses(rng) + _sequence_layers(rng, seed)
            + [_lstm_step(rng, seed), _dense_model(rng, seed), _sequence_model(seed)])


def _dense_and_activations(rng, seed) -> List[GradCheckReport]:
    x = _away_from_zero(rng.standard_normal((4, 5)))
    reports = [check_layer(layers.Dense(3, activation=activation, name=f"dense_{activation}"),
                           x, seed=seed)
               for activation in ("linear", "sigmoid", "tanh", "relu")]
    reports += [check_layer(layer, x, seed=seed) for layer in
                (layers.Sigmoid(), layers.Tanh(), layers.ReLU(), layers.Activation("sigmoid"))]
    reports.append(check_layer(layers.Dropout(0.4, name="dropout (training)"), x,
                               training=True, seed=seed))
    return reports


def _losses(rng) -> List[GradCheckReport]:
    y = (rng.random((6, 1)) > 0.5).astype(np.float64)
    p = rng.uniform(0.05, 0.95, (6, 1))
    z = rng.standard_normal((6, 1)) * 3
    reports = []
    for title, loss, pred in (("binary_crossentropy (probabilities)",
                               losses.BinaryCrossentropy(), p),
                              ("binary_crossentropy (from_logits=True)",
                               losses.BinaryCrossentropy(from_logits=True), z),
                              ("mse", losses.MeanSquaredError(), z)):
        report = check_formula(lambda y_pred, loss=loss: loss.forward(y, y_pred)[0],
                               lambda y_pred, loss=loss: loss.forward(y, y_pred)[1], pred,
                               names=["y_pred"])
        report.title = title
        reports.append(report)
    return reports


def _sequence_layers(rng, seed) -> List[GradCheckReport]:
    x = rng.standard_normal((3, 5, 4))
    mask = np.array([[0, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=bool)
    ids = np.array([[1, 2, 1, 0], [3, 3, 3, 1]])
    cases = [
        (layers.Embedding(4, 3, name="embedding (repeated ids)"), ids, {}),
        (layers.LSTM(3, name="lstm"), x, {}),
        (layers.LSTM(3, return_sequences=True, return_state=True,
                     name="lstm (return_sequences, return_state)"), x, {}),
        (layers.LSTM(3, return_sequences=True, name="lstm (mask)"), x, {"mask": mask}),
        (layers.LSTM(3, dropout=0.3, recurrent_dropout=0.3, return_sequences=True,
                     name="lstm (dropout masks held fixed)"), x, {"training": True}),
    ]
    return [check_layer(layer, data, seed=seed, **kwargs) for layer, data, kwargs in cases]


def _lstm_step(rng, seed) -> GradCheckReport:
    n, d, units = 2, 3, 2
    args = [rng.standard_normal(shape) for shape in
            ((n, d), (n, units), (n, units), (d, 4 * units), (units, 4 * units), (4 * units,))]

    def step(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
        h, c, _ = layers.lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)
        return np.concatenate([h, c], axis=1)

    def step_backward(x, h_prev, c_prev, kernel, recurrent_kernel, bias, dout):
        cache = layers.lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)[2]
        return layers.lstm_step_backward(dout[:, :units], dout[:, units:], cache)

    report = check_formula(step, step_backward, *args, seed=seed)
    report.title = "lstm_step_forward / lstm_step_backward (one cell step)"
    return report


def _dense_model(rng, seed) -> GradCheckReport:
    """Two Dense layers trained with BCE through the sigmoid-logits path."""
    model = Sequential([layers.Dense(4, activation="tanh", input_shape=(3,)),
                        layers.Dense(1, activation="sigmoid")], seed=seed, dtype="float64")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = rng.standard_normal((5, 3))
    y = (rng.random(5) > 0.5).astype(np.float64)
    return check_model(model, x, y, seed=seed)


def _sequence_model(seed) -> GradCheckReport:
    """The article's §5 architecture, small, with padding masked."""
    model = Sequential([layers.Embedding(6, 3, mask_zero=True), layers.LSTM(4),
                        layers.Dense(1, activation="sigmoid")], seed=seed,
                       name="embedding_lstm_dense")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    ids = np.array([[0, 0, 3, 4, 5], [2, 0, 3, 0, 1], [5, 4, 0, 0, 0]])
    return check_model(model, ids, [1, 0, 1], seed=seed)


def _away_from_zero(x: np.ndarray, margin: float = 0.05) -> np.ndarray:
    """Move values off the ReLU kink at 0, where the derivative does not exist."""
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * margin, x)
