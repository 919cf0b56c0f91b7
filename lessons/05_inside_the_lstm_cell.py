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

# %% [markdown] lang="zh"
# # 第 05 课 — 走进 LSTM 单元
#
# 文章 §5 的模型是 Embedding → **LSTM(64)** → Dense。本课把其中的长短期记忆网络（LSTM）拆开来看：
#
# 1. 单元的公式，以及用纯 NumPy 逐个门手算的一步，并与 `nanonet.layers.lstm_step_forward`
#    对照；
# 2. 随时间反向传播（BPTT）：梯度为什么沿着细胞状态 c 往回传，为什么由遗忘门决定它能传多远；
#    再对单个单元步和整个 LSTM 层做数值梯度检验；
# 3. 一个需要记忆的任务——序列的第一个词元（token）要在最后一步报出来，中间隔着一串干扰词元——
#    用 nanonet 训练，旁边放一个没有记忆、因而做不到的模型（还有一个一次看到全部词元的模型，
#    对它来说这个任务很容易）；
# 4. 把 BPTT 写成 `lstm_step_backward` 的循环，它与层算出的梯度相等；再看训练前后，c 上的梯度
#    以及细胞状态这条通路各有多少能传到第 1 步；
# 5. 训练好的单元靠什么记住：它的各个门随时间的变化，以及关掉单元某些部分的三个实验；
# 6. 换几个随机种子重复同样的测量：哪些结论在各个种子上都成立，哪些不成立；
# 7. 图：训练曲线、经过 c 的梯度（每个种子）、门的热力图（时间 × 单元）、记忆单元随时间的变化。
#
# 运行：`python -m nanonet lesson 05`（选项：`--out DIR`、`--quick`、`--seed N`）。

# %%
"""Lesson 05 — inside the LSTM cell: the gates by hand, backpropagation through time, and how a trained cell remembers."""
import time
from typing import Dict, NamedTuple

import numpy as np

import nanonet as nn
from nanonet import gradcheck, layers, lesson, optimizers, plotting
from nanonet.lesson import say, section, words
from nanonet.teaching import figure_text

options = lesson.options("05")
started = time.perf_counter()
rng = np.random.default_rng(options.seed)
np.set_printoptions(precision=4, suppress=True, linewidth=100)

# %% [markdown]
# ## 1. The cell's equations
#
# One step takes the input $x_t$ ($D$ features), the previous output $h_{t-1}$ and the
# previous cell state $c_{t-1}$ ($U$ units each). One matrix product gives all four gates'
# pre-activations; the columns of $W$ $(D, 4U)$, $R$ $(U, 4U)$ and $b$ $(4U)$ come in four
# blocks, Keras's order **[i, f, c̃, o]**. ($R$ is Keras's `recurrent_kernel`; many texts
# call it $U$, but here $U$ counts the units.)
#
# $$
# \begin{aligned}
# z &= x_t W + h_{t-1} R + b = [\,z_i \mid z_f \mid z_c \mid z_o\,] \\
# i &= \sigma(z_i), \qquad f = \sigma(z_f), \qquad \tilde c = \tanh(z_c), \qquad o = \sigma(z_o) \\
# c_t &= f \odot c_{t-1} + i \odot \tilde c \\
# h_t &= o \odot \tanh(c_t), \qquad h_0 = c_0 = 0
# \end{aligned}
# $$
#
# - $i$, the **input gate**: how much of the candidate to write, $0 \dots 1$;
# - $f$, the **forget gate**: how much of the old cell to keep, $0 \dots 1$;
# - $\tilde c$, the **candidate**: the value that could be written, $-1 \dots 1$;
# - $o$, the **output gate**: how much of the cell to show, $0 \dots 1$.
#
# $\sigma(v) = 1/(1 + e^{-v})$ is the sigmoid and $\odot$ the element-wise product. $c$ is
# the memory: from one step to the next it changes only by a gate-weighted mix — no weight
# matrix, no squashing. $h$ is what the rest of the network (and the next step) sees.

# %% [markdown] lang="zh"
# ## 1. 单元的公式
#
# 每一步的输入是 $x_t$（$D$ 个特征）、上一步的输出 $h_{t-1}$ 和上一步的细胞状态 $c_{t-1}$
# （各有 $U$ 个单元）。一次矩阵乘法就得到四个门的预激活值；$W$ $(D, 4U)$、$R$ $(U, 4U)$ 和
# 偏置 $b$ $(4U)$ 的列分成四块，按 Keras 的顺序 **[i, f, c̃, o]** 排列。（$R$ 就是 Keras 的
# `recurrent_kernel`，即循环权重；不少教材把它记作 $U$，但本课里 $U$ 表示单元个数。）
#
# $$
# \begin{aligned}
# z &= x_t W + h_{t-1} R + b = [\,z_i \mid z_f \mid z_c \mid z_o\,] \\
# i &= \sigma(z_i), \qquad f = \sigma(z_f), \qquad \tilde c = \tanh(z_c), \qquad o = \sigma(z_o) \\
# c_t &= f \odot c_{t-1} + i \odot \tilde c \\
# h_t &= o \odot \tanh(c_t), \qquad h_0 = c_0 = 0
# \end{aligned}
# $$
#
# - $i$，**输入门**：候选值写入多少，取值 $0 \dots 1$；
# - $f$，**遗忘门**：旧的细胞状态保留多少，取值 $0 \dots 1$；
# - $\tilde c$，**候选值**：可能写入的新值，取值 $-1 \dots 1$；
# - $o$，**输出门**：细胞状态对外显示多少，取值 $0 \dots 1$。
#
# $\sigma(v) = 1/(1 + e^{-v})$ 是 sigmoid 激活函数，$\odot$ 表示逐元素相乘。$c$ 就是记忆：
# 从一步到下一步，它只经过一次由门加权的混合——没有权重矩阵，也没有挤压（squashing）。
# $h$ 则是网络的其余部分（以及下一步）看到的东西。


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


section("One LSTM step by hand (N = 1 sample, D = 3 inputs, U = 2 units)",
        "手算一步 LSTM（N = 1 个样本，D = 3 个输入，U = 2 个单元）")
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
print("f   = σ(z_f)              =", f_gate[0],
      words("  (the forget bias 1 pushes it up)", "  （遗忘门偏置 1 把它推高）"))
print("c̃   = tanh(z_c)           =", c_tilde[0])
print("o   = σ(z_o)              =", o_gate[0])
print("c_t = f⊙c_{t-1} + i⊙c̃     =", c_t[0], " =", (f_gate * c_prev)[0],
      words("kept +", "保留 +"), (i_gate * c_tilde)[0], words("written", "写入"))
print("h_t = o⊙tanh(c_t)         =", h_t[0])

