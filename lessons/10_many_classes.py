# %% [markdown]
# # Lesson 10 — many classes: softmax, its cross-entropy, and an honest yardstick
#
# The article's network answers yes or no: one sigmoid unit, binary cross-entropy. With $K$
# classes the last layer has $K$ units and a **softmax** turns their scores $z$ into
# probabilities that sum to 1,
#
# $$p_j = \operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_{k=1}^{K} e^{z_k}},$$
#
# and the loss is the **categorical cross-entropy** of the true class $c$, $J = -\log p_c$
# (averaged over the samples). This lesson
#
# 1. builds softmax's Jacobian — each $p_j$ depends on *every* $z_k$ — and shows that a
#    backward pass never needs it whole;
# 2. shows why the gradient of the cross-entropy on the logits is simply $p - y$ ($y$
#    one-hot), and checks it numerically;
# 3. trains an MLP on 1797 real handwritten digits with Keras's defaults — RMSprop, and
#    `EarlyStopping` on a validation set — and compares it, item by item, with the cheap
#    classifiers a practitioner would try first.
#
# Run: `python -m nanonet lesson 10` (options: `--out DIR`, `--quick`, `--seed N`).

# %% [markdown] lang="zh"
# # 第 10 课 — 多分类：softmax、它的交叉熵，以及一把诚实的尺子
#
# 文章里的网络只回答"是"或"否"：输出层一个 sigmoid 单元，损失函数是二分类交叉熵。有 $K$ 个类别时，
# 最后一层有 $K$ 个单元，由 **softmax** 把它们的得分 $z$ 变成和为 1 的概率：
#
# $$p_j = \operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_{k=1}^{K} e^{z_k}},$$
#
# 损失函数是真实类别 $c$ 的**多分类交叉熵** $J = -\log p_c$（对所有样本取平均）。本课
#
# 1. 构造 softmax 的雅可比矩阵——每个 $p_j$ 都依赖于*每一个* $z_k$——并说明反向传播从来不需要
#    把它完整地算出来；
# 2. 说明为什么交叉熵对 logits 的梯度就是简单的 $p - y$（$y$ 为 one-hot 向量），并用数值方法检验；
# 3. 用 Keras 的默认设置——RMSprop，加上在验证集上监控的 `EarlyStopping`——在 1797 个真实的
#    手写数字上训练一个 MLP，并在同样的测试样本上逐个与实践者最先会试的几种简单分类器比较。
#
# 运行：`python -m nanonet lesson 10`（选项：`--out DIR`、`--quick`、`--seed N`）。

# %%
"""Lesson 10 — many classes: softmax's Jacobian, why the logits' gradient is p − y, and digits."""
import numpy as np

import nanonet as nn
from nanonet import datasets, gradcheck, layers, lesson, losses, ops, plotting
from nanonet.callbacks import EarlyStopping
from nanonet.lesson import say, section, words
from nanonet.teaching.figure_text import label
from nanonet.teaching.statistics import paired_test

options = lesson.options("10")
rng = np.random.default_rng(options.seed)
max_epochs, patience = (60, 3) if options.quick else (300, 8)

# %% [markdown]
# ## 1. Softmax's Jacobian
#
# Differentiating $p_j = e^{z_j} / \sum_k e^{z_k}$ gives
#
# $$\frac{\partial p_j}{\partial z_k} = p_j\,(\delta_{jk} - p_k), \qquad J = \operatorname{diag}(p) - p\,p^\top,$$
#
# symmetric, $K \times K$ for each sample. The backward pass needs only $J$ times the upstream
# gradient $dy$, and that product is one line without $J$:
#
# $$(J\,dy)_j = p_j\Big(dy_j - \sum_k p_k\,dy_k\Big)$$
#
# which is what `nanonet.ops.softmax_backward_from_output` computes.

# %% [markdown] lang="zh"
# ## 1. softmax 的雅可比矩阵
#
# 对 $p_j = e^{z_j} / \sum_k e^{z_k}$ 求导，得到
#
# $$\frac{\partial p_j}{\partial z_k} = p_j\,(\delta_{jk} - p_k), \qquad J = \operatorname{diag}(p) - p\,p^\top,$$
#
# 它是对称矩阵，每个样本一个 $K \times K$ 矩阵。反向传播只需要 $J$ 乘以上游梯度 $dy$，而这个乘积
# 不必构造 $J$，一行就能算出：
#
# $$(J\,dy)_j = p_j\Big(dy_j - \sum_k p_k\,dy_k\Big)$$
#
# `nanonet.ops.softmax_backward_from_output` 算的就是它。

