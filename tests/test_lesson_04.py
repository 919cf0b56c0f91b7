"""Lesson 04 (will IBM close higher tomorrow?), run as a learner runs it, in quick mode."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

LESSON = Path(__file__).resolve().parent.parent / "lessons" / "04_will_ibm_close_higher.py"
FIGURES = ["04_prices_and_features.png", "04_training_curves.png", "04_accuracy_vs_baselines.png"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("lesson04")
    result = subprocess.run([sys.executable, "-W", "error", str(LESSON), "--quick", "--out",
                             str(out)], capture_output=True, text=True, timeout=120,
                            cwd=LESSON.parent.parent)
    assert result.returncode == 0, f"lesson 04 failed:\n{result.stdout[-2000:]}\n{result.stderr}"
    return result, out


def test_lesson_04_exits_cleanly_without_warnings(quick_run):
    result, _ = quick_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == "", result.stderr[-3000:]


def test_lesson_04_prints_the_test_accuracy_beside_the_baselines(quick_run):
    stdout = quick_run[0].stdout
    accuracy = re.search(r"MLP \(seed 0\) test accuracy:\s+(\d+\.\d\d)% ± 1\.96% \(1 SE\), "
                         r"on 654 days", stdout)
    assert accuracy, stdout[-3000:]
    assert 30.0 < float(accuracy.group(1)) < 70.0
    assert re.search(r"baseline always up:\s+51\.83%", stdout)
    assert re.search(r"baseline yesterday's direction:\s+52\.60%", stdout)
    assert "standard error of an accuracy on 654 days: 1.96%" in stdout
    assert "consistent with guessing: 47.9% … 55.7%" in stdout
    assert "The article's implicit promise" in stdout and "is not supported" in stdout


def test_lesson_04_shows_its_no_look_ahead_checks(quick_run):
    stdout = quick_run[0].stdout
    assert stdout.count("features up to that day unchanged? True") == 5
    assert "caught by the check? True" in stdout
    assert "train (fit)" in stdout and "2010-07-26 … 2013-02-28" in stdout


def test_lesson_04_writes_its_figures(quick_run):
    result, out = quick_run
    for name in FIGURES:
        path = out / name
        assert path.is_file() and path.stat().st_size > 10_000, name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"figure: {path}" in result.stdout


def test_lesson_04_title_names_the_question_and_section():
    text = LESSON.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)).startswith(
        "Lesson 04 — will IBM close higher tomorrow? (§4.3)")
    assert text.splitlines()[1] == "# # Lesson 04 — will IBM close higher tomorrow? (§4.3)"
