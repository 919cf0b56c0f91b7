# %% [markdown]
# # Lesson 08 — graduating to PyTorch
#
# nanonet is for seeing every equation. When the data outgrow one NumPy process, the next step
# is an engine built for scale; this lesson moves a trained nanonet model to PyTorch and checks,
# number for number, that nothing changed on the way:
#
# 1. why graduate, and what this machine offers (GPU? distributed backends?);
# 2. train lesson 04's stock MLP in nanonet for a few epochs;
# 3. export it with `nanonet.interop.to_torch` and compare the outputs (and, aside, an
#    Embedding → LSTM model, where the gate order matters);
# 4. keep training in BOTH frameworks — same weights, same batches in the same order, same
#    loss, the same Adam — and lay the loss curves on top of each other;
# 5. the same loop on a GPU, where there is one;
# 6. data-parallel training with `torch.distributed` (gloo backend, two processes on this
#    machine, each taking half of every batch), continuing from the exported model: the same
#    losses and weights as one process;
# 7. and back: `from_torch` brings the PyTorch-trained model home to nanonet.
#
# Needs PyTorch: `pip install -e '.[torch]'` (tested with torch 2.13, CPU build).
# Run: `python -m nanonet lesson 08` (options: `--out DIR`, `--quick`, `--seed N`,
# `--epochs N` for the nanonet epochs before the export, `--more-epochs K` after it).

# %%
"""Lesson 08 — graduating to PyTorch: export a trained nanonet model, check it number for number, keep training it in PyTorch, then in two processes with DistributedDataParallel."""
import copy
import os
import sys
import time

import numpy as np

import nanonet as nn
from nanonet import datasets, layers, lesson, optimizers, plotting
from nanonet.lesson import section


def add_arguments(parser):
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of nanonet training before the export")
    parser.add_argument("--more-epochs", type=int, default=None,
                        help="epochs of training after the export, in each framework")


options = lesson.options("08", add_arguments)
first_epochs = options.extra.epochs or (2 if options.quick else 10)
more_epochs = options.extra.more_epochs or (3 if options.quick else 15)
BATCH_SIZE, LEARNING_RATE = 32, 0.001
started = time.perf_counter()

try:
    import torch
except ImportError:
    print("Lesson 08 moves a nanonet model to PyTorch, which is not installed here. Get it with\n"
          "the torch extra (from the nanonet checkout):\n"
          "    pip install -e '.[torch]'\n"
          "(or see https://pytorch.org for a build for your GPU), and run this lesson again.\n"
          "nanonet itself never needs PyTorch.")
    sys.exit(0)

import torch.distributed as dist  # noqa: E402

from nanonet.interop import from_torch, to_torch  # noqa: E402
from nanonet.interop.distributed import (KerasAdam, data_parallel_train,  # noqa: E402
                                         train_epochs)

# This model is tiny (11 inputs, 16 hidden units, batches of 32): splitting each product over
# threads costs more than it saves, and with one thread the results do not depend on how many
# cores the machine has. Real models want the default (one thread per core).
torch.set_num_threads(1)
torch.manual_seed(options.seed)

# %% [markdown]
# ## 1. Why graduate
#
# nanonet runs on NumPy: one process, the CPU, every gradient written by hand. That is what
# makes it readable — and what limits it:
#
# - **bigger data**: PyTorch's kernels are fused and multithreaded, its autograd derives
#   every backward pass, so new layers cost one forward function;
# - **GPUs**: the same code runs on a graphics card (`module.to("cuda")`), often 10–100×
#   faster on large matrices;
# - **many machines**: `torch.distributed` splits each batch over processes — on one machine
#   or a cluster — and averages their gradients, so a step sees the whole batch.
#
# The price of moving is trust: is the PyTorch model *the same model*? This lesson checks.

# %%
section("1. Why graduate: what this machine offers")
print(f"PyTorch {torch.__version__}; nanonet {nn.__version__}; NumPy {np.__version__}")
print(f"CPU cores: {os.cpu_count()}")
cuda = torch.cuda.is_available()
print(f"CUDA GPU available: {cuda}" + (f" ({torch.cuda.get_device_name(0)})" if cuda else ""))
gloo = dist.is_available() and dist.is_gloo_available()
print(f"torch.distributed available: {dist.is_available()}; gloo backend (CPU, any OS): {gloo}")