h_lib, c_lib, cache = layers.lstm_step_forward(x_t, h_prev, c_prev, W, R, b)
gates_lib = cache[3]                                   # the cache keeps [i f c̃ o] for backward
step_difference = max(np.abs(h_lib - h_t).max(), np.abs(c_lib - c_t).max(),
                      np.abs(gates_lib - np.hstack([i_gate, f_gate, c_tilde, o_gate])).max())
print(f"\nnanonet.layers.lstm_step_forward: h_t = {h_lib[0]}, c_t = {c_lib[0]}")
say(f"hand-computed step equals lstm_step_forward: {step_difference < 1e-12} "
    f"(largest difference over h, c and the four gates: {step_difference:.1e})",
    f"手算的一步与 lstm_step_forward 相等：{step_difference < 1e-12}"
    f"（h、c 和四个门上的最大差异：{step_difference:.1e}）")
say("(lstm_step_forward is these very equations, σ(z) = 1/(1 + e^(−z)) included. The fast\n"
    " engine that trains models by default, nanonet.fast.lstm, fuses the four gates into one\n"
    " tanh with σ(z) = ½ + ½·tanh(z/2); it agrees with this step to the last bit or two.)",
    "（lstm_step_forward 正是这几个公式，连 σ(z) = 1/(1 + e^(−z)) 也一样。默认用来训练模型的\n"
    " 快速引擎 nanonet.fast.lstm 把四个门融合成一次 tanh，用的是 σ(z) = ½ + ½·tanh(z/2)；\n"
    " 它与这一步的结果只在最后一两位二进制位上有差别。）")

# %% [markdown]
# ## 2. Backpropagation through time
#
# Unrolled over $T$ steps, an LSTM is a $T$-layer network whose layers share $W$, $R$, $b$.
# Here the loss $L$ depends on $h_T$ only. Going backwards, each step receives
# $\delta h = \partial L/\partial h_t$ and $\delta c = \partial L/\partial c_t$ (the part that
# came through $c_{t+1}$; `dh` and `dc` in the code) and returns the same pair for step
# $t-1$:
#
# $$
# \begin{aligned}
# \delta o &= \delta h \odot \tanh(c_t) \\
# \delta c &\leftarrow \delta c + \delta h \odot o \odot \bigl(1 - \tanh^2(c_t)\bigr) \\
# \delta i &= \delta c \odot \tilde c, \qquad \delta f = \delta c \odot c_{t-1},
#   \qquad \delta \tilde c = \delta c \odot i \\
# \delta z &= [\,\delta i \odot i(1-i) \mid \delta f \odot f(1-f)
#   \mid \delta \tilde c \odot (1-\tilde c^2) \mid \delta o \odot o(1-o)\,] \\
# \delta c_{t-1} &= \delta c \odot f \\
# \delta h_{t-1} &= \delta z \, R^\top \\
# \delta W &\mathrel{+}= x_t^\top \delta z, \qquad \delta R \mathrel{+}= h_{t-1}^\top \delta z,
#   \qquad \delta b \mathrel{+}= \textstyle\sum_n \delta z
# \end{aligned}
# $$
#
# The second line is all of the gradient that reaches $c_t$; $\delta c_{t-1}$ is **the
# cell-state path**, $\delta h_{t-1}$ **the recurrent path**, and the weight gradients are
# summed over all steps (and the samples $n$ of the batch).
#
# Two paths carry the gradient back in time. The recurrent path goes through $R$ and through
# the derivatives of $\sigma$ and $\tanh$ (at most $\frac14$ and $1$) at every step, so over
# many steps it usually shrinks (or blows up) geometrically — the vanishing-gradient problem
# of a plain RNN. The cell-state path, followed along $c$ alone, is a product of forget gates
# and nothing else:
#
# $$
# \left.\frac{\partial c_T}{\partial c_t}\right|_{c} = f_{t+1} \odot f_{t+2} \odot \cdots \odot f_T
# $$
#
# No weight matrix, no squashing derivative. Where the forget gate is $\approx 1$ the gradient
# — and the memory — passes through many steps nearly unchanged; where it is $\approx 0$ both
# are cut. That is why Keras starts the forget bias at 1 ($\sigma(1) \approx 0.73$: keep most,
# at first), and why the forget gate decides how far back the LSTM can learn. Section 4
# measures it.
#
# First, are `lstm_step_backward` and the layer's BPTT right? Central differences in float64
# against a random upstream gradient (as `python -m nanonet gradcheck` does).

# %% [markdown] lang="zh"
# ## 2. 随时间反向传播
#
# 沿时间展开 $T$ 步，LSTM 就是一个 $T$ 层的网络，各层共享 $W$、$R$、$b$。这里损失函数 $L$
# 只依赖 $h_T$。反向传播时，每一步收到 $\delta h = \partial L/\partial h_t$ 和
# $\delta c = \partial L/\partial c_t$（后者是经 $c_{t+1}$ 传回来的那一部分；代码里叫 `dh` 和
# `dc`），再为第 $t-1$ 步算出同样的一对：
#
# $$
# \begin{aligned}
# \delta o &= \delta h \odot \tanh(c_t) \\
# \delta c &\leftarrow \delta c + \delta h \odot o \odot \bigl(1 - \tanh^2(c_t)\bigr) \\
# \delta i &= \delta c \odot \tilde c, \qquad \delta f = \delta c \odot c_{t-1},
#   \qquad \delta \tilde c = \delta c \odot i \\
# \delta z &= [\,\delta i \odot i(1-i) \mid \delta f \odot f(1-f)
#   \mid \delta \tilde c \odot (1-\tilde c^2) \mid \delta o \odot o(1-o)\,] \\
# \delta c_{t-1} &= \delta c \odot f \\
# \delta h_{t-1} &= \delta z \, R^\top \\
# \delta W &\mathrel{+}= x_t^\top \delta z, \qquad \delta R \mathrel{+}= h_{t-1}^\top \delta z,
#   \qquad \delta b \mathrel{+}= \textstyle\sum_n \delta z
# \end{aligned}
# $$
#
# 第二行是到达 $c_t$ 的全部梯度；$\delta c_{t-1}$ 走的是**细胞状态通路**，$\delta h_{t-1}$
# 走的是**循环通路**；权重的梯度要对所有时间步（以及批次里的所有样本 $n$）求和。
#
# 梯度沿两条通路在时间上往回传。循环通路每一步都要经过 $R$，还要乘上 $\sigma$ 和 $\tanh$
# 的导数（最大分别只有 $\frac14$ 和 $1$），所以步数一多，它通常按几何级数缩小（或爆炸）——
# 这就是普通 RNN 的梯度消失问题。而只沿 $c$ 走的细胞状态通路，不过是一串遗忘门的乘积：
#
# $$
# \left.\frac{\partial c_T}{\partial c_t}\right|_{c} = f_{t+1} \odot f_{t+2} \odot \cdots \odot f_T
# $$
#
# 这里没有权重矩阵，也没有挤压函数的导数。遗忘门 $\approx 1$ 的地方，梯度——以及记忆——
# 几乎不变地穿过许多步；遗忘门 $\approx 0$ 的地方，两者都被切断。所以 Keras 把遗忘门的偏置
# 初始化为 1（$\sigma(1) \approx 0.73$：一开始先保留大部分），也正因为如此，遗忘门决定了
# LSTM 能学到多远以前的东西。第 4 节会测量它。
#
# 先确认 `lstm_step_backward` 和层的 BPTT 是对的：用 float64 的中心差分，对照一个随机的
# 上游梯度（和 `python -m nanonet gradcheck` 的做法一样）。


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


