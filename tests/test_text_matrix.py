"""Tokenizer.texts_to_matrix / sequences_to_matrix / fit_on_sequences against real Keras 2.15.

The Keras numbers are in tests/fixtures/keras_text.json ("matrix_cases"), recorded by
tests/fixtures/make_keras_text_fixtures.py. "binary", "count" and "freq" are compared exactly
(a count, or one IEEE division c / L, is the same number everywhere); "tfidf" within 1e-14
relative, because it goes through two np.log calls, which NumPy versions and builds round
differently: NumPy 1.26 (which made the fixture) and NumPy 2.4 differ by up to 2.7e-16 relative
(about 1 ulp) on these cases, e.g. np.log(2.5) = 0.916290731874155 vs 0.9162907318741551.
"""
from __future__ import annotations

import collections
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_text import assert_clear_error, case_ids
from strategies import ragged_int_lists, texts_of_words
from nanonet.text import Tokenizer, tokenizer_from_json

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_text.json")
                     .read_text(encoding="utf-8"))
CASES = {case["name"]: case for case in FIXTURE["matrix_cases"]}
MODES = ["binary", "count", "tfidf", "freq"]
TFIDF_RTOL = 1e-14

#: sequences of ids >= 0 (the shared ragged strategy, folded into 0 … 12)
id_lists = ragged_int_lists.map(lambda rows: [[abs(i) % 13 for i in row] for row in rows])


def replayed(case) -> Tokenizer:
    """A Tokenizer after the case's fit_on_texts / fit_on_sequences steps, in order."""
    tokenizer = Tokenizer(**case["args"])
    for kind, items in case["steps"]:
        (tokenizer.fit_on_texts if kind == "texts" else tokenizer.fit_on_sequences)(items)
    return tokenizer


def assert_matrix(got: np.ndarray, want, mode: str, what: str) -> None:
    want = np.array(want, dtype=np.float64)
    assert got.dtype == np.float64, f"{what}: dtype {got.dtype}, Keras gives float64"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, Keras gives {want.shape}"
    if mode == "tfidf":
        np.testing.assert_allclose(got, want, rtol=TFIDF_RTOL, atol=0, err_msg=what)
    else:
        assert np.array_equal(got, want), f"{what}:\n got {got.tolist()}\nKeras {want.tolist()}"


def test_fixture_pins_each_rule():
    """The cases the fixture must hold: width with and without num_words, skipped ids, id 0,
    fit_on_sequences before and after fit_on_texts."""
    assert {"corpus_no_num_words", "corpus_num_words_5", "corpus_num_words_0",
            "oov_num_words_4", "sequences_only", "texts_then_sequences",
            "sequences_then_texts"} <= set(CASES)
    assert FIXTURE["meta"]["keras"].startswith("2.15")
    no_limit, limit = CASES["corpus_no_num_words"]["keras"], CASES["corpus_num_words_5"]["keras"]
    assert no_limit["width"] == len(no_limit["word_index"]) + 1 and limit["width"] == 5
    column_0 = no_limit["sequences_matrix"]["count"][2][0]
    assert column_0 == 2.0, "id 0 is counted in column 0"
    # [0, 1, 1, 2, width]: the skipped id still counts in the length, so freq of id 1 = 2/5
    assert no_limit["sequences_matrix"]["freq"][0][1] == 2 / 5
    assert CASES["texts_then_sequences"]["keras"]["document_count"] == 6


@pytest.mark.parametrize("name", CASES)
def test_counts_after_fitting_match_keras(name):
    case, keras = CASES[name], CASES[name]["keras"]
    tokenizer = replayed(case)
    assert tokenizer.document_count == keras["document_count"]
    assert sorted(tokenizer.index_docs.items()) == [tuple(p) for p in keras["index_docs"]]
    assert [list(p) for p in tokenizer.word_index.items()] == keras["word_index"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c["texts"] is not None])
def test_texts_to_matrix_matches_keras(name, mode):
    case, keras = CASES[name], CASES[name]["keras"]
    tokenizer = replayed(case)
    assert tokenizer.texts_to_sequences(case["texts"]) == keras["texts_sequences"]
    assert_matrix(tokenizer.texts_to_matrix(case["texts"], mode), keras["texts_matrix"][mode],
                  mode, f"{name} texts_to_matrix {mode}")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", CASES)
def test_sequences_to_matrix_matches_keras(name, mode):
    case, keras = CASES[name], CASES[name]["keras"]
    got = replayed(case).sequences_to_matrix(case["sequences"], mode=mode)
    assert_matrix(got, keras["sequences_matrix"][mode], mode, f"{name} sequences_to_matrix")


