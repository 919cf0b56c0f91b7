"""Lesson 06 (the article's §5 example), run as a learner runs it: `python lessons/06_….py --quick`;
and nanonet's Tokenizer on the article's sentences against Keras's recorded output."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from lesson_runner import assert_figures_written, lesson_fixture, number

from nanonet import text

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "06_the_articles_text_classifier.py"
FIXTURE = ROOT / "tests" / "fixtures" / "keras_text.json"
ARTICLE_TEXTS = ["这是一只股票会上涨", "这是一只股票会下跌", "这是一只股票会保持平稳"]
FIGURES = ("06_prediction_distribution.png", "06_char_level_training.png",
           "06_per_sentence_predictions.png")


run = lesson_fixture("06")


# ---------------------------------------------------------------- the lesson, run
def test_shows_the_keras_script_and_the_articles_claimed_output(run):
    stdout = run[0].stdout
    assert "tokenizer = tf.keras.preprocessing.text.Tokenizer()" in stdout
    assert "model.fit(padded_sequences, labels, epochs=10, batch_size=1)" in stdout
    assert "预测结果： [0.0]" in stdout


def test_labels_as_a_list_fail_in_keras_and_the_fix(run):
    stdout = run[0].stdout
    assert "Failed to find data adapter that can handle input" in stdout
    assert "labels = np.array(labels)" in stdout
    assert "gives the identical prediction: True" in stdout


def test_each_sentence_is_one_token(run):
    stdout = run[0].stdout
    assert ("tokenizer.word_index = {'这是一只股票会上涨': 1, '这是一只股票会下跌': 2, "
            "'这是一只股票会保持平稳': 3}") in stdout
    assert "sequences            = [[1], [2], [3]]" in stdout
    assert "the same as Keras 2.15: True" in stdout


def test_every_padded_sequence_is_nine_pads_and_one_id(run):
    stdout = run[0].stdout
    assert ("[[0 0 0 0 0 0 0 0 0 1]\n [0 0 0 0 0 0 0 0 0 2]\n [0 0 0 0 0 0 0 0 0 3]]"
            in stdout)
    assert "nine pads then one id in every row: True" in stdout
    assert "Total params: 33345" in stdout


def test_the_fixed_script_prints_a_scalar_a_little_above_one_half(run):
    stdout = run[0].stdout
    printed = number(r"^预测结果： ([0-9.]+)$", stdout)
    assert 0.5 < printed < 0.7
    before = number(r"before training ([0-9.]+), after 30 Adam steps", stdout)
    assert abs(before - 0.5) < 0.02
    assert number(r"largest change of any weight in training: ([0-9.]+)", stdout) <= 0.0301


def test_the_seed_distribution_is_like_keras(run):
    stdout = run[0].stdout
    match = re.search(r"nanonet, (\d+) seeds:  min ([0-9.]+)  median ([0-9.]+)  max ([0-9.]+); "
                      r"(\d+)/(\d+) > 0\.5; final-epoch accuracy 0\.6667 for every seed; "
                      r"final-epoch loss ([0-9.]+)–([0-9.]+)", stdout)
    assert match, "the nanonet seed summary line is missing or changed"
    seeds, low, median, high, above, total, loss_low, loss_high = match.groups()
    assert int(seeds) == int(total) == int(above) == 5            # quick mode: 5 seeds
    assert 0.5 < float(low) <= float(median) <= float(high) < 0.65
    assert 0.55 < float(loss_low) <= float(loss_high) < 0.7
    assert ("Keras 2.15, 20 seeds: min 0.5369  median 0.5667  max 0.5968; 20/20 > 0.5; "
            "final-epoch accuracy 0.6667 for every seed; final-epoch loss 0.6206–0.6453") in stdout


def test_the_char_level_model_separates_the_three_sentences(run):
    stdout = run[0].stdout
    assert number(r"largest \|prediction − label\| ([0-9.]+)", stdout) < 0.2
    assert "Held-out sentences: there is nothing to generalise from" in stdout
    assert "'不会下跌'" in stdout


def test_timing_is_reported_next_to_keras(run):
    stdout = run[0].stdout
    assert re.search(r"^nanonet: median [0-9.]+ s", stdout, flags=re.MULTILINE)
    assert "Keras 2.15: median 1.19 s" in stdout


def test_figures_are_written(run):
    assert_figures_written(run[1], FIGURES)


# ---------------------------------------------------------------- nanonet's Tokenizer vs Keras
def article_case(char_level: bool) -> dict:
    """The fixture case that fits Keras's Tokenizer on exactly the article's three sentences."""
    cases = json.loads(FIXTURE.read_text(encoding="utf-8"))["tokenizer_cases"]
    found = [case for case in cases
             if case["fit"] == [ARTICLE_TEXTS] and case["args"] == ({"char_level": True}
                                                                     if char_level else {})]
    assert len(found) == 1, f"expected one article case (char_level={char_level}) in {FIXTURE}"
    return found[0]


@pytest.mark.parametrize("char_level", [False, True], ids=["word-level", "char-level"])
def test_tokenizer_on_the_articles_sentences_equals_keras(char_level):
    case = article_case(char_level)
    keras = case["keras"]
    tokenizer = text.Tokenizer(char_level=char_level)
    tokenizer.fit_on_texts(ARTICLE_TEXTS)
    assert [[k, v] for k, v in tokenizer.word_index.items()] == keras["word_index"]
    assert [[k, v] for k, v in tokenizer.index_word.items()] == keras["index_word"]
    assert [[k, v] for k, v in tokenizer.word_counts.items()] == keras["word_counts"]
    assert tokenizer.document_count == keras["document_count"]
    fitted = tokenizer.texts_to_sequences(ARTICLE_TEXTS)
    assert fitted == keras["fit_sequences"]
    assert tokenizer.texts_to_sequences(case["new"]) == keras["new_sequences"]
    for sequences, record in ((fitted, keras.get("fit_padded")),
                              (tokenizer.texts_to_sequences(case["new"]), keras.get("new_padded"))):
        padded = text.pad_sequences(sequences, **case["pad"])
        want = np.array(record["output"], dtype=record["dtype"]).reshape(record["shape"])
        assert padded.dtype == want.dtype and padded.shape == want.shape
        assert np.array_equal(padded, want), f"\nnanonet {padded.tolist()}\nKeras   {want.tolist()}"


def test_the_article_case_is_the_one_the_lesson_runs():
    source = LESSON.read_text(encoding="utf-8")
    assert 'texts = ["这是一只股票会上涨", "这是一只股票会下跌", "这是一只股票会保持平稳"]' in source
    case = article_case(False)
    assert case["pad"] == {"maxlen": 10}
    assert case["keras"]["fit_padded"]["output"] == [[0] * 9 + [i] for i in (1, 2, 3)]
