"""Lesson 06 (the article's §5 example), run as a learner runs it: `python lessons/06_….py --quick`;
nanonet's Tokenizer on the article's sentences against Keras's recorded output; and the Keras
record the lesson prints (tests/fixtures/keras_lesson06.json): every Keras number the lesson
shows is the fixture's, every sentence derived from one is computed from it, and every file
the lesson names exists."""
from __future__ import annotations

import ast
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
KERAS_RECORD = ROOT / "tests" / "fixtures" / "keras_lesson06.json"
KERAS_GENERATOR = ROOT / "tests" / "fixtures" / "make_keras_lesson06_fixtures.py"
STEPS_PER_FIT = 30
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
    assert "the same as Keras 2.15.0: True" in stdout
    assert "the same padded array as Keras's: True" in stdout


def test_every_padded_sequence_is_nine_pads_and_one_id(run):
    stdout = run[0].stdout
    assert ("[[0 0 0 0 0 0 0 0 0 1]\n [0 0 0 0 0 0 0 0 0 2]\n [0 0 0 0 0 0 0 0 0 3]]"
            in stdout)
    assert "nine pads then one id in every row: True" in stdout
    assert "Total params: 33345" in stdout
    assert "Keras's model.count_params(): 33345; nanonet's: 33345" in stdout


def test_the_fixed_script_prints_a_scalar_a_little_above_one_half(run):
    stdout = run[0].stdout
    printed = number(r"^预测结果： ([0-9.]+)$", stdout)
    assert 0.5 < printed < 0.7
    before = number(r"before training ([0-9.]+), after 30 Adam steps", stdout)
    assert abs(before - 0.5) < 0.02
    assert number(r"largest change of any weight in training: ([0-9.]+)", stdout) <= 0.0301


def keras_record() -> dict:
    """The stored Keras record the lesson prints from."""
    return json.loads(KERAS_RECORD.read_text(encoding="utf-8"))


def mean_and_se(values):
    """Mean and standard error (sample SD / √n), as the lesson computes them."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


SUMMARY = (r"^  {name}, (\d+) seeds:  min ([0-9.]+)  median ([0-9.]+)  max ([0-9.]+)  mean "
           r"([0-9.]+) ± ([0-9.]+) \(SE\); (\d+)/(\d+) > 0\.5; final-epoch accuracy (.+?); "
           r"final-epoch loss ([0-9.]+)–([0-9.]+)$")


def seeds_summary(stdout: str, name: str) -> tuple:
    """The groups of the lesson's one-line summary of `name`'s seeds."""
    match = re.search(SUMMARY.format(name=re.escape(name)), stdout, flags=re.MULTILINE)
    assert match, f"the {name} seed summary line is missing or changed"
    return match.groups()


def nanonet_seed_table(stdout: str) -> np.ndarray:
    """The lesson's per-seed table as rows (prediction, final accuracy, final loss)."""
    block = stdout.split("seed  prediction  final accuracy  final loss\n", 1)[1]
    rows = [line.split() for line in block.split("\n\n", 1)[0].splitlines()]
    return np.array([[float(v) for v in row[1:]] for row in rows])


def keras_values(key: str) -> np.ndarray:
    """One value per recorded Keras seed: "prediction", or the final epoch's "loss"."""
    seeds = keras_record()["seeds"]
    return np.array([run[key] if key == "prediction" else run[key][-1] for run in seeds])


def test_the_keras_seed_summary_is_the_fixtures(run):
    """Every number of the Keras line is computed from the stored record: a number typed into
    the lesson (like the old 0.5369 / 0.5667 / 0.5968) would not match it."""
    predictions, losses = keras_values("prediction"), keras_values("loss")
    mean, se = mean_and_se(predictions)
    (n, low, median, high, printed_mean, printed_se, above, total, accuracy, loss_low,
     loss_high) = seeds_summary(run[0].stdout, "Keras 2.15.0")
    assert int(n) == int(total) == len(predictions) == 20
    assert (low, median, high) == tuple(f"{v:.4f}" for v in (predictions.min(),
                                                              np.median(predictions),
                                                              predictions.max()))
    assert (printed_mean, printed_se) == (f"{mean:.4f}", f"{se:.4f}")
    assert int(above) == int(np.sum(predictions > 0.5))
    assert (loss_low, loss_high) == (f"{losses.min():.4f}", f"{losses.max():.4f}")
    accuracies = keras_values("accuracy")
    if accuracy.endswith("for every seed"):
        assert np.allclose(accuracies, float(accuracy.split()[0]), atol=5e-5)


