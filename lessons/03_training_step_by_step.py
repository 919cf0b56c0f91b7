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
# We write all six out for the two-layer network of §4.1,
# $\hat y = \sigma(W_2\,\sigma(W_1 x + b_1) + b_2)$, with mini-batch gradient descent — and then
# show that `nanonet.Sequential.fit` does *exactly* the same arithmetic: started from the same
# weights on the same batches, it ends on the same weights, to the last few digits.
#
# Run: `python -m nanonet lesson 03` (options: `--out DIR`, `--quick`).

# %% [markdown] lang="zh"
# # 第 03 课 — 一步一步地训练
#
# 文章 §3.2 把训练过程分成六步：
#
# 1. **数据预处理**：清洗数据、归一化；
# 2. **模型初始化**：随机初始化权重和偏置；
# 3. **前向传播**：输入 → 隐藏层 → 输出；
# 4. **损失函数计算**：算出损失；
# 5. **反向传播**：根据损失调整权重和偏置；
# 6. **迭代训练**：重复第 3–5 步，直到模型收敛。
#
# 我们用小批量梯度下降，为 §4.1 的两层网络 $\hat y = \sigma(W_2\,\sigma(W_1 x + b_1) + b_2)$
# 把这六步全部写出来——然后说明 `nanonet.Sequential.fit` 做的是*完全*相同的运算：从相同的权重出发、
# 用相同的小批量训练，它最后得到的权重与我们的一致，只差最后几位数字。
#
# 运行：`python -m nanonet lesson 03`（选项：`--out DIR`、`--quick`）。

# %%
"""Lesson 03 — training, step by step: §3.2's six steps by hand, then the same with Sequential.fit."""
import time
import unicodedata

import numpy as np

import nanonet as nn
from nanonet import layers, lesson, ops, plotting
from nanonet.lesson import say, section
from nanonet.teaching.figure_text import label

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
# Two moons: 600 training points, 200 validation points. Standardise with the mean $\mu$ and
# standard deviation $s$ of the **training** points only (the validation points must not leak
# into anything the model is fitted with):
#
# $$x \leftarrow \frac{x - \mu_\text{train}}{s_\text{train}}$$

# %% [markdown] lang="zh"
# ## 第 1 步 — 数据预处理
# 两个交错的半月形（two moons）：600 个训练点，200 个验证点。标准化时只用**训练**点的均值 $\mu$
# 和标准差 $s$（验证点的信息不能泄漏到模型拟合所用的任何东西里）：
#
# $$x \leftarrow \frac{x - \mu_\text{train}}{s_\text{train}}$$

# %%
section("Step 1 — preprocess", "第 1 步 — 数据预处理")
x_all, y_all = two_moons(800, rng)
x_train, y_train, x_val, y_val = x_all[:600], y_all[:600], x_all[600:], y_all[600:]
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
means, stds = np.round(x_train.mean(axis=0), 12), np.round(x_train.std(axis=0), 12)
say(f"train {x_train.shape}, validation {x_val.shape}; train means now {means}, stds {stds}",
    f"训练集 {x_train.shape}，验证集 {x_val.shape}；训练集现在的均值 {means}，标准差 {stds}")

# %% [markdown]
# ## Step 2 — initialise
# Glorot-uniform kernels, each weight drawn from $[-\ell, \ell]$ with
# $\ell = \sqrt{6 / (n_\text{in} + n_\text{out})}$, and zero biases — Keras's defaults.
# Row-vector convention: a batch $X$ is $(m, D)$, so the kernel $W_1$ is $(D, H)$.

# %% [markdown] lang="zh"
# ## 第 2 步 — 模型初始化
# 权重矩阵用 Glorot 均匀分布初始化，每个权重从 $[-\ell, \ell]$ 中抽取，
# $\ell = \sqrt{6 / (n_\text{in} + n_\text{out})}$；偏置全为零——这是 Keras 的默认做法。
# 按行向量的约定，一批数据 $X$ 的形状是 $(m, D)$，所以权重矩阵 $W_1$ 是 $(D, H)$。

