"""Keras 2.15's own tests of its text and sequence preprocessing, ported to nanonet.

Source (read, not copied): keras-team/keras at tag v2.15.0 — keras/preprocessing/text_test.py
(class TestText, 20 tests) and the PadSequencesTest class of keras/utils/data_utils_test.py
(3 tests; Keras 2.15 keeps pad_sequences there). Every check those 23 tests make is made here,
one test function per Keras test, under the same name, through Keras's import paths
(nanonet.preprocessing.text / .sequence). keras/preprocessing/sequence_test.py tests
make_sampling_table, skipgrams, _remove_long_seq and TimeseriesGenerator, which nanonet does
not provide, so nothing of it is ported.

One deliberate difference: Keras's test_pad_sequences_str expects the ValueError message
"`dtype` int32 is not compatible with …"; nanonet raises the same ValueError class with its own
message ("value must be a number for dtype int32, got 'pad' (str) …"), checked below.
"""
from __future__ import annotations

import collections

import numpy as np
import pytest

from nanonet.preprocessing.sequence import pad_sequences
from nanonet.preprocessing.text import (Tokenizer, hashing_trick, one_hot,
                                        text_to_word_sequence, tokenizer_from_json)

CAT_MAT = "The cat sat on the mat."
THREE = ["The cat sat on the mat.", "The dog sat on the log.", "Dogs and cats living together."]
KNOWN = ["This text has only known words this text"]
UNKNOWN = ["This text has some unknown words"]          # "some" and "unknown" were never seen


# ---------------------------------------------------------------------------- text_test.py
def test_one_hot():
    ids = one_hot(CAT_MAT, 5)
    assert len(ids) == 6 and max(ids) <= 4 and min(ids) >= 0
    by_dashes = one_hot("The-cat-sat-on-the-mat", 5, analyzer=lambda t: t.lower().split("-"))
    assert by_dashes == ids
    assert len(by_dashes) == 6 and max(by_dashes) <= 4 and min(by_dashes) >= 0


def test_hashing_trick_hash():
    ids = hashing_trick(CAT_MAT, 5)
    assert len(ids) == 6 and max(ids) <= 4 and min(ids) >= 1


def test_hashing_trick_md5():
    ids = hashing_trick(CAT_MAT, 5, hash_function="md5")
    assert len(ids) == 6 and max(ids) <= 4 and min(ids) >= 1


def test_tokenizer():
    tokenizer = Tokenizer(num_words=10)
    tokenizer.fit_on_texts(THREE)
    sequences = list(tokenizer.texts_to_sequences_generator(THREE))
    every_id = [i for sequence in sequences for i in sequence]
    assert max(every_id) < 10 and min(every_id) == 1
    tokenizer.fit_on_sequences(sequences)
    for mode in ["binary", "count", "tfidf", "freq"]:
        assert tokenizer.texts_to_matrix(THREE, mode).shape == (3, 10)


def assert_same_tables(a: Tokenizer, b: Tokenizer) -> None:
    for table in ("word_docs", "word_counts", "word_index", "index_word", "index_docs"):
        assert getattr(a, table) == getattr(b, table), table


def test_tokenizer_serde_no_fitting():
    tokenizer = Tokenizer(num_words=100)
    recovered = tokenizer_from_json(tokenizer.to_json())
    assert tokenizer.get_config() == recovered.get_config()
    assert_same_tables(tokenizer, recovered)


def test_tokenizer_serde_fitting():
    lyrics = ["There was a time that the pieces fit, but I watched them fall away",
              "Mildewed and smoldering, strangled by our coveting",
              "I've done the math enough to know the dangers of our second guessing"]
    tokenizer = Tokenizer(num_words=100)
    tokenizer.fit_on_texts(lyrics)
    tokenizer.fit_on_sequences(list(tokenizer.texts_to_sequences_generator(lyrics)))
    recovered = tokenizer_from_json(tokenizer.to_json())
    for setting in ("char_level", "document_count", "filters", "lower", "num_words",
                    "oov_token"):
        assert getattr(tokenizer, setting) == getattr(recovered, setting), setting
    assert_same_tables(tokenizer, recovered)


