# %% [markdown]
# # Lesson 06 — the article's §5 example, line by line
#
# §5.2 of the article prints a TensorFlow/Keras script: three Chinese sentences ("this stock
# will rise / fall / hold steady"), labels [1, 0, 1], Tokenizer → pad_sequences →
# Embedding(64) → LSTM(64, dropout 0.2) → Dense(1, sigmoid), ten epochs, then a prediction for
# "这是一只股票会下跌" ("this stock will fall"). §5.4 says it prints `预测结果： [0.0]`
# ("prediction: [0.0]") and that this means the model predicts a fall.
#
# nanonet's API mirrors Keras, so the script translates line for line. We run it, and check
# every claim against what Keras 2.15 really does. Every Keras number below is loaded from
# `tests/fixtures/keras_lesson06.json`, which `tests/fixtures/make_keras_lesson06_fixtures.py`
# wrote by running this very script (and its one-line fix, over 20 seeds, timed) with
# TensorFlow 2.15; the Keras behaviour behind it is written up in `docs/keras_semantics.md`.
#
# 1. as printed, the script crashes in Keras: `labels` is a Python list;
# 2. the Tokenizer makes each Chinese sentence ONE token;
# 3. so every padded sequence is nine pads and one id;
# 4. the printed `预测结果： [0.0]` cannot come from this code;
# 5. over 20 seeds, how nanonet's predictions compare with Keras's, and what fraction of them
#    call the sentence labelled 0 a rise;
# 6. how to make it learn the three sentences, and why there is nothing to generalise from.
#
# Run: `python -m nanonet lesson 06` (options: `--out DIR`, `--quick`, `--seed N`).

# %% [markdown] lang="zh"
# # 第 06 课 — 逐行解读文章 §5 的例子
#
# 文章 §5.2 给出了一段 TensorFlow/Keras 脚本：三个中文句子（"这是一只股票会上涨 / 会下跌 /
# 会保持平稳"），标签 [1, 0, 1]，Tokenizer → pad_sequences → Embedding(64) → LSTM(64, dropout 0.2)
# → Dense(1, sigmoid)，训练十个轮次，然后对"这是一只股票会下跌"做预测。§5.4 说它打印出
# `预测结果： [0.0]`，并说这意味着模型预测该股票将下跌。
#
# nanonet 的 API 与 Keras 一致，所以这段脚本可以逐行翻译过来。我们运行它，并把每一个说法都拿来
# 和 Keras 2.15 的真实行为对照。下面所有 Keras 的数字都从 `tests/fixtures/keras_lesson06.json`
# 读取；这个文件由 `tests/fixtures/make_keras_lesson06_fixtures.py` 用 TensorFlow 2.15 运行这段
# 脚本（以及它的一行修复版，跑 20 个种子并计时）写成；其背后的 Keras 行为记录在
# `docs/keras_semantics.md` 中。
#
# 1. 照原样，这段脚本在 Keras 里会崩溃：`labels` 是一个 Python 列表；
# 2. Tokenizer 把每个中文句子变成**一个**词元；
# 3. 所以每条填充后的序列都是九个填充值加一个 id；
# 4. 文章印出的 `预测结果： [0.0]` 不可能来自这段代码；
# 5. 在 20 个种子上，nanonet 的预测与 Keras 的相比如何，其中有多大比例把标签为 0 的句子判为上涨；
# 6. 怎样让它学会这三个句子，以及为什么这里根本没有可以泛化的东西。
#
# 运行：`python -m nanonet lesson 06`（选项：`--out DIR`、`--quick`、`--seed N`）。

# %%
"""Lesson 06 — the article's §5 example, line by line: what it really does, what it really prints, and how to make it learn."""
import re
import time

import numpy as np

import nanonet as nn
from nanonet import layers, lesson, plotting, text
from nanonet.lesson import say, section, words
from nanonet.teaching import figure_text
from nanonet.teaching import golden

options = lesson.options("06")
started = time.perf_counter()
seeds = list(range(5 if options.quick else 20))
np.set_printoptions(linewidth=100)

# %% [markdown]
# ## The script as printed (§5.2)
#
# The text below is the script exactly as the fixture's generator ran it in TensorFlow. As
# equations, its model reads the ten ids $\mathrm{id}_1 \dots \mathrm{id}_{10}$ of a padded
# sentence: the Embedding looks up row $E_{\mathrm{id}_t}$ of a table $E$ (one row of 64
# numbers per id), the LSTM of lesson 05 runs over the ten rows, and a Dense layer with a
# sigmoid reads its last output:
#
# $$
# \begin{aligned}
# x_t &= E_{\mathrm{id}_t}, \qquad t = 1, \dots, 10 \\
# (h_t, c_t) &= \mathrm{LSTM}(x_t, h_{t-1}, c_{t-1}), \qquad h_0 = c_0 = 0 \\
# \hat y &= \sigma(h_{10}\, w + b)
# \end{aligned}
# $$
#
# `compile(optimizer='adam', loss='binary_crossentropy')` trains $E$, the LSTM's $W$, $R$, $b$
# and the readout $w$, $b$ with Adam on the binary cross-entropy of the $m = 3$ sentences,
#
# $$
# J = -\frac{1}{m} \sum_{i=1}^{m} \bigl[\, y_i \log \hat y_i + (1 - y_i) \log(1 - \hat y_i) \,\bigr]
# $$
#
# and $\hat y > 0.5$ reads as "rise".

# %% [markdown] lang="zh"
# ## 原样印出的脚本（§5.2）
#
# 下面的文字就是夹具生成器在 TensorFlow 里运行的那段脚本，一字不差。写成公式，它的模型读入一个
# 填充后句子的十个 id $\mathrm{id}_1 \dots \mathrm{id}_{10}$：Embedding 层（词嵌入）在表 $E$
# 中查出第 $E_{\mathrm{id}_t}$ 行（每个 id 一行，64 个数），第 05 课的 LSTM 在这十行上运行，
# 最后由一个带 sigmoid 的 Dense 层读取它的最后一个输出：
#
# $$
# \begin{aligned}
# x_t &= E_{\mathrm{id}_t}, \qquad t = 1, \dots, 10 \\
# (h_t, c_t) &= \mathrm{LSTM}(x_t, h_{t-1}, c_{t-1}), \qquad h_0 = c_0 = 0 \\
# \hat y &= \sigma(h_{10}\, w + b)
# \end{aligned}
# $$
#
# `compile(optimizer='adam', loss='binary_crossentropy')` 用 Adam 在这 $m = 3$ 个句子的二元
# 交叉熵损失函数上训练 $E$、LSTM 的 $W$、$R$、$b$ 以及读出层的 $w$、$b$：
#
# $$
# J = -\frac{1}{m} \sum_{i=1}^{m} \bigl[\, y_i \log \hat y_i + (1 - y_i) \log(1 - \hat y_i) \,\bigr]
# $$
#
# $\hat y > 0.5$ 就读作"上涨"。

# %%
KERAS = golden.load("keras_lesson06.json")      # what Keras 2.15 did with this script
KERAS_SCRIPT = KERAS.data["article_script"]
ARTICLE_OUTPUT = "预测结果： [0.0]"

section("The article's script (§5.2), as printed", "文章的脚本（§5.2），原样照录")
print(KERAS_SCRIPT)
say(f"Keras's results for it come from {KERAS.provenance()}.",
    f"它在 Keras 中的结果来自 {KERAS.provenance()}。")
