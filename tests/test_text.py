"""nanonet.text against real Keras 2.15, plus properties and bad-input errors.

The Keras outputs are in tests/fixtures/keras_text.json, written by
tests/fixtures/make_keras_text_fixtures.py (which needs TensorFlow; this file needs NumPy only).
Every fixture case is replayed and compared exactly: orders of dicts, ids, texts, and the
values, shape and dtype of pad_sequences' output.
"""
from __future__ import annotations

import collections
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanonet
from strategies import ragged_int_lists, texts_of_words
from nanonet import text
from nanonet.text import (DEFAULT_FILTERS, Tokenizer, pad_sequences, text_to_word_sequence,
                          tokenizer_from_json)

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_text.json")
                     .read_text(encoding="utf-8"))
TOKENIZER_CASES = {case["name"]: case for case in FIXTURE["tokenizer_cases"]}
PAD_CASES = {case["name"]: case for case in FIXTURE["pad_cases"]}
CALLS = {call["code"]: call["keras"] for call in FIXTURE["calls"]}


# ---------------------------------------------------------------------------- helpers
def fitted_case(case) -> Tokenizer:
    tokenizer = Tokenizer(**case["args"])
    for batch in case["fit"]:
        tokenizer.fit_on_texts(batch)
    return tokenizer


def fit_texts(case):
    return [item for batch in case["fit"] for item in batch]


def pairs(mapping):
    return [[key, value] for key, value in mapping.items()]


def expected_array(record) -> np.ndarray:
    dtype = np.dtype(record["dtype"])
    return np.array(record["output"], dtype=dtype).reshape(record["shape"])


def assert_same_array(got: np.ndarray, record, what: str) -> None:
    want = expected_array(record)
    assert isinstance(got, np.ndarray), f"{what}: expected an ndarray, got {type(got)}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, Keras gives {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, Keras gives {want.shape}"
    assert np.array_equal(got, want), f"{what}:\n got {got.tolist()}\nKeras {want.tolist()}"


def pad_args(args):
    args = dict(args)
    if "dtype" in args:
        args["dtype"] = {"str": str, "object": object}.get(args["dtype"], args["dtype"])
    return args


def build_sequences(case):
    """The pad case's input, built exactly as the fixture script built it for Keras."""
    if case["container"] == "ndarray":
        return np.array(case["sequences"], dtype=case["element_dtype"])
    make = {"list": list, "tuple": tuple,
            "ndarray": lambda s: np.array(s, dtype=case["element_dtype"])}[case["element"]]
    rows = [make(s) for s in case["sequences"]]
    return tuple(rows) if case["container"] == "tuple" else rows


# ---------------------------------------------------------------------------- the article
def test_article_example_each_sentence_is_one_token():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["这是一只股票会上涨", "这是一只股票会下跌", "这是一只股票会保持平稳"])
    assert tokenizer.word_index == {"这是一只股票会上涨": 1, "这是一只股票会下跌": 2,
                                    "这是一只股票会保持平稳": 3}
    padded = pad_sequences(tokenizer.texts_to_sequences(["这是一只股票会下跌"]), maxlen=10)
    assert padded.dtype == np.int32
    assert padded.tolist() == [[0] * 9 + [2]]


def test_text_is_exported_from_the_package():
    assert nanonet.text is text
    assert "text" in nanonet.__all__


def test_nanonet_text_keeps_every_public_name_and_adds_the_hashing_functions():
    assert set(text.__all__) == {"Tokenizer", "tokenizer_from_json", "text_to_word_sequence",
                                 "pad_sequences", "DEFAULT_FILTERS", "one_hot", "hashing_trick"}
    for name in text.__all__:
        assert getattr(text, name) is not None


def test_keras_import_paths_only_re_export_nanonet_text():
    from nanonet.preprocessing import sequence as keras_sequence
    from nanonet.preprocessing import text as keras_text
    assert set(keras_text.__all__) == {"Tokenizer", "one_hot", "hashing_trick",
                                       "text_to_word_sequence", "tokenizer_from_json"}
    for name in keras_text.__all__:
        assert getattr(keras_text, name) is getattr(text, name), name
    assert keras_sequence.__all__ == ["pad_sequences"]
    assert keras_sequence.pad_sequences is text.pad_sequences
    for module in (keras_text, keras_sequence):               # nothing is defined there
        own = [name for name, value in vars(module).items() if not name.startswith("__")
               and getattr(value, "__module__", "nanonet.text").split(".")[:2]
               != ["nanonet", "text"]]
        assert own == [], own