def test_sequential_fit():
    token_lists = [["The", "cat", "is", "sitting"], ["The", "dog", "is", "standing"]]
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(THREE)
    tokenizer.fit_on_texts(token_lists)
    assert tokenizer.document_count == 5
    width = len(tokenizer.word_index) + 1
    assert tokenizer.texts_to_matrix(THREE).shape == (3, width)
    assert tokenizer.texts_to_matrix(token_lists).shape == (2, width)


def test_text_to_word_sequence():
    assert text_to_word_sequence("hello! ? world!") == ["hello", "world"]


def test_text_to_word_sequence_multichar_split():
    assert text_to_word_sequence("hello!stop?world!", split="stop") == ["hello", "world"]


TURKISH = ["ali", "veli", "kırk", "dokuz", "elli"]


def test_text_to_word_sequence_unicode():
    assert text_to_word_sequence("ali! veli? kırk dokuz elli") == TURKISH


def test_text_to_word_sequence_unicode_multichar_split():
    assert text_to_word_sequence("ali!stopveli?stopkırkstopdokuzstopelli",
                                 split="stop") == TURKISH


def test_tokenizer_unicode():
    tokenizer = Tokenizer(num_words=5)
    tokenizer.fit_on_texts(["ali veli kırk dokuz elli",
                            "ali veli kırk dokuz elli veli kırk dokuz"])
    assert len(tokenizer.word_counts) == 5


def test_tokenizer_oov_flag():
    train = ["This text has only known words"]
    plain = Tokenizer()
    plain.fit_on_texts(train)
    assert len(plain.texts_to_sequences(UNKNOWN)[0]) == 4          # the two unknowns dropped
    marked = Tokenizer(oov_token="<unk>")
    marked.fit_on_texts(train)
    assert len(marked.texts_to_sequences(UNKNOWN)[0]) == 6         # replaced, in place


def fitted(**args) -> Tokenizer:
    tokenizer = Tokenizer(**args)
    tokenizer.fit_on_texts(KNOWN)
    return tokenizer


def test_tokenizer_oov_flag_and_num_words():
    tokenizer = fitted(num_words=3, oov_token="<unk>")
    ids = tokenizer.texts_to_sequences(UNKNOWN)[0]
    assert len(ids) == 6
    assert " ".join(tokenizer.index_word[i] for i in ids) == "this <unk> <unk> <unk> <unk> <unk>"


def test_sequences_to_texts_with_num_words_and_oov_token():
    tokenizer = fitted(num_words=3, oov_token="<unk>")
    back = tokenizer.sequences_to_texts(tokenizer.texts_to_sequences(UNKNOWN))
    assert back == ["this <unk> <unk> <unk> <unk> <unk>"]


def test_sequences_to_texts_no_num_words():
    tokenizer = fitted(oov_token="<unk>")
    back = tokenizer.sequences_to_texts(tokenizer.texts_to_sequences(UNKNOWN))
    assert back == ["this text has <unk> <unk> words"]


def test_sequences_to_texts_no_oov_token():
    tokenizer = fitted(num_words=3)
    assert tokenizer.sequences_to_texts(tokenizer.texts_to_sequences(UNKNOWN)) == ["this text"]


def test_sequences_to_texts_no_num_words_no_oov_token():
    tokenizer = fitted()
    back = tokenizer.sequences_to_texts(tokenizer.texts_to_sequences(UNKNOWN))
    assert back == ["this text has words"]


def test_sequences_to_texts():
    tokenizer = Tokenizer(num_words=10, oov_token="<unk>")
    tokenizer.fit_on_texts(THREE)
    back = tokenizer.sequences_to_texts(tokenizer.texts_to_sequences(THREE))
    assert back == ["the cat sat on the mat", "the dog sat on the log",
                    "dogs <unk> <unk> <unk> <unk>"]


