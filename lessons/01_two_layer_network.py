# %% [markdown]
# # Lesson 01 — the two-layer network of §4.1, trained by hand
#
# The article (§4.1) defines
#
# $$\hat y = \sigma\big(W_2\,\sigma(W_1 x + b_1) + b_2\big)$$
#
# and (§4.2) the binary cross-entropy
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big].$$
#
# §3.2 lists six steps: preprocess, initialise, forward, loss, backward, iterate. This lesson
# names each step in the code, on a small dataset it makes itself: a disc inside a ring. No
# straight line separates the two classes, so the hidden layer has to do real work.
#
# Convention: we store a batch as *rows* ($X$ is $m \times D$), so the article's $W_1 x$
# becomes `X @ W1` with $W_1$ of shape $(D, H)$ — the transpose of the article's matrix.
# Nothing else changes.
#
# Run: `python -m nanonet lesson 01` (options: `--out DIR`, `--quick`, `--steps N`).

# %% [markdown] lang="zh"
# # 第 01 课 — 亲手训练 §4.1 的两层网络
#
# 文章（§4.1）给出的网络是
#
# $$\hat y = \sigma\big(W_2\,\sigma(W_1 x + b_1) + b_2\big)$$
#
# 它在 §4.2 用的损失函数是二分类交叉熵
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big].$$
#
# §3.2 把训练分成六步：数据预处理、模型初始化、前向传播、损失函数计算、反向传播、迭代训练。
# 本课在代码里把每一步都标出来，数据集由本课自己生成：一个圆盘，外面套一个圆环。没有哪条直线能把
# 这两类点分开，所以隐藏层必须真正派上用场。
#
# 约定：一批数据按*行*存放（$X$ 是 $m \times D$ 的矩阵），所以文章里的 $W_1 x$ 在代码里写成
# `X @ W1`，$W_1$ 的形状是 $(D, H)$——正好是文章中那个矩阵的转置。其余一切不变。
#
# 运行：`python -m nanonet lesson 01`（选项：`--out DIR`、`--quick`、`--steps N`）。

# %%
"""Lesson 01 — the article's two-layer network, trained by gradient descent, written out."""
import numpy as np

from nanonet import gradcheck, lesson, ops, plotting
from nanonet.teaching.figure_text import label

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

# %% [markdown] lang="zh"
# ## 第 1 步 — 数据预处理：把每个特征标准化（均值为 0，标准差为 1）

# %%
x_raw, y = make_disc_and_ring(400, rng)
x = (x_raw - x_raw.mean(axis=0)) / x_raw.std(axis=0)

# %% [markdown]
# ## Step 2 — initialise: Glorot-uniform weights, zero biases (as Keras's Dense)
#
# Each weight of a layer with $n_\text{in}$ inputs and $n_\text{out}$ outputs is drawn
# uniformly from $[-\ell, \ell]$, $\ell = \sqrt{6 / (n_\text{in} + n_\text{out})}$.

# %% [markdown] lang="zh"
# ## 第 2 步 — 模型初始化：权重用 Glorot 均匀分布，偏置为零（和 Keras 的 Dense 一样）
#
# 一层有 $n_\text{in}$ 个输入、$n_\text{out}$ 个输出，它的每个权重都从 $[-\ell, \ell]$ 上的
# 均匀分布中抽取，$\ell = \sqrt{6 / (n_\text{in} + n_\text{out})}$。

# %%
hidden = 8
limit1, limit2 = np.sqrt(6 / (2 + hidden)), np.sqrt(6 / (hidden + 1))
W1, b1 = rng.uniform(-limit1, limit1, (2, hidden)), np.zeros(hidden)
W2, b2 = rng.uniform(-limit2, limit2, (hidden, 1)), np.zeros(1)