# %%
section("1. Softmax's Jacobian, and the product a backward pass needs",
        "1. softmax 的雅可比矩阵，以及反向传播需要的乘积")
z = rng.normal(size=4)
p = ops.softmax(z)
jacobian = np.diag(p) - np.outer(p, p)
dy = rng.normal(size=4)
product_gap = float(np.max(np.abs(jacobian @ dy - ops.softmax_backward_from_output(dy, p))))
say(f"z = {np.round(z, 3)}  →  p = {np.round(p, 3)} (sums to {p.sum():.6f})",
    f"z = {np.round(z, 3)}  →  p = {np.round(p, 3)}（和为 {p.sum():.6f}）")
print("J = diag(p) − p pᵀ:")
print(np.round(jacobian, 4))
row_sums = np.abs(jacobian.sum(axis=1)).max()
say(f"rows of J sum to {row_sums:.1e}: adding a constant to every z changes no p",
    f"J 每一行的和为 {row_sums:.1e}：给每个 z 加同一个常数，p 不会变")
say(f"largest |J dy − p ⊙ (dy − Σ p dy)|: {product_gap:.1e}",
    f"|J dy − p ⊙ (dy − Σ p dy)| 的最大值：{product_gap:.1e}")
report = gradcheck.check_layer(layers.Softmax(), rng.normal(size=(5, 4)) * 3, seed=options.seed)
print(report)
assert report.passed and product_gap < 1e-12

# %% [markdown]
# ## 2. Why the logits' gradient is p − y
#
# With $y$ the one-hot row of the true class,
# $J = -\sum_j y_j \log p_j = -z_c + \log \sum_k e^{z_k}$, so
#
# $$\frac{\partial J}{\partial z_k} = -y_k + \frac{e^{z_k}}{\sum_m e^{z_m}} = p_k - y_k.$$
#
# The softmax's Jacobian and the log's $1/p$ cancel — as $\sigma'(z)$ cancelled against binary
# cross-entropy in lesson 02. That is why Keras, and nanonet, compute the loss of a model
# ending in a softmax *from its logits*: no division by a $p$ that may have rounded to 0.

# %% [markdown] lang="zh"
# ## 2. 为什么 logits 的梯度是 p − y
#
# 设 $y$ 是真实类别的 one-hot 行向量，则
# $J = -\sum_j y_j \log p_j = -z_c + \log \sum_k e^{z_k}$，于是
#
# $$\frac{\partial J}{\partial z_k} = -y_k + \frac{e^{z_k}}{\sum_m e^{z_m}} = p_k - y_k.$$
#
# softmax 的雅可比矩阵与对数求导带来的 $1/p$ 相互抵消——正如第 02 课里 $\sigma'(z)$ 与二分类交叉熵
# 相互抵消一样。所以 Keras 和 nanonet 在模型以 softmax 结尾时，都*从 logits* 计算损失：这样就不会
# 除以一个可能已被舍入成 0 的 $p$。

# %%
section("2. The gradient of −log p_c on the logits is p − y",
        "2. −log p_c 对 logits 的梯度是 p − y")
classes = rng.integers(0, 4, 6)
one_hot = np.eye(4)[classes]
logits = rng.normal(size=(6, 4)) * 2
loss = losses.CategoricalCrossentropy(from_logits=True)
value, d_logits = loss.forward(one_hot, logits)
expected = (ops.softmax(logits) - one_hot) / len(logits)
gap = float(np.max(np.abs(d_logits - expected)))
say(f"loss {value:.4f}; largest |∂J/∂z − (p − y)/n| = {gap:.1e}",
    f"损失 {value:.4f}；|∂J/∂z − (p − y)/n| 的最大值 = {gap:.1e}")
report = gradcheck.check_formula(lambda z: loss.forward(one_hot, z)[0],
                                 lambda z: loss.forward(one_hot, z)[1], logits,
                                 names=["logits"])