# %%
section("Step 2 — initialise", "第 2 步 — 模型初始化")
hidden = 16
W1 = rng.uniform(-1, 1, (2, hidden)) * np.sqrt(6 / (2 + hidden))
b1 = np.zeros(hidden)
W2 = rng.uniform(-1, 1, (hidden, 1)) * np.sqrt(6 / (hidden + 1))
b2 = np.zeros(1)
initial = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]
shapes, n_parameters = f"W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}", \
    W1.size + b1.size + W2.size + b2.size
say(f"{shapes}: {n_parameters} parameters", f"{shapes}：共 {n_parameters} 个参数")


# %% [markdown]
# ## Steps 3, 4, 5 — forward, loss, backward (for one mini-batch)
#
# Forward:
#
# $$z_1 = X W_1 + b_1, \quad h = \tanh(z_1), \quad z_2 = h W_2 + b_2, \quad \hat y = \sigma(z_2)$$
#
# Loss, the binary cross-entropy of §4.2,
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big],$$
#
# computed from $z_2$ so that no $\log 0$ can occur — the same value, rearranged:
#
# $$J = \frac{1}{m}\sum_{i=1}^{m}\big[\max(z_{2,i}, 0) - z_{2,i}\, y_i + \log\big(1 + e^{-|z_{2,i}|}\big)\big]$$
#
# Backward:
#
# $$dz_2 = \frac{\hat y - y}{m}, \quad dW_2 = h^\top dz_2, \quad db_2 = \sum_i dz_{2,i}$$
#
# $$dz_1 = (dz_2 W_2^\top) \odot (1 - h^2), \quad dW_1 = X^\top dz_1, \quad db_1 = \sum_i dz_{1,i}$$
#
# (A tanh hidden layer this time: the article allows any activation; its derivative is
# $1 - h^2$.)

# %% [markdown] lang="zh"
# ## 第 3、4、5 步 — 前向传播、损失函数、反向传播（针对一个小批量）
#
# 前向传播：
#
# $$z_1 = X W_1 + b_1, \quad h = \tanh(z_1), \quad z_2 = h W_2 + b_2, \quad \hat y = \sigma(z_2)$$
#
# 损失函数，即 §4.2 的二分类交叉熵
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big],$$
#
# 直接从 $z_2$ 计算，这样就不会出现 $\log 0$——数值相同，只是换了个写法：
#
# $$J = \frac{1}{m}\sum_{i=1}^{m}\big[\max(z_{2,i}, 0) - z_{2,i}\, y_i + \log\big(1 + e^{-|z_{2,i}|}\big)\big]$$
#
# 反向传播：
#
# $$dz_2 = \frac{\hat y - y}{m}, \quad dW_2 = h^\top dz_2, \quad db_2 = \sum_i dz_{2,i}$$
#
# $$dz_1 = (dz_2 W_2^\top) \odot (1 - h^2), \quad dW_1 = X^\top dz_1, \quad db_1 = \sum_i dz_{1,i}$$
#
# （这次隐藏层用 tanh：文章允许任何激活函数；tanh 的导数是 $1 - h^2$。）

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
# each batch: forward, loss, backward, and a gradient-descent step with learning rate $\eta$:
#
# $$w \leftarrow w - \eta\,\frac{\partial J}{\partial w}$$

# %% [markdown] lang="zh"
# ## 第 6 步 — 迭代训练
# 每一轮（epoch）把训练集按 32 个一批走一遍（最后一批少一些）；每一批都做前向传播、计算损失、
# 反向传播，再按学习率 $\eta$ 走一步梯度下降：
#
# $$w \leftarrow w - \eta\,\frac{\partial J}{\partial w}$$

# %%
section("Step 6 — iterate (by hand)", "第 6 步 — 迭代训练（手写）")
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
        say(f"epoch {epoch:3d}  loss {hand_losses[-1]:.4f}",
            f"第 {epoch:3d} 轮  损失 {hand_losses[-1]:.4f}")
