"""Lesson 08 (graduating to PyTorch), run as a learner runs it: `python lessons/08_….py --quick`.

The lesson runs once per module in a fresh process (warnings are errors, in the two DDP worker
processes too); each test checks one thing it must show, by the lines it prints and the figures
it writes. Skipped without PyTorch (`pip install -e '.[torch]'`).
"""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np

from extras import lazy, needs

pytestmark = needs("torch")
torch = lazy.module("torch")

from lesson_runner import (ROOT, assert_figures_written, lesson_fixture,  # noqa: E402
                           lesson_path, number)

FIGURES = ("08_loss_curves.png", "08_ddp.png")
FLOAT = r"([0-9.]+(?:e[+-]?[0-9]+)?)"

run = lesson_fixture("08")


def test_the_lesson_is_quiet_on_stderr(run):
    # torch, gloo and the worker processes print no warnings (the workers' output would be
    # passed on to stderr)
    assert run[0].stderr == "", run[0].stderr[-3000:]


def test_the_exported_module_gives_nanonets_outputs(run):
    stdout = run[0].stdout
    difference = number(rf"output difference on the \d+ test days: {FLOAT}", stdout)
    assert difference < 1e-5, f"nanonet and the exported module differ by {difference}"
    assert "same predicted direction on every test day: True" in stdout


def test_the_lstm_aside_maps_the_gates_in_order(run):
    stdout = run[0].stdout
    assert number(rf"output difference of the LSTM model: {FLOAT}", stdout) < 1e-5
    blocks = re.findall(r"gate block (\d): nanonet (\S+)\s+↔ torch (\S+) .*: (True|False)$",
                        stdout, flags=re.MULTILINE)
    assert blocks == [("0", "i", "i", "True"), ("1", "f", "f", "True"),
                      ("2", "c̃", "g", "True"), ("3", "o", "o", "True")], blocks
    assert number(rf"\|bias_ih \+ bias_hh − nanonet bias\|: {FLOAT}", stdout) == 0


def test_the_loss_curves_line_up(run):
    stdout = run[0].stdout
    keras = number(rf"nanonet vs PyTorch with KerasAdam: {FLOAT}", stdout)
    adam = number(rf"nanonet vs torch\.optim\.Adam\(eps=1e-7\): {FLOAT}", stdout)
    assert keras < 1e-6, f"with the same Adam the losses should agree to float32, got {keras}"
    assert adam < 1e-4, f"torch.optim.Adam(eps=1e-7) should stay close, got {adam}"


def test_the_weights_show_where_epsilon_enters(run):
    # the loss curves barely see the difference between the two Adams; the weights do
    match = re.search(rf"largest weight difference after \d+ epochs: KerasAdam {FLOAT}, "
                      rf"torch\.optim\.Adam {FLOAT}", run[0].stdout)
    assert match, "no line with the weight differences after training in both frameworks"
    keras, adam = float(match[1]), float(match[2])
    assert keras < 1e-6, f"KerasAdam should follow nanonet's weights to float32, got {keras}"
    assert adam > 100 * keras, (keras, adam)


def test_ddp_matches_one_process(run):
    stdout = run[0].stdout
    assert "DDP matches single-process training to float32 precision: True" in stdout
    assert "the two processes hold bit-for-bit equal weights: True" in stdout
    assert number(rf"per-epoch loss difference, DDP vs one process: {FLOAT}", stdout) < 1e-6
    assert number(rf"epochs, DDP vs one process: {FLOAT}", stdout) < 1e-6
    table = stdout.split("DDP, 2 processes", 1)[1].split("largest", 1)[0]
    rows = re.findall(rf"^\s+(\d+)\s+{FLOAT}\s+{FLOAT}\s+{FLOAT}$", table, flags=re.MULTILINE)
    assert [int(row[0]) for row in rows] == [3, 4, 5], \
        "the DDP table should have one row per epoch after the export (quick: epochs 3–5)"
    for _, one, two, difference in rows:
        assert abs(float(one) - float(two)) < 1e-6 and float(difference) < 1e-6, rows