# %% [markdown]
# ## Steps 3–5 — forward, loss, backward
#
# Forward, one row per sample:
#
# $$z_1 = X W_1 + b_1, \quad h = \sigma(z_1), \quad z_2 = h W_2 + b_2, \quad \hat y = \sigma(z_2)$$
#
# The backward pass uses the true gradients (lesson 02 derives them, and shows where the
# article's printed ones go wrong). At the output, $\sigma'(z_2)$ cancels against the
# $1/\hat y$ and $1/(1 - \hat y)$ of the log:
#
# $$dz_2 = \frac{\hat y - y}{m}, \qquad dW_2 = h^\top dz_2, \qquad db_2 = \sum_i dz_{2,i}$$
#
# The error flows back through $W_2$ (transposed), then through the hidden layer's sigmoid,
# whose derivative is $\sigma'(z_1) = h \odot (1 - h)$:
#
# $$dh = dz_2 W_2^\top, \qquad dz_1 = dh \odot h \odot (1 - h)$$
#
# $$dW_1 = X^\top dz_1, \qquad db_1 = \sum_i dz_{1,i}$$

# %% [markdown] lang="zh"
# ## 第 3–5 步 — 前向传播、损失函数、反向传播
#
# 前向传播，每个样本占一行：
#
# $$z_1 = X W_1 + b_1, \quad h = \sigma(z_1), \quad z_2 = h W_2 + b_2, \quad \hat y = \sigma(z_2)$$
#
# 反向传播用的是真正的梯度（第 02 课会推导它们，并指出文章印出的梯度错在哪里）。在输出层，
# $\sigma'(z_2)$ 正好和对数求导带来的 $1/\hat y$、$1/(1 - \hat y)$ 相互抵消：
#
# $$dz_2 = \frac{\hat y - y}{m}, \qquad dW_2 = h^\top dz_2, \qquad db_2 = \sum_i dz_{2,i}$$
#
# 误差经过（转置的）$W_2$ 传回隐藏层，再经过隐藏层的 sigmoid，它的导数是
# $\sigma'(z_1) = h \odot (1 - h)$：
#
# $$dh = dz_2 W_2^\top, \qquad dz_1 = dh \odot h \odot (1 - h)$$
#
# $$dW_1 = X^\top dz_1, \qquad db_1 = \sum_i dz_{1,i}$$

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
# Before training: is `backward` right? Compare it with central differences, one weight $w$
# at a time:
#
# $$\frac{\partial J}{\partial w} \approx \frac{J(w + \varepsilon) - J(w - \varepsilon)}{2\varepsilon}$$

# %% [markdown] lang="zh"
# 训练之前先问一句：`backward` 算得对吗？用中心差分逐个权重 $w$ 对照一下：
#
# $$\frac{\partial J}{\partial w} \approx \frac{J(w + \varepsilon) - J(w - \varepsilon)}{2\varepsilon}$$

# %%
def J(W1, b1, W2, b2):
    return loss(y, forward(x, W1, b1, W2, b2)[1][2])


def grad_J(W1, b1, W2, b2):
    return backward(y, forward(x, W1, b1, W2, b2)[1], W2)


print(gradcheck.check_formula(J, grad_J, W1, b1, W2, b2))

# %% [markdown]
# ## Step 6 — iterate steps 3–5, moving every weight against its gradient
#
# $$W \leftarrow W - \eta\,\frac{\partial J}{\partial W}$$
#
# for each of $W_1, b_1, W_2, b_2$, with the learning rate $\eta$ (`learning_rate`).

# %% [markdown] lang="zh"
# ## 第 6 步 — 迭代训练：重复第 3–5 步，让每个权重沿梯度的反方向移动
#
# $$W \leftarrow W - \eta\,\frac{\partial J}{\partial W}$$
#
# $W_1, b_1, W_2, b_2$ 都这样更新，$\eta$ 是学习率（代码里的 `learning_rate`）。

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
        accuracy = np.mean((y_hat > 0.5) == y)
        lesson.say(f"step {step:5d}   J = {losses[-1]:.4f}   accuracy = {accuracy:.3f}",
                   f"第 {step:5d} 步   J = {losses[-1]:.4f}   准确率 = {accuracy:.3f}")

y_hat, cache = forward(x, W1, b1, W2, b2)
final_J, final_accuracy = loss(y, cache[2]), np.mean((y_hat > 0.5) == y)
lesson.say(f"\nfinal: J = {final_J:.4f}, accuracy = {final_accuracy:.3f} on {len(y)} points",
           f"\n训练结束：J = {final_J:.4f}，{len(y)} 个点上的准确率 = {final_accuracy:.3f}")