def test_booleans_follow_the_librarys_rule_true_false_0_and_1():
    assert Tokenizer(char_level=1).char_level is True
    assert Tokenizer(lower=np.bool_(False)).lower is False
    assert Tokenizer(char_level=0, lower=1).get_config()["char_level"] is False


def test_default_filters_are_keras_defaults():
    keras_config = TOKENIZER_CASES["article_zh"]["keras"]["config"]
    assert DEFAULT_FILTERS == keras_config["filters"]
    assert len(DEFAULT_FILTERS) == 33 and "'" not in DEFAULT_FILTERS


def test_fixture_has_the_required_cases():
    assert len(TOKENIZER_CASES) + len(PAD_CASES) >= 30
    for name in ["article_zh", "article_zh_char_level", "zh_fullwidth_punct", "ties_first_seen",
                 "num_words_0", "num_words_1", "num_words_2", "num_words_100", "num_words_2_oov",
                 "oov_char_level", "en_lower_false", "custom_split_comma", "token_lists",
                 "empty_texts"]:
        assert name in TOKENIZER_CASES
    for name in ["pre_pre_maxlen3", "pre_post_maxlen3", "post_pre_maxlen3", "post_post_maxlen3",
                 "maxlen_none_pre", "value_minus1", "float32_value_0.7", "float64_value_0.7",
                 "int32_value_0.7", "all_empty", "ndarray_sequences"]:
        assert name in PAD_CASES
    article = TOKENIZER_CASES["article_zh"]["keras"]
    assert article["new_padded"]["output"][0] == [0] * 9 + [2]


# ---------------------------------------------------------------------------- Keras fixtures
@pytest.mark.parametrize("name", TOKENIZER_CASES)
def test_vocabulary_matches_keras(name):
    case = TOKENIZER_CASES[name]
    keras = case["keras"]
    tokenizer = fitted_case(case)
    assert pairs(tokenizer.word_index) == keras["word_index"], "word_index (in order)"
    assert pairs(tokenizer.index_word) == keras["index_word"], "index_word (in order)"
    assert pairs(tokenizer.word_counts) == keras["word_counts"], "word_counts (in order)"
    assert isinstance(tokenizer.word_counts, collections.OrderedDict)
    # Keras fills word_docs from a set, so only its contents are comparable, not its order
    assert dict(tokenizer.word_docs) == dict(map(tuple, keras["word_docs"])), "word_docs"
    assert dict(tokenizer.index_docs) == dict(map(tuple, keras["index_docs"])), "index_docs"
    assert tokenizer.document_count == keras["document_count"]


@pytest.mark.parametrize("name", TOKENIZER_CASES)
def test_texts_to_sequences_matches_keras(name):
    case = TOKENIZER_CASES[name]
    keras = case["keras"]
    tokenizer = fitted_case(case)
    assert tokenizer.texts_to_sequences(fit_texts(case)) == keras["fit_sequences"]
    assert tokenizer.texts_to_sequences(case["new"]) == keras["new_sequences"]
    assert list(tokenizer.texts_to_sequences_generator(case["new"])) == keras["new_sequences"]


@pytest.mark.parametrize("name", TOKENIZER_CASES)
def test_sequences_to_texts_matches_keras(name):
    case = TOKENIZER_CASES[name]
    keras = case["keras"]
    tokenizer = fitted_case(case)
    assert tokenizer.sequences_to_texts(keras["fit_sequences"]) == keras["fit_texts"]
    assert tokenizer.sequences_to_texts(keras["new_sequences"]) == keras["new_texts"]
    assert tokenizer.sequences_to_texts(case["ids"]) == keras["ids_texts"]
    assert list(tokenizer.sequences_to_texts_generator(case["ids"])) == keras["ids_texts"]


@pytest.mark.parametrize("name", [n for n, c in TOKENIZER_CASES.items() if c["pad"]])
def test_padded_tokenizer_output_matches_keras(name):
    case = TOKENIZER_CASES[name]
    keras = case["keras"]
    tokenizer = fitted_case(case)
    assert_same_array(pad_sequences(tokenizer.texts_to_sequences(fit_texts(case)), **case["pad"]),
                      keras["fit_padded"], "fit texts padded")
    assert_same_array(pad_sequences(tokenizer.texts_to_sequences(case["new"]), **case["pad"]),
                      keras["new_padded"], "new texts padded")


