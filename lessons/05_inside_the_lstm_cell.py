# %% [markdown]
# # Lesson 05 — inside the LSTM cell
#
# The article's §5 model is Embedding → **LSTM(64)** → Dense. This lesson opens the LSTM:
#
# 1. the cell's equations, and ONE step computed by hand with plain NumPy, gate by gate,
#    checked against `nanonet.layers.lstm_step_forward`;
# 2. backpropagation through time (BPTT): why the gradient travels back through the cell
#    state c, and why the forget gate decides how far it gets; numerical gradient checks of
#    one cell step and of the whole LSTM layer;
# 3. a task that needs memory — report the FIRST token of a sequence at its LAST step, after a
#    run of distractors — trained with nanonet, next to a model without memory that cannot
#    (and one that sees every token at once, for which the task is easy);
# 4. BPTT written out as a loop of `lstm_step_backward`, equal to the layer's gradient, and
#    how much of the gradient on c, and of the cell-state path, reaches step 1 before and
#    after training;
# 5. what holds the memory in the trained cell: its gates over time, and three experiments
#    that switch parts of the cell off;
# 6. the same measurements over several seeds: what holds across them and what does not;
# 7. figures: the training curve, the gradient through c (every seed), the gates as heat maps
#    (time × units), the memory unit over time.
#
# Run: `python -m nanonet lesson 05` (options: `--out DIR`, `--quick`, `--seed N`).

# %%
"""Lesson 05 — inside the LSTM cell: the gates by hand, backpropagation through time, and how a trained cell remembers."""
import time
from typing import Dict, NamedTuple

import numpy as np

import nanonet as nn
from nanonet import gradcheck, layers, lesson, optimizers, plotting
from nanonet.lesson import section

options = lesson.options("05")
started = time.perf_counter()
rng = np.random.default_rng(options.seed)
np.set_printoptions(precision=4, suppress=True, linewidth=100)

# %% [markdown]
# ## 1. The cell's equations
#
# One step takes the input x_t (D features), the previous output h_{t−1} and the previous
# cell state c_{t−1} (U units each). One matrix product gives all four gates' pre-activations;
# the columns of W (D, 4U), R (U, 4U) and b (4U,) come in four blocks, Keras's order
# **[i, f, c̃, o]**:
#
#     z   = x_t W + h_{t−1} R + b
#     i   = σ(z_i)          input gate:  how much of the candidate to write     (0 … 1)
#     f   = σ(z_f)          forget gate: how much of the old cell to keep      (0 … 1)
#     c̃   = tanh(z_c)       candidate:   the value that could be written       (−1 … 1)
#     o   = σ(z_o)          output gate: how much of the cell to show          (0 … 1)
#     c_t = f ⊙ c_{t−1} + i ⊙ c̃
#     h_t = o ⊙ tanh(c_t)                                   h_0 = c_0 = 0
#
# c is the memory: from one step to the next it changes only by a gate-weighted mix — no
# weight matrix, no squashing. h is what the rest of the network (and the next step) sees.


# %%
def sigmoid(v):
    """σ(v) = 1 / (1 + e^(−v)), the textbook form."""
    return 1.0 / (1.0 + np.exp(-v))


def lstm_step_by_hand(x, h_prev, c_prev, W, R, b):
    """The six equations above in plain NumPy. Returns (h_t, c_t, z, [i, f, c̃, o])."""
    z = x @ W + h_prev @ R + b
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)       # the four column blocks [i, f, c̃, o]
    i, f, c_tilde, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c = f * c_prev + i * c_tilde
    h = o * np.tanh(c)
    return h, c, z, [i, f, c_tilde, o]


section("One LSTM step by hand (N = 1 sample, D = 3 inputs, U = 2 units)")
D, U = 3, 2
x_t = rng.standard_normal((1, D))
h_prev = np.tanh(rng.standard_normal((1, U)))
c_prev = rng.standard_normal((1, U))
W = rng.uniform(-0.8, 0.8, (D, 4 * U))
R = rng.uniform(-0.8, 0.8, (U, 4 * U))
b = np.zeros(4 * U)
b[U:2 * U] = 1.0                                       # Keras's unit_forget_bias: forget block = 1

h_t, c_t, z, (i_gate, f_gate, c_tilde, o_gate) = lstm_step_by_hand(x_t, h_prev, c_prev, W, R, b)
print("x_t = ", x_t[0], "   h_{t-1} =", h_prev[0], "   c_{t-1} =", c_prev[0])
print("z = x_t W + h_{t-1} R + b =", z[0])
print("  blocks z_i | z_f | z_c | z_o =", " | ".join(str(block[0]) for block in np.split(z, 4, 1)))
print("i   = σ(z_i)              =", i_gate[0])
print("f   = σ(z_f)              =", f_gate[0], "  (the forget bias 1 pushes it up)")
print("c̃   = tanh(z_c)           =", c_tilde[0])
print("o   = σ(z_o)              =", o_gate[0])
print("c_t = f⊙c_{t-1} + i⊙c̃     =", c_t[0], " =", (f_gate * c_prev)[0], "kept +",
      (i_gate * c_tilde)[0], "written")
print("h_t = o⊙tanh(c_t)         =", h_t[0])

h_lib, c_lib, cache = layers.lstm_step_forward(x_t, h_prev, c_prev, W, R, b)
gates_lib = cache[3]                                   # the cache keeps [i f c̃ o] for backward
step_difference = max(np.abs(h_lib - h_t).max(), np.abs(c_lib - c_t).max(),
                      np.abs(gates_lib - np.hstack([i_gate, f_gate, c_tilde, o_gate])).max())
print(f"\nnanonet.layers.lstm_step_forward: h_t = {h_lib[0]}, c_t = {c_lib[0]}")
print(f"hand-computed step equals lstm_step_forward: {step_difference < 1e-12} "
      f"(largest difference over h, c and the four gates: {step_difference:.1e})")