section("Gradient check of one cell step: lstm_step_forward / lstm_step_backward",
        "单个单元步的梯度检验：lstm_step_forward / lstm_step_backward")
n, d, u = 2, 3, 2
step_args = [rng.standard_normal(shape) for shape in
             ((n, d), (n, u), (n, u), (d, 4 * u), (u, 4 * u), (4 * u,))]
step_report = gradcheck.check_formula(step, step_backward, *step_args, seed=options.seed)
step_report.title = "one LSTM step (random upstream gradient on h_t and c_t)"
print(step_report)

section("Gradient check of the LSTM layer over a sequence (BPTT: every weight and the input)",
        "整条序列上 LSTM 层的梯度检验（BPTT：每个权重和输入）")
layer_report = gradcheck.check_layer(layers.LSTM(3, return_sequences=True),
                                     rng.standard_normal((2, 6, 4)), seed=options.seed)
layer_report.title = "LSTM(3, return_sequences=True) on x of shape (2, 6, 4)"
print(layer_report)
say(f"\ngradient checks: cell step {'PASSED' if step_report.passed else 'FAILED'}, "
    f"LSTM layer {'PASSED' if layer_report.passed else 'FAILED'} (largest relative errors "
    f"{step_report.max_rel_error:.1e} and {layer_report.max_rel_error:.1e})",
    f"\n梯度检验：单元步{'通过' if step_report.passed else '未通过'}，"
    f"LSTM 层{'通过' if layer_report.passed else '未通过'}（最大相对误差分别为 "
    f"{step_report.max_rel_error:.1e} 和 {layer_report.max_rel_error:.1e}）")

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

# %% [markdown] lang="zh"
# ## 3. 一个需要记忆的任务
#
# 每条序列以一个信号词元开头，A（id 1）或 B（id 2），后面跟着 T − 1 个干扰词元，从 id 3 … 9
# 中随机抽取。A 的标签是 1，B 的标签是 0，模型必须在最后一步给出它。干扰词元不含任何关于标签
# 的信息，所以只看当前一步的模型不会比抛硬币更好——我们用一个只看最后一个词元的逻辑回归来验证
# 这一点。LSTM 必须在第 1 步把信号写进状态，再带着它穿过 T − 1 步噪声。结构与文章相同：
# Embedding → LSTM → Dense(1, sigmoid)，用 `fit` 训练。
#
# 这个任务考的是跨时间步的记忆，本身并不难。一个一次看到全部词元的模型——对每个词元出现次数
# 做逻辑回归——只需注意 A 或 B 是否在其中，输出显示它确实做到了。LSTM 一次只读一个词元，
# 所以它必须把第一个词元一路带到最后。

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
section(f"The memory task: {steps} steps, the answer is the first token",
        f"记忆任务：{steps} 步，答案是第一个词元")
examples = np.concatenate([np.flatnonzero(y_train == 1)[:2], np.flatnonzero(y_train == 0)[:2]])
for row in examples:
    name = "A" if x_train[row, 0] == SIGNAL_A else "B"
    say(f"  {x_train[row].tolist()}  → label {int(y_train[row])} (first token {name})",
        f"  {x_train[row].tolist()}  → 标签 {int(y_train[row])}（第一个词元是 {name}）")

# a model without memory sees only the last step (the last token, one-hot); one that sees
# every step at once gets the token counts
one_hot = np.eye(VOCABULARY, dtype=np.float32)
memoryless_accuracy = logistic_accuracy(one_hot[x_train[:, -1]], one_hot[x_test[:, -1]])
counts_accuracy = logistic_accuracy(token_counts(x_train), token_counts(x_test))

model, initial_weights, trained_weights, history = train_memory_model(options.seed, task)
_, lstm_accuracy = model.evaluate(x_test, y_test, verbose=0)
say(f"\nEmbedding({VOCABULARY}, 8) → LSTM({units}) → Dense(1, sigmoid), Adam(0.01), "
    f"{epochs} epochs of {train_size} sequences, batch 32:",
    f"\nEmbedding({VOCABULARY}, 8) → LSTM({units}) → Dense(1, sigmoid)，Adam(0.01)，"
    f"{train_size} 条序列训练 {epochs} 个轮次，批大小 32：")