hand_seconds = time.perf_counter() - start
y_hat_val = forward(x_val, *weights)[0]
hand_accuracy = float(np.mean((y_hat_val[:, 0] > 0.5) == y_val))
say(f"validation accuracy {hand_accuracy:.3f}  ({hand_seconds:.2f} s)",
    f"验证集准确率 {hand_accuracy:.3f}（{hand_seconds:.2f} 秒）")

# %% [markdown]
# ## The same with `Sequential.fit`
# Same architecture, same initial weights (`set_weights`), plain SGD with the same learning
# rate, the same batches in the same order (`shuffle=False`), float64. `fit` runs the very
# steps above: its loss per epoch is the batch-size-weighted mean of the batch losses, each
# taken before that batch's update — as our loop printed.

# %% [markdown] lang="zh"
# ## 用 `Sequential.fit` 做同样的事
# 相同的结构、相同的初始权重（`set_weights`）、相同学习率的普通 SGD、相同顺序的相同小批量
# （`shuffle=False`）、float64。`fit` 执行的正是上面这些步骤：它每一轮的损失是各批损失按批大小
# 加权的平均，每批的损失都在该批更新之前计算——和我们的循环打印的一样。

# %%
section("The same with Sequential.fit", "用 Sequential.fit 做同样的事")
model = nn.Sequential([layers.Dense(hidden, activation="tanh", input_shape=(2,)),
                       layers.Dense(1, activation="sigmoid")], dtype="float64")
model.set_weights(initial)
model.compile(optimizer=nn.optimizers.SGD(learning_rate), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=False,
                    validation_data=(x_val, y_val), verbose=0)
difference = max(np.abs(a - b).max() for a, b in zip(model.get_weights(), weights))
say(f"largest difference between fit's weights and ours: {difference:.1e}",
    f"fit 的权重与我们的权重之间的最大差：{difference:.1e}")
loss_difference = float(np.abs(np.array(hand_losses) - history.history["loss"]).max())
say(f"loss per epoch, ours vs fit's: largest difference {loss_difference:.1e}",
    f"每轮的损失，我们的与 fit 的相比：最大差 {loss_difference:.1e}")
fit_accuracy = history.history['val_accuracy'][-1]
say(f"validation accuracy {fit_accuracy:.3f}", f"验证集准确率 {fit_accuracy:.3f}")
assert difference < 1e-9, "fit should reproduce the hand-written loop"

# %% [markdown]
# ## What `fit` adds
# Shuffling (a new order every epoch), Adam instead of plain gradient descent, a progress bar,
# validation metrics — one line each. A shuffled, Adam-trained model of the same size:

# %% [markdown] lang="zh"
# ## `fit` 多给了什么
# 打乱顺序（每一轮换一个新顺序）、用 Adam 代替普通梯度下降、进度条、验证集上的指标——每样只需
# 一行。下面是一个同样大小、打乱顺序并用 Adam 训练的模型：

# %%
section("fit with shuffling and Adam", "打乱顺序并用 Adam 的 fit")
adam = nn.Sequential([layers.Dense(hidden, activation="tanh", input_shape=(2,)),
                      layers.Dense(1, activation="sigmoid")], seed=options.seed)
adam.compile(optimizer=nn.optimizers.Adam(0.02), loss="binary_crossentropy",
             metrics=["accuracy"])
adam_history = adam.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=(x_val, y_val), verbose=2 if options.quick else 0)
adam_accuracy = adam_history.history['val_accuracy'][-1]
say(f"Adam: validation accuracy {adam_accuracy:.3f}", f"Adam：验证集准确率 {adam_accuracy:.3f}")

