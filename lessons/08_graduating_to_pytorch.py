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
# `--epochs N` for the nanonet epochs before the export, `--more-epochs K` after it,
# `--lang zh`).

# %% [markdown] lang="zh"
# # 第 08 课 — 毕业，走向 PyTorch
#
# nanonet 的用处是让你看清每一个公式。当数据大到一个 NumPy 进程装不下时，下一步就是换一个为
# 规模而生的引擎；本课把一个训练好的 nanonet 模型搬到 PyTorch，并逐个数字地检查搬运途中什么都
# 没有变：
#
# 1. 为什么要毕业，这台机器能提供什么（GPU？分布式训练后端？）；
# 2. 在 nanonet 里把第 04 课的股票 MLP 训练几轮；
# 3. 用 `nanonet.interop.to_torch` 导出它并比较输出（顺带再导出一个 Embedding → LSTM 模型，
#    那里门的顺序很关键）；
# 4. 在两个框架里*同时*继续训练——相同的权重、相同顺序的相同批次、相同的损失函数、相同的
#    Adam——再把两条损失曲线叠在一起；
# 5. 有 GPU 时，在 GPU 上跑同样的循环；
# 6. 用 `torch.distributed` 做数据并行训练（gloo 后端，本机两个进程，各处理每个批次的一半），
#    从导出的模型继续：损失和权重与单进程时相同；
# 7. 再回来：`from_torch` 把用 PyTorch 训练的模型带回 nanonet。
#
# 需要 PyTorch：`pip install -e '.[torch]'`（用 torch 2.13 CPU 版测试过）。
# 运行：`python -m nanonet lesson 08`（选项：`--out DIR`、`--quick`、`--seed N`，
# `--epochs N` 是导出前 nanonet 训练的轮数，`--more-epochs K` 是导出后的轮数，`--lang zh`）。

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
from nanonet.teaching import figure_text


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
    lesson.say("Lesson 08 moves a nanonet model to PyTorch, which is not installed here. Get it "
               "with\nthe torch extra (from the nanonet checkout):\n"
               "    pip install -e '.[torch]'\n"
               "(or see https://pytorch.org for a build for your GPU), and run this lesson again.\n"
               "nanonet itself never needs PyTorch.",
               "第 08 课把 nanonet 模型搬到 PyTorch，而这里没有安装 PyTorch。请在 nanonet 的代码\n"
               "目录里用 torch 扩展安装：\n"
               "    pip install -e '.[torch]'\n"
               "（或者到 https://pytorch.org 找适合你的 GPU 的版本），然后再运行本课。\n"
               "nanonet 本身从不需要 PyTorch。")
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

# %% [markdown] lang="zh"
# ## 1. 为什么要毕业
#
# nanonet 运行在 NumPy 上：单个进程、CPU、每个梯度都是手写的。这让它易读——也限制了它：
#
# - **更大的数据**：PyTorch 的计算核是融合过的、多线程的，它的自动求导会推导出每一次反向传播，
#   所以新增一层只需写一个前向函数；
# - **GPU**：同样的代码可以在显卡上运行（`module.to("cuda")`），在大矩阵上常常快 10–100×；
# - **多台机器**：`torch.distributed` 把每个批次分给多个进程——在一台机器上或一个集群里——并对
#   它们的梯度求平均，所以每一步看到的仍是整个批次。
#
# 搬家的代价是信任：PyTorch 里的模型还是*同一个模型*吗？本课来检查。

# %%
section("1. Why graduate: what this machine offers", "1. 为什么要毕业：这台机器能提供什么")
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

# %% [markdown] lang="zh"
# ## 2. 在 nanonet 里训练
#
# 第 04 课的数据（IBM 2000–2013 年的行情，加上石油、核心 CPI 和失业率；第 t 天的 11 个标准化
# 特征，标签是“第 t+1 天收盘更高”）和它的 MLP——但去掉了 Dropout 层：
#
#     11 inputs → Dense(16, ReLU) → Dense(1, sigmoid);  binary cross-entropy;  Adam(0.001)
#
# Dropout 每个批次都随机抽一个掩码，而 nanonet 和 PyTorch 的随机数生成器抽出的掩码不同，所以
# 带着它，两边的训练只能在平均意义上一致。去掉它，每个运算都是确定性的，两边应当一致到 float32
# 的舍入误差。（第 04 课已经表明这个模型在测试年份上没有真正的预测能力；这里它只是一个要搬运的
# 模型。）
#
# 每一轮中各行的顺序只抽一次，由本课的随机种子决定，这样两个框架就能拿到*相同*的批次：
# `fit(x[order], y[order], shuffle=False)`。

