# %% [markdown]
# # Lesson 02 — checking the article's gradients
#
# §4.2 of the article prints the loss $J$ and two gradients, $\partial J/\partial W_1$ and
# $\partial J/\partial W_2$. Here we derive the true gradients one chain-rule step at a time,
# checking every step numerically; then we test the printed formulas the same way, look at
# their error maps, read what the checker's hints say, and end with the corrected equations.
#
# The article's notation: a sample $x$ is a column $(D,)$, $W_1$ is $(H, D)$, $b_1$ $(H,)$,
# $W_2$ $(1, H)$, $b_2$ $(1,)$; the network of §4.1,
# $\hat y = \sigma(W_2\,\sigma(W_1 x + b_1) + b_2)$, is, step by step,
#
# $$z_1 = W_1 x + b_1, \quad a_1 = \sigma(z_1), \quad z_2 = W_2 a_1 + b_2, \quad \hat y = \sigma(z_2).$$
#
# The loss, as §4.2 typesets it, is
#
# $$J = -\frac{1}{m} \sum_{i=1}^{m} y_i \log(\hat{y}_i) + (1 - y_i) \log(1 - \hat{y}_i)$$
#
# Read literally, the sum and the $-\frac{1}{m}$ cover the first term only — that is not a
# loss (the verdict table at the end checks both readings). Meant is the binary
# cross-entropy, with brackets:
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big]$$
#
# Run: `python -m nanonet lesson 02` (options: `--out DIR`, `--quick`).

# %% [markdown] lang="zh"
# # 第 02 课 — 检验文章里的梯度
#
# 文章 §4.2 印出了损失函数 $J$ 和两个梯度 $\partial J/\partial W_1$、$\partial J/\partial W_2$。
# 本课先用链式法则一步一步推出真正的梯度，每一步都用数值方法检验；再用同样的方法检验文章印出的
# 公式，看它们的误差图，读梯度检验给出的提示，最后写出改正后的公式。
#
# 文章的记号：一个样本 $x$ 是列向量 $(D,)$，$W_1$ 是 $(H, D)$，$b_1$ 是 $(H,)$，$W_2$ 是
# $(1, H)$，$b_2$ 是 $(1,)$。§4.1 的网络 $\hat y = \sigma(W_2\,\sigma(W_1 x + b_1) + b_2)$
# 拆开来一步一步写就是
#
# $$z_1 = W_1 x + b_1, \quad a_1 = \sigma(z_1), \quad z_2 = W_2 a_1 + b_2, \quad \hat y = \sigma(z_2).$$
#
# §4.2 排印出来的损失函数是
#
# $$J = -\frac{1}{m} \sum_{i=1}^{m} y_i \log(\hat{y}_i) + (1 - y_i) \log(1 - \hat{y}_i)$$
#
# 照字面读，求和号和 $-\frac{1}{m}$ 只管第一项——那就不是一个损失函数了（最后的结论表把两种读法
# 都检验了）。文章想写的是带方括号的二分类交叉熵：
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big]$$
#
# 运行：`python -m nanonet lesson 02`（选项：`--out DIR`、`--quick`）。

# %%
"""Lesson 02 — checking the article's gradients: which printed formulas hold, which don't, and why."""
import re

import numpy as np

from nanonet import gradcheck, lesson, ops, paper, plotting
from nanonet.lesson import section, words
from nanonet.teaching.figure_text import label


