# %% [markdown]
# # Lesson 03 — training, step by step
#
# §3.2 of the article lists the training procedure in six steps:
#
# 1. **数据预处理** preprocess the data (clean, normalise);
# 2. **模型初始化** initialise the weights and biases at random;
# 3. **前向传播** forward pass: input → hidden layer → output;
# 4. **损失函数计算** compute the loss;
# 5. **反向传播** backward pass: adjust weights and biases from the loss;
# 6. **迭代训练** iterate 3–5 until the model converges.
#
# We write all six out for the two-layer network of §4.1, with mini-batch gradient descent —
# and then show that `nanonet.Sequential.fit` does *exactly* the same arithmetic: started from
# the same weights on the same batches, it ends on the same weights, to the last few digits.
#
# Run: `python -m nanonet lesson 03` (options: `--out DIR`, `--quick`).

# %%
"""Lesson 03 — training, step by step: §3.2's six steps by hand, then the same with Sequential.fit."""
import time

import numpy as np

import nanonet as nn
from nanonet import layers, lesson, ops, plotting
from nanonet.lesson import section

options = lesson.options("03")
rng = np.random.default_rng(options.seed)
epochs = 15 if options.quick else 60
batch_size = 32
learning_rate = 0.5


def two_moons(m: int, rng: np.random.Generator, noise: float = 0.15):
    """Two interleaved half circles (class 0 above, class 1 below), with Gaussian noise."""
    label = rng.integers(0, 2, m)
    angle = rng.uniform(0, np.pi, m)
    x = np.where(label[:, None] == 0,
                 np.stack([np.cos(angle), np.sin(angle)], axis=1),
                 np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1))
    return x + rng.normal(0, noise, x.shape), label.astype(np.float64)


# %% [markdown]
# ## Step 1 — preprocess
# Two moons: 600 training points, 200 validation points. Standardise with the mean and
# standard deviation of the **training** points only (the validation points must not leak
# into anything the model is fitted with).

# %%
section("Step 1 — preprocess")
x_all, y_all = two_moons(800, rng)
x_train, y_train, x_val, y_val = x_all[:600], y_all[:600], x_all[600:], y_all[600:]
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
print(f"train {x_train.shape}, validation {x_val.shape}; train means now "
      f"{np.round(x_train.mean(axis=0), 12)}, stds {np.round(x_train.std(axis=0), 12)}")

# %% [markdown]
# ## Step 2 — initialise
# Glorot-uniform kernels (limit √(6 / (fan_in + fan_out))), zero biases — Keras's defaults.
# Row-vector convention: a batch X is (m, D), so the kernel W1 is (D, H).

# %%
section("Step 2 — initialise")
hidden = 16
W1 = rng.uniform(-1, 1, (2, hidden)) * np.sqrt(6 / (2 + hidden))
b1 = np.zeros(hidden)
W2 = rng.uniform(-1, 1, (hidden, 1)) * np.sqrt(6 / (hidden + 1))
b2 = np.zeros(1)
initial = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]
print(f"W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}: "
      f"{W1.size + b1.size + W2.size + b2.size} parameters")


# %% [markdown]
# ## Steps 3, 4, 5 — forward, loss, backward (for one mini-batch)
#
#     forward:   z1 = X W1 + b1,   h = tanh(z1),   z2 = h W2 + b2,   ŷ = σ(z2)
#     loss:      J = −(1/m) Σ [y log ŷ + (1 − y) log(1 − ŷ)]         (from z2: stable)
#     backward:  dz2 = (ŷ − y)/m;  dW2 = hᵀ dz2;  db2 = Σ dz2
#                dz1 = (dz2 W2ᵀ) ⊙ (1 − h²);  dW1 = Xᵀ dz1;  db1 = Σ dz1
#
# (A tanh hidden layer this time: the article allows any activation; its derivative is 1 − h².)

# %%
def forward(X, W1, b1, W2, b2):
    h = np.tanh(X @ W1 + b1)
    z2 = h @ W2 + b2
    return ops.sigmoid(z2), h, z2


def loss(y, z2):
    return float(np.mean(np.maximum(z2, 0) - z2 * y + np.log1p(np.exp(-np.abs(z2)))))


def backward(X, y, h, z2, W2):
    dz2 = (ops.sigmoid(z2) - y) / len(X)
    dz1 = (dz2 @ W2.T) * (1 - h * h)
    return X.T @ dz1, dz1.sum(axis=0), h.T @ dz2, dz2.sum(axis=0)


# %% [markdown]
# ## Step 6 — iterate
# Each epoch walks through the training set in mini-batches of 32 (the last one smaller); for
# each batch: forward, loss, backward, and a gradient-descent step w ← w − η ∂J/∂w.