print("(lstm_step_forward is these very equations, σ(z) = 1/(1 + e^(−z)) included. The fast\n"
      " engine that trains models by default, nanonet.fast.lstm, fuses the four gates into one\n"
      " tanh with σ(z) = ½ + ½·tanh(z/2); it agrees with this step to the last bit or two.)")

# %% [markdown]
# ## 2. Backpropagation through time
#
# Unrolled over T steps, an LSTM is a T-layer network whose layers share W, R, b. Here the
# loss depends on h_T only. Going backwards, each step receives dh = ∂L/∂h_t and dc = ∂L/∂c_t
# (the part that came through c_{t+1}) and returns the same pair for step t − 1:
#
#     do       = dh ⊙ tanh(c_t)
#     dc       = dc + dh ⊙ o ⊙ (1 − tanh²(c_t))        all that reaches c_t
#     di = dc ⊙ c̃     df = dc ⊙ c_{t−1}     dc̃ = dc ⊙ i
#     dz       = [di ⊙ i(1−i), df ⊙ f(1−f), dc̃ ⊙ (1−c̃²), do ⊙ o(1−o)]
#     dc_{t−1} = dc ⊙ f                                  ← the cell-state path
#     dh_{t−1} = dz Rᵀ                                   ← the recurrent path
#     dW += x_tᵀ dz    dR += h_{t−1}ᵀ dz    db += Σ dz    (summed over all steps)
#
# Two paths carry the gradient back in time. The recurrent path goes through R and through
# the derivatives of σ and tanh (at most ¼ and 1) at every step, so over many steps it
# usually shrinks (or blows up) geometrically — the vanishing-gradient problem of a plain
# RNN. The cell-state path is a product of forget gates and nothing else:
#
#     ∂c_T/∂c_t (along c) = f_{t+1} ⊙ f_{t+2} ⊙ … ⊙ f_T
#
# No weight matrix, no squashing derivative. Where the forget gate is ≈ 1 the gradient — and
# the memory — passes through many steps nearly unchanged; where it is ≈ 0 both are cut.
# That is why Keras starts the forget bias at 1 (σ(1) ≈ 0.73: keep most, at first), and why
# the forget gate decides how far back the LSTM can learn. Section 4 measures it.
#
# First, are `lstm_step_backward` and the layer's BPTT right? Central differences in float64
# against a random upstream gradient (as `python -m nanonet gradcheck` does).


# %%
def step(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One step's two outputs side by side: [h_t, c_t] (N, 2U)."""
    h, c, _ = layers.lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)
    return np.concatenate([h, c], axis=1)


def step_backward(x, h_prev, c_prev, kernel, recurrent_kernel, bias, dout):
    """The backward step, fed the random upstream gradient dout = [dh, dc]."""
    cache = layers.lstm_step_forward(x, h_prev, c_prev, kernel, recurrent_kernel, bias)[2]
    units = h_prev.shape[1]
    return layers.lstm_step_backward(dout[:, :units], dout[:, units:], cache)


section("Gradient check of one cell step: lstm_step_forward / lstm_step_backward")
n, d, u = 2, 3, 2
step_args = [rng.standard_normal(shape) for shape in
             ((n, d), (n, u), (n, u), (d, 4 * u), (u, 4 * u), (4 * u,))]
step_report = gradcheck.check_formula(step, step_backward, *step_args, seed=options.seed)
step_report.title = "one LSTM step (random upstream gradient on h_t and c_t)"
print(step_report)

section("Gradient check of the LSTM layer over a sequence (BPTT: every weight and the input)")
layer_report = gradcheck.check_layer(layers.LSTM(3, return_sequences=True),
                                     rng.standard_normal((2, 6, 4)), seed=options.seed)
layer_report.title = "LSTM(3, return_sequences=True) on x of shape (2, 6, 4)"
print(layer_report)
print(f"\ngradient checks: cell step {'PASSED' if step_report.passed else 'FAILED'}, "
      f"LSTM layer {'PASSED' if layer_report.passed else 'FAILED'} (largest relative errors "
      f"{step_report.max_rel_error:.1e} and {layer_report.max_rel_error:.1e})")

# %% [markdown]
# ## 3. A task that needs memory
#
# Each sequence starts with a signal token, A (id 1) or B (id 2), followed by T − 1
# distractor tokens drawn at random from ids 3 … 9. The label is 1 for A and 0 for B, and the
# model must give it at the LAST step. The distractors carry no information about the label,
# so a model that sees only the current step can do no better than a coin — we check that
# with a logistic regression on the last token. The LSTM has to put the signal into its state
# at step 1 and keep it through T − 1 steps of noise. Same architecture as the article:
# Embedding → LSTM → Dense(1, sigmoid), trained with `fit`.
#
# The task tests memory across steps; it is not a hard problem. A model that sees every token
# at once — a logistic regression on how often each token occurs — only has to notice
# whether A or B is among them, and the printout shows it does. The LSTM reads one token at a
# time, so it has to carry the first one through the rest.

# %%
SIGNAL_A, SIGNAL_B, VOCABULARY = 1, 2, 10
steps = 20
train_size, test_size = (400, 400) if options.quick else (1000, 500)
epochs = 12 if options.quick else 20
units = 4
NEAR_COIN_LOSS = 0.65            # a loss this high is still close to a coin's log 2 ≈ 0.693


def make_memory_task(count: int, rng: np.random.Generator):
    """ids (count, steps): A or B, then distractors 3…9; labels 1 for A, 0 for B."""
    first = rng.choice([SIGNAL_A, SIGNAL_B], count)
    ids = rng.integers(3, VOCABULARY, (count, steps))
    ids[:, 0] = first
    return ids, (first == SIGNAL_A).astype(np.float32)