say(f"The article's output (§5.4): {ARTICLE_OUTPUT}", f"文章给出的输出（§5.4）：{ARTICLE_OUTPUT}")

# %% [markdown]
# ## The same script in nanonet, line for line
#
# Only the imports change, plus `seed=` on the model (Keras's equivalent is
# `tf.keras.utils.set_random_seed(seed)` before building it): nanonet takes all its random
# numbers — initial weights, shuffling, dropout masks — from that seed, so each run prints
# the same numbers.

# %% [markdown] lang="zh"
# ## 同一段脚本的 nanonet 版，逐行对应
#
# 只有 import 语句要改，再给模型加上 `seed=`（Keras 里对应的做法是在建模型之前调用
# `tf.keras.utils.set_random_seed(seed)`）：nanonet 的所有随机数——初始权重、打乱顺序、dropout
# 掩码——都来自这个种子，所以每次运行打印的数字都一样。

# %%
LINE_FOR_LINE = [
    ("import tensorflow as tf", "import nanonet as nn"),
    ("from tensorflow.keras.preprocessing.sequence import pad_sequences",
     "from nanonet import text        # text.pad_sequences"),
    ("from tensorflow.keras.layers import Embedding, LSTM, Dense",
     "from nanonet import layers      # layers.Embedding, layers.LSTM, layers.Dense"),
    ("from tensorflow.keras.models import Sequential", "nn.Sequential"),
    ("tokenizer = tf.keras.preprocessing.text.Tokenizer()", "tokenizer = text.Tokenizer()"),
    ("padded_sequences = pad_sequences(sequences, maxlen=…)",
     "padded_sequences = text.pad_sequences(sequences, maxlen=…)"),
    ("model = Sequential([Embedding(…), LSTM(…), Dense(…)])",
     "model = nn.Sequential([layers.Embedding(…), layers.LSTM(…), layers.Dense(…)], seed=0)"),
    ("model.compile(optimizer='adam', …)", "the same"),
    ("model.fit(padded_sequences, labels, epochs=10, batch_size=1)", "the same"),
    ("prediction = model.predict(new_padded_sequence)", "the same"),
]
section("Keras → nanonet")
for keras_line, nanonet_line in LINE_FOR_LINE:
    if nanonet_line == "the same":
        nanonet_line = words("the same", "不变")
    print(f"  {keras_line}\n      → {nanonet_line}")

section("The script in nanonet, run (seed 0)", "在 nanonet 中运行这段脚本（种子 0）")
# 加载数据集 (load the data)
texts = ["这是一只股票会上涨", "这是一只股票会下跌", "这是一只股票会保持平稳"]
labels = [1, 0, 1]

# 数据预处理 (preprocess)
max_sequence_length = 10
tokenizer = text.Tokenizer()
tokenizer.fit_on_texts(texts)
sequences = tokenizer.texts_to_sequences(texts)
padded_sequences = text.pad_sequences(sequences, maxlen=max_sequence_length)

# 构建模型 (build the model)
model = nn.Sequential([
    layers.Embedding(len(tokenizer.word_index) + 1, 64, input_length=max_sequence_length),
    layers.LSTM(64, dropout=0.2, recurrent_dropout=0.2),
    layers.Dense(1, activation="sigmoid"),
], seed=options.seed)

# 编译模型 (compile)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

# (not in the article: the prediction and the weights before training, for point 4 below)
new_text = "这是一只股票会下跌"
new_sequence = tokenizer.texts_to_sequences([new_text])
new_padded_sequence = text.pad_sequences(new_sequence, maxlen=max_sequence_length)
prediction_before = float(model.predict(new_padded_sequence)[0][0])
weights_before = model.get_weights()

# 训练模型 (train) — labels is still the Python list, as printed
history = model.fit(padded_sequences, labels, epochs=10, batch_size=1)

# 预测 (predict)
prediction = model.predict(new_padded_sequence)
print("预测结果：", prediction[0][0])

# %% [markdown]
# From here on the fixed script (labels as an array) runs many times — other seeds, other
# settings — so here it is once more as a function, quiet (`verbose=0`).

# %% [markdown] lang="zh"
# 从这里开始，修复后的脚本（标签改为数组）要运行很多次——换种子、换设置——所以这里把它再写一遍，
# 写成一个安静运行（`verbose=0`）的函数。

# %%
HELD_OUT = ["这是一只股票会暴跌", "这是一只股票不会下跌", "这是一只股票会大涨", "这只股票会上涨"]
HELD_OUT_MEANING = ["will plunge", "will NOT fall", "will soar", "this stock will rise"]
_finished_runs = {}


def run_article_script(seed: int, char_level: bool = False, epochs: int = 10,
                       dropout: float = 0.2):
    """The fixed §5 script (labels as an array), quietly, with one change or another.

    Returns a dict: "new" = predictions for [new_text] + HELD_OUT, "train" = for the three
    training sentences, the history, the fit time, the tokenizer and the padded sequences.
    (Each configuration is run once; asking again returns the same run.)"""
    key = (seed, char_level, epochs, dropout)
    if key not in _finished_runs:
        _finished_runs[key] = _run_article_script(*key)
    return _finished_runs[key]


def _run_article_script(seed, char_level, epochs, dropout):
    tokenizer = text.Tokenizer(char_level=char_level)
    tokenizer.fit_on_texts(texts)
    padded = text.pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=max_sequence_length)
    model = nn.Sequential([
        layers.Embedding(len(tokenizer.word_index) + 1, 64, input_length=max_sequence_length),
        layers.LSTM(64, dropout=dropout, recurrent_dropout=dropout),
        layers.Dense(1, activation="sigmoid"),
    ], seed=seed)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(padded, np.array(labels), epochs=epochs, batch_size=1, verbose=0)
    fit_seconds = time.perf_counter() - start
    new_padded = text.pad_sequences(tokenizer.texts_to_sequences([new_text] + HELD_OUT),
                                    maxlen=max_sequence_length)
    return {"new": model.predict(new_padded)[:, 0], "train": model.predict(padded)[:, 0],
            "history": history.history, "fit_seconds": fit_seconds, "tokenizer": tokenizer,
            "padded": padded}


# %% [markdown]
# ## 1. As printed, the script does not run in Keras
#
# Keras 2.15 stops at `model.fit`: `labels` is a Python list, and its data adapters accept a
# NumPy array of inputs together with a list of targets in no combination (the error below is
# the one the generator recorded). docs/keras_semantics.md notes the same on tf-keras 2.21 and
# that Keras 3 fails too, warning also that `input_length` is deprecated.
# nanonet converts a list of labels as Keras converts a NumPy array — it accepted the list
# above. The one-line fix for Keras is `labels = np.array(labels)`; in nanonet the fix
# changes nothing.

# %% [markdown] lang="zh"
# ## 1. 照原样，这段脚本在 Keras 里跑不起来
#
# Keras 2.15 停在 `model.fit`：`labels` 是一个 Python 列表，而它的数据适配器不接受"NumPy 数组
# 作输入、列表作目标"的任何组合（下面的报错就是生成器记录下来的那一条）。`docs/keras_semantics.md`
# 指出 tf-keras 2.21 也是如此，Keras 3 同样失败，并且还会警告 `input_length` 已被弃用。nanonet
# 像 Keras 转换 NumPy 数组那样转换标签列表——上面它就接受了这个列表。Keras 的一行修复是
# `labels = np.array(labels)`；在 nanonet 里，这个修复什么也不改变。