def derive_step_by_step(problem):
    """Each chain-rule factor of the derivation, checked against a numerical derivative."""
    X, y = problem.X, problem.y
    W1, b1, W2, b2 = problem.params
    m = len(X)
    y_hat, values = paper.forward(X, W1, b1, W2, b2)
    z2 = values["z2"]

    section("Step 1-2: the output layer — σ'(z2) cancels against the cross-entropy",
            "第 1-2 步：输出层——σ'(z2) 与交叉熵相互抵消")
    # J as a function of z2 alone (the output pre-activations of the m samples)
    def J_of_z2(z2):
        return paper.loss_as_intended(y, ops.sigmoid(z2))

    dJ_dyhat = -(y / y_hat - (1 - y) / (1 - y_hat)) / m            # step 1
    dyhat_dz2 = y_hat * (1 - y_hat)                                  # step 2: σ'(z2)
    print("∂J/∂ŷ · σ'(z2)  =", np.round(dJ_dyhat * dyhat_dz2, 6))
    print("(ŷ − y)/m       =", np.round((y_hat - y) / m, 6),
          words(" ← the same: σ'(z2) is gone", " ← 完全一样：σ'(z2) 消掉了"))
    print(gradcheck.check_formula(J_of_z2, lambda z2: (ops.sigmoid(z2) - y) / m, z2,
                                  names=["z2"]))

    section("Step 3: ∂J/∂W2 — the vector that multiplies δ2 is a1, the layer's INPUT",
            "第 3 步：∂J/∂W2——与 δ2 相乘的向量是 a1，也就是这一层的输入")
    delta2 = (y_hat - y) / m
    print("∂J/∂W2 = Σ_i δ2_i a1_iᵀ =", np.round(delta2 @ values["a1"], 6))

    section("Step 4-6: into the hidden layer — the W2ᵀ factor, then an outer product with x",
            "第 4-6 步：进入隐藏层——先乘上 W2ᵀ，再与 x 做外积")
    delta1 = (delta2[:, None] @ W2) * (values["a1"] * (1 - values["a1"]))
    print(words("δ1 = (W2ᵀ δ2) ⊙ σ'(z1), one row per sample:\n",
                "δ1 = (W2ᵀ δ2) ⊙ σ'(z1)，每个样本一行：\n"), np.round(delta1, 5))
    print(words("∂J/∂W1 = Σ_i δ1_i x_iᵀ  →  an H×D matrix, like W1:",
                "∂J/∂W1 = Σ_i δ1_i x_iᵀ  →  和 W1 一样是 H×D 矩阵："), (delta1.T @ X).shape)
    true_W1 = lambda p, *w: paper.true_gradients(p.X, p.y, *w)["W1"]   # noqa: E731
    print(paper.check_gradient(problem, "W1", true_W1,
                               title=words("true ∂J/∂W1", "真正的 ∂J/∂W1")))


def check_printed(problem, options):
    """The printed formulas through the same checker: verdicts, hints and error maps."""
    section("The printed ∂J/∂W1 = (1/m) Σ (ŷ − y) · σ'(z1) · x   (read as σ'(z1) xᵀ)",
            "文章印出的 ∂J/∂W1 = (1/m) Σ (ŷ − y) · σ'(z1) · x   （按 σ'(z1) xᵀ 来读）")
    printed_W1 = lambda p, *w: paper.printed_dJ_dW1(p.X, p.y, *w)     # noqa: E731
    titles_W1 = ("printed ∂J/∂W1", "文章印出的 ∂J/∂W1")
    report_W1 = paper.check_gradient(problem, "W1", printed_W1, title=words(*titles_W1))
    print(report_W1)
    row = report_W1["W1"]
    ratio = row.analytic / row.numeric                       # printed ÷ true, (H, D)
    rows, spread = np.round(ratio.mean(axis=1), 4), np.ptp(ratio, axis=1).max()
    inverse = np.round(1 / problem.params[2][0], 4)
    lesson.say("→ It forgets W2ᵀ: each hidden unit's error must be weighted by its outgoing "
               "weight.\n  So printed/true is 1/W2[h] along every row h — what the hint points "
               f"at:\n  printed/true, row by row: {rows} (largest spread within a row "
               f"{spread:.1e})\n  1/W2[h]:                  {inverse}",
               "→ 它漏掉了 W2ᵀ：每个隐藏单元的误差都必须乘上它通往输出的权重。\n"
               "  所以在每一行 h 上，印出值/真值都等于 1/W2[h]——这正是提示所指的：\n"
               f"  印出值/真值，逐行：{rows}（行内最大差异 {spread:.1e}）\n"
               f"  1/W2[h]：          {inverse}")
    ones = paper.make_problem(w2=1.0)
    passed = paper.check_gradient(ones, 'W1', printed_W1).passed
    lesson.say(f"  With W2 = 1 it is right: passed = {passed}",
               f"  W2 = 1 时它是对的：passed = {passed}")

    section("The printed ∂J/∂W2 = (1/m) Σ (ŷ − y) · σ'(z2) · ŷ",
            "文章印出的 ∂J/∂W2 = (1/m) Σ (ŷ − y) · σ'(z2) · ŷ")
    literal = lambda p, *w: paper.printed_dJ_dW2(p.X, p.y, *w)        # noqa: E731
    print(paper.check_gradient(problem, "W2", literal, title=words(
        "printed ∂J/∂W2, literally", "文章印出的 ∂J/∂W2，照字面")))
    as_a1 = lambda p, *w: paper.printed_dJ_dW2(p.X, p.y, *w,            # noqa: E731
                                               reading="hidden_activation")
    titles_W2 = ("printed ∂J/∂W2, ŷ read as a1", "文章印出的 ∂J/∂W2，把 ŷ 读作 a1")
    report_W2 = paper.check_gradient(problem, "W2", as_a1, title=words(*titles_W2))
    print(report_W2)
    lesson.say("→ Two mistakes. Literally, ·ŷ makes one number where W2 has H weights; the input "
               "of\n  the layer, a1 = σ(z1), is what multiplies. Even read as a1, the σ'(z2) "
               "factor is\n  extra: it cancelled in step 2. With it, this is the gradient of the "
               "squared error:",
               "→ 有两处错。照字面读，·ŷ 只得到一个数，而 W2 有 H 个权重；该乘的是这一层的输入\n"
               "  a1 = σ(z1)。即使把 ŷ 读作 a1，σ'(z2) 这个因子也是多余的：它在第 2 步已经消掉了。\n"
               "  带着它，这其实是平方误差的梯度：")
    squared = paper.check_gradient(problem, "W2", as_a1, loss=paper.squared_error)
    lesson.say(f"  against ½(ŷ − y)²: passed = {squared.passed}",
               f"  对 ½(ŷ − y)² 检验：passed = {squared.passed}")

    if lesson.figures_available():
        # W1 is (H, D): a row per hidden unit, a column per input; W2 is (1, H): one row
        unit, entry = label("hidden unit h", "隐藏单元 h"), label("input d", "输入 d")
        axis_names = {"W1": (unit, entry), "W2": ("", unit)}
        for report, titles, name in (
                (report_W1, titles_W1, "02_error_map_printed_dJ_dW1.png"),
                (report_W2, titles_W2, "02_error_map_printed_dJ_dW2.png")):
            figure = plotting.error_maps(report, axis_names=axis_names, show_ratio=True,
                                         title=label(*titles))
            lesson.save_figure(relabelled(figure, ERROR_MAP_TEXT), options, name)


