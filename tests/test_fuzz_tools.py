"""Fuzzing the tools half of nanonet's public API with hypothesis.

Random — and often wrong — inputs go to Tokenizer (and tokenizer_from_json on edited JSON),
pad_sequences, numerical_gradient,
relative_error(_map), check_formula, the paper's functions and load_model (random bytes, and a
valid file with flipped bytes, cut short, or with its JSON header edited). Only two outcomes
are allowed:

1. a CORRECT result, checked against an oracle (exact arithmetic, a reference formula, the
   model that was saved …);
2. one of nanonet's clear exceptions — ValueError, TypeError, FileNotFoundError or
   IsADirectoryError — RAISED BY NANONET'S OWN CODE: ``assert_clear_error`` fails if the
   innermost frame of the traceback is anywhere but the nanonet package (a raw error escaping
   from NumPy, zipfile or json), or if the message does not name the function.

Warnings are errors here (setup.cfg), and ``outcome`` also turns every warning into a failure:
no NumPy RuntimeWarning (overflow, invalid, divide) may escape. The CI profile
(tests/conftest.py) is derandomized, so the file is deterministic; it runs in a few seconds.
"""
from __future__ import annotations

import json
import math
import os
import traceback
import warnings
import zipfile
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nanonet as nn
from nanonet import gradcheck, layers
from nanonet.teaching import paper
from nanonet.text import Tokenizer, pad_sequences, tokenizer_from_json

NANONET_DIR = os.path.dirname(os.path.abspath(nn.__file__)) + os.sep
RAW_PLACES = tuple(os.path.dirname(os.path.abspath(module.__file__)) + os.sep
                   if module.__file__.endswith("__init__.py")
                   else os.path.abspath(module.__file__)
                   for module in (np, zipfile, json))
CLEAR_ERRORS = (ValueError, TypeError, FileNotFoundError, IsADirectoryError)


