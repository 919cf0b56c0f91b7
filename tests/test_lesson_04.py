"""Lesson 04 (will IBM close higher tomorrow?), run as a learner runs it, in quick mode, once per
seed of NANONET_LESSON_SEEDS: every claim it prints is checked against the numbers it prints.

The baselines and the data's statistics do not depend on the seed, so their values are pinned;
what the MLP scores does, so those checks relate the printed sentences to the printed numbers.
"""
import ast
import math
import re

from lesson_runner import lesson_fixture, lesson_path, number

LESSON = lesson_path("04")
FIGURES = ["04_prices_and_features.png", "04_training_curves.png", "04_accuracy_vs_baselines.png"]
PERCENT = r"([0-9.]+)%"

run = lesson_fixture("04")


def prose() -> str:
    """The lesson's source with the comment markers of its text cells removed and its whitespace
    collapsed, so a phrase is found wherever its lines break."""
    text = LESSON.read_text(encoding="utf-8")
    lines = (re.sub(r"^#+ ?", "", line).strip() for line in text.splitlines())
    return " ".join(lines).replace("  ", " ")


def against_a_coin_rows(stdout: str) -> dict:
    """{rule: (accuracy, says up, coin, z, one-sided p, bar)} from the lesson's last such table,
    as fractions (percent columns divided by 100)."""
    rows = {}
    pattern = (rf"^(always up|yesterday's direction|MLP \(seed \d+\))\s+{PERCENT}\s+{PERCENT}\s+"
               rf"{PERCENT}\s+([+-][0-9.]+)\s+([0-9.]+)\s+{PERCENT}$")
    for match in re.finditer(pattern, stdout, flags=re.MULTILINE):
        accuracy, lean, coin, z, p_value, bar = (float(g) for g in match.groups()[1:])
        rows[match.group(1)] = (accuracy / 100, lean / 100, coin / 100, z, p_value, bar / 100)
    assert {"always up", "yesterday's direction"} <= set(rows), "no table against a coin"
    return rows


def test_lesson_04_exits_cleanly_without_warnings(run):
    assert run.result.stderr == "", run.result.stderr[-3000:]


def test_lesson_04_prints_the_test_accuracy_beside_the_baselines(run):
    stdout = run.result.stdout
    accuracy = number(rf"MLP \(seed {run.seed}\) test accuracy:\s+([0-9.]+)% ± 1\.96% \(1 SE\), "
                      r"on 654 days", stdout)
    assert 30.0 < accuracy < 70.0
    assert re.search(r"baseline always up:\s+51\.83%", stdout)
    assert re.search(r"baseline yesterday's direction:\s+52\.60%", stdout)
    assert "standard error of an accuracy on 654 days: 1.96%" in stdout


def test_lesson_04_shows_its_no_look_ahead_checks(run):
    stdout = run.result.stdout
    assert stdout.count("features up to that day unchanged? True") == 5
    assert "caught by the check? True" in stdout
    assert "train (fit)" in stdout and "2010-07-26 … 2013-02-28" in stdout


def test_lesson_04_writes_its_figures(run):
    for name in FIGURES:
        path = run.out / name
        assert path.is_file() and path.stat().st_size > 10_000, name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"figure: {path}" in run.result.stdout


def test_lesson_04_title_names_the_question_and_section():
    text = LESSON.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)).startswith(
        "Lesson 04 — will IBM close higher tomorrow? (§4.3)")
    assert text.splitlines()[1] == "# # Lesson 04 — will IBM close higher tomorrow? (§4.3)"


def test_a_guesser_at_the_up_rate_expects_p_squared_plus_one_minus_p_squared(run):
    """The audit: "a rule that guesses with the test period's up-rate lands near 51.8%" — it
    expects p² + (1 − p)² ≈ 50.1%; only always-up scores 51.8%."""
    stdout = run.result.stdout
    p = number(r"base rate of 'up' on test days p:\s+([0-9.]+)%", stdout) / 100
    guesser = number(r"expects p² \+ \(1 − p\)² = ([0-9.]+)%", stdout) / 100
    assert abs(guesser - (p ** 2 + (1 - p) ** 2)) < 1e-4 and guesser < 0.502
    assert "lands near 51.8%" not in prose()


def test_the_majority_class_is_stated_for_each_set_of_rows_from_its_counts(run):
    """The audit: "the training period's majority class, by a hair" holds for the training period
    by one day, but on the rows the MLP fits the majority is *down*."""
    lines = re.findall(r"^(training period|rows the network fits|test period).*? up on (\d+), "
                       r"not up on (\d+): majority (up|not up|neither) \(by (\d+) days?\)$",
                       run.result.stdout, flags=re.MULTILINE)
    assert [line[0] for line in lines] == ["training period", "rows the network fits",
                                           "test period"]
    for name, up, down, leader, margin in lines:
        up, down = int(up), int(down)
        assert leader == ("up" if up > down else "not up" if down > up else "neither"), name
        assert int(margin) == abs(up - down)
    assert lines[1][3] == "not up"
    assert "majority class, by a hair" not in prose()