print(report)
far = np.array([[900.0, -900.0, 0.0, 1.0]])
far_loss = loss(np.eye(4)[[1]], far)
say(f"even for logits of ±900 the loss stays finite: {far_loss:.1f} (= 900 − (−900): the true "
    f"class scored 1800 lower)",
    f"即使 logits 达到 ±900，损失也仍是有限值：{far_loss:.1f}（= 900 − (−900)：真实类别的得分低了 "
    f"1800）")
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

# %% [markdown] lang="zh"
# ## 3. 真实的手写数字
#
# `nanonet.datasets.load_digits()` 随软件包附带 1797 个手写数字（8 × 8 像素，每个像素取值 0–16）——
# 它是 UCI 光学数字数据集的测试部分，出自 13 位书写者（见它的 README）。我们留出 20 % 作为**测试集**，
# 只在最后评一次分；再留出 15 % 作为 `EarlyStopping` 监控的**验证集**；其余的用来训练。数据迫使我们
# 注意一点：同一个人写的数字彼此相像，而随机划分会让每位书写者同时出现在训练集和测试集里——所以测试
# 准确率衡量的是模型认*这 13 个人*的字的能力，而不是认陌生人的字。

# %%
section("3. The digits, split", "3. 划分手写数字")
x_all, y_all = datasets.load_digits()
x_all = x_all / 16.0                                   # pixels in [0, 1]
order = rng.permutation(len(x_all))
n_test, n_val = round(0.2 * len(x_all)), round(0.15 * len(x_all))
test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
say(f"{len(x_all)} digits: {len(train)} to train, {len(val)} to validate, {len(test)} to test",
    f"{len(x_all)} 个数字：{len(train)} 个用于训练，{len(val)} 个用于验证，{len(test)} 个用于测试")
per_class = np.bincount(y_all[train], minlength=10).tolist()
say(f"digits per class in training: {per_class}", f"训练集中每类数字的个数：{per_class}")

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
    figure.suptitle(label("Lesson 10: two training digits of each class (8 × 8 pixels)",
                          "第 10 课：每类两个训练数字（8 × 8 像素）"), fontsize=10)
    lesson.save_figure(figure, options, "10_digits.png")

# %% [markdown]
# ## 4. An MLP with Keras's defaults: RMSprop, and EarlyStopping
#
# `compile()` without an optimizer uses RMSprop, as in Keras. `EarlyStopping(patience=…,
# restore_best_weights=True)` ends training once the validation loss has not improved for
# `patience` epochs and puts back the weights of the best epoch. The labels are class indices
# 0–9, so the loss is `"sparse_categorical_crossentropy"` (one-hot rows would take
# `"categorical_crossentropy"`, and `nanonet.utils.to_categorical` makes them).

# %% [markdown] lang="zh"
# ## 4. 用 Keras 默认设置的 MLP：RMSprop 与 EarlyStopping
#
# 不指定优化器时，`compile()` 和 Keras 一样使用 RMSprop。`EarlyStopping(patience=…,
# restore_best_weights=True)` 在验证集损失连续 `patience` 轮没有改善时结束训练，并恢复最好那一轮的
# 权重。标签是类别编号 0–9，所以损失函数用 `"sparse_categorical_crossentropy"`（如果标签是 one-hot
# 行向量，就用 `"categorical_crossentropy"`，`nanonet.utils.to_categorical` 可以生成这种标签）。

# %%
section("4. Training with RMSprop and EarlyStopping", "4. 用 RMSprop 和 EarlyStopping 训练")


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
stop_text = (words(f"stopped after epoch {mlp_stopper.stopped_epoch + 1}",
                   f"在第 {mlp_stopper.stopped_epoch + 1} 轮后停止") if mlp_stopper.stopped_epoch
             else words(f"ran all {max_epochs} epochs (no stop: the last weights are kept)",
                        f"跑完了全部 {max_epochs} 轮（没有提前停止：保留最后的权重）"))
best_epoch, best_accuracy = (mlp_stopper.best_epoch + 1,
                             mlp_history.history['val_accuracy'][mlp_stopper.best_epoch])
