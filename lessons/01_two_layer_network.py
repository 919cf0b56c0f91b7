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
      f"on {len(y)} points (a straight line could reach only about 0.5–0.6 here).")

# %%
if lesson.figures_available():
    lesson.save_figure(plotting.loss_curves(
        {"J (binary cross-entropy)": losses},
        title="Lesson 01: gradient descent on the two-layer network",
        xlabel="gradient-descent step", log_y=True), options, "01_loss_curve.png")