def fuzz(examples: int) -> settings:
    """The loaded profile (derandomized in CI) with `examples` examples."""
    return settings(max_examples=examples,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


# ---------------------------------------------------------------------------- the oracle of errors
def assert_clear_error(error: BaseException, *names: str) -> None:
    """`error` is one of ours: an allowed type, raised inside nanonet (not NumPy/zipfile/json),
    and its message names one of `names` (the function or argument)."""
    assert isinstance(error, CLEAR_ERRORS), f"{type(error).__name__} escaped: {error}"
    innermost = os.path.abspath(traceback.extract_tb(error.__traceback__)[-1].filename)
    assert not innermost.startswith(RAW_PLACES), (
        f"a raw {type(error).__name__} escaped from {innermost}: {error}")
    assert innermost.startswith(NANONET_DIR), (
        f"{type(error).__name__} raised outside nanonet ({innermost}): {error}")
    message = str(error)
    assert any(name in message for name in names), (
        f"the message names none of {names}: {message}")


def outcome(call, *names: str):
    """Run call(): (True, its result), or (False, the exception) if it raised a clear error
    of nanonet's (anything else fails the test — including any warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return True, call()
        except Warning as warning:                              # pragma: no cover - a failure
            pytest.fail(f"{type(warning).__name__} escaped: {warning}")
        except Exception as error:                              # noqa: BLE001
            assert_clear_error(error, *names)
            return False, error


def test_the_oracle_catches_raw_errors():
    """The helper itself: a NumPy error escaping, or a message naming nothing, fails it."""
    with pytest.raises(AssertionError, match="raw ValueError escaped from .*numpy"):
        outcome(lambda: np.reshape(np.ones(3), (2, 2)), "anything")
    with pytest.raises(AssertionError, match="raised outside nanonet"):
        outcome(lambda: np.ones(3) + np.ones(4), "anything")
    with pytest.raises(AssertionError, match="names none of"):
        outcome(lambda: gradcheck.relative_error(np.ones(3), np.ones(4)), "something else")
    with pytest.raises(AssertionError, match="KeyError escaped"):
        outcome(lambda: {}["key"], "anything")
    with pytest.raises(pytest.fail.Exception, match="RuntimeWarning escaped"):
        outcome(lambda: np.log(np.zeros(1)), "anything")


# ---------------------------------------------------------------------------- shared strategies
SPECIAL = [0.0, -0.0, 1e30, -1e30, 5e-324, -5e-324, 2.2e-308, 1e-310, 1.5, -2.5, 1e300,
           float("nan"), float("inf"), float("-inf")]
junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 10), st.floats(),
                 st.text(max_size=3), st.binary(max_size=3), st.lists(st.integers(), max_size=2),
                 st.tuples(st.text(max_size=2)), st.dictionaries(st.text(max_size=2),
                                                                 st.integers(), max_size=1))


def mostly(valid, bad=junk, one_in: int = 6):
    """`valid`, except one draw in `one_in` from `bad` — so most examples get far enough to
    produce a result that the oracle can check, and the rest probe the refusals."""
    return st.integers(0, one_in - 1).flatmap(lambda k: bad if k == 0 else valid)


values = mostly(st.floats(-10, 10, allow_nan=False), st.sampled_from(SPECIAL), one_in=4)
dtypes = mostly(st.just("float64"), st.sampled_from(["float16", "float32", "int32", "int64",
                                                     "bool"]), one_in=4)
shapes = st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple)


@st.composite
def any_arrays(draw, shape=None):
    """An array of a random dtype, shape and values (special values included), cast the way
    NumPy casts (inf/NaN into ints are dropped first: NumPy would warn, and that is not us)."""
    shape = draw(shapes) if shape is None else shape
    dtype = np.dtype(draw(dtypes))
    raw = draw(arrays(np.float64, shape, elements=values))
    if dtype.kind in "iub":
        raw = np.clip(np.nan_to_num(raw), -1e9, 1e9)
    with np.errstate(over="ignore"):
        return raw.astype(dtype)


# ---------------------------------------------------------------------------- Tokenizer
texts = st.one_of(st.just(""), st.text(max_size=12),
                  st.text(alphabet="\x00\x01\t\n\r\x1b\u200b\u3000 ,.!?", max_size=8),
                  st.integers(300, 3000).map(lambda n: "股" * n),          # a very long token
                  st.lists(st.text(max_size=6), max_size=4))               # pre-split tokens


@fuzz(150)
@given(num_words=mostly(st.one_of(st.none(), st.integers(-1, 8))),
       filters=mostly(st.one_of(st.just('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'),
                                st.text(max_size=4))),
       lower=mostly(st.booleans()), split=mostly(st.one_of(st.sampled_from([" ", ",", ""]),
                                                           st.text(min_size=1, max_size=2))),
       char_level=mostly(st.booleans()),
       oov_token=mostly(st.one_of(st.none(), st.just("<OOV>"), st.text(max_size=3))),
       fit=st.lists(mostly(texts, one_in=12), max_size=5),
       ask=st.lists(mostly(texts, one_in=12), max_size=4),
       ids=st.lists(st.lists(mostly(st.integers(-2, 12), st.one_of(st.floats(), junk)),
                             max_size=4), max_size=3))
def test_tokenizer_fuzz(num_words, filters, lower, split, char_level, oov_token, fit, ask, ids):
    names = ("Tokenizer", "fit_on_texts", "texts_to_sequences", "sequences_to_texts")
    ok, tokenizer = outcome(lambda: Tokenizer(num_words=num_words, filters=filters, lower=lower,
                                              split=split, char_level=char_level,
                                              oov_token=oov_token), *names)
    if not ok:
        return
    ok, _ = outcome(lambda: tokenizer.fit_on_texts(fit), *names)
    if not ok:
        assert tokenizer.document_count == 0 and not tokenizer.word_index  # nothing changed
        return
    index = tokenizer.word_index
    first = 2 if oov_token in tokenizer.word_counts else 1    # (a word equal to the oov token
    assert sorted(index.values()) == list(range(first, len(index) + first))  # takes its entry)
    assert {i: w for w, i in index.items()} == tokenizer.index_word
    ok, sequences = outcome(lambda: tokenizer.texts_to_sequences(ask), *names)
    if ok:
        assert len(sequences) == len(ask)
        oov = index.get(oov_token) if oov_token is not None else None
        for sequence in sequences:
            for number in sequence:
                assert type(number) is int and 1 <= number <= len(index) + 1
                if tokenizer.num_words:
                    assert number < tokenizer.num_words or number == oov
        ok, back = outcome(lambda: tokenizer.sequences_to_texts(sequences), *names)
        assert ok and len(back) == len(sequences)
    ok, words = outcome(lambda: tokenizer.sequences_to_texts(ids), *names)
    if ok:
        assert len(words) == len(ids) and all(isinstance(w, str) for w in words)
    loaded = tokenizer_from_json(tokenizer.to_json())
    assert loaded.word_index == tokenizer.word_index
    assert loaded.word_counts == tokenizer.word_counts


json_tables = st.one_of(st.just("{}"), st.just("[1, 2]"), st.just('{"a": "x"}'),
                        st.just('{"1": 2}'), st.just('{"x": -1}'), st.just('{"b": true}'),
                        st.just("not json"), st.dictionaries(st.text(max_size=2), st.one_of(
                            st.integers(-1, 4), st.text(max_size=2)), max_size=3).map(json.dumps))


@fuzz(100)
@given(key=st.sampled_from(["num_words", "filters", "lower", "split", "char_level", "oov_token",
                            "document_count", "word_counts", "word_docs", "index_docs",
                            "index_word", "word_index"]),
       value=st.one_of(json_tables, junk.filter(lambda v: not isinstance(v, bytes))),
       delete=st.booleans())
def test_tokenizer_from_edited_json(key, value, delete):
    """A saved tokenizer with one setting or table edited or deleted: it loads and works
    (ids within its vocabulary), or tokenizer_from_json refuses it clearly."""
    tokenizer = Tokenizer(oov_token="<OOV>", num_words=5)
    tokenizer.fit_on_texts(["a b c", "b c d d"])
    data = json.loads(tokenizer.to_json())
    if delete:
        del data["config"][key]
    else:
        data["config"][key] = value
    ok, loaded = outcome(lambda: tokenizer_from_json(json.dumps(data)), "tokenizer_from_json")
    if ok:
        ids = loaded.texts_to_sequences(["a b zz", "d"])
        top = max(loaded.word_index.values(), default=0)
        assert all(1 <= i <= top for row in ids for i in row)
        assert all(isinstance(t, str) for t in loaded.sequences_to_texts(ids))
        loaded.fit_on_texts(["a new text"])


# ---------------------------------------------------------------------------- pad_sequences
elements = mostly(st.one_of(st.integers(-5, 50), st.floats(-100, 100), st.booleans()),
                  st.one_of(st.integers(-2**70, 2**70), st.sampled_from(SPECIAL), junk), 8)


@fuzz(200)
@given(sequences=mostly(st.lists(st.lists(elements, max_size=6), max_size=5),
                        st.one_of(junk, st.lists(mostly(st.lists(elements, max_size=3)),
                                                 max_size=3))),
       maxlen=mostly(st.one_of(st.none(), st.integers(-1, 7))),
       dtype=mostly(st.sampled_from(["int32", "int64", "uint8", "int8", "float16", "float32",
                                     "float64", "bool"]),
                    st.sampled_from(["int31", None, 3, "datetime64[s]", "complex64"])),
       padding=mostly(st.sampled_from(["pre", "post"])),
       truncating=mostly(st.sampled_from(["pre", "post"])),
       value=mostly(st.integers(-3, 300), st.one_of(st.sampled_from(SPECIAL), junk)))
def test_pad_sequences_fuzz(sequences, maxlen, dtype, padding, truncating, value):
    ok, out = outcome(lambda: pad_sequences(sequences, maxlen=maxlen, dtype=dtype,
                                            padding=padding, truncating=truncating,
                                            value=value), "pad_sequences")
    if not ok:
        return
    width = maxlen if maxlen is not None else max((len(s) for s in sequences), default=0)
    assert out.shape == (len(sequences), width) and out.dtype == np.dtype(dtype)
    for row, sequence in zip(out, sequences):                    # the documented rule, exactly
        kept = list(sequence[-width:] if truncating == "pre" else sequence[:width])
        fill = [value] * (width - len(kept))
        expected = fill + kept if padding == "pre" else kept + fill
        with np.errstate(invalid="ignore"):                      # (only where the call succeeded)
            want = np.array([np.asarray(v).astype(out.dtype) for v in expected], out.dtype)
        assert np.array_equal(row, want, equal_nan=out.dtype.kind == "f"), (row, want)


# ---------------------------------------------------------------------------- numerical gradients
def secant_tolerance(true: np.ndarray, coefficients: np.ndarray, x: np.ndarray,
                     eps: float) -> np.ndarray:
    """How far a central difference of f = Σ c·x² may be from the truth 2cx: the secant of a
    quadratic is exact, so only the rounding of f (≈ δ·Σ|c|(|x| + ε)²) divided by the step."""
    scale = float(np.sum(np.abs(coefficients) * (np.abs(x) + eps) ** 2))
    return 1e-9 * np.abs(true) + 100 * np.finfo(np.float64).eps * (1.0 + scale) / eps


@fuzz(150)
@given(x=any_arrays(), eps=mostly(st.floats(1e-9, 1e-2), st.sampled_from(
           [0.0, -1e-6, float("nan"), float("inf"), 1e300, 1e-300, "1e-6"])),
       seed=st.integers(0, 2**16))
def test_numerical_gradient_fuzz(x, eps, seed):
    coefficients = np.random.default_rng(seed).uniform(-2, 2, x.shape)

    def f(v):
        return float(np.sum(coefficients * v.astype(np.float64) ** 2))

    before = x.copy()
    ok, gradient = outcome(lambda: gradcheck.numerical_gradient(f, x, eps),
                           "numerical_gradient")
    assert np.array_equal(x, before, equal_nan=True)                   # x is restored
    if ok:
        assert x.dtype == np.float64 and np.isfinite(x).all()          # (else: refused)
        true = 2 * coefficients * x
        assert gradient.shape == x.shape and gradient.dtype == np.float64
        error = np.abs(gradient - true)
        assert (error <= secant_tolerance(true, coefficients, x, eps)).all(), (x, gradient)


def exact_relative_error(a: float, n: float, floor: float) -> Fraction:
    a, n = Fraction(a), Fraction(n)
    return abs(a - n) / max(Fraction(floor), abs(a) + abs(n))


@fuzz(200)
@given(data=st.data(), same_shape=mostly(st.just(True), st.just(False)),
       floor=mostly(st.one_of(st.just(1e-8), st.floats(1e-300, 1.0)), st.one_of(
           st.sampled_from([0.0, -1.0, float("nan"), float("inf")]), junk)))
def test_relative_error_fuzz(data, same_shape, floor):
    analytic = data.draw(any_arrays())
    numeric = data.draw(any_arrays(analytic.shape if same_shape else None))
    names = ("relative_error",)
    ok, errors = outcome(lambda: gradcheck.relative_error_map(analytic, numeric, floor), *names)
    ok_max, largest = outcome(lambda: gradcheck.relative_error(analytic, numeric, floor), *names)
    assert ok == ok_max
    if not ok:
        return
    assert errors.shape == analytic.shape == numeric.shape
    for a, n, e in zip(analytic.ravel(), numeric.ravel(), errors.ravel()):
        exact = exact_relative_error(float(a), float(n), float(floor))
        assert math.isclose(e, float(exact), rel_tol=1e-12, abs_tol=1e-300), (a, n, e, exact)
    assert largest == (float(errors.max()) if errors.size else 0.0)


@fuzz(100)
@given(args=st.lists(any_arrays(), min_size=1, max_size=3), array_valued=st.booleans(),
       seed=st.integers(0, 2**16))
def test_check_formula_passes_a_true_gradient_or_refuses_clearly(args, array_valued, seed):
    """f = Σ_k Σ c_k·a_k² (or the array c_0·a_0²): its true gradient must PASS the check,
    whatever the dtypes, shapes and values — or the check says clearly why it cannot run."""
    rng = np.random.default_rng(seed)
    coefficients = [rng.uniform(0.5, 2, a.shape) for a in args]

    def f(*values):
        if array_valued:
            return coefficients[0] * np.asarray(values[0], dtype=np.float64) ** 2
        return sum(float(np.sum(c * np.asarray(v, dtype=np.float64) ** 2))
                   for c, v in zip(coefficients, values))

    def grad_f(*values):
        dout = 1.0
        if len(values) > len(args):                  # f returned an array: dout comes last
            *values, dout = values
        gradients = []
        for k, (c, v) in enumerate(zip(coefficients, values)):
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":       # the checked ones
                if array_valued:
                    gradients.append(2 * c * v * dout if k == 0 else np.zeros(v.shape))
                else:
                    gradients.append(2 * c * v)
        return gradients

    ok, report = outcome(lambda: gradcheck.check_formula(f, grad_f, *args, seed=seed),
                         "check_formula")
    if ok:
        assert report.passed, report
        assert [row.shape for row in report.rows] == [
            a.shape for a in args if a.dtype.kind == "f"]


# ---------------------------------------------------------------------------- the paper's equations
sizes = st.integers(1, 3)


@st.composite
def network_arrays(draw):
    """X, y, W1, b1, W2, b2 with independently drawn (often mismatched) shapes and values."""
    m, d, h = draw(sizes), draw(sizes), draw(sizes)

    def maybe(shape):
        return draw(mostly(st.just(shape), shapes, one_in=8))   # mostly right, sometimes not

    def floats(shape, elements):
        return draw(arrays(np.float64, shape, elements=elements))

    return (floats(maybe((m, d)), values), floats(maybe((m,)), st.sampled_from([0.0, 1.0])),
            floats(maybe((h, d)), values), floats(maybe((h,)), values),
            floats(maybe((1, h)), values), floats(maybe((1,)), values))


def reference_forward(X, W1, b1, W2, b2, hidden):
    with np.errstate(all="ignore"):
        z1 = X @ W1.T + b1
        a1 = 1 / (1 + np.exp(-z1)) if hidden == "sigmoid" else np.maximum(z1, 0)
        z2 = (a1 @ W2.T + b2)[:, 0]
        return 1 / (1 + np.exp(-z2)), z2


@fuzz(200)
@given(arrays_=network_arrays(),
       hidden=mostly(st.sampled_from(["sigmoid", "relu"]), st.sampled_from(["tanh", None, 1])),
       readings=st.tuples(mostly(st.sampled_from(["outer", "elementwise"]), st.just("x")),
                          mostly(st.sampled_from(["literal", "hidden_activation"]),
                                 st.just("outer"))))
def test_paper_functions_fuzz(arrays_, hidden, readings):
    X, y, W1, b1, W2, b2 = arrays_
    names = ("paper.",)
    ok, result = outcome(lambda: paper.forward(X, W1, b1, W2, b2, hidden=hidden), *names)
    if ok:
        y_hat, values = result
        reference, z2 = reference_forward(X, W1, b1, W2, b2, hidden)
        assert y_hat.shape == (len(X),) and np.isfinite(values["z2"]).all()
        np.testing.assert_allclose(y_hat, reference, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(values["z2"], z2, rtol=1e-9, atol=1e-12)
    ok_true, gradients = outcome(lambda: paper.true_gradients(X, y, W1, b1, W2, b2,
                                                              hidden=hidden), *names)
    if ok_true:
        assert ok                                                  # the same checks, and more
        for name, weight in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2)):
            assert gradients[name].shape == weight.shape and np.isfinite(gradients[name]).all()
        delta2 = (result[0] - y) / len(X)
        np.testing.assert_allclose(gradients["b2"], [delta2.sum()], rtol=1e-9, atol=1e-300)
    for function, reading in zip((paper.printed_dJ_dW1, paper.printed_dJ_dW2), readings):
        ok_printed, printed = outcome(lambda: function(X, y, W1, b1, W2, b2, hidden=hidden,
                                                       reading=reading), *names)
        if ok_printed:                         # needs all that forward needs, and y
            assert ok and np.isfinite(printed).all()
    ok_loss, loss = outcome(lambda: paper.loss_as_intended(y, result[0] if ok else X), *names)
    if ok_loss and ok:
        with np.errstate(divide="ignore"):
            reference = -np.mean(y * np.log(result[0]) + (1 - y) * np.log(1 - result[0]))
        assert math.isfinite(loss) and loss >= 0 and math.isclose(loss, reference,
                                                                  rel_tol=1e-12)


# ---------------------------------------------------------------------------- load_model
@pytest.fixture(scope="module")
def saved_file(tmp_path_factory):
    """(the saved model, the bytes of its file, a folder for mutated copies)."""
    model = nn.Sequential([layers.Dense(3, activation="tanh", input_shape=(2,)),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(8, 2)), rng.integers(0, 2, 8), epochs=1, batch_size=4,
              verbose=0)
    folder = tmp_path_factory.mktemp("fuzz_saving")
    model.save(folder / "model.npz")
    return model, (folder / "model.npz").read_bytes(), folder


def load_bytes(folder, data: bytes):
    path = folder / "mutated.npz"
    path.write_bytes(data)
    return outcome(lambda: nn.load_model(path), "load_model")


def same_weights(a, b) -> bool:
    return all(x.dtype == y.dtype and x.tobytes() == y.tobytes()
               for x, y in zip(a.get_weights(), b.get_weights())) and \
        len(a.get_weights()) == len(b.get_weights())


@fuzz(50)
@given(data=st.binary(max_size=300), zip_magic=st.booleans())
def test_load_model_of_random_bytes(saved_file, data, zip_magic):
    _, _, folder = saved_file
    ok, _ = load_bytes(folder, (b"PK\x03\x04" if zip_magic else b"") + data)
    assert not ok


@fuzz(200)
@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1,
                      max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 10**6)))
def test_load_model_of_a_damaged_file(saved_file, flips, cut):
    """Flipped bytes and cut-off ends: a clear refusal, or — when only zip bookkeeping the
    loader does not need was hit — exactly the saved model (checksums guard the data)."""
    model, original, folder = saved_file
    data = bytearray(original)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[:cut % len(data)]
    ok, loaded = load_bytes(folder, bytes(data))
    if ok:
        assert same_weights(loaded, model) and loaded.get_config() == model.get_config()


def header_paths(node, path=()):
    """Every (key path) inside the JSON header, containers included."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from header_paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from header_paths(value, path + (index,))


json_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 5),
                        st.sampled_from([0.5, -1.0, 1e308, float("nan"), float("inf")]),
                        st.sampled_from(["", "Dense", "LSTM", "relu", "os.system", "adam",
                                         "nanonet-model", "float16"]),
                        st.sampled_from([list, dict, lambda: [[1, 2]]]).map(lambda make: make()))