say(f"MLP 64 → relu 64 → softmax 10 ({mlp.count_params()} weights): {stop_text}; best "
    f"validation loss {mlp_stopper.best:.4f} at epoch {best_epoch}",
    f"MLP 64 → relu 64 → softmax 10（{mlp.count_params()} 个权重）：{stop_text}；最好的验证集"
    f"损失 {mlp_stopper.best:.4f}，出现在第 {best_epoch} 轮")
say(f"  validation accuracy at the best epoch: {best_accuracy:.3f}",
    f"  最好那一轮的验证集准确率：{best_accuracy:.3f}")

# %%
if lesson.figures_available():
    figure = plotting.loss_curves(
        {label("training loss", "训练集损失"): mlp_history.history["loss"],
         label("validation loss", "验证集损失"): mlp_history.history["val_loss"]},
        title=label("Lesson 10: the MLP's losses (best epoch kept)",
                    "第 10 课：MLP 的损失（保留最好的一轮）"),
        xlabel=label("epoch", "轮次（epoch）"),
        ylabel=label("sparse categorical cross-entropy", "稀疏多分类交叉熵"), log_y=True)
    axis = figure.axes[0]
    axis.axvline(mlp_stopper.best_epoch + 1, color="gray", linestyle=":", linewidth=1.2,
                 label=label("best epoch (weights kept)", "最好的一轮（保留其权重）"))
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
# Every accuracy $a$ on $n$ test digits carries its standard error
#
# $$\mathrm{SE} = \sqrt{a(1 - a)/n}.$$
#
# Two models scored on the same test digits are compared *paired*: the difference of
# accuracies with its paired standard error, and McNemar's exact test on the digits exactly
# one of them gets right.

# %% [markdown] lang="zh"
# ## 5. 与实践者最先会试的分类器比较
#
# - **多数类**：总是回答训练集中最常见的数字——相当于瞎猜，约 10 %；
# - **最近质心**：哪一类的平均训练图像离得最近，就回答哪一类；
# - **softmax 回归**：同样的训练，但没有隐藏层（Dense(10, softmax)）；
# - **1-最近邻**：回答离得最近的那张训练图像的标签（欧氏距离）——完全不训练，只靠记忆，而在这些
#   数字上出了名地强。
#
# 在 $n$ 个测试数字上的每个准确率 $a$ 都带有标准误差
#
# $$\mathrm{SE} = \sqrt{a(1 - a)/n}.$$
#
# 两个模型在同一批测试数字上评分，就做*配对*比较：看准确率之差及其配对标准误差，并对恰好只有其中
# 一个模型答对的那些数字做 McNemar 精确检验。

# %%
section("5. The MLP against cheap baselines, on the same test digits",
        "5. 在同一批测试数字上，MLP 对比简单的基线")
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
names_zh = {"majority class": "多数类", "nearest centroid": "最近质心",
            "softmax regression": "softmax 回归", "1-nearest neighbour": "1-最近邻",
            "MLP (64 relu units)": "MLP（64 个 relu 单元）"}
for name in predictions:                   # in Chinese the name ends the row: the columns align
    say(f"  {name:22s} {accuracy[name]:.3f} ± {error[name]:.3f} (1 SE)",
        f"  {accuracy[name]:.3f} ± {error[name]:.3f}（1 SE）  {names_zh[name]}")
baselines = [name for name in predictions if not name.startswith("MLP")]
strongest = max(baselines, key=accuracy.get)
strongest_zh = names_zh[strongest]
versus = paired_test(correct["MLP (64 relu units)"], correct[strongest])
say(f"\nstrongest baseline (best on the test digits — a choice that can only flatter it): "
    f"{strongest}",
    f"\n最强的基线（按测试集上的成绩挑出——这样挑只会抬高它）：{strongest_zh}")
say(f"MLP − {strongest}: {versus.difference:+.3f} ± {versus.standard_error:.3f} (paired SE); "
    f"digits only the MLP gets right: {versus.first_only}, only {strongest}: "
    f"{versus.second_only}; McNemar p = {versus.p_value:.2g}",
    f"MLP − {strongest_zh}：{versus.difference:+.3f} ± {versus.standard_error:.3f}（配对 SE）；"
    f"只有 MLP 答对的数字：{versus.first_only} 个，只有“{strongest_zh}”答对的："
    f"{versus.second_only} 个；McNemar p = {versus.p_value:.2g}")