# %%
KERAS_ERROR = f"{KERAS.data['as_printed']['error_type']}: {KERAS.data['as_printed']['error_message']}"
section("1. labels = [1, 0, 1] is a Python list", "1. labels = [1, 0, 1] 是一个 Python 列表")
print(f"Keras {KERAS.meta['keras']}, model.fit(padded_sequences, labels, …):\n  {KERAS_ERROR}")
say("The fix (and the only change needed to make the article's script run):\n"
    "  labels = np.array(labels)",
    "修复方法（也是让文章的脚本跑起来唯一需要的改动）：\n"
    "  labels = np.array(labels)")
identical = run_article_script(options.seed)['new'][0] == prediction[0][0]
say("nanonet accepts the list (above). With np.array(labels) (run_article_script) it\n"
    f"gives the identical prediction: {identical}",
    "nanonet 接受这个列表（见上）。改用 np.array(labels)（run_article_script）后，\n"
    f"预测结果完全相同：{identical}")

# %% [markdown]
# ## 2. The Tokenizer makes each Chinese sentence ONE token
#
# Keras's Tokenizer (word mode, the default) lower-cases, replaces its filter characters by
# spaces and splits on spaces — nothing else. Chinese is written without spaces, so each
# sentence is a single "word". nanonet follows the same rules (tests/test_text.py replays
# Keras's own outputs, for these sentences among 52 cases).

# %% [markdown] lang="zh"
# ## 2. Tokenizer 把每个中文句子变成**一个**词元
#
# Keras 的 Tokenizer（默认的按词模式）只做三件事：转成小写，把过滤字符替换成空格，再按空格切分
# ——别的什么也不做。中文书写不用空格，所以每个句子都成了一个"词"，根本没有分词。nanonet 遵循
# 同样的规则（`tests/test_text.py` 重放了 Keras 自己的输出，共 52 个用例，其中就有这几个句子）。

# %%
section("2. What the Tokenizer makes of the three sentences", "2. Tokenizer 把三个句子变成了什么")
KERAS_FIXED_RUN = KERAS.data["fixed_run"]         # the fixed script, run once by Keras
print("tokenizer.word_index =", tokenizer.word_index)
print("sequences            =", sequences)
same_as_keras = (tokenizer.word_index == KERAS_FIXED_RUN['word_index']
                 and sequences == KERAS_FIXED_RUN['sequences'])
say(f"the same as Keras {KERAS.meta['keras']}: {same_as_keras}; "
    f"{len(tokenizer.word_index)} words for 3 sentences — each sentence is one token.",
    f"与 Keras {KERAS.meta['keras']} 相同：{same_as_keras}；"
    f"3 个句子得到 {len(tokenizer.word_index)} 个词——每个句子就是一个词元。")
say("The model can only tell the sentences apart by their id; that two of them share "
    "'这是一只股票会' is invisible to it.",
    "模型只能凭 id 区分这几个句子；它们都以“这是一只股票会”开头，这一点模型根本看不见。")

# %% [markdown]
# ## 3. Every padded sequence is nine pads and one id
#
# `pad_sequences(maxlen=10)` pads in front (`padding='pre'`) with 0. With `mask_zero=False`
# (the default) id 0 is an ordinary embedding row, so the LSTM reads nine identical padding
# steps and then the one real token. The model has 33,345 weights to tell three ids apart.

# %% [markdown] lang="zh"
# ## 3. 每条填充后的序列都是九个填充值加一个 id
#
# `pad_sequences(maxlen=10)` 在前面（`padding='pre'`）补 0。在 `mask_zero=False`（默认值）下，
# id 0 只是词嵌入表里普通的一行，所以 LSTM 先读九个一模一样的填充步，再读那一个真正的词元。
# 模型用 33,345 个权重来区分三个 id。

# %%
section("3. padded_sequences")
print(padded_sequences)
nine_pads = bool(np.all(padded_sequences[:, :9] == 0))
say(f"shape {padded_sequences.shape}, dtype {padded_sequences.dtype}; "
    f"nine pads then one id in every row: {nine_pads}",
    f"形状 {padded_sequences.shape}，dtype {padded_sequences.dtype}；"
    f"每一行都是九个填充值加一个 id：{nine_pads}")
print("new_padded_sequence =", new_padded_sequence.tolist(),
      words(" (the new text is training sentence 2)", " （新文本就是训练句子 2）"))
same_padded = padded_sequences.tolist() == KERAS_FIXED_RUN['padded']
say(f"the same padded array as Keras's: {same_padded}",
    f"与 Keras 的填充数组相同：{same_padded}")
model.summary()
say(f"Keras's model.count_params(): {KERAS_FIXED_RUN['count_params']}; nanonet's: "
    f"{model.count_params()}",
    f"Keras 的 model.count_params()：{KERAS_FIXED_RUN['count_params']}；nanonet 的："
    f"{model.count_params()}")

# %% [markdown]
# ## 4. `预测结果： [0.0]` cannot come from this code
#
# * As printed, it crashes (point 1): it prints nothing.
# * Fixed, `prediction[0][0]` is one float32 number, so it prints a scalar such as
#   `预测结果： 0.5490…`, not a list `[0.0]`.
# * A sigmoid is never exactly 0: in float32 that would need a logit below about −88. This
#   model's logit is $z = h_T \cdot w + b$ with every $|h_{T,j}| < 1$, so
#
#   $$
#   |z| \le \sum_j |w_j| + |b|, \qquad
#   \sigma(z) \in \bigl[\sigma(-\textstyle\sum_j |w_j| - |b|),
#   \ \sigma(\textstyle\sum_j |w_j| + |b|)\bigr]
#   $$
#
#   — bounded by the Dense layer's 65 weights.
# * Ten epochs of three samples with batch_size=1 are 30 Adam steps at learning rate
#   $\eta = 10^{-3}$; Adam moves each weight by at most about $\eta$ per step, so at most
#   $30\,\eta \approx 0.03$ in all. Starting from $\approx 0.5$, the output cannot get anywhere
#   near 0.

# %% [markdown] lang="zh"
# ## 4. `预测结果： [0.0]` 不可能来自这段代码
#
# * 照原样它会崩溃（第 1 点）：什么也打印不出来。
# * 修复之后，`prediction[0][0]` 是一个 float32 数，所以它打印的是一个标量，比如
#   `预测结果： 0.5490…`，而不是列表 `[0.0]`。
# * sigmoid 永远不会恰好等于 0：在 float32 里，这需要 logit 低于大约 −88。这个模型的 logit 是
#   $z = h_T \cdot w + b$，而每个 $|h_{T,j}| < 1$，所以
#
#   $$
#   |z| \le \sum_j |w_j| + |b|, \qquad
#   \sigma(z) \in \bigl[\sigma(-\textstyle\sum_j |w_j| - |b|),
#   \ \sigma(\textstyle\sum_j |w_j| + |b|)\bigr]
#   $$
#
#   ——上限由 Dense 层的 65 个权重决定。
# * 三个样本、batch_size=1、十个轮次，就是学习率 $\eta = 10^{-3}$ 下的 30 步 Adam；Adam 每一步
#   让每个权重最多移动大约 $\eta$，所以总共最多 $30\,\eta \approx 0.03$。从 $\approx 0.5$ 出发，
#   输出根本不可能接近 0。