@pytest.mark.parametrize("name", CASES)
def test_keras_json_after_fit_on_sequences_loads_with_the_same_matrices(name):
    case, keras = CASES[name], CASES[name]["keras"]
    loaded = tokenizer_from_json(keras["to_json"])
    assert sorted(loaded.index_docs.items()) == [tuple(p) for p in keras["index_docs"]]
    assert loaded.document_count == keras["document_count"]
    for mode in MODES:
        assert_matrix(loaded.sequences_to_matrix(case["sequences"], mode),
                      keras["sequences_matrix"][mode], mode, f"{name} loaded, {mode}")
    ours = json.loads(replayed(case).to_json())
    theirs = json.loads(keras["to_json"])
    for table in ("word_docs", "index_docs"):      # (Keras fills these from a set: any order)
        assert json.loads(ours["config"].pop(table)) == json.loads(theirs["config"].pop(table))
    assert ours == theirs


# ---------------------------------------------------------------------------- the equations
def expected_matrix(sequences, width, mode, document_count, index_docs):
    """The module docstring's equations, written out independently of nanonet."""
    rows = []
    for sequence in sequences:
        counts = collections.Counter(j for j in sequence if j < width)
        row = [0.0] * width
        for j, c in counts.items():
            row[j] = {"binary": 1.0, "count": float(c), "freq": c / len(sequence),
                      "tfidf": (1 + math.log(c))
                      * math.log(1 + document_count / (1 + index_docs.get(j, 0)))}[mode]
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(sequences), width)


@given(id_lists, id_lists, st.integers(1, 15), st.sampled_from(MODES))
def test_matrix_follows_the_equations(fit, sequences, num_words, mode):
    tokenizer = Tokenizer(num_words=num_words)
    tokenizer.fit_on_sequences(fit)
    if mode == "tfidf" and not fit:
        return                                              # (refused: tested below)
    got = tokenizer.sequences_to_matrix(sequences, mode)
    want = expected_matrix(sequences, num_words, mode, len(fit), dict(tokenizer.index_docs))
    np.testing.assert_allclose(got, want, rtol=TFIDF_RTOL, atol=0)


@given(id_lists, st.integers(1, 15))
def test_binary_rows_count_distinct_kept_ids_and_freq_rows_sum_to_the_kept_share(sequences,
                                                                                 width):
    tokenizer = Tokenizer(num_words=width)
    binary = tokenizer.sequences_to_matrix(sequences, "binary")
    freq = tokenizer.sequences_to_matrix(sequences, "freq")
    count = tokenizer.sequences_to_matrix(sequences, "count")
    for row_b, row_f, row_c, sequence in zip(binary, freq, count, sequences):
        kept = [j for j in sequence if j < width]
        assert set(np.unique(row_b)) <= {0.0, 1.0}
        assert row_b.sum() == len(set(kept)) <= width
        assert row_c.sum() == len(kept)
        assert row_f.sum() == pytest.approx(len(kept) / len(sequence) if sequence else 0.0)


@given(texts_of_words(min_texts=1), texts_of_words())
def test_texts_to_matrix_is_sequences_to_matrix_of_texts_to_sequences(texts, new):
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(texts)
    if not tokenizer.word_index:
        return
    for mode in MODES:
        np.testing.assert_array_equal(
            tokenizer.texts_to_matrix(new, mode),
            tokenizer.sequences_to_matrix(tokenizer.texts_to_sequences(new), mode))
        assert tokenizer.texts_to_matrix(new, mode).shape == (len(new),
                                                              len(tokenizer.word_index) + 1)


@given(id_lists, id_lists)
def test_fit_on_sequences_counts_each_distinct_id_once_per_sequence(first, second):
    tokenizer = Tokenizer()
    tokenizer.fit_on_sequences(first)
    tokenizer.fit_on_sequences(iter(second))                # any iterable, e.g. a generator
    assert tokenizer.document_count == len(first) + len(second)
    want = collections.Counter(j for sequence in first + second for j in set(sequence))
    assert dict(tokenizer.index_docs) == dict(want)
    assert all(type(j) is int for j in tokenizer.index_docs)
    assert tokenizer.word_index == {}                       # the vocabulary does not change


def test_fit_on_texts_after_fit_on_sequences_overwrites_only_word_ids():
    tokenizer = Tokenizer()
    tokenizer.fit_on_sequences([[1, 7], [7, 1, 1], [0]])    # index_docs {1: 2, 7: 2, 0: 1}
    tokenizer.fit_on_texts(["b a", "a"])                    # a -> 1 (2 texts), b -> 2 (1 text)
    assert dict(tokenizer.index_docs) == {1: 2, 2: 1, 7: 2, 0: 1}
    assert tokenizer.document_count == 5