def test_the_nanonet_seed_summary_matches_its_table(run):
    table = nanonet_seed_table(run[0].stdout)
    (n, low, median, high, printed_mean, printed_se, above, total, accuracy, loss_low,
     loss_high) = seeds_summary(run[0].stdout, "nanonet")
    assert int(n) == int(total) == len(table) == 5                      # quick mode: 5 seeds
    predictions = table[:, 0]
    mean, se = mean_and_se(predictions)
    assert np.allclose([float(low), float(median), float(high)],
                       [predictions.min(), np.median(predictions), predictions.max()], atol=1e-4)
    assert abs(float(printed_mean) - mean) < 1e-4 and abs(float(printed_se) - se) < 2e-4
    assert int(above) == int(np.sum(predictions > 0.5))
    assert np.allclose([float(loss_low), float(loss_high)], [table[:, 2].min(), table[:, 2].max()],
                       atol=1e-4)
    if accuracy.endswith("for every seed"):
        assert np.all(table[:, 1] == float(accuracy.split()[0]))


COMPARISON = (r"^{quantity}: nanonet − Keras = ([+-][0-9.]+) ± ([0-9.]+) \(SE\), ([0-9.]+) SE: "
              r"(.+)$")


@pytest.mark.parametrize("quantity, column, key", [("mean prediction", 0, "prediction"),
                                                   ("mean final-epoch loss", 2, "loss")])
def test_each_comparison_with_keras_has_its_se_and_says_what_it_shows(run, quantity, column,
                                                                      key):
    """The difference of the means is printed with its standard error, and the verdict follows
    from them: 'no difference' only under 2 SE, 'higher'/'lower' (with the right sign) only
    from 2 SE up."""
    ours, our_se = mean_and_se(nanonet_seed_table(run[0].stdout)[:, column])
    theirs, their_se = mean_and_se(keras_values(key))
    match = re.search(COMPARISON.format(quantity=re.escape(quantity)), run[0].stdout,
                      flags=re.MULTILINE)
    assert match, f"the comparison of the {quantity} is missing or changed"
    difference, se, in_se, verdict = match.groups()
    assert abs(float(difference) - (ours - theirs)) < 2e-4
    assert abs(float(se) - np.hypot(our_se, their_se)) < 2e-4
    assert abs(float(in_se) - abs(float(difference)) / float(se)) < 0.1
    z = abs(ours - theirs) / np.hypot(our_se, their_se)
    if z < 1.95:
        assert verdict.startswith("under 2 SE, so these seeds show no difference")
    elif z > 2.05:
        assert verdict.endswith(("higher than Keras's" if ours > theirs else "lower than Keras's"))


def test_the_share_above_one_half_is_counted_with_its_bound(run):
    stdout = run[0].stdout
    for name, predictions in (("nanonet", nanonet_seed_table(stdout)[:, 0]),
                              ("Keras 2.15.0", keras_values("prediction"))):
        match = re.search(rf"^  {re.escape(name)}: (\d+)/(\d+) runs call the 'fall' sentence a "
                          rf"rise(.*)$", stdout, flags=re.MULTILINE)
        assert match, f"{name}'s count of runs above 0.5 is missing"
        above, n, rest = int(match.group(1)), int(match.group(2)), match.group(3)
        assert (above, n) == (int(np.sum(predictions > 0.5)), len(predictions))
        if above == n:
            assert rest == (f" (95% lower bound on the share of seeds that do: "
                            f"{0.05 ** (1 / n):.2f})")
        else:
            assert rest == ""
    assert "every run ends a little above 0.5" not in stdout      # the old, unconditional claim


def test_seed_0s_losses_are_the_fixtures_and_the_differences_follow(run):
    stdout = run[0].stdout
    record = keras_record()
    keras, again = record["seeds"][0]["loss"], record["repeat_seed0"]["loss"]
    assert "                       Keras   " + " ".join(f"{v:.4f}" for v in keras) in stdout
    assert "        Keras, seed 0 again    " + " ".join(f"{v:.4f}" for v in again) in stdout
    nanonet = [float(v) for v in
               re.search(r"^seed 0's epoch losses: nanonet (.+)$", stdout, re.MULTILINE)
               .group(1).split()]
    between = number(r"^nanonet's seed 0 and Keras's differ by up to ([0-9.]+)", stdout)
    assert abs(between - np.max(np.abs(np.subtract(nanonet, keras)))) < 2e-4
    repeat = number(r"^Keras's seed 0 run twice differs from itself by up to ([0-9.]+)", stdout)
    assert abs(repeat - np.max(np.abs(np.subtract(keras, again)))) < 1e-4
    assert ("does not repeat a run exactly" in stdout) == (keras != again)