# %%
section("2. Train the MLP in nanonet (lesson 04's data, no dropout)",
        "2. 在 nanonet 里训练 MLP（第 04 课的数据，不用 dropout）")
data = datasets.lesson_split()                  # lesson 04's steps: load, split, standardise
prices, fit_rows = data.prices, data.fit_rows
x_fit, x_test, y_fit, y_test = data.x_fit, data.x_test, data.y_fit, data.y_test
fit_span = f"{prices.dates[fit_rows[0]]} … {prices.dates[fit_rows[-1]]}"
lesson.say(f"training days: {len(x_fit)} ({fit_span});"
           f" test days: {len(x_test)}; features: {x_fit.shape[1]}",
           f"训练日：{len(x_fit)} 天（{fit_span}）；测试日：{len(x_test)} 天；特征："
           f"{x_fit.shape[1]} 个")

rng = np.random.default_rng(options.seed)
orders = [rng.permutation(len(x_fit)) for _ in range(first_epochs + more_epochs)]
n_batches = -(-len(x_fit) // BATCH_SIZE)
last_rows = len(x_fit) - (n_batches - 1) * BATCH_SIZE
lesson.say(f"batches of {BATCH_SIZE}: {n_batches} per epoch, the last one "
           f"{last_rows} rows",
           f"批次大小 {BATCH_SIZE}：每轮 {n_batches} 个批次，最后一个 {last_rows} 行")


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
# `to_torch(model)` builds the same architecture from PyTorch's parts and copies the weights.
# For an input row $x$ of $D$ features and $U$ units, a nanonet Dense layer computes
#
# $$y = x W + b, \qquad W \in \mathbb{R}^{D \times U},$$
#
# and a torch `nn.Linear` computes, with $A$ its `weight` and $c$ its `bias`,
#
# $$y = x\, A^\top + c, \qquad A = W^\top \in \mathbb{R}^{U \times D},\quad c = b;$$
#
# each is followed by the activation as its
# own module (nn.ReLU, nn.Sigmoid), so `module(x)` returns what `model.predict(x)` returns:
# probabilities. Both compute in float32, whose spacing near 1 is $2^{-23} \approx 1.2 \times
# 10^{-7}$. The two frameworks add the products of a matrix multiplication in different
# orders, so equal to the last bit is not to be expected — equal to a few units in that last
# place is.

# %% [markdown] lang="zh"
# ## 3. 导出，并检查输出
#
# `to_torch(model)` 用 PyTorch 的部件搭出同样的结构，并复制权重。对一个有 $D$ 个特征的输入行
# $x$ 和 $U$ 个单元，nanonet 的 Dense 层计算
#
# $$y = x W + b, \qquad W \in \mathbb{R}^{D \times U},$$
#
# 而 torch 的 `nn.Linear` 计算（$A$ 是它的 `weight`，$c$ 是它的 `bias`）
#
# $$y = x\, A^\top + c, \qquad A = W^\top \in \mathbb{R}^{U \times D},\quad c = b;$$
#
# 两者后面都接一个单独的激活函数模块
# （nn.ReLU、nn.Sigmoid），所以 `module(x)` 返回的就是 `model.predict(x)` 返回的东西：概率。
# 两边都用 float32 计算，它在 1 附近的间距是 $2^{-23} \approx 1.2 \times 10^{-7}$。两个框架在做
# 矩阵乘法时以不同的顺序累加乘积，所以不能指望它们精确到最后一位——但应当只差最后一位上的几个
# 单位。

# %%
section("3. Export with to_torch and compare the outputs", "3. 用 to_torch 导出并比较输出")
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
spacing = np.finfo(np.float32).eps
lesson.say(f"\nlargest |nanonet − PyTorch| output difference on the {len(x_test)} test days: "
           f"{output_difference:.3g} (float32 spacing at 1: {spacing:.3g})",
           f"\n在 {len(x_test)} 个测试日上，|nanonet − PyTorch| 输出的最大差异："
           f"{output_difference:.3g}（float32 在 1 处的间距：{spacing:.3g}）")
same_direction = bool(np.array_equal(p_torch > 0.5, p_nanonet > 0.5))
lesson.say(f"same predicted direction on every test day: {same_direction}",
           f"每个测试日预测的方向都相同：{'是' if same_direction else '否'}")
assert output_difference < 1e-5

# %% [markdown]
# ### Aside: an LSTM, and the order of its gates
#
# nanonet (like Keras) keeps an LSTM's four gates in one fused matrix, column blocks in the
# order $[i, f, \tilde c, o]$ — input, forget, candidate, output. PyTorch's `nn.LSTM` stacks
# them as row blocks $[i, f, g, o]$, where $g$ is its name for the candidate $\tilde c$. **The
# orders coincide**, so the blocks need no shuffling, only a transpose. With $K$ the `kernel`
# ($D \times 4U$), $R$ the `recurrent_kernel` ($U \times 4U$) and $b$ the bias,
#
# $$W_{ih} = K^\top \in \mathbb{R}^{4U \times D}, \qquad
# W_{hh} = R^\top \in \mathbb{R}^{4U \times U}, \qquad b = b_{ih} + b_{hh}:$$
#
# PyTorch has *two* bias vectors, $b_{ih}$ and $b_{hh}$, that are always added together, so
# nanonet's single $b$ must equal their sum. (Not every library agrees: TensorFlow 1's
# `LSTMCell` splits its matrix as $[i, j, f, o]$, $j$ being $\tilde c$ — weights from there
# would need their blocks moved.)

# %% [markdown] lang="zh"
# ### 旁注：LSTM，以及它的门的顺序
#
# nanonet（和 Keras 一样）把 LSTM 的四个门放在一个融合的矩阵里，按列分块，顺序是
# $[i, f, \tilde c, o]$——输入门、遗忘门、候选状态、输出门。PyTorch 的 `nn.LSTM` 把它们按行分块
# 堆叠为 $[i, f, g, o]$，其中 $g$ 是它给候选状态 $\tilde c$ 起的名字。**两种顺序一致**，所以这些
# 块不需要重新排列，只需转置。记 $K$ 为 `kernel`（$D \times 4U$），$R$ 为 `recurrent_kernel`
# （$U \times 4U$），$b$ 为偏置，
#
# $$W_{ih} = K^\top \in \mathbb{R}^{4U \times D}, \qquad
# W_{hh} = R^\top \in \mathbb{R}^{4U \times U}, \qquad b = b_{ih} + b_{hh}:$$
#
# PyTorch 有*两个*偏置向量 $b_{ih}$ 和 $b_{hh}$，它们总是加在一起用，所以 nanonet 唯一的 $b$ 必须
# 等于它们的和。（并不是每个库都这样：TensorFlow 1 的 `LSTMCell` 把矩阵分成 $[i, j, f, o]$，
# $j$ 就是 $\tilde c$——从那里来的权重需要挪动分块。）

# %%
section("3b. Aside: an Embedding → LSTM → Dense model exports too",
        "3b. 旁注：Embedding → LSTM → Dense 模型也能导出")
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
bias_gap = float(np.max(np.abs(bias_sum - bias)))
lesson.say(f"largest |bias_ih + bias_hh − nanonet bias|: {bias_gap:.3g}",
           f"|bias_ih + bias_hh − nanonet 偏置| 的最大值：{bias_gap:.3g}")
lesson.say(f"largest |nanonet − PyTorch| output difference of the LSTM model: "
           f"{text_difference:.3g}",
           f"LSTM 模型 |nanonet − PyTorch| 输出的最大差异：{text_difference:.3g}")
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
#   computes the loss of a sigmoid output from its logit $z$, never clipped (from
#   probabilities Keras would clip $p$ to $[10^{-7}, 1 - 10^{-7}]$):
#
#   $$\ell(z, y) = \max(z, 0) - z\,y + \log\big(1 + e^{-|z|}\big).$$
#
#   For $p$ away from 0 and 1 — here it stays near 0.5 — the two agree to float32 rounding;
# - **the optimizer**, and its state. `to_torch` moves the weights, not Adam's moments $m$,
#   $v$ and its step count $t$; so both sides restart Adam from zero at the export.
#
# And Adam itself is not quite the same. Keras (and nanonet, which copies it) adds $\varepsilon$
# to $\sqrt{v}$ *before* the bias correction:
#
# $$\text{Keras, nanonet:}\quad \alpha_t = \mathrm{lr}\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t},
# \qquad w \leftarrow w - \alpha_t\,\frac{m}{\sqrt{v} + \varepsilon}$$
#
# $$\text{torch.optim.Adam:}\quad \hat m = \frac{m}{1 - \beta_1^t},\quad
# \hat v = \frac{v}{1 - \beta_2^t}, \qquad
# w \leftarrow w - \mathrm{lr}\,\frac{\hat m}{\sqrt{\hat v} + \varepsilon}$$
#
# Rewritten in torch's terms, Keras's $\varepsilon$ is
#
# $$\varepsilon' = \frac{\varepsilon}{\sqrt{1 - \beta_2^t}},$$
#
# $31.6\,\varepsilon$ at the first step, falling towards $\varepsilon$. With torch's default
# $\varepsilon = 10^{-8}$ the gap is larger still; `eps=1e-7` (Keras's value) is the first
# thing to set when porting. To make the curves line up exactly, nanonet also ships Keras's
# rule as a torch optimizer, `nanonet.interop.distributed.KerasAdam` — a dozen lines you can
# read. We run PyTorch twice, once with each.

# %% [markdown] lang="zh"
# ## 4. 继续训练——在两个框架里
#
# 要让两边的训练一步一步走同一条路，必须相同的东西有：
#
# - **权重**：两边都从导出的权重开始；
# - **批次**：相同的行、相同的顺序（第 2 节抽好的顺序；每一轮的最后一个批次都更小，两边一样）；
# - **损失函数**：二元交叉熵，对批次取平均。PyTorch 的 `nn.BCELoss` 接收模块返回的概率，并把每个
#   对数截断在 −100。nanonet 和 Keras 一样，由 sigmoid 输出的 logit $z$ 计算损失，从不截断（若从
#   概率计算，Keras 会把 $p$ 截断到 $[10^{-7}, 1 - 10^{-7}]$）：
#
#   $$\ell(z, y) = \max(z, 0) - z\,y + \log\big(1 + e^{-|z|}\big).$$
#
#   只要 $p$ 离 0 和 1 足够远——这里它一直在 0.5 附近——两者就一致到 float32 的舍入误差；
# - **优化器**及其状态。`to_torch` 搬运的是权重，而不是 Adam 的矩估计 $m$、$v$ 和步数 $t$；所以
#   两边都在导出时把 Adam 从零重新开始。
#
# 而 Adam 本身也不完全一样。Keras（以及照搬它的 nanonet）在偏差修正*之前*就把 $\varepsilon$ 加到
# $\sqrt{v}$ 上：
#
# $$\text{Keras, nanonet:}\quad \alpha_t = \mathrm{lr}\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t},
# \qquad w \leftarrow w - \alpha_t\,\frac{m}{\sqrt{v} + \varepsilon}$$
#
# $$\text{torch.optim.Adam:}\quad \hat m = \frac{m}{1 - \beta_1^t},\quad
# \hat v = \frac{v}{1 - \beta_2^t}, \qquad
# w \leftarrow w - \mathrm{lr}\,\frac{\hat m}{\sqrt{\hat v} + \varepsilon}$$
#
# 换成 torch 的写法，Keras 的 $\varepsilon$ 相当于
#
# $$\varepsilon' = \frac{\varepsilon}{\sqrt{1 - \beta_2^t}},$$
#
# 第一步时是 $31.6\,\varepsilon$，之后逐渐降到 $\varepsilon$。用 torch 默认的 $\varepsilon = 10^{-8}$，
# 差距还会更大；移植时第一件要设的就是 `eps=1e-7`（Keras 的值）。为了让曲线完全重合，nanonet 还把
# Keras 的规则做成了一个 torch 优化器，`nanonet.interop.distributed.KerasAdam`——十来行，你可以
# 读一读。我们让 PyTorch 跑两次，两种优化器各一次。

# %%
section(f"4. {more_epochs} more epochs: nanonet, and the exported module in PyTorch",
        f"4. 再训练 {more_epochs} 轮：nanonet，以及 PyTorch 中导出的模块")
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
lesson.say(f"\nlargest per-epoch loss difference, nanonet vs PyTorch with KerasAdam: "
           f"{keras_gap:.3g}",
           f"\n每轮损失的最大差异，nanonet vs 使用 KerasAdam 的 PyTorch：{keras_gap:.3g}")
lesson.say(f"largest per-epoch loss difference, nanonet vs torch.optim.Adam(eps=1e-7): "
           f"{adam_gap:.3g}",
           f"每轮损失的最大差异，nanonet vs torch.optim.Adam(eps=1e-7)：{adam_gap:.3g}")
keras_weight_gap = weight_difference(model, keras_module)
adam_weight_gap = weight_difference(model, adam_module)
lesson.say(f"largest weight difference after {more_epochs} epochs: KerasAdam "
           f"{keras_weight_gap:.3g}, torch.optim.Adam "
           f"{adam_weight_gap:.3g}",
           f"{more_epochs} 轮之后权重的最大差异：KerasAdam {keras_weight_gap:.3g}，"
           f"torch.optim.Adam {adam_weight_gap:.3g}")
lesson.say("→ the loss curves barely tell the two Adams apart (each epoch's loss averages "
           f"{n_batches} batches, so\n  rounding averages out); the weights do. With KerasAdam "
           "they stay within float32 rounding of\n  nanonet's; with torch.optim.Adam they "
           "drift, from where ε enters alone — most for weights\n  whose gradients are small, "
           "so that √v is not far above ε. Compare weights, not just losses.",
           f"→ 损失曲线几乎分不出这两种 Adam（每轮的损失是 {n_batches} 个批次的平均，舍入误差被\n"
           "  平均掉了）；权重却分得出来。用 KerasAdam，权重与 nanonet 的差距保持在 float32 的\n"
           "  舍入误差之内；用 torch.optim.Adam，权重会漂移，根源只在 ε 的加法位置——梯度小、√v 比\n"
           "  ε 大不了多少的权重漂得最多。要比较权重，而不只是损失。")

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

# %% [markdown] lang="zh"
# ## 5. 有 GPU 时，在 GPU 上
#
# 把训练搬到显卡上，改变的只是*张量放在哪里*，别的什么都不变：
#
#     device = "cuda" if torch.cuda.is_available() else "cpu"
#     module = module.to(device);  x = x.to(device)     # every tensor a step touches
#
# （Apple 芯片：`torch.backends.mps.is_available()`，设备名 "mps"。）GPU 的计算核又以另一种顺序
# 累加，所以曲线应当再次一致到 float32 的舍入误差——前提是 float32 乘法仍然是 float32：这是
# PyTorch 的默认设置，除非用 `torch.backends.cuda.matmul.allow_tf32 = True` 打开了 TF32（10 位
# 尾数，在较新的 NVIDIA 显卡上更快）。

# %%
section("5. The same training on a GPU", "5. 同样的训练，在 GPU 上")
if cuda:
    gpu_module = copy.deepcopy(exported).to("cuda")
    gpu_losses = train_epochs(gpu_module, x_fit, y_fit, after_orders, BATCH_SIZE,
                              KerasAdam(gpu_module.parameters(), lr=LEARNING_RATE),
                              device="cuda")
    gpu_gap = float(np.max(np.abs(np.subtract(gpu_losses, keras_losses))))
    lesson.say(f"trained on {torch.cuda.get_device_name(0)}; largest per-epoch loss difference, "
               f"GPU vs CPU: {gpu_gap:.3g}",
               f"在 {torch.cuda.get_device_name(0)} 上训练；每轮损失的最大差异，GPU vs CPU："
               f"{gpu_gap:.3g}")
else:
    lesson.say("torch.cuda.is_available() is False: this machine has no CUDA GPU (or this "
               "PyTorch is a CPU build),\nso every PyTorch number in this lesson was computed on "
               "the CPU. On a machine with one,\nsection 5 trains there too and compares.",
               "torch.cuda.is_available() 为 False：这台机器没有 CUDA GPU（或者这个 PyTorch 是 CPU "
               "版），\n所以本课中 PyTorch 的每个数字都是在 CPU 上算的。在有 GPU 的机器上，\n"
               "第 5 节也会在那里训练并进行比较。")

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
# weight a row of the smaller part more. So process $r$, holding the rows $P_r$ of a batch of
# $B$ rows, backpropagates
#
# $$J_r = \frac{2}{B} \sum_{i \in P_r} \ell_i,$$
#
# and DDP's average of the two gradients is the gradient of the one-process loss, exactly:
#
# $$\frac{1}{2}\big(\nabla J_0 + \nabla J_1\big) = \frac{1}{B} \sum_{i=1}^{B} \nabla \ell_i.$$
#
# The worker, `nanonet.interop.distributed.worker`, in short:
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

# %% [markdown] lang="zh"
# ## 6. 数据并行：两个进程，各处理每个批次的一半
#
# 一台机器不够用时，`torch.distributed` 为每块 GPU（或每台机器）运行一个进程。每个进程都有一份
# 完整的模型；每一步，每个进程在*自己那部分*批次上计算梯度，各进程把梯度加在一起（一次
# *all-reduce*，这里走 gloo 后端——TCP、CPU、任何操作系统都行），再除以进程数，然后各自做同样的
# 优化器更新——于是各份副本始终相等。`DistributedDataParallel`（DDP）在反向传播过程中完成这个
# 平均。
#
# 只有当每一部分的损失按它的大小加权时，对各部分梯度求平均才等于整个批次的梯度。27 行分成
# 14 + 13 时，每部分先取平均再平均，会让较小那部分的一行占更大的权重。所以持有一个 $B$ 行批次中
# 的行 $P_r$ 的进程 $r$ 反向传播的是
#
# $$J_r = \frac{2}{B} \sum_{i \in P_r} \ell_i,$$
#
# 而 DDP 对两个梯度的平均恰好就是单进程损失的梯度：
#
# $$\frac{1}{2}\big(\nabla J_0 + \nabla J_1\big) = \frac{1}{B} \sum_{i=1}^{B} \nabla \ell_i.$$
#
# 工作进程 `nanonet.interop.distributed.worker`，简要地说：
#
#     dist.init_process_group("gloo", rank=rank, world_size=2)  # MASTER_ADDR, MASTER_PORT
#     model = DistributedDataParallel(module)      # rank 0's weights broadcast to all
#     optimizer = KerasAdam(model.parameters(), lr=0.001)
#     for each batch:
#         mine = np.array_split(batch, 2)[rank]
#         loss = bce(model(x[mine]), y[mine], reduction="sum") * 2 / len(batch)
#         optimizer.zero_grad(); loss.backward(); optimizer.step()   # backward all-reduces
#
# 两个进程怎样启动：在你自己的脚本里，在 `if __name__ == "__main__":` 下调用
# `torch.multiprocessing.spawn(worker, nprocs=2)`，或者用 `torchrun --nproc_per_node=2 train.py`。
# spawn 会在每个子进程里重新导入调用它的脚本——本课会在每个子进程里再跑一遍——所以 nanonet 像
# torchrun 那样启动工作进程：两个全新的 Python 进程（`python -m nanonet.interop.distributed`），
# 通过环境变量告诉它们各自的 rank、进程总数，以及 rank 0 进程的地址 127.0.0.1 和一个空闲端口。

# %%
section("6. DistributedDataParallel: 2 processes (gloo) vs 1 process, from the exported model",
        "6. DistributedDataParallel：2 个进程（gloo）vs 1 个进程，从导出的模型出发")
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


split = f"{len(last_batch)} rows = {len(halves[0])} + {len(halves[1])}"
lesson.say(f"the last batch of an epoch: {split}",
           f"一轮中的最后一个批次：{len(last_batch)} 行 = {len(halves[0])} + {len(halves[1])}")
lesson.say(f"  gradient from the size-weighted parts, relative to one process: "
           f"{relative(weighted):.2g}",
           f"  按大小加权的各部分得到的梯度，相对于单进程的误差：{relative(weighted):.2g}")
lesson.say(f"  gradient from a plain mean per part (wrong), relative error:      "
           f"{relative(naive):.2g}",
           f"  每部分直接取平均（错误做法）得到的梯度，相对误差：{relative(naive):.2g}")

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
    lesson.say(f"largest per-epoch loss difference, DDP vs one process: {ddp_loss_gap:.3g}",
               f"每轮损失的最大差异，DDP vs 单进程：{ddp_loss_gap:.3g}")
    lesson.say(f"largest weight difference after {more_epochs} epochs, DDP vs one process: "
               f"{ddp_weight_gap:.3g}",
               f"{more_epochs} 轮之后权重的最大差异，DDP vs 单进程：{ddp_weight_gap:.3g}")
    lesson.say(f"the two processes hold bit-for-bit equal weights: {replicas_equal}",
               f"两个进程持有逐位相同的权重：{'是' if replicas_equal else '否'}")
    lesson.say(f"DDP matches single-process training to float32 precision: {ddp_ok}",
               f"DDP 与单进程训练在 float32 精度内一致：{'是' if ddp_ok else '否'}")
    lesson.say(f"time: DDP training loop {ddp.seconds:.2f} s, {ddp.total_seconds:.1f} s with "
               f"starting the processes (each imports torch)",
               f"时间：DDP 训练循环 {ddp.seconds:.2f} 秒，算上启动进程（每个都要导入 torch）共 "
               f"{ddp.total_seconds:.1f} 秒")
else:
    lesson.say("this PyTorch has no gloo backend (torch.distributed.is_gloo_available() is "
               "False); skipped",
               "这个 PyTorch 没有 gloo 后端（torch.distributed.is_gloo_available() 为 False）；"
               "跳过")

# %% [markdown]
# ## 7. And back
#
# `from_torch(module)` reads the PyTorch model back into nanonet — to inspect it with nanonet's
# tools (gradient checks, lesson 05's gate plots) after training it at scale.

# %% [markdown] lang="zh"
# ## 7. 再回来
#
# `from_torch(module)` 把 PyTorch 模型读回 nanonet——在大规模训练之后，用 nanonet 的工具（梯度
# 检验、第 05 课的门控图）来检查它。

# %%
section("7. Back to nanonet: from_torch", "7. 回到 nanonet：from_torch")
home = from_torch(keras_module)
with torch.no_grad():
    p_home_torch = keras_module.eval()(torch.from_numpy(x_test)).numpy()
back_difference = float(np.max(np.abs(home.predict(x_test) - p_home_torch)))
lesson.say(f"largest |nanonet − PyTorch| output difference after the round trip: "
           f"{back_difference:.3g}",
           f"往返一趟之后 |nanonet − PyTorch| 输出的最大差异：{back_difference:.3g}")
bit_equal = all(np.array_equal(a, b)
                for a, b in zip(home.get_weights(), torch_weights(keras_module)))
lesson.say(f"weights equal to PyTorch's, bit for bit: {bit_equal}",
           f"权重与 PyTorch 的逐位相同：{'是' if bit_equal else '否'}")
lesson.say("""
What carried over, and what did not:
- the architecture and the weights, exactly: outputs agree to float32 rounding;
- Adam's state (m, v, t) does not travel with the weights — both sides restarted it here;
- Adam's ε enters differently in Keras/nanonet and torch.optim.Adam: a small drift, gone with
  KerasAdam (or negligible once t is large);
- dropout masks come from each framework's own random numbers: the same only on average;
- splitting a batch over processes changes nothing, provided each part's loss is weighted
  by its size.""", """
哪些搬过去了，哪些没有：
- 结构和权重，原样搬过去：输出一致到 float32 的舍入误差；
- Adam 的状态（m、v、t）不随权重一起走——这里两边都重新开始了它；
- Adam 的 ε 在 Keras/nanonet 和 torch.optim.Adam 里加的位置不同：会有小小的漂移，用 KerasAdam
  就没有了（t 很大时也可以忽略）；
- dropout 掩码来自各框架自己的随机数：只在平均意义上相同；
- 把一个批次分给多个进程不会改变任何东西，只要每一部分的损失按它的大小加权。""")

# %% [markdown]
# ## Figures
#
# 1. The loss per epoch: nanonet before the export, then nanonet and PyTorch side by side
#    (they overlap), and how far apart they are, on a log scale, next to float32's spacing.
# 2. One process against two: the per-epoch losses and their difference.

# %% [markdown] lang="zh"
# ## 图
#
# 1. 每轮的损失：导出前的 nanonet，然后是并排的 nanonet 和 PyTorch（两者重合），以及它们相差多远
#    （对数坐标），旁边是 float32 的间距。
# 2. 单进程对两个进程：每轮的损失及其差异。

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    from matplotlib.ticker import MaxNLocator
    label = figure_text.label
    before = np.arange(1, first_epochs + 1)
    after = np.arange(first_epochs + 1, first_epochs + more_epochs + 1)
    figure, (ax_loss, ax_gap) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(before, before_export, "o-", color="tab:blue",
                 label=label("nanonet, before export", "nanonet，导出前"))
    ax_loss.plot(after, nanonet_losses, "o-", color="tab:blue", mfc="white",
                 label=label("nanonet, after export", "nanonet，导出后"))
    ax_loss.plot(after, keras_losses, "x--", color="tab:red", label="PyTorch + KerasAdam")
    ax_loss.plot(after, adam_losses, "+:", color="tab:green", label="PyTorch + torch.optim.Adam")
    ax_loss.axvline(first_epochs + 0.5, color="k", lw=0.8, ls=":")
    ax_loss.text(first_epochs + 0.55, 0.02, label("export", "导出"), fontsize=8,
                 transform=ax_loss.get_xaxis_transform())
    ax_loss.set(xlabel=label("epoch", "轮次"),
                ylabel=label("training loss (binary cross-entropy)", "训练损失（二元交叉熵）"),
                title=label("the loss curves", "损失曲线"))
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
                       label=label("float32 spacing at 1 (1.2e-7)", "float32 在 1 处的间距 (1.2e-7)"))
        ax_gap.axhline(floor, color="0.5", lw=0.8, ls=":",
                       label=label("0 (the same to the last bit)", "0（每一位都相同）"))
        ax_gap.set(xlabel=label("epoch", "轮次"), ylabel=label("|loss difference|", "|损失之差|"),
                   title=label("how far apart", "相差多远"),
                   ylim=(floor / 2, top))                        # room for the legend on top
        ax_gap.legend(fontsize=8, loc="upper left")
        for ax in (ax_loss, ax_gap):
            ax.grid(alpha=0.3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        figure.suptitle(title)
        figure.tight_layout()
        lesson.save_figure(figure, options, name)

    finish(figure, ax_loss, ax_gap, 1e-4 + 100 * adam_gap,
           label("Lesson 08: training continues in PyTorch from the exported nanonet model",
                 "第 08 课：从导出的 nanonet 模型出发，在 PyTorch 中继续训练"),
           "08_loss_curves.png")

    if gloo:
        figure, (ax_loss, ax_gap) = plt.subplots(1, 2, figsize=(11, 4))
        ax_loss.plot(after, keras_losses, "o-", color="tab:blue", mfc="white",
                     label=label("1 process, whole batches", "1 个进程，整个批次"))
        ax_loss.plot(after, ddp.losses, "x--", color="tab:red",
                     label=label("DDP: 2 processes, half a batch each",
                                 "DDP：2 个进程，各处理半个批次"))
        ax_loss.set(xlabel=label("epoch", "轮次"), ylabel=label("training loss", "训练损失"),
                    title=label("the loss curves", "损失曲线"))
        ax_loss.legend(fontsize=8)
        ax_gap.semilogy(after, np.maximum(gaps[2], floor), "x--", color="tab:red",
                        label=label("|1 process − DDP|", "|1 个进程 − DDP|"))
        finish(figure, ax_loss, ax_gap, 1e-5 + 100 * ddp_loss_gap,
               label("Lesson 08: DistributedDataParallel (gloo, 2 processes) vs one process",
                     "第 08 课：DistributedDataParallel（gloo，2 个进程）vs 1 个进程"),
               "08_ddp.png")

seconds_taken = time.perf_counter() - started
lesson.say(f"\nlesson 08 ran in {seconds_taken:.1f} s", f"\n第 08 课用时 {seconds_taken:.1f} 秒")