# %%
if lesson.figures_available():
    # the two SGD curves coincide: the hand loop thick with dots, fit's dashed on top of it
    fit_label = label(f"Sequential.fit (SGD): on top, ≤ {loss_difference:.0e} apart",
                      f"Sequential.fit（SGD）：与手写的重合，相差 ≤ {loss_difference:.0e}")
    hand_label = label("by hand (SGD)", "手写（SGD）")
    lesson.save_figure(plotting.loss_curves(
        {hand_label: hand_losses, fit_label: history.history["loss"],
         label("fit with Adam + shuffling", "fit，Adam + 打乱顺序"): adam_history.history["loss"],
         label("Adam, validation", "Adam，验证集"): adam_history.history["val_loss"]},
        title=label("Lesson 03: the same training, by hand and with fit",
                    "第 03 课：同样的训练，手写与用 fit"), xlabel=label("epoch", "轮次（epoch）"),
        ylabel=label("loss", "损失"),
        styles={hand_label: {"linewidth": 5, "alpha": 0.35, "marker": "o", "markersize": 4},
                fit_label: {"linestyle": "--", "color": "black", "linewidth": 1.2}}),
        options, "03_training_curves.png")
    plt = plotting.pyplot()
    figure, axis = plt.subplots(figsize=(5, 4))
    grid = np.stack(np.meshgrid(np.linspace(-2.5, 2.5, 200), np.linspace(-2.5, 2.5, 200)), -1)
    probability = adam.predict(grid.reshape(-1, 2), batch_size=4096).reshape(200, 200)
    shading = axis.contourf(grid[..., 0], grid[..., 1], probability, levels=20, cmap="RdBu_r",
                            alpha=0.6)
    figure.colorbar(shading, ax=axis, label=label("P(class 1), Adam model",
                                                  "P(第 1 类)，Adam 模型"), ticks=[0, 0.5, 1])
    for point_class, colour in ((0, "tab:blue"), (1, "tab:red")):
        chosen = y_val == point_class
        axis.scatter(x_val[chosen, 0], x_val[chosen, 1], color=colour, edgecolors="white",
                     linewidths=0.5, s=18, label=label(f"class {point_class}",
                                                       f"第 {point_class} 类"))
    axis.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncol=2, fontsize=8)
    axis.set(title=label("Decision boundary (validation points)", "决策边界（验证点）"),
             xlabel="x₁", ylabel="x₂")
    lesson.save_figure(figure, options, "03_decision_boundary.png")

# %% [markdown]
# ## Two engines, one truth
# Everything nanonet computes exists twice. The **reference** engine is the code you read in
# `nanonet/layers/` and `nanonet/optimizers.py`: each function the docstring's equations,
# written plainly ($z = xW + b$, $dW = x^\top dz$, $m \leftarrow m + (g - m)(1 - \beta_1)$, …),
# and what the exercises ask you to write. The **fast** engine (`nanonet/fast/`, the default)
# computes the same functions with tricks: results written into buffers the layer keeps from
# batch to batch (no new arrays, no page faults), activations applied in place, every weight
# in one flat buffer updated in cache-sized blocks, and for the LSTM fused gates and the input
# projection of all timesteps in one matmul. Same seed, same data: the two land on the same
# weights.

# %% [markdown] lang="zh"
# ## 两个引擎，一个真相
# nanonet 算的每样东西都有两份实现。**参考**引擎就是你在 `nanonet/layers/` 和
# `nanonet/optimizers.py` 里读到的代码：每个函数都是把文档字符串里的公式直白地写出来
# （$z = xW + b$、$dW = x^\top dz$、$m \leftarrow m + (g - m)(1 - \beta_1)$ ……），也正是练习要你写的。
# **快速**引擎（`nanonet/fast/`，默认使用）用一些技巧计算同样的函数：结果写进层在各批之间反复使用的
# 缓冲区（不新建数组，没有缺页），激活函数原地计算，所有权重放在一块连续的缓冲区里、按缓存大小分块
# 更新；LSTM 则把各个门合并计算，并用一次矩阵乘法算出所有时间步的输入投影。相同的随机种子、相同的
# 数据：两个引擎得到相同的权重。

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


section("The same models on both engines", "同样的模型，两个引擎")
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
titles_zh = {"this lesson's Dense model (float64)": "本课的 Dense 模型（float64）",
             "Embedding → LSTM(32) → Dense, 20 steps (float64)":
                 "Embedding → LSTM(32) → Dense，20 个时间步（float64）"}