def test_the_training_sentences_lines_are_computed(run):
    seeds = keras_record()["seeds"]
    train = np.array([run_["train_predictions"] for run_ in seeds])
    medians = ", ".join(f"{v:.3f}" for v in np.median(train, axis=0))
    lifted = int(np.sum(np.all(train > 0.5, axis=1)))
    assert (f"  Keras 2.15.0: median predictions for rise/fall/steady {medians}; all three > 0.5 "
            f"in {lifted}/{len(seeds)} runs") in run[0].stdout
    assert "about 0.58, 0.55 and 0.59" not in LESSON.read_text(encoding="utf-8")


def test_the_keras_facts_of_points_1_to_4_are_the_fixtures(run):
    stdout = run[0].stdout
    record = keras_record()
    assert record["article_script"] in stdout
    error = record["as_printed"]
    assert f"{error['error_type']}: {error['error_message']}" in stdout
    assert f"printed: {record['fixed_run']['printed']}" in stdout
    assert ("Keras's results for it come from tests/fixtures/keras_lesson06.json, written by "
            "tests/fixtures/make_keras_lesson06_fixtures.py with TensorFlow 2.15.1, Keras 2.15.0")\
        in stdout


VARIANTS = ("as printed (fixed)", "50 epochs", "50 epochs, no dropout", "char_level=True",
            "char_level=True, 50 epochs, no dropout")


def variant_table(stdout: str) -> dict:
    """Section 6's table: {variant: (rise, fall, steady, final loss)}."""
    rows = {}
    for name in VARIANTS:
        match = re.search(rf"^{re.escape(name)} +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)$",
                          stdout, flags=re.MULTILINE)
        assert match, f"section 6 has no row for {name!r}"
        rows[name] = tuple(float(v) for v in match.groups())
    return rows


def test_section_6s_conclusions_follow_from_its_table(run):
    """Which variants separate the sentences is read off the table, and the '→' sentences are
    the ones the table supports (for every seed)."""
    stdout = run[0].stdout
    table = variant_table(stdout)
    separated = {name: row[0] > 0.5 and row[1] <= 0.5 and row[2] > 0.5
                 for name, row in table.items()}
    assert ("separates the three sentences (each on its label's side of 0.5): "
            + "; ".join(f"{name} {'yes' if ok else 'no'}" for name, ok in separated.items())) \
        in stdout
    story = (not separated["as printed (fixed)"] and separated["50 epochs"]
             and not separated["char_level=True"])
    assert ("→ The number of steps is what stops it" in stdout) == story
    slows = table["50 epochs"][3] > table["50 epochs, no dropout"][3]
    assert f"  Dropout {'slows' if slows else 'does not slow'} the fit of three samples" in stdout


def test_will_not_fall_gets_exactly_the_fall_score(run):
    """'不会下跌' loses its unknown 不 and becomes the training sentence '…会下跌' token for token."""
    stdout = run[0].stdout
    fall = number(r"^  这是一只股票会下跌 +\(will fall +\) label 0  prediction ([0-9.]+)$", stdout)
    not_fall = number(r"^  这是一只股票不会下跌 +\(will NOT fall +\) .* prediction ([0-9.]+) ", stdout)
    assert not_fall == fall


def test_the_char_level_model_separates_the_three_sentences(run):
    stdout = run[0].stdout
    assert number(r"largest \|prediction − label\| ([0-9.]+)", stdout) < 0.2
    assert "Held-out sentences: there is nothing to generalise from" in stdout
    assert "'不会下跌'" in stdout


