"""The command line, run the way a user runs it: `python -m nanonet …` in a fresh process."""
import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nanonet", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_gradcheck_command_checks_everything_and_exits_zero():
    from nanonet.gradcheck.selfcheck import check_builtins
    count = len(check_builtins())
    result = run("gradcheck")
    assert result.returncode == 0, result.stdout + result.stderr
    assert count >= 20 and f"{count}/{count} gradient checks passed." in result.stdout
    assert "Gradient check: model 'sequential' with binary_crossentropy" in result.stdout


def test_lessons_lists_lesson_01():
    result = run("lessons")
    assert result.returncode == 0
    assert "01_two_layer_network" in result.stdout and "02_checking_the_articles_gradients" in result.stdout


def test_lesson_01_trains_and_saves_its_figure(tmp_path):
    pytest.importorskip("matplotlib")
    result = run("lesson", "01", "--steps", "300", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "PASSED" in result.stdout  # the lesson's own gradient check
    losses = [float(line.split("J = ")[1].split()[0]) for line in result.stdout.splitlines()
              if line.startswith("step")]
    assert losses[-1] < losses[0] / 5
    assert (tmp_path / "01_loss_curve.png").stat().st_size > 1000


def test_unknown_lesson_says_which_exist():
    result = run("lesson", "99")
    assert result.returncode != 0
    assert "matches no lesson" in result.stderr and "01_two_layer_network" in result.stderr


def test_version_and_help():
    assert run("--version").stdout.startswith("nanonet ")
    result = run()
    assert result.returncode == 2 and "lesson" in result.stdout


def test_output_cut_short_by_a_pipe_ends_quietly():
    done = subprocess.run(f"{sys.executable} -m nanonet exercises list | head -n 1", shell=True,
                          capture_output=True, text=True)
    assert done.stdout.startswith("id") and "Traceback" not in done.stderr