# %%
section("4. What the fixed script prints, and why it cannot be [0.0]",
        "4. 修复后的脚本打印什么，为什么不可能是 [0.0]")
dense_kernel, dense_bias = model.get_weights()[-2:]
bound = float(np.abs(dense_kernel).sum() + np.abs(dense_bias).sum())
moved = max(float(np.abs(after - before).max())
            for after, before in zip(model.get_weights(), weights_before))
type_name = type(prediction[0][0]).__name__
print(words("printed:", "打印出："), "预测结果：", prediction[0][0],
      words(f"  (type {type_name}: one number, not a list)", f"  （类型 {type_name}：一个数，不是列表）"))
lowest, highest = 1 / (1 + np.exp(bound)), 1 / (1 + np.exp(-bound))
say(f"|logit| ≤ Σ|w| + |b| = {bound:.2f}, so every output of this model lies in "
    f"[{lowest:.4f}, {highest:.4f}]",
    f"|logit| ≤ Σ|w| + |b| = {bound:.2f}，所以这个模型的每个输出都落在 "
    f"[{lowest:.4f}, {highest:.4f}] 之内")
after = float(prediction[0][0])
say(f"prediction for '{new_text}' before training {prediction_before:.4f}, "
    f"after 30 Adam steps {after:.4f}",
    f"对“{new_text}”的预测：训练前 {prediction_before:.4f}，30 步 Adam 之后 {after:.4f}")
say(f"largest change of any weight in training: {moved:.4f} (30 steps × lr 0.001 = 0.03)",
    f"训练中任何一个权重的最大变化：{moved:.4f}（30 步 × 学习率 0.001 = 0.03）")
say(f"Keras {KERAS.meta['keras']}, the fixed script with tf.keras.utils.set_random_seed(0), "
    f"printed: {KERAS_FIXED_RUN['printed']}",
    f"Keras {KERAS.meta['keras']} 运行修复后的脚本（tf.keras.utils.set_random_seed(0)），"
    f"打印出：{KERAS_FIXED_RUN['printed']}")
rise = prediction[0][0] > 0.5
calls_it = "a rise (> 0.5)" if rise else "a fall (≤ 0.5)"
final_accuracy_0 = history.history['accuracy'][-1]
say(f"final-epoch accuracy {final_accuracy_0:.4f}; the model calls the sentence "
    f"labelled 0 {calls_it}",
    f"最后一个轮次的准确率 {final_accuracy_0:.4f}；模型把标签为 0 的句子判为"
    + ("上涨（> 0.5）" if rise else "下跌（≤ 0.5）"))

# %% [markdown]
# ## 5. Twenty seeds, nanonet vs Keras
#
# We run the fixed script for seeds 0…19 (`--quick`: 5 seeds) and record the prediction for
# "这是一只股票会下跌", the last epoch's accuracy and loss, and how long `fit` takes. The
# fixture's generator did the same in Keras with `tf.keras.utils.set_random_seed(0…19)`. The
# two frameworks draw different random numbers, so seed k in nanonet is not seed k in Keras:
# compare the distributions, not the seeds. Each mean comes with its standard error, the
# spread $s$ over the $n$ seeds (sample standard deviation) divided by $\sqrt n$; for a
# difference of two means the two add in quadrature:
#
# $$
# \mathrm{SE} = \frac{s}{\sqrt n}, \qquad
# \mathrm{SE}_{a-b} = \sqrt{\mathrm{SE}_a^2 + \mathrm{SE}_b^2}
# $$
#
# A difference of means smaller than about 2 SE is one these seeds cannot tell from chance.

# %% [markdown] lang="zh"
# ## 5. 二十个种子，nanonet 对 Keras
#
# 我们用种子 0…19（`--quick` 时 5 个种子）运行修复后的脚本，记录对"这是一只股票会下跌"的预测、
# 最后一个轮次的准确率和损失，以及 `fit` 用了多长时间。夹具生成器在 Keras 里用
# `tf.keras.utils.set_random_seed(0…19)` 做了同样的事。两个框架抽取的随机数不同，所以 nanonet 的
# 种子 k 不等于 Keras 的种子 k：要比较的是分布，而不是逐个种子。每个均值都附带它的标准误差，即
# $n$ 个种子上的离散程度 $s$（样本标准差）除以 $\sqrt n$；两个均值之差的标准误差按平方和开方合成：
#
# $$
# \mathrm{SE} = \frac{s}{\sqrt n}, \qquad
# \mathrm{SE}_{a-b} = \sqrt{\mathrm{SE}_a^2 + \mathrm{SE}_b^2}
# $$
#
# 均值之差小于大约 2 SE 时，这些种子无法把它和偶然区分开。

# %%
keras_seeds = KERAS.data["seeds"]
keras_predictions = np.array([run["prediction"] for run in keras_seeds])
keras_final_accuracy = np.array([run["accuracy"][-1] for run in keras_seeds])
keras_final_loss = np.array([run["loss"][-1] for run in keras_seeds])