def test_the_keras_timings_are_the_fixtures_and_ms_per_step_follows_from_them(run):
    """The Keras timing lines are computed from the record, and the ms per step is the fit time
    over its 30 steps (the old '1.19 s … about 2–6 ms per step' did not follow: 40 ms)."""
    stdout = run[0].stdout
    record = keras_record()
    fits = np.array([seed["fit_seconds"] for seed in record["seeds"]])
    steps = np.array([seed["step_ms"] for seed in record["seeds"]])
    assert steps.shape == (20, STEPS_PER_FIT)
    assert (f"Keras 2.15.0: fit median {np.median(fits):.2f} s ({fits.min():.2f}–{fits.max():.2f} "
            f"s) over 20 seeds = {np.median(fits) / STEPS_PER_FIT * 1e3:.0f} ms per step on average "
            f"over the {STEPS_PER_FIT} steps;") in stdout
    first, later = steps[:, 0], steps[:, 1:]
    assert (f"  its first step (tracing the graph) median {np.median(first) / 1e3:.2f} s "
            f"({first.min() / 1e3:.2f}–{first.max() / 1e3:.2f} s); the other 29 steps median "
            f"{np.median(later):.1f} ms (middle half {np.percentile(later, 25):.1f}–"
            f"{np.percentile(later, 75):.1f} ms)") in stdout
    bar = [int(v) for v in re.findall(r"(\d+)ms/step", " ".join(record["fixed_run"]
                                                                ["progress_lines"]))]
    assert len(bar) == 10
    assert f"printed {min(bar)}–{max(bar)} ms/step, without each epoch's first step" in stdout
    meta = record["meta"]
    assert (f"  measured on {meta['cpu']}, {meta['usable_cpus']} usable CPUs, load average "
            f"{meta['load_average_before'][0]:.1f}") in stdout
    assert "2–6 ms" not in stdout


def test_nanonet_ms_per_step_is_its_fit_time_over_30_and_the_ratios_follow(run):
    stdout = run[0].stdout
    match = re.search(r"^nanonet: fit median ([0-9.]+) s \(([0-9.]+)–([0-9.]+) s\) over (\d+) "
                      r"seeds = ([0-9.]+) ms per step on average", stdout, flags=re.MULTILINE)
    assert match, "nanonet's timing line is missing or changed"
    median, low, high, n, per_step = (float(v) for v in match.groups())
    assert low <= median <= high and int(n) == 5
    assert abs(per_step - median / STEPS_PER_FIT * 1e3) < 0.07
    record = keras_record()
    keras_later = np.median([seed["step_ms"][1:] for seed in record["seeds"]])
    keras_fit = np.median([seed["fit_seconds"] for seed in record["seeds"]])
    step_ratio = number(r"^Keras's median step after the first / nanonet's average step = "
                        r"([0-9.]+)", stdout)
    fit_ratio = number(r"Keras's median fit / nanonet's = ([0-9.]+)", stdout)
    # each printed number is rounded (step 0.1 ms, median 0.001 s, ratios 0.1 and 1): the
    # ratio must lie in what the rounded inputs allow, however fast this machine's fit was
    assert within_rounding(step_ratio, keras_later, per_step, 0.05, 0.05)
    assert within_rounding(fit_ratio, keras_fit, median, 0.0005, 0.5)


def within_rounding(ratio: float, numerator: float, rounded: float, half_step: float,
                    ratio_half_step: float) -> bool:
    """True if `ratio` (printed to ± ratio_half_step) can be numerator / d for some d within
    ± half_step of the printed denominator `rounded`."""
    low = numerator / (rounded + half_step) - ratio_half_step
    high = numerator / max(rounded - half_step, 1e-12) + ratio_half_step
    return low <= ratio <= high


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


# ---------------------------------------------------------------- the Keras record itself
def test_the_record_was_made_by_its_generator_with_keras_2_15():
    record = keras_record()
    meta = record["meta"]
    assert meta["made_by"] == KERAS_GENERATOR.relative_to(ROOT).as_posix()
    assert KERAS_GENERATOR.is_file()
    assert (meta["tensorflow"], meta["keras"]) == ("2.15.1", "2.15.0")
    assert meta["numpy"].startswith("1.")
    assert {"cpu", "usable_cpus", "load_average_before", "load_average_after",
            "recorded_utc"} <= set(meta)
    seeds = record["seeds"]
    assert [seed["seed"] for seed in seeds] == list(range(20))
    for seed in seeds + [record["repeat_seed0"]]:
        assert len(seed["loss"]) == len(seed["accuracy"]) == 10
        assert len(seed["step_ms"]) == STEPS_PER_FIT and len(seed["train_predictions"]) == 3
        assert sum(seed["step_ms"]) / 1e3 <= seed["fit_seconds"]   # the steps happen inside fit
        # the new text is sentence 2 (predicted alone vs in a batch of 3: float32 rounding)
        assert abs(seed["prediction"] - seed["train_predictions"][1]) < 1e-6


