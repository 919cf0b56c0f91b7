# %% [markdown]
# # Lesson 10 — many classes: softmax, its cross-entropy, and an honest yardstick
#
# The article's network answers yes or no: one sigmoid unit, binary cross-entropy. With K
# classes the last layer has K units and a **softmax** turns their scores z into
# probabilities that sum to 1,
#
#     p_j = softmax(z)_j = e^{z_j} / Σ_k e^{z_k},
#
# and the loss is the **categorical cross-entropy** of the true class c, J = −log p_c
# (averaged over the samples). This lesson
#
# 1. builds softmax's Jacobian — each p_j depends on *every* z_k — and shows that a backward
#    pass never needs it whole;
# 2. shows why the gradient of the cross-entropy on the logits is simply p − y (y one-hot),
#    and checks it numerically;
# 3. trains an MLP on 1797 real handwritten digits with Keras's defaults — RMSprop, and
#    `EarlyStopping` on a validation set — and compares it, item by item, with the cheap
#    classifiers a practitioner would try first.
#
# Run: `python -m nanonet lesson 10` (options: `--out DIR`, `--quick`, `--seed N`).

# %%
"""Lesson 10 — many classes: softmax's Jacobian, why the logits' gradient is p − y, and digits."""
import numpy as np

import nanonet as nn
from nanonet import datasets, gradcheck, layers, lesson, losses, ops, plotting
from nanonet.callbacks import EarlyStopping
from nanonet.lesson import section
from nanonet.teaching.statistics import paired_test

options = lesson.options("10")
rng = np.random.default_rng(options.seed)
max_epochs, patience = (60, 3) if options.quick else (300, 8)

# %% [markdown]
# ## 1. Softmax's Jacobian
#
# Differentiating p_j = e^{z_j} / Σ_k e^{z_k} gives ∂p_j/∂z_k = p_j (δ_jk − p_k): the matrix
# J = diag(p) − p pᵀ, symmetric, K × K for each sample. The backward pass needs only J times
# the upstream gradient dy, and that product is one line without J:
#
#     (J dy)_j = p_j (dy_j − Σ_k p_k dy_k)
#
# which is what `nanonet.ops.softmax_backward_from_output` computes.

# %%
section("1. Softmax's Jacobian, and the product a backward pass needs")
z = rng.normal(size=4)
p = ops.softmax(z)
jacobian = np.diag(p) - np.outer(p, p)
dy = rng.normal(size=4)
product_gap = float(np.max(np.abs(jacobian @ dy - ops.softmax_backward_from_output(dy, p))))
print(f"z = {np.round(z, 3)}  →  p = {np.round(p, 3)} (sums to {p.sum():.6f})")
print("J = diag(p) − p pᵀ:")
print(np.round(jacobian, 4))
print(f"rows of J sum to {np.abs(jacobian.sum(axis=1)).max():.1e}: adding a constant to every "
      f"z changes no p")
print(f"largest |J dy − p ⊙ (dy − Σ p dy)|: {product_gap:.1e}")
report = gradcheck.check_layer(layers.Softmax(), rng.normal(size=(5, 4)) * 3, seed=options.seed)
print(report)
assert report.passed and product_gap < 1e-12

# %% [markdown]
# ## 2. Why the logits' gradient is p − y
#
# With y the one-hot row of the true class, J = −Σ_j y_j log p_j = −z_c + log Σ_k e^{z_k}, so
#
#     ∂J/∂z_k = −y_k + e^{z_k} / Σ_m e^{z_m} = p_k − y_k.
#
# The softmax's Jacobian and the log's 1/p cancel — as σ'(z) cancelled against binary
# cross-entropy in lesson 02. That is why Keras, and nanonet, compute the loss of a model
# ending in a softmax *from its logits*: no division by a p that may have rounded to 0.

# %%
section("2. The gradient of −log p_c on the logits is p − y")
classes = rng.integers(0, 4, 6)
one_hot = np.eye(4)[classes]
logits = rng.normal(size=(6, 4)) * 2
loss = losses.CategoricalCrossentropy(from_logits=True)
value, d_logits = loss.forward(one_hot, logits)
expected = (ops.softmax(logits) - one_hot) / len(logits)
gap = float(np.max(np.abs(d_logits - expected)))
print(f"loss {value:.4f}; largest |∂J/∂z − (p − y)/n| = {gap:.1e}")
report = gradcheck.check_formula(lambda z: loss.forward(one_hot, z)[0],
                                 lambda z: loss.forward(one_hot, z)[1], logits,
                                 names=["logits"])