def mean_and_se(values):
    """The mean of `values` and its standard error (sample standard deviation / √n)."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


def seeds_summary(framework, predictions, accuracy, loss):
    """One framework's seeds in one line: the prediction's min/median/max and mean ± SE, how
    many are above 0.5, the final-epoch accuracy and loss."""
    mean, se = mean_and_se(predictions)
    same_accuracy = np.allclose(accuracy, accuracy[0])
    accuracy_text = (words(f"{accuracy[0]:.4f} for every seed", f"每个种子都是 {accuracy[0]:.4f}")
                     if same_accuracy else f"{accuracy.min():.4f}–{accuracy.max():.4f}")
    low, middle, high = predictions.min(), np.median(predictions), predictions.max()
    above, n = int(np.sum(predictions > 0.5)), len(predictions)
    return words(f"  {framework}, {n} seeds:  min {low:.4f}  median "
                 f"{middle:.4f}  max {high:.4f}  mean {mean:.4f} ± "
                 f"{se:.4f} (SE); {above}/{n} > 0.5; "
                 f"final-epoch accuracy {accuracy_text}; final-epoch loss "
                 f"{loss.min():.4f}–{loss.max():.4f}",
                 f"  {framework}，{n} 个种子：最小 {low:.4f}  中位数 {middle:.4f}  最大 "
                 f"{high:.4f}  均值 {mean:.4f} ± {se:.4f}（SE）；{above}/{n} > 0.5；"
                 f"最后一个轮次的准确率：{accuracy_text}；最后一个轮次的损失："
                 f"{loss.min():.4f}–{loss.max():.4f}")


def compare_means(quantity, quantity_zh, nanonet_values, keras_values):
    """nanonet's mean minus Keras's, with the standard error of the difference, and what that
    shows: a difference only if it is at least 2 SE (`quantity`, in Chinese `quantity_zh`,
    names what is compared)."""
    (ours, our_se), (theirs, their_se) = mean_and_se(nanonet_values), mean_and_se(keras_values)
    difference, se = ours - theirs, float(np.hypot(our_se, their_se))
    if abs(difference) < 2 * se:
        verdict = words(f"under 2 SE, so these seeds show no difference; one smaller than about "
                        f"{2 * se:.4f} could hide in them",
                        f"不到 2 SE，所以这些种子看不出差别；小于大约 {2 * se:.4f} 的差别可能藏在"
                        f"其中")
    else:
        verdict = words(f"nanonet's {quantity} is {'higher' if difference > 0 else 'lower'} "
                        f"than Keras's",
                        f"nanonet 的{quantity_zh}{'高于' if difference > 0 else '低于'} Keras 的")
    return words(f"{quantity}: nanonet − Keras = {difference:+.4f} ± {se:.4f} (SE), "
                 f"{abs(difference) / se:.1f} SE: {verdict}",
                 f"{quantity_zh}：nanonet − Keras = {difference:+.4f} ± {se:.4f}（SE），"
                 f"{abs(difference) / se:.1f} SE：{verdict}")


def above_one_half(framework, predictions):
    """How many runs call the 'fall' sentence a rise; if all, the one-sided 95% lower bound on
    that share (all n of n happen with probability ≥ 0.05 only if the share is ≥ 0.05^(1/n))."""
    above, n = int(np.sum(predictions > 0.5)), len(predictions)
    share = 0.05 ** (1 / n)
    bound = words(f" (95% lower bound on the share of seeds that do: {share:.2f})",
                  f"（这样做的种子所占比例的 95% 下界：{share:.2f}）") if above == n else ""
    return words(f"  {framework}: {above}/{n} runs call the 'fall' sentence a rise{bound}",
                 f"  {framework}：{above}/{n} 次运行把“下跌”的句子判为上涨{bound}")


section(f"5. The fixed script over {len(seeds)} seeds (nanonet seed=0…{seeds[-1]})",
        f"5. 修复后的脚本跑 {len(seeds)} 个种子（nanonet seed=0…{seeds[-1]}）")
runs = [run_article_script(seed) for seed in seeds]
final_predictions = np.array([float(run["new"][0]) for run in runs])
final_accuracy = np.array([run["history"]["accuracy"][-1] for run in runs])
final_loss = np.array([run["history"]["loss"][-1] for run in runs])
fit_seconds = np.array([run["fit_seconds"] for run in runs])
print("seed  prediction  final accuracy  final loss")
for seed, p, acc, loss in zip(seeds, final_predictions, final_accuracy, final_loss):
    print(f"{seed:4d}  {p:10.4f}  {acc:14.4f}  {loss:10.4f}")
say(f"\nprediction for '{new_text}' (its label is 0):", f"\n对“{new_text}”的预测（它的标签是 0）：")
print(seeds_summary("nanonet", final_predictions, final_accuracy, final_loss))
print(seeds_summary(f"Keras {KERAS.meta['keras']}", keras_predictions, keras_final_accuracy,
                    keras_final_loss))
print(compare_means("mean prediction", "平均预测值", final_predictions, keras_predictions))
print(compare_means("mean final-epoch loss", "最后一个轮次的平均损失", final_loss,
                    keras_final_loss))
print(above_one_half("nanonet", final_predictions))
print(above_one_half(f"Keras {KERAS.meta['keras']}", keras_predictions))

keras_seed0, keras_seed0_again = keras_seeds[0], KERAS.data["repeat_seed0"]
nanonet_seed0_loss = np.array(run_article_script(0)["history"]["loss"])
print("\nseed 0's epoch losses: nanonet", " ".join(f"{v:.4f}" for v in nanonet_seed0_loss))
print("                       Keras  ", " ".join(f"{v:.4f}" for v in keras_seed0["loss"]))
print("        Keras, seed 0 again   ", " ".join(f"{v:.4f}" for v in keras_seed0_again["loss"]))
between = float(np.max(np.abs(nanonet_seed0_loss - keras_seed0["loss"])))
keras_repeat = float(np.max(np.abs(np.subtract(keras_seed0["loss"], keras_seed0_again["loss"]))))
say(f"nanonet's seed 0 and Keras's differ by up to {between:.4f} in an epoch's loss: different "
    f"random streams, so seed k is not seed k.",
    f"nanonet 的种子 0 和 Keras 的种子 0 在单个轮次的损失上最多相差 {between:.4f}：随机数流不同，"
    f"所以种子 k 并不等于种子 k。")
say(f"Keras's seed 0 run twice differs from itself by up to {keras_repeat:.4f}"
    + (" (with dropout on, Keras on CPU does not repeat a run exactly)" if keras_repeat > 0
       else " (it repeated exactly)") + ".",
    f"Keras 的种子 0 跑两次，自身最多相差 {keras_repeat:.4f}"
    + ("（开着 dropout 时，Keras 在 CPU 上不能精确重复一次运行）" if keras_repeat > 0
       else "（完全重复）") + "。")

# %% [markdown]
# Why does a run end above 0.5, when it does? Of the 33,345 weights only one embedding row
# (64 numbers) belongs to each sentence; the pad row, the LSTM and the Dense layer are shared
# by all three. Two of the three labels are 1, so in 30 small steps the shared weights drift
# towards 1 and lift all three predictions together — the lines below count how often all
# three training sentences end above 0.5. (Accuracy 0.6667 is exactly what "say 1 to
# everything" scores on labels 1, 0, 1.)

# %% [markdown] lang="zh"
# 一次运行结束时预测值为什么会高于 0.5（当它确实高于 0.5 时）？在 33,345 个权重里，每个句子独占
# 的只有词嵌入表中的一行（64 个数）；填充行、LSTM 和 Dense 层由三个句子共享。三个标签里有两个是
# 1，所以在 30 个小步里，共享的权重向 1 漂移，把三个预测一起抬高——下面几行统计三个训练句子的
# 预测同时高于 0.5 的次数。（准确率 0.6667 正是"对什么都说 1"在标签 1、0、1 上的得分。）

# %%
def all_three_lifted(framework, train_predictions):
    """The median prediction per training sentence, and in how many runs all three are > 0.5."""
    train_predictions = np.asarray(train_predictions)
    medians = ", ".join(f"{v:.3f}" for v in np.median(train_predictions, axis=0))
    lifted = int(np.sum(np.all(train_predictions > 0.5, axis=1)))
    return words(f"  {framework}: median predictions for rise/fall/steady {medians}; all three "
                 f"> 0.5 in {lifted}/{len(train_predictions)} runs",
                 f"  {framework}：上涨/下跌/平稳三句的预测中位数 {medians}；三句同时 > 0.5 的"
                 f"运行：{lifted}/{len(train_predictions)}")


say("The three training sentences after the fixed script (labels 1 0 1):",
    "修复后的脚本跑完之后的三个训练句子（标签 1 0 1）：")
print(all_three_lifted("nanonet", [run["train"] for run in runs]))
print(all_three_lifted(f"Keras {KERAS.meta['keras']}",
                       [run["train_predictions"] for run in keras_seeds]))

# %% [markdown]
# ## Timing
#
# How the fixture's generator timed Keras: a *step* is one batch of one sample — forward pass,
# loss, gradients, Adam update; this `fit` is 3 samples × 10 epochs = 30 steps, timed around
# the call with `time.perf_counter()`, and each step from Keras's `on_train_batch_begin` to
# `on_train_batch_end` callbacks. The first step of every `fit` includes TensorFlow tracing the
# new model's training graph, so it is reported apart from the other 29. Keras's own progress
# bar ("… ms/step") leaves the first step of each epoch out of its figure. nanonet's `fit` is
# timed around the call too, on the machine running this lesson; it has no tracing step.

# %% [markdown] lang="zh"
# ## 计时
#
# 夹具生成器是这样给 Keras 计时的：一*步*就是一个只含一个样本的批次——前向传播、损失、梯度、
# Adam 更新；这次 `fit` 是 3 个样本 × 10 个轮次 = 30 步，整个调用用 `time.perf_counter()` 计时，
# 每一步则从 Keras 的 `on_train_batch_begin` 回调计到 `on_train_batch_end` 回调。每次 `fit` 的
# 第一步都包含 TensorFlow 为新模型追踪（tracing）训练图的时间，所以它和其余 29 步分开报告。
# Keras 自己的进度条（"… ms/step"）在计算时不包括每个轮次的第一步。nanonet 的 `fit` 同样对整个
# 调用计时，在运行本课的机器上测量；它没有追踪这一步。

# %%
STEPS_PER_FIT = 3 * 10                      # 3 samples, batch_size=1, 10 epochs


def load_words(load_average, usable_cpus):
    """A few words on how busy the machine was, from its 1-minute load average."""
    if load_average is None:
        return ""
    busy = words(": busier than its CPUs, so other processes competed for the cores and the "
                 "times are noisy", "：负载超过了 CPU 数，其他进程在争抢处理器核心，计时会有噪声") \
        if load_average > usable_cpus else ""
    return words(f", load average {load_average:.1f}{busy}", f"，平均负载 {load_average:.1f}{busy}")


def keras_timing_lines():
    """What the fixture recorded about Keras's fit and step times, and on what machine."""
    fits = np.array([run["fit_seconds"] for run in keras_seeds])
    steps = np.array([run["step_ms"] for run in keras_seeds])            # (seeds, 30) in ms
    first, later = steps[:, 0], steps[:, 1:]
    bar_ms = [int(v) for v in re.findall(r"(\d+)ms/step", " ".join(KERAS_FIXED_RUN["progress_lines"]))]
    meta = KERAS.meta
    fit_range = f"{np.median(fits):.2f} s ({fits.min():.2f}–{fits.max():.2f} s)"
    per_step = f"{np.median(fits) / STEPS_PER_FIT * 1e3:.0f} ms"
    first_range = (f"{np.median(first) / 1e3:.2f} s ({first.min() / 1e3:.2f}–"
                   f"{first.max() / 1e3:.2f} s)")
    later_range = (f"{np.median(later):.1f} ms", f"{np.percentile(later, 25):.1f}–"
                   f"{np.percentile(later, 75):.1f} ms")
    load = load_words(meta["load_average_before"][0], meta["usable_cpus"])
    return [words(f"Keras {meta['keras']}: fit median {fit_range} over {len(fits)} seeds = "
                  f"{per_step} per step on average over the {STEPS_PER_FIT} steps;",
                  f"Keras {meta['keras']}：{len(fits)} 个种子上 fit 的中位数 {fit_range} = "
                  f"{STEPS_PER_FIT} 步中平均每步 {per_step}；"),
            words(f"  its first step (tracing the graph) median {first_range}; the other "
                  f"{later.shape[1]} steps median {later_range[0]} (middle half "
                  f"{later_range[1]})",
                  f"  第一步（追踪计算图）中位数 {first_range}；其余 {later.shape[1]} 步中位数 "
                  f"{later_range[0]}（中间一半 {later_range[1]}）"),
            words(f"  Keras's progress bar (seed 0, verbose=1) printed {min(bar_ms)}–{max(bar_ms)} "
                  f"ms/step, without each epoch's first step",
                  f"  Keras 的进度条（种子 0，verbose=1）显示 {min(bar_ms)}–{max(bar_ms)} "
                  f"ms/step，不含每个轮次的第一步"),
            words(f"  measured on {meta['cpu']}, {meta['usable_cpus']} usable CPUs" + load,
                  f"  测量机器：{meta['cpu']}，{meta['usable_cpus']} 个可用 CPU" + load)]