def parsed_config(tokenizer: Tokenizer):
    """get_config with its JSON tables parsed, in the fixture's layout."""
    config = tokenizer.get_config()
    out = {key: value for key, value in config.items() if key not in
           ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    for key in ("word_counts", "index_word", "word_index"):
        out[key] = pairs(json.loads(config[key]))
    out["word_docs"] = sorted(pairs(json.loads(config["word_docs"])))
    out["index_docs"] = sorted(pairs(json.loads(config["index_docs"])), key=lambda p: int(p[0]))
    return out


@pytest.mark.parametrize("name", TOKENIZER_CASES)
def test_get_config_matches_keras(name):
    case = TOKENIZER_CASES[name]
    config = parsed_config(fitted_case(case))
    assert list(config) == list(case["keras"]["config"]), "config keys (in order)"
    assert config == case["keras"]["config"]


@pytest.mark.parametrize("name", [n for n, c in TOKENIZER_CASES.items() if "to_json" in c["keras"]])
def test_loads_keras_json_and_writes_the_same_json(name):
    case = TOKENIZER_CASES[name]
    keras = case["keras"]
    loaded = tokenizer_from_json(keras["to_json"])
    assert pairs(loaded.word_index) == keras["word_index"]
    assert pairs(loaded.index_word) == keras["index_word"]
    assert pairs(loaded.word_counts) == keras["word_counts"]
    assert loaded.document_count == keras["document_count"]
    assert loaded.texts_to_sequences(case["new"]) == keras["new_sequences"]
    assert loaded.sequences_to_texts(case["ids"]) == keras["ids_texts"]
    # our text equals Keras's, except the order inside word_docs/index_docs (a set's order)
    ours = json.loads(fitted_case(case).to_json())
    theirs = json.loads(keras["to_json"])
    for table in ("word_docs", "index_docs"):
        assert json.loads(ours["config"].pop(table)) == json.loads(theirs["config"].pop(table))
    assert ours == theirs


@pytest.mark.parametrize("name", PAD_CASES)
def test_pad_sequences_matches_keras(name):
    case = PAD_CASES[name]
    output = pad_sequences(build_sequences(case), **pad_args(case["args"]))
    assert_same_array(output, case["keras"], name)


# ---------------------------------------------------------------------------- recorded calls
#: Calls where nanonet differs from Keras on purpose (the fixture records what Keras does):
#: an exception class = nanonet raises it; anything else = nanonet's result (as JSON).
DIFFERENT = {
    # a single string instead of a list of texts: Keras iterates its characters
    "fitted('hello').word_index": TypeError,
    "fitted('hello').document_count": TypeError,
    "fitted(['a b']).texts_to_sequences('ab')": TypeError,
    # Keras: AttributeError deep inside ('int' object has no attribute 'lower')
    "Tokenizer().fit_on_texts(['a', 3])": TypeError,
    "Tokenizer().fit_on_texts([None])": TypeError,
    "Tokenizer().fit_on_texts([('a', 'b')])": TypeError,
    # Keras returns [[]], or [[None, None]] with an oov_token, or ['']
    "Tokenizer().texts_to_sequences(['a b'])": ValueError,
    "Tokenizer(oov_token='?').texts_to_sequences(['a b'])": ValueError,
    "Tokenizer().sequences_to_texts([[1]])": ValueError,
    # Keras drops ids that are not whole numbers, or are strings
    "fitted(['a b']).sequences_to_texts([[1, 2.5]])": ValueError,
    "fitted(['a b']).sequences_to_texts([[1, 'b']])": TypeError,
    # Keras accepts any truthy lower, negative or fractional num_words
    "fitted(['a b'], lower='False').word_index": TypeError,
    "fitted(['a b c'], num_words=-1).texts_to_sequences(['a b c'])": ValueError,
    "fitted(['a a b c'], num_words=2.5).texts_to_sequences(['a b c'])": TypeError,
    # Keras's loaded tokenizer cannot be fitted further (KeyError)
    "fit_more(tokenizer_from_json(fitted(['a b']).to_json()), ['c']).word_index":
        {"a": 1, "b": 2, "c": 3},
    # Keras raises ValueError here; wrong types are TypeErrors in nanonet
    "pad_sequences([[1], 5])": TypeError,
    "pad_sequences(np.array([1, 2, 3]))": TypeError,
    "pad_sequences((x for x in [[1]]))": TypeError,
    "pad_sequences(['abc'])": TypeError,
    "pad_sequences([[1, 'a']])": TypeError,
    # Keras: "zero-size array to reduction operation maximum which has no identity"
    "pad_sequences([])": {"ndarray": [], "dtype": "int32"},
    # Keras accepts these (returning (2, 0) arrays, wrapped or garbage numbers, parsed strings)
    "pad_sequences([[], []], maxlen=0)": ValueError,
    "pad_sequences([[], []], truncating='middle')": ValueError,
    "pad_sequences([[1], []], dtype='uint8', value=-1)": ValueError,
    "pad_sequences([[2 ** 40]])": ValueError,
    "pad_sequences([np.array([2 ** 40])])": ValueError,
    "pad_sequences([[1], []], value=float('nan'))": ValueError,
    "pad_sequences([['1', '2']])": TypeError,
    # matrices: Keras writes id -1 into the last column, fails on whole floats (IndexError)
    # and on array rows ("truth value … is ambiguous"), checks the mode only on a counted id
    "fitted(['a b']).sequences_to_matrix([[1, -1]])": ValueError,
    "fitted(['a b']).sequences_to_matrix([[1, 2.0]])":
        {"ndarray": [[0.0, 1.0, 1.0]], "dtype": "float64"},
    "fitted(['a b']).sequences_to_matrix([[1, 1.5]])": ValueError,
    "fitted(['a b']).sequences_to_matrix(np.array([[0, 1, 2], [2, 2, 0]]))":
        {"ndarray": [[1.0, 1.0, 1.0], [1.0, 0.0, 1.0]], "dtype": "float64"},
    "fitted(['a b']).sequences_to_matrix([[], []], mode='onehot')": ValueError,
    # Keras: texts_to_sequences before fitting gives empty sequences, so a row of zeros
    "Tokenizer(num_words=3).texts_to_matrix(['a b'])": ValueError,
    # fit_on_sequences: Keras counts id -1 and keeps 2.0 apart from 2; fails on a generator
    "fit_seqs(Tokenizer(), [[1, -1]]).index_docs": ValueError,
    "fit_seqs(Tokenizer(), [[1, 2.0, 2]]).index_docs": {"1": 1, "2": 1},
    "fit_seqs(Tokenizer(), (s for s in [[1, 2], [2]])).document_count": 2,
    # sets and dicts (issue 17): Keras iterates a set in PYTHONHASHSEED's order, a dict's keys
    "fitted({'b a', 'a'}).document_count": TypeError,
    "fitted({'first text': 1, 'second': 2}).word_index": TypeError,
    "fitted(['a b']).texts_to_sequences({'a b'})": TypeError,
    "fit_seqs(Tokenizer(), {(1, 2), (3,)}).document_count": TypeError,
    "fitted(['a b']).sequences_to_matrix({(1, 2)})": TypeError,
    "pad_sequences({(1, 2), (3,)})": TypeError,
    "pad_sequences({'a': [1, 2]})": TypeError,
    # hashing: Keras divides by zero (n=1, n=True), gives ids for n=0 and floats for n=2.5 or a
    # hash_function returning floats, fails deep inside on a non-str text, iterates the
    # characters of an analyzer's str result
    "one_hot('a b', 1)": ValueError,
    "one_hot('a b', 0)": ValueError,
    "one_hot('a b', 2.5)": TypeError,
    "one_hot(['a', 'b'], 5)": TypeError,
    "one_hot(None, 5)": TypeError,
    "hashing_trick('a b', 5, hash_function='sha1')": ValueError,
    "hashing_trick('a b', 5, hash_function=lambda w: 1.5)": TypeError,
    "hashing_trick('a b', 5, analyzer=lambda t: t)": TypeError,
    "hashing_trick('a b', 5, hash_function='md5', analyzer=lambda t: [1, 2])": TypeError,
    "hashing_trick('a b', True, hash_function='md5')": TypeError,
}


def fitted(texts, **args):
    tokenizer = Tokenizer(**args)
    tokenizer.fit_on_texts(texts)
    return tokenizer


def fit_more(tokenizer, texts):
    tokenizer.fit_on_texts(texts)
    return tokenizer


def fit_seqs(tokenizer, sequences):
    tokenizer.fit_on_sequences(sequences)
    return tokenizer


def run_call(code: str):
    namespace = {"Tokenizer": Tokenizer, "tokenizer_from_json": tokenizer_from_json,
                 "pad_sequences": pad_sequences, "text_to_word_sequence": text_to_word_sequence,
                 "np": np, "fitted": fitted, "fit_more": fit_more, "fit_seqs": fit_seqs,
                 "one_hot": text.one_hot, "hashing_trick": text.hashing_trick}
    return eval(code, namespace)  # noqa: S307 -- expressions from our own fixture file


def jsonable(result):
    if isinstance(result, np.ndarray):
        return {"ndarray": result.tolist(), "dtype": str(result.dtype)}
    if isinstance(result, dict):
        return {str(key): jsonable(value) for key, value in result.items()}
    if isinstance(result, (list, tuple)):
        return [jsonable(item) for item in result]
    return result


def test_every_documented_difference_is_in_the_fixture():
    assert set(DIFFERENT) <= set(CALLS)


@pytest.mark.parametrize("code", CALLS)
def test_call_matches_keras_or_differs_as_documented(code):
    keras = CALLS[code]
    if code in DIFFERENT:
        ours = DIFFERENT[code]
        if isinstance(ours, type) and issubclass(ours, Exception):
            assert keras.get("error") != ours.__name__, "not a difference: drop it from DIFFERENT"
            with pytest.raises(ours):
                run_call(code)
        else:
            assert keras.get("result") != ours, "not a difference: drop it from DIFFERENT"
            assert jsonable(run_call(code)) == ours
    elif "error" in keras:
        with pytest.raises(Exception) as info:
            run_call(code)
        if isinstance(info.value, NotImplementedError):        # an unfinished exercise (in a
            raise info.value                                   # student copy): skipped
        names = [cls.__name__ for cls in type(info.value).__mro__]
        assert keras["error"] in names, f"Keras raises {keras['error']}, we raise {names[0]}"
    else:
        assert jsonable(run_call(code)) == keras["result"]


def test_pad_sequences_of_nothing_has_shape_0_by_maxlen():
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([]).dtype == np.int32
    assert pad_sequences([], maxlen=4, dtype="float32").shape == (0, 4)


# ---------------------------------------------------------------------------- rules, by hand
def test_ties_keep_first_seen_order_and_counts_rank_first():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["b a c", "c a b d", "d d"])      # b2 a2 c2 d3
    assert list(tokenizer.word_index) == ["d", "b", "a", "c"]


