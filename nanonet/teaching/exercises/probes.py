"""The checks of the ten exercises: call the student's functions, compare with the truth.

``run("E08")`` returns a CheckResult (results.py): one row per compared array — for gradient
exercises, the float64 gradient check of each parameter (gradcheck.check_formula) against a
random upstream gradient, with the worst element and a hint (a constant factor, a missing
transpose, an ignored upstream gradient). The graded tests (tests/test_exercise_checks.py,
one pytest marker per exercise) assert these results.

Every check uses only code that is NOT part of the exercise it checks, so each exercise can
be graded alone: the truth comes from the fast engine (nanonet.fast.lstm, a second,
independent implementation of the same equations: never an exercise), from one-line forwards
(x W + b, E[ids]) whose gradients the student derives, or from golden numbers (golden.npz,
golden_text.json, made by tests/fixtures/make_exercise_fixtures.py from Keras's own numbers).
E09's loop calls the student's own step functions (E07, E08); its check puts the fast
engine's step in their place, so it grades the loop alone.
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List
from unittest import mock

import numpy as np

from ... import gradcheck, ops, optimizers
from ...gradcheck import GradCheckReport, GradCheckRow, check_formula, compare
from ...fast import dense as fast_dense
from ...fast import embedding as fast_embedding
from ...fast import lstm as fast_lstm
from ...layers import dense, embedding, lstm
from ...losses import bce_from_logits, bce_from_probabilities
from ...text import Tokenizer
from .catalogue import get
from .results import CheckResult, finding, from_exception, mark_ignored_upstream, verdict

HERE = Path(__file__).resolve().parent
# Golden numbers were computed once, on one CPU (Keras's float32 numbers on its machine,
# nanonet's float64 σ). On another CPU NumPy takes other SIMD code paths (AVX-512, AVX2 or
# the baseline) for exp, log and tanh, which may round differently in the last bits, and a
# student's correct formula rounds differently from ours. So values are never compared bit
# for bit, but elementwise within a relative tolerance (gradcheck.compare: rel = |a − b| /
# max(1e-8, |a| + |b|), half the relative difference; the floor absorbs values near 0), far
# above rounding and far below the bugs the checks are for (those at Keras's clip bounds are
# probed where they change the result by percents: e03_edge). tests/test_exercise_golden.py
# moves every golden number by a few ulps and checks that the solutions still pass.
#: float64 results (σ): 1e-12, about 10⁴ float64 ulps
FLOAT64_TOL = 1e-12
#: float32 results (σ, BCE vs Keras): 1e-6, at least 16 float32 ulps
VALUE_TOL = 1e-6
#: five optimizer steps vs Keras's (float32): they compound rounding, 1e-5 ≥ 160 ulps
TRAJECTORY_TOL = 1e-5


@lru_cache(maxsize=1)
def golden() -> Dict[str, np.ndarray]:
    with np.load(HERE / "golden.npz", allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def run(exercise_id: str) -> CheckResult:
    """Check one exercise (an id such as "E07") in the nanonet that is imported."""
    exercise = get(exercise_id)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")                  # an overflow is a finding
            with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                rows = PROBES[exercise.id]()
    except Exception as error:                              # the student's code raised
        return from_exception(exercise, error)
    return verdict(exercise, rows)


def run_all(ids=None) -> List[CheckResult]:
    return [run(exercise_id) for exercise_id in (ids or PROBES)]


# ====================================================================== helpers
def reference_gradient(f, x: np.ndarray, eps: float) -> np.ndarray:
    """The grader's own central differences (so the student's numerical_gradient, exercise
    E05, never judges the other exercises): x is perturbed through a copy."""
    gradient = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        original = x[index]
        shifted = x.copy()
        shifted[index] = original + eps
        upper = f(shifted)
        shifted[index] = original - eps
        gradient[index] = (upper - f(shifted)) / (2 * eps)
    return gradient


def check(f, grad_f, *args, names) -> GradCheckReport:
    """gradcheck.check_formula with the grader's own numerical gradient."""
    return check_formula(f, grad_f, *args, names=names, estimator=reference_gradient)


