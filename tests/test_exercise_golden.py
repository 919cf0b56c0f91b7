"""The exercise checks' golden numbers hold on any CPU: compared within a tolerance, not bit
for bit (nanonet/teaching/exercises/probes.py says which and why).

Another CPU's SIMD code paths round exp, log and tanh differently in the last bits, so the
expected numbers a student's run is compared with may differ by a few ulps from those in
golden.npz. Here every expected number is moved by a few ulps (in its own dtype, up or down
at random) and the solutions must still pass — while a move of 1e-4, the size of a real
slip, must fail.
"""
import numpy as np
import pytest

from nanonet.teaching.exercises import probes

#: the golden arrays that are expected results (the others are inputs to the functions)
EXPECTED = {
    "E01": ("e01_sigmoid", "e01_sigmoid32"),
    "E03": ("e03_bce_prob", "e03_bce_prob_grad", "e03_bce_logits", "e03_bce_logits_grad",
            "e03_edge_loss", "e03_edge_grad"),
    "E04": ("e04_sgd_plain", "e04_sgd_momentum", "e04_sgd_nesterov", "e04_adam_default",
            "e04_adam_custom"),
}

#: the solutions are teacher-only: a student copy has the exercises blanked
pytestmark = pytest.mark.teacher_only


def _moved(golden: dict, keys, ulps: float = 0.0, relative: float = 0.0) -> dict:
    """`golden` with the arrays `keys` scaled by 1 ± (ulps·ε of their dtype + relative)."""
    rng = np.random.default_rng(3)
    moved = dict(golden)
    for key in keys:
        value = golden[key]
        step = ulps * np.finfo(value.dtype).eps + relative
        signs = rng.choice([-1.0, 1.0], size=value.shape)
        moved[key] = (value * (1 + signs * step)).astype(value.dtype)
        assert ulps == 0 or np.any(moved[key] != value), key        # it really moved
    return moved


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED))
def test_expected_numbers_a_few_ulps_off_still_pass(exercise_id, monkeypatch):
    golden = probes.golden()
    monkeypatch.setattr(probes, "golden", lambda: _moved(golden, EXPECTED[exercise_id], ulps=4))
    result = probes.run(exercise_id)
    assert result.passed, str(result)


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED))
def test_expected_numbers_off_by_a_real_slip_fail(exercise_id, monkeypatch):
    golden = probes.golden()
    monkeypatch.setattr(probes, "golden",
                        lambda: _moved(golden, EXPECTED[exercise_id], relative=1e-4))
    result = probes.run(exercise_id)
    assert not result.passed and result.status == "failed", str(result)