#: the English text plotting.error_maps and plotting.epsilon_sweep_figure draw, as regular
#: expressions, and its Chinese (figure_text.label draws it where a Chinese font is present)
ERROR_MAP_TEXT = ((r"formula ÷ numerical", "公式 ÷ 数值梯度"), (r"the formula", "公式"),
                  (r"numerical", "数值梯度"), (r"log10 rel\. error", "log10 相对误差"),
                  (r"\(passed\)", "（通过）"), (r"\(FAILED\)", "（未通过）"))
SWEEP_TEXT = ((r"^step ε$", "步长 ε"), (r"^max relative error$", "最大相对误差"),
              (r"^Central differences: truncation \(right\) vs round-off \(left\)$",
               "中心差分：截断误差（右）与舍入误差（左）"),
              (r"^best for (\w+): ", r"\1 的最佳步长："))


def relabelled(figure, translations):
    """`figure` with each axes title, axis label and legend entry in the lesson's language: every
    match of an English pattern of `translations` ((pattern, Chinese) pairs) replaced by
    ``label(match, Chinese)``. For figures whose text nanonet.plotting writes in English."""
    texts = []
    for axis in figure.axes:
        texts += [axis.title, axis.xaxis.label, axis.yaxis.label]
        if axis.get_legend() is not None:
            texts += axis.get_legend().get_texts()
    for text in texts:
        content = text.get_text()
        for pattern, chinese in translations:
            content = re.sub(pattern, lambda match: label(match.group(0), match.expand(chinese)),
                             content)
        text.set_text(content)
    return figure


def epsilon(options):
    section("Why the checks run in float64 with ε ≈ 1e-6",
            "为什么梯度检验用 float64、取 ε ≈ 1e-6")
    sweep = gradcheck.epsilon_sweep(eps_values=np.logspace(-12, -1, 12 if options.quick else 23))
    print(sweep)
    if lesson.figures_available():
        lesson.save_figure(relabelled(sweep.plot(), SWEEP_TEXT), options, "02_epsilon_sweep.png")


#: the verdicts of paper.verify in Chinese, and the conditions under which a formula holds
VERDICTS_ZH = {"holds": "成立", "wrong": "错误"}
CONDITIONS_ZH = {
    "W2 = 1 (every hidden-to-output weight is one)": "W2 = 1（隐藏层到输出层的权重全为 1）",
    "J is the squared error ½(ŷ − y)², not the cross-entropy of §4.2":
        "J 是平方误差 ½(ŷ − y)²，而不是 §4.2 的交叉熵"}


def verdict_in_chinese(verdict: str) -> str:
    """A verdict of paper.verify ("holds", "wrong", "holds only if …") in Chinese (a condition
    this lesson has no Chinese for stays in English)."""
    if verdict.startswith("holds only if "):
        condition = verdict[len("holds only if "):]
        return f"仅当 {CONDITIONS_ZH.get(condition, condition)}时成立"
    return VERDICTS_ZH.get(verdict, verdict)