# %%
section("Step 6 — iterate (by hand)")
start = time.perf_counter()
hand_losses = []
weights = [W1, b1, W2, b2]
y_column = y_train[:, None]
for epoch in range(1, epochs + 1):
    total = 0.0
    for first in range(0, len(x_train), batch_size):
        X, y = x_train[first:first + batch_size], y_column[first:first + batch_size]
        y_hat, h, z2 = forward(X, *weights)                               # step 3
        total += loss(y, z2) * len(X)                                     # step 4
        gradients = backward(X, y, h, z2, weights[2])                     # step 5
        weights = [w - learning_rate * g for w, g in zip(weights, gradients)]
    hand_losses.append(total / len(x_train))                             # batch-weighted mean
    if epoch == 1 or epoch % (epochs // 5) == 0:
        print(f"epoch {epoch:3d}  loss {hand_losses[-1]:.4f}")
hand_seconds = time.perf_counter() - start
y_hat_val = forward(x_val, *weights)[0]
hand_accuracy = float(np.mean((y_hat_val[:, 0] > 0.5) == y_val))
print(f"validation accuracy {hand_accuracy:.3f}  ({hand_seconds:.2f} s)")

# %% [markdown]
# ## The same with `Sequential.fit`
# Same architecture, same initial weights (`set_weights`), plain SGD with the same learning
# rate, the same batches in the same order (`shuffle=False`), float64. `fit` runs the very
# steps above: its loss per epoch is the batch-size-weighted mean of the batch losses, each
# taken before that batch's update — as our loop printed.

# %%
section("The same with Sequential.fit")
model = nn.Sequential([layers.Dense(hidden, activation="tanh", input_shape=(2,)),
                       layers.Dense(1, activation="sigmoid")], dtype="float64")
model.set_weights(initial)
model.compile(optimizer=nn.optimizers.SGD(learning_rate), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=False,
                    validation_data=(x_val, y_val), verbose=0)
difference = max(np.abs(a - b).max() for a, b in zip(model.get_weights(), weights))
print(f"largest difference between fit's weights and ours: {difference:.1e}")
loss_difference = float(np.abs(np.array(hand_losses) - history.history["loss"]).max())
print(f"loss per epoch, ours vs fit's: largest difference {loss_difference:.1e}")
print(f"validation accuracy {history.history['val_accuracy'][-1]:.3f}")
assert difference < 1e-9, "fit should reproduce the hand-written loop"

# %% [markdown]
# ## What `fit` adds
# Shuffling (a new order every epoch), Adam instead of plain gradient descent, a progress bar,
# validation metrics — one line each. A shuffled, Adam-trained model of the same size:

# %%
section("fit with shuffling and Adam")
adam = nn.Sequential([layers.Dense(hidden, activation="tanh", input_shape=(2,)),
                      layers.Dense(1, activation="sigmoid")], seed=options.seed)
adam.compile(optimizer=nn.optimizers.Adam(0.02), loss="binary_crossentropy",
             metrics=["accuracy"])
adam_history = adam.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=(x_val, y_val), verbose=2 if options.quick else 0)
print(f"Adam: validation accuracy {adam_history.history['val_accuracy'][-1]:.3f}")

# %%
if lesson.figures_available():
    # the two SGD curves coincide: the hand loop thick with dots, fit's dashed on top of it
    fit_label = f"Sequential.fit (SGD): on top, ≤ {loss_difference:.0e} apart"
    lesson.save_figure(plotting.loss_curves(
        {"by hand (SGD)": hand_losses, fit_label: history.history["loss"],
         "fit with Adam + shuffling": adam_history.history["loss"],
         "Adam, validation": adam_history.history["val_loss"]},
        title="Lesson 03: the same training, by hand and with fit", xlabel="epoch",
        styles={"by hand (SGD)": {"linewidth": 5, "alpha": 0.35, "marker": "o",
                                  "markersize": 4},
                fit_label: {"linestyle": "--", "color": "black", "linewidth": 1.2}}),
        options, "03_training_curves.png")
    plt = plotting.pyplot()
    figure, axis = plt.subplots(figsize=(5, 4))
    grid = np.stack(np.meshgrid(np.linspace(-2.5, 2.5, 200), np.linspace(-2.5, 2.5, 200)), -1)
    probability = adam.predict(grid.reshape(-1, 2), batch_size=4096).reshape(200, 200)
    shading = axis.contourf(grid[..., 0], grid[..., 1], probability, levels=20, cmap="RdBu_r",
                            alpha=0.6)
    figure.colorbar(shading, ax=axis, label="P(class 1), Adam model", ticks=[0, 0.5, 1])
    for label, colour in ((0, "tab:blue"), (1, "tab:red")):
        chosen = y_val == label
        axis.scatter(x_val[chosen, 0], x_val[chosen, 1], color=colour, edgecolors="white",
                     linewidths=0.5, s=18, label=f"class {label}")
    axis.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncol=2, fontsize=8)
    axis.set(title="Decision boundary (validation points)", xlabel="x₁", ylabel="x₂")
    lesson.save_figure(figure, options, "03_decision_boundary.png")

