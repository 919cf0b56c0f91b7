"""The article's equations (nanonet.teaching.paper) and `verify-formulas`: verdicts come from computation."""
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nanonet.teaching import paper

from strategies import seeds

VERDICTS = {v.id: v for v in paper.verify()}


# ---------------------------------------------------------------- the verdicts
@pytest.mark.parametrize("equation_id,expected", [
    ("4.1/forward/sigmoid", "holds"),
    ("4.1/forward/relu", "holds"),
    ("4.2/J/as_intended", "holds"),
    ("4.2/J/as_typeset", "wrong"),
    ("4.2/dJ_dW1/outer/sigmoid", "holds only if W2 = 1"),
    ("4.2/dJ_dW1/outer/relu", "holds only if W2 = 1"),
    ("4.2/dJ_dW1/elementwise/sigmoid", "wrong"),
    ("4.2/dJ_dW2/literal", "wrong"),
    ("4.2/dJ_dW2/hidden_activation", "holds only if J is the squared error"),
])
def test_verdict_of_each_printed_equation(equation_id, expected):
    verdict = VERDICTS[equation_id]
    assert verdict.verdict.startswith(expected)
    if expected == "holds":
        assert verdict.max_rel_error < 1e-10         # float64 precision
    else:
        assert verdict.max_rel_error > 0.5           # fails by a wide margin (inf: wrong shape)


@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
@pytest.mark.parametrize("hidden", ["sigmoid", "relu"])
def test_true_gradients_hold(name, hidden):
    verdict = VERDICTS[f"true/dJ_d{name}/{hidden}"]
    assert verdict.verdict == "holds" and verdict.max_rel_error < 1e-6


def test_every_equation_has_a_corrected_form_and_hints_explain_failures():
    for verdict in VERDICTS.values():
        assert verdict.corrected
        if verdict.verdict != "holds":
            assert verdict.hint, verdict.id
    assert "W2ᵀ" in VERDICTS["4.2/dJ_dW1/outer/sigmoid"].hint
    assert "outer product" in VERDICTS["4.2/dJ_dW1/elementwise/sigmoid"].hint
    assert "scalar" in VERDICTS["4.2/dJ_dW2/literal"].hint


def test_verdicts_are_computed_not_stored(monkeypatch):
    """Make the printed W1 formula right (multiply in W2ᵀ) and its verdict flips to 'holds'."""
    original = paper.printed_dJ_dW1

    def fixed(X, y, W1, b1, W2, b2, hidden="sigmoid", reading="outer"):
        return paper.true_gradients(X, y, W1, b1, W2, b2, hidden)["W1"]

    monkeypatch.setattr(paper, "printed_dJ_dW1", fixed)
    verdicts = {v.id: v for v in paper.verify()}
    assert verdicts["4.2/dJ_dW1/outer/sigmoid"].verdict == "holds"
    monkeypatch.setattr(paper, "printed_dJ_dW1", original)


# ---------------------------------------------------------------- the formulas themselves
def test_printed_dJ_dW1_is_the_true_one_without_the_W2_factor():
    problem = paper.make_problem(seed=3)
    printed = paper.printed_dJ_dW1(problem.X, problem.y, *problem.params)
    true = paper.true_gradients(problem.X, problem.y, *problem.params)["W1"]
    np.testing.assert_allclose(printed * problem.weights["W2"].T, true, rtol=1e-12)


def test_printed_dJ_dW2_read_as_a1_carries_the_extra_sigmoid_derivative():
    problem = paper.make_problem(seed=4)
    X, y = problem.X, problem.y
    y_hat, values = paper.forward(X, *problem.params)
    printed = paper.printed_dJ_dW2(X, y, *problem.params, reading="hidden_activation")
    expected = ((y_hat - y) * y_hat * (1 - y_hat)) @ values["a1"] / len(X)
    np.testing.assert_allclose(printed[0], expected, rtol=1e-12)


def test_typeset_loss_is_not_a_loss():
    y = np.zeros(1)
    values = [paper.loss_as_typeset(y, np.array([p])) for p in (0.1, 0.5, 0.9, 0.999)]
    assert values == sorted(values, reverse=True) and values[-1] < -5   # falls without bound
    intended = [paper.loss_as_intended(y, np.array([p])) for p in (0.1, 0.5, 0.9, 0.999)]
    assert intended == sorted(intended) and min(intended) > 0


def test_elementwise_reading_needs_as_many_hidden_units_as_inputs():
    problem = paper.make_problem(d=3, h=4)
    with pytest.raises(ValueError, match="H=4, D=3"):
        paper.printed_dJ_dW1(problem.X, problem.y, *problem.params, reading="elementwise")


def test_forward_matches_the_dense_layers_conversion():
    problem = paper.make_problem(m=5, d=2, h=3)
    y_hat, values = paper.forward(problem.X, *problem.params)
    W1t, b1, W2t, b2 = paper.dense_weights(*problem.params)
    z1 = problem.X @ W1t + b1
    np.testing.assert_allclose(values["z1"], z1)
    np.testing.assert_allclose(y_hat, 1 / (1 + np.exp(-((1 / (1 + np.exp(-z1))) @ W2t + b2)[:, 0])))


@given(m=st.integers(1, 6), d=st.integers(1, 4), h=st.integers(1, 5),
       hidden=st.sampled_from(["sigmoid", "relu"]), seed=seeds)
def test_corrected_gradients_pass_on_any_shape_including_one_sample(m, d, h, hidden, seed):
    problem = paper.make_problem(m=m, d=d, h=h, hidden=hidden, seed=seed)
    for name in ("W1", "b1", "W2", "b2"):
        report = paper.check_gradient(
            problem, name, lambda p, *w, n=name: paper.true_gradients(p.X, p.y, *w,
                                                                      hidden=p.hidden)[n])
        assert report.passed, report


# ---------------------------------------------------------------- the command
def test_verify_formulas_json_is_valid_and_complete():
    result = subprocess.run([sys.executable, "-m", "nanonet", "verify-formulas", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert [e["id"] for e in entries] == list(VERDICTS)
    for entry in entries:
        assert set(entry) == {"id", "printed", "verdict", "max_rel_error", "corrected"}
        assert entry["max_rel_error"] is None or entry["max_rel_error"] >= 0
    assert {e["id"]: e["verdict"] for e in entries}["4.2/J/as_typeset"] == "wrong"


def test_verify_formulas_table():
    result = subprocess.run([sys.executable, "-m", "nanonet", "verify-formulas"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for text in ("as printed", "verdict", "max rel err", "corrected", "4.2/dJ_dW1/outer/sigmoid",
                 "holds only if W2 = 1", "wrong shape", "why:"):
        assert text in result.stdout