def test_tokenizer_lower_flag():
    texts = ["The cat sat on the mat.", "The dog sat on the log.", "Dog and Cat living Together."]
    words = Tokenizer(lower=True)
    words.fit_on_texts(texts)
    assert words.word_counts == collections.OrderedDict(
        [("the", 4), ("cat", 2), ("sat", 2), ("on", 2), ("mat", 1), ("dog", 2), ("log", 1),
         ("and", 1), ("living", 1), ("together", 1)])
    token_lists = Tokenizer(lower=True)
    token_lists.fit_on_texts([["The", "cat", "is", "sitting"], ["The", "dog", "is", "standing"]])
    assert token_lists.word_counts == collections.OrderedDict(
        [("the", 2), ("cat", 1), ("is", 2), ("sitting", 1), ("dog", 1), ("standing", 1)])
    chars = Tokenizer(lower=True, char_level=True)
    chars.fit_on_texts(texts)
    assert chars.word_counts == collections.OrderedDict(
        [("t", 11), ("h", 5), ("e", 6), (" ", 14), ("c", 2), ("a", 6), ("s", 2), ("o", 6),
         ("n", 4), ("m", 1), (".", 3), ("d", 3), ("g", 5), ("l", 2), ("i", 2), ("v", 1),
         ("r", 1)])


# ---------------------------------------------------------------------------- PadSequencesTest
RAGGED = [[1], [1, 2], [1, 2, 3]]


def test_pad_sequences():
    assert pad_sequences(RAGGED, maxlen=3, padding="pre").tolist() == [[0, 0, 1], [0, 1, 2],
                                                                      [1, 2, 3]]
    assert pad_sequences(RAGGED, maxlen=3, padding="post").tolist() == [[1, 0, 0], [1, 2, 0],
                                                                       [1, 2, 3]]
    assert pad_sequences(RAGGED, maxlen=2, truncating="pre").tolist() == [[0, 1], [1, 2], [2, 3]]
    assert pad_sequences(RAGGED, maxlen=2, truncating="post").tolist() == [[0, 1], [1, 2],
                                                                          [1, 2]]
    assert pad_sequences(RAGGED, maxlen=3, value=1).tolist() == [[1, 1, 1], [1, 1, 2],
                                                                [1, 2, 3]]


def test_pad_sequences_str():
    words = [["1"], ["1", "2"], ["1", "2", "3"]]
    padded = pad_sequences(words, maxlen=3, padding="pre", value="pad", dtype=object)
    assert padded.tolist() == [["pad", "pad", "1"], ["pad", "1", "2"], ["1", "2", "3"]]
    padded = pad_sequences(words, maxlen=3, padding="post", value="pad", dtype="<U3")
    assert padded.tolist() == [["1", "pad", "pad"], ["1", "2", "pad"], ["1", "2", "3"]]
    padded = pad_sequences(words, maxlen=2, truncating="pre", value="pad", dtype=object)
    assert padded.tolist() == [["pad", "1"], ["1", "2"], ["2", "3"]]
    padded = pad_sequences(words, maxlen=2, truncating="post", value="pad", dtype="<U3")
    assert padded.tolist() == [["pad", "1"], ["1", "2"], ["1", "2"]]
    with pytest.raises(ValueError, match=r"value must be a number for dtype int32, got 'pad'"):
        pad_sequences(words, maxlen=2, truncating="post", value="pad")


VECTORS = [[[1, 1]], [[2, 1], [2, 2]], [[3, 1], [3, 2], [3, 3]]]


def test_pad_sequences_vector():
    def padded(**args):
        out = pad_sequences(VECTORS, **args)
        assert out.shape[0] == 3 and out.shape[2] == 2
        return out.tolist()
    assert padded(maxlen=3, padding="pre") == [[[0, 0], [0, 0], [1, 1]],
                                               [[0, 0], [2, 1], [2, 2]],
                                               [[3, 1], [3, 2], [3, 3]]]
    assert padded(maxlen=3, padding="post") == [[[1, 1], [0, 0], [0, 0]],
                                                [[2, 1], [2, 2], [0, 0]],
                                                [[3, 1], [3, 2], [3, 3]]]
    assert padded(maxlen=2, truncating="pre") == [[[0, 0], [1, 1]], [[2, 1], [2, 2]],
                                                  [[3, 2], [3, 3]]]
    assert padded(maxlen=2, truncating="post") == [[[0, 0], [1, 1]], [[2, 1], [2, 2]],
                                                   [[3, 1], [3, 2]]]
    assert padded(maxlen=3, value=1) == [[[1, 1], [1, 1], [1, 1]],
                                         [[1, 1], [2, 1], [2, 2]],
                                         [[3, 1], [3, 2], [3, 3]]]
    assert np.asarray(pad_sequences(VECTORS, maxlen=3)).dtype == np.int32
