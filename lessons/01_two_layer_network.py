# %% [markdown]
# # Lesson 01 — the two-layer network of §4.1, trained by hand
#
# The article (§4.1) defines
#
#     ŷ = σ(W2 σ(W1 x + b1) + b2)
#
# and (§4.2) the binary cross-entropy J = −(1/m) Σ [y log ŷ + (1 − y) log(1 − ŷ)].
# §3.2 lists six steps: preprocess, initialise, forward, loss, backward, iterate. This lesson
# names each step in the code, on a small dataset it makes itself: a disc inside a ring. No
# straight line separates the two classes, so the hidden layer has to do real work.
#
# Convention: we store a batch as *rows* (X is m × D), so the article's W1 x becomes X @ W1
# with W1 of shape (D, H) — the transpose of the article's matrix. Nothing else changes.
#
# Run: `python -m nanonet lesson 01` (options: `--out DIR`, `--quick`, `--steps N`).

# %%
"""Lesson 01 — the article's two-layer network, trained by gradient descent, written out."""
import numpy as np

from nanonet import gradcheck, lesson, ops, plotting

options = lesson.options("01", lambda parser: parser.add_argument(
    "--steps", type=int, default=None, help="gradient-descent iterations"))
steps = options.extra.steps or (300 if options.quick else 3000)
rng = np.random.default_rng(options.seed)


def make_disc_and_ring(m: int, rng: np.random.Generator):
    """m points in 2-D: class 1 inside radius 1, class 0 on a ring of radius 1.5–2.5."""
    inside = rng.random(m) < 0.5
    radius = np.where(inside, rng.uniform(0.0, 1.0, m), rng.uniform(1.5, 2.5, m))
    angle = rng.uniform(0.0, 2 * np.pi, m)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x, inside.astype(np.float64).reshape(m, 1)


# %% [markdown]
# ## Step 1 — preprocess: standardise each feature (mean 0, standard deviation 1)

# %%
x_raw, y = make_disc_and_ring(400, rng)
x = (x_raw - x_raw.mean(axis=0)) / x_raw.std(axis=0)

# %% [markdown]
# ## Step 2 — initialise: Glorot-uniform weights, zero biases (as Keras's Dense)

# %%
hidden = 8
limit1, limit2 = np.sqrt(6 / (2 + hidden)), np.sqrt(6 / (hidden + 1))
W1, b1 = rng.uniform(-limit1, limit1, (2, hidden)), np.zeros(hidden)
W2, b2 = rng.uniform(-limit2, limit2, (hidden, 1)), np.zeros(1)


# %% [markdown]
# ## Steps 3–5 — forward, loss, backward
#
# The backward pass uses the true gradients (lesson 02 derives them, and shows where the
# article's printed ones go wrong):
#
#     dz2 = (ŷ − y) / m             σ'(z2) cancels against the 1/ŷ and 1/(1−ŷ) of the log
#     dW2 = hᵀ dz2,  db2 = Σ dz2
#     dh  = dz2 W2ᵀ                  the error flows back through W2 (transposed)
#     dz1 = dh ⊙ σ'(z1) = dh ⊙ h (1 − h)
#     dW1 = xᵀ dz1,  db1 = Σ dz1

# %%
def forward(x, W1, b1, W2, b2):
    """Step 3: z1 = x W1 + b1, h = σ(z1), z2 = h W2 + b2, ŷ = σ(z2)."""
    h = ops.sigmoid(x @ W1 + b1)
    z2 = h @ W2 + b2
    return ops.sigmoid(z2), (x, h, z2)


def loss(y, z2):
    """Step 4: J, computed from z2 so log never sees 0: log ŷ = log σ(z2), log(1−ŷ) = log σ(−z2)."""
    return float(-np.mean(y * ops.log_sigmoid(z2) + (1 - y) * ops.log_sigmoid(-z2)))


def backward(y, cache, W2):
    """Step 5: the gradients of J with respect to W1, b1, W2, b2."""
    x, h, z2 = cache
    dz2 = (ops.sigmoid(z2) - y) / len(y)
    dW2, db2 = h.T @ dz2, dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * h * (1 - h)
    return x.T @ dz1, dz1.sum(axis=0), dW2, db2