def corrected():
    section("The verdicts, computed now (python -m nanonet verify-formulas)",
            "现算出的结论（python -m nanonet verify-formulas）")
    for verdict in paper.verify():
        if not verdict.id.startswith("true/"):
            text = words(verdict.verdict, verdict_in_chinese(verdict.verdict))
            print(f"  {verdict.id:32s} {text}")
    section("The corrected equations", "改正后的公式")
    print("""  J      = −(1/m) Σ_i [y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)]
  ∂J/∂W2 = (1/m) Σ_i (ŷ_i − y_i) a1_iᵀ                       a1 = σ(z1^i)
  ∂J/∂b2 = (1/m) Σ_i (ŷ_i − y_i)
  ∂J/∂W1 = (1/m) Σ_i [(W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)] x_iᵀ
  ∂J/∂b1 = (1/m) Σ_i (W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)""")


# %% [markdown]
# ## The derivation, one chain-rule step at a time
# A small problem: $m = 4$ samples, $D = 3$ inputs, $H = 5$ hidden units, sigmoid hidden layer.
#
# Steps 1–2, the output layer: $\sigma'(z_2) = \hat y (1 - \hat y)$ cancels against the
# derivative of the log, leaving the error $\delta_2^i$ of sample $i$:
#
# $$\delta_2^i = \frac{\partial J}{\partial z_2^i} = -\frac{1}{m}\Big(\frac{y_i}{\hat y_i} - \frac{1 - y_i}{1 - \hat y_i}\Big)\,\hat y_i (1 - \hat y_i) = \frac{\hat y_i - y_i}{m}$$
#
# Step 3: $z_2 = W_2 a_1 + b_2$, so what multiplies $\delta_2$ is the layer's input $a_1$:
#
# $$\frac{\partial J}{\partial W_2} = \sum_{i=1}^{m} \delta_2^i\, a_1^{i\top}$$
#
# Steps 4–6, the hidden layer: the error goes back through $W_2^\top$, through $\sigma'(z_1)$,
# and meets the input $x$ in an outer product:
#
# $$\delta_1^i = (W_2^\top \delta_2^i) \odot \sigma'(z_1^i), \qquad \frac{\partial J}{\partial W_1} = \sum_{i=1}^{m} \delta_1^i\, x_i^\top$$

# %% [markdown] lang="zh"
# ## 推导：链式法则，一次一步
# 一个小问题：$m = 4$ 个样本，$D = 3$ 个输入，$H = 5$ 个隐藏单元，隐藏层用 sigmoid。
#
# 第 1–2 步，输出层：$\sigma'(z_2) = \hat y (1 - \hat y)$ 与对数的导数相互抵消，剩下第 $i$ 个样本的
# 误差 $\delta_2^i$：
#
# $$\delta_2^i = \frac{\partial J}{\partial z_2^i} = -\frac{1}{m}\Big(\frac{y_i}{\hat y_i} - \frac{1 - y_i}{1 - \hat y_i}\Big)\,\hat y_i (1 - \hat y_i) = \frac{\hat y_i - y_i}{m}$$
#
# 第 3 步：$z_2 = W_2 a_1 + b_2$，所以与 $\delta_2$ 相乘的是这一层的输入 $a_1$：
#
# $$\frac{\partial J}{\partial W_2} = \sum_{i=1}^{m} \delta_2^i\, a_1^{i\top}$$
#
# 第 4–6 步，隐藏层：误差先经过 $W_2^\top$ 传回，再乘上 $\sigma'(z_1)$，最后与输入 $x$ 做外积：
#
# $$\delta_1^i = (W_2^\top \delta_2^i) \odot \sigma'(z_1^i), \qquad \frac{\partial J}{\partial W_1} = \sum_{i=1}^{m} \delta_1^i\, x_i^\top$$

# %%
options = lesson.options("02")
problem = paper.make_problem(m=4, d=3, h=5, seed=options.seed)
derive_step_by_step(problem)

# %% [markdown]
# ## The printed formulas, through the same checker
#
# §4.2 prints
#
# $$\frac{\partial J}{\partial W_1} = \frac{1}{m} \sum_{i=1}^{m} (\hat{y}_i - y_i) \cdot \sigma'(z_1^i) \cdot x_i$$
#
# $$\frac{\partial J}{\partial W_2} = \frac{1}{m} \sum_{i=1}^{m} (\hat{y}_i - y_i) \cdot \sigma'(z_2^i) \cdot \hat{y}_i$$
#
# with $z_1^i = W_1 x_i + b_1$ and $z_2^i = W_2\,\sigma(z_1^i) + b_2$. For $\partial J/\partial W_1$
# to be an $H \times D$ matrix like $W_1$, $\sigma'(z_1^i) \cdot x_i$ must be the outer product
# $\sigma'(z_1^i)\, x_i^\top$; that is how we read it. Compare both with the derivation above.