def test_num_words_limits_only_texts_to_sequences():
    tokenizer = Tokenizer(num_words=3)
    tokenizer.fit_on_texts(["a a a b b c"])
    assert tokenizer.word_index == {"a": 1, "b": 2, "c": 3}
    assert tokenizer.texts_to_sequences(["c b a"]) == [[2, 1]]
    tokenizer.num_words = None                                # may be changed after fitting
    assert tokenizer.texts_to_sequences(["c b a"]) == [[3, 2, 1]]


def test_oov_token_gets_index_1_and_replaces_cut_and_unknown_words():
    tokenizer = Tokenizer(num_words=3, oov_token="<OOV>")
    tokenizer.fit_on_texts(["a a a b b c"])
    assert tokenizer.word_index == {"<OOV>": 1, "a": 2, "b": 3, "c": 4}
    assert tokenizer.texts_to_sequences(["c b a zebra"]) == [[1, 1, 2, 1]]
    assert tokenizer.sequences_to_texts([[0, 2, 3]]) == ["<OOV> a <OOV>"]


def test_failed_fit_changes_nothing():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["a b"])
    before = tokenizer.to_json()
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        tokenizer.fit_on_texts(["c d", 5])
    assert tokenizer.to_json() == before


def test_generators_are_checked_when_called():
    tokenizer = fitted(["a b"])
    with pytest.raises(TypeError, match="texts_to_sequences_generator"):
        tokenizer.texts_to_sequences_generator("a b")
    with pytest.raises(TypeError, match="sequences_to_texts_generator"):
        tokenizer.sequences_to_texts_generator(5)