section(f"Timing: model.fit of the §5 script ({STEPS_PER_FIT} steps)",
        f"计时：§5 脚本的 model.fit（{STEPS_PER_FIT} 步）")
for line in keras_timing_lines():
    print(line)
here = golden.this_machine()
nanonet_step_ms = np.median(fit_seconds) / STEPS_PER_FIT * 1e3
our_fits = (f"{np.median(fit_seconds):.3f} s ({fit_seconds.min():.3f}–"
            f"{fit_seconds.max():.3f} s)")
say(f"nanonet: fit median {our_fits} over {len(seeds)} seeds = {nanonet_step_ms:.1f} ms per step "
    f"on average (no tracing step)",
    f"nanonet：{len(seeds)} 个种子上 fit 的中位数 {our_fits} = 平均每步 {nanonet_step_ms:.1f} ms"
    f"（没有追踪这一步）")
our_load = load_words(here["load_average"] and here["load_average"][0], here["usable_cpus"])
say(f"  measured on {here['cpu']}, {here['usable_cpus']} usable CPUs" + our_load,
    f"  测量机器：{here['cpu']}，{here['usable_cpus']} 个可用 CPU" + our_load)
keras_later_ms = float(np.median([run["step_ms"][1:] for run in keras_seeds]))
same_cpu = here["cpu"] == KERAS.meta["cpu"]
step_ratio = keras_later_ms / nanonet_step_ms
fit_ratio = np.median([run['fit_seconds'] for run in keras_seeds]) / np.median(fit_seconds)
say(f"Keras's median step after the first / nanonet's average step = "
    f"{step_ratio:.1f}; Keras's median fit / nanonet's = {fit_ratio:.0f} "
    + ("(the same CPU model, at different times and loads: compare orders of magnitude only)"
       if same_cpu else "(different machines: compare orders of magnitude only)"),
    f"Keras 第一步之后的步时中位数 / nanonet 的平均步时 = {step_ratio:.1f}；"
    f"Keras 的 fit 中位数 / nanonet 的 = {fit_ratio:.0f} "
    + ("（同一型号的 CPU，但时间和负载不同：只比较数量级）"
       if same_cpu else "（不同的机器：只比较数量级）"))

# %% [markdown]
# ## 6. Making it learn
#
# What stops the model from learning the three sentences? Try one change at a time (seed
# as above; the table shows the predictions for the three training sentences, labels 1 0 1):

# %% [markdown] lang="zh"
# ## 6. 让它学起来
#
# 是什么阻止了模型学会这三个句子？一次只改一处（种子同上；表中是三个训练句子的预测值，标签为
# 1 0 1）：

# %%
def separates(predictions) -> bool:
    """True if every training sentence's prediction is on its label's side of 0.5."""
    return bool(np.all((np.asarray(predictions) > 0.5) == (np.array(labels) == 1)))


section("6. One change at a time: the three training sentences' predictions (labels 1 0 1)",
        "6. 一次只改一处：三个训练句子的预测值（标签 1 0 1）")
VARIANTS_ZH = {"as printed (fixed)": "原样（已修复）", "50 epochs": "50 个轮次",
               "50 epochs, no dropout": "50 个轮次，不用 dropout", "char_level=True": "char_level=True",
               "char_level=True, 50 epochs, no dropout": "char_level=True，50 个轮次，不用 dropout"}
