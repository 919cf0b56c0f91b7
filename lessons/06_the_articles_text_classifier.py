# %% [markdown]
# # Lesson 06 — the article's §5 example, line by line
#
# §5.2 of the article prints a TensorFlow/Keras script: three Chinese sentences ("this stock
# will rise / fall / hold steady"), labels [1, 0, 1], Tokenizer → pad_sequences →
# Embedding(64) → LSTM(64, dropout 0.2) → Dense(1, sigmoid), ten epochs, then a prediction for
# "这是一只股票会下跌" ("this stock will fall"). §5.4 says it prints `预测结果： [0.0]`
# ("prediction: [0.0]") and that this means the model predicts a fall.
#
# nanonet's API mirrors Keras, so the script translates line for line. We run it, and check
# every claim against what Keras 2.15 really does (facts recorded from real runs, see
# KERAS_SEMANTICS.md and tests/fixtures):
#
# 1. as printed, the script crashes in Keras: `labels` is a Python list;
# 2. the Tokenizer makes each Chinese sentence ONE token;
# 3. so every padded sequence is nine pads and one id;
# 4. the printed `预测结果： [0.0]` cannot come from this code;
# 5. over 20 seeds, nanonet's predictions are distributed like Keras's — all above 0.5, i.e.
#    the model calls the sentence labelled 0 a rise;
# 6. how to make it learn the three sentences, and why there is nothing to generalise from.
#
# Run: `python -m nanonet lesson 06` (options: `--out DIR`, `--quick`, `--seed N`).

# %%
"""Lesson 06 — the article's §5 example, line by line: what it really does, what it really prints, and how to make it learn."""
import time

import numpy as np

import nanonet as nn
from nanonet import layers, lesson, plotting, text
from nanonet.lesson import section

options = lesson.options("06")
started = time.perf_counter()
seeds = list(range(5 if options.quick else 20))
np.set_printoptions(linewidth=100)

# %% [markdown]
# ## The script as printed (§5.2)

# %%
KERAS_SCRIPT = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.layers import Embedding, LSTM, Dense
from tensorflow.keras.models import Sequential

# 加载数据集
texts = ["这是一只股票会上涨", "这是一只股票会下跌", "这是一只股票会保持平稳"]
labels = [1, 0, 1]

# 数据预处理
max_sequence_length = 10
tokenizer = tf.keras.preprocessing.text.Tokenizer()
tokenizer.fit_on_texts(texts)
sequences = tokenizer.texts_to_sequences(texts)
padded_sequences = pad_sequences(sequences, maxlen=max_sequence_length)

# 构建模型
model = Sequential([
    Embedding(len(tokenizer.word_index) + 1, 64, input_length=max_sequence_length),
    LSTM(64, dropout=0.2, recurrent_dropout=0.2),
    Dense(1, activation='sigmoid')
])

# 编译模型
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])

# 训练模型
model.fit(padded_sequences, labels, epochs=10, batch_size=1)