def test_to_json_round_trip_and_further_fitting():
    tokenizer = fitted(["Der Hund", "der Ball, der Hund!"], oov_token="<OOV>", num_words=3)
    loaded = tokenizer_from_json(tokenizer.to_json(ensure_ascii=False, indent=2))
    for attribute in ("word_index", "index_word", "word_counts", "word_docs", "index_docs",
                      "document_count", "num_words", "oov_token", "filters", "lower", "split",
                      "char_level"):
        assert getattr(loaded, attribute) == getattr(tokenizer, attribute), attribute
    loaded.fit_on_texts(["ein Hund"])
    tokenizer.fit_on_texts(["ein Hund"])
    assert loaded.get_config() == tokenizer.get_config()


def test_tokenizer_from_json_refuses_other_classes_and_unknown_settings():
    data = json.loads(fitted(["a b"]).to_json())
    data["class_name"] = "TextVectorization"
    with pytest.raises(ValueError, match="class_name 'Tokenizer', got 'TextVectorization'"):
        tokenizer_from_json(json.dumps(data))
    data["class_name"] = "Tokenizer"
    data["config"]["analyzer"] = None
    with pytest.raises(ValueError, match=r"unknown config keys \['analyzer'\]"):
        tokenizer_from_json(json.dumps(data))