variants = [("as printed (fixed)", False, 10, 0.2), ("50 epochs", False, 50, 0.2),
            ("50 epochs, no dropout", False, 50, 0.0), ("char_level=True", True, 10, 0.2),
            ("char_level=True, 50 epochs, no dropout", True, 50, 0.0)]
variant_runs = {name: run_article_script(options.seed, char_level, n_epochs, dropout)
                for name, char_level, n_epochs, dropout in variants}
print(f"{'variant':42s} {'rise (1)':>10s} {'fall (0)':>10s} {'steady (1)':>10s}   final loss")
for name, result in variant_runs.items():
    p = result["train"]
    print(f"{name:42s} {p[0]:10.4f} {p[1]:10.4f} {p[2]:10.4f}   "
          f"{result['history']['loss'][-1]:.4f}")
separated = {name: separates(result["train"]) for name, result in variant_runs.items()}
say("separates the three sentences (each on its label's side of 0.5): "
    + "; ".join(f"{name} {'yes' if ok else 'no'}" for name, ok in separated.items()),
    "能否把三个句子分开（每个预测都落在其标签那一侧的 0.5）："
    + "；".join(f"{VARIANTS_ZH[name]} {'能' if ok else '不能'}" for name, ok in separated.items()))
if (not separated["as printed (fixed)"] and separated["50 epochs"]
        and not separated["char_level=True"]):
    say("→ The number of steps is what stops it: 30 Adam steps at lr 0.001 are too few. With 50\n"
        "  epochs (150 steps) even the one-token-per-sentence model separates the three\n"
        "  sentences — it learns a lookup table of three ids. char_level alone, at 10 epochs,\n"
        "  does not.",
        "→ 挡住它的是步数：学习率 0.001 下的 30 步 Adam 太少了。训练 50 个轮次（150 步）时，\n"
        "  连每句只有一个词元的模型也能把三个句子分开——它学到的是一张三个 id 的查找表。\n"
        "  只用 char_level、仍然 10 个轮次，则做不到。")
else:
    say(f"→ With seed {options.seed} the steps alone do not tell the story: see the yes/no above.",
        f"→ 用种子 {options.seed} 时，光看步数说明不了问题：见上面的能/不能。")
with_dropout = variant_runs["50 epochs"]["history"]["loss"][-1]
without_dropout = variant_runs["50 epochs, no dropout"]["history"]["loss"][-1]
slows = with_dropout > without_dropout
say(f"  Dropout {'slows' if slows else 'does not slow'} the fit of "
    f"three samples: final loss after 50 epochs {with_dropout:.4f} with it, "
    f"{without_dropout:.4f} without.",
    f"  Dropout {'会' if slows else '不会'}拖慢对三个样本的拟合：50 个轮次后的最终损失，"
    f"用 dropout 为 {with_dropout:.4f}，不用为 {without_dropout:.4f}。")

# %% [markdown]
# So more epochs make it fit; then why char_level? For any NEW sentence. In word mode a
# sentence the Tokenizer has not seen becomes an empty sequence — ten pads — and gets the
# same prediction whatever it says. With `char_level=True` each character is a token
# (15 of them), the sentences share their first seven tokens and differ in the last two to
# four, so a new sentence made of known characters becomes a real sequence. (The third
# sentence has 11 characters; `maxlen=10` with `truncating='pre'` drops its first, 这 —
# harmless here.)
#
# The model: the article's, with `char_level=True`, 50 epochs and no dropout.

# %% [markdown] lang="zh"
# 既然多训练几个轮次就能拟合，为什么还要 char_level？为了任何一个**新**句子。在按词模式下，
# Tokenizer 没见过的句子会变成一个空序列——十个填充值——无论它说什么，得到的预测都一样。用
# `char_level=True` 时，每个字就是一个词元（共 15 个），这几个句子的前七个词元相同，只在最后
# 两到四个上不同，所以由已知的字组成的新句子会变成一条真正的序列。（第三个句子有 11 个字；
# `maxlen=10` 配合 `truncating='pre'` 会去掉它的第一个字"这"——在这里无伤大雅。）
#
# 模型：文章的模型，加上 `char_level=True`、50 个轮次、不用 dropout。

# %%
section("The char-level model: Tokenizer(char_level=True), 50 epochs, no dropout",
        "按字的模型：Tokenizer(char_level=True)，50 个轮次，不用 dropout")
char_runs = [run_article_script(seed, True, 50, 0.0) for seed in seeds]
char_model = run_article_script(options.seed, True, 50, 0.0)
char_tokenizer = char_model["tokenizer"]
print("word_index =", char_tokenizer.word_index)
print(words("padded sequences:\n", "填充后的序列：\n"), char_model["padded"])
say(f"\nseed {options.seed}, per sentence:", f"\n种子 {options.seed}，逐句：")
MEANING = ["will rise", "will fall", "will hold steady"]
for sentence, meaning, label, p in zip(texts, MEANING, labels, char_model["train"]):
    say(f"  {sentence:12s} ({meaning:16s}) label {label}  prediction {p:.4f}",
        f"  {sentence:12s} 标签 {label}  预测 {p:.4f}")
train_predictions = np.array([run["train"] for run in char_runs])
worst = float(np.max(np.abs(train_predictions - np.array(labels))))
ranges = ", ".join(f"{lo:.3f}–{hi:.3f}" for lo, hi in zip(train_predictions.min(0),
                                                         train_predictions.max(0)))
say(f"over {len(seeds)} seeds: predictions for the three training sentences, min–max: "
    f"{ranges}; largest |prediction − label| {worst:.3f}",
    f"{len(seeds)} 个种子上，三个训练句子的预测值（最小–最大）：{ranges}；"
    f"最大的 |预测 − 标签| 为 {worst:.3f}")

section("Held-out sentences: there is nothing to generalise from", "留出的句子：没有可以泛化的东西")
held_predictions = np.array([run["new"][1:] for run in char_runs])
for k, (sentence, meaning) in enumerate(zip(HELD_OUT, HELD_OUT_MEANING)):
    ids = char_tokenizer.texts_to_sequences([sentence])[0]
    held = (f"{char_model['new'][1 + k]:.4f}", f"{held_predictions[:, k].min():.3f}–"
            f"{held_predictions[:, k].max():.3f}")
    say(f"  {sentence:12s} ({meaning:20s}) → ids {ids}  prediction {held[0]} (seeds: {held[1]})",
        f"  {sentence:12s} → ids {ids}  预测 {held[0]}（各种子：{held[1]}）")
say("Unknown characters (暴, 不, 大) are dropped, so '会暴跌' reads as '会跌' and '不会下跌'\n"
    "('will NOT fall') is exactly the training sentence '会下跌' — it gets the 'fall' score.\n"
    "Three sentences that differ only in their last characters teach the model which\n"
    "characters came last in which sentence, nothing about stocks, negation or Chinese. Any\n"
    "rule that fits three examples fits them; the held-out answers are arbitrary.",
    "没见过的字（暴、不、大）被丢掉，所以“会暴跌”读成“会跌”，“不会下跌”读起来恰好就是\n"
    "训练句子里的“会下跌”——它得到的是“下跌”的分数。三个只在最后几个字上不同的句子，教给模型的只是\n"
    "哪个字出现在哪个句子的末尾，关于股票、否定或中文，它什么也没学到。任何能拟合三个例子的\n"
    "规则都能拟合它们；对留出句子的回答是任意的。")