def _named(report, function: str, names) -> List[GradCheckRow]:
    """The rows of a check_formula report, named "function → dname"."""
    for row, name in zip(report.rows, names):
        row.name = f"{function} → d{name}"
    return report.rows


def _values(function: str, name: str, got, want, tol: float = VALUE_TOL) -> GradCheckRow:
    """A row comparing a returned value with the truth (shape, then elementwise)."""
    row = compare(f"{function} → {name}", got, want, tol)
    if not row.passed and row.hint:          # the hints speak of gradients: here it is values
        for said, meant in (("formula's gradient", "result"), ("formula", "result"),
                            ("true gradient", "expected value")):
            row.hint = row.hint.replace(said, meant)
    return row


def _upstream_rows(rows, backward: Callable, dout, names) -> List[GradCheckRow]:
    """Flag rows whose gradient does not change when the upstream gradient doubles."""
    if all(row.passed for row in rows):
        return rows
    once, twice = backward(dout), backward(2.0 * dout)
    for row, a, b in zip(rows, once, twice):
        mark_ignored_upstream(row, a, b)
    return rows


def _rng(seed: int = 7) -> np.random.Generator:
    return np.random.default_rng(seed)


# ====================================================================== E01 sigmoid
def probe_e01() -> List[GradCheckRow]:
    g = golden()
    rows = []
    try:
        rows.append(_values("sigmoid", "σ(x), float64", ops.sigmoid(g["e01_x"].copy()),
                            g["e01_sigmoid"], tol=FLOAT64_TOL))
    except FloatingPointError as error:
        rows.append(finding("sigmoid → σ(x) for large |x|", False,
                            f"overflows ({error}); exp(−x) is inf for x ≪ 0 — use exp(−|x|)"))
    s32 = ops.sigmoid(g["e01_x32"].copy())
    rows.append(finding("sigmoid → dtype", getattr(s32, "dtype", None) == np.float32,
                        f"float32 input gave {getattr(s32, 'dtype', type(s32).__name__)}; "
                        f"keep x's dtype"))
    if getattr(s32, "dtype", None) == np.float32:
        rows.append(_values("sigmoid", "σ(x), float32", s32, g["e01_sigmoid32"]))
    x = np.linspace(-6, 6, 13).reshape(13, 1)

    def reference(z):                            # σ written differently from the exercise
        return 0.5 + 0.5 * np.tanh(0.5 * z)
    report = check(reference, lambda z, dout: dout * ops.sigmoid_grad_from_output(
        reference(z)), x, names=["x"])
    rows += _named(report, "sigmoid_grad_from_output", ["x"])
    return rows


# ====================================================================== E02 dense
def probe_e02() -> List[GradCheckRow]:
    rng = _rng()
    x, kernel, bias = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5)), \
        rng.standard_normal(5)
    z, cache = dense.dense_forward(x.copy(), kernel.copy(), bias.copy())
    rows = [_values("dense_forward", "z", z, x @ kernel + bias)]

    def backward(dout):
        dx, dw, db = dense.dense_backward(dout, (x, kernel, True))
        return dx, dw, db
    report = check(lambda x, kernel, bias: x @ kernel + bias,
                   lambda x, kernel, bias, dout: backward(dout), x, kernel, bias,
                   names=["x", "kernel", "bias"])
    names = ["x", "kernel", "bias"]
    dout = np.random.default_rng(0).standard_normal((2, 3, 5))
    rows += _upstream_rows(_named(report, "dense_backward", names), backward, dout, names)
    fast = fast_dense.dense_backward(dout, (x, kernel, True))
    for got, want, name in zip(dense.dense_backward(dout, (x, kernel, True)), fast,
                               ("dx", "dW", "db")):
        rows.append(_values("dense_backward", f"{name} vs nanonet's fast engine", got, want,
                            tol=FLOAT64_TOL))
    no_bias = dense.dense_backward(dout, (x, kernel, False))
    rows.append(finding("dense_backward → no bias", no_bias[2] is None,
                        "a layer without bias (has_bias False in the cache) returns db = None"))
    return rows


