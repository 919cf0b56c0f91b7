"""nanonet.teaching.statistics.paired_test, against values worked out by hand, and the shipped
digits (nanonet.datasets.load_digits)."""
import math

import numpy as np
import pytest

from nanonet import datasets
from nanonet.datasets.digits import DATA_FILE
from nanonet.teaching.statistics import paired_test


def test_mcnemar_and_the_paired_error_by_hand():
    first = np.array([True] * 8 + [False] * 2 + [True] * 10)      # 8 only first, 2 only second
    second = np.array([False] * 8 + [True] * 2 + [True] * 10)
    result = paired_test(first, second)
    assert (result.first_only, result.second_only) == (8, 2)
    # two-sided exact binomial: 2 · P(X ≤ 2), X ~ Binomial(10, ½) = 2 · 56/1024
    assert result.p_value == pytest.approx(2 * (1 + 10 + 45) / 1024)
    d = np.array([1.0] * 8 + [-1.0] * 2 + [0.0] * 10)
    assert result.difference == pytest.approx(0.3)
    assert result.standard_error == pytest.approx(d.std(ddof=1) / math.sqrt(20))


def test_equal_models_have_p_one():
    same = np.array([True, False, True])
    assert paired_test(same, same).p_value == 1.0


def test_the_digits_are_what_the_readme_says():
    x, y = datasets.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and y.shape == (1797,)
    assert x.min() == 0 and x.max() == 16 and np.all(x == np.round(x))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_a_changed_digits_file_is_refused(tmp_path, monkeypatch):
    changed = tmp_path / "digits.csv.gz"
    raw = bytearray(DATA_FILE.read_bytes())
    raw[100] ^= 1                                        # one bit of one byte
    changed.write_bytes(bytes(raw))
    monkeypatch.setattr("nanonet.datasets.digits.DATA_FILE", changed)
    with pytest.raises(datasets.DatasetIntegrityError, match=r"load_digits: .* has sha256"):
        datasets.load_digits()