def verdict(test_result, baseline):
    """The sentence the paired test supports (5 % two-sided), in the lesson's language."""
    if test_result.p_value >= 0.05:
        return words(f"→ On these {len(test)} test digits the MLP and {baseline} are level: the "
                     f"difference is within what chance gives (p = {test_result.p_value:.2g}).",
                     f"→ 在这 {len(test)} 个测试数字上，MLP 与“{names_zh[baseline]}”不分高下：差异在"
                     f"偶然所能造成的范围之内（p = {test_result.p_value:.2g}）。")
    better = ("more", "高于") if test_result.difference > 0 else ("less", "低于")
    return words(f"→ The MLP is {better[0]} accurate than {baseline} on these {len(test)} test "
                 f"digits (p = {test_result.p_value:.2g}).",
                 f"→ 在这 {len(test)} 个测试数字上，MLP 的准确率{better[1]}“{names_zh[baseline]}”"
                 f"（p = {test_result.p_value:.2g}）。")


print(verdict(versus, strongest))
if strongest == "1-nearest neighbour":
    kilobytes = (x_train.nbytes // 1024, mlp.count_params() * 4 // 1024)
    say(f"  What the MLP buys over 1-NN: 1-NN keeps all {len(train)} training images "
        f"({kilobytes[0]} KB) and compares each new digit with every one of them; "
        f"the MLP keeps {mlp.count_params()} weights ({kilobytes[1]} KB) "
        f"and gives a probability for each digit.",
        f"  MLP 比 1-NN 强在哪里：1-NN 要保存全部 {len(train)} 张训练图像（{kilobytes[0]} KB），"
        f"每来一个新数字都要和它们逐一比较；MLP 只保存 {mlp.count_params()} 个权重"
        f"（{kilobytes[1]} KB），并且对每个数字给出概率。")

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 3.2))
    names = list(predictions)
    axis.barh([label(name, names_zh[name]) for name in names],
              [accuracy[name] for name in names], xerr=[1.96 * error[name] for name in names],
              color=["tab:gray"] * len(baselines) + ["tab:blue"], capsize=3)
    axis.set(xlim=(0, 1.02),
             xlabel=label("test accuracy (bars: 95 % interval, ±1.96 SE)",
                          "测试集准确率（误差棒：95 % 区间，±1.96 SE）"),
             title=label(f"Lesson 10: {len(test)} test digits, seed {options.seed}",
                         f"第 10 课：{len(test)} 个测试数字，随机种子 {options.seed}"))
    axis.axvline(0.1, color="black", linestyle=":", linewidth=1,
                 label=label("chance (10 %)", "瞎猜（10 %）"))
    axis.legend(loc="lower right", fontsize=8)
    lesson.save_figure(figure, options, "10_accuracy_vs_baselines.png")

# %% [markdown]
# ## What to take away
#
# - softmax's Jacobian is $\operatorname{diag}(p) - p\,p^\top$, but a backward pass only ever
#   needs the product $p \odot (dy - \sum_k p_k\,dy_k)$; and with the cross-entropy on top, the
#   logits' gradient is $p - y$;
# - `EarlyStopping` chooses the epoch on the validation set, never on the test set;
# - a neural network has to beat the strongest cheap rule, on the same test items, by more
#   than chance. On these digits the strongest cheap rule is memory, 1-NN — in every seed the
#   tests run — and section 5's verdict, printed from the paired test, says whether the MLP
#   beat it in your run. Try `--seed 1`, `--seed 2`.

# %% [markdown] lang="zh"
# ## 本课要点
#
# - softmax 的雅可比矩阵是 $\operatorname{diag}(p) - p\,p^\top$，但反向传播只需要乘积
#   $p \odot (dy - \sum_k p_k\,dy_k)$；再接上交叉熵，logits 的梯度就是 $p - y$；
# - `EarlyStopping` 在验证集上选择停在哪一轮，绝不用测试集；
# - 神经网络必须在同一批测试样本上、以超出偶然的幅度，胜过最强的简单规则。在这些数字上，最强的
#   简单规则是记忆，即 1-NN——测试所用的每个随机种子都是如此——第 5 节根据配对检验打印的结论告诉你，
#   在你这次运行中 MLP 是否胜过了它。试试 `--seed 1`、`--seed 2`。