# %% [markdown]
# ## Figures

# %% [markdown] lang="zh"
# ## 图

# %%
def draw_seeds(axes, x, values, colour, label, jitter_seed):
    """One framework's predictions over seeds, drawn the same way for both: every seed (dots),
    the middle half (box) and the mean ± 2 standard errors (bar)."""
    jitter = np.random.default_rng(jitter_seed).uniform(-0.07, 0.07, len(values))
    axes.boxplot([values], positions=[x], widths=0.3, showfliers=False, whis=0, showcaps=False,
                 patch_artist=True, zorder=2, boxprops={"facecolor": colour, "alpha": 0.25},
                 medianprops={"color": colour})
    caption = figure_text.label
    axes.scatter(x + jitter, values, s=12, color=colour, alpha=0.8, zorder=3,
                 label=caption(f"{label}: each of {len(values)} seeds",
                               f"{label}：{len(values)} 个种子各一点"))
    mean, se = mean_and_se(values)
    axes.errorbar([x + 0.25], [mean], yerr=[2 * se], fmt="D", color=colour, ms=6, capsize=4,
                  markeredgecolor="black", zorder=4,
                  label=caption(f"{label}: mean ± 2 SE", f"{label}：均值 ± 2 SE"))


def distribution_figure():
    """The final prediction over seeds, nanonet beside Keras (from the fixture): each seed, the
    middle half, the mean ± 2 SE. Left: on [0, 1], with the article's printed 0.0; right:
    zoomed in."""
    plt = plotting.pyplot()
    caption = figure_text.label
    figure, (whole, zoom) = plt.subplots(1, 2, figsize=(10, 3.9),
                                         gridspec_kw={"width_ratios": [1, 2]})
    keras_label = f"Keras {KERAS.meta['keras']}"
    for axes in (whole, zoom):
        draw_seeds(axes, 1, final_predictions, "tab:blue", "nanonet", 0)
        draw_seeds(axes, 2, keras_predictions, "tab:red", keras_label, 1)
        axes.axhline(0.5, color="grey", ls="--", lw=1,
                     label=caption("0.5: above it, 'rise'", "0.5：高于它即“上涨”"))
        axes.set(xticks=[1.1, 2.1], xticklabels=["nanonet", keras_label], xlim=(0.6, 2.5))
        axes.grid(alpha=0.3, axis="y")
    whole.axhline(0.0, color="black", lw=0.8)
    whole.annotate(caption("the article\nprints 0.0", "文章\n印的是 0.0"), (1.55, 0.0),
                   xytext=(1.55, 0.25), ha="center", fontsize=8, arrowprops={"arrowstyle": "->"})
    whole.set(ylim=(-0.05, 1.0),
              ylabel=caption("prediction for sentence 2 (label 0)", "对句子 2（标签 0）的预测"),
              title=caption("on the whole scale", "完整刻度"))
    everything = np.concatenate([final_predictions, keras_predictions, [0.5]])
    margin = 0.15 * (everything.max() - everything.min())
    zoom.set(ylim=(everything.min() - margin, everything.max() + margin),
             ylabel=caption("prediction", "预测值"), title=caption("zoomed in", "放大"))
    zoom.fill_between([], [], color="grey", alpha=0.3,    # the boxes' entry
                      label=caption("box: the middle half of the seeds, line: median",
                                    "方框：中间一半的种子，线：中位数"))
    plotting.legend_outside(zoom)
    figure.suptitle(caption("The §5 script, fixed: the final prediction over seeds",
                            "修复后的 §5 脚本：各种子的最终预测"))
    figure.tight_layout()
    return figure


def per_sentence_figure():
    """Predictions per sentence: the §5 script (seed 0) vs the char-level model."""
    plt = plotting.pyplot()
    caption = figure_text.label
    # the article's sentences themselves where Chinese can be drawn (label falls back to the
    # English meanings, with a note, where no Chinese font is installed)
    names = [caption("'will rise'\n(label 1)", "这是一只股票\n会上涨\n（标签 1）"),
             caption("'will fall'\n(label 0)", "这是一只股票\n会下跌\n（标签 0）"),
             caption("'will hold steady'\n(label 1)", "这是一只股票\n会保持平稳\n（标签 1）"),
             caption("held out:\n'will plunge'", "留出：\n这是一只股票\n会暴跌"),
             caption("held out:\n'will NOT fall'", "留出：\n这是一只股票\n不会下跌"),
             caption("held out:\n'will soar'", "留出：\n这是一只股票\n会大涨"),
             caption("held out:\n'this stock\nwill rise'", "留出：\n这只股票\n会上涨")]
    article = run_article_script(options.seed)
    values = {caption("§5 script, fixed (10 epochs)", "修复后的 §5 脚本（10 个轮次）"):
              np.concatenate([article["train"], article["new"][1:]]),
              caption("char_level, 50 epochs, no dropout", "char_level，50 个轮次，不用 dropout"):
              np.concatenate([char_model["train"], char_model["new"][1:]])}
    figure, axes = plt.subplots(figsize=(10, 3.8))
    positions = np.arange(len(names))
    for k, (label, v) in enumerate(values.items()):
        axes.bar(positions + (k - 0.5) * 0.38, v, width=0.38, label=label)
    axes.scatter(positions[:3], labels, marker="_", s=600, color="black", zorder=3,
                 label=caption("label", "标签"))
    axes.axhline(0.5, color="grey", ls="--", lw=1)
    axes.axvline(2.5, color="black", lw=0.8)
    axes.set(xticks=positions, ylim=(0, 1.05), ylabel=caption("prediction", "预测值"),
             title=caption(plotting.wrapped(f"Per-sentence predictions (seed {options.seed}); "
                                            f"in word mode every unseen sentence is ten pads, so "
                                            f"all four held-out blue bars are equal", 90),
                           f"逐句预测（种子 {options.seed}）；按词模式下每个没见过的句子都是十个"
                           f"填充值，\n所以四根留出句子的蓝色柱子一样高"))
    axes.set_xticklabels(names, fontsize=8)
    plotting.legend_outside(axes)
    return figure


if lesson.figures_available():
    lesson.save_figure(distribution_figure(), options, "06_prediction_distribution.png")
    caption = figure_text.label
    lesson.save_figure(plotting.loss_curves(
        {caption("char-level loss", "按字模型的损失"): char_model["history"]["loss"],
         caption("char-level accuracy", "按字模型的准确率"): char_model["history"]["accuracy"],
         caption("§5 script loss (10 epochs)", "§5 脚本的损失（10 个轮次）"):
         run_article_script(options.seed)["history"]["loss"]},
        title=caption("Lesson 06: training the char-level model (50 epochs, 3 sentences)",
                      "第 06 课：训练按字的模型（50 个轮次，3 个句子）"),
        xlabel=caption("epoch", "轮次"), ylabel=caption("loss / accuracy", "损失 / 准确率")),
        options, "06_char_level_training.png")
    lesson.save_figure(per_sentence_figure(), options, "06_per_sentence_predictions.png")

seconds = time.perf_counter() - started
say(f"\nlesson 06 ran in {seconds:.1f} s", f"\n第 06 课运行用时 {seconds:.1f} 秒")