# %% [markdown]
# ## 2. Train in nanonet
#
# Lesson 04's data (IBM 2000–2013 with oil, core CPI and unemployment; 11 standardised features
# of day t, label "closes higher on day t+1") and its MLP — without the Dropout layer:
#
#     11 inputs → Dense(16, ReLU) → Dense(1, sigmoid);  binary cross-entropy;  Adam(0.001)
#
# Dropout draws a random mask per batch, and nanonet's and PyTorch's random generators draw
# different masks, so with it the two trainings could only agree on average. Without it, every
# operation is deterministic and the two should agree to float32 rounding. (Lesson 04 showed
# that this model has no real skill on the test years; here it is just a model to move.)
#
# The order of the rows in each epoch is drawn once, from the lesson's seed, so that both
# frameworks can be given the *same* batches: `fit(x[order], y[order], shuffle=False)`.

# %%
section("2. Train the MLP in nanonet (lesson 04's data, no dropout)")
data = datasets.lesson_split()                  # lesson 04's steps: load, split, standardise
prices, fit_rows = data.prices, data.fit_rows
x_fit, x_test, y_fit, y_test = data.x_fit, data.x_test, data.y_fit, data.y_test
print(f"training days: {len(x_fit)} ({prices.dates[fit_rows[0]]} … {prices.dates[fit_rows[-1]]});"
      f" test days: {len(x_test)}; features: {x_fit.shape[1]}")