# %% [markdown]
# ## Two engines, one truth
# Everything nanonet computes exists twice. The **reference** engine is the code you read in
# `nanonet/layers/` and `nanonet/optimizers.py`: each function the docstring's equations,
# written plainly (z = x @ W + b, dW = xᵀ dz, m ← m + (g − m)(1 − β1), …), and what the
# exercises ask you to write. The **fast** engine (`nanonet/fast/`, the default) computes the
# same functions with tricks: results written into buffers the layer keeps from batch to batch
# (no new arrays, no page faults), activations applied in place, every weight in one flat
# buffer updated in cache-sized blocks, and for the LSTM fused gates and the input projection
# of all timesteps in one matmul. Same seed, same data: the two land on the same weights.

# %%
def on_both_engines(make_layers, x, y, epochs, dtype, repeats: int = 3):
    """Train the same model (same seed) on each engine, `repeats` times, the engines taking
    turns: ({engine: seconds of each run}, largest weight difference relative to the largest
    weight). Every run of an engine ends on the same weights; only the time varies."""
    seconds, weights = {"reference": [], "fast": []}, {}
    for _ in range(repeats):
        for engine in seconds:
            twin = nn.Sequential(make_layers(), seed=options.seed, dtype=dtype, engine=engine)
            twin.compile(optimizer=nn.optimizers.Adam(0.02), loss="binary_crossentropy")
            start = time.perf_counter()
            twin.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
            seconds[engine].append(time.perf_counter() - start)
            weights[engine] = twin.get_weights()
    return seconds, max(float(np.abs(a - b).max() / np.abs(b).max())
                        for a, b in zip(weights["reference"], weights["fast"]))


section("The same models on both engines")
token_rng = np.random.default_rng(options.seed)
tokens = token_rng.integers(1, 100, (256, 20))                     # 256 sequences of 20 ids
token_labels = (tokens[:, 0] > 50).astype(np.float64)
models = {
    "this lesson's Dense model (float64)": (
        lambda: [layers.Dense(hidden, activation="tanh", input_shape=(2,)),
                 layers.Dense(1, activation="sigmoid")], x_train, y_train, epochs, "float64"),
    "Embedding → LSTM(32) → Dense, 20 steps (float64)": (
        lambda: [layers.Embedding(100, 16), layers.LSTM(32, recurrent_dropout=0.2),
                 layers.Dense(1, activation="sigmoid")], tokens, token_labels, 2, "float64"),
}
print(f"{'model':<50} {'reference':>10} {'fast':>9} {'speed-up':>9} {'over 3 runs':>12} "
      f"{'weights differ by':>18}")
speed_ups = {}
for title, (make_layers, x_data, y_data, n_epochs, dtype) in models.items():
    seconds, engine_difference = on_both_engines(make_layers, x_data, y_data, n_epochs, dtype)
    paired = [r / f for r, f in zip(seconds["reference"], seconds["fast"])]
    speed_ups[title] = min(seconds["reference"]) / min(seconds["fast"])
    print(f"{title:<50} {min(seconds['reference']) * 1000:8.0f} ms "
          f"{min(seconds['fast']) * 1000:6.0f} ms {speed_ups[title]:8.1f}× "
          f"{min(paired):5.1f}–{max(paired):.1f}× {engine_difference:18.1e}")
    assert engine_difference < 1e-9, "both engines compute the same function"
print("(times: the fastest of 3 runs per engine, the engines taking turns; the range is the "
      "ratio of each pair of runs — a busy machine moves the times, never the weights)")
lstm_speed_up = speed_ups["Embedding → LSTM(32) → Dense, 20 steps (float64)"]
if lstm_speed_up > 1.2:
    print(f"Here the fast engine trained the LSTM {lstm_speed_up:.1f}× as fast as the reference.")
else:
    print(f"Here the fast engine was not clearly faster on the LSTM ({lstm_speed_up:.1f}×): "
          f"a busy machine slows the engines unevenly — run the lesson again on a quiet one "
          f"to compare.")

# %% [markdown]
# Why the times differ. The small Dense model has tiny batches: Python's per-call overhead,
# not the arithmetic, sets its time, so the engines are close. The LSTM is where the fast
# engine's tricks apply: it does the input projection of all 20 steps in one matmul, computes
# the four gates with one tanh, keeps every step's values in one workspace reused from batch
# to batch, and turns the backward loop's 20 small weight-gradient matmuls into one big one.
# The table says what that was worth on your machine, in this run. A clear idea first, then
# a fast one — and a test (tests/test_engines.py) that they are the same function.