def test_the_batch_split_must_weight_each_part_by_its_size(run):
    stdout = run[0].stdout
    assert number(rf"size-weighted parts, relative to one process: {FLOAT}", stdout) < 1e-5
    assert number(rf"plain mean per part \(wrong\), relative error:\s+{FLOAT}", stdout) > 1e-3


def test_from_torch_brings_the_trained_model_back(run):
    stdout = run[0].stdout
    assert number(rf"output difference after the round trip: {FLOAT}", stdout) < 1e-5
    assert "weights equal to PyTorch's, bit for bit: True" in stdout


def test_the_gpu_section_says_where_it_ran(run):
    stdout = run[0].stdout
    if torch.cuda.is_available():
        assert number(rf"GPU vs CPU: {FLOAT}", stdout) < 1e-5
    else:
        assert "torch.cuda.is_available() is False" in stdout


def test_figures_are_written(run):
    assert_figures_written(run[1], FIGURES)


def test_without_torch_the_lesson_says_how_to_install_it(tmp_path):
    # `import torch` fails when sys.modules["torch"] is None: PyTorch as if not installed
    code = ("import runpy, sys; sys.modules['torch'] = None; "
            f"sys.argv = ['lesson', '--quick', '--out', {str(tmp_path)!r}]; "
            f"runpy.run_path({str(lesson_path('08'))!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "pip install -e '.[torch]'" in result.stdout
    assert "====" not in result.stdout, "the lesson should stop before its first section"


#: KerasAdam runs nanonet's Adam operations in nanonet's order, so the two updates agree to
#: float32 rounding. They are bit-identical where PyTorch's and NumPy's elementwise kernels round
#: alike (on an AVX-512 Intel CPU they do), but the kernels differ by CPU (AVX2 machines show
#: 2.98e-08 = a quarter of an ulp of 1.0 at step 1), so the comparison allows 8 float32 ulps of
#: max(1, |w|) per element after each of 20 steps. ε put where torch.optim.Adam puts it moves the
#: weights by ~5e-6 here (about 45 ulps of 1.0): well outside this bound (test below).
ADAM_ULPS = 8


def assert_same_update(ours, theirs, step):
    bound = ADAM_ULPS * np.finfo(np.float32).eps * np.maximum(1.0, np.abs(ours))
    gap = np.abs(ours - theirs)
    assert np.all(gap <= bound), (f"step {step}: KerasAdam differs from nanonet's Adam by up to "
                                  f"{gap.max():.3g} (allowed {bound.max():.3g})")


def run_both(make_torch_optimizer, steps=20):
    from nanonet import optimizers

    rng = np.random.default_rng(0)
    weights = rng.normal(size=(5, 3)).astype(np.float32)
    ours = [weights.copy()]
    theirs = torch.nn.Parameter(torch.from_numpy(weights.copy()))
    adam, torch_adam = optimizers.Adam(learning_rate=0.01), make_torch_optimizer([theirs])
    for step in range(1, steps + 1):
        # tiny gradients too, where ε's placement matters most
        gradient = (rng.normal(size=weights.shape) * 10.0 ** rng.integers(-7, 1)).astype(np.float32)
        adam.apply_gradients(ours, [gradient])
        theirs.grad = torch.from_numpy(gradient.copy())
        torch_adam.step()
        yield step, ours[0], theirs.detach().numpy()


def test_keras_adam_makes_nanonets_update_to_float32_rounding():
    from nanonet.interop.distributed import KerasAdam

    for step, ours, theirs in run_both(lambda params: KerasAdam(params, lr=0.01)):
        assert_same_update(ours, theirs, step)


def test_torch_adam_is_outside_that_bound():
    """The bound above is tight enough to see where ε enters (so the test above can fail)."""
    gaps = [np.max(np.abs(ours - theirs)) for _, ours, theirs in
            run_both(lambda params: torch.optim.Adam(params, lr=0.01, eps=1e-7))]
    assert max(gaps) > 4 * ADAM_ULPS * np.finfo(np.float32).eps