@fuzz(150)
@given(data=st.data(), edits=st.integers(1, 3))
def test_load_model_with_an_edited_json_header(saved_file, data, edits):
    model, original, folder = saved_file
    with np.load(folder / "model.npz", allow_pickle=False) as archive:
        entries = {name: archive[name] for name in archive.files}
    header = json.loads(str(entries["nanonet_model"]))
    for _ in range(edits):
        path = data.draw(st.sampled_from(list(header_paths(header))))
        if not path:
            header = data.draw(json_values)
            break
        parent = header
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    entries["nanonet_model"] = np.array(json.dumps(header))
    target = folder / "edited.npz"
    with open(target, "wb") as stream:
        np.savez(stream, **entries)
    ok, loaded = outcome(lambda: nn.load_model(target), "load_model")
    if ok:                           # the header still describes these weights: they load intact
        assert same_weights(loaded, model)
    elif isinstance(header, dict) and type(header.get("version")) is int \
            and header["version"] > 1 and header.get("format") == "nanonet-model":
        assert "written by a newer nanonet" in str(loaded)


@fuzz(10)
@given(kind=st.sampled_from(["missing", "folder", "nested-missing"]))
def test_load_model_of_paths_that_are_no_files(saved_file, kind):
    _, _, folder = saved_file
    path = {"missing": folder / "nope.npz", "folder": folder,
            "nested-missing": folder / "no" / "such" / "file.npz"}[kind]
    ok, error = outcome(lambda: nn.load_model(path), "load_model")
    assert not ok and isinstance(error, IsADirectoryError if kind == "folder"
                                 else FileNotFoundError)
