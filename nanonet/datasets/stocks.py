"""IBM's daily prices with three macro indicators (2000–2013), and the honest way to use them.

The question of the article's §4.3 — "will the stock close higher tomorrow?" — is a trap for the
unwary: a model can look clever by peeking at the future, by learning price *levels* that the
test period never saw, or by being compared with 50% instead of with the simple rules it has to
beat. Every function here exists to close one of those traps, and each is small enough to test:

    load_stock_prices()            the table (NumPy arrays), checked against its sha256
    make_features(prices)          11 features for day t from rows ≤ t only (returns, not levels)
    make_labels(prices)            up_t = [close_{t+1} > close_t]
    chronological_split(n, 0.8)    the first 80% of days to train on, the last 20% to test on
    standardize(train, test)       z = (x − μ_train) / σ_train, statistics from training rows only
    honest_baselines(labels, rows) always-up and yesterday's-direction accuracy on the test rows
    accuracy_standard_error(a, n)  √(a(1−a)/n): how far an accuracy moves by luck alone

The data, its provenance and its pitfalls are described in ``data/stocks/README.md`` beside this
file (shipped with the package), together with ``build_stock_csv.py``, which rebuilds the CSV
byte for byte from files inside PyPI packages.
"""
from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import NamedTuple, Optional, Tuple, Union

import numpy as np

from ..validation import check_float, check_int, plain_array

DATA_DIR = Path(__file__).resolve().parent / "data" / "stocks"
CSV_NAME = "ibm_daily_macro_2000_2013.csv"
#: sha256 of the shipped CSV (the same value as in ``data/stocks/README.md``).
CSV_SHA256 = "131e620ca901d6bcf518b0b6e186125acb9f4c26dd925c322822360995df1eec"
COLUMNS = ("date", "open", "high", "low", "close", "adj_close", "volume", "wti", "core_cpi",
           "unemployment")
ATTRIBUTION = ("IBM prices: Quandl WIKI Prices (public domain), via bokeh-sampledata. WTI and "
               "core CPI: FRED (EIA, BLS), via the arch package. Unemployment rate: U.S. BLS, "
               "via bokeh-sampledata.")

#: Trading days in a year, for the year-on-year change of core CPI.
TRADING_DAYS_PER_YEAR = 252
#: The columns of ``make_features``, in order.
FEATURE_NAMES = ("return_lag0", "return_lag1", "return_lag2", "return_lag3", "return_lag4",
                 "high_low_range", "close_over_open", "volume_log_change", "wti_return",
                 "core_cpi_yoy", "unemployment_yoy_change")
#: The first row where every feature is defined (the year-on-year changes need 252 days).
FIRST_FULL_FEATURE_ROW = TRADING_DAYS_PER_YEAR


class DatasetIntegrityError(ValueError):
    """The data file's bytes are not the ones nanonet shipped (its sha256 differs)."""