def test_ids_of_arrays_numpy_ints_and_whole_floats_are_accepted():
    tokenizer = Tokenizer(num_words=4)
    padded = np.array([[0, 0, 1, 3], [2, 2, 2, 9]], dtype=np.int32)  # e.g. pad_sequences' rows
    tokenizer.fit_on_sequences(padded)
    assert dict(tokenizer.index_docs) == {0: 1, 1: 1, 3: 1, 2: 1, 9: 1}
    assert all(type(j) is int for j in tokenizer.index_docs)
    counts = tokenizer.sequences_to_matrix(padded, "count")
    assert counts.tolist() == [[2, 1, 0, 1], [0, 0, 3, 0]]
    assert tokenizer.sequences_to_matrix([[1.0, np.int64(3)]]).tolist() == [[0, 1, 0, 1]]


# ---------------------------------------------------------------------------- bad input
def fitted(texts, **args) -> Tokenizer:
    tokenizer = Tokenizer(**args)
    tokenizer.fit_on_texts(texts)
    return tokenizer


BAD = [
    (lambda: Tokenizer().sequences_to_matrix([[1]]), ValueError,
     ["sequences_to_matrix", "num_words", "len(word_index) + 1", "fit_on_texts"]),
    (lambda: fitted([""]).texts_to_matrix(["a"]), ValueError,
     ["texts_to_matrix", "num_words", "neither"]),
    (lambda: Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf"), ValueError,
     ["sequences_to_matrix", "tfidf", "fit_on_texts", "fit_on_sequences"]),
    (lambda: fitted(["a"]).texts_to_matrix(["a"], mode="onehot"), ValueError,
     ["texts_to_matrix", "'onehot'", "binary", "count", "freq", "tfidf"]),
    (lambda: fitted(["a"]).sequences_to_matrix([], mode="Binary"), ValueError,
     ["sequences_to_matrix", "'Binary'", "'binary'"]),
    (lambda: fitted(["a"]).sequences_to_matrix([[1]], mode=None), ValueError, ["mode", "None"]),
    (lambda: fitted(["a"]).sequences_to_matrix([[1, -1]]), ValueError,
     ["sequences_to_matrix", "sequences[0][1]", "-1", ">= 0"]),
    (lambda: fitted(["a"]).sequences_to_matrix([[1], [0.5]]), ValueError,
     ["sequences[1][0]", "0.5", "whole number"]),
    (lambda: fitted(["a"]).sequences_to_matrix([[1, "a"]]), TypeError,
     ["sequences[0][1]", "'a' (str)"]),
    (lambda: fitted(["a"]).sequences_to_matrix([[True]]), TypeError, ["sequences[0][0]", "True"]),
    (lambda: fitted(["a"]).sequences_to_matrix([1, 2]), TypeError, ["sequences[0]", "1 (int)"]),
    (lambda: fitted(["a"]).sequences_to_matrix("12"), TypeError, ["sequences", "'12'"]),
    (lambda: fitted(["a"]).texts_to_matrix("a b"), TypeError,
     ["texts_to_matrix", "texts_to_matrix([text])"]),
    (lambda: Tokenizer(num_words=3).texts_to_matrix(["a"]), ValueError,
     ["texts_to_matrix", "fit_on_texts"]),
    (lambda: Tokenizer().fit_on_sequences([[1], [2, -3]]), ValueError,
     ["fit_on_sequences", "sequences[1][1]", "-3"]),
    (lambda: Tokenizer().fit_on_sequences([[1], 5]), TypeError,
     ["fit_on_sequences", "sequences[1]", "5 (int)"]),
    (lambda: Tokenizer().fit_on_sequences(5), TypeError, ["fit_on_sequences", "5 (int)"]),
    (lambda: Tokenizer().fit_on_sequences([["a"]]), TypeError, ["sequences[0][0]", "'a'"]),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=case_ids(BAD))
def test_bad_input_raises_a_clear_error(call, error, words):
    assert_clear_error(call, error, words)


def test_a_failed_fit_on_sequences_changes_nothing():
    tokenizer = fitted(["a b"])
    before = tokenizer.to_json()
    with pytest.raises(ValueError, match=r"sequences\[2\]\[0\]"):
        tokenizer.fit_on_sequences([[1], [2], [-1]])
    assert tokenizer.to_json() == before