def right_aligned(text: str, width: int) -> str:
    """`text` right-aligned in `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return " " * max(width - columns, 0) + text


# in Chinese the model's name ends the row, so the numbers' columns line up
say(f"{'model':<50} {'reference':>10} {'fast':>9} {'speed-up':>9} {'over 3 runs':>12} "
    f"{'weights differ by':>18}",
    " ".join(right_aligned(head, width) for head, width in (
        ("参考引擎", 11), ("快速引擎", 9), ("加速比", 9), ("3 次的范围", 11), ("权重之差", 18)))
    + "  模型")
speed_ups = {}
for title, (make_layers, x_data, y_data, n_epochs, dtype) in models.items():
    seconds, engine_difference = on_both_engines(make_layers, x_data, y_data, n_epochs, dtype)
    paired = [r / f for r, f in zip(seconds["reference"], seconds["fast"])]
    speed_ups[title] = min(seconds["reference"]) / min(seconds["fast"])
    numbers = (f"{min(seconds['reference']) * 1000:8.0f} ms "
               f"{min(seconds['fast']) * 1000:6.0f} ms {speed_ups[title]:8.1f}× "
               f"{min(paired):5.1f}–{max(paired):.1f}× {engine_difference:18.1e}")
    say(f"{title:<50} {numbers}", f"{numbers}  {titles_zh[title]}")
    assert engine_difference < 1e-9, "both engines compute the same function"
say("(times: the fastest of 3 runs per engine, the engines taking turns; the range is the "
    "ratio of each pair of runs — a busy machine moves the times, never the weights)",
    "（用时：每个引擎 3 次运行中最快的一次，两个引擎轮流运行；范围是每一对运行的用时之比——"
    "机器忙时用时会变，权重永远不变）")
lstm_speed_up = speed_ups["Embedding → LSTM(32) → Dense, 20 steps (float64)"]
if lstm_speed_up > 1.2:
    say(f"Here the fast engine trained the LSTM {lstm_speed_up:.1f}× as fast as the reference.",
        f"这一次，快速引擎训练 LSTM 的速度是参考引擎的 {lstm_speed_up:.1f} 倍。")
else:
    say(f"Here the fast engine was not clearly faster on the LSTM ({lstm_speed_up:.1f}×): "
        f"a busy machine slows the engines unevenly — run the lesson again on a quiet one "
        f"to compare.",
        f"这一次，快速引擎在 LSTM 上没有明显更快（{lstm_speed_up:.1f}×）：机器忙时两个引擎"
        f"被拖慢的程度不同——请在空闲的机器上再运行一次本课来比较。")

# %% [markdown]
# Why the times differ. The small Dense model has tiny batches: Python's per-call overhead,
# not the arithmetic, sets its time, so the engines are close. The LSTM is where the fast
# engine's tricks apply: it does the input projection of all 20 steps in one matmul, computes
# the four gates with one tanh, keeps every step's values in one workspace reused from batch
# to batch, and turns the backward loop's 20 small weight-gradient matmuls into one big one.
# The table says what that was worth on your machine, in this run. A clear idea first, then
# a fast one — and a test (tests/test_engines.py) that they are the same function.

# %% [markdown] lang="zh"
# 为什么用时不同。小的 Dense 模型每批数据很小：决定用时的是 Python 每次调用的开销，而不是运算本身，
# 所以两个引擎差不多。LSTM 才是快速引擎的技巧派得上用场的地方：它用一次矩阵乘法算出全部 20 个
# 时间步的输入投影，用一次 tanh 算出四个门，把每一步的值放在一块各批反复使用的工作区里，并把反向
# 循环里 20 次求权重梯度的小矩阵乘法合成一次大的。上面的表格告诉你，在你的机器上、这一次运行中，
# 这些技巧值多少。先有清楚的思路，再求快——再用一个测试（tests/test_engines.py）证明两者是同一个
# 函数。