rng = np.random.default_rng(options.seed)
orders = [rng.permutation(len(x_fit)) for _ in range(first_epochs + more_epochs)]
n_batches = -(-len(x_fit) // BATCH_SIZE)
print(f"batches of {BATCH_SIZE}: {n_batches} per epoch, the last one "
      f"{len(x_fit) - (n_batches - 1) * BATCH_SIZE} rows")


def compile_with_fresh_adam(model):
    model.compile(optimizer=optimizers.Adam(learning_rate=LEARNING_RATE),
                  loss="binary_crossentropy")


model = nn.Sequential([
    layers.Dense(16, activation="relu", input_shape=(x_fit.shape[1],)),
    layers.Dense(1, activation="sigmoid"),
], seed=options.seed)
compile_with_fresh_adam(model)
model.summary()


def nanonet_epochs(model, epoch_orders):
    """One fit() per epoch, on the rows in that epoch's order; the epoch losses."""
    return [model.fit(x_fit[order], y_fit[order], epochs=1, batch_size=BATCH_SIZE,
                      shuffle=False, verbose=0).history["loss"][0] for order in epoch_orders]


before_export = nanonet_epochs(model, orders[:first_epochs])
for epoch, loss in enumerate(before_export, start=1):
    print(f"nanonet epoch {epoch:2d}: loss {loss:.6f}")

# %% [markdown]
# ## 3. Export, and check the outputs
#
# `to_torch(model)` builds the same architecture from PyTorch's parts and copies the weights:
#
#     nanonet Dense: y = x @ W + b,  W: (D, U)        torch nn.Linear: y = x @ weightᵀ + bias,
#                                                     weight: (U, D) = Wᵀ
#
# followed by the activation as its own module (nn.ReLU, nn.Sigmoid), so `module(x)` returns
# what `model.predict(x)` returns: probabilities. Both compute in float32, whose spacing near 1
# is 2⁻²³ ≈ 1.2e-7. The two frameworks add the products of a matrix multiplication in
# different orders, so equal to the last bit is not to be expected — equal to a few units in
# that last place is.

# %%
section("3. Export with to_torch and compare the outputs")
module = to_torch(model)
print(module)
print("\nnanonet weights (get_weights order)     PyTorch parameters (state_dict order)")
torch_state = module.state_dict()
for weight, (name, value) in zip(model.get_weights(), torch_state.items()):
    print(f"  {str(weight.shape):<12} {weight.dtype}             {name:<14} "
          f"{str(tuple(value.shape)):<10} {value.dtype}")
module.eval()
with torch.no_grad():
    p_torch = module(torch.from_numpy(x_test)).numpy()
p_nanonet = model.predict(x_test)
output_difference = float(np.max(np.abs(p_torch - p_nanonet)))
print(f"\nlargest |nanonet − PyTorch| output difference on the {len(x_test)} test days: "
      f"{output_difference:.3g} (float32 spacing at 1: {np.finfo(np.float32).eps:.3g})")
print(f"same predicted direction on every test day: "
      f"{bool(np.array_equal(p_torch > 0.5, p_nanonet > 0.5))}")
assert output_difference < 1e-5

# %% [markdown]
# ### Aside: an LSTM, and the order of its gates
#
# nanonet (like Keras) keeps an LSTM's four gates in one fused matrix, column blocks in the
# order [i, f, c̃, o] — input, forget, candidate, output. PyTorch's `nn.LSTM` stacks them as
# row blocks [i, f, g, o], where g is its name for the candidate c̃. **The orders coincide**, so
# the blocks need no shuffling, only a transpose: weight_ih = kernelᵀ (4U, D),
# weight_hh = recurrent_kernelᵀ (4U, U). PyTorch has *two* bias vectors, b_ih and b_hh, that
# are always added together; nanonet's single b must equal their sum. (Not every library
# agrees: TensorFlow 1's `LSTMCell` splits its matrix as [i, j, f, o], j being c̃ — weights
# from there would need their blocks moved.)

# %%
section("3b. Aside: an Embedding → LSTM → Dense model exports too")
text_model = nn.Sequential([layers.Embedding(50, 8), layers.LSTM(6),
                            layers.Dense(1, activation="sigmoid")], seed=options.seed)
ids = np.random.default_rng(options.seed).integers(1, 50, size=(5, 7))
text_model.build((None, ids.shape[1]))
text_module = to_torch(text_model)
text_module.eval()
with torch.no_grad():
    text_difference = float(np.max(np.abs(
        text_module(torch.as_tensor(ids, dtype=torch.long)).numpy() - text_model.predict(ids))))
lstm = next(m for m in text_module.modules() if isinstance(m, torch.nn.LSTM))
kernel, recurrent_kernel, bias = text_model.layers[1].get_weights()
units = recurrent_kernel.shape[0]
print(f"nanonet kernel {kernel.shape}, recurrent_kernel {recurrent_kernel.shape}, bias "
      f"{bias.shape} → torch weight_ih_l0 {tuple(lstm.weight_ih_l0.shape)}, weight_hh_l0 "
      f"{tuple(lstm.weight_hh_l0.shape)}, bias_ih_l0 + bias_hh_l0 {tuple(lstm.bias_ih_l0.shape)}")
for block, (ours, theirs) in enumerate(zip("i f c̃ o".split(), "i f g o".split())):
    rows = slice(block * units, (block + 1) * units)
    same = np.array_equal(lstm.weight_ih_l0.detach().numpy()[rows], kernel[:, rows].T)
    print(f"  gate block {block}: nanonet {ours:<2} ↔ torch {theirs}   "
          f"weight_ih_l0[{rows.start}:{rows.stop}] == kernel[:, {rows.start}:{rows.stop}]ᵀ: {same}")
bias_sum = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()
print(f"largest |bias_ih + bias_hh − nanonet bias|: {float(np.max(np.abs(bias_sum - bias))):.3g}")
print(f"largest |nanonet − PyTorch| output difference of the LSTM model: {text_difference:.3g}")
assert text_difference < 1e-5

# %% [markdown]
# ## 4. Keep training — in both frameworks
#
# What must be equal for the two trainings to follow the same path, step for step:
#
# - **the weights**: both start from the exported ones;
# - **the batches**: the same rows, in the same order (the orders drawn in section 2; the last
#   batch of each epoch is smaller, in both);
# - **the loss**: binary cross-entropy, the mean over the batch. PyTorch's `nn.BCELoss` takes
#   the probabilities the module returns, clamping each log at −100. nanonet, like Keras,
#   computes the loss of a sigmoid output from its logit z, as max(z, 0) − z·y + log(1 + e^−|z|),
#   never clipped (from probabilities Keras would clip p to [1e-7, 1 − 1e-7]). For p away from
#   0 and 1 — here it stays near 0.5 — the two agree to float32 rounding;
# - **the optimizer**, and its state. `to_torch` moves the weights, not Adam's moments m, v and
#   its step count t; so both sides restart Adam from zero at the export.
#
# And Adam itself is not quite the same. Keras (and nanonet, which copies it) adds ε to √v
# *before* the bias correction:
#
#     Keras, nanonet:     α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ);   w ← w − α·m / (√v + ε)
#     torch.optim.Adam:   w ← w − lr·m̂ / (√v̂ + ε),   m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ)
#
# Rewritten in torch's terms, Keras's ε is ε/√(1 − β2ᵗ): 31.6·ε at the first step, falling
# towards ε. With torch's default ε = 1e-8 the gap is larger still; `eps=1e-7` (Keras's value)
# is the first thing to set when porting. To make the curves line up exactly, nanonet also
# ships Keras's rule as a torch optimizer, `nanonet.interop.distributed.KerasAdam` — a dozen
# lines you can read. We run PyTorch twice, once with each.

# %%
section(f"4. {more_epochs} more epochs: nanonet, and the exported module in PyTorch")
exported = copy.deepcopy(module)                  # kept as exported, for section 6
compile_with_fresh_adam(model)                    # Adam restarts on the nanonet side too
after_orders = orders[first_epochs:]
nanonet_losses = nanonet_epochs(model, after_orders)

keras_module = copy.deepcopy(exported)
keras_losses = train_epochs(keras_module, x_fit, y_fit, after_orders, BATCH_SIZE,
                            KerasAdam(keras_module.parameters(), lr=LEARNING_RATE))
adam_module = copy.deepcopy(exported)
adam_losses = train_epochs(adam_module, x_fit, y_fit, after_orders, BATCH_SIZE,
                           torch.optim.Adam(adam_module.parameters(), lr=LEARNING_RATE,
                                            eps=1e-7))


def torch_weights(torch_module):
    """The module's parameters in nanonet's layout: nn.Linear's (U, D) weight transposed to
    nanonet's (D, U) kernel, biases as they are (this lesson's MLP has only Linear layers)."""
    return [t.detach().cpu().numpy().T if t.ndim == 2 else t.detach().cpu().numpy()
            for t in torch_module.state_dict().values()]


def weight_difference(nanonet_model, torch_module):
    """Largest |w_nanonet − w_torch| over all weights."""
    return max(float(np.max(np.abs(a - b)))
               for a, b in zip(nanonet_model.get_weights(), torch_weights(torch_module)))


print(f"{'epoch':>5}  {'nanonet':>10}  {'torch+KerasAdam':>16}  {'torch.optim.Adam':>16}")
for epoch, losses in enumerate(zip(nanonet_losses, keras_losses, adam_losses),
                               start=first_epochs + 1):
    print(f"{epoch:5d}  {losses[0]:10.6f}  {losses[1]:16.6f}  {losses[2]:16.6f}")
keras_gap = float(np.max(np.abs(np.subtract(nanonet_losses, keras_losses))))
adam_gap = float(np.max(np.abs(np.subtract(nanonet_losses, adam_losses))))
print(f"\nlargest per-epoch loss difference, nanonet vs PyTorch with KerasAdam: {keras_gap:.3g}")
print(f"largest per-epoch loss difference, nanonet vs torch.optim.Adam(eps=1e-7): {adam_gap:.3g}")
print(f"largest weight difference after {more_epochs} epochs: KerasAdam "
      f"{weight_difference(model, keras_module):.3g}, torch.optim.Adam "
      f"{weight_difference(model, adam_module):.3g}")
print("→ the loss curves barely tell the two Adams apart (each epoch's loss averages "
      f"{n_batches} batches, so\n  rounding averages out); the weights do. With KerasAdam they stay "
      "within float32 rounding of\n  nanonet's; with torch.optim.Adam they drift, from where ε "
      "enters alone — most for weights\n  whose gradients are small, so that √v is not far "
      "above ε. Compare weights, not just losses.")

# %% [markdown]
# ## 5. On a GPU, where there is one
#
# Moving the training to a graphics card changes *where the tensors live*, nothing else:
#
#     device = "cuda" if torch.cuda.is_available() else "cpu"
#     module = module.to(device);  x = x.to(device)     # every tensor a step touches
#
# (Apple silicon: `torch.backends.mps.is_available()` and device "mps".) GPU kernels add in
# yet another order, so the curves should again agree to float32 rounding — as long as float32
# products stay float32: PyTorch's default, unless TF32 (10-bit mantissas, faster on recent
# NVIDIA cards) was switched on with `torch.backends.cuda.matmul.allow_tf32 = True`.

# %%
section("5. The same training on a GPU")
if cuda:
    gpu_module = copy.deepcopy(exported).to("cuda")
    gpu_losses = train_epochs(gpu_module, x_fit, y_fit, after_orders, BATCH_SIZE,
                              KerasAdam(gpu_module.parameters(), lr=LEARNING_RATE),
                              device="cuda")
    print(f"trained on {torch.cuda.get_device_name(0)}; largest per-epoch loss difference, "
          f"GPU vs CPU: {float(np.max(np.abs(np.subtract(gpu_losses, keras_losses)))):.3g}")
else:
    print("torch.cuda.is_available() is False: this machine has no CUDA GPU (or this PyTorch "
          "is a CPU build),\nso every PyTorch number in this lesson was computed on the CPU. "
          "On a machine with one,\nsection 5 trains there too and compares.")

# %% [markdown]
# ## 6. Data-parallel: two processes, each with half of every batch
#
# When one machine is not enough, `torch.distributed` runs one process per GPU (or per
# machine). Each holds a full copy of the model; every step, each process computes the
# gradient on *its part* of the batch, the processes add their gradients together
# (an *all-reduce*, here over the gloo backend — TCP, CPU, any OS) and divide by their number,
# and each takes the same optimizer step — so the copies stay equal. `DistributedDataParallel`
# (DDP) does the averaging, during the backward pass.
#
# Averaging the parts' gradients gives the full batch's gradient only if each part's loss is
# weighted by its size. With 27 rows split 14 + 13, the mean over each part, averaged, would
# weight a row of the smaller part more. So process r backpropagates
#
#     loss_r = (2 / B) · Σ_{rows i in part r} bce_i          (B = rows in the whole batch)
#
# and DDP's average, (loss_0 + loss_1)/2 differentiated, is (1/B)·Σ over all B rows — exactly
# the one-process loss. The worker, `nanonet.interop.distributed.worker`, in short:
#
#     dist.init_process_group("gloo", rank=rank, world_size=2)  # MASTER_ADDR, MASTER_PORT
#     model = DistributedDataParallel(module)      # rank 0's weights broadcast to all
#     optimizer = KerasAdam(model.parameters(), lr=0.001)
#     for each batch:
#         mine = np.array_split(batch, 2)[rank]
#         loss = bce(model(x[mine]), y[mine], reduction="sum") * 2 / len(batch)
#         optimizer.zero_grad(); loss.backward(); optimizer.step()   # backward all-reduces
#
# How the two processes start: in your own script, `torch.multiprocessing.spawn(worker,
# nprocs=2)` under `if __name__ == "__main__":`, or `torchrun --nproc_per_node=2 train.py`.
# spawn re-imports the script that called it in every child — this lesson would run again in
# each — so nanonet starts the workers as torchrun does: two fresh Python processes
# (`python -m nanonet.interop.distributed`), told their rank, the world size, and the address
# 127.0.0.1 and a free port of the rank-0 process through environment variables.

# %%
section("6. DistributedDataParallel: 2 processes (gloo) vs 1 process, from the exported model")
last_batch = after_orders[0][(n_batches - 1) * BATCH_SIZE:]
xb, yb = torch.from_numpy(x_fit[last_batch]), torch.from_numpy(y_fit[last_batch]).reshape(-1, 1)


def batch_gradient(losses_of_parts):
    probe = copy.deepcopy(exported)
    sum(losses_of_parts(probe)).backward()
    return torch.cat([p.grad.reshape(-1) for p in probe.parameters()])


halves = np.array_split(np.arange(len(last_batch)), 2)
bce = torch.nn.functional.binary_cross_entropy
full = batch_gradient(lambda m: [bce(m(xb), yb)])
weighted = batch_gradient(lambda m: [bce(m(xb[h]), yb[h], reduction="sum") * 2 / len(last_batch)
                                     / 2 for h in halves])
naive = batch_gradient(lambda m: [bce(m(xb[h]), yb[h]) / 2 for h in halves])


def relative(g):
    return float(torch.linalg.vector_norm(g - full) / torch.linalg.vector_norm(full))


print(f"the last batch of an epoch: {len(last_batch)} rows = {len(halves[0])} + {len(halves[1])}")
print(f"  gradient from the size-weighted parts, relative to one process: {relative(weighted):.2g}")
print(f"  gradient from a plain mean per part (wrong), relative error:      {relative(naive):.2g}")

ddp_ok = False
if gloo:
    ddp = data_parallel_train(exported, x_fit, y_fit, after_orders, BATCH_SIZE,
                              learning_rate=LEARNING_RATE, world_size=2)
    print(f"\n{'epoch':>5}  {'1 process':>12}  {'DDP, 2 processes':>16}  {'|difference|':>12}")
    for epoch, (one, two) in enumerate(zip(keras_losses, ddp.losses), start=first_epochs + 1):
        print(f"{epoch:5d}  {one:12.8f}  {two:16.8f}  {abs(one - two):12.2g}")
    ddp_loss_gap = float(np.max(np.abs(np.subtract(keras_losses, ddp.losses))))
    single_state = keras_module.state_dict()
    ddp_weight_gap = max(float(np.max(np.abs(ddp.weights[0][name] - value.numpy())))
                         for name, value in single_state.items())
    replicas_equal = all(np.array_equal(ddp.weights[0][name], ddp.weights[1][name])
                         for name in single_state)
    ddp_ok = ddp_loss_gap < 1e-5 and ddp_weight_gap < 1e-5 and replicas_equal
    print(f"largest per-epoch loss difference, DDP vs one process: {ddp_loss_gap:.3g}")
    print(f"largest weight difference after {more_epochs} epochs, DDP vs one process: "
          f"{ddp_weight_gap:.3g}")
    print(f"the two processes hold bit-for-bit equal weights: {replicas_equal}")
    print(f"DDP matches single-process training to float32 precision: {ddp_ok}")
    print(f"time: DDP training loop {ddp.seconds:.2f} s, {ddp.total_seconds:.1f} s with starting "
          f"the processes (each imports torch)")
else:
    print("this PyTorch has no gloo backend (torch.distributed.is_gloo_available() is False); "
          "skipped")

# %% [markdown]
# ## 7. And back
#
# `from_torch(module)` reads the PyTorch model back into nanonet — to inspect it with nanonet's
# tools (gradient checks, lesson 05's gate plots) after training it at scale.

# %%
section("7. Back to nanonet: from_torch")
home = from_torch(keras_module)
with torch.no_grad():
    p_home_torch = keras_module.eval()(torch.from_numpy(x_test)).numpy()
back_difference = float(np.max(np.abs(home.predict(x_test) - p_home_torch)))
print(f"largest |nanonet − PyTorch| output difference after the round trip: {back_difference:.3g}")
print(f"weights equal to PyTorch's, bit for bit: "
      f"{all(np.array_equal(a, b) for a, b in zip(home.get_weights(), torch_weights(keras_module)))}")
print("""
What carried over, and what did not:
- the architecture and the weights, exactly: outputs agree to float32 rounding;
- Adam's state (m, v, t) does not travel with the weights — both sides restarted it here;
- Adam's ε enters differently in Keras/nanonet and torch.optim.Adam: a small drift, gone with
  KerasAdam (or negligible once t is large);
- dropout masks come from each framework's own random numbers: the same only on average;
- splitting a batch over processes changes nothing, provided each part's loss is weighted
  by its size.""")

# %% [markdown]
# ## Figures
#
# 1. The loss per epoch: nanonet before the export, then nanonet and PyTorch side by side
#    (they overlap), and how far apart they are, on a log scale, next to float32's spacing.
# 2. One process against two: the per-epoch losses and their difference.

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    from matplotlib.ticker import MaxNLocator
    before = np.arange(1, first_epochs + 1)
    after = np.arange(first_epochs + 1, first_epochs + more_epochs + 1)
    figure, (ax_loss, ax_gap) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(before, before_export, "o-", color="tab:blue", label="nanonet, before export")
    ax_loss.plot(after, nanonet_losses, "o-", color="tab:blue", mfc="white",
                 label="nanonet, after export")
    ax_loss.plot(after, keras_losses, "x--", color="tab:red", label="PyTorch + KerasAdam")
    ax_loss.plot(after, adam_losses, "+:", color="tab:green", label="PyTorch + torch.optim.Adam")
    ax_loss.axvline(first_epochs + 0.5, color="k", lw=0.8, ls=":")
    ax_loss.text(first_epochs + 0.55, 0.02, "export", fontsize=8,
                 transform=ax_loss.get_xaxis_transform())
    ax_loss.set(xlabel="epoch", ylabel="training loss (binary cross-entropy)",
                title="the loss curves")
    ax_loss.legend(fontsize=8)
    gaps = [np.abs(np.subtract(nanonet_losses, keras_losses)),
            np.abs(np.subtract(nanonet_losses, adam_losses))]
    if gloo:
        gaps.append(np.abs(np.subtract(keras_losses, ddp.losses)))
    joined = np.concatenate(gaps)
    nonzero = joined[joined > 0]
    floor = nonzero.min() / 4 if nonzero.size else 1e-9  # where an exact 0 is drawn (log axis)
    ax_gap.semilogy(after, np.maximum(gaps[0], floor), "x--", color="tab:red",
                    label="|nanonet − PyTorch + KerasAdam|")
    ax_gap.semilogy(after, np.maximum(gaps[1], floor), "+:", color="tab:green",
                    label="|nanonet − PyTorch + torch.optim.Adam|")

    def finish(figure, ax_loss, ax_gap, top, title, name):
        """The parts both figures share: reference lines, axes, title, saving."""
        ax_gap.axhline(np.finfo(np.float32).eps, color="k", lw=0.8, ls="--",
                       label="float32 spacing at 1 (1.2e-7)")
        ax_gap.axhline(floor, color="0.5", lw=0.8, ls=":", label="0 (the same to the last bit)")
        ax_gap.set(xlabel="epoch", ylabel="|loss difference|", title="how far apart",
                   ylim=(floor / 2, top))                        # room for the legend on top
        ax_gap.legend(fontsize=8, loc="upper left")
        for ax in (ax_loss, ax_gap):
            ax.grid(alpha=0.3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        figure.suptitle(title)
        figure.tight_layout()
        lesson.save_figure(figure, options, name)

    finish(figure, ax_loss, ax_gap, 1e-4 + 100 * adam_gap,
           "Lesson 08: training continues in PyTorch from the exported nanonet model",
           "08_loss_curves.png")

    if gloo:
        figure, (ax_loss, ax_gap) = plt.subplots(1, 2, figsize=(11, 4))
        ax_loss.plot(after, keras_losses, "o-", color="tab:blue", mfc="white",
                     label="1 process, whole batches")
        ax_loss.plot(after, ddp.losses, "x--", color="tab:red",
                     label="DDP: 2 processes, half a batch each")
        ax_loss.set(xlabel="epoch", ylabel="training loss", title="the loss curves")
        ax_loss.legend(fontsize=8)
        ax_gap.semilogy(after, np.maximum(gaps[2], floor), "x--", color="tab:red",
                        label="|1 process − DDP|")
        finish(figure, ax_loss, ax_gap, 1e-5 + 100 * ddp_loss_gap,
               "Lesson 08: DistributedDataParallel (gloo, 2 processes) vs one process",
               "08_ddp.png")

print(f"\nlesson 08 ran in {time.perf_counter() - started:.1f} s")
