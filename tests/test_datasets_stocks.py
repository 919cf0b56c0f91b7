"""nanonet.datasets.stocks: the shipped IBM table, and the functions that keep the future out of
lesson 04 (features from rows ≤ t, chronological split, train-only standardisation, baselines)."""
from __future__ import annotations

import functools
import hashlib
import math
import re
import shutil
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nanonet import datasets
from nanonet.datasets import stocks

from strategies import float64_arrays, seeds

N_ROWS = 3270


@functools.lru_cache(maxsize=None)
def _prices() -> datasets.StockPrices:
    return datasets.load_stock_prices()


@functools.lru_cache(maxsize=None)
def _features() -> np.ndarray:
    return datasets.make_features(_prices())


# ====================================================================== loader
def test_loader_returns_the_3270_days_in_order():
    prices = _prices()
    assert len(prices) == N_ROWS
    assert prices.dates.dtype == np.dtype("datetime64[D]")
    assert str(prices.dates[0]) == "2000-03-01" and str(prices.dates[-1]) == "2013-03-01"
    assert np.all(np.diff(prices.dates) > np.timedelta64(0, "D")), "dates must be increasing"
    for name in prices.value_columns:
        column = getattr(prices, name)
        assert column.dtype == np.float64 and column.shape == (N_ROWS,), name
        assert np.isfinite(column).all(), f"{name} has a missing value"
    assert prices.value_columns == stocks.COLUMNS[1:]


def test_loader_parses_the_first_and_last_rows_exactly():
    prices = _prices()
    # 2000-03-01,102.0,105.5,100.06,100.25,73.6677,10807800,31.71,179.3,4.5
    first = [getattr(prices, name)[0] for name in prices.value_columns]
    assert first == [102.0, 105.5, 100.06, 100.25, 73.6677, 10807800.0, 31.71, 179.3, 4.5]
    assert prices.close[-1] == 202.91 and prices.wti[-1] == 90.71
    assert prices.unemployment[-1] == 8.5


def test_loader_matches_the_readmes_statistics():
    prices = _prices()
    assert prices.close.min() == 55.07 and prices.close.max() == 211.00
    assert round(float(prices.close.mean()), 2) == 114.07
    assert prices.volume.min() == 1_027_500 and prices.volume.max() == 41_207_300
    assert prices.unemployment.min() == 3.6 and prices.unemployment.max() == 10.6


def test_shipped_files_match_the_sha256_in_their_readme():
    readme = (stocks.DATA_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"\| `([^`]+)`[^|]*\| [\d,]+ \| `([0-9a-f]{64})` \|", readme))
    assert recorded[stocks.CSV_NAME] == stocks.CSV_SHA256
    for name, digest in recorded.items():
        assert stocks.sha256_of(stocks.DATA_DIR / name) == digest, f"{name} was changed"


def test_loader_reads_an_exact_copy_from_a_given_path(tmp_path):
    copy = tmp_path / "copy.csv"
    shutil.copyfile(stocks.DATA_DIR / stocks.CSV_NAME, copy)
    prices = datasets.load_stock_prices(copy)
    assert np.array_equal(prices.close, _prices().close)
    assert np.array_equal(prices.dates, _prices().dates)