# %% [markdown]
# ## Could a straight line have done it?
#
# Remove the hidden layer and the same steps train $\hat y = \sigma(x w + b)$ — logistic
# regression, whose boundary $w \cdot x + b = 0$ is a straight line. Gradient descent on $J$
# finds the line with the lowest cross-entropy, which need not be the line that gets the most
# points right, so we also search for that line directly: many directions, and along each
# every cut between two points. (When no tilt of a line lowers $J$ by much, the $J$-optimal
# line is almost flat — $w$ near 0, $\hat y$ near the class rate for every point — and which
# side of 0.5 a point lands on is decided by a slight tilt. The lesson prints the final $J$
# and $|w|$ to show how flat it is.)
#
# Accuracy on the points a model was fitted to flatters it, so each model is also scored on a
# fresh sample from the same disc and ring, standardised with the *training* points' mean and
# std. An accuracy $a$ on $n$ points carries a standard error
#
# $$\mathrm{SE} = \sqrt{a(1 - a)/n};$$
#
# the network and the best line are compared on the same new points, by the mean and standard
# error of their per-point difference (right = 1, wrong = 0).

# %% [markdown] lang="zh"
# ## 一条直线能做到吗？
#
# 去掉隐藏层，同样的步骤训练的就是 $\hat y = \sigma(x w + b)$——逻辑回归，它的决策边界
# $w \cdot x + b = 0$ 是一条直线。对 $J$ 做梯度下降，找到的是交叉熵最低的那条直线，而它不一定是
# 分对点最多的那条；所以我们还直接搜索后者：取很多个方向，在每个方向上试遍相邻两点之间的每一个
# 切分位置。（如果无论怎样倾斜直线都不能让 $J$ 明显下降，使 $J$ 最小的直线就几乎是"平"的——$w$
# 接近 0，每个点的 $\hat y$ 都接近该类的比例——一个点落在 0.5 的哪一侧，只由一点点倾斜决定。
# 本课打印最终的 $J$ 和 $|w|$，让你看到它有多平。）
#
# 在模型拟合所用的点上算出的准确率会偏高，所以每个模型还要在同一个圆盘和圆环里新抽的样本上评分，
# 新样本用*训练*点的均值和标准差来标准化。在 $n$ 个点上的准确率 $a$ 带有标准误差
#
# $$\mathrm{SE} = \sqrt{a(1 - a)/n};$$
#
# 网络和最佳直线在同一批新点上比较：看两者逐点之差（对 = 1，错 = 0）的均值和标准误差。

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
    lesson.words(f"always the training majority (class {majority:.0f})",
                 f"总是回答训练集的多数类（第 {majority:.0f} 类）"):
        lambda p: np.full(len(p), majority == 1),
    lesson.words(f"logistic regression (no hidden layer, {steps} steps)",
                 f"逻辑回归（无隐藏层，{steps} 步）"): lambda p: (p @ w + b)[:, 0] > 0,
    lesson.words(f"best straight line ({n_directions} directions, every cut)",
                 f"最佳直线（{n_directions} 个方向，遍历所有切分）"): lambda p: side * (p @ u - c) > 0,
    lesson.words(f"two-layer network ({hidden} hidden units, {steps} steps)",
                 f"两层网络（{hidden} 个隐藏单元，{steps} 步）"):
        lambda p: forward(p, W1, b1, W2, b2)[0][:, 0] > 0.5,
}
right = {name: (right_or_wrong(predict(x), y), right_or_wrong(predict(x_new), y_new))
         for name, predict in classifiers.items()}
lesson.say(f"\n{'accuracy':<58}{len(y)} training points   {len(y_new)} new points (± 1 SE)",
           f"\n准确率（{len(y)} 个训练点；{len(y_new)} 个新点，± 1 SE）\n"
           f"{'':4}训练点   {'':14}新点   模型")
for name, (on_training, on_new) in right.items():
    lesson.say(f"{name:<58}{on_training.mean():10.3f}          {with_standard_error(on_new)}",
               f"{on_training.mean():10.3f}   {with_standard_error(on_new):>18}   {name}")