print(report)
far = np.array([[900.0, -900.0, 0.0, 1.0]])
print(f"even for logits of ±900 the loss stays finite: "
      f"{loss(np.eye(4)[[1]], far):.1f} (= 900 − (−900): the true class scored 1800 lower)")
assert report.passed and gap < 1e-15

# %% [markdown]
# ## 3. Real digits
#
# `nanonet.datasets.load_digits()` ships 1797 handwritten digits (8 × 8 pixels, each 0–16) with
# the package — the test half of UCI's optical digits, 13 writers (see its README). We hold out
# 20 % as the **test set**, scored once at the end, and 15 % as the **validation set** that
# `EarlyStopping` watches; the rest trains. One caveat the data forces on us: a writer's digits
# look alike, and a random split puts every writer in train and test — so the test accuracy is
# how well a model reads *these 13 writers*, not a stranger.

# %%
section("3. The digits, split")
x_all, y_all = datasets.load_digits()
x_all = x_all / 16.0                                   # pixels in [0, 1]
order = rng.permutation(len(x_all))
n_test, n_val = round(0.2 * len(x_all)), round(0.15 * len(x_all))
test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
print(f"{len(x_all)} digits: {len(train)} to train, {len(val)} to validate, {len(test)} to test")
print(f"digits per class in training: {np.bincount(y_all[train], minlength=10).tolist()}")

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    figure, axes = plt.subplots(2, 10, figsize=(8, 2.2))
    for digit in range(10):
        examples = train[y_all[train] == digit][:2]
        for row, index in enumerate(examples):
            axes[row, digit].imshow(x_all[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            axes[row, digit].set_xticks([])
            axes[row, digit].set_yticks([])
        axes[0, digit].set_title(str(digit), fontsize=9)
    figure.suptitle("Lesson 10: two training digits of each class (8 × 8 pixels)", fontsize=10)
    lesson.save_figure(figure, options, "10_digits.png")

# %% [markdown]
# ## 4. An MLP with Keras's defaults: RMSprop, and EarlyStopping
#
# `compile()` without an optimizer uses RMSprop, as in Keras. `EarlyStopping(patience=…,
# restore_best_weights=True)` ends training once the validation loss has not improved for
# `patience` epochs and puts back the weights of the best epoch. The labels are class indices
# 0–9, so the loss is `"sparse_categorical_crossentropy"` (one-hot rows would take
# `"categorical_crossentropy"`, and `nanonet.utils.to_categorical` makes them).

# %%
section("4. Training with RMSprop and EarlyStopping")


def train_model(hidden_units):
    """A softmax classifier (with one relu hidden layer of `hidden_units`, or none), trained
    until the validation loss stops improving; returns (model, history, stopper)."""
    stack = [layers.Dense(hidden_units, activation="relu")] if hidden_units else []
    model = nn.Sequential(stack + [layers.Dense(10, activation="softmax")], seed=options.seed)
    model.build((None, 64))
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stopper = EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_all[train], y_all[train], epochs=max_epochs, batch_size=32,
                        validation_data=(x_all[val], y_all[val]), verbose=0,
                        callbacks=[stopper])
    return model, history, stopper


mlp, mlp_history, mlp_stopper = train_model(64)
ran = len(mlp_history.epoch)
stop_text = (f"stopped after epoch {mlp_stopper.stopped_epoch + 1}" if mlp_stopper.stopped_epoch
             else f"ran all {max_epochs} epochs (no stop: the last weights are kept)")
print(f"MLP 64 → relu 64 → softmax 10 ({mlp.count_params()} weights): {stop_text}; best "
      f"validation loss {mlp_stopper.best:.4f} at epoch {mlp_stopper.best_epoch + 1}")
print(f"  validation accuracy at the best epoch: "
      f"{mlp_history.history['val_accuracy'][mlp_stopper.best_epoch]:.3f}")

# %%
if lesson.figures_available():
    figure = plotting.loss_curves(
        {"training loss": mlp_history.history["loss"],
         "validation loss": mlp_history.history["val_loss"]},
        title="Lesson 10: the MLP's losses (best epoch kept)",
        xlabel="epoch", ylabel="sparse categorical cross-entropy", log_y=True)
    axis = figure.axes[0]
    axis.axvline(mlp_stopper.best_epoch + 1, color="gray", linestyle=":", linewidth=1.2,
                 label="best epoch (weights kept)")
    axis.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    lesson.save_figure(figure, options, "10_training_curves.png")

# %% [markdown]
# ## 5. Against the classifiers a practitioner tries first
#
# - **majority class**: always the most common training digit — chance, about 10 %;
# - **nearest centroid**: the class whose mean training image is closest;
# - **softmax regression**: the same training without the hidden layer (Dense(10, softmax));
# - **1-nearest neighbour**: the label of the closest training image (Euclidean distance) —
#   no training at all, just memory, and famously strong on these digits.
#
# Every accuracy carries its standard error √(a(1 − a)/n). Two models scored on the same test
# digits are compared *paired*: the difference of accuracies with its paired standard error,
# and McNemar's exact test on the digits exactly one of them gets right.

# %%
section("5. The MLP against cheap baselines, on the same test digits")
x_train, y_train, x_test, y_test = x_all[train], y_all[train], x_all[test], y_all[test]
regression, _, _ = train_model(0)
distances = ((x_test[:, None, :] - x_train[None, :, :]) ** 2).sum(axis=-1)
centroids = np.stack([x_train[y_train == digit].mean(axis=0) for digit in range(10)])
to_centroid = ((x_test[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1)
predictions = {
    "majority class": np.full(len(test), np.bincount(y_train).argmax()),
    "nearest centroid": to_centroid.argmin(axis=1),
    "softmax regression": regression.predict(x_test).argmax(axis=1),
    "1-nearest neighbour": y_train[distances.argmin(axis=1)],
    "MLP (64 relu units)": mlp.predict(x_test).argmax(axis=1),
}
correct = {name: guess == y_test for name, guess in predictions.items()}
accuracy = {name: float(right.mean()) for name, right in correct.items()}
error = {name: datasets.accuracy_standard_error(a, len(test)) for name, a in accuracy.items()}
for name in predictions:
    print(f"  {name:22s} {accuracy[name]:.3f} ± {error[name]:.3f} (1 SE)")
baselines = [name for name in predictions if not name.startswith("MLP")]
strongest = max(baselines, key=accuracy.get)
versus = paired_test(correct["MLP (64 relu units)"], correct[strongest])
print(f"\nstrongest baseline (best on the test digits — a choice that can only flatter it): "
      f"{strongest}")
print(f"MLP − {strongest}: {versus.difference:+.3f} ± {versus.standard_error:.3f} (paired SE); "
      f"digits only the MLP gets right: {versus.first_only}, only {strongest}: "
      f"{versus.second_only}; McNemar p = {versus.p_value:.2g}")


def verdict(test_result, baseline):
    """The sentence the paired test supports (5 % two-sided)."""
    if test_result.p_value >= 0.05:
        return (f"→ On these {len(test)} test digits the MLP and {baseline} are level: the "
                f"difference is within what chance gives (p = {test_result.p_value:.2g}).")
    better = "more" if test_result.difference > 0 else "less"
    return (f"→ The MLP is {better} accurate than {baseline} on these {len(test)} test digits "
            f"(p = {test_result.p_value:.2g}).")


print(verdict(versus, strongest))
if strongest == "1-nearest neighbour":
    print(f"  What the MLP buys over 1-NN: 1-NN keeps all {len(train)} training images "
          f"({x_train.nbytes // 1024} KB) and compares each new digit with every one of them; "
          f"the MLP keeps {mlp.count_params()} weights ({mlp.count_params() * 4 // 1024} KB) "
          f"and gives a probability for each digit.")

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 3.2))
    names = list(predictions)
    axis.barh(names, [accuracy[name] for name in names],
              xerr=[1.96 * error[name] for name in names],
              color=["tab:gray"] * len(baselines) + ["tab:blue"], capsize=3)
    axis.set(xlim=(0, 1.02), xlabel="test accuracy (bars: 95 % interval, ±1.96 SE)",
             title=f"Lesson 10: {len(test)} test digits, seed {options.seed}")
    axis.axvline(0.1, color="black", linestyle=":", linewidth=1, label="chance (10 %)")
    axis.legend(loc="lower right", fontsize=8)
    lesson.save_figure(figure, options, "10_accuracy_vs_baselines.png")

# %% [markdown]
# ## What to take away
#
# - softmax's Jacobian is diag(p) − p pᵀ, but a backward pass only ever needs the product
#   p ⊙ (dy − Σ p dy); and with the cross-entropy on top, the logits' gradient is p − y;
# - `EarlyStopping` chooses the epoch on the validation set, never on the test set;
# - a neural network has to beat the strongest cheap rule, on the same test items, by more
#   than chance. On these digits the strongest cheap rule is memory, 1-NN — in every seed the
#   tests run — and section 5's verdict, printed from the paired test, says whether the MLP
#   beat it in your run. Try `--seed 1`, `--seed 2`.