@pytest.mark.parametrize("edit", ["one digit", "one row dropped", "truncated", "CRLF"])
def test_loader_refuses_a_modified_copy(tmp_path, edit):
    raw = (stocks.DATA_DIR / stocks.CSV_NAME).read_bytes()
    if edit == "one digit":
        modified = raw.replace(b"2000-03-01,102.0,", b"2000-03-01,103.0,", 1)
    elif edit == "one row dropped":
        lines = raw.split(b"\n")
        modified = b"\n".join(lines[:100] + lines[101:])
    elif edit == "truncated":
        modified = raw[: len(raw) // 2]
    else:
        modified = raw.replace(b"\n", b"\r\n")
    assert modified != raw
    path = tmp_path / "modified.csv"
    path.write_bytes(modified)
    with pytest.raises(datasets.DatasetIntegrityError, match="sha256") as error:
        datasets.load_stock_prices(path)
    message = str(error.value)
    assert str(path) in message and hashlib.sha256(modified).hexdigest() in message


def test_a_modified_copy_loads_only_when_asked_to(tmp_path):
    raw = (stocks.DATA_DIR / stocks.CSV_NAME).read_bytes()
    path = tmp_path / "modified.csv"
    path.write_bytes(raw.replace(b"2000-03-01,102.0,", b"2000-03-01,103.0,", 1))
    assert datasets.load_stock_prices(path, sha256=None).open[0] == 103.0


def test_loader_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        datasets.load_stock_prices(tmp_path / "nowhere.csv")


def test_loader_rejects_a_wrong_header_when_unchecked(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("day,open\n2000-01-01,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        datasets.load_stock_prices(path, sha256=None)


def test_rows_can_be_selected():
    part = _prices()[10:20]
    assert len(part) == 10 and part.close[0] == _prices().close[10]
    assert str(part.dates[0]) == str(_prices().dates[10])


# ====================================================================== features
def test_features_have_the_documented_columns():
    features = _features()
    assert features.shape == (N_ROWS, len(datasets.FEATURE_NAMES)) == (N_ROWS, 11)
    incomplete = ~np.isfinite(features).all(axis=1)
    assert np.array_equal(np.flatnonzero(incomplete), np.arange(datasets.FIRST_FULL_FEATURE_ROW))
    assert str(_prices().dates[datasets.FIRST_FULL_FEATURE_ROW]) == "2001-03-01"


@pytest.mark.parametrize("t", [252, 1000, 2614, N_ROWS - 1])
def test_features_match_their_equations(t):
    p, x = _prices(), _features()[t]
    c = p.close
    expected = [c[t - k] / c[t - k - 1] - 1 for k in range(5)] + [
        (p.high[t] - p.low[t]) / c[t],
        c[t] / p.open[t] - 1,
        math.log(p.volume[t] / p.volume[t - 1]),
        p.wti[t] / p.wti[t - 1] - 1,
        p.core_cpi[t] / p.core_cpi[t - 252] - 1,
        p.unemployment[t] - p.unemployment[t - 252],
    ]
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-15)


def test_features_are_changes_not_levels():
    """No column may trend with the price: every column's test-period mean lies within 3
    training standard deviations of its training mean (a price level fails this by far)."""
    x, train = _features(), slice(datasets.FIRST_FULL_FEATURE_ROW, 2615)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    z = np.abs(x[2615:].mean(axis=0) - mean) / std
    assert z.max() < 3, dict(zip(datasets.FEATURE_NAMES, z.round(2)))
    close_z = abs(_prices().close[2615:].mean() - _prices().close[train].mean()) \
        / _prices().close[train].std()
    assert close_z > 3  # the check would catch a level


@given(t=st.integers(0, N_ROWS - 2), seed=seeds)
def test_features_for_day_t_use_only_rows_up_to_t(t, seed):
    """Change every value of every row after t: the features of days ≤ t must not move."""
    changed = datasets.perturb_after(_prices(), t, seed=seed)
    after = datasets.make_features(changed)
    np.testing.assert_array_equal(after[:t + 1], _features()[:t + 1],
                                  err_msg=f"a feature of a day ≤ {t} reads a row after it")
    # the perturbation is real: day t+1's own return changes
    assert after[t + 1, 0] != _features()[t + 1, 0]


@given(t=st.integers(0, N_ROWS - 2), seed=seeds)
def test_labels_before_t_use_only_rows_up_to_t(t, seed):
    """up_s reads close_{s+1}, so up_s for s < t is fixed by rows ≤ t."""
    changed = datasets.make_labels(datasets.perturb_after(_prices(), t, seed=seed))
    np.testing.assert_array_equal(changed[:t], datasets.make_labels(_prices())[:t])


@given(t=st.integers(0, N_ROWS - 2), seed=seeds)
def test_perturb_after_changes_every_later_value_and_nothing_else(t, seed):
    prices = _prices()
    changed = datasets.perturb_after(prices, t, seed=seed)
    assert np.array_equal(changed.dates, prices.dates)
    for name in prices.value_columns:
        old, new = getattr(prices, name), getattr(changed, name)
        assert np.array_equal(new[:t + 1], old[:t + 1]), name
        assert np.all(new[t + 1:] != old[t + 1:]), name


def test_the_look_ahead_check_catches_a_leaky_feature():
    """The check of the property test can fail: tomorrow's return (a shift the wrong way)."""
    def leaky(prices):
        return np.roll(prices.close, -1) / prices.close - 1

    t = 1000
    changed = datasets.perturb_after(_prices(), t)
    assert not np.array_equal(leaky(changed)[:t + 1], leaky(_prices())[:t + 1])


# ====================================================================== labels
def test_labels_are_tomorrows_direction():
    labels, close = datasets.make_labels(_prices()), _prices().close
    assert labels.shape == (N_ROWS - 1,)
    assert set(np.unique(labels)) == {0, 1}
    np.testing.assert_array_equal(labels, (close[1:] > close[:-1]).astype(int))
    assert labels.sum() == 1647  # 50.38% of 3,269 days, as the README says


def test_a_tie_is_not_higher_and_the_last_day_has_no_label():
    prices = _prices()[:5]
    prices = replace(prices, close=np.array([10.0, 11.0, 11.0, 10.5, 12.0]))
    np.testing.assert_array_equal(datasets.make_labels(prices), [1, 0, 0, 1])
    close = _prices().close
    assert np.sum(close[1:] == close[:-1]) == 12


# ====================================================================== split
@given(n=st.integers(2, 5000), fraction=st.floats(0.05, 0.95))
def test_chronological_split_puts_every_training_row_before_every_test_row(n, fraction):
    n_train = math.floor(n * fraction)
    if n_train < 1 or n_train >= n:
        with pytest.raises(ValueError, match="both need at least 1"):
            datasets.chronological_split(n, fraction)
        return
    train, test = datasets.chronological_split(n, fraction)
    assert len(train) == n_train
    np.testing.assert_array_equal(np.concatenate([train, test]), np.arange(n))  # no shuffle
    assert train.max() < test.min()


def test_chronological_split_of_the_labelled_days_matches_the_readme():
    train, test = datasets.chronological_split(N_ROWS - 1, 0.8)
    dates = _prices().dates
    assert (len(train), len(test)) == (2615, 654)
    assert [str(dates[i]) for i in (train[0], train[-1], test[0], test[-1])] == \
        ["2000-03-01", "2010-07-23", "2010-07-26", "2013-02-28"]


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5])
def test_chronological_split_rejects_a_fraction_outside_0_1(fraction):
    with pytest.raises(ValueError, match="fraction"):
        datasets.chronological_split(100, fraction)