def _one_unit_rows(x, rng) -> List[GradCheckRow]:
    """A layer of one unit (the article's output layer): dz Wᵀ is an outer product."""
    kernel = rng.standard_normal((x.shape[-1], 1))
    report = check(lambda x, kernel: x @ kernel,
                   lambda x, kernel, dout: dense.dense_backward(dout, (x, kernel, False))[:2],
                   x, kernel, names=["x", "kernel"])
    for row in report.rows:
        row.name = f"dense_backward (one unit) → d{row.name}"
    return report.rows


# ====================================================================== E03 BCE
def probe_e03() -> List[GradCheckRow]:
    g = golden()
    y, p, z = g["e03_y_true"], g["e03_p"], g["e03_z"]
    loss, dp = bce_from_probabilities(y.copy(), p.copy())
    rows = [_values("bce_from_probabilities", "loss (Keras)", loss, g["e03_bce_prob"]),
            _values("bce_from_probabilities", "dJ/dp (Keras)", dp, g["e03_bce_prob_grad"])]
    loss, dp = bce_from_probabilities(g["e03_edge_y"].copy(), g["e03_edge_p"].copy())
    rows += [_values("bce_from_probabilities", "loss at the clip bounds ε, 1 − ε", loss,
                     g["e03_edge_loss"]),
             _values("bce_from_probabilities", "dJ/dp at the clip bounds (0 where clipped)", dp,
                     g["e03_edge_grad"])]
    loss, dz = bce_from_logits(y.copy(), z.copy())
    rows += [_values("bce_from_logits", "loss (Keras)", loss, g["e03_bce_logits"]),
             _values("bce_from_logits", "dJ/dz (Keras)", dz, g["e03_bce_logits_grad"])]
    far = np.array([[-800.0], [800.0], [-40.0], [40.0]])
    y_far = np.array([[1.0], [0.0], [1.0], [0.0]])
    try:
        loss, dz = bce_from_logits(y_far, far)
        rows.append(_values("bce_from_logits", "dJ/dz for |z| up to 800", dz,
                            (0.5 + 0.5 * np.tanh(0.5 * far) - y_far) / 4))
        rows.append(finding("bce_from_logits → loss for |z| up to 800", np.isfinite(loss),
                            f"the loss is {loss}; use max(z, 0) − z·y + log(1 + e^(−|z|))"))
    except FloatingPointError as error:
        rows.append(finding("bce_from_logits → |z| up to 800", False,
                            f"overflows ({error}); never exponentiate a positive number"))
    return rows


