"""Issue 17's text items: sets and dicts refused everywhere, and huge outputs refused before
anything is allocated (a MemoryError that names the argument and the size, never NumPy's own).

A set of texts is iterated in an order that depends on PYTHONHASHSEED, so fitting one gave
different word ids in every process; a dict silently fitted its keys. pad_sequences with
maxlen=10**12 asked NumPy for terabytes and surfaced its bare MemoryError (on Linux, an
allocation that fits the address space but not the memory can instead get the process killed
while it is being filled).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

from nanonet import validation
from nanonet.text import Tokenizer, pad_sequences


def fitted(texts) -> Tokenizer:
    tokenizer = Tokenizer(num_words=5)
    tokenizer.fit_on_texts(texts)
    return tokenizer


SET_OF_TEXTS = {"the cat", "a dog", "the dog"}
DICT_OF_TEXTS = {"first": "the cat", "second": "a dog"}
CALLS = {
    "fit_on_texts": lambda values: Tokenizer().fit_on_texts(values),
    "texts_to_sequences": lambda values: fitted(["the cat"]).texts_to_sequences(values),
    "texts_to_sequences_generator":
        lambda values: fitted(["the cat"]).texts_to_sequences_generator(values),
    "texts_to_matrix": lambda values: fitted(["the cat"]).texts_to_matrix(values),
}
SEQUENCE_CALLS = {
    "fit_on_sequences": lambda values: Tokenizer().fit_on_sequences(values),
    "sequences_to_texts": lambda values: fitted(["the cat"]).sequences_to_texts(values),
    "sequences_to_matrix": lambda values: fitted(["the cat"]).sequences_to_matrix(values),
    "pad_sequences": pad_sequences,
}


@pytest.mark.parametrize("method", CALLS)
def test_a_set_of_texts_is_refused_because_its_order_depends_on_the_hash_seed(method):
    with pytest.raises(TypeError) as info:
        CALLS[method](SET_OF_TEXTS)
    for word in (method, "texts", "set of 3", "PYTHONHASHSEED", "sorted(texts)"):
        assert word in str(info.value), f"{word!r} missing from: {info.value}"


@pytest.mark.parametrize("values", [frozenset(SET_OF_TEXTS), DICT_OF_TEXTS])
@pytest.mark.parametrize("method", CALLS)
def test_frozensets_and_dicts_of_texts_are_refused(method, values):
    with pytest.raises(TypeError, match=method) as info:
        CALLS[method](values)
    if isinstance(values, dict):
        assert "keys" in str(info.value) and "list(texts.values())" in str(info.value)


@pytest.mark.parametrize("values", [{(1, 2), (3,)}, {"a": [1, 2]}])
@pytest.mark.parametrize("method", SEQUENCE_CALLS)
def test_sets_and_dicts_of_sequences_are_refused(method, values):
    with pytest.raises(TypeError) as info:
        SEQUENCE_CALLS[method](values)
    message = str(info.value)
    assert method in message and "sequences" in message
    assert ("PYTHONHASHSEED" if isinstance(values, set) else "keys") in message


@pytest.mark.parametrize("method", ["fit_on_sequences", "sequences_to_matrix",
                                    "sequences_to_texts"])
def test_a_set_as_one_sequence_is_refused(method):
    with pytest.raises(TypeError, match=r"sequences\[1\]"):
        SEQUENCE_CALLS[method]([[1], {1, 2}])


def test_a_refused_set_changes_nothing():
    tokenizer = fitted(["the cat"])
    before = tokenizer.to_json()
    with pytest.raises(TypeError):
        tokenizer.fit_on_texts(SET_OF_TEXTS)
    with pytest.raises(TypeError):
        tokenizer.fit_on_sequences({(1, 2)})
    assert tokenizer.to_json() == before


def test_a_list_fits_the_same_ids_in_every_process():
    """What refusing sets protects: fitting a list is the same under any hash seed."""
    code = ("from nanonet.text import Tokenizer; t = Tokenizer(); "
            "t.fit_on_texts(['b a c', 'c a', 'd']); print(t.to_json())")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed},
                              check=True).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1


# ---------------------------------------------------------------------------- huge outputs
def test_maxlen_10_to_the_12_is_refused_before_allocating():
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(MemoryError) as info:
            pad_sequences([[1, 2], [3]], maxlen=10 ** 12)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    message = str(info.value)
    for word in ("pad_sequences", "maxlen=1000000000000", "(2, 1000000000000)", "int32",
                 "7.28 TiB", "longest of the 2 sequences has 2"):
        assert word in message, f"{word!r} missing from: {message}"
    assert peak < 1 << 20 and seconds < 5, (peak, seconds)


def test_the_size_is_checked_against_the_memory_limit_before_numpy_is_asked(monkeypatch):
    monkeypatch.setattr(validation, "memory_limit", lambda: 1 << 20)       # 1 MiB
    def never(*args, **kwargs):
        raise AssertionError("np.full was called")
    monkeypatch.setattr(np, "full", never)
    with pytest.raises(MemoryError, match=r"maxlen=200000 .*\(2, 200000\).*1\.53 MiB.*1 MiB"):
        pad_sequences([[1], [2]], maxlen=200_000, dtype="float32")
    with pytest.raises(MemoryError, match=r"maxlen=None \(the longest sequence, 300000\)"):
        pad_sequences([np.zeros(300_000, dtype=np.int32)])


def test_numpys_memory_error_is_wrapped_with_the_argument_and_the_size(monkeypatch):
    monkeypatch.setattr(validation, "memory_limit", lambda: None)          # limit unknown
    def unable(*args, **kwargs):
        raise MemoryError("Unable to allocate 3.64 TiB for an array")
    monkeypatch.setattr(np, "full", unable)
    with pytest.raises(MemoryError) as info:
        pad_sequences([[1]], maxlen=10 ** 12)
    assert "pad_sequences: maxlen=1000000000000" in str(info.value)
    assert "3.64 TiB, which could not be allocated" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_matrix_of_a_huge_num_words_is_refused_before_allocating():
    tokenizer = Tokenizer(num_words=10 ** 12)
    with pytest.raises(MemoryError) as info:
        tokenizer.sequences_to_matrix([[1, 2]])
    for word in ("sequences_to_matrix", "1000000000000 columns", "num_words", "float64",
                 "7.28 TiB"):
        assert word in str(info.value)


def test_the_memory_limit_is_known_on_this_machine():
    limit = validation.memory_limit()
    if sys.platform.startswith("linux"):
        assert isinstance(limit, int) and limit > 1 << 26                 # > 64 MiB