# ====================================================================== standardize
@st.composite
def train_and_test(draw):
    features = draw(st.integers(1, 4))
    train = draw(float64_arrays((draw(st.integers(2, 12)), features), -100.0, 100.0))
    test = draw(float64_arrays((draw(st.integers(1, 6)), features), -100.0, 100.0))
    other_test = draw(float64_arrays(test.shape, -1e4, 1e4))
    return train, test, other_test


@given(train_and_test())
def test_standardize_uses_training_statistics_only(data):
    train, test, other_test = data
    first = datasets.standardize(train, test)
    second = datasets.standardize(train, other_test)
    np.testing.assert_array_equal(first.train, second.train)
    np.testing.assert_array_equal(first.mean, second.mean)
    np.testing.assert_array_equal(first.std, second.std)
    np.testing.assert_array_equal(first.mean, train.mean(axis=0))
    np.testing.assert_array_equal(first.std, train.std(axis=0))
    # a constant column's computed std is rounding noise: standardize only centres it
    constant = train.std(axis=0) <= 1e-12 * np.abs(train).max(axis=0)
    scale = np.where(constant, 1.0, train.std(axis=0))
    np.testing.assert_allclose(second.test, (other_test - train.mean(axis=0)) / scale)


@given(train_and_test())
def test_standardized_training_columns_have_mean_0_and_std_1(data):
    train, test, _ = data
    z = datasets.standardize(train, test).train
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-9)
    spread = train.std(axis=0)
    varying = spread > 1e-6 * np.maximum(1.0, np.abs(train).max(axis=0))
    np.testing.assert_allclose(z.std(axis=0)[varying], 1.0, rtol=1e-6)


def test_standardize_centres_a_constant_column_and_refuses_nan():
    train = np.array([[1.0, 5.0], [3.0, 5.0]])
    result = datasets.standardize(train, np.array([[2.0, 7.0]]))
    np.testing.assert_array_equal(result.train, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(result.test, [[0.0, 2.0]])
    with pytest.raises(ValueError, match="NaN"):
        datasets.standardize(np.array([[np.nan], [1.0]]), np.array([[1.0]]))


# ====================================================================== baselines
def test_baselines_reproduce_the_readme():
    labels = datasets.make_labels(_prices())
    train, test = datasets.chronological_split(len(labels), 0.8)
    baselines = datasets.honest_baselines(labels, test)
    assert baselines.n == 654
    assert round(100 * baselines.up_rate, 2) == 51.83
    assert round(100 * baselines.always_up, 2) == 51.83
    assert round(100 * baselines.yesterdays_direction, 2) == 52.60
    assert baselines.standard_error == pytest.approx(0.01955, abs=1e-5)
    on_train = datasets.honest_baselines(labels, train[1:])
    assert round(100 * on_train.yesterdays_direction, 2) == 48.43


def test_baselines_on_a_small_example():
    labels = np.array([1, 1, 0, 0, 1, 0])
    baselines = datasets.honest_baselines(labels, np.array([3, 4, 5]))  # up_t: 0, 1, 0
    assert baselines.always_up == pytest.approx(1 / 3)
    assert baselines.yesterdays_direction == pytest.approx(1 / 3)  # prev 0,0,1 vs 0,1,0
    with pytest.raises(ValueError, match="yesterday"):
        datasets.honest_baselines(labels, np.array([0, 1]))


def test_standard_error_and_balanced_accuracy():
    assert datasets.accuracy_standard_error(0.5, 654) == pytest.approx(math.sqrt(0.25 / 654))
    labels = np.array([1, 1, 1, 0])
    assert datasets.balanced_accuracy(labels, np.ones(4)) == 0.5
    assert datasets.balanced_accuracy(labels, labels) == 1.0
    assert datasets.balanced_accuracy(labels, np.array([1, 0, 0, 0])) == pytest.approx(2 / 3)
