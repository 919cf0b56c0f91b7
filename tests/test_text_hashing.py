"""text.one_hot and text.hashing_trick against real Keras 2.15, plus properties and bad input.

one_hot uses Python's built-in hash, which is salted per process: Keras's outputs were recorded
with PYTHONHASHSEED=0 ("hash_calls" in tests/fixtures/keras_text.json), so they are replayed
here in a subprocess with PYTHONHASHSEED=0 too. Those that depend on the built-in hash can only
match on an interpreter with the same string-hash algorithm (siphash13 since Python 3.11);
the md5 and callable ones match everywhere.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_text import assert_clear_error, case_ids
from strategies import texts_of_words
from nanonet.text import hashing_trick, one_hot, text_to_word_sequence

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_text.json")
                     .read_text(encoding="utf-8"))
HASH_CALLS = {call["code"]: call["keras"]["result"] for call in FIXTURE["hash_calls"]}

#: evaluates each expression of argv[1] (a JSON list) and prints the results as JSON
REPLAY = """
import hashlib, json, sys
from nanonet.text import hashing_trick, one_hot
namespace = {"one_hot": one_hot, "hashing_trick": hashing_trick, "hashlib": hashlib}
print(json.dumps([eval(code, namespace) for code in json.loads(sys.argv[1])]))
"""


def uses_builtin_hash(code: str) -> bool:
    """one_hot, hashing_trick without a hash_function, and hash() itself."""
    return ("one_hot(" in code or code.startswith("[hash(")
            or ("hashing_trick(" in code and "hash_function" not in code))


def run_with_hash_seed(seed: str, codes) -> list:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", REPLAY, json.dumps(list(codes))],
                          env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def replayed_with_seed_0() -> dict:
    return dict(zip(HASH_CALLS, run_with_hash_seed("0", HASH_CALLS)))


def test_fixture_was_made_with_a_fixed_hash_seed():
    assert FIXTURE["meta"]["pythonhashseed"] == "0"
    assert any("one_hot(" in code for code in HASH_CALLS)
    assert any("'md5'" in code for code in HASH_CALLS)
    assert any("lambda" in code for code in HASH_CALLS)


@pytest.mark.parametrize("code", [c for c in HASH_CALLS if not uses_builtin_hash(c)])
def test_md5_and_callable_hashes_match_keras(code, replayed_with_seed_0):
    assert replayed_with_seed_0[code] == HASH_CALLS[code]


@pytest.mark.parametrize("code", [c for c in HASH_CALLS if uses_builtin_hash(c)])
def test_one_hot_with_pythonhashseed_0_matches_keras(code, replayed_with_seed_0):
    if sys.hash_info.algorithm != FIXTURE["meta"]["hash_algorithm"]:
        pytest.skip(f"this Python hashes str with {sys.hash_info.algorithm}; the fixture's "
                    f"one_hot ids were made with {FIXTURE['meta']['hash_algorithm']}")
    assert replayed_with_seed_0[code] == HASH_CALLS[code]


def test_md5_ids_are_the_same_in_every_process_and_one_hot_ids_are_not():
    codes = ["hashing_trick('the cat sat on the mat with a hat', 2 ** 30, hash_function='md5')",
             "one_hot('the cat sat on the mat with a hat', 2 ** 30)"]
    (md5_1, hash_1), (md5_2, hash_2) = (run_with_hash_seed(seed, codes) for seed in "12")
    assert md5_1 == md5_2 == hashing_trick("the cat sat on the mat with a hat", 2 ** 30,
                                           hash_function="md5")
    assert hash_1 != hash_2                  # Keras's one_hot: ids change with the hash seed


# ---------------------------------------------------------------------------- properties
words = st.text(alphabet="abcxyz股票 ,.!", max_size=30)


@given(words, st.integers(2, 10 ** 12))
def test_ids_are_in_1_to_n_minus_1_one_per_word(text_, n):
    tokens = text_to_word_sequence(text_)
    for ids in (one_hot(text_, n), hashing_trick(text_, n, hash_function="md5")):
        assert len(ids) == len(tokens)
        assert all(type(i) is int and 1 <= i <= n - 1 for i in ids)


@given(words, st.integers(2, 10 ** 6))
def test_one_hot_is_the_builtin_hash_rule(text_, n):
    want = [hash(word) % (n - 1) + 1 for word in text_to_word_sequence(text_)]
    assert one_hot(text_, n) == want == hashing_trick(text_, n) == hashing_trick(
        text_, n, hash_function=hash)


@given(words, st.integers(2, 10 ** 6))
def test_md5_is_the_hex_digest_as_one_integer(text_, n):
    want = [int(hashlib.md5(word.encode("utf-8")).hexdigest(), 16) % (n - 1) + 1
            for word in text_to_word_sequence(text_)]
    assert hashing_trick(text_, n, hash_function="md5") == want


@given(texts_of_words(min_texts=1), st.integers(2, 50), st.booleans())
def test_filters_lower_split_and_analyzer_choose_the_words(texts, n, lower):
    text_ = " ".join(texts)
    weight = len                                              # a deterministic hash
    tokens = text_to_word_sequence(text_, lower=lower)
    assert hashing_trick(text_, n, hash_function=weight, lower=lower) == [
        len(w) % (n - 1) + 1 for w in tokens]
    by_dash = hashing_trick(text_, n, hash_function=weight, analyzer=lambda t: t.split("-"))
    assert by_dash == [len(w) % (n - 1) + 1 for w in text_.split("-")]


# ---------------------------------------------------------------------------- bad input
BAD = [
    (lambda: one_hot("a b", 1), ValueError, ["one_hot", "n (the size of the id space)", ">= 2",
                                            "got 1", "n − 1"]),
    (lambda: one_hot("a b", -5), ValueError, ["one_hot", "n", "-5"]),
    (lambda: one_hot("a b", 2.5), TypeError, ["one_hot", "n", "2.5 (float)"]),
    (lambda: hashing_trick("a b", True), TypeError, ["hashing_trick", "n", "True"]),
    (lambda: one_hot(["a", "b"], 5), TypeError, ["one_hot", "input_text", "list"]),
    (lambda: hashing_trick(None, 5), TypeError, ["hashing_trick", "text", "None"]),
    (lambda: hashing_trick("a", 5, hash_function="sha1"), ValueError,
     ["hashing_trick", "hash_function", "'sha1'", "'md5'"]),
    (lambda: hashing_trick("a", 5, hash_function="MD5"), ValueError, ["'MD5'", "'md5'"]),
    (lambda: hashing_trick("a", 5, hash_function=3), TypeError,
     ["hashing_trick", "hash_function", "3 (int)"]),
    (lambda: hashing_trick("a b", 5, hash_function=lambda w: 1.5), TypeError,
     ["hashing_trick", "hash_function must return an int", "1.5 (float)", "'a'"]),
    (lambda: hashing_trick("a b", 5, hash_function=lambda w: True), TypeError,
     ["must return an int", "True"]),
    (lambda: hashing_trick("a b", 5, analyzer="split"), TypeError,
     ["hashing_trick", "analyzer", "'split'"]),
    (lambda: hashing_trick("a b", 5, analyzer=lambda t: t), TypeError,
     ["analyzer(text)", "list of words", "'a b' (str)"]),
    (lambda: one_hot("a b", 5, analyzer=lambda t: ["a", 2]), TypeError,
     ["one_hot", "analyzer(text)", "element 1", "2 (int)"]),
    (lambda: one_hot("a b", 5, lower="no"), TypeError, ["one_hot", "lower", "'no'"]),
    (lambda: one_hot("a b", 5, split=""), ValueError, ["one_hot", "split", "''"]),
    (lambda: one_hot("a b", 5, filters=None), TypeError, ["one_hot", "filters", "None"]),
]


@pytest.mark.parametrize("call, error, words", BAD, ids=case_ids(BAD))
def test_bad_input_raises_a_clear_error(call, error, words):
    assert_clear_error(call, error, words)
