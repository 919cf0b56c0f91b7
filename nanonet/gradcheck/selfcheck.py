"""Every built-in gradient, checked numerically: what ``python -m nanonet gradcheck`` prints.

Each entry is a small float64 problem with a random upstream gradient (see gradcheck/formulas.py):
every layer (each activation, masks, returned states, dropout masks held fixed), every loss,
one LSTM step, and two whole models (through the sigmoid-logits path of the loss, and
Embedding(mask_zero) → LSTM → Dense).

It is what a student is told to run in a find-the-bug copy (docs/teaching.md), so it must
reach every function a planted bug can be in — the backward code of the exercises,
``nanonet.teaching.exercises.copies.BUG_FUNCTIONS``, and every other function of an exercise a
layer calls — and through every branch the bugs can hide in: a layer of one unit and one of two
(dense_backward has a shortcut for one unit), an embedding table with rows no id uses
(their gradient must be 0, not what the buffer held), and binary cross-entropy right at
and inside Keras's clip bounds [ε, 1 − ε], where ε = 1e-7 decides the numbers.
tests/test_selfcheck.py traces the run to prove that every such function is reached, and plants
bugs to see it go red. A check that raises instead of finishing is reported as a failed check
(the error's message, never the source line that raised it: that would give a planted bug
away).
"""
from __future__ import annotations

from typing import Callable, Iterator, List, Tuple

import numpy as np

from .. import layers, losses
from ..models import Sequential
from ..validation import check_int
from .formulas import check_formula
from .layers_and_models import check_layer, check_model
from .reports import GradCheckReport, GradCheckRow

#: the step of the checks at Keras's clip bounds: far below the distance of each point from
#: a bound (≥ 5e-8), so a step never crosses one
CLIP_EPS = 1e-9


def check_builtins(seed: int = 0) -> List[GradCheckReport]:
    """Run every check; one report each. seed: an integer >= 0."""
    return list(iter_builtins(seed, "selfcheck.check_builtins"))


def iter_builtins(seed: int = 0, where: str = "selfcheck.iter_builtins"
                  ) -> Iterator[GradCheckReport]:
    """check_builtins one report at a time, each as soon as its check ran (the command line
    prints them so; a caller may stop at the first failure)."""
    seed = check_int(seed, "seed", where, minimum=0)
    rng = np.random.default_rng(seed)
    checks = (_dense_and_activations(rng, seed) + _losses(rng) + _sequence_layers(rng, seed)
              + [_lstm_step(rng, seed), _dense_model(rng, seed), _sequence_model(seed)])
    return (_run(title, check) for title, check in checks)


#: one check: its title, and the function that runs it
Check = Tuple[str, Callable[[], GradCheckReport]]


def _run(title: str, check: Callable[[], GradCheckReport]) -> GradCheckReport:
    """The check's report under `title`, or — if it raised — a failed report saying what."""
    try:
        report = check()
    except Exception as error:  # noqa: BLE001 — any error of the checked code is a finding
        note = (f"the check raised {type(error).__name__}: {str(error)[:300]} — the code "
                f"under test failed before a gradient could be compared")
        report = GradCheckReport(title, rows=[GradCheckRow(
            "(whole check)", (), float("inf"), float("inf"), None, float("nan"), float("nan"),
            False, note=note)])
    report.title = title
    return report


def _layer(layer, x, **kwargs) -> Check:
    """check_layer(layer, x, **kwargs) on the reference engine (the functions the exercises
    and planted bugs are in; tests/test_engines.py proves the fast engine equal to it),
    titled as check_layer titles it."""
    layer.engine = "reference"
    title = layer.describe() if layer.name else repr(layer)
    return title, lambda: check_layer(layer, x, **kwargs)


def _dense_and_activations(rng, seed) -> List[Check]:
    x = _away_from_zero(rng.standard_normal((4, 5)))
    checks = [_layer(layers.Dense(3, activation=activation, name=f"dense_{activation}"), x,
                     seed=seed)
              for activation in ("linear", "sigmoid", "tanh", "relu", "softmax")]
    # dense_backward computes dz Wᵀ for one unit as a broadcast product: both branches
    checks += [_layer(layers.Dense(units, name=f"dense ({units} unit{'s' * (units > 1)})"), x,
                      seed=seed) for units in (1, 2)]
    checks += [_layer(layer, x, seed=seed) for layer in
               (layers.Sigmoid(), layers.Tanh(), layers.ReLU(), layers.Activation("sigmoid"),
                layers.Softmax())]
    checks.append(_layer(layers.Dropout(0.4, name="dropout (training)"), x, training=True,
                         seed=seed))
    return checks