# ====================================================================== E04 optimizers
OPTIMIZER_CASES = {
    "sgd_plain": lambda: optimizers.SGD(0.1),
    "sgd_momentum": lambda: optimizers.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam_default": lambda: optimizers.Adam(),
    "adam_custom": lambda: optimizers.Adam(0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
}


def probe_e04() -> List[GradCheckRow]:
    g = golden()
    rows = []
    for case, make in OPTIMIZER_CASES.items():
        trajectories = {}
        for engine in ("reference", "fast"):           # the student's update; the fast one
            optimizer, w = make(), g["e04_w0"].copy()
            optimizer.engine = engine
            trajectories[engine] = []
            for grad in g["e04_grads"]:
                optimizer.apply_gradients([w], [grad.copy()])
                trajectories[engine].append(w.copy())
        label = repr(optimizer).split("(")[0] + case.split("_", 1)[1].join(" ()")
        rows += [_values(label, "weights after each of 5 steps (Keras)",
                         np.array(trajectories["reference"]), g[f"e04_{case}"],
                         tol=TRAJECTORY_TOL),
                 _values(label, "weights after each of 5 steps (nanonet's fast engine)",
                         np.array(trajectories["reference"]), np.array(trajectories["fast"]),
                         tol=TRAJECTORY_TOL)]
    return rows


# ====================================================================== E05 numerical gradient
def probe_e05() -> List[GradCheckRow]:
    rng = _rng()
    x = rng.standard_normal((3, 4))
    weights = rng.standard_normal((3, 4))
    original = x.copy()

    def f(v):
        return float(np.sum(np.sin(v) * weights) + np.sum(v ** 3) / 3)
    numeric = gradcheck.numerical_gradient(f, x)
    rows = [_values("numerical_gradient", "∂f/∂x vs the calculus answer", numeric,
                    np.cos(original) * weights + original ** 2, tol=1e-7),
            finding("numerical_gradient → x restored", np.array_equal(x, original),
                    "x must be put back exactly after each element is perturbed")]
    calls = []

    def fails_on_third_call(v):
        calls.append(1)
        if len(calls) == 3:
            raise KeyError("a deliberate failure inside f")
        return f(v)
    try:
        gradcheck.numerical_gradient(fails_on_third_call, x)
    except KeyError:
        pass
    rows.append(finding("numerical_gradient → x restored when f raises",
                        np.array_equal(x, original),
                        "when f raises, x is left perturbed: restore it in a finally: block"))
    return rows


# ====================================================================== E06 embedding
def probe_e06() -> List[GradCheckRow]:
    rng = _rng()
    ids = np.array([[1, 3, 1, 0], [3, 3, 6, 1]])          # repeats; 2, 4, 5 never used
    table = rng.standard_normal((7, 3))

    def backward(dout):
        return (embedding.embedding_backward(dout, (ids, table.shape)),)
    report = check(lambda table: table[ids], lambda table, dout: backward(dout), table,
                   names=["embeddings"])
    dout = np.random.default_rng(0).standard_normal((2, 4, 3))
    rows = _upstream_rows(_named(report, "embedding_backward", ["embeddings"]), backward,
                          dout, ["embeddings"])
    return rows + [_values("embedding_backward", "dE vs nanonet's fast engine", backward(dout)[0],
                           fast_embedding.embedding_backward(dout, (ids, table.shape)),
                           tol=FLOAT64_TOL)]


# ====================================================================== E07 / E08 LSTM step
def _lstm_point(rng, n=3, d=4, units=5):
    return (rng.standard_normal((n, d)), rng.standard_normal((n, units)),
            rng.standard_normal((n, units)), rng.standard_normal((d, 4 * units)) * 0.5,
            rng.standard_normal((units, 4 * units)) * 0.5, rng.standard_normal(4 * units))


def _fused_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias, input_masks=None,
                recurrent_masks=None):
    """One step of the fast engine (fast.lstm.lstm_forward, T = 1): h, c, gates, tanh c."""
    _, h, c, cache = fast_lstm.lstm_forward(x[:, None, :], kernel, recurrent_kernel, bias,
                                            h_prev, c_prev, gate_input_masks=input_masks,
                                            recurrent_masks=recurrent_masks)
    step = cache[0].steps[0]
    return h.copy(), c.copy(), step[0].copy(), step[-1].copy()


class _StepCache(tuple):
    """A step cache (lstm_step_forward's layout) that also remembers the bias."""

    bias = None


def _fast_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias, input_masks=None,
                       recurrent_masks=None):
    """lstm_step_forward as the fast engine computes it (the same cache layout)."""
    h, c, gates, tanh_c = _fused_step(x, h_prev, c_prev, kernel, recurrent_kernel, bias,
                                      input_masks, recurrent_masks)
    cache = _StepCache((x, h_prev, c_prev, gates, tanh_c, kernel, recurrent_kernel,
                        bias is not None, input_masks, recurrent_masks))
    cache.bias = bias
    return h, c, cache


def _fast_step_backward(dh, dc, cache):
    """lstm_step_backward as the fast engine computes it (BPTT over one step)."""
    x, h_prev, c_prev, _, _, kernel, recurrent_kernel, _, in_masks, rec_masks = cache
    fast_cache = fast_lstm.lstm_forward(x[:, None, :], kernel, recurrent_kernel, cache.bias, h_prev,
                                        c_prev, gate_input_masks=in_masks,
                                        recurrent_masks=rec_masks)[3]
    dx, d_kernel, d_recurrent, d_bias, dh_prev, dc_prev = fast_lstm.lstm_backward(
        None, dh, dc, fast_cache)
    return dx[:, 0].copy(), dh_prev.copy(), dc_prev.copy(), d_kernel, d_recurrent, d_bias