# %% [markdown]
# Before training: is `backward` right? Compare it with central differences.

# %%
def J(W1, b1, W2, b2):
    return loss(y, forward(x, W1, b1, W2, b2)[1][2])


def grad_J(W1, b1, W2, b2):
    return backward(y, forward(x, W1, b1, W2, b2)[1], W2)


print(gradcheck.check_formula(J, grad_J, W1, b1, W2, b2))

# %% [markdown]
# ## Step 6 — iterate steps 3–5, moving every weight against its gradient

# %%
learning_rate = 2.0
losses = []
for step in range(1, steps + 1):
    y_hat, cache = forward(x, W1, b1, W2, b2)          # step 3
    losses.append(loss(y, cache[2]))                    # step 4
    dW1, db1, dW2, db2 = backward(y, cache, W2)         # step 5
    W1 -= learning_rate * dW1
    b1 -= learning_rate * db1
    W2 -= learning_rate * dW2
    b2 -= learning_rate * db2
    if step == 1 or step % (steps // 10) == 0:
        print(f"step {step:5d}   J = {losses[-1]:.4f}   accuracy = {np.mean((y_hat > 0.5) == y):.3f}")

y_hat, cache = forward(x, W1, b1, W2, b2)
print(f"\nfinal: J = {loss(y, cache[2]):.4f}, accuracy = {np.mean((y_hat > 0.5) == y):.3f} "
      f"on {len(y)} points")


# %% [markdown]
# ## Could a straight line have done it?
#
# Remove the hidden layer and the same steps train ŷ = σ(x w + b) — logistic regression, whose
# boundary w·x + b = 0 is a straight line. Gradient descent on J finds the line with the
# lowest cross-entropy, which need not be the line that gets the most points right, so we also
# search for that line directly: many directions, and along each every cut between two points.
# (When no tilt of a line lowers J by much, the J-optimal line is almost flat — w near 0, ŷ
# near the class rate for every point — and which side of 0.5 a point lands on is decided by a
# slight tilt. The lesson prints the final J and |w| to show how flat it is.)
#
# Accuracy on the points a model was fitted to flatters it, so each model is also scored on a
# fresh sample from the same disc and ring, standardised with the *training* points' mean and
# std. An accuracy a on n points carries a standard error √(a (1 − a) / n); the network and the
# best line are compared on the same new points, by the mean and standard error of their
# per-point difference (right = 1, wrong = 0).

# %%
def fit_logistic_regression(x, y, steps, learning_rate):
    """Steps 2–6 with no hidden layer: ŷ = σ(x w + b), w and b starting at 0.
    Returns w, b and the list of J per step."""
    w, b, losses = np.zeros((x.shape[1], 1)), np.zeros(1), []
    for _ in range(steps):
        z = x @ w + b
        losses.append(loss(y, z))
        dz = (ops.sigmoid(z) - y) / len(y)
        w -= learning_rate * (x.T @ dz)
        b -= learning_rate * dz.sum(axis=0)
    return w, b, losses


def best_straight_line(x, y, n_directions):
    """The line u·x = c with the most points on their class's side, over n_directions directions
    u (every 180°/n_directions) and every cut c between neighbouring projections, class 1 on
    either side. Returns (u, c, side): predict class 1 where side · (u·x − c) > 0."""
    angles = np.pi * np.arange(n_directions) / n_directions
    directions = np.stack([np.cos(angles), np.sin(angles)])
    unsorted = x @ directions                                       # (m, n_directions)
    order = np.argsort(unsorted, axis=0)
    projections, labels = np.take_along_axis(unsorted, order, axis=0), y[:, 0][order]
    ones_below = np.vstack([np.zeros(n_directions), np.cumsum(labels, axis=0)])
    zeros_below = np.arange(len(y) + 1)[:, None] - ones_below
    right_if_ones_above = zeros_below + (ones_below[-1] - ones_below)   # (m + 1 cuts, n_dir.)
    right = np.stack([right_if_ones_above, len(y) - right_if_ones_above])
    side, cut, direction = np.unravel_index(np.argmax(right), right.shape)
    edges = np.vstack([projections[:1] - 1, projections, projections[-1:] + 1])
    c = (edges[cut, direction] + edges[cut + 1, direction]) / 2
    return directions[:, direction], c, 1 - 2 * side


def right_or_wrong(predicted_class_1, y):
    """1.0 where the prediction (a boolean per point) equals the label, else 0.0."""
    return (predicted_class_1.reshape(-1, 1) == (y == 1)).astype(np.float64)[:, 0]


def with_standard_error(correct):
    """'a ± SE' for the per-point right (1) / wrong (0) array `correct`."""
    a = correct.mean()
    return f"{a:.3f} ± {np.sqrt(a * (1 - a) / len(correct)):.3f}"


n_directions = 3600
x_new_raw, y_new = make_disc_and_ring(400, rng)
x_new = (x_new_raw - x_raw.mean(axis=0)) / x_raw.std(axis=0)     # the training points' statistics
w, b, logistic_losses = fit_logistic_regression(x, y, steps, learning_rate)
u, c, side = best_straight_line(x, y, n_directions)
majority = float(y.mean() >= 0.5)
classifiers = {
    f"always the training majority (class {majority:.0f})":
        lambda p: np.full(len(p), majority == 1),
    f"logistic regression (no hidden layer, {steps} steps)": lambda p: (p @ w + b)[:, 0] > 0,
    f"best straight line ({n_directions} directions, every cut)": lambda p: side * (p @ u - c) > 0,
    f"two-layer network ({hidden} hidden units, {steps} steps)":
        lambda p: forward(p, W1, b1, W2, b2)[0][:, 0] > 0.5,
}
right = {name: (right_or_wrong(predict(x), y), right_or_wrong(predict(x_new), y_new))
         for name, predict in classifiers.items()}
print(f"\n{'accuracy':<58}{len(y)} training points   {len(y_new)} new points (± 1 SE)")
for name, (on_training, on_new) in right.items():
    print(f"{name:<58}{on_training.mean():10.3f}          {with_standard_error(on_new)}")
if any(on_new.all() for _, on_new in right.values()):
    print(f"(an accuracy of 1 has SE 0 by the formula; with no error in {len(y_new)} points, the "
          f"error rate is below 3/{len(y_new)} = {3 / len(y_new):.4f} with 95% confidence — "
          f"the 'rule of three')")
(majority_acc, _), (logistic_acc, _), (line_acc, line_new), (network_acc, network_new) = \
    [(train.mean(), new) for train, new in right.values()]
print(f"logistic regression's final J = {logistic_losses[-1]:.4f} (ln 2 = {np.log(2):.4f}, the J "
      f"of ŷ = 0.5 everywhere); |w| = {np.linalg.norm(w):.3f}")
if logistic_acc < line_acc:
    relation = ("worse than" if logistic_acc < majority_acc else
                "no better than" if logistic_acc == majority_acc else "better than")
    print(f"Minimising J is not maximising accuracy: the line gradient descent on J finds gets "
          f"{logistic_acc:.3f} of the training points right — {relation} always answering the "
          f"majority class ({majority_acc:.3f}) — while the best straight line gets "
          f"{line_acc:.3f}.")
else:
    print(f"Here the line gradient descent on J finds is at least as accurate as the best "
          f"straight line the search found ({logistic_acc:.3f} vs {line_acc:.3f}).")
difference = network_new - line_new
difference_se = difference.std(ddof=1) / np.sqrt(len(difference))
if difference.mean() > 2 * difference_se:
    print(f"The hidden layer does what no straight line can: on the new points the network "
          f"scores {difference.mean():+.3f} ± {difference_se:.3f} above the best straight line "
          f"({difference.mean() / difference_se:.0f} SE).")
else:
    relation = ("below" if difference.mean() < -2 * difference_se else
                "within 2 SE of")
    print(f"On the new points the network is {relation} the best straight line "
          f"({difference.mean():+.3f} ± {difference_se:.3f}): after {steps} steps the hidden "
          f"layer has not yet shown what it adds — try more --steps.")

# %%
if lesson.figures_available():
    lesson.save_figure(plotting.loss_curves(
        {"two-layer network": losses, "logistic regression (no hidden layer)": logistic_losses},
        title=f"Lesson 01: gradient descent on J, {len(y)} training points",
        xlabel="gradient-descent step", ylabel="J (binary cross-entropy)", log_y=True),
        options, "01_loss_curve.png")