def test_the_share_of_test_days_outside_each_features_training_range_is_printed(run):
    """The audit: the caption's "changes that stay in range" is false for core-CPI year on year
    (below its training minimum on 26.6% of test days) and unemployment's change (7.3%)."""
    stdout = run.result.stdout
    shares = {name: (float(below), float(above)) for name, below, above in re.findall(
        rf"^(\w+)\s+{PERCENT}\s+{PERCENT}$", stdout, flags=re.MULTILINE)}
    assert len(shares) == 11
    assert shares["core_cpi_yoy"] == (26.6, 0.0)
    assert shares["unemployment_yoy_change"] == (7.3, 0.0)
    leaving = [name for name, (below, above) in shares.items() if below + above > 0]
    summary = re.search(r"^(\d+) of 11 features leave their training range on some test days"
                        r" \((.*) of test days\); the other (\d+) stay inside it", stdout,
                        flags=re.MULTILINE)
    assert summary and int(summary.group(1)) == len(leaving)
    assert [part.split(" on ")[0] for part in summary.group(2).split(", ")] == leaving
    assert int(summary.group(3)) == 11 - len(leaving)
    assert "stay in range" not in prose()


def test_every_rule_is_measured_from_a_coin_with_its_lean_and_one_bar(run):
    """The audit: "would have to clear 55.7%" (always-up + 2 SE) disagreed with section 8's own
    bar, a coin with the MLP's lean + 2 SE (54.4% on seed 0). Now there is one bar, e(q) + 2 SE,
    and each row's numbers follow from its accuracy and lean."""
    stdout = run.result.stdout
    p = number(r"base rate of 'up' on test days p:\s+([0-9.]+)%", stdout) / 100
    se = number(r"standard error of an accuracy on 654 days: ([0-9.]+)%", stdout) / 100
    rows = against_a_coin_rows(stdout)
    assert f"MLP (seed {run.seed})" in rows
    for name, (accuracy, lean, coin, z, p_value, bar) in rows.items():
        assert abs(coin - (lean * p + (1 - lean) * (1 - p))) < 6e-4, name
        assert abs(z - (accuracy - coin) / se) < 0.06, name
        assert abs(p_value - 0.5 * math.erfc(z / math.sqrt(2))) < 0.02, name
        assert abs(bar - (coin + 2 * se)) < 6e-4, name
    mlp = rows[f"MLP (seed {run.seed})"]
    clear = number(rf"it would have to\nclear {PERCENT} — not 50% — to show any skill", stdout)
    assert abs(clear / 100 - mlp[5]) < 6e-4
    verdict = ("above its bar" if mlp[3] >= 2 else "more than 2 SE BELOW a coin" if mlp[3] <= -2
               else "below its bar")
    assert f"is {verdict}" in stdout
    assert "always-up ± 2 SE" not in stdout and "consistent with guessing" not in stdout


def test_yesterdays_direction_is_presented_with_its_p_value(run):
    """The audit: "yesterday's direction" (52.6%) is not significant (one-sided p ≈ 0.10)."""
    stdout = run.result.stdout
    sentence = re.search(r"yesterday's direction is \+([0-9.]+) SE from a coin with its lean "
                         r"\(([0-9.]+)%\), one-sided p = ([0-9.]+): (not significant)?", stdout)
    assert sentence, "the lesson should give yesterday's direction its p-value"
    z, p_value = float(sentence.group(1)), float(sentence.group(3))
    assert abs(p_value - 0.5 * math.erfc(z / math.sqrt(2))) < 0.01
    assert p_value == 0.10 and sentence.group(4) == "not significant"


def test_the_macro_data_is_called_revised_not_as_published(run):
    """The audit: "as they had been published by then" — the macro values are later, revised
    releases (the data README says so)."""
    assert "as they had been published" not in prose() and "*revised* releases" in prose()
    assert "published macro data" not in run.result.stdout


def test_the_comparison_with_the_best_rule_is_paired_and_worded_by_its_size(run):
    stdout = run.result.stdout
    match = re.search(r"the MLP is ([+-][0-9.]+)% ± ([0-9.]+)% \(paired, 1 SE\):\n([^.]+)\.",
                      stdout)
    assert match, "no paired comparison with the best no-model rule"
    difference, standard_error = float(match.group(1)), float(match.group(2))
    expected = ("above it by more than 2 SE" if difference >= 2 * standard_error else
                "below it by more than 2 SE" if difference <= -2 * standard_error else
                "within 2 SE of it: no detectable difference")
    assert match.group(3) == expected


def test_the_conclusion_follows_from_how_many_seeds_reach_their_bar(run):
    stdout = run.result.stdout
    rows = against_a_coin_rows(stdout)
    seeds = [row for name, row in rows.items() if name.startswith("MLP")]
    skilled = sum(row[3] >= 2 for row in seeds)
    if skilled == 0:
        assert f"None of the {len(seeds)} seeds reaches its bar" in stdout
        assert "is not supported" in stdout
    else:
        assert re.search(rf"{skilled} of {len(seeds)} seeds (reaches its|reach their) bar", stdout)
        assert "is not supported" not in stdout and "a lead, not a result" in stdout


def test_early_stopping_is_keras_s_callback_and_its_report_follows_its_rule(run):
    """Section 7 trains with nanonet.callbacks.EarlyStopping: it stops `patience` epochs after
    the best one and then restores that epoch; a run that reaches its last epoch keeps it."""
    line = re.search(r"trained (\d+) epochs \(at most (\d+), patience (\d+)\); best validation "
                     r"loss [0-9.]+ at epoch (\d+) \(ln 2 = [0-9.]+\); (.*)$",
                     run.result.stdout, re.MULTILINE)
    assert line, run.result.stdout[-3000:]
    trained, most, patience, best = (int(line[k]) for k in range(1, 5))
    if trained < most:
        assert trained == best + patience and line[5] == f"weights of epoch {best} restored"
    else:
        assert line[5].startswith(f"no stop within {most} epochs")
    assert "EarlyStopping(monitor=\"val_loss\"" in lesson_path("04").read_text(encoding="utf-8")