@dataclass(frozen=True)
class StockPrices:
    """One row per NYSE trading day, in date order; every column is a NumPy array of length n.

    - ``dates``: ``datetime64[D]``, the trading day.
    - ``open``, ``high``, ``low``, ``close``: IBM's prices that day, USD per share, **not**
      adjusted (IBM had no split in the window, so they differ from adjusted prices only by
      dividends).
    - ``adj_close``: the source's split- and dividend-adjusted close, rounded to 4 decimals.
    - ``volume``: shares traded that day.
    - ``wti``: WTI crude-oil spot price, USD per barrel (FRED DCOILWTICO), the last value
      published on or before the day (assessed ≈ 14:30 ET, before the 16:00 close).
    - ``core_cpi``: US CPI less food and energy, seasonally adjusted, 1982–84 = 100 (FRED
      CPILFESL), for the month **two months before** the day — by then it had been published.
    - ``unemployment``: US civilian unemployment rate, percent, BLS, **not** seasonally
      adjusted, with the same two-month lag.

    ``prices[rows]`` (an index array, a slice or a boolean mask) gives the same table restricted
    to those rows.
    """

    dates: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    adj_close: np.ndarray
    volume: np.ndarray
    wti: np.ndarray
    core_cpi: np.ndarray
    unemployment: np.ndarray

    def __len__(self) -> int:
        return len(self.dates)

    def __getitem__(self, rows) -> "StockPrices":
        return StockPrices(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    @property
    def value_columns(self) -> Tuple[str, ...]:
        """The names of the float columns (everything but ``dates``)."""
        return tuple(f.name for f in fields(self) if f.name != "dates")

    def __repr__(self) -> str:
        if len(self) == 0:
            return "StockPrices(0 days)"
        return f"StockPrices({len(self)} trading days, {self.dates[0]} to {self.dates[-1]})"


# ====================================================================== loading
def sha256_of(path: Union[str, Path]) -> str:
    """The hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_stock_prices(path: Optional[Union[str, Path]] = None,
                      sha256: Optional[str] = CSV_SHA256) -> StockPrices:
    """IBM's daily prices and volume with WTI oil, core CPI and unemployment, 2000-03-01 to
    2013-03-01: 3,270 NYSE trading days, no missing values. NumPy only; nothing is downloaded.

    Args:
        path: the CSV to read; default, the copy shipped inside nanonet
            (``nanonet/datasets/data/stocks/ibm_daily_macro_2000_2013.csv``).
        sha256: the file's expected sha256 (default: the shipped file's). The bytes are checked
            before anything is parsed, so a corrupt, truncated or edited file is refused with
            :class:`DatasetIntegrityError`. Pass ``None`` to read a modified copy on purpose.

    Returns:
        :class:`StockPrices` — ``dates`` (``datetime64[D]``) and float64 columns ``open``,
        ``high``, ``low``, ``close``, ``adj_close``, ``volume``, ``wti``, ``core_cpi``,
        ``unemployment`` (see its docstring for the unit and meaning of each).

    Provenance (all from data files inside PyPI packages; details and file hashes in
    ``data/stocks/README.md``):

    - IBM open/high/low/close/adj_close/volume: Quandl WIKI Prices, via ``bokeh-sampledata``
      2026.1 (``stocks.csv.gz``), which states: public domain, redistribution permitted.
    - ``wti``: FRED series DCOILWTICO (originally U.S. EIA), via ``arch`` 8.0.0; as-of joined
      (forward-filled at most 3 days, on 13 days).
    - ``core_cpi``: FRED series CPILFESL (originally U.S. BLS), via ``arch`` 8.0.0.
    - ``unemployment``: U.S. BLS monthly rate, via ``bokeh-sampledata`` (public domain).
    - The monthly values for month M are used from the first trading day of month M+2, so
      nothing is used before it was published. They are today's vintages, not real-time ones.

    Attribution: "IBM prices: Quandl WIKI Prices (public domain), via bokeh-sampledata. WTI and
    core CPI: FRED (EIA, BLS), via the arch package. Unemployment rate: U.S. BLS, via
    bokeh-sampledata." (also :data:`ATTRIBUTION`).

    Raises:
        FileNotFoundError: the file is missing.
        DatasetIntegrityError: the file's sha256 is not the expected one.
        ValueError: the header or a row is not in the expected format (only possible with
            ``sha256=None``).
    """
    where = "nanonet.datasets.load_stock_prices"
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{where}: path must be None (the shipped file) or the path of a CSV "
                        f"file (a str or pathlib.Path), got {type(path).__name__}: "
                        f"{path!r:.60}.")
    if sha256 is not None and (not isinstance(sha256, str) or len(sha256) != 64 or any(
            c not in "0123456789abcdefABCDEF" for c in sha256)):
        raise TypeError(f"{where}: sha256 must be None or a hex digest of 64 characters, e.g. "
                        f"{CSV_SHA256!r}, got {sha256!r:.80}.") if not isinstance(sha256, str) \
            else ValueError(f"{where}: sha256 must be a hex digest of 64 characters (0-9, a-f), "
                            f"got {sha256!r:.80} ({len(sha256)} characters).")
    path = DATA_DIR / CSV_NAME if path is None else Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{where}: {path} is a folder; give the path of the CSV file "
                                f"(or no path, for the copy shipped with nanonet).")
    if not path.is_file():
        raise FileNotFoundError(
            f"{where}: the data file {path} does not exist. nanonet ships it inside the package "
            f"(nanonet/datasets/data/stocks/{CSV_NAME}); if it is missing from your install, "
            f"reinstall nanonet, or rebuild it with build_stock_csv.py (see the README.md "
            f"beside it).")
    raw = path.read_bytes()
    if sha256 is not None:
        got = hashlib.sha256(raw).hexdigest()
        if got != sha256.lower():
            raise DatasetIntegrityError(
                f"{where}: {path} has sha256 {got}, but {sha256.lower()} was expected — the "
                f"file is corrupt, truncated or was edited ({len(raw):,} bytes; the shipped "
                f"file has 227,136). Reinstall nanonet or rebuild the CSV with "
                f"build_stock_csv.py; to read a modified copy on purpose, pass sha256=None.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{where}: {path} is not a UTF-8 text file (byte {error.start} is "
                         f"{raw[error.start:error.start + 1]!r}); expected the CSV with the "
                         f"header {','.join(COLUMNS)}.") from None
    return _parse_csv(text, path, where)


def _parse_csv(text: str, path: Path, where: str) -> StockPrices:
    lines = text.splitlines()
    if not lines or tuple(lines[0].split(",")) != COLUMNS:
        raise ValueError(f"{where}: {path} should start with the header {','.join(COLUMNS)}, "
                         f"got {lines[0] if lines else '(an empty file)'!r}.")
    cells = [line.split(",") for line in lines[1:] if line]
    for number, row in enumerate(cells, start=2):
        if len(row) != len(COLUMNS):
            raise ValueError(f"{where}: {path} line {number} has {len(row)} fields, expected "
                             f"{len(COLUMNS)}: {','.join(row)!r}.")
    columns = list(zip(*cells)) if cells else [()] * len(COLUMNS)
    try:
        dates = np.array(columns[0], dtype="datetime64[D]")
        values = {name: np.array(column, dtype=np.float64)
                  for name, column in zip(COLUMNS[1:], columns[1:])}
    except ValueError as error:
        raise ValueError(f"{where}: {path} has a value that is not a date or a number: "
                         f"{error}") from None
    return StockPrices(dates=dates, **values)


# ====================================================================== features and labels
def _lagged(a: np.ndarray, k: int) -> np.ndarray:
    """b[t] = a[t − k], NaN for t < k (the past only: b[t] never reads a row after t)."""
    b = np.full(a.shape, np.nan)
    if k < len(a):
        b[k:] = a[:len(a) - k]
    return b


def make_features(prices: StockPrices) -> np.ndarray:
    """The (n, 11) feature matrix: row t describes day t using rows ≤ t only.

    With c = close, o = open, h = high, l = low, v = volume and r_t = c_t / c_{t−1} − 1 (the
    day's close-to-close return), the columns (:data:`FEATURE_NAMES`) are::

        return_lag0 … return_lag4   r_t, r_{t−1}, r_{t−2}, r_{t−3}, r_{t−4}
        high_low_range              (h_t − l_t) / c_t               how wide the day swung
        close_over_open             c_t / o_t − 1                   the day's own move, open→close
        volume_log_change           ln(v_t / v_{t−1})
        wti_return                  wti_t / wti_{t−1} − 1
        core_cpi_yoy                core_cpi_t / core_cpi_{t−252} − 1   year-on-year inflation
        unemployment_yoy_change     unemployment_t − unemployment_{t−252}   percentage points

    Why these: returns, ratios and changes, not levels. Prices and the CPI trend for 13 years,
    and the test years lie outside the training range (IBM closes above its training-period
    maximum on 609 of the 654 test days; core CPI is above its training maximum on all of them),
    so a network fed levels would be asked about inputs it never saw. A return is comparable
    across years. The monthly series change once a month, so their daily change is 0 on almost
    every day; their change over a year (252 trading days) is the meaningful number, and for the
    unemployment rate, which is *not* seasonally adjusted, a year-on-year difference also
    cancels the seasonal pattern. (Returns use ``close``, as the label does; it is not dividend-
    adjusted, so an ex-dividend day shows a drop of a few tenths of a percent.) The README's
    reference logistic regression used the unemployment *level* instead (its other 10 features
    are these); we don't, because the level is non-stationary too on this split: 4.1–7.1% on the
    rows the lesson trains on (2001-03 … 2009-02), 7.4–9.8% on every test day — five training
    standard deviations away — while the year-on-year change is −1.0 … +2.6 points in training
    and −1.5 … +0.5 in test.

    No look-ahead: every column is a function of rows t, t−1, … only (WTI is assessed before
    the close, and the monthly values are two months old), so changing any row after t leaves
    row t unchanged. Rows without enough history are NaN: t < 5 for the return lags and
    t < 252 for the year-on-year changes, so rows from :data:`FIRST_FULL_FEATURE_ROW`
    (252, 2001-03-01) on are complete.
    """
    _check_prices(prices, "make_features")
    c = np.asarray(prices.close, dtype=np.float64)
    r = c / _lagged(c, 1) - 1.0
    returns = [_lagged(r, k) for k in range(5)]
    high_low_range = (prices.high - prices.low) / c
    close_over_open = c / prices.open - 1.0
    volume_log_change = np.log(prices.volume / _lagged(prices.volume, 1))
    wti_return = prices.wti / _lagged(prices.wti, 1) - 1.0
    core_cpi_yoy = prices.core_cpi / _lagged(prices.core_cpi, TRADING_DAYS_PER_YEAR) - 1.0
    unemployment = np.asarray(prices.unemployment, dtype=np.float64)
    unemployment_yoy_change = unemployment - _lagged(unemployment, TRADING_DAYS_PER_YEAR)
    columns = returns + [high_low_range, close_over_open, volume_log_change, wti_return,
                         core_cpi_yoy, unemployment_yoy_change]
    return np.stack(columns, axis=1).astype(np.float64)


def make_labels(prices: StockPrices) -> np.ndarray:
    """up_t = 1 if close_{t+1} > close_t else 0, for t = 0 … n−2 (int8, length n − 1).

    A tie (close_{t+1} = close_t) is 0 — "higher" means strictly higher; there are 12 ties. The
    last day has no label: its tomorrow is not in the data. So ``make_features(p)[:-1]`` lines
    up row for row with ``make_labels(p)``. (The label of day t is the one thing that may read
    row t+1; it is what we predict, never an input.)
    """
    _check_prices(prices, "make_labels")
    c = np.asarray(prices.close, dtype=np.float64)
    return (c[1:] > c[:-1]).astype(np.int8)


def _check_prices(prices, where: str) -> None:
    if not isinstance(prices, StockPrices):
        raise TypeError(f"{where}: prices must be the StockPrices table from "
                        f"load_stock_prices(), got {type(prices).__name__}.")


def perturb_after(prices: StockPrices, t: int, seed: int = 0) -> StockPrices:
    """A copy of `prices` in which every value of every row after t is changed (scaled by a
    random factor in [0.5, 2)); rows ≤ t and all dates are untouched.

    The test of "no look-ahead": anything computed for day t from rows ≤ t only must come out
    the same on ``perturb_after(prices, t)``.
    """
    where = "perturb_after"
    _check_prices(prices, where)
    t = check_int(t, "t", where, minimum=0)
    if t >= len(prices):
        raise ValueError(f"{where}: t must be a row of the table, 0 … {len(prices) - 1}, got "
                         f"{t}; nothing comes after the last row.")
    seed = check_int(seed, "seed", where, minimum=0)
    rng = np.random.default_rng(seed)
    changed = {}
    for name in prices.value_columns:
        column = np.array(getattr(prices, name), dtype=np.float64)
        future = column[t + 1:]
        column[t + 1:] = future * rng.uniform(0.5, 2.0, future.shape)
        changed[name] = column
    return replace(prices, **changed)


# ====================================================================== split and scale
def chronological_split(n: int, fraction: float = 0.8) -> Tuple[np.ndarray, np.ndarray]:
    """``(train, test)`` row indices: the first ⌊fraction·n⌋ rows, then the rest. No shuffling.

    For the 3,269 labelled days: train = rows 0 … 2614 (2000-03-01 … 2010-07-23), test = rows
    2615 … 3268 (654 days, 2010-07-26 … 2013-02-28). Every training day comes before every test
    day, so the model is tested the way it would be used: on a future it has not seen. (A random
    split would put tomorrow in the training set and yesterday in the test set, and leak the
    future through features that overlap from day to day.) Apply it again to the training rows
    to take a validation period from their end.
    """
    n = check_int(n, "n", "chronological_split", minimum=0)
    if isinstance(fraction, (bool, np.bool_)) or not isinstance(
            fraction, (int, float, np.integer, np.floating)):
        raise TypeError(f"chronological_split: fraction must be a number between 0 and 1, got "
                        f"{fraction!r} ({type(fraction).__name__}).")
    if not 0.0 < float(fraction) < 1.0:
        raise ValueError(f"chronological_split: fraction must be between 0 and 1 (exclusive), "
                         f"got {fraction}.")
    n_train = int(math.floor(n * float(fraction)))
    if n_train < 1 or n_train >= n:
        raise ValueError(f"chronological_split: fraction={fraction} of n={n} rows leaves "
                         f"{n_train} training and {n - n_train} test rows; both need at least 1.")
    return np.arange(n_train), np.arange(n_train, n)


class Standardized(NamedTuple):
    """What :func:`standardize` returns: ``train_z, test_z, mean, std = standardize(…)``."""
    train: np.ndarray
    test: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def standardize(train: np.ndarray, test: np.ndarray) -> Standardized:
    """Scale every column to mean 0 and standard deviation 1 *on the training rows*::

        μ_j = (1/m) Σ_i train_ij          σ_j = √((1/m) Σ_i (train_ij − μ_j)²)   (train rows only)
        z_ij = (x_ij − μ_j) / σ_j         for train and test rows alike

    The test rows are transformed with the training statistics, never their own: at prediction
    time tomorrow's mean is unknown, and statistics taken over the whole period would tell the
    model where the future's values lie. A constant training column (σ_j = 0) is only centred.

    Args:
        train: (m, F) training rows, finite. test: (k, F) rows to transform the same way.
    Returns:
        :class:`Standardized` (train_z (m, F), test_z (k, F), mean (F,), std (F,)).
    """
    train = _numbers(train, "train", "standardize")
    test = _numbers(test, "test", "standardize")
    if train.ndim != 2 or test.ndim != 2 or train.shape[1] != test.shape[1] or len(train) == 0:
        raise ValueError(f"standardize: expected train (m, F) with m ≥ 1 and test (k, F), got "
                         f"{train.shape} and {test.shape}.")
    if not np.isfinite(train).all():
        raise ValueError("standardize: the training rows contain NaN or inf (rows without "
                         "enough history? keep rows from FIRST_FULL_FEATURE_ROW on).")
    with np.errstate(over="ignore", invalid="ignore"):
        mean = train.mean(axis=0)
        std = train.std(axis=0)
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        raise ValueError(f"standardize: the training rows are too large to standardize (up to "
                         f"{float(np.abs(train).max()):.3g}: their mean or variance overflows "
                         f"float64); rescale them first.")
    # A constant column's computed σ is rounding noise (≈ 1e-16 of its values), not 0: dividing
    # by it would blow ±1e-16 differences up to ±1. Below 1e-12 of the column's size it is 0.
    constant = std <= 1e-12 * np.abs(train).max(axis=0)
    scale = np.where(constant, 1.0, std)
    with np.errstate(over="ignore", invalid="ignore"):   # NaN test rows stay NaN, by design
        test_z = (test - mean) / scale
    return Standardized((train - mean) / scale, test_z, mean, std)


class LessonSplit(NamedTuple):
    """Lesson 04's data, ready to train on (what :func:`lesson_split` returns). Rows are days:
    ``fit_rows``/``test_rows`` index ``prices``; x_*: standardised features (n, F) float32;
    y_*: 1.0 if the next close is higher, (n,) float32."""
    prices: StockPrices
    fit_rows: np.ndarray
    test_rows: np.ndarray
    x_fit: np.ndarray
    y_fit: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def lesson_split(fraction: float = 0.8) -> LessonSplit:
    """Lesson 04's steps in one call, for the lessons that reuse its model (08, 09): load the
    prices, make features and labels, split chronologically (the first `fraction` of the days
    to train on), drop the days without full feature history, standardise on the training
    days only. Lesson 04 itself spells these steps out."""
    prices = load_stock_prices()
    labels = make_labels(prices)
    features = make_features(prices)
    train_rows, test_rows = chronological_split(len(labels), fraction)
    fit_rows = train_rows[train_rows >= FIRST_FULL_FEATURE_ROW]
    scaled = standardize(features[fit_rows], features[test_rows])
    return LessonSplit(prices, fit_rows, test_rows, scaled.train.astype(np.float32),
                       labels[fit_rows].astype(np.float32), scaled.test.astype(np.float32),
                       labels[test_rows].astype(np.float32))


def _numbers(values, name: str, where: str) -> np.ndarray:
    """`values` as a plain array of numbers (NaN/inf allowed here; masked arrays refused), or
    a clear TypeError/ValueError."""
    try:
        array = plain_array(values, name, where)
    except ValueError:
        raise ValueError(f"{where}: {name} must be a rectangular (rows, columns) array of "
                         f"numbers, but it is ragged.") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must hold real numbers, got an array of dtype "
                        f"{array.dtype}.")
    return array.astype(np.float64)


# ====================================================================== baselines
def accuracy_standard_error(accuracy: float, n: int) -> float:
    """SE = √(a (1 − a) / n): the standard deviation of an accuracy measured on n independent
    days. On 654 days at a ≈ 0.5 it is ≈ 0.0196 — about 2 percentage points — so accuracies
    within ±2 SE (≈ ±4 points) of each other cannot be told apart.

    accuracy: a fraction in [0, 1] (not a percentage); n: the number of days, >= 1."""
    where = "accuracy_standard_error"
    accuracy = check_float(accuracy, "accuracy", where, low=0.0, high=1.0)
    n = check_int(n, "n", where, minimum=1)
    return math.sqrt(accuracy * (1.0 - accuracy) / n)


def balanced_accuracy(labels: np.ndarray, predictions: np.ndarray) -> float:
    """½ (TP / P + TN / N): the mean of the accuracy on up days and on down days. Predicting
    one class every day scores exactly 0.5, whatever the base rate."""
    where = "balanced_accuracy"
    labels = _binary(labels, "labels", where)
    predictions = _binary(predictions, "predictions", where)
    if labels.shape != predictions.shape:
        raise ValueError(f"{where}: labels and predictions must have one entry per day each, "
                         f"got {labels.size} labels and {predictions.size} predictions.")
    if labels.size == 0:
        raise ValueError(f"{where}: labels and predictions are empty; expected at least one day "
                         f"of each class.")
    if labels.all() or not labels.any():
        raise ValueError(f"{where}: labels hold only one class "
                         f"({'up' if labels.size and labels[0] else 'down'} on all "
                         f"{labels.size} days): the accuracy on the other class — half of the "
                         f"balanced accuracy — is undefined.")
    return 0.5 * (np.mean(predictions[labels]) + np.mean(~predictions[~labels]))


def _binary(values, name: str, where: str) -> np.ndarray:
    """0/1 (or bool) values as a flat bool array, or a clear error (2 would silently be True)."""
    array = _numbers(values, name, where).ravel()
    bad = ~np.isin(array, (0.0, 1.0))
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(f"{where}: {name} must be 0 (down) or 1 (up), but {name}[{index}] = "
                         f"{array[index].item()!r}" + (" — threshold probabilities first, e.g. "
                                                       "p > 0.5" if 0 < array[index] < 1 else "")
                         + ".")
    return array.astype(bool)


@dataclass(frozen=True)
class Baselines:
    """The rules a model must beat, scored on the same test days (fractions, not percent)."""
    n: int                         #: number of test days
    up_rate: float                 #: fraction of test days whose label is "up"
    always_up: float               #: accuracy of predicting "up" every day (= up_rate)
    yesterdays_direction: float    #: accuracy of predicting up_t = up_{t−1}
    standard_error: float          #: √(0.5 · 0.5 / n), the luck in any near-chance accuracy


def honest_baselines(labels: np.ndarray, test_rows: np.ndarray) -> Baselines:
    """Score the two rules that need no model on the test rows::

        always up:            ŷ_t = 1                 accuracy = mean_t up_t
        yesterday's direction: ŷ_t = up_{t−1}          accuracy = mean_t [up_t = up_{t−1}]

    ``up_{t−1}`` = [close_t > close_{t−1}] is known at day t's close, so the second rule uses no
    future. It needs the label of the day before each test row (rows ≥ 1); that day may lie in
    the training period. Always-up is also the training period's majority class on this data.
    On the chronological 80/20 split of the IBM data: always-up 51.83%, yesterday's direction
    52.60% on 654 days — a model has to beat these, not 50%.
    """
    where = "honest_baselines"
    labels = _binary(labels, "labels", where).astype(np.int64)
    raw_rows = _numbers(test_rows, "test_rows", where).ravel()
    if not (np.isfinite(raw_rows).all() and (raw_rows == np.round(raw_rows)).all()):
        bad = int(np.argmax(~(np.isfinite(raw_rows) & (raw_rows == np.round(raw_rows)))))
        raise ValueError(f"{where}: test_rows must be row numbers (whole numbers), but "
                         f"test_rows[{bad}] = {raw_rows[bad].item()!r}.")
    rows = raw_rows.astype(np.int64)
    if len(rows) == 0 or rows.min() < 1 or rows.max() >= len(labels):
        raise ValueError(f"honest_baselines: test_rows must lie in 1 … {len(labels) - 1} "
                         f"(yesterday's label is needed), got {rows.min() if len(rows) else '—'}"
                         f" … {rows.max() if len(rows) else '—'}.")
    up = labels[rows]
    return Baselines(n=len(rows), up_rate=float(up.mean()), always_up=float(np.mean(up == 1)),
                     yesterdays_direction=float(np.mean(labels[rows - 1] == up)),
                     standard_error=accuracy_standard_error(0.5, len(rows)))