def test_pad_sequences_accepts_its_own_output_and_tokenizer_rows():
    tokenizer = fitted(["a b c"], oov_token="?")
    padded = pad_sequences(tokenizer.texts_to_sequences(["c a", "b"]), maxlen=3)
    assert tokenizer.sequences_to_texts(padded) == ["? c a", "? ? b"]
    assert np.array_equal(pad_sequences(padded, maxlen=2, padding="post"), padded[:, 1:])


# ---------------------------------------------------------------------------- properties
@given(ragged_int_lists, st.one_of(st.none(), st.integers(1, 9)),
       st.sampled_from(["pre", "post"]), st.sampled_from(["pre", "post"]),
       st.sampled_from(["int32", "int64", "float32", "float64"]), st.integers(-3, 3))
def test_pad_sequences_rows_follow_the_rule(sequences, maxlen, padding, truncating, dtype, value):
    out = pad_sequences(sequences, maxlen=maxlen, dtype=dtype, padding=padding,
                        truncating=truncating, value=value)
    length = maxlen if maxlen is not None else max(map(len, sequences), default=0)
    assert out.shape == (len(sequences), length)
    assert out.dtype == np.dtype(dtype)
    for row, sequence in zip(out, sequences):
        kept = sequence[-length:] if truncating == "pre" else sequence[:length]
        kept = kept if length else []
        fill = [value] * (length - len(kept))
        assert row.tolist() == (fill + kept if padding == "pre" else kept + fill)


@given(texts_of_words(), st.booleans(), st.one_of(st.none(), st.just("<OOV>")))
def test_fit_gives_every_token_an_index_and_indices_are_1_to_v(texts, lower, oov):
    tokenizer = Tokenizer(lower=lower, oov_token=oov)
    tokenizer.fit_on_texts(texts)
    tokens = [t for text_ in texts for t in text_to_word_sequence(text_, lower=lower)]
    assert set(tokenizer.word_counts) == set(tokens)
    assert sum(tokenizer.word_counts.values()) == len(tokens)
    assert all(tokenizer.word_index[t] >= 1 for t in tokens)
    assert sorted(tokenizer.word_index.values()) == list(range(1, len(tokenizer.word_index) + 1))
    assert 0 not in tokenizer.index_word
    first = 1
    if oov:                                                   # (no text can contain '<OOV>')
        assert tokenizer.word_index[oov] == 1
        first = 2
    ranked = [tokenizer.index_word[i] for i in range(first, len(tokenizer.word_index) + 1)]
    by_count_then_first_seen = sorted(dict.fromkeys(tokens),  # sorted() is stable
                                      key=lambda token: -tokenizer.word_counts[token])
    assert ranked == by_count_then_first_seen
    assert tokenizer.document_count == len(texts)


@given(texts_of_words(min_texts=1), st.booleans())
def test_sequences_to_texts_inverts_texts_to_sequences(texts, char_level):
    tokenizer = Tokenizer(char_level=char_level)
    tokenizer.fit_on_texts(texts)
    for text_, ids in zip(texts, tokenizer.texts_to_sequences(texts)):
        tokens = list(text_.lower()) if char_level else text_to_word_sequence(text_)
        assert [tokenizer.index_word[i] for i in ids] == tokens
        assert tokenizer.sequences_to_texts([ids]) == [" ".join(tokens)]


@given(texts_of_words(min_texts=1), st.integers(0, 6), st.booleans(), texts_of_words())
def test_num_words_keeps_ids_below_it(texts, num_words, with_oov, new_texts):
    tokenizer = Tokenizer(num_words=num_words, oov_token="<OOV>" if with_oov else None)
    tokenizer.fit_on_texts(texts)
    for text_, ids in zip(new_texts, tokenizer.texts_to_sequences(new_texts)):
        if num_words:                                         # (the oov id may exceed it)
            assert all(i < num_words or i == tokenizer.word_index.get("<OOV>") for i in ids)
        if with_oov:                                          # nothing is dropped
            assert len(ids) == len(text_to_word_sequence(text_))