if any(on_new.all() for _, on_new in right.values()):
    lesson.say(f"(an accuracy of 1 has SE 0 by the formula; with no error in {len(y_new)} points, "
               f"the error rate is below 3/{len(y_new)} = {3 / len(y_new):.4f} with 95% "
               f"confidence — the 'rule of three')",
               f"（准确率为 1 时按公式 SE 为 0；{len(y_new)} 个点一个都没错，则有 95% 的把握说错误率"
               f"低于 3/{len(y_new)} = {3 / len(y_new):.4f}——这就是\"三法则\"）")
(majority_acc, _), (logistic_acc, _), (line_acc, line_new), (network_acc, network_new) = \
    [(train.mean(), new) for train, new in right.values()]
lesson.say(f"logistic regression's final J = {logistic_losses[-1]:.4f} (ln 2 = {np.log(2):.4f}, "
           f"the J of ŷ = 0.5 everywhere); |w| = {np.linalg.norm(w):.3f}",
           f"逻辑回归最终的 J = {logistic_losses[-1]:.4f}（ln 2 = {np.log(2):.4f}，即处处 ŷ = 0.5 "
           f"时的 J）；|w| = {np.linalg.norm(w):.3f}")
if logistic_acc < line_acc:
    relation = (("worse than", "还不如") if logistic_acc < majority_acc else
                ("no better than", "并不好于") if logistic_acc == majority_acc else
                ("better than", "好于"))
    lesson.say(f"Minimising J is not maximising accuracy: the line gradient descent on J finds "
               f"gets {logistic_acc:.3f} of the training points right — {relation[0]} always "
               f"answering the majority class ({majority_acc:.3f}) — while the best straight "
               f"line gets {line_acc:.3f}.",
               f"让 J 最小不等于让准确率最高：对 J 做梯度下降找到的直线在训练点上的准确率是 "
               f"{logistic_acc:.3f}——{relation[1]}总是回答多数类（{majority_acc:.3f}）——"
               f"而最佳直线能达到 {line_acc:.3f}。")
else:
    lesson.say(f"Here the line gradient descent on J finds is at least as accurate as the best "
               f"straight line the search found ({logistic_acc:.3f} vs {line_acc:.3f}).",
               f"这一次，对 J 做梯度下降找到的直线至少和搜索到的最佳直线一样准确"
               f"（{logistic_acc:.3f} 对 {line_acc:.3f}）。")
difference = network_new - line_new
difference_se = difference.std(ddof=1) / np.sqrt(len(difference))
if difference.mean() > 2 * difference_se:
    lesson.say(f"The hidden layer does what no straight line can: on the new points the network "
               f"scores {difference.mean():+.3f} ± {difference_se:.3f} above the best straight "
               f"line ({difference.mean() / difference_se:.0f} SE).",
               f"隐藏层做到了任何直线都做不到的事：在新点上，网络的准确率比最佳直线高 "
               f"{difference.mean():+.3f} ± {difference_se:.3f}"
               f"（相当于 {difference.mean() / difference_se:.0f} 个 SE）。")
else:
    relation = (("below", "低于") if difference.mean() < -2 * difference_se else
                ("within 2 SE of", "与之相差不到 2 个 SE："))
    lesson.say(f"On the new points the network is {relation[0]} the best straight line "
               f"({difference.mean():+.3f} ± {difference_se:.3f}): after {steps} steps the "
               f"hidden layer has not yet shown what it adds — try more --steps.",
               f"在新点上，网络{relation[1]}最佳直线（{difference.mean():+.3f} ± "
               f"{difference_se:.3f}）：训练 {steps} 步后，隐藏层还没显出它的作用——"
               f"试试更大的 --steps。")

# %%
if lesson.figures_available():
    lesson.save_figure(plotting.loss_curves(
        {label("two-layer network", "两层网络"): losses,
         label("logistic regression (no hidden layer)", "逻辑回归（无隐藏层）"): logistic_losses},
        title=label(f"Lesson 01: gradient descent on J, {len(y)} training points",
                    f"第 01 课：对 J 做梯度下降，{len(y)} 个训练点"),
        xlabel=label("gradient-descent step", "梯度下降步数"),
        ylabel=label("J (binary cross-entropy)", "J（二分类交叉熵）"), log_y=True),
        options, "01_loss_curve.png")