for epoch in sorted({1, 2, 3, epochs // 2, epochs}):
    print(f"  epoch {epoch:2d}: loss {history.history['loss'][epoch - 1]:.4f}, "
          f"accuracy {history.history['accuracy'][epoch - 1]:.4f}")
plateau = epochs_near_coin(history)
say(f"the loss stayed at {NEAR_COIN_LOSS} or more (near log 2 ≈ 0.693, a coin) for the first "
    f"{plateau} of {epochs} epochs, and ended at {history.history['loss'][-1]:.4f}",
    f"在 {epochs} 个轮次中，损失在前 {plateau} 个轮次一直不低于 {NEAR_COIN_LOSS}"
    f"（接近 log 2 ≈ 0.693，即抛硬币），最后降到 {history.history['loss'][-1]:.4f}")
say(f"memory task test accuracy: LSTM {lstm_accuracy:.3f}, "
    f"memoryless (last step only) {memoryless_accuracy:.3f}, chance 0.5",
    f"记忆任务的测试准确率：LSTM {lstm_accuracy:.3f}，"
    f"无记忆模型（只看最后一步）{memoryless_accuracy:.3f}，随机猜测 0.5")
say(f"every token at once (logistic regression on the token counts): {counts_accuracy:.3f}",
    f"一次看到全部词元（对词元计数做逻辑回归）：{counts_accuracy:.3f}")
say(f"(each accuracy is on {test_size} test sequences: a binomial standard error of at most "
    f"0.5/√{test_size} = {0.5 / np.sqrt(test_size):.3f})",
    f"（每个准确率都基于 {test_size} 条测试序列：二项分布的标准误差至多为 "
    f"0.5/√{test_size} = {0.5 / np.sqrt(test_size):.3f}）")

# %% [markdown]
# The printout says for how many epochs the loss stayed near $\log 2 \approx 0.693$ (a coin)
# before it fell. The next section shows why it has to wait: at the start, the gradient from
# the last step barely reaches the first.
#
# ## 4. BPTT by hand: a loop of `lstm_step_backward`
#
# Run the cell step by step with `lstm_step_forward`, then walk back with
# `lstm_step_backward`, starting from the gradient the Dense layer sends to $h_T$. The summed
# weight gradients must equal what the model computes for its LSTM layer in one call
# (`model.loss_and_grads`). On the way we record $|\partial L/\partial c_t|$, the gradient
# reaching each step's cell state, with the initial weights (forget gates
# $\approx \sigma(1) \approx 0.73$) and the trained ones — and, beside it, what the cell-state
# path alone passes from $c_1$ to $c_T$: the product of forget gates
# $f_2 \odot \cdots \odot f_T$ of section 2.
# (This loop is nanonet's own `layers.lstm_backward`, which adds masking and dropout to it and
# is what `Sequential(..., engine="reference")` trains with. The model here uses the default
# fast engine, `nanonet.fast.lstm`: fused gates and in-place buffers, the same numbers.)

# %% [markdown] lang="zh"
# 输出里写明了损失在 $\log 2 \approx 0.693$（抛硬币的水平）附近停留了多少个轮次（epoch）才开始
# 下降。下一节说明它为什么要等：一开始，最后一步的梯度几乎传不到第一步。
#
# ## 4. 手写 BPTT：`lstm_step_backward` 的循环
#
# 先用 `lstm_step_forward` 一步一步地运行单元，再用 `lstm_step_backward` 倒着走回去，起点是
# Dense 层传给 $h_T$ 的梯度。累加起来的权重梯度必须等于模型一次调用（`model.loss_and_grads`）
# 为其 LSTM 层算出的梯度。一路上我们记录 $|\partial L/\partial c_t|$，即到达每一步细胞状态的
# 梯度，分别用初始权重（遗忘门 $\approx \sigma(1) \approx 0.73$）和训练后的权重；并在旁边给出
# 只走细胞状态通路时从 $c_1$ 传到 $c_T$ 的量：第 2 节的遗忘门乘积 $f_2 \odot \cdots \odot f_T$。
# （这个循环就是 nanonet 自己的 `layers.lstm_backward`，后者再加上掩码和 dropout，是
# `Sequential(..., engine="reference")` 训练时用的。这里的模型用的是默认的快速引擎
# `nanonet.fast.lstm`：融合的门和就地缓冲区，数值相同。）


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
    """'more' if `after` > `before`, else 'less' (or 'as much', if they are equal) — in the
    lesson's language."""
    if after > before:
        return words("more", "更多")
    return words("less", "更少") if after < before else words("as much", "一样多")


#: the two weight sets' names in Chinese
WHEN_ZH = {"before training": "训练前", "after training": "训练后"}


section("BPTT as a loop of lstm_step_backward vs the LSTM layer's gradient",
        "BPTT：lstm_step_backward 的循环与 LSTM 层的梯度对比")


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
    say(f"{label}: the loop of lstm_step_backward vs model.loss_and_grads (LSTM kernel, "
        f"recurrent_kernel, bias): largest difference {worst:.1e} of the largest gradient "
        f"(a float64 loop vs the float32 model)",
        f"{WHEN_ZH[label]}：lstm_step_backward 的循环与 model.loss_and_grads（LSTM 的 kernel、"
        f"recurrent_kernel、bias）相比，最大差异为最大梯度的 {worst:.1e}"
        f"（float64 的循环对 float32 的模型）")
    say(f"  |∂L/∂c_t|, mean over samples and units: t=T {curve[-1]:.2e}, "
        f"t=T/2 {curve[steps // 2]:.2e}, t=1 {curve[1]:.2e}; "
        f"t=1 gets {curve[1] / curve[-1]:.1e} of what t=T gets",
        f"  |∂L/∂c_t|（对样本和单元取平均）：t=T {curve[-1]:.2e}，"
        f"t=T/2 {curve[steps // 2]:.2e}，t=1 {curve[1]:.2e}；"
        f"t=1 得到的是 t=T 的 {curve[1] / curve[-1]:.1e} 倍")
    say(f"  the cell-state path alone, f_2⋯f_T (median over samples and units): "
        f"{gain_curves[label][0]:.1e}",
        f"  只走细胞状态通路，f_2⋯f_T（对样本和单元取中位数）：{gain_curves[label][0]:.1e}")
model.set_weights(trained_weights)
before_f = run_cell(initial_weights, probe_ids)[4][:, :, units:2 * units]
say(f"before training the forget gates average {before_f.mean():.3f}; "
    f"{before_f.mean():.3f}^{steps - 1} = {before_f.mean() ** (steps - 1):.1e}",
    f"训练前遗忘门的平均值为 {before_f.mean():.3f}；"
    f"{before_f.mean():.3f}^{steps - 1} = {before_f.mean() ** (steps - 1):.1e}")
ratio_before, ratio_after = (dc_curves[label][1] / dc_curves[label][-1] for label in dc_curves)
gain_before, gain_after = (gain_curves[label][0] for label in gain_curves)
say(f"→ In this run, after training t=1 gets {more_or_less(ratio_after, ratio_before)} of "
    f"what t=T gets than before ({ratio_after:.1e} vs {ratio_before:.1e}); the cell-state "
    f"path alone passes {more_or_less(gain_after, gain_before)} ({gain_after:.1e} vs "
    f"{gain_before:.1e}).",
    f"→ 在这次运行中，训练后 t=1 分到的梯度（相对于 t=T）比训练前"
    f"{more_or_less(ratio_after, ratio_before)}"
    f"（{ratio_after:.1e} 对 {ratio_before:.1e}）；只走细胞状态通路时，传过去的比训练前"
    f"{more_or_less(gain_after, gain_before)}（{gain_after:.1e} 对 {gain_before:.1e}）。")

# %% [markdown]
# Before training, only a small fraction of the gradient at $c_T$ reaches $c_1$, and the
# cell-state path alone passes about $0.73^{19}$ — the product of forget gates near
# $\sigma(1)$. The weights that read the first token get almost no signal: the plateau at the
# start of the loss curve. Training moves the forget gates, and with them what the cell-state
# path passes (the two numbers f_2⋯f_T above).
#
# The full gradient on $c_1$ is another matter. It also runs through $h$ and $R$ at every
# step, where the contributions of the paths can add up or cancel, and after training the
# gradient at $c_T$ is itself far smaller than before (compare $|\partial L/\partial c_T|$:
# the trained model is sure of its answers, so the loss sends back little). Nothing in the
# cell promises that a larger share of it reaches $c_1$ after training: the line above says
# what happened in this run, and section 6 counts it, with its spread, over several seeds. A
# trained memory does not need the gradient to reach far back any more; it is the
# *untrained* cell whose gradient must get through, for learning to start.
#
# ## 5. What holds the memory?
#
# The textbook story: the input gate opens at the signal, the forget gate stays $\approx 1$ to
# hold it, the input gate closes on the distractors. Let us look at what the trained cell
# really does, and then switch parts of it off (on the test set, with the trained weights,
# from step 2 on):
#
# * **forget gate cut**, $f := 0$: the cell keeps nothing from one step to the next;
# * **recurrent weights cut**, $R := 0$: the gates see only the current token, not $h_{t-1}$;
# * **textbook memory**, $f := 1$ and $i := 0$: $c_1$ is kept exactly and nothing more is
#   written.

# %% [markdown] lang="zh"
# 训练之前，$c_T$ 处的梯度只有很小一部分能到达 $c_1$，只走细胞状态通路时大约只剩
# $0.73^{19}$——一串接近 $\sigma(1)$ 的遗忘门的乘积。读取第一个词元的那些权重几乎收不到信号：
# 这就是损失曲线开头的那段平台。训练会改变遗忘门，细胞状态通路能传过去的量也随之改变
# （上面的两个 f_2⋯f_T 数值）。
#
# 到达 $c_1$ 的完整梯度则是另一回事。它每一步还要经过 $h$ 和 $R$，各条通路的贡献可能相加，
# 也可能相互抵消；而且训练之后，$c_T$ 处的梯度本身就比训练前小得多（比较
# $|\partial L/\partial c_T|$：训练好的模型对答案很有把握，损失函数传回的梯度就很少）。单元里
# 没有任何机制保证训练后会有更大比例的梯度到达 $c_1$：上面那一行说的是这次运行的情况，第 6 节
# 会在几个种子上统计它及其波动范围。训练好的记忆已经不需要梯度传得很远；恰恰是*未训练*的单元，
# 梯度必须传得过去，学习才能开始。
#
# ## 5. 记忆存在哪里？
#
# 教科书上的说法是：输入门在信号处打开，遗忘门保持 $\approx 1$ 把它留住，输入门在干扰词元上
# 关闭。我们来看看训练好的单元实际上做了什么，然后把它的某些部分关掉（在测试集上，用训练后的
# 权重，从第 2 步开始）：
#
# * **切断遗忘门**，$f := 0$：单元从一步到下一步什么也不保留；
# * **切断循环权重**，$R := 0$：各个门只看当前词元，看不到 $h_{t-1}$；
# * **教科书式的记忆**，$f := 1$ 且 $i := 0$：$c_1$ 被原样保留，之后不再写入任何东西。

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
    verdict_zh = ("每一个都不低于 0.9" if below == 0 else
                  f"{means.size} 个中有 {below} 个低于 0.9")
    return words(f"forget gates over the distractors (the table's 'f after', {means.size} means): "
                 f"lowest {means.min():.3f}, median {np.median(means):.3f}, highest "
                 f"{means.max():.3f}; {verdict}",
                 f"干扰词元上的遗忘门（表中的 'f after'，共 {means.size} 个平均值）："
                 f"最低 {means.min():.3f}，中位数 {np.median(means):.3f}，最高 "
                 f"{means.max():.3f}；{verdict_zh}")


def frozen_kind(frozen: float) -> str:
    """'right', 'wrong' or 'neither': what the cell with c_1 frozen (the textbook memory,
    f := 1, i := 0 after step 1) does, from its accuracy `frozen`."""
    return "right" if frozen >= WORKS_FROM else "wrong" if frozen <= WRONG_UP_TO else "neither"


def frozen_c1_verdict(frozen: float, as_trained: float) -> str:
    """What the textbook-memory accuracy `frozen` says about c_1."""
    kind = frozen_kind(frozen)
    if kind == "right":
        return words(f"c_1 alone holds the answer: frozen after step 1 the cell still scores "
                     f"{frozen:.3f}",
                     f"单凭 c_1 就握有答案：第 1 步之后冻结，单元仍得到 {frozen:.3f}")
    if kind == "wrong":
        return words(f"frozen after step 1 the cell scores {frozen:.3f}, wrong on almost every "
                     f"sequence: c_1 does hold the answer, but the readout at step T reads it "
                     f"the other way round",
                     f"第 1 步之后冻结，单元得到 {frozen:.3f}，几乎每条序列都答错：c_1 确实握有"
                     f"答案，但第 T 步的读出把它读反了")
    return words(f"c_1 alone is not enough: frozen after step 1 the cell scores {frozen:.3f} "
                 f"(chance 0.5), against {as_trained:.3f} as trained",
                 f"单凭 c_1 不够：第 1 步之后冻结，单元只得到 {frozen:.3f}（随机猜测为 0.5），"
                 f"而训练后的原样单元得到 {as_trained:.3f}")


_, _, _, c_seq, gate_seq = run_cell(trained_weights, x_test)
i_seq, f_seq = gate_seq[..., :units], gate_seq[..., units:2 * units]
cand_seq, o_seq = gate_seq[..., 2 * units:3 * units], gate_seq[..., 3 * units:]
is_a = y_test == 1
memory_unit = memory_unit_of(c_seq, is_a)
forget_after = forget_gate_means(gate_seq, is_a)
section("What the trained cell does, unit by unit (means over the test sequences)",
        "训练好的单元逐个单元在做什么（对测试序列取平均）")
print("unit | class | i at t=1  i after | f at t=1  f after | c̃ after | c_1     c_T")
for unit in range(units):
    for column, (name, rows) in enumerate((("A", is_a), ("B", ~is_a))):
        print(f"{unit:4d} |   {name}   | {i_seq[0, rows, unit].mean():8.3f} "
              f"{i_seq[1:, rows, unit].mean():8.3f} | {f_seq[0, rows, unit].mean():8.3f} "
              f"{forget_after[unit, column]:8.3f} | {cand_seq[1:, rows, unit].mean():+7.3f} | "
              f"{c_seq[1, rows, unit].mean():+6.3f} {c_seq[-1, rows, unit].mean():+7.3f}")
c_end_a, c_end_b = c_seq[-1][is_a, memory_unit].mean(), c_seq[-1][~is_a, memory_unit].mean()
say(f"('after' = steps 2…T, the distractors.) Unit {memory_unit} separates A from B the most "
    f"at the end: c_T {c_end_a:+.2f} (A) vs {c_end_b:+.2f} (B).",
    f"（'after' 指第 2…T 步，即干扰词元。）到最后把 A 和 B 分得最开的是单元 {memory_unit}："
    f"c_T 为 {c_end_a:+.2f}（A）对 {c_end_b:+.2f}（B）。")
print(forget_gate_sentence(forget_after))
same_sign, input_gate, c_start, c_end, is_latch = latch_evidence(c_seq, gate_seq, memory_unit)
say(f"Unit {memory_unit} over the distractors: its candidate c̃ has the sign of its final c_T "
    f"on {same_sign:.0%} of the steps, its input gate averages {input_gate:.2f}, and |c| "
    f"(median) goes from {c_start:.2f} at step 1 to {c_end:.2f} at step T",
    f"单元 {memory_unit} 在干扰词元上：候选值 c̃ 在 {same_sign:.0%} 的步里与最终 c_T 同号，"
    f"输入门平均为 {input_gate:.2f}，|c|（中位数）从第 1 步的 {c_start:.2f} 增长到第 T 步的 "
    f"{c_end:.2f}")
say(f"→ unit {memory_unit} " + ("is a latch" if is_latch else "is not a clean latch")
    + f" (a latch: c̃ with c_T's sign on ≥ {LATCH_SIGN_SHARE:.0%} of the steps and "
    f"|c_T| ≥ {LATCH_SIZE:.0f}, where tanh saturates)",
    f"→ 单元 {memory_unit} " + ("是锁存器" if is_latch else "不是干净的锁存器")
    + f"（锁存器：c̃ 在 ≥ {LATCH_SIGN_SHARE:.0%} 的步里与 c_T 同号，且 "
    f"|c_T| ≥ {LATCH_SIZE:.0f}，此时 tanh 已饱和）")


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
PARTS_ZH = {"forget": "遗忘门", "recurrent": "循环回路"}
CUT_EFFECTS = ("erases most of the memory", "hurts the memory", "leaves the memory working")
CUT_EFFECTS_ZH = dict(zip(CUT_EFFECTS, ("抹掉了大部分记忆", "损害了记忆", "记忆依然有效")))


def effect_words(effect: str) -> str:
    """One of CUT_EFFECTS in the lesson's language."""
    return words(effect, CUT_EFFECTS_ZH[effect])


def cut_effect(accuracy: float) -> str:
    """What cutting a part did to the memory, from the accuracy left: it erases most of it
    (< ERASED_BELOW), leaves it working (≥ WORKS_FROM) or hurts it (in between)."""
    return CUT_EFFECTS[0 if accuracy < ERASED_BELOW else 2 if accuracy >= WORKS_FROM else 1]


section("Switching parts of the trained cell off (test accuracy, from step 2 on)",
        "关掉训练好的单元的某些部分（测试准确率，从第 2 步起）")
ablations = switched_off(trained_weights, task)
say(f"  as trained (the loop by hand):                 {ablations[None]:.3f}",
    f"  训练后原样（手写循环）：                {ablations[None]:.3f}")
say(f"  forget gate cut, f := 0:                      {ablations['forget']:.3f}",
    f"  切断遗忘门，f := 0：                    {ablations['forget']:.3f}")
say(f"  recurrent weights cut, R := 0:                {ablations['recurrent']:.3f}",
    f"  切断循环权重，R := 0：                  {ablations['recurrent']:.3f}")
say(f"  textbook memory, f := 1, i := 0:              {ablations['textbook']:.3f}",
    f"  教科书式的记忆，f := 1，i := 0：        {ablations['textbook']:.3f}")
say("→ In this run cutting " + "; cutting ".join(
    f"{name} {cut_effect(ablations[cut])} ({ablations[cut]:.3f})" for cut, name in PARTS.items())
    + f" (erases most of it: below {ERASED_BELOW}; leaves it working: {WORKS_FROM} or more).",
    "→ 在这次运行中，" + "；".join(
        f"切断{PARTS_ZH[cut]}{effect_words(cut_effect(ablations[cut]))}（{ablations[cut]:.3f}）"
        for cut in PARTS)
    + f"。判断标准：低于 {ERASED_BELOW} 算抹掉了大部分记忆，不低于 {WORKS_FROM} 算记忆依然有效。")
say("→ " + frozen_c1_verdict(ablations["textbook"], ablations[None]) + ".",
    "→ " + frozen_c1_verdict(ablations["textbook"], ablations[None]) + "。")
kept = np.prod(f_seq[1:, :, memory_unit], axis=0)
forget_a, forget_b = f_seq[1:, is_a, memory_unit].mean(), f_seq[1:, ~is_a, memory_unit].mean()
say(f"  Unit {memory_unit}: forget gate over the distractors {forget_a:.3f} (A) / "
    f"{forget_b:.3f} (B); on its own it would keep f_2⋯f_T = {np.median(kept):.2f} of c_1 "
    f"(median).",
    f"  单元 {memory_unit}：干扰词元上的遗忘门为 {forget_a:.3f}（A）/ {forget_b:.3f}（B）；"
    f"单靠它，c_1 能保留 f_2⋯f_T = {np.median(kept):.2f}（中位数）。")

# %% [markdown]
# What to read in these numbers. A cell need not learn the textbook memory. One solution
# gradient descent can find is a **latch**: the signal written at step 1 tips $h_1$ one way;
# through $R$, $h_{t-1}$ then drives the candidate $\tilde c$ to the same sign at every later
# step, the input gate lets it in, and the forget gate keeps part of $c$ from step to step,
# so $c$ grows to several units and $\tanh(c)$ saturates: $h$ stays a clean $\pm$ signal
# whatever the distractors are. The lines above say whether this run's memory unit is such a
# latch, and which parts its memory needs. (With $R := 0$ the candidate follows the current
# token only, so the chain that keeps $\tilde c$'s sign is broken; with $f := 0$ nothing is
# kept from one step to the next.) Freezing $c_1$ (the textbook memory) answers right only if
# $c_1$ already has the sign the readout reads at step $T$ — it may have the opposite one, or
# too little of it. Gradient descent finds *a* solution, not the one in the diagram, and
# which one depends on the seed: the next section shows how much.
#
# ## 6. The same lesson over several seeds
#
# One run shows one solution. Here the experiment is repeated with several seeds — the
# lesson's seed (this run, its first row) and the next ones, each drawing its own training
# and test sequences and its own initial weights — and every measurement above is taken
# again: what holds across the seeds, and what does not, is counted below. (The other rows
# draw their sequences straight from their seed, so they are not the numbers that
# `--seed N` prints: that run draws them after section 1's and 2's random numbers.)

# %% [markdown] lang="zh"
# 这些数字该怎么读。单元不一定学会教科书式的记忆。梯度下降能找到的一种解是**锁存器**（latch）：
# 第 1 步写入的信号把 $h_1$ 推向某一侧；此后经过 $R$，$h_{t-1}$ 在之后每一步都把候选值
# $\tilde c$ 推向同样的符号，输入门让它写进去，遗忘门从一步到下一步保留 $c$ 的一部分，于是
# $c$ 增长到好几个单位，$\tanh(c)$ 饱和：无论干扰词元是什么，$h$ 都保持为一个干净的 $\pm$
# 信号。上面几行说明了这次运行的记忆单元是不是这样的锁存器，以及它的记忆依赖哪些部分。（当
# $R := 0$ 时，候选值只跟随当前词元，维持 $\tilde c$ 符号的链条就断了；当 $f := 0$ 时，一步到
# 下一步什么也留不下。）冻结 $c_1$（教科书式的记忆）只有在 $c_1$ 已经具有第 $T$ 步读出所读的
# 那个符号时才能答对——它的符号可能正好相反，也可能幅度太小。梯度下降找到的是*某一个*解，
# 不一定是示意图里的那个，而找到哪一个取决于随机种子：下一节展示差别有多大。
#
# ## 6. 换几个种子，重做同一课
#
# 一次运行只展示一个解。这里用几个种子重复整个实验——本课的种子（就是这次运行，表格的第一行）
# 和随后的几个，每个种子各自抽取训练和测试序列以及初始权重——并把上面的每项测量重新做一遍：
# 下面统计哪些结论在各个种子上都成立，哪些不成立。（其余各行的序列直接由各自的种子抽取，所以
# 它们不等于 `--seed N` 打印出的数字：那次运行是在第 1、2 节用过随机数之后才抽取的。）

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
    """'lowest–highest (median m)' of `values`, in the lesson's language."""
    low, high = format(min(values), form), format(max(values), form)
    middle = format(float(np.median(values)), form)
    return words(f"{low}–{high} (median {middle})", f"{low}–{high}（中位数 {middle}）")


def counted(flags, what: str, what_zh: str) -> str:
    """'<what> in k of K seeds', with 'every' and 'none of the' spelled out (in Chinese:
    `what_zh`, counted the same way)."""
    k, total = int(sum(flags)), len(flags)
    if k == total:
        return words(f"{what} in every one of the {total} seeds",
                     f"{what_zh}：{total} 个种子全部如此")
    return words(f"{what} in {'none' if k == 0 else k} of the {total} seeds",
                 f"{what_zh}：{total} 个种子中{'没有一个' if k == 0 else f'有 {k} 个'}")


section(f"The same lesson with {len(study_seeds)} seeds ({study_seeds[0]}…{study_seeds[-1]}): "
        f"each draws its own data and initial weights",
        f"同一课换 {len(study_seeds)} 个种子（{study_seeds[0]}…{study_seeds[-1]}）："
        f"每个种子各自抽取数据和初始权重")
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
say(f"\nt=1 gets this share of what t=T gets: before training {spread(ratios['before training'])}"
    f", after {spread(ratios['after training'])}; "
    + counted(grew, "more after training", "训练后更多") + ".",
    f"\nt=1 得到的梯度占 t=T 的比例：训练前 {spread(ratios['before training'])}"
    f"，训练后 {spread(ratios['after training'])}；"
    + counted(grew, "more after training", "训练后更多") + "。")
say("→ " + ("In each of these seeds more of the gradient reaches c_1 after training." if all(grew)
            else "In each of these seeds less of the gradient reaches c_1 after training."
            if not any(grew) else
            f"Not in every seed: more in {sum(grew)}, less in {len(grew) - sum(grew)} — "
            "training does not reliably make more of the gradient reach c_1."),
    "→ " + ("在这些种子里，训练后到达 c_1 的梯度每次都更多。" if all(grew)
            else "在这些种子里，训练后到达 c_1 的梯度每次都更少。" if not any(grew) else
            f"并非每个种子都如此：{sum(grew)} 个更多，{len(grew) - sum(grew)} 个更少——"
            "训练并不能可靠地让更多梯度到达 c_1。"))
factors = [after / before for before, after in zip(*gains.values())]
say(f"the cell-state path alone, f_2⋯f_T: before training {spread(gains['before training'])}, "
    f"after {spread(gains['after training'])}; "
    + counted(opened, "larger after training", "训练后更大")
    + f" (after / before: {spread(factors, '.0f')})",
    f"只走细胞状态通路，f_2⋯f_T：训练前 {spread(gains['before training'])}，"
    f"训练后 {spread(gains['after training'])}；"
    + counted(opened, "larger after training", "训练后更大")
    + f"（训练后 / 训练前：{spread(factors, '.0f')}）")
say("→ " + ("In each of these seeds training opens the cell-state path." if all(opened) else
            f"Not in every seed: larger in {sum(opened)}, smaller in "
            f"{len(opened) - sum(opened)}."),
    "→ " + ("在这些种子里，训练每次都打开了细胞状态通路。" if all(opened) else
            f"并非每个种子都如此：{sum(opened)} 个更大，{len(opened) - sum(opened)} 个更小。"))
lowest = [result.forget_after.min() for result in results]
some_below = [below_nine_tenths(low) for low in lowest]
say(f"forget gates after training, the lowest of each seed's {forget_after.size} means: "
    f"{spread(lowest, '.3f')}; " + counted(some_below, "some below 0.9", "有遗忘门低于 0.9") + ".",
    f"训练后的遗忘门，每个种子 {forget_after.size} 个平均值中的最低值："
    f"{spread(lowest, '.3f')}；" + counted(some_below, "some below 0.9", "有遗忘门低于 0.9") + "。")
plateaus = spread([r.epochs_near_coin for r in results], 'g')
say(f"the loss stayed near log 2 for the first {plateaus} epochs",
    f"损失停在 log 2 附近的轮次数（从第 1 个轮次算起）：{plateaus}")
for cut, name in PARTS.items():
    effects = [cut_effect(r.ablations[cut]) for r in results]
    say(f"cutting {name}: " + ", ".join(f"{effect} in {effects.count(effect)}"
                                       for effect in CUT_EFFECTS)
        + f" of the {len(results)} seeds",
        f"切断{PARTS_ZH[cut]}：{len(results)} 个种子中，" + "，".join(
            f"{effect_words(effect)} {effects.count(effect)} 个" for effect in CUT_EFFECTS))
kinds = [frozen_kind(r.ablations["textbook"]) for r in results]
latches = [r.latch for r in results]
say(f"frozen c_1 (textbook memory) answered right in {kinds.count('right')}, wrong on almost "
    f"every sequence in {kinds.count('wrong')}, neither in {kinds.count('neither')} of the "
    f"{len(kinds)} seeds; " + counted(latches, "a latch", "形成锁存器") + ".",
    f"冻结 c_1（教科书式的记忆）：{len(kinds)} 个种子中，答对的 {kinds.count('right')} 个，"
    f"几乎每条序列都答错的 {kinds.count('wrong')} 个，两者都不是的 {kinds.count('neither')} 个；"
    + counted(latches, "a latch", "形成锁存器") + "。")

# %% [markdown]
# Each line above counts one claim of sections 3–5 over the seeds and chooses its verdict from
# the count: a claim that holds in every seed says so, one that does not says that instead.
# (The lesson's test checks each printed verdict against the numbers printed beside it, for
# every seed it runs the lesson with.)
#
# ## 7. Figures

# %% [markdown] lang="zh"
# 上面每一行都在各个种子上统计第 3–5 节的一个结论，并根据统计结果给出判断：在每个种子上都成立
# 的结论就这么说，不成立的就如实说不成立。（本课的测试会针对它运行的每个种子，把打印出的每个
# 判断与旁边打印的数字逐一核对。）
#
# ## 7. 图


# %%
def gate_heat_maps(examples):
    """One row per example sequence; columns i, f, c̃, o and c as heat maps (units × time),
    each column's colour bar beside it, spanning the rows it belongs to."""
    plt = plotting.pyplot()
    c_limit = float(np.abs(c_seq[1:, examples]).max())
    caption = figure_text.label
    panels = [(caption("input gate i", "输入门 i"), i_seq, "viridis", 0, 1),
              (caption("forget gate f", "遗忘门 f"), f_seq, "viridis", 0, 1),
              (caption("candidate c̃", "候选值 c̃"), cand_seq, "RdBu_r", -1, 1),
              (caption("output gate o", "输出门 o"), o_seq, "viridis", 0, 1),
              (caption("cell state c", "细胞状态 c"), c_seq[1:], "RdBu_r", -c_limit, c_limit)]
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
                axis.set_xlabel(caption("time step (1 = the signal)", "时间步（1 = 信号）"),
                                fontsize=8)
            if column == 0:
                axis.set_ylabel(caption(f"test sequence {index}:\nfirst token {token}\nunit",
                                      f"测试序列 {index}：\n第一个词元 {token}\n单元"),
                                fontsize=8)
    figure.suptitle(caption(f"Lesson 05: the trained cell's gates over time, one test sequence of "
                          f"each class (unit {memory_unit} separates A from B most)",
                          f"第 05 课：训练好的单元的各个门随时间的变化，每类各一条测试序列"
                          f"（单元 {memory_unit} 把 A 和 B 分得最开）"), fontsize=11)
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
    caption = figure_text.label
    for axis in (left, right):
        axis.set_xlabel(caption("time step (1 = the signal)", "时间步（1 = 信号）"))
        plotting.integer_ticks(axis)
        axis.grid(alpha=0.3)
    left.set(title=caption(f"cell state c of unit {memory_unit}", f"单元 {memory_unit} 的细胞状态 c"),
             ylabel="c_t")
    right.set(title=caption(f"forget gate f of unit {memory_unit}", f"单元 {memory_unit} 的遗忘门 f"),
              ylabel="f_t", ylim=(0, 1.05))
    right.plot([], [], color="tab:blue",
               label=caption("first token A (label 1)", "第一个词元 A（标签 1）"))
    right.plot([], [], color="tab:orange",
               label=caption("first token B (label 0)", "第一个词元 B（标签 0）"))
    plotting.legend_outside(right, title=caption(f"{count} test sequences", f"{count} 条测试序列"))
    return figure


def gradient_through_c_figure():
    """Left: |∂L/∂c_t| relative to t = T; right: what the cell-state path alone passes from
    c_t to c_T, f_{t+1}⋯f_T — before and after training, one line per seed (log scale)."""
    plt = plotting.pyplot()
    caption = figure_text.label
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), sharex=True)
    time_axis = np.arange(1, steps + 1)
    colours = {"before training": "tab:blue", "after training": "tab:orange"}
    for result in results:
        own = result.seed == options.seed
        for label, colour in colours.items():
            style = dict(color=colour, lw=2.2 if own else 0.9, alpha=1.0 if own else 0.55)
            left.semilogy(time_axis, result.gradient[label], **style)
            right.semilogy(time_axis, result.gain[label], **style)
    left.set(title=caption(r"the full gradient reaching $c_t$, relative to $c_T$",
                         r"到达 $c_t$ 的完整梯度，相对于 $c_T$"),
             ylabel=r"$|\partial L/\partial c_t|\ /\ |\partial L/\partial c_T|$")
    right.set(title=caption(r"the cell-state path alone: $f_{t+1}\cdots f_T$ (median)",
                          r"只走细胞状态通路：$f_{t+1}\cdots f_T$（中位数）"),
              ylabel=r"$f_{t+1}\cdots f_T$")
    low, high = min(gains["before training"]), max(gains["before training"])
    right.text(7, low, caption(f"before training, every seed:\n{low:.1e}–{high:.1e} at t = 1 "
                             "(the lines overlap)",
                             f"训练前，所有种子：\nt = 1 处为 {low:.1e}–{high:.1e}（线条重合）"),
               va="bottom", fontsize=8, color="tab:blue")
    for axis in (left, right):
        axis.set_xlabel(caption("time step t", "时间步 t"))
        axis.grid(alpha=0.3, which="both")
        plotting.integer_ticks(axis)
    for when, colour in colours.items():
        right.plot([], [], color=colour, label=caption(when, WHEN_ZH[when]))
    right.plot([], [], color="grey", lw=2.2,
               label=caption(f"seed {options.seed} (this run)", f"种子 {options.seed}（本次运行）"))
    right.plot([], [], color="grey", lw=0.9, alpha=0.55,
               label=caption("the other seeds", "其他种子"))
    plotting.legend_outside(right, title=caption(f"{len(results)} seeds, 64 test sequences",
                                               f"{len(results)} 个种子，64 条测试序列"))
    figure.suptitle(caption("Lesson 05, BPTT: the gradient through the cell state",
                          "第 05 课，BPTT：经过细胞状态的梯度"), fontsize=11)
    figure.subplots_adjust(wspace=0.3, top=0.82)
    return figure


if lesson.figures_available():
    caption = figure_text.label
    lesson.save_figure(plotting.loss_curves(
        {caption("loss", "损失"): history.history["loss"],
         caption("accuracy", "准确率"): history.history["accuracy"]},
        title=caption(f"Lesson 05: LSTM({units}) on the memory task ({steps} steps)",
                    f"第 05 课：LSTM({units}) 做记忆任务（{steps} 步）"),
        xlabel=caption("epoch", "轮次"), ylabel=caption("loss / accuracy", "损失 / 准确率")),
        options, "05_memory_task_training.png")
    lesson.save_figure(gradient_through_c_figure(), options, "05_gradient_through_c.png")
    # one sequence of each class: sequences of one class look alike (05_memory_unit.png
    # draws many), so more rows would repeat these two
    examples = [int(np.flatnonzero(is_a)[0]), int(np.flatnonzero(~is_a)[0])]
    lesson.save_figure(gate_heat_maps(examples), options, "05_gate_heat_maps.png")
    lesson.save_figure(memory_unit_figure(), options, "05_memory_unit.png")

seconds = time.perf_counter() - started
say(f"\nlesson 05 ran in {seconds:.1f} s", f"\n第 05 课运行用时 {seconds:.1f} 秒")