def _losses(rng) -> List[Check]:
    y = (rng.random((6, 1)) > 0.5).astype(np.float64)
    p = rng.uniform(0.05, 0.95, (6, 1))
    z = rng.standard_normal((6, 1)) * 3
    # at Keras's clip bounds [ε, 1 − ε] (ε = 1e-7): clipped points (gradient exactly 0) and
    # points so close to 0 or 1 that the ε inside log(p + ε) and 1/(p + ε) changes the result
    p_edges = np.array([[1e-5], [5e-8], [1 - 5e-8], [1 - 1e-5], [5e-8], [1 - 5e-8], [3e-6],
                        [1 - 3e-6]])
    y_edges = np.array([[1.0], [1.0], [1.0], [0.0], [0.0], [0.0], [1.0], [0.0]])
    cases = (("binary_crossentropy (probabilities)", losses.BinaryCrossentropy(), y, p, {}),
             ("binary_crossentropy (probabilities at and inside the clip bounds ε, 1 − ε)",
              losses.BinaryCrossentropy(), y_edges, p_edges, {"eps": CLIP_EPS}),
             ("binary_crossentropy (from_logits=True)",
              losses.BinaryCrossentropy(from_logits=True), y, z, {}),
             ("mse", losses.MeanSquaredError(), y, z, {}))
    return [(title, _loss_check(loss, labels, pred, settings))
            for title, loss, labels, pred, settings in cases + _categorical_cases(rng)]


def _categorical_cases(rng) -> tuple:
    """The categorical cross-entropies on 6 rows of 4 classes: probability rows that do not
    sum to 1 (the loss divides by the sum), logits, and class indices for the sparse one."""
    classes = rng.integers(0, 4, 6)
    one_hot = np.eye(4)[classes]
    p = rng.uniform(0.05, 0.95, (6, 4))
    z = rng.standard_normal((6, 4)) * 3
    return (("categorical_crossentropy (probabilities)", losses.CategoricalCrossentropy(),
             one_hot, p, {}),
            ("categorical_crossentropy (from_logits=True)",
             losses.CategoricalCrossentropy(from_logits=True), one_hot, z, {}),
            ("sparse_categorical_crossentropy (probabilities)",
             losses.SparseCategoricalCrossentropy(), classes, p, {}),
            ("sparse_categorical_crossentropy (from_logits=True)",
             losses.SparseCategoricalCrossentropy(from_logits=True), classes, z, {}))


def _loss_check(loss, y, pred, settings) -> Callable[[], GradCheckReport]:
    return lambda: check_formula(lambda y_pred: loss.forward(y, y_pred)[0],
                                 lambda y_pred: loss.forward(y, y_pred)[1], pred,
                                 names=["y_pred"], **settings)


def _sequence_layers(rng, seed) -> List[Check]:
    x = rng.standard_normal((3, 5, 4))
    mask = np.array([[0, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=bool)
    ids = np.array([[1, 2, 1, 0], [3, 3, 3, 1]])        # ids 4 and 5 unused: their rows get 0
    cases = [
        (layers.Embedding(6, 3, name="embedding (repeated ids) with unused rows"), ids, {}),
        (layers.LSTM(3, name="lstm"), x, {}),
        (layers.LSTM(3, return_sequences=True, return_state=True,
                     name="lstm (return_sequences, return_state)"), x, {}),
        (layers.LSTM(3, return_sequences=True, name="lstm (mask)"), x, {"mask": mask}),
        (layers.LSTM(3, dropout=0.3, recurrent_dropout=0.3, return_sequences=True,
                     name="lstm (dropout masks held fixed)"), x, {"training": True}),
    ]
    return [_layer(layer, data, seed=seed, **kwargs) for layer, data, kwargs in cases]


def _lstm_step(rng, seed) -> Check:
    n, d, units = 2, 3, 2
    args = [rng.standard_normal(shape) for shape in
            ((n, d), (n, units), (n, units), (d, 4 * units), (units, 4 * units), (4 * units,))]

    def step(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
        h, c, _ = layers.lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)
        return np.concatenate([h, c], axis=1)

    def step_backward(x, h_prev, c_prev, kernel, recurrent_kernel, bias, dout):
        cache = layers.lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)[2]
        return layers.lstm_step_backward(dout[:, :units], dout[:, units:], cache)

    return ("lstm_step_forward / lstm_step_backward (one cell step)",
            lambda: check_formula(step, step_backward, *args, seed=seed))


def _dense_model(rng, seed) -> Check:
    """Two Dense layers trained with BCE through the sigmoid-logits path."""
    x = rng.standard_normal((5, 3))
    y = (rng.random(5) > 0.5).astype(np.float64)

    def check() -> GradCheckReport:
        model = Sequential([layers.Dense(4, activation="tanh", input_shape=(3,)),
                            layers.Dense(1, activation="sigmoid")], seed=seed,
                           dtype="float64", engine="reference")
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        return check_model(model, x, y, seed=seed)
    return "model 'sequential' with binary_crossentropy", check


def _sequence_model(seed) -> Check:
    """The article's §5 architecture, small, with padding masked."""
    def check() -> GradCheckReport:
        model = Sequential([layers.Embedding(6, 3, mask_zero=True), layers.LSTM(4),
                            layers.Dense(1, activation="sigmoid")], seed=seed,
                           name="embedding_lstm_dense", engine="reference")
        model.compile(optimizer="adam", loss="binary_crossentropy")
        ids = np.array([[0, 0, 3, 4, 5], [2, 0, 3, 0, 1], [5, 4, 0, 0, 0]])
        return check_model(model, ids, [1, 0, 1], seed=seed)
    return "model 'embedding_lstm_dense' with binary_crossentropy", check


def _away_from_zero(x: np.ndarray, margin: float = 0.05) -> np.ndarray:
    """Move values off the ReLU kink at 0, where the derivative does not exist."""
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * margin, x)