# %% [markdown] lang="zh"
# ## 文章印出的公式，用同一个检验器检验
#
# §4.2 印出的是
#
# $$\frac{\partial J}{\partial W_1} = \frac{1}{m} \sum_{i=1}^{m} (\hat{y}_i - y_i) \cdot \sigma'(z_1^i) \cdot x_i$$
#
# $$\frac{\partial J}{\partial W_2} = \frac{1}{m} \sum_{i=1}^{m} (\hat{y}_i - y_i) \cdot \sigma'(z_2^i) \cdot \hat{y}_i$$
#
# 其中 $z_1^i = W_1 x_i + b_1$，$z_2^i = W_2\,\sigma(z_1^i) + b_2$。要让 $\partial J/\partial W_1$ 和
# $W_1$ 一样是 $H \times D$ 矩阵，$\sigma'(z_1^i) \cdot x_i$ 只能是外积 $\sigma'(z_1^i)\, x_i^\top$，
# 我们就按这个意思来读。把这两个公式和上面的推导对照一下。

# %%
check_printed(problem, options)

# %% [markdown]
# ## The step ε of the numerical derivative
#
# The checker takes central differences,
#
# $$f'(x) \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2\varepsilon},$$
#
# whose truncation error shrinks like $\varepsilon^2$, while the round-off error of the
# subtraction grows like $u/\varepsilon$ ($u$ the unit round-off: $1.1 \times 10^{-16}$ in
# float64, $6 \times 10^{-8}$ in float32). The best $\varepsilon$ is where the two meet.

# %% [markdown] lang="zh"
# ## 数值导数的步长 ε
#
# 检验器用的是中心差分
#
# $$f'(x) \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2\varepsilon},$$
#
# 它的截断误差随 $\varepsilon^2$ 减小，而相减带来的舍入误差随 $u/\varepsilon$ 增大（$u$ 是单位舍入
# 误差：float64 为 $1.1 \times 10^{-16}$，float32 为 $6 \times 10^{-8}$）。最佳的 $\varepsilon$ 在两者相当的地方。

# %%
epsilon(options)

# %% [markdown]
# ## The verdicts and the corrected equations
#
# Every verdict below is computed when the lesson runs. The corrected equations it ends with:
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big]$$
#
# $$\frac{\partial J}{\partial W_2} = \frac{1}{m}\sum_{i=1}^{m} (\hat y_i - y_i)\, a_1^{i\top}, \qquad a_1^i = \sigma(z_1^i)$$
#
# $$\frac{\partial J}{\partial b_2} = \frac{1}{m}\sum_{i=1}^{m} (\hat y_i - y_i)$$
#
# $$\frac{\partial J}{\partial W_1} = \frac{1}{m}\sum_{i=1}^{m} \big[(W_2^\top (\hat y_i - y_i)) \odot \sigma'(z_1^i)\big]\, x_i^\top$$
#
# $$\frac{\partial J}{\partial b_1} = \frac{1}{m}\sum_{i=1}^{m} (W_2^\top (\hat y_i - y_i)) \odot \sigma'(z_1^i)$$

# %% [markdown] lang="zh"
# ## 结论与改正后的公式
#
# 下面每一条结论都是本课运行时现算出来的。最后给出的改正后的公式是：
#
# $$J = -\frac{1}{m}\sum_{i=1}^{m}\big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big]$$
#
# $$\frac{\partial J}{\partial W_2} = \frac{1}{m}\sum_{i=1}^{m} (\hat y_i - y_i)\, a_1^{i\top}, \qquad a_1^i = \sigma(z_1^i)$$
#
# $$\frac{\partial J}{\partial b_2} = \frac{1}{m}\sum_{i=1}^{m} (\hat y_i - y_i)$$
#
# $$\frac{\partial J}{\partial W_1} = \frac{1}{m}\sum_{i=1}^{m} \big[(W_2^\top (\hat y_i - y_i)) \odot \sigma'(z_1^i)\big]\, x_i^\top$$
#
# $$\frac{\partial J}{\partial b_1} = \frac{1}{m}\sum_{i=1}^{m} (W_2^\top (\hat y_i - y_i)) \odot \sigma'(z_1^i)$$

# %%
corrected()