def probe_e07() -> List[GradCheckRow]:
    point = _lstm_point(_rng())
    h_true, c_true, gates_true, tanh_true = _fused_step(*point)
    rows = []
    for bias in (point[5], None):
        args = point[:5] + (bias,)
        truth = _fused_step(*args) if bias is None else (h_true, c_true, gates_true, tanh_true)
        h, c, cache = lstm.lstm_step_forward(*[a if a is None else a.copy() for a in args])
        suffix = "" if bias is not None else " (no bias)"
        rows += [_values("lstm_step_forward", "h" + suffix, h, truth[0]),
                 _values("lstm_step_forward", "c" + suffix, c, truth[1])]
        if bias is not None:
            rows += [_values("lstm_step_forward", "cache gates [i f c̃ o]", cache[3], truth[2]),
                     _values("lstm_step_forward", "cache tanh(c)", cache[4], truth[3])]
    x, h_prev, c_prev, kernel, recurrent_kernel, bias = point
    z = x @ kernel + h_prev @ recurrent_kernel + bias
    h, c, gates, tanh_c = lstm.lstm_cell_forward(z, c_prev.copy())
    rows += [_values("lstm_cell_forward", "h", h, h_true),
             _values("lstm_cell_forward", "c", c, c_true),
             _values("lstm_cell_forward", "gates", gates, gates_true)]
    return rows


def _split_state_gradient(dout, units):
    return dout[:, :units], dout[:, units:]