def generator_constant(name: str):
    """A literal constant of the generator script, read without running it (no TensorFlow)."""
    tree = ast.parse(KERAS_GENERATOR.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name
                                                for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"no {name} in {KERAS_GENERATOR}")


def test_the_record_holds_the_script_its_generator_runs():
    """The fixture came from this generator's script, and the generator's experiment is the
    lesson's: the same texts, labels, model, fit arguments."""
    script = generator_constant("ARTICLE_SCRIPT")
    assert keras_record()["article_script"] == script
    assert generator_constant("TEXTS") == ARTICLE_TEXTS and generator_constant("LABELS") == [1, 0, 1]
    source = LESSON.read_text(encoding="utf-8")
    for keras_line, lesson_line in (
            ("LSTM(64, dropout=0.2, recurrent_dropout=0.2)",
             "layers.LSTM(64, dropout=dropout, recurrent_dropout=dropout)"),
            ("model.fit(padded_sequences, labels, epochs=10, batch_size=1)",
             "epochs=epochs, batch_size=1, verbose=0"),
            ("Embedding(len(tokenizer.word_index) + 1, 64, input_length=max_sequence_length)",
             "layers.Embedding(len(tokenizer.word_index) + 1, 64, input_length=max_sequence_length)")):
        assert keras_line in script and lesson_line in source


def test_no_keras_number_is_typed_into_the_lesson():
    """The lesson loads Keras's numbers; none of the record's summary values (nor the old typed
    constants) appears in its source."""
    source = LESSON.read_text(encoding="utf-8")
    predictions, losses = keras_values("prediction"), keras_values("loss")
    fits = np.array([seed["fit_seconds"] for seed in keras_record()["seeds"]])
    recorded = {f"{v:.4f}" for v in (predictions.min(), np.median(predictions), predictions.max(),
                                     losses.min(), losses.max(),
                                     *keras_record()["seeds"][0]["loss"])}
    recorded |= {f"{v:.2f} s" for v in (np.median(fits), fits.min(), fits.max())}
    old = {"0.5369", "0.5667", "0.5968", "0.6206", "0.6453", "0.6937", "0.6391", "1.19", "1.73"}
    typed = sorted(value for value in recorded | old if value in source)
    assert not typed, f"Keras numbers typed into {LESSON.name}: {typed}"
    assert "2–6 ms" not in source and "KERAS = {" not in source
    assert 'golden.load("keras_lesson06.json")' in source


FILE_NAME = r"[\w./-]*\w\.(?:py|md|json|npz)\b"


def test_every_file_the_lesson_names_exists(run):
    """Each file named in the lesson's source or output is in the repository (the lesson once
    cited KERAS_SEMANTICS.md, which it does not have)."""
    names = set(re.findall(FILE_NAME, LESSON.read_text(encoding="utf-8") + run[0].stdout))
    assert {"docs/keras_semantics.md", "tests/fixtures/keras_lesson06.json",
            "tests/fixtures/make_keras_lesson06_fixtures.py"} <= names
    missing = sorted(name for name in names
                     if not ((ROOT / name).is_file() if "/" in name
                             else any(path.is_file() for path in ROOT.rglob(name))))
    assert not missing, f"the lesson names files the repository does not have: {missing}"


def test_the_file_check_can_fail():
    assert re.findall(FILE_NAME, "see KERAS_SEMANTICS.md and tests/x.json") == [
        "KERAS_SEMANTICS.md", "tests/x.json"]
    assert not any(ROOT.rglob("KERAS_SEMANTICS.md"))


def test_the_keras_semantics_note_claims_only_what_the_record_holds():
    note = (ROOT / "docs" / "keras_semantics.md").read_text(encoding="utf-8")
    record = keras_record()
    assert "tests/fixtures/keras_lesson06.json" in note and "make_keras_lesson06_fixtures.py" in note
    assert "above 0.5 for every recorded seed" in note
    assert all(seed["prediction"] > 0.5 for seed in record["seeds"])
    assert "not bit-identical" in note
    assert record["repeat_seed0"]["loss"] != record["seeds"][0]["loss"]
    assert "2–6 ms" not in note and "0.5369" not in note