# 预测
new_text = "这是一只股票会下跌"
new_sequence = tokenizer.texts_to_sequences([new_text])
new_padded_sequence = pad_sequences(new_sequence, maxlen=max_sequence_length)
prediction = model.predict(new_padded_sequence)
print("预测结果：", prediction[0][0])
"""
ARTICLE_OUTPUT = "预测结果： [0.0]"

section("The article's script (§5.2), as printed")
print(KERAS_SCRIPT)
print(f"The article's output (§5.4): {ARTICLE_OUTPUT}")

# %% [markdown]
# ## The same script in nanonet, line for line
#
# Only the imports change, plus `seed=` on the model (Keras's equivalent is
# `tf.keras.utils.set_random_seed(seed)` before building it): nanonet takes all its random
# numbers — initial weights, shuffling, dropout masks — from that seed, so each run prints
# the same numbers.

# %%
LINE_FOR_LINE = [
    ("import tensorflow as tf", "import nanonet as nn"),
    ("from tensorflow.keras.preprocessing.sequence import pad_sequences",
     "from nanonet import text        # text.pad_sequences"),
    ("from tensorflow.keras.layers import Embedding, LSTM, Dense",
     "from nanonet import layers      # layers.Embedding, layers.LSTM, layers.Dense"),
    ("from tensorflow.keras.models import Sequential", "nn.Sequential"),
    ("tokenizer = tf.keras.preprocessing.text.Tokenizer()", "tokenizer = text.Tokenizer()"),
    ("padded_sequences = pad_sequences(sequences, maxlen=…)",
     "padded_sequences = text.pad_sequences(sequences, maxlen=…)"),
    ("model = Sequential([Embedding(…), LSTM(…), Dense(…)])",
     "model = nn.Sequential([layers.Embedding(…), layers.LSTM(…), layers.Dense(…)], seed=0)"),
    ("model.compile(optimizer='adam', …)", "the same"),
    ("model.fit(padded_sequences, labels, epochs=10, batch_size=1)", "the same"),
    ("prediction = model.predict(new_padded_sequence)", "the same"),
]
section("Keras → nanonet")
for keras_line, nanonet_line in LINE_FOR_LINE:
    print(f"  {keras_line}\n      → {nanonet_line}")

section("The script in nanonet, run (seed 0)")
# 加载数据集 (load the data)
texts = ["这是一只股票会上涨", "这是一只股票会下跌", "这是一只股票会保持平稳"]
labels = [1, 0, 1]

# 数据预处理 (preprocess)
max_sequence_length = 10
tokenizer = text.Tokenizer()
tokenizer.fit_on_texts(texts)
sequences = tokenizer.texts_to_sequences(texts)
padded_sequences = text.pad_sequences(sequences, maxlen=max_sequence_length)

# 构建模型 (build the model)
model = nn.Sequential([
    layers.Embedding(len(tokenizer.word_index) + 1, 64, input_length=max_sequence_length),
    layers.LSTM(64, dropout=0.2, recurrent_dropout=0.2),
    layers.Dense(1, activation="sigmoid"),
], seed=options.seed)

# 编译模型 (compile)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

# (not in the article: the prediction and the weights before training, for point 4 below)
new_text = "这是一只股票会下跌"
new_sequence = tokenizer.texts_to_sequences([new_text])
new_padded_sequence = text.pad_sequences(new_sequence, maxlen=max_sequence_length)
prediction_before = float(model.predict(new_padded_sequence)[0][0])
weights_before = model.get_weights()

# 训练模型 (train) — labels is still the Python list, as printed
history = model.fit(padded_sequences, labels, epochs=10, batch_size=1)

# 预测 (predict)
prediction = model.predict(new_padded_sequence)
print("预测结果：", prediction[0][0])

# %% [markdown]
# From here on the fixed script (labels as an array) runs many times — other seeds, other
# settings — so here it is once more as a function, quiet (`verbose=0`).

# %%
HELD_OUT = ["这是一只股票会暴跌", "这是一只股票不会下跌", "这是一只股票会大涨", "这只股票会上涨"]
HELD_OUT_MEANING = ["will plunge", "will NOT fall", "will soar", "this stock will rise"]
_finished_runs = {}


def run_article_script(seed: int, char_level: bool = False, epochs: int = 10,
                       dropout: float = 0.2):
    """The fixed §5 script (labels as an array), quietly, with one change or another.

    Returns a dict: "new" = predictions for [new_text] + HELD_OUT, "train" = for the three
    training sentences, the history, the fit time, the tokenizer and the padded sequences.
    (Each configuration is run once; asking again returns the same run.)"""
    key = (seed, char_level, epochs, dropout)
    if key not in _finished_runs:
        _finished_runs[key] = _run_article_script(*key)
    return _finished_runs[key]


def _run_article_script(seed, char_level, epochs, dropout):
    tokenizer = text.Tokenizer(char_level=char_level)
    tokenizer.fit_on_texts(texts)
    padded = text.pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=max_sequence_length)
    model = nn.Sequential([
        layers.Embedding(len(tokenizer.word_index) + 1, 64, input_length=max_sequence_length),
        layers.LSTM(64, dropout=dropout, recurrent_dropout=dropout),
        layers.Dense(1, activation="sigmoid"),
    ], seed=seed)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(padded, np.array(labels), epochs=epochs, batch_size=1, verbose=0)
    fit_seconds = time.perf_counter() - start
    new_padded = text.pad_sequences(tokenizer.texts_to_sequences([new_text] + HELD_OUT),
                                    maxlen=max_sequence_length)
    return {"new": model.predict(new_padded)[:, 0], "train": model.predict(padded)[:, 0],
            "history": history.history, "fit_seconds": fit_seconds, "tokenizer": tokenizer,
            "padded": padded}


# %% [markdown]
# ## 1. As printed, the script does not run in Keras
#
# Keras 2.15 stops at `model.fit`: `labels` is a Python list, and its data adapters accept a
# NumPy array of inputs together with a list of targets in no combination. (The same on
# tf-keras 2.21; Keras 3 fails too, and also warns that `input_length` is deprecated.)
# nanonet converts a list of labels as Keras converts a NumPy array — it accepted the list
# above. The one-line fix for Keras is `labels = np.array(labels)`; in nanonet the fix
# changes nothing.

# %%
KERAS_ERROR = ("ValueError: Failed to find data adapter that can handle input: "
               "<class 'numpy.ndarray'>, (<class 'list'> …)")
section("1. labels = [1, 0, 1] is a Python list")
print(f"Keras 2.15, model.fit(padded_sequences, labels, …):\n  {KERAS_ERROR}")
print("The fix (and the only change needed to make the article's script run):\n"
      "  labels = np.array(labels)")
print("nanonet accepts the list (above). With np.array(labels) (run_article_script) it\n"
      "gives the identical prediction: "
      f"{run_article_script(options.seed)['new'][0] == prediction[0][0]}")

# %% [markdown]
# ## 2. The Tokenizer makes each Chinese sentence ONE token
#
# Keras's Tokenizer (word mode, the default) lower-cases, replaces its filter characters by
# spaces and splits on spaces — nothing else. Chinese is written without spaces, so each
# sentence is a single "word". nanonet follows the same rules (tests/test_text.py replays
# Keras's own outputs, for these sentences among 52 cases).

# %%
section("2. What the Tokenizer makes of the three sentences")
KERAS_WORD_INDEX = {"这是一只股票会上涨": 1, "这是一只股票会下跌": 2, "这是一只股票会保持平稳": 3}
print("tokenizer.word_index =", tokenizer.word_index)
print("sequences            =", sequences)
print(f"the same as Keras 2.15: {tokenizer.word_index == KERAS_WORD_INDEX}; "
      f"{len(tokenizer.word_index)} words for 3 sentences — each sentence is one token.")
print("The model can only tell the sentences apart by their id; that two of them share "
      "'这是一只股票会' is invisible to it.")

# %% [markdown]
# ## 3. Every padded sequence is nine pads and one id
#
# `pad_sequences(maxlen=10)` pads in front (`padding='pre'`) with 0. With `mask_zero=False`
# (the default) id 0 is an ordinary embedding row, so the LSTM reads nine identical padding
# steps and then the one real token. The model has 33,345 weights to tell three ids apart.

# %%
section("3. padded_sequences")
print(padded_sequences)
print(f"shape {padded_sequences.shape}, dtype {padded_sequences.dtype}; "
      f"nine pads then one id in every row: {bool(np.all(padded_sequences[:, :9] == 0))}")
print("new_padded_sequence =", new_padded_sequence.tolist(),
      " (the new text is training sentence 2)")
model.summary()

# %% [markdown]
# ## 4. `预测结果： [0.0]` cannot come from this code
#
# * As printed, it crashes (point 1): it prints nothing.
# * Fixed, `prediction[0][0]` is one float32 number, so it prints a scalar such as
#   `预测结果： 0.5490…`, not a list `[0.0]`.
# * A sigmoid is never exactly 0: in float32 that would need a logit below about −88. This
#   model's logit is z = h_T · w + b with every |h_T| < 1, so |z| ≤ Σ|w| + |b| — bounded by
#   the Dense layer's 65 weights.
# * Ten epochs of three samples with batch_size=1 are 30 Adam steps at learning rate 1e-3;
#   Adam moves each weight by at most about 1e-3 per step, so at most ≈ 0.03 in all. Starting
#   from ≈ 0.5, the output cannot get anywhere near 0.

# %%
section("4. What the fixed script prints, and why it cannot be [0.0]")
dense_kernel, dense_bias = model.get_weights()[-2:]
bound = float(np.abs(dense_kernel).sum() + np.abs(dense_bias).sum())
moved = max(float(np.abs(after - before).max())
            for after, before in zip(model.get_weights(), weights_before))
print("printed: 预测结果：", prediction[0][0], f"  (type {type(prediction[0][0]).__name__}: one number, "
      f"not a list)")
print(f"|logit| ≤ Σ|w| + |b| = {bound:.2f}, so every output of this model lies in "
      f"[{1 / (1 + np.exp(bound)):.4f}, {1 / (1 + np.exp(-bound)):.4f}]")
print(f"prediction for '{new_text}' before training {prediction_before:.4f}, "
      f"after 30 Adam steps {float(prediction[0][0]):.4f}")
print(f"largest change of any weight in training: {moved:.4f} (30 steps × lr 0.001 = 0.03)")
print("final-epoch accuracy {:.4f}: the model calls the sentence labelled 0 a rise (> 0.5)"
      .format(history.history["accuracy"][-1]))

# %% [markdown]
# ## 5. Twenty seeds, nanonet vs Keras
#
# We run the fixed script for seeds 0…19 (`--quick`: 5 seeds) and record the prediction for
# "这是一只股票会下跌", the last epoch's accuracy and loss, and how long `fit` takes. Keras
# 2.15 did the same with `tf.keras.utils.set_random_seed(0…19)`. The two frameworks draw
# different random numbers, so seed k in nanonet is not seed k in Keras: compare the
# distributions, not the seeds.

# %%
KERAS = {"min": 0.5369, "median": 0.5667, "max": 0.5968, "loss_low": 0.6206, "loss_high": 0.6453,
         "accuracy": 0.6667, "fit_median_s": 1.19, "fit_low_s": 1.10, "fit_high_s": 1.73,
         "seed0_losses": [0.6937, 0.6863, 0.6821, 0.6771, 0.6683, 0.6617, 0.6563, 0.6556, 0.6462,
                          0.6391]}


section(f"5. The fixed script over {len(seeds)} seeds (nanonet seed=0…{seeds[-1]})")
runs = [run_article_script(seed) for seed in seeds]
final_predictions = np.array([float(run["new"][0]) for run in runs])
final_accuracy = np.array([run["history"]["accuracy"][-1] for run in runs])
final_loss = np.array([run["history"]["loss"][-1] for run in runs])
fit_seconds = np.array([run["fit_seconds"] for run in runs])
print("seed  prediction  final accuracy  final loss")
for seed, p, acc, loss in zip(seeds, final_predictions, final_accuracy, final_loss):
    print(f"{seed:4d}  {p:10.4f}  {acc:14.4f}  {loss:10.4f}")
print(f"\nprediction for '{new_text}' (its label is 0):")
print(f"  nanonet, {len(seeds)} seeds:  min {final_predictions.min():.4f}  median "
      f"{np.median(final_predictions):.4f}  max {final_predictions.max():.4f}; "
      f"{int(np.sum(final_predictions > 0.5))}/{len(seeds)} > 0.5; final-epoch accuracy "
      f"{'0.6667 for every seed' if np.allclose(final_accuracy, 2 / 3) else final_accuracy}; "
      f"final-epoch loss {final_loss.min():.4f}–{final_loss.max():.4f}")
print(f"  Keras 2.15, 20 seeds: min {KERAS['min']:.4f}  median {KERAS['median']:.4f}  max "
      f"{KERAS['max']:.4f}; 20/20 > 0.5; final-epoch accuracy 0.6667 for every seed; "
      f"final-epoch loss {KERAS['loss_low']:.4f}–{KERAS['loss_high']:.4f}")
print("seed 0's epoch losses: nanonet", " ".join(f"{v:.4f}" for v in
                                                run_article_script(0)["history"]["loss"]))
print("                       Keras  ", " ".join(f"{v:.4f}" for v in KERAS["seed0_losses"]))
print("Different random streams, so no seed matches its namesake — but the distributions are\n"
      "alike: every run ends a little above 0.5 and calls the 'fall' sentence a rise.")

# %% [markdown]
# Why always above 0.5? Of the 33,345 weights only one embedding row (64 numbers) belongs to
# each sentence; the pad row, the LSTM and the Dense layer are shared by all three. Two of the
# three labels are 1, so in 30 small steps the shared weights drift towards 1 and lift all
# three predictions together (section 6's table: about 0.58, 0.55 and 0.59 for seed 0).
# Accuracy 0.6667 is exactly "say 1 to everything".
#
# ## Timing
#
# Keras's `fit` for this script took 1.10–1.73 s (median 1.19 s, about 2–6 ms per step, on a
# 2-core machine; much of it is TensorFlow tracing its graph on the first call). nanonet's
# `fit`, the same 30 steps of the same 33,345-weight model:

# %%
section("Timing: model.fit of the §5 script (30 steps)")
print(f"nanonet: median {np.median(fit_seconds):.3f} s (min {fit_seconds.min():.3f}, max "
      f"{fit_seconds.max():.3f}) over {len(seeds)} seeds, "
      f"{np.median(fit_seconds) / 30 * 1e3:.1f} ms per step")
print(f"Keras 2.15: median {KERAS['fit_median_s']:.2f} s ({KERAS['fit_low_s']:.2f}–"
      f"{KERAS['fit_high_s']:.2f} s); nanonet's median is "
      f"{KERAS['fit_median_s'] / np.median(fit_seconds):.0f}× shorter (different machines: "
      f"compare orders of magnitude only)")

# %% [markdown]
# ## 6. Making it learn
#
# What stops the model from learning the three sentences? Try one change at a time (seed
# as above; the table shows the predictions for the three training sentences, labels 1 0 1):

# %%
section("6. One change at a time: the three training sentences' predictions (labels 1 0 1)")
variants = [("as printed (fixed)", False, 10, 0.2), ("50 epochs", False, 50, 0.2),
            ("50 epochs, no dropout", False, 50, 0.0), ("char_level=True", True, 10, 0.2),
            ("char_level=True, 50 epochs, no dropout", True, 50, 0.0)]
print(f"{'variant':42s} {'rise (1)':>10s} {'fall (0)':>10s} {'steady (1)':>10s}   final loss")
for name, char_level, n_epochs, dropout in variants:
    result = run_article_script(options.seed, char_level, n_epochs, dropout)
    p = result["train"]
    print(f"{name:42s} {p[0]:10.4f} {p[1]:10.4f} {p[2]:10.4f}   "
          f"{result['history']['loss'][-1]:.4f}")
print("→ The number of steps is what stops it: 30 Adam steps at lr 0.001 are too few. With 50\n"
      "  epochs (150 steps) even the one-token-per-sentence model separates the three\n"
      "  sentences — it learns a lookup table of three ids. char_level alone, at 10 epochs,\n"
      "  does not. Dropout only slows the fit of three samples.")

# %% [markdown]
# So more epochs make it fit; then why char_level? For any NEW sentence. In word mode a
# sentence the Tokenizer has not seen becomes an empty sequence — ten pads — and gets the
# same prediction whatever it says. With `char_level=True` each character is a token
# (15 of them), the sentences share their first seven tokens and differ in the last two to
# four, so a new sentence made of known characters becomes a real sequence. (The third
# sentence has 11 characters; `maxlen=10` with `truncating='pre'` drops its first, 这 —
# harmless here.)
#
# The model: the article's, with `char_level=True`, 50 epochs and no dropout.

# %%
section("The char-level model: Tokenizer(char_level=True), 50 epochs, no dropout")
char_runs = [run_article_script(seed, True, 50, 0.0) for seed in seeds]
char_model = run_article_script(options.seed, True, 50, 0.0)
char_tokenizer = char_model["tokenizer"]
print("word_index =", char_tokenizer.word_index)
print("padded sequences:\n", char_model["padded"])
print(f"\nseed {options.seed}, per sentence:")
MEANING = ["will rise", "will fall", "will hold steady"]
for sentence, meaning, label, p in zip(texts, MEANING, labels, char_model["train"]):
    print(f"  {sentence:12s} ({meaning:16s}) label {label}  prediction {p:.4f}")
train_predictions = np.array([run["train"] for run in char_runs])
worst = float(np.max(np.abs(train_predictions - np.array(labels))))
print(f"over {len(seeds)} seeds: predictions for the three training sentences, min–max: "
      + ", ".join(f"{lo:.3f}–{hi:.3f}" for lo, hi in zip(train_predictions.min(0),
                                                           train_predictions.max(0)))
      + f"; largest |prediction − label| {worst:.3f}")

section("Held-out sentences: there is nothing to generalise from")
held_predictions = np.array([run["new"][1:] for run in char_runs])
for k, (sentence, meaning) in enumerate(zip(HELD_OUT, HELD_OUT_MEANING)):
    ids = char_tokenizer.texts_to_sequences([sentence])[0]
    print(f"  {sentence:12s} ({meaning:20s}) → ids {ids}  prediction {char_model['new'][1 + k]:.4f}"
          f" (seeds: {held_predictions[:, k].min():.3f}–{held_predictions[:, k].max():.3f})")
print("Unknown characters (暴, 不, 大) are dropped, so '会暴跌' reads as '会跌' and '不会下跌'\n"
      "('will NOT fall') is exactly the training sentence '会下跌' — it gets the 'fall' score.\n"
      "Three sentences that differ only in their last characters teach the model which\n"
      "characters came last in which sentence, nothing about stocks, negation or Chinese. Any\n"
      "rule that fits three examples fits them; the held-out answers are arbitrary.")


# %% [markdown]
# ## Figures

# %%
def draw_summary(axes, x, low, median, high, colour, label):
    """One framework's predictions over seeds, drawn the same way for both: a line from the
    smallest to the largest, a diamond at the median."""
    axes.vlines(x, low, high, color=colour, lw=2.5, label=f"{label}: min–max")
    axes.scatter([x], [median], color=colour, marker="D", s=45, zorder=4,
                 edgecolors="black", linewidths=0.6, label=f"{label}: median")


def distribution_figure():
    """The final prediction over seeds: min–max and median for nanonet and Keras (all that
    Keras's record holds), plus nanonet's middle half (box) and every seed (dots). Left: on
    [0, 1], with the article's printed 0.0; right: zoomed in."""
    plt = plotting.pyplot()
    figure, (whole, zoom) = plt.subplots(1, 2, figsize=(10, 3.9),
                                         gridspec_kw={"width_ratios": [1, 2]})
    jitter = np.random.default_rng(0).uniform(-0.06, 0.06, len(final_predictions))
    for axes in (whole, zoom):
        axes.boxplot([final_predictions], positions=[0.8], widths=0.25, showfliers=False,
                     whis=0, showcaps=False, patch_artist=True, zorder=2,
                     boxprops={"facecolor": "tab:blue", "alpha": 0.3},
                     medianprops={"color": "tab:blue"})
        axes.scatter(0.8 + jitter, final_predictions, s=12, color="tab:blue", alpha=0.8,
                     zorder=3, label=f"nanonet: each of {len(seeds)} seeds")
        draw_summary(axes, 1.1, final_predictions.min(), np.median(final_predictions),
                     final_predictions.max(), "tab:blue", f"nanonet, {len(seeds)} seeds")
        draw_summary(axes, 2, KERAS["min"], KERAS["median"], KERAS["max"], "tab:red",
                     "Keras 2.15, 20 seeds")
        axes.axhline(0.5, color="grey", ls="--", lw=1, label="0.5: above it, 'rise'")
        axes.set(xticks=[0.95, 2], xticklabels=["nanonet", "Keras 2.15"], xlim=(0.45, 2.4))
        axes.grid(alpha=0.3, axis="y")
    whole.axhline(0.0, color="black", lw=0.8)
    whole.annotate("the article\nprints 0.0", (1.5, 0.0), xytext=(1.5, 0.25), ha="center",
                   fontsize=8, arrowprops={"arrowstyle": "->"})
    whole.set(ylim=(-0.05, 1.0), ylabel="prediction for sentence 2 (label 0)",
              title="on the whole scale")
    everything = np.concatenate([final_predictions, [KERAS["min"], KERAS["max"], 0.5]])
    margin = 0.15 * (everything.max() - everything.min())
    zoom.set(ylim=(everything.min() - margin, everything.max() + margin), ylabel="prediction",
             title="zoomed in")
    zoom.fill_between([], [], color="tab:blue", alpha=0.3,
                      label="nanonet: the middle half of the seeds")       # the box's entry
    plotting.legend_outside(zoom)
    figure.suptitle("The §5 script, fixed: the final prediction over seeds")
    figure.tight_layout()
    return figure


def per_sentence_figure():
    """Predictions per sentence: the §5 script (seed 0) vs the char-level model."""
    plt = plotting.pyplot()
    names = ["'will rise'\n(label 1)", "'will fall'\n(label 0)", "'will hold steady'\n(label 1)",
             "held out:\n'will plunge'", "held out:\n'will NOT fall'", "held out:\n'will soar'",
             "held out:\n'this stock\nwill rise'"]
    article = run_article_script(options.seed)
    values = {"§5 script, fixed (10 epochs)": np.concatenate([article["train"],
                                                             article["new"][1:]]),
              "char_level, 50 epochs, no dropout": np.concatenate([char_model["train"],
                                                                  char_model["new"][1:]])}
    figure, axes = plt.subplots(figsize=(10, 3.8))
    positions = np.arange(len(names))
    for k, (label, v) in enumerate(values.items()):
        axes.bar(positions + (k - 0.5) * 0.38, v, width=0.38, label=label)
    axes.scatter(positions[:3], labels, marker="_", s=600, color="black", zorder=3,
                 label="label")
    axes.axhline(0.5, color="grey", ls="--", lw=1)
    axes.axvline(2.5, color="black", lw=0.8)
    axes.set(xticks=positions, ylim=(0, 1.05), ylabel="prediction",
             title=plotting.wrapped(f"Per-sentence predictions (seed {options.seed}); in word "
                                    f"mode every unseen sentence is ten pads, so all four "
                                    f"held-out blue bars are equal", 90))
    axes.set_xticklabels(names, fontsize=8)
    plotting.legend_outside(axes)
    return figure


if lesson.figures_available():
    lesson.save_figure(distribution_figure(), options, "06_prediction_distribution.png")
    lesson.save_figure(plotting.loss_curves(
        {"char-level loss": char_model["history"]["loss"],
         "char-level accuracy": char_model["history"]["accuracy"],
         "§5 script loss (10 epochs)": run_article_script(options.seed)["history"]["loss"]},
        title="Lesson 06: training the char-level model (50 epochs, 3 sentences)",
        xlabel="epoch", ylabel="loss / accuracy"), options, "06_char_level_training.png")
    lesson.save_figure(per_sentence_figure(), options, "06_per_sentence_predictions.png")

print(f"\nlesson 06 ran in {time.perf_counter() - started:.1f} s")