def probe_e08() -> List[GradCheckRow]:
    point = _lstm_point(_rng())
    units = point[1].shape[1]
    names = ["x", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias"]

    def forward(*args):
        h, c, _, _ = _fused_step(*args)
        return np.concatenate([h, c], axis=1)

    def step_backward(dout, args=point):
        _, _, gates, tanh_c = _fused_step(*args)
        dh, dc = _split_state_gradient(dout, units)
        cache = (args[0], args[1], args[2], gates, tanh_c, args[3], args[4], True, None, None)
        return lstm.lstm_step_backward(dh, dc, cache)
    report = check(forward, lambda *a: step_backward(a[-1], a[:-1]), *point, names=names)
    dout = np.random.default_rng(0).standard_normal((len(point[0]), 2 * units))
    rows = _upstream_rows(_named(report, "lstm_step_backward", names), step_backward, dout,
                          names)
    return rows + _cell_backward_rows(point, units)


def _cell_backward_rows(point, units) -> List[GradCheckRow]:
    """lstm_cell_backward alone: with W = I, R = 0, b = 0 the step's input x is z itself."""
    z = point[1] @ point[4] + point[5]                          # (N, 4U) pre-activations
    c_prev = point[2]
    identity, zero_r = np.eye(4 * units), np.zeros((units, 4 * units))

    def forward(z, c_prev):
        h, c, _, _ = _fused_step(z, np.zeros_like(c_prev), c_prev, identity, zero_r, None)
        return np.concatenate([h, c], axis=1)

    def cell_backward(dout, z=z, c_prev=c_prev):
        _, _, gates, tanh_c = _fused_step(z, np.zeros_like(c_prev), c_prev, identity, zero_r,
                                          None)
        dh, dc = _split_state_gradient(dout, units)
        return lstm.lstm_cell_backward(dh, dc, c_prev, gates, tanh_c)
    report = check(forward, lambda z, c_prev, dout: cell_backward(dout, z, c_prev),
                   z, c_prev, names=["z", "c_prev"])
    dout = np.random.default_rng(0).standard_normal((len(z), 2 * units))
    return _upstream_rows(_named(report, "lstm_cell_backward", ["z", "c_prev"]),
                          cell_backward, dout, ["z", "c_prev"])


# ====================================================================== E09 BPTT
def probe_e09() -> List[GradCheckRow]:
    """The student's lstm_backward loop, with the fast engine's step in place of their own
    lstm_step_forward / lstm_step_backward (E07, E08), against the fast engine's BPTT."""
    rng = _rng()
    n, steps, d, units = 3, 4, 2, 3
    x = rng.standard_normal((n, steps, d))
    kernel, recurrent_kernel = rng.standard_normal((d, 4 * units)), \
        rng.standard_normal((units, 4 * units)) * 0.7
    bias = rng.standard_normal(4 * units)
    mask = np.array([[True] * 4, [True, True, False, False], [False, True, True, True]])
    recurrent_masks = (rng.random((4, n, units)) > 0.3) / 0.7
    input_mask = (rng.random((n, steps, d)) > 0.2) / 0.8
    rows = []
    with mock.patch.object(lstm, "lstm_step_forward", _fast_step_forward), \
            mock.patch.object(lstm, "lstm_step_backward", _fast_step_backward):
        for label, settings, returns_sequence in (
                ("sequence output", {}, True),
                ("last h and c, masked steps, recurrent dropout",
                 {"mask": mask, "recurrent_masks": recurrent_masks}, False),
                ("sequence output, input dropout", {"input_mask": input_mask}, True)):
            rows += _bptt_rows(label, settings, returns_sequence, units,
                               (x, kernel, recurrent_kernel, bias))
    return rows


def _bptt_rows(label, settings, returns_sequence, units, point) -> List[GradCheckRow]:
    names = ["x", "kernel", "recurrent_kernel", "bias"]

    def forward(x, kernel, recurrent_kernel, bias):
        hs, h, c, _ = fast_lstm.lstm_forward(x, kernel, recurrent_kernel, bias, **settings)
        return hs.copy() if returns_sequence else np.concatenate([h, c], axis=1)

    def grad(x, kernel, recurrent_kernel, bias, dout):
        cache = lstm.lstm_forward(x, kernel, recurrent_kernel, bias, **settings)[3]
        if returns_sequence:
            result = lstm.lstm_backward(dout, None, None, cache)
        else:
            result = lstm.lstm_backward(None, dout[:, :units], dout[:, units:], cache)
        return tuple(np.array(a) for a in result[:4])
    report = check(forward, grad, *point, names=names)
    for row in report.rows:
        row.name = f"lstm_backward ({label}) → d{row.name}"
    if not report.passed:
        dout = np.random.default_rng(0).standard_normal(forward(*point).shape)
        _upstream_rows(report.rows, lambda g: grad(*point, g), dout, names)
    return report.rows


# ====================================================================== E10 tokenizer
@lru_cache(maxsize=1)
def tokenizer_cases() -> list:
    return json.loads((HERE / "golden_text.json").read_text(encoding="utf-8"))["tokenizer_cases"]


def probe_e10() -> List[GradCheckRow]:
    rows = []
    for case in tokenizer_cases():
        tokenizer = Tokenizer(**case["args"])
        for batch in case["fit"]:
            tokenizer.fit_on_texts(batch)
        keras = case["keras"]
        got = {"word_counts": [list(p) for p in tokenizer.word_counts.items()],
               "word_index": [list(p) for p in tokenizer.word_index.items()],
               "word_docs": dict(tokenizer.word_docs),
               "index_docs": {int(k): v for k, v in tokenizer.index_docs.items()},
               "document_count": tokenizer.document_count}
        want = {"word_counts": keras["word_counts"], "word_index": keras["word_index"],
                "word_docs": dict(map(tuple, keras["word_docs"])),
                "index_docs": {int(k): v for k, v in keras["index_docs"]},
                "document_count": keras["document_count"]}
        for key in ("word_counts", "word_docs", "word_index", "index_docs", "document_count"):
            same = got[key] == want[key]
            note = "" if same else (f"{_first_difference(got[key], want[key])}; args "
                                    f"{case['args']}, texts {case['fit']}"[:600])
            rows.append(finding(f"Tokenizer ({case['name']}) → {key}", same, note))
    return rows


def _first_difference(got, want) -> str:
    if isinstance(want, list):
        for position, (a, b) in enumerate(zip(got, want)):
            if list(a) != list(b):
                return f"entry {position}: got {a}, Keras has {b} (ordered)"
        return f"got {len(got)} entries, Keras has {len(want)}"
    if isinstance(want, dict):
        keys = [k for k in list(want) + list(got) if got.get(k) != want.get(k)]
        return f"at {keys[0]!r}: got {got.get(keys[0])}, Keras has {want.get(keys[0])}"
    return f"got {got}, Keras has {want}"


PROBES: Dict[str, Callable[[], List[GradCheckRow]]] = {
    "E01": probe_e01, "E02": probe_e02, "E03": probe_e03, "E04": probe_e04,
    "E05": probe_e05, "E06": probe_e06, "E07": probe_e07, "E08": probe_e08,
    "E09": probe_e09, "E10": probe_e10,
}