class MemoryTask(NamedTuple):
    """The memory task's training and test sequences (ids) and labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def draw_memory_task(rng: np.random.Generator) -> MemoryTask:
    """train_size training and test_size test sequences of the memory task."""
    return MemoryTask(*make_memory_task(train_size, rng), *make_memory_task(test_size, rng))


def logistic_accuracy(features_train, features_test):
    """Test accuracy of a logistic regression, Dense(1, sigmoid) trained with Adam(0.05) for
    20 epochs on `features_train` (one row per training sequence of the lesson's task): a
    baseline."""
    baseline = nn.Sequential([layers.Dense(1, activation="sigmoid",
                                           input_shape=(features_train.shape[1],))],
                             seed=options.seed)
    baseline.compile(optimizer=optimizers.Adam(0.05), loss="binary_crossentropy",
                     metrics=["accuracy"])
    baseline.fit(features_train, y_train, epochs=20, batch_size=32, verbose=0)
    return baseline.evaluate(features_test, y_test, verbose=0)[1]


def token_counts(ids):
    """(count, VOCABULARY): how often each token id occurs in each sequence — every step at
    once, in no order."""
    return (ids[:, :, None] == np.arange(VOCABULARY)).sum(axis=1).astype(np.float32)


def train_memory_model(seed: int, task: MemoryTask):
    """Embedding → LSTM(units) → Dense(1, sigmoid), initial weights from `seed`, trained on
    `task`. Returns (model, initial weights, trained weights, history)."""
    memory_model = nn.Sequential([layers.Embedding(VOCABULARY, 8),
                                  layers.LSTM(units),
                                  layers.Dense(1, activation="sigmoid")], seed=seed)
    memory_model.compile(optimizer=optimizers.Adam(0.01), loss="binary_crossentropy",
                         metrics=["accuracy"])
    memory_model.build((steps,))
    initial = memory_model.get_weights()
    fitted = memory_model.fit(task.x_train, task.y_train, epochs=epochs, batch_size=32,
                              verbose=0)
    return memory_model, initial, memory_model.get_weights(), fitted


def epochs_near_coin(fitted) -> int:
    """How many epochs, from the first on, the training loss stayed ≥ NEAR_COIN_LOSS."""
    near = np.asarray(fitted.history["loss"]) >= NEAR_COIN_LOSS
    return len(near) if near.all() else int(np.argmin(near))


task = draw_memory_task(rng)
x_train, y_train, x_test, y_test = task
section(f"The memory task: {steps} steps, the answer is the first token")
examples = np.concatenate([np.flatnonzero(y_train == 1)[:2], np.flatnonzero(y_train == 0)[:2]])
for row in examples:
    name = "A" if x_train[row, 0] == SIGNAL_A else "B"
    print(f"  {x_train[row].tolist()}  → label {int(y_train[row])} (first token {name})")

# a model without memory sees only the last step (the last token, one-hot); one that sees
# every step at once gets the token counts
one_hot = np.eye(VOCABULARY, dtype=np.float32)
memoryless_accuracy = logistic_accuracy(one_hot[x_train[:, -1]], one_hot[x_test[:, -1]])
counts_accuracy = logistic_accuracy(token_counts(x_train), token_counts(x_test))

model, initial_weights, trained_weights, history = train_memory_model(options.seed, task)
_, lstm_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"\nEmbedding({VOCABULARY}, 8) → LSTM({units}) → Dense(1, sigmoid), Adam(0.01), "
      f"{epochs} epochs of {train_size} sequences, batch 32:")
for epoch in sorted({1, 2, 3, epochs // 2, epochs}):
    print(f"  epoch {epoch:2d}: loss {history.history['loss'][epoch - 1]:.4f}, "
          f"accuracy {history.history['accuracy'][epoch - 1]:.4f}")
plateau = epochs_near_coin(history)
print(f"the loss stayed at {NEAR_COIN_LOSS} or more (near log 2 ≈ 0.693, a coin) for the first "
      f"{plateau} of {epochs} epochs, and ended at {history.history['loss'][-1]:.4f}")
print(f"memory task test accuracy: LSTM {lstm_accuracy:.3f}, "
      f"memoryless (last step only) {memoryless_accuracy:.3f}, chance 0.5")
print(f"every token at once (logistic regression on the token counts): {counts_accuracy:.3f}")
print(f"(each accuracy is on {test_size} test sequences: a binomial standard error of at most "
      f"0.5/√{test_size} = {0.5 / np.sqrt(test_size):.3f})")

# %% [markdown]
# The printout says for how many epochs the loss stayed near log 2 ≈ 0.693 (a coin) before it
# fell. The next section shows why it has to wait: at the start, the gradient from the last
# step barely reaches the first.
#
# ## 4. BPTT by hand: a loop of `lstm_step_backward`
#
# Run the cell step by step with `lstm_step_forward`, then walk back with
# `lstm_step_backward`, starting from the gradient the Dense layer sends to h_T. The summed
# weight gradients must equal what the model computes for its LSTM layer in one call
# (`model.loss_and_grads`). On the way we record |∂L/∂c_t|, the gradient reaching each step's
# cell state, with the initial weights (forget gates ≈ σ(1) ≈ 0.73) and the trained ones —
# and, beside it, what the cell-state path alone passes from c_1 to c_T: the product of
# forget gates f_2 ⊙ ⋯ ⊙ f_T of section 2.
# (This loop is nanonet's own `layers.lstm_backward`, which adds masking and dropout to it and
# is what `Sequential(..., engine="reference")` trains with. The model here uses the default
# fast engine, `nanonet.fast.lstm`: fused gates and in-place buffers, the same numbers.)


# %%
def run_cell(weights, ids):
    """The model's forward pass as a loop of lstm_step_forward, in float64.

    Returns (probabilities (N,), per-step caches, h (T+1, N, U), c (T+1, N, U),
    gates (T, N, 4U))."""
    table, kernel, recurrent, bias, dense_kernel, dense_bias = [w.astype(np.float64)
                                                                for w in weights]
    x = table[ids]                                            # (N, T, E): the Embedding
    h = np.zeros((len(ids), recurrent.shape[0]))
    c = np.zeros_like(h)
    caches, hs, cs = [], [h], [c]
    for t in range(ids.shape[1]):
        h, c, cache = layers.lstm_step_forward(x[:, t], h, c, kernel, recurrent, bias)
        caches.append(cache)
        hs.append(h)
        cs.append(c)
    logits = h @ dense_kernel + dense_bias
    gates = np.stack([cache[3] for cache in caches])
    return sigmoid(logits[:, 0]), caches, np.stack(hs), np.stack(cs), gates


def bptt_by_hand(weights, ids, y):
    """∂L/∂(kernel, recurrent_kernel, bias) by looping lstm_step_backward from T down to 1,
    and |∂L/∂c_t| (mean over samples and units) for t = 0 … T."""
    p, caches, *_ = run_cell(weights, ids)
    dense_kernel = weights[4].astype(np.float64)
    d_logits = (p - y)[:, None] / len(y)                      # BCE through a sigmoid
    dh = d_logits @ dense_kernel.T                            # what Dense sends to h_T
    dc = np.zeros_like(dh)                                    # nothing reaches c_T directly
    grads = [np.zeros(w.shape) for w in weights[1:4]]
    dc_size = np.zeros(len(caches) + 1)
    n_units = dh.shape[1]
    for t in reversed(range(len(caches))):
        gates, tanh_c = caches[t][3], caches[t][4]
        o = gates[:, 3 * n_units:]
        dc_size[t + 1] = np.abs(dc + dh * o * (1 - tanh_c ** 2)).mean()   # all of ∂L/∂c_t
        _, dh, dc, d_kernel, d_recurrent, d_bias = layers.lstm_step_backward(dh, dc, caches[t])
        for total, part in zip(grads, (d_kernel, d_recurrent, d_bias)):
            total += part
    dc_size[0] = np.abs(dc).mean()
    return grads, dc_size


def cell_path_gain(weights, ids):
    """f_{t+1} ⊙ ⋯ ⊙ f_T, what the cell-state path alone passes from c_t to c_T, for
    t = 1 … T (1 at t = T): the median over the sequences `ids` and the units."""
    forget = run_cell(weights, ids)[4][:, :, units:2 * units]          # (T, N, U)
    kept_from = np.cumprod(forget[::-1], axis=0)[::-1]                  # [k] = f_{k+1}⋯f_T
    gains = np.concatenate([kept_from[1:], np.ones_like(forget[:1])])  # [t − 1] = f_{t+1}⋯f_T
    return np.median(gains, axis=(1, 2))


def more_or_less(after: float, before: float) -> str:
    """'more' if `after` > `before`, else 'less' (or 'as much', if they are equal)."""
    return "more" if after > before else "less" if after < before else "as much"


section("BPTT as a loop of lstm_step_backward vs the LSTM layer's gradient")


def probe_of(task: MemoryTask):
    """The sequences whose gradients we follow: the first 64 test sequences (ids, labels)."""
    return task.x_test[:64], task.y_test[:64].astype(np.float64)


probe_ids, probe_y = probe_of(task)
dc_curves, gain_curves = {}, {}
for label, weights in (("before training", initial_weights), ("after training", trained_weights)):
    by_hand, dc_curves[label] = bptt_by_hand(weights, probe_ids, probe_y)
    gain_curves[label] = cell_path_gain(weights, probe_ids)
    model.set_weights(weights)
    _, layer_grads = model.loss_and_grads(probe_ids, probe_y)
    worst = max(float(np.abs(g - lg).max() / np.abs(lg).max())
                for g, lg in zip(by_hand, layer_grads[1:4]))
    curve = dc_curves[label]
    print(f"{label}: the loop of lstm_step_backward vs model.loss_and_grads (LSTM kernel, "
          f"recurrent_kernel, bias): largest difference {worst:.1e} of the largest gradient "
          f"(a float64 loop vs the float32 model)")
    print(f"  |∂L/∂c_t|, mean over samples and units: t=T {curve[-1]:.2e}, "
          f"t=T/2 {curve[steps // 2]:.2e}, t=1 {curve[1]:.2e}; "
          f"t=1 gets {curve[1] / curve[-1]:.1e} of what t=T gets")
    print(f"  the cell-state path alone, f_2⋯f_T (median over samples and units): "
          f"{gain_curves[label][0]:.1e}")
model.set_weights(trained_weights)
before_f = run_cell(initial_weights, probe_ids)[4][:, :, units:2 * units]
print(f"before training the forget gates average {before_f.mean():.3f}; "
      f"{before_f.mean():.3f}^{steps - 1} = {before_f.mean() ** (steps - 1):.1e}")
ratio_before, ratio_after = (dc_curves[label][1] / dc_curves[label][-1] for label in dc_curves)
gain_before, gain_after = (gain_curves[label][0] for label in gain_curves)
print(f"→ In this run, after training t=1 gets {more_or_less(ratio_after, ratio_before)} of "
      f"what t=T gets than before ({ratio_after:.1e} vs {ratio_before:.1e}); the cell-state "
      f"path alone passes {more_or_less(gain_after, gain_before)} ({gain_after:.1e} vs "
      f"{gain_before:.1e}).")

# %% [markdown]
# Before training, only a small fraction of the gradient at c_T reaches c_1, and the
# cell-state path alone passes about 0.73^19 — the product of forget gates near σ(1). The
# weights that read the first token get almost no signal: the plateau at the start of the
# loss curve. Training moves the forget gates, and with them what the cell-state path passes
# (the two numbers f_2⋯f_T above).
#
# The full gradient on c_1 is another matter. It also runs through h and R at every step,
# where the contributions of the paths can add up or cancel, and after training the gradient
# at c_T is itself far smaller than before (compare |∂L/∂c_T|: the trained model is sure of
# its answers, so the loss sends back little). Nothing in the cell promises that a larger
# share of it reaches c_1 after training: the line above says what happened in this run, and
# section 6 counts it, with its spread, over several seeds. A trained memory does not need
# the gradient to reach far back any more; it is the *untrained* cell whose gradient must get
# through, for learning to start.
#
# ## 5. What holds the memory?
#
# The textbook story: the input gate opens at the signal, the forget gate stays ≈ 1 to hold
# it, the input gate closes on the distractors. Let us look at what the trained cell really
# does, and then switch parts of it off (on the test set, with the trained weights, from step
# 2 on):
#
# * **forget gate cut**, f := 0: the cell keeps nothing from one step to the next;
# * **recurrent weights cut**, R := 0: the gates see only the current token, not h_{t−1};
# * **textbook memory**, f := 1 and i := 0: c_1 is kept exactly and nothing more is written.

# %%
ERASED_BELOW = 0.75      # a cut that leaves less accuracy than this erased the memory
WORKS_FROM = 0.95        # a cell (cut or frozen) this accurate still works
WRONG_UP_TO = 0.05       # frozen c_1 this accurate is wrong on almost every sequence
LATCH_SIGN_SHARE, LATCH_SIZE = 0.9, 2.0  # c̃ keeps c_T's sign this often; |c_T| this large


def forget_gate_means(gate_seq, is_a):
    """(units, 2): the mean forget gate over the distractors (steps 2…T), per unit, for the
    sequences of class A and of class B."""
    forget = gate_seq[1:, :, units:2 * units]
    return np.stack([forget[:, is_a].mean(axis=(0, 1)), forget[:, ~is_a].mean(axis=(0, 1))], 1)


def memory_unit_of(c_seq, is_a) -> int:
    """The unit whose final cell state c_T separates A from B the most (class means)."""
    gap = c_seq[-1][is_a].mean(axis=0) - c_seq[-1][~is_a].mean(axis=0)
    return int(np.argmax(np.abs(gap)))


def latch_evidence(c_seq, gate_seq, unit: int):
    """What makes `unit` a latch, over the distractors: the share of steps whose candidate c̃
    has the sign of the sequence's final c_T, the mean input gate, the median |c| at step 1
    and at step T, and whether it is a latch (that share ≥ LATCH_SIGN_SHARE and the median
    |c_T| ≥ LATCH_SIZE, where tanh(c) is ≥ 0.96: saturated)."""
    candidate = gate_seq[1:, :, 2 * units + unit]
    same_sign = float(np.mean(np.sign(candidate) == np.sign(c_seq[-1, :, unit])))
    input_gate = float(gate_seq[1:, :, unit].mean())
    start, end = (float(np.median(np.abs(c_seq[t, :, unit]))) for t in (1, -1))
    return same_sign, input_gate, start, end, same_sign >= LATCH_SIGN_SHARE and end >= LATCH_SIZE


def below_nine_tenths(means):
    """Which forget gates `means` are below 0.9 as printed (to 3 decimals)."""
    return np.round(means, 3) < 0.9


def forget_gate_sentence(means) -> str:
    """The forget gates `means` as computed: lowest, median, highest, and how many are < 0.9."""
    below = int(np.sum(below_nine_tenths(means)))
    verdict = ("every one is 0.9 or more" if below == 0 else
               f"{below} of {means.size} {'is' if below == 1 else 'are'} below 0.9")
    return (f"forget gates over the distractors (the table's 'f after', {means.size} means): "
            f"lowest {means.min():.3f}, median {np.median(means):.3f}, highest "
            f"{means.max():.3f}; {verdict}")


def frozen_kind(frozen: float) -> str:
    """'right', 'wrong' or 'neither': what the cell with c_1 frozen (the textbook memory,
    f := 1, i := 0 after step 1) does, from its accuracy `frozen`."""
    return "right" if frozen >= WORKS_FROM else "wrong" if frozen <= WRONG_UP_TO else "neither"


def frozen_c1_verdict(frozen: float, as_trained: float) -> str:
    """What the textbook-memory accuracy `frozen` says about c_1."""
    kind = frozen_kind(frozen)
    if kind == "right":
        return f"c_1 alone holds the answer: frozen after step 1 the cell still scores {frozen:.3f}"
    if kind == "wrong":
        return (f"frozen after step 1 the cell scores {frozen:.3f}, wrong on almost every "
                f"sequence: c_1 does hold the answer, but the readout at step T reads it the "
                f"other way round")
    return (f"c_1 alone is not enough: frozen after step 1 the cell scores {frozen:.3f} "
            f"(chance 0.5), against {as_trained:.3f} as trained")


_, _, _, c_seq, gate_seq = run_cell(trained_weights, x_test)
i_seq, f_seq = gate_seq[..., :units], gate_seq[..., units:2 * units]
cand_seq, o_seq = gate_seq[..., 2 * units:3 * units], gate_seq[..., 3 * units:]
is_a = y_test == 1
memory_unit = memory_unit_of(c_seq, is_a)
forget_after = forget_gate_means(gate_seq, is_a)
section("What the trained cell does, unit by unit (means over the test sequences)")
print("unit | class | i at t=1  i after | f at t=1  f after | c̃ after | c_1     c_T")
for unit in range(units):
    for column, (name, rows) in enumerate((("A", is_a), ("B", ~is_a))):
        print(f"{unit:4d} |   {name}   | {i_seq[0, rows, unit].mean():8.3f} "
              f"{i_seq[1:, rows, unit].mean():8.3f} | {f_seq[0, rows, unit].mean():8.3f} "
              f"{forget_after[unit, column]:8.3f} | {cand_seq[1:, rows, unit].mean():+7.3f} | "
              f"{c_seq[1, rows, unit].mean():+6.3f} {c_seq[-1, rows, unit].mean():+7.3f}")
print(f"('after' = steps 2…T, the distractors.) Unit {memory_unit} separates A from B the most "
      f"at the end: c_T {c_seq[-1][is_a, memory_unit].mean():+.2f} (A) vs "
      f"{c_seq[-1][~is_a, memory_unit].mean():+.2f} (B).")
print(forget_gate_sentence(forget_after))
same_sign, input_gate, c_start, c_end, is_latch = latch_evidence(c_seq, gate_seq, memory_unit)
print(f"Unit {memory_unit} over the distractors: its candidate c̃ has the sign of its final c_T "
      f"on {same_sign:.0%} of the steps, its input gate averages {input_gate:.2f}, and |c| "
      f"(median) goes from {c_start:.2f} at step 1 to {c_end:.2f} at step T")
print(f"→ unit {memory_unit} " + ("is a latch" if is_latch else "is not a clean latch")
      + f" (a latch: c̃ with c_T's sign on ≥ {LATCH_SIGN_SHARE:.0%} of the steps and "
      f"|c_T| ≥ {LATCH_SIZE:.0f}, where tanh saturates)")


def accuracy_with(weights, ids, y, cut=None):
    """Test accuracy of the trained model run by hand (lstm_step_by_hand), with part of the
    cell switched off from step 2 on: cut = None, "forget", "recurrent" or "textbook"."""
    table, kernel, recurrent, bias, dense_kernel, dense_bias = [w.astype(np.float64)
                                                                for w in weights]
    x = table[ids]
    h = np.zeros((len(ids), recurrent.shape[0]))
    c = np.zeros_like(h)
    for t in range(ids.shape[1]):
        R_t = np.zeros_like(recurrent) if cut == "recurrent" and t > 0 else recurrent
        z = x[:, t] @ kernel + h @ R_t + bias
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
        i, f, c_tilde, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
        if t > 0 and cut == "forget":
            f = np.zeros_like(f)
        if t > 0 and cut == "textbook":
            f, i = np.ones_like(f), np.zeros_like(i)
        c = f * c + i * c_tilde
        h = o * np.tanh(c)
    p = sigmoid((h @ dense_kernel + dense_bias)[:, 0])
    return float(np.mean((p > 0.5) == (y == 1)))


def switched_off(weights, task: MemoryTask):
    """Test accuracy on `task` as trained and with each part of the cell switched off."""
    return {cut: accuracy_with(weights, task.x_test, task.y_test, cut)
            for cut in (None, "forget", "recurrent", "textbook")}


PARTS = {"forget": "the forget gate", "recurrent": "the recurrent loop"}
CUT_EFFECTS = ("erases most of the memory", "hurts the memory", "leaves the memory working")


def cut_effect(accuracy: float) -> str:
    """What cutting a part did to the memory, from the accuracy left: it erases most of it
    (< ERASED_BELOW), leaves it working (≥ WORKS_FROM) or hurts it (in between)."""
    return CUT_EFFECTS[0 if accuracy < ERASED_BELOW else 2 if accuracy >= WORKS_FROM else 1]


section("Switching parts of the trained cell off (test accuracy, from step 2 on)")
ablations = switched_off(trained_weights, task)
print(f"  as trained (the loop by hand):                 {ablations[None]:.3f}")
print(f"  forget gate cut, f := 0:                      {ablations['forget']:.3f}")
print(f"  recurrent weights cut, R := 0:                {ablations['recurrent']:.3f}")
print(f"  textbook memory, f := 1, i := 0:              {ablations['textbook']:.3f}")
print("→ In this run cutting " + "; cutting ".join(
    f"{name} {cut_effect(ablations[cut])} ({ablations[cut]:.3f})" for cut, name in PARTS.items())
      + f" (erases most of it: below {ERASED_BELOW}; leaves it working: {WORKS_FROM} or more).")
print("→ " + frozen_c1_verdict(ablations["textbook"], ablations[None]) + ".")
kept = np.prod(f_seq[1:, :, memory_unit], axis=0)
print(f"  Unit {memory_unit}: forget gate over the distractors "
      f"{f_seq[1:, is_a, memory_unit].mean():.3f} (A) / "
      f"{f_seq[1:, ~is_a, memory_unit].mean():.3f} (B); on its own it would keep "
      f"f_2⋯f_T = {np.median(kept):.2f} of c_1 (median).")

# %% [markdown]
# What to read in these numbers. A cell need not learn the textbook memory. One solution
# gradient descent can find is a **latch**: the signal written at step 1 tips h_1 one way;
# through R, h_{t−1} then drives the candidate c̃ to the same sign at every later step, the
# input gate lets it in, and the forget gate keeps part of c from step to step, so c grows to
# several units and tanh(c) saturates: h stays a clean ± signal whatever the distractors are.
# The lines above say whether this run's memory unit is such a latch, and which parts its
# memory needs. (With R := 0 the candidate follows the current token only, so the chain that
# keeps c̃'s sign is broken; with f := 0 nothing is kept from one step to the next.) Freezing
# c_1 (the textbook memory) answers right only if c_1 already has the sign the readout reads
# at step T — it may have the opposite one, or too little of it. Gradient descent finds *a*
# solution, not the one in the diagram, and which one depends on the seed: the next section
# shows how much.
#
# ## 6. The same lesson over several seeds
#
# One run shows one solution. Here the experiment is repeated with several seeds — the
# lesson's seed (this run, its first row) and the next ones, each drawing its own training
# and test sequences and its own initial weights — and every measurement above is taken
# again: what holds across the seeds, and what does not, is counted below. (The other rows
# draw their sequences straight from their seed, so they are not the numbers that
# `--seed N` prints: that run draws them after section 1's and 2's random numbers.)

# %%
study_seeds = [options.seed + offset for offset in range(3 if options.quick else 8)]


class SeedResult(NamedTuple):
    """Section 3's, 4's and 5's measurements of one run of the experiment with seed `seed`."""

    seed: int
    epochs_near_coin: int
    accuracy: float
    gradient: Dict[str, np.ndarray]   # "before/after training" → |∂L/∂c_t| / |∂L/∂c_T|, t=1…T
    gain: Dict[str, np.ndarray]       # "before/after training" → f_{t+1}⋯f_T (median), t=1…T
    forget_after: np.ndarray          # (units, 2): mean forget gate over the distractors
    ablations: Dict
    latch: bool


def study(seed: int, task: MemoryTask, trained_model, initial, trained, fitted) -> SeedResult:
    """Every measurement of sections 4 and 5 for one model trained on `task`."""
    ids, y = probe_of(task)
    gradient, gain = {}, {}
    for label, weights in (("before training", initial), ("after training", trained)):
        dc_size = bptt_by_hand(weights, ids, y)[1]
        gradient[label] = dc_size[1:] / dc_size[-1]
        gain[label] = cell_path_gain(weights, ids)
    _, _, _, cells, gates = run_cell(trained, task.x_test)
    class_a = task.y_test == 1
    latch = latch_evidence(cells, gates, memory_unit_of(cells, class_a))[-1]
    accuracy = trained_model.evaluate(task.x_test, task.y_test, verbose=0)[1]
    return SeedResult(seed, epochs_near_coin(fitted), accuracy, gradient, gain,
                      forget_gate_means(gates, class_a), switched_off(trained, task), latch)


def study_seed(seed: int) -> SeedResult:
    """Section 6 for one more seed: a new draw of the task and new initial weights."""
    seed_task = draw_memory_task(np.random.default_rng(seed))
    return study(seed, seed_task, *train_memory_model(seed, seed_task))


def spread(values, form: str = ".1e") -> str:
    """'lowest–highest (median m)' of `values`."""
    return (f"{format(min(values), form)}–{format(max(values), form)} "
            f"(median {format(float(np.median(values)), form)})")


def counted(flags, what: str) -> str:
    """'<what> in k of K seeds', with 'every' and 'none of the' spelled out."""
    k, total = int(sum(flags)), len(flags)
    if k == total:
        return f"{what} in every one of the {total} seeds"
    return f"{what} in {'none' if k == 0 else k} of the {total} seeds"


section(f"The same lesson with {len(study_seeds)} seeds ({study_seeds[0]}…{study_seeds[-1]}): "
        f"each draws its own data and initial weights")
results = [study(options.seed, task, model, initial_weights, trained_weights, history)]
results += [study_seed(seed) for seed in study_seeds[1:]]
print("seed | epochs near | test     | t=1 / t=T of |∂L/∂c|  | f_2⋯f_T (median)  | "
      "f after      | accuracy with a cut:      | latch")
print("     | log 2       | accuracy | before    after       | before    after   | "
      "lowest median | f := 0  R := 0  frozen c_1 |")
for result in results:
    cuts = result.ablations
    print(f"{result.seed:4d} | {result.epochs_near_coin:11d} | {result.accuracy:8.3f} | "
          f"{result.gradient['before training'][0]:.1e}   {result.gradient['after training'][0]:.1e}"
          f"     | {result.gain['before training'][0]:.1e}   {result.gain['after training'][0]:.1e}"
          f" | {result.forget_after.min():.3f}  {np.median(result.forget_after):.3f} | "
          f"{cuts['forget']:.3f}   {cuts['recurrent']:.3f}   {cuts['textbook']:.3f}      | "
          f"{'yes' if result.latch else 'no'}")


def column(label, field):
    """One measurement at t = 1 for every seed: result.<field>[label][0]."""
    return [getattr(result, field)[label][0] for result in results]


ratios = {label: column(label, "gradient") for label in ("before training", "after training")}
gains = {label: column(label, "gain") for label in ("before training", "after training")}
grew = [after > before for before, after in zip(*ratios.values())]
opened = [after > before for before, after in zip(*gains.values())]
print(f"\nt=1 gets this share of what t=T gets: before training {spread(ratios['before training'])}"
      f", after {spread(ratios['after training'])}; "
      + counted(grew, "more after training") + ".")
print("→ " + ("In each of these seeds more of the gradient reaches c_1 after training." if all(grew)
              else "In each of these seeds less of the gradient reaches c_1 after training."
              if not any(grew) else
              f"Not in every seed: more in {sum(grew)}, less in {len(grew) - sum(grew)} — "
              "training does not reliably make more of the gradient reach c_1."))
factors = [after / before for before, after in zip(*gains.values())]
print(f"the cell-state path alone, f_2⋯f_T: before training {spread(gains['before training'])}, "
      f"after {spread(gains['after training'])}; " + counted(opened, "larger after training")
      + f" (after / before: {spread(factors, '.0f')})")
print("→ " + ("In each of these seeds training opens the cell-state path." if all(opened) else
              f"Not in every seed: larger in {sum(opened)}, smaller in "
              f"{len(opened) - sum(opened)}."))
lowest = [result.forget_after.min() for result in results]
print(f"forget gates after training, the lowest of each seed's {forget_after.size} means: "
      f"{spread(lowest, '.3f')}; " + counted([below_nine_tenths(low) for low in lowest],
                                             "some below 0.9") + ".")
print(f"the loss stayed near log 2 for the first {spread([r.epochs_near_coin for r in results], 'g')}"
      f" epochs")
for cut, name in PARTS.items():
    effects = [cut_effect(r.ablations[cut]) for r in results]
    print(f"cutting {name}: " + ", ".join(f"{effect} in {effects.count(effect)}"
                                         for effect in CUT_EFFECTS)
          + f" of the {len(results)} seeds")
kinds = [frozen_kind(r.ablations["textbook"]) for r in results]
print(f"frozen c_1 (textbook memory) answered right in {kinds.count('right')}, wrong on almost "
      f"every sequence in {kinds.count('wrong')}, neither in {kinds.count('neither')} of the "
      f"{len(kinds)} seeds; " + counted([r.latch for r in results], "a latch") + ".")

# %% [markdown]
# Each line above counts one claim of sections 3–5 over the seeds and chooses its verdict from
# the count: a claim that holds in every seed says so, one that does not says that instead.
# (The lesson's test checks each printed verdict against the numbers printed beside it, for
# every seed it runs the lesson with.)
#
# ## 7. Figures


# %%
def gate_heat_maps(examples):
    """One row per example sequence; columns i, f, c̃, o and c as heat maps (units × time),
    each column's colour bar beside it, spanning the rows it belongs to."""
    plt = plotting.pyplot()
    c_limit = float(np.abs(c_seq[1:, examples]).max())
    panels = [("input gate i", i_seq, "viridis", 0, 1),
              ("forget gate f", f_seq, "viridis", 0, 1),
              ("candidate c̃", cand_seq, "RdBu_r", -1, 1),
              ("output gate o", o_seq, "viridis", 0, 1),
              ("cell state c", c_seq[1:], "RdBu_r", -c_limit, c_limit)]
    figure, axes = plt.subplots(len(examples), len(panels),
                                figsize=(3.0 * len(panels), 1.3 * len(examples) + 1.0),
                                squeeze=False, sharex=True, sharey=True,
                                constrained_layout=True)
    for row, index in enumerate(examples):
        token = "A" if x_test[index, 0] == SIGNAL_A else "B"
        for column, (title, values, cmap, low, high) in enumerate(panels):
            axis = axes[row, column]
            image = axis.imshow(values[:, index].T, aspect="auto", cmap=cmap, vmin=low,
                                vmax=high, interpolation="nearest",
                                extent=(0.5, steps + 0.5, units - 0.5, -0.5))
            axis.set_yticks(range(units))
            plotting.integer_ticks(axis)
            axis.tick_params(labelsize=7)
            if row == 0:
                axis.set_title(title, fontsize=10)
                figure.colorbar(image, ax=axes[:, column], pad=0.02, aspect=12)
            if row == len(examples) - 1:
                axis.set_xlabel("time step (1 = the signal)", fontsize=8)
            if column == 0:
                axis.set_ylabel(f"test sequence {index}:\nfirst token {token}\nunit",
                                fontsize=8)
    figure.suptitle(f"Lesson 05: the trained cell's gates over time, one test sequence of "
                    f"each class (unit {memory_unit} separates A from B most)", fontsize=11)
    return figure


def memory_unit_figure(count: int = 40):
    """The memory unit's cell state and forget gate over time, many test sequences."""
    plt = plotting.pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    time_axis = np.arange(1, steps + 1)
    for index in range(count):
        colour = "tab:blue" if is_a[index] else "tab:orange"
        left.plot(time_axis, c_seq[1:, index, memory_unit], color=colour, alpha=0.5, lw=1)
        right.plot(time_axis, f_seq[:, index, memory_unit], color=colour, alpha=0.5, lw=1)
    for axis in (left, right):
        axis.set_xlabel("time step (1 = the signal)")
        plotting.integer_ticks(axis)
        axis.grid(alpha=0.3)
    left.set(title=f"cell state c of unit {memory_unit}", ylabel="c_t")
    right.set(title=f"forget gate f of unit {memory_unit}", ylabel="f_t", ylim=(0, 1.05))
    right.plot([], [], color="tab:blue", label="first token A (label 1)")
    right.plot([], [], color="tab:orange", label="first token B (label 0)")
    plotting.legend_outside(right, title=f"{count} test sequences")
    return figure


def gradient_through_c_figure():
    """Left: |∂L/∂c_t| relative to t = T; right: what the cell-state path alone passes from
    c_t to c_T, f_{t+1}⋯f_T — before and after training, one line per seed (log scale)."""
    plt = plotting.pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), sharex=True)
    time_axis = np.arange(1, steps + 1)
    colours = {"before training": "tab:blue", "after training": "tab:orange"}
    for result in results:
        own = result.seed == options.seed
        for label, colour in colours.items():
            style = dict(color=colour, lw=2.2 if own else 0.9, alpha=1.0 if own else 0.55)
            left.semilogy(time_axis, result.gradient[label], **style)
            right.semilogy(time_axis, result.gain[label], **style)
    left.set(title=r"the full gradient reaching $c_t$, relative to $c_T$",
             ylabel=r"$|\partial L/\partial c_t|\ /\ |\partial L/\partial c_T|$")
    right.set(title=r"the cell-state path alone: $f_{t+1}\cdots f_T$ (median)",
              ylabel=r"$f_{t+1}\cdots f_T$")
    low, high = min(gains["before training"]), max(gains["before training"])
    right.text(7, low, f"before training, every seed:\n{low:.1e}–{high:.1e} at t = 1 "
               "(the lines overlap)", va="bottom", fontsize=8, color="tab:blue")
    for axis in (left, right):
        axis.set_xlabel("time step t")
        axis.grid(alpha=0.3, which="both")
        plotting.integer_ticks(axis)
    for label, colour in colours.items():
        right.plot([], [], color=colour, label=label)
    right.plot([], [], color="grey", lw=2.2, label=f"seed {options.seed} (this run)")
    right.plot([], [], color="grey", lw=0.9, alpha=0.55, label="the other seeds")
    plotting.legend_outside(right, title=f"{len(results)} seeds, 64 test sequences")
    figure.suptitle("Lesson 05, BPTT: the gradient through the cell state", fontsize=11)
    figure.subplots_adjust(wspace=0.3, top=0.82)
    return figure


if lesson.figures_available():
    lesson.save_figure(plotting.loss_curves(
        {"loss": history.history["loss"], "accuracy": history.history["accuracy"]},
        title=f"Lesson 05: LSTM({units}) on the memory task ({steps} steps)", xlabel="epoch",
        ylabel="loss / accuracy"), options, "05_memory_task_training.png")
    lesson.save_figure(gradient_through_c_figure(), options, "05_gradient_through_c.png")
    # one sequence of each class: sequences of one class look alike (05_memory_unit.png
    # draws many), so more rows would repeat these two
    examples = [int(np.flatnonzero(is_a)[0]), int(np.flatnonzero(~is_a)[0])]
    lesson.save_figure(gate_heat_maps(examples), options, "05_gate_heat_maps.png")
    lesson.save_figure(memory_unit_figure(), options, "05_memory_unit.png")

print(f"\nlesson 05 ran in {time.perf_counter() - started:.1f} s")