@given(texts_of_words(min_texts=1), st.one_of(st.none(), st.just("?")), st.booleans())
def test_json_round_trip_keeps_everything(texts, oov, char_level):
    tokenizer = Tokenizer(oov_token=oov, char_level=char_level, num_words=4)
    tokenizer.fit_on_texts(texts)
    loaded = tokenizer_from_json(tokenizer.to_json())
    assert loaded.get_config() == tokenizer.get_config()
    assert loaded.texts_to_sequences(texts) == tokenizer.texts_to_sequences(texts)


# ---------------------------------------------------------------------------- bad input
BAD_INPUT = [
    # (call, exception, words the message must contain)
    (lambda: Tokenizer(num_words=-1), ValueError, ["num_words", "-1", ">= 0"]),
    (lambda: Tokenizer(num_words=2.5), TypeError, ["num_words", "2.5", "float"]),
    (lambda: Tokenizer(num_words="10"), TypeError, ["num_words", "'10'", "str"]),
    (lambda: Tokenizer(split=""), ValueError, ["split", "''"]),
    (lambda: Tokenizer(split=None), TypeError, ["split", "None"]),
    (lambda: Tokenizer(filters=None), TypeError, ["filters", "None"]),
    (lambda: Tokenizer(filters=["ab"]), TypeError, ["filters[0]", "'ab'"]),
    (lambda: Tokenizer(lower="False"), TypeError, ["lower", "'False'", "True or False"]),
    (lambda: Tokenizer(char_level=2), TypeError, ["char_level", "2", "True or False"]),
    (lambda: Tokenizer(oov_token=0), TypeError, ["oov_token", "0", "int"]),
    (lambda: Tokenizer(document_count=-3), ValueError, ["document_count", "-3"]),
    (lambda: Tokenizer(document_count="3"), TypeError, ["document_count", "'3'"]),
    (lambda: tokenizer_from_json('{"class_name": "Model", "config": {}}'), ValueError,
     ["tokenizer_from_json", "Tokenizer"]),
    (lambda: Tokenizer().fit_on_texts("a single string"), TypeError,
     ["fit_on_texts", "list of texts", "'a single string'", "fit_on_texts([text])"]),
    (lambda: fitted(["a"]).texts_to_sequences("a b"), TypeError,
     ["texts_to_sequences", "'a b'", "texts_to_sequences([text])"]),
    (lambda: Tokenizer().fit_on_texts(["ok", "fine", 7]), TypeError,
     ["fit_on_texts", "texts[2]", "7 (int)"]),
    (lambda: Tokenizer().fit_on_texts([None]), TypeError, ["texts[0]", "None"]),
    (lambda: Tokenizer().fit_on_texts([("a", "b")]), TypeError, ["texts[0]", "tuple", "list"]),
    (lambda: Tokenizer().fit_on_texts([b"bytes"]), TypeError, ["texts[0]", "b'bytes'", "decode"]),
    (lambda: Tokenizer().fit_on_texts([["a", 1]]), TypeError, ["texts[0][1]", "1 (int)"]),
    (lambda: Tokenizer().fit_on_texts(3), TypeError, ["texts", "3 (int)"]),
    (lambda: fitted(["a"]).texts_to_sequences(["a", 2.0]), TypeError,
     ["texts_to_sequences", "texts[1]", "2.0 (float)"]),
    (lambda: Tokenizer().texts_to_sequences(["a"]), ValueError,
     ["texts_to_sequences", "fit_on_texts"]),
    (lambda: fitted(["a"]).sequences_to_texts([[1, "a"]]), TypeError,
     ["sequences_to_texts", "sequences[0][1]", "'a'"]),
    (lambda: fitted(["a"]).sequences_to_texts([[1], [2.5]]), ValueError,
     ["sequences[1][0]", "2.5", "whole number"]),
    (lambda: fitted(["a"]).sequences_to_texts([1, 2]), TypeError, ["sequences[0]", "1 (int)"]),
    (lambda: fitted(["a"]).sequences_to_texts("12"), TypeError, ["sequences", "'12'"]),
    (lambda: text_to_word_sequence(5), TypeError, ["text_to_word_sequence", "5 (int)"]),
    (lambda: tokenizer_from_json("{}"), ValueError, ["tokenizer_from_json", "Tokenizer"]),
    (lambda: tokenizer_from_json(5), TypeError, ["json_string", "5"]),
    (lambda: pad_sequences([[1]], maxlen=0), ValueError, ["maxlen", "0", ">= 1"]),
    (lambda: pad_sequences([[1]], maxlen=-2), ValueError, ["maxlen", "-2"]),
    (lambda: pad_sequences([[1]], maxlen=2.0), TypeError, ["maxlen", "2.0", "float"]),
    (lambda: pad_sequences([[1]], padding="middle"), ValueError,
     ["pad_sequences", "padding", "'middle'", "pre", "post"]),
    (lambda: pad_sequences([[1]], truncating="begin"), ValueError,
     ["truncating", "'begin'", "pre", "post"]),
    (lambda: pad_sequences([[1]], padding="Post"), ValueError, ["padding", "'Post'", "'post'"]),
    (lambda: pad_sequences([[1]], dtype="int31"), TypeError, ["dtype", "'int31'"]),
    (lambda: pad_sequences([[1]], dtype="datetime64[s]"), TypeError, ["dtype", "datetime64"]),
    (lambda: pad_sequences([[1]], value="x"), ValueError, ["value", "'x'", "dtype=object"]),
    (lambda: pad_sequences([[1]], value=None), TypeError, ["value", "None"]),
    (lambda: pad_sequences([[1]], value=300, dtype="uint8"), ValueError,
     ["value", "300", "uint8", "0..255"]),
    (lambda: pad_sequences([[1]], value=float("nan")), ValueError, ["value", "nan", "int32"]),
    (lambda: pad_sequences([[1, 2], [3, "x", 4]]), TypeError,
     ["sequences[1]", "element 1", "'x'", "texts_to_sequences"]),
    (lambda: pad_sequences([[1], [2, None]]), TypeError, ["sequences[1]", "element 1", "None"]),
    (lambda: pad_sequences([[1], [2, 3j]]), TypeError, ["sequences[1]", "3j"]),
    (lambda: pad_sequences([[1], 7]), TypeError, ["sequences[1]", "7 (int)", "[sequence]"]),
    (lambda: pad_sequences([[1], None]), TypeError, ["sequences[1]", "None"]),
    (lambda: pad_sequences([[1], {2, 3}]), TypeError, ["sequences[1]", "set"]),
    (lambda: pad_sequences([[1], "abc"]), TypeError,
     ["sequences[1]", "'abc'", "texts_to_sequences"]),
    (lambda: pad_sequences("abc"), TypeError, ["sequences", "'abc'"]),
    (lambda: pad_sequences(5), TypeError, ["sequences", "5 (int)"]),
    (lambda: pad_sequences(iter([[1]])), TypeError, ["sequences", "list(...)"]),
    (lambda: pad_sequences(np.array([1, 2])), TypeError, ["sequences[0]", "[sequence]"]),
    (lambda: pad_sequences([[1, [2, 3]]]), ValueError, ["sequences[0]", "ragged"]),
    (lambda: pad_sequences([[1], [2, 2 ** 40]]), ValueError,
     ["sequences[1]", str(2 ** 40), "int32", "int64"]),
    (lambda: pad_sequences([[1], [2, 2 ** 70]], dtype="int64"), ValueError,
     ["sequences[1]", str(2 ** 70), "int64"]),
    (lambda: pad_sequences([np.array([0.5, np.inf])]), ValueError,
     ["sequences[0]", "inf", "element 1", "int32"]),
    (lambda: pad_sequences([[1e300]], dtype="float32"), ValueError,
     ["sequences[0]", "1e+300", "float32"]),
    (lambda: pad_sequences([[[1, 2]], [[3, 4, 5]]]), ValueError,
     ["sequences[1]", "(3,)", "(2,)"]),
]


def case_ids(cases) -> list:
    """pytest ids for (call, error, words) cases: "3-TypeError-num_words"."""
    return [f"{i}-{error.__name__}-{words[0]}" for i, (_, error, words) in enumerate(cases)]


def assert_clear_error(call, error, words) -> None:
    """call() raises exactly `error`, and its message holds each of `words`."""
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from the message: {message}"


@pytest.mark.parametrize("call, error, words", BAD_INPUT, ids=case_ids(BAD_INPUT))
def test_bad_input_raises_a_clear_error(call, error, words):
    assert_clear_error(call, error, words)


def test_a_wrong_mode_is_refused_even_when_every_sequence_is_empty():
    with pytest.raises(ValueError, match="truncating"):
        pad_sequences([[], []], truncating="middle")
