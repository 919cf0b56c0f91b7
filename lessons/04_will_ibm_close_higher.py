# %% [markdown]
# # Lesson 04 — will IBM close higher tomorrow? (§4.3)
#
# The article's worked example (§4.3) is a stock question:
#
# > 假设我们有一个简单的二分类问题，需要预测某只股票是否会在未来一天内上涨。我们收集了大量的
# > 历史数据，包括股票价格、交易量、宏观经济指标等。…… 通过多次迭代训练，我们可以得到一个
# > 性能较好的模型。最后，我们可以使用训练好的模型进行预测，输入新的数据，得到股票是否上涨的
# > 预测结果。
#
# "Suppose we must predict whether a stock will rise within the next day. We have collected
# plenty of history: prices, trading volume, macroeconomic indicators … After many training
# iterations we obtain a model that performs well. Finally we feed the trained model new data
# and get its prediction of whether the stock will rise."
#
# The implicit promise: a multilayer perceptron on prices, volume and macro indicators learns to
# call tomorrow's direction. The article never says *well compared with what*. This lesson builds
# exactly that model on real data — IBM, 2000–2013, with oil, core inflation and unemployment —
# and measures it the way it would be used: trained on the past, tested on a future it has not
# seen, next to the two rules that need no model at all.
#
# Run: `python -m nanonet lesson 04` (options: `--out DIR`, `--quick`, `--seed N`,
# `--epochs N`, `--patience N`, `--seeds N`).

# %% [markdown] lang="zh"
# # 第 04 课 — IBM 明天会收涨吗？（§4.3）
#
# 文章的实例（§4.3）是一个股票问题：
#
# > 假设我们有一个简单的二分类问题，需要预测某只股票是否会在未来一天内上涨。我们收集了大量的
# > 历史数据，包括股票价格、交易量、宏观经济指标等。…… 通过多次迭代训练，我们可以得到一个
# > 性能较好的模型。最后，我们可以使用训练好的模型进行预测，输入新的数据，得到股票是否上涨的
# > 预测结果。
#
# 这段话隐含的承诺是：在价格、交易量和宏观经济指标上训练一个多层感知机（MLP），它就能学会判断
# 明天的涨跌方向。文章从没说过这个"性能较好"是*和什么相比*。本课就在真实数据上搭建这个模型——
# IBM 2000–2013 年的行情，加上原油价格、核心通胀率和失业率——并按它实际被使用的方式来衡量：
# 用过去训练，在它没见过的未来上测试，旁边放上两条根本不需要模型的规则。
#
# 运行：`python -m nanonet lesson 04`（选项：`--out DIR`、`--quick`、`--seed N`、
# `--epochs N`、`--patience N`、`--seeds N`）。

# %%
"""Lesson 04 — will IBM close higher tomorrow? (§4.3) An MLP on prices, volume and macro data, against honest baselines."""
import math
import time
from typing import NamedTuple

import numpy as np

import nanonet as nn
from nanonet import datasets, layers, lesson, optimizers, plotting
from nanonet.callbacks import EarlyStopping
from nanonet.lesson import say, section, words
from nanonet.teaching import figure_text


def add_arguments(parser):
    parser.add_argument("--epochs", type=int, default=None, help="most epochs to train")
    parser.add_argument("--patience", type=int, default=None,
                        help="stop after this many epochs without a lower validation loss")
    parser.add_argument("--seeds", type=int, default=None,
                        help="how many seeds to retrain with, to see the spread")


options = lesson.options("04", add_arguments)
max_epochs = options.extra.epochs or (8 if options.quick else 200)
patience = options.extra.patience or (3 if options.quick else 20)
n_seeds = options.extra.seeds or (3 if options.quick else 10)
started = time.perf_counter()

# %% [markdown]
# ## 1. The data
#
# 3,270 NYSE trading days of IBM (open, high, low, close, volume), with the WTI oil price of the
# same day and the core-CPI and unemployment figures of two months before (both are published
# within a month, so each month's figure was public by then). One caveat: the macro values are
# the later, *revised* releases that ship in the source packages, not the numbers first
# published at the time, so they are not exactly what a trader knew that day ("Revisions" in
# the data README). The data ships inside nanonet — nothing is downloaded — and
# its bytes are checked against their sha256 when loaded. Provenance, licences and pitfalls:
# `nanonet/datasets/data/stocks/README.md`.

# %% [markdown] lang="zh"
# ## 1. 数据
#
# IBM 在纽约证券交易所的 3,270 个交易日（开盘价、最高价、最低价、收盘价、成交量），配上同一天的
# WTI 原油价格，以及两个月前的核心 CPI 和失业率数据（两者都在一个月内公布，所以到那时每个月的
# 数字都已公开）。需要注意一点：这些宏观数据是源数据包里附带的、后来*修订过*的版本，而不是当时
# 最初公布的数字，所以它们并不完全等于交易员当天所知道的（见数据 README 的 "Revisions" 一节）。
# 数据随 nanonet 一起发布——不需要下载任何东西——加载时会用 sha256 校验其字节。数据来源、许可证
# 和需要注意的陷阱见 `nanonet/datasets/data/stocks/README.md`。

# %%
section("1. The data: IBM daily prices with WTI, core CPI and unemployment",
        "1. 数据：IBM 的日线价格，加上 WTI 原油、核心 CPI 和失业率")
prices = datasets.load_stock_prices()
print(prices)
print(words("source:", "来源："), datasets.ATTRIBUTION)
print(f"\n{'date':<12}{'open':>8}{'high':>8}{'low':>8}{'close':>8}{'volume':>12}"
      f"{'wti':>8}{'core_cpi':>10}{'unempl.':>9}")
for t in (0, 1, 2, len(prices) - 1):
    print(f"{str(prices.dates[t]):<12}{prices.open[t]:8.2f}{prices.high[t]:8.2f}"
          f"{prices.low[t]:8.2f}{prices.close[t]:8.2f}{prices.volume[t]:12,.0f}"
          f"{prices.wti[t]:8.2f}{prices.core_cpi[t]:10.1f}{prices.unemployment[t]:9.1f}")
assert len(prices) == 3270

# %% [markdown]
# ## 2. The label, and the rules against looking ahead
#
# $$
# \mathrm{up}_t = \mathbf{1}\left[\,\mathrm{close}_{t+1} > \mathrm{close}_t\,\right]
# $$
#
# that is 1 if tomorrow's close is higher, else 0 (a tie counts as "not higher"). The last
# day has no tomorrow, so 3,269 days are labelled. Three rules keep the future out:
#
# 1. **Features for day t use rows ≤ t only.** The label may read t+1 — it is what we predict.
# 2. **Split by time, never shuffle:** train on the first 80% of days, test on the last 20%.
# 3. **Fit every statistic (the standardisation's mean and std) on training rows only.**
#
# Rule 1 can be *tested*: change every row after t, recompute, and the features of day t must not
# move. A feature that breaks it — here, tomorrow's return, one wrong sign in a shift — would
# "predict" the label perfectly. So an accuracy far above the baselines below is a reason to hunt
# for look-ahead, not to celebrate.

# %% [markdown] lang="zh"
# ## 2. 标签，以及防止"偷看未来"的规则
#
# $$
# \mathrm{up}_t = \mathbf{1}\left[\,\mathrm{close}_{t+1} > \mathrm{close}_t\,\right]
# $$
#
# 也就是说，明天的收盘价更高记为 1，否则记为 0（持平算作"没有更高"）。最后一天没有明天，所以
# 有标签的是 3,269 天。三条规则把未来挡在门外：
#
# 1. **第 t 天的特征只用第 t 行及以前的数据。** 标签可以读第 t+1 行——那正是我们要预测的。
# 2. **按时间划分，绝不打乱：** 用前 80% 的交易日训练，用后 20% 测试。
# 3. **所有统计量（标准化用的均值和标准差）只在训练行上拟合。**
#
# 规则 1 可以*测试*：改掉第 t 天之后的每一行，重新计算，第 t 天的特征必须纹丝不动。违反它的
# 特征——这里是明天的收益率，移位时符号写反了一个——会完美地"预测"出标签。所以，如果准确率远远
# 高于下面的基线，那是该去查找未来信息泄漏的信号，而不是该庆祝的理由。

# %%
section("2. Labels and the no-look-ahead check", "2. 标签与“不偷看未来”检查")
labels = datasets.make_labels(prices)
features = datasets.make_features(prices)
ties = int(np.sum(prices.close[1:] == prices.close[:-1]))
say(f"labelled days: {len(labels)}; up on {labels.sum()} ({labels.mean():.2%}); "
    f"ties (counted as 0): {ties}",
    f"有标签的交易日：{len(labels)}；其中上涨 {labels.sum()} 天（{labels.mean():.2%}）；"
    f"持平（记为 0）：{ties} 天")

rng = np.random.default_rng(options.seed)
checked_days = np.sort(rng.choice(len(prices) - 1, size=5, replace=False))
for t in checked_days:
    changed = datasets.perturb_after(prices, t, seed=int(t))
    same = np.array_equal(datasets.make_features(changed)[:t + 1], features[:t + 1],
                          equal_nan=True)
    say(f"change every row after {prices.dates[t]}: features up to that day unchanged? {same}",
        f"改掉 {prices.dates[t]} 之后的每一行：到那天为止的特征是否不变？{same}")
    assert same, "make_features looks ahead"

close = prices.close


def leaky_feature(prices):
    """Tomorrow's return, close_{t+1}/close_t − 1 — the shift goes the wrong way. Don't."""
    return np.roll(prices.close, -1) / prices.close - 1


t = int(checked_days[0])
caught = not np.allclose(leaky_feature(datasets.perturb_after(prices, t))[:t + 1],
                         leaky_feature(prices)[:t + 1])
leaky_accuracy = np.mean((leaky_feature(prices)[:-1] > 0) == labels)
say(f"a leaky feature (tomorrow's return, np.roll(close, -1)): caught by the check? {caught}; "
    f"its sign 'predicts' up_t with accuracy {leaky_accuracy:.1%}",
    f"一个泄漏未来的特征（明天的收益率，np.roll(close, -1)）：被检查抓住了吗？{caught}；"
    f"用它的符号“预测” up_t，准确率 {leaky_accuracy:.1%}")
assert caught

# %% [markdown]
# ## 3. Features: changes, not levels
#
# Prices and the CPI trend for 13 years: in the test years IBM's close and core CPI climb above
# anything the network saw in training (the counts are printed below), so a network fed levels
# would be asked about inputs it never met. So the 11 inputs are returns, ratios and changes:
#
# - returns at lags 0…4: $r_t = \mathrm{close}_t / \mathrm{close}_{t-1} - 1$ and
#   $r_{t-1}, \dots, r_{t-4}$;
# - the day's range, $(\mathrm{high}_t - \mathrm{low}_t) / \mathrm{close}_t$;
# - the day's own move, $\mathrm{close}_t / \mathrm{open}_t - 1$;
# - the volume change, $\ln(\mathrm{volume}_t / \mathrm{volume}_{t-1})$;
# - oil's return, $\mathrm{wti}_t / \mathrm{wti}_{t-1} - 1$ (priced before the close);
# - year-on-year core inflation, $\mathrm{cpi}_t / \mathrm{cpi}_{t-252} - 1$ (needs a year);
# - the year-on-year change of unemployment, $\mathrm{unemp}_t - \mathrm{unemp}_{t-252}$, in
#   percentage points.
#
# The monthly series change once a month, so their daily change is almost always 0; their change
# over a year (252 trading days) is what moves. The README's reference model used the
# unemployment *level*; section 5 shows why we don't: it rose from the training years into the
# test years just as the price did. Changes drift far less than levels, but nothing keeps them
# inside the range the network was trained on: section 5 counts, for every feature, the test
# days that fall outside it.

# %% [markdown] lang="zh"
# ## 3. 特征：用变化量，不用水平值
#
# 价格和 CPI 在 13 年里一路有趋势：到了测试年份，IBM 的收盘价和核心 CPI 都涨到了网络在训练中
# 从未见过的高度（具体天数打印在下面），所以直接喂水平值的网络会被问到它从未遇到过的输入。
# 因此 11 个输入都是收益率、比值和变化量：
#
# - 滞后 0…4 天的收益率：$r_t = \mathrm{close}_t / \mathrm{close}_{t-1} - 1$ 以及
#   $r_{t-1}, \dots, r_{t-4}$；
# - 当天的波动幅度，$(\mathrm{high}_t - \mathrm{low}_t) / \mathrm{close}_t$；
# - 当天自身的涨跌，$\mathrm{close}_t / \mathrm{open}_t - 1$；
# - 成交量的变化，$\ln(\mathrm{volume}_t / \mathrm{volume}_{t-1})$；
# - 原油的收益率，$\mathrm{wti}_t / \mathrm{wti}_{t-1} - 1$（在收盘前定价）；
# - 核心通胀的同比变化，$\mathrm{cpi}_t / \mathrm{cpi}_{t-252} - 1$（需要一年的历史）；
# - 失业率的同比变化，$\mathrm{unemp}_t - \mathrm{unemp}_{t-252}$，单位是百分点。
#
# 月度序列每月只变一次，所以它们的日变化几乎总是 0；真正在变的是它们一年（252 个交易日）里的
# 变化。数据 README 里的参考模型用的是失业率的*水平值*；第 5 节说明我们为什么不用它：它从训练
# 年份到测试年份一路上升，和价格一样。变化量的漂移比水平值小得多，但没有什么能保证它们落在网络
# 训练时见过的范围之内：第 5 节会对每个特征统计落在范围之外的测试天数。

# %%
section("3. Features: returns and changes, not price levels",
        "3. 特征：收益率和变化量，而不是价格水平")
train_rows, test_rows = datasets.chronological_split(len(labels), 0.8)
close_above = np.sum(close[test_rows] > close[train_rows].max())
cpi_above = np.sum(prices.core_cpi[test_rows] >= prices.core_cpi[train_rows].max())
say(f"IBM's close: training-period maximum {close[train_rows].max():.2f}; above it on "
    f"{close_above} of {len(test_rows)} test days",
    f"IBM 收盘价：训练期最高 {close[train_rows].max():.2f}；{len(test_rows)} 个测试日中有 "
    f"{close_above} 天高于它")
say(f"core CPI: at or above its training maximum on {cpi_above} of {len(test_rows)} test days",
    f"核心 CPI：{len(test_rows)} 个测试日中有 {cpi_above} 天达到或超过其训练期最高值")
assert np.sum(close[test_rows] > close[train_rows].max()) == 609      # as the README says
print(f"\n{'feature':<20}{'train mean':>12}{'train std':>12}{'test mean':>12}{'test std':>12}")
full = np.isfinite(features).all(axis=1)
for j, name in enumerate(datasets.FEATURE_NAMES):
    a, b = features[train_rows][full[train_rows], j], features[test_rows, j]
    print(f"{name:<20}{a.mean():12.4f}{a.std():12.4f}{b.mean():12.4f}{b.std():12.4f}")
first_full = prices.dates[datasets.FIRST_FULL_FEATURE_ROW]
say(f"(rows before {first_full} lack a year of history "
    f"for the year-on-year changes and are left out of training)",
    f"（{first_full} 之前的行缺少计算同比变化所需的一年历史，不参与训练）")

# %% [markdown]
# ## 4. A chronological split, and validation from the end of the training period
#
# 80/20 by time, over all 3,269 labelled days, so the test days are exactly the README's 654 and
# the baselines are scored on the same days as the network. The first 252 training days lack a
# year of history for the year-on-year features and are dropped from training. Early stopping
# needs a validation set, and it too must be a *later* period than the rows the network learns
# from: the last 15% of the (usable) training period.

# %% [markdown] lang="zh"
# ## 4. 按时间顺序划分，验证集取自训练期的末尾
#
# 在全部 3,269 个有标签的交易日上按时间 80/20 划分，于是测试日正好是 README 里的 654 天，基线
# 和网络在同样的日子上打分。训练期的前 252 天缺少一年的历史，算不出同比特征，因此不参与训练。
# 早停（early stopping）需要一个验证集，而它也必须是比网络学习所用的行*更晚*的时期：取（可用的）
# 训练期的最后 15%。

# %%
section("4. Chronological split: train → validation → test, in date order",
        "4. 按时间划分：训练 → 验证 → 测试，按日期先后")
usable = train_rows[train_rows >= datasets.FIRST_FULL_FEATURE_ROW]
fit_part, val_part = datasets.chronological_split(len(usable), 0.85)
fit_rows, val_rows = usable[fit_part], usable[val_part]
assert len(train_rows) == 2615 and len(test_rows) == 654
assert str(prices.dates[train_rows[-1]]) == "2010-07-23"
assert str(prices.dates[test_rows[0]]) == "2010-07-26"
assert fit_rows.max() < val_rows.min() and val_rows.max() < test_rows.min()
for name, rows in [("train (fit)", fit_rows), ("validation", val_rows), ("test", test_rows)]:
    print(f"{name:<12} {len(rows):5d} days  {prices.dates[rows[0]]} … {prices.dates[rows[-1]]}"
          f"   up on {labels[rows].mean():.2%}")

# %% [markdown]
# ## 5. Standardise with the training rows' statistics
#
# $$
# z = \frac{x - \mu_{\mathrm{train}}}{\sigma_{\mathrm{train}}}
# $$
#
# $\mu$ and $\sigma$ come from the rows the network trains on; validation and test rows are
# transformed with the same numbers. (Their own means would be a peek at the future.) Then the
# question section 3 left open: on how many test days does each feature leave the range
# (minimum … maximum) it had on the rows the network fits? A network has never been shown what
# happens out there.

# %% [markdown] lang="zh"
# ## 5. 用训练行的统计量做标准化
#
# $$
# z = \frac{x - \mu_{\mathrm{train}}}{\sigma_{\mathrm{train}}}
# $$
#
# $\mu$ 和 $\sigma$ 来自网络训练所用的行；验证行和测试行用同样的数字变换。（用它们自己的均值，
# 就等于偷看了未来。）接着回答第 3 节留下的问题：每个特征在多少个测试日上超出了它在网络拟合的
# 行上的范围（最小值 … 最大值）？网络从没见过那之外会发生什么。

# %%
section("5. Standardisation fitted on the training rows only", "5. 只在训练行上拟合的标准化")
scaled = datasets.standardize(features[fit_rows],
                              np.concatenate([features[val_rows], features[test_rows]]))
x_fit = scaled.train
x_val, x_test = scaled.test[:len(val_rows)], scaled.test[len(val_rows):]
y_fit, y_val, y_test = labels[fit_rows], labels[val_rows], labels[test_rows]
largest_mean = np.abs(x_fit.mean(axis=0)).max()
std_low, std_high = x_fit.std(axis=0).min(), x_fit.std(axis=0).max()
say(f"training columns after scaling: largest |mean| {largest_mean:.1e}, "
    f"std {std_low:.4f} … {std_high:.4f}",
    f"标准化之后的训练列：最大 |均值| {largest_mean:.1e}，标准差 {std_low:.4f} … {std_high:.4f}")
drifted = ", ".join(f"{n}={m:+.2f}" for n, m in zip(datasets.FEATURE_NAMES, x_test.mean(axis=0))
                    if abs(m) > 0.25)
say(f"test columns in training units, mean: {drifted} (the rest within ±0.25)",
    f"以训练单位计的测试列均值：{drifted}（其余都在 ±0.25 以内）")
level = prices.unemployment
level_z = (level[test_rows].mean() - level[fit_rows].mean()) / level[fit_rows].std()
fit_range = f"{level[fit_rows].min():.1f}–{level[fit_rows].max():.1f}%"
test_range = f"{level[test_rows].min():.1f}–{level[test_rows].max():.1f}%"
say(f"(the unemployment LEVEL, had we used it: {fit_range} on training rows, {test_range} on "
    f"test days, a test mean {level_z:+.1f} training std away)",
    f"（假如用失业率的水平值：训练行上为 {fit_range}，测试日上为 {test_range}，测试期均值偏离了 "
    f"{level_z:+.1f} 个训练标准差）")


def share_outside_training_range(train_column, test_column):
    """The fractions of `test_column` below the minimum and above the maximum of `train_column`."""
    return (float(np.mean(test_column < train_column.min())),
            float(np.mean(test_column > train_column.max())))


outside = {name: share_outside_training_range(features[fit_rows, j], features[test_rows, j])
           for j, name in enumerate(datasets.FEATURE_NAMES)}
say(f"\ntest days outside the feature's range on the {len(fit_rows)} rows the network fits:",
    f"\n超出特征在网络拟合的 {len(fit_rows)} 行上的范围的测试日比例：")
print(f"{'feature':<26}{'below its min':>14}{'above its max':>15}")
for name, (below, above) in outside.items():
    print(f"{name:<26}{below:14.1%}{above:15.1%}")
left = {name: below + above for name, (below, above) in outside.items() if below + above > 0}
leaving = [f"{name} on {share:.1%}" for name, share in left.items()]
staying = len(outside) - len(leaving)
say(f"{len(leaving)} of {len(outside)} features leave their training range on some test days"
    + (f" ({', '.join(leaving)} of test days)" if leaving else "")
    + (f"; the other {staying} stay inside it on every test day." if staying else "."),
    f"{len(outside)} 个特征中有 {len(leaving)} 个在部分测试日上跑出了训练范围"
    + ("（" + "，".join(f"{name} 占测试日的 {share:.1%}" for name, share in left.items()) + "）"
       if leaving else "")
    + (f"；其余 {staying} 个在每个测试日都留在范围之内。" if staying else "。"))

# %% [markdown]
# ## 6. The honest baselines
#
# Two rules need no model. Always predict "up", or predict that tomorrow repeats today's
# direction, up_{t−1}, which is known at today's close. Scored on the same 654 test days, they
# are the bar — not 50%. ("Up" is the majority class of the test period; which class leads in
# training depends on which training rows you count, as the lines below show.)
#
# How precise is an accuracy $a$ measured on $n$ days? Each day is right or wrong, so near
# 50%
#
# $$
# \mathrm{SE} = \sqrt{\frac{a(1-a)}{n}} \approx \sqrt{\frac{0.5 \cdot 0.5}{n}}
# $$
#
# What does a rule with no skill score? One that says "up" on a fraction $q$ of the days,
# whatever happens, is right on average on
#
# $$
# e(q) = q\,p + (1 - q)(1 - p)
# $$
#
# of them, where $p$ is the test period's up-rate: $1 - p$ if it always says down, $p$ if it
# always says up — and a guesser that says "up" at the up-rate itself ($q = p$) expects only
# $p^2 + (1 - p)^2$, a hair above 50%. So every rule and model here is measured from *a coin
# with its own lean*:
#
# $$
# z = \frac{a - e(q)}{\mathrm{SE}}
# $$
#
# with the one-sided p-value $P(Z \ge z)$ (normal approximation). The one bar for skill in this
# lesson is $e(q) + 2\,\mathrm{SE}$ ($z \ge 2$, one-sided $p \approx 0.023$): below it, luck
# explains the accuracy. (Always up *is* the coin with $q = 1$, so it sits exactly on its own
# coin, $z = 0$: it is the bar a model's raw accuracy must beat, not a skill.)

# %% [markdown] lang="zh"
# ## 6. 诚实的基线
#
# 有两条规则根本不需要模型：永远预测"涨"，或者预测明天重复今天的方向 up_{t−1}，这在今天收盘时
# 就已知道。在同样的 654 个测试日上打分，它们才是真正的门槛——而不是 50%。（"涨"是测试期的多数
# 类；训练期哪一类占多数，取决于你数的是哪些训练行，下面几行会说明。）
#
# 在 $n$ 天上测得的准确率 $a$ 有多精确？每一天要么对要么错，所以在 50% 附近
#
# $$
# \mathrm{SE} = \sqrt{\frac{a(1-a)}{n}} \approx \sqrt{\frac{0.5 \cdot 0.5}{n}}
# $$
#
# 一条毫无本事的规则能得多少分？一条不管发生什么、都在比例为 $q$ 的日子里说"涨"的规则，平均
# 答对的比例是
#
# $$
# e(q) = q\,p + (1 - q)(1 - p)
# $$
#
# 其中 $p$ 是测试期的上涨比例：永远说跌得 $1 - p$，永远说涨得 $p$——而按上涨比例本身去猜"涨"
# 的规则（$q = p$）期望只有 $p^2 + (1 - p)^2$，仅比 50% 高一丁点。所以这里的每条规则和每个模型
# 都从*一枚与它自身倾向相同的硬币*算起：
#
# $$
# z = \frac{a - e(q)}{\mathrm{SE}}
# $$
#
# 并给出单侧 p 值 $P(Z \ge z)$（正态近似）。本课衡量本事的唯一门槛是 $e(q) + 2\,\mathrm{SE}$
# （$z \ge 2$，单侧 $p \approx 0.023$）：低于它，准确率用运气就能解释。（永远说涨*就是* $q = 1$
# 的那枚硬币，所以它恰好落在自己的硬币上，$z = 0$：它是模型的原始准确率必须超过的门槛，而不是
# 一种本事。）

# %%
def coin_expectation(lean, up_rate):
    """e(q) = q·p + (1 − q)(1 − p): the mean accuracy of a no-skill rule saying 'up' on a
    fraction q (`lean`) of days, when a fraction p (`up_rate`) of them are up."""
    return lean * up_rate + (1 - lean) * (1 - up_rate)


def one_sided_p(z):
    """P(Z ≥ z) for a standard normal Z: how often luck alone lands z SE or more above."""
    return 0.5 * math.erfc(z / math.sqrt(2))


class AgainstACoin(NamedTuple):
    """A rule's test accuracy measured from a coin with the rule's own lean."""
    accuracy: float   #: fraction of test days right
    lean: float       #: fraction of test days it said "up" (q)
    coin: float       #: e(q), what a no-skill rule with that lean expects
    z: float          #: (accuracy − coin) / SE
    p_value: float    #: one-sided P(Z ≥ z)
    bar: float        #: coin + 2 SE, the accuracy that would show skill


def against_a_coin(predicted, truth, standard_error):
    """Score 0/1 predictions `predicted` on the days `truth` against a coin with their lean."""
    accuracy, lean = float(np.mean(predicted == truth)), float(np.mean(predicted))
    coin = coin_expectation(lean, float(np.mean(truth)))
    z = (accuracy - coin) / standard_error
    return AgainstACoin(accuracy, lean, coin, z, one_sided_p(z), coin + 2 * standard_error)


def print_against_a_coin_header():
    print(f"{'':<24}{'accuracy':>9}{'says up':>9}{'coin e(q)':>11}{'z (SE)':>8}"
          f"{'one-sided p':>13}{'bar e(q)+2SE':>14}")


def print_against_a_coin(name, scored):
    print(f"{name:<24}{scored.accuracy:9.2%}{scored.lean:9.1%}{scored.coin:11.2%}"
          f"{scored.z:+8.1f}{scored.p_value:13.3f}{scored.bar:14.1%}")


def majority_line(name, name_zh, days):
    """Which class leads on `days` (0/1 labels), and by how many days (`name` or, in Chinese,
    `name_zh` names the days)."""
    up, down = int(days.sum()), int(len(days) - days.sum())
    leader = "up" if up > down else "not up" if down > up else "neither"
    leader_zh = {"up": "上涨", "not up": "未上涨", "neither": "两者持平"}[leader]
    return words(f"{name:<34} up on {up}, not up on {down}: majority {leader} "
                 f"(by {abs(up - down)} day{'' if abs(up - down) == 1 else 's'})",
                 f"{name_zh}：上涨 {up} 天，未上涨 {down} 天：多数类为{leader_zh}"
                 f"（多 {abs(up - down)} 天）")


section("6. Baselines on the 654 test days", "6. 654 个测试日上的基线")
baselines = datasets.honest_baselines(labels, test_rows)
se, p_up = baselines.standard_error, baselines.up_rate
print(majority_line(f"training period ({len(train_rows)} days)",
                    f"训练期（{len(train_rows)} 天）", labels[train_rows]))
print(majority_line(f"rows the network fits ({len(fit_rows)})",
                    f"网络拟合的行（{len(fit_rows)} 天）", labels[fit_rows]))
print(majority_line(f"test period ({len(test_rows)} days)",
                    f"测试期（{len(test_rows)} 天）", labels[test_rows]))
say(f"\nbase rate of 'up' on test days p:      {p_up:.2%}",
    f"\n测试日上“涨”的基础比例 p：          {p_up:.2%}")
say(f"always up:                            {baselines.always_up:.2%}",
    f"永远说涨：                            {baselines.always_up:.2%}")
say(f"yesterday's direction (up_t = up_t-1): {baselines.yesterdays_direction:.2%}",
    f"昨天的方向（up_t = up_t-1）：          {baselines.yesterdays_direction:.2%}")
say(f"standard error of an accuracy on {baselines.n} days: {se:.2%} (±2 SE: {2 * se:.1%})",
    f"{baselines.n} 天上测得的准确率的标准误差：{se:.2%}（±2 SE：{2 * se:.1%}）")
guesser = coin_expectation(p_up, p_up)
say(f"a no-skill rule expects from {1 - p_up:.1%} (always down) to {p_up:.1%} (always up); "
    f"one saying 'up' on p of the days expects p² + (1 − p)² = {guesser:.2%}",
    f"毫无本事的规则期望得分在 {1 - p_up:.1%}（永远说跌）到 {p_up:.1%}（永远说涨）之间；"
    f"在比例为 p 的日子里说涨的规则期望 p² + (1 − p)² = {guesser:.2%}")
# the README's numbers, recomputed here
assert round(100 * baselines.always_up, 2) == 51.83
assert round(100 * baselines.yesterdays_direction, 2) == 52.60
assert baselines.n == 654

rules = {"always up": np.ones_like(y_test), "yesterday's direction": labels[test_rows - 1]}
rules_scored = {name: against_a_coin(rule, y_test, se) for name, rule in rules.items()}
assert rules_scored["yesterday's direction"].accuracy == baselines.yesterdays_direction
print()
print_against_a_coin_header()
for name, scored in rules_scored.items():
    print_against_a_coin(name, scored)
yesterday = rules_scored["yesterday's direction"]
say(f"\nyesterday's direction is {yesterday.z:+.1f} SE from a coin with its lean "
    f"({yesterday.coin:.2%}), one-sided p = {yesterday.p_value:.2f}: "
    + ("not significant — on this period, no evidence that the direction persists."
       if yesterday.z < 2 else "above the bar — the direction persisted on this period; "
       "check another period before relying on it."),
    f"\n“昨天的方向”距离倾向相同的硬币（{yesterday.coin:.2%}）{yesterday.z:+.1f} 个 SE，"
    f"单侧 p = {yesterday.p_value:.2f}："
    + ("不显著——在这段时期，没有证据表明涨跌方向会延续。"
       if yesterday.z < 2 else "超过了门槛——在这段时期涨跌方向确实延续了；"
       "依赖它之前，先在另一段时期检验。"))


# %% [markdown]
# ## 7. The MLP of §4.3, with early stopping
#
# Inputs (11) → Dense(16, ReLU) → Dropout(0.2) → Dense(1, sigmoid), binary cross-entropy, Adam:
# the article's §4.1 network, with ReLU in the hidden layer (and dropout while training),
#
# $$
# \hat y = \sigma\bigl(W_2 \,\mathrm{ReLU}(W_1 x + b_1) + b_2\bigr)
# $$
#
# trained to minimise §4.2's binary cross-entropy over the $m$ training days (the article
# prints it with its square brackets left out):
#
# $$
# J = -\frac{1}{m} \sum_{i=1}^{m} \bigl[\, y_i \log \hat y_i + (1 - y_i) \log(1 - \hat y_i) \,\bigr]
# $$
#
# Each epoch `fit` measures the loss on the validation period, and the callback
# `EarlyStopping(monitor="val_loss", patience=…, restore_best_weights=True)` (nanonet.callbacks,
# Keras's rules) stops training when it has not improved for `patience` epochs and puts back the
# weights of the best epoch. `fit` shuffles the training rows among
# themselves each epoch; that is harmless — the split is already made, and each row carries its
# own history in its features.
#
# A yardstick for the loss: a model that always says $\hat y = 0.5$ scores
# $J = \ln 2 \approx 0.693$. A validation loss above that means the network's confidence is
# worse than no opinion at all.

# %% [markdown] lang="zh"
# ## 7. §4.3 的多层感知机，加上早停
#
# 输入（11 个）→ Dense(16, ReLU) → Dropout(0.2) → Dense(1, sigmoid)，二元交叉熵损失函数，Adam
# 优化器：这就是文章 §4.1 的网络，隐藏层用 ReLU 激活函数（训练时再加 dropout），
#
# $$
# \hat y = \sigma\bigl(W_2 \,\mathrm{ReLU}(W_1 x + b_1) + b_2\bigr)
# $$
#
# 训练的目标是在 $m$ 个训练日上最小化 §4.2 的二元交叉熵（文章印出的公式漏掉了方括号）：
#
# $$
# J = -\frac{1}{m} \sum_{i=1}^{m} \bigl[\, y_i \log \hat y_i + (1 - y_i) \log(1 - \hat y_i) \,\bigr]
# $$
#
# 每个轮次，`fit` 都在验证期上测量损失；回调
# `EarlyStopping(monitor="val_loss", patience=…, restore_best_weights=True)`（nanonet.callbacks，
# 规则与 Keras 相同）在损失连续 `patience` 个轮次没有改善时停止训练，并恢复最佳轮次的权重。
# `fit` 每个轮次都会把训练行彼此打乱；这没有害处——数据已经划分好了，而且每一行的特征里都带着
# 它自己的历史。
#
# 损失的一把标尺：永远输出 $\hat y = 0.5$ 的模型得分为 $J = \ln 2 \approx 0.693$。验证损失高于
# 这个值，说明网络的自信还不如干脆不表态。

# %%
def build_mlp(seed):
    model = nn.Sequential([
        layers.Dense(16, activation="relu", input_shape=(len(datasets.FEATURE_NAMES),)),
        layers.Dropout(0.2),
        layers.Dense(1, activation="sigmoid"),
    ], seed=seed)
    model.compile(optimizer=optimizers.Adam(learning_rate=0.001), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def train_with_early_stopping(model, max_epochs, patience):
    """fit with Keras's EarlyStopping on the validation loss. Returns (the curves, the best
    epoch counted from 1, whether it stopped early)."""
    stopper = EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(x_fit, y_fit, epochs=max_epochs, batch_size=32, verbose=0,
                        validation_data=(x_val, y_val), callbacks=[stopper])
    return history.history, stopper.best_epoch + 1, stopper.stopped_epoch > 0


def predict_up(model, x):
    """1 where the model says P(up) > 0.5."""
    return (model.predict(x)[:, 0] > 0.5).astype(np.int8)


section("7. Training the MLP (Adam, binary cross-entropy, early stopping on the validation period)",
        "7. 训练多层感知机（Adam，二元交叉熵，在验证期上早停）")
model = build_mlp(options.seed)
model.summary()
curves, best_epoch, stopped = train_with_early_stopping(model, max_epochs, patience)
kept = words(f"weights of epoch {best_epoch} restored", f"已恢复第 {best_epoch} 个轮次的权重") \
    if stopped else words(
        f"no stop within {max_epochs} epochs, so the last epoch's weights are kept (EarlyStopping "
        f"restores the best only when it stops, as Keras)",
        f"{max_epochs} 个轮次内没有停止，所以保留最后一个轮次的权重（EarlyStopping 只有在停止时"
        f"才恢复最佳权重，与 Keras 相同）")
best_val = min(curves["val_loss"])
say(f"\ntrained {len(curves['loss'])} epochs (at most {max_epochs}, patience {patience}); "
    f"best validation loss {best_val:.4f} at epoch {best_epoch} (ln 2 = {np.log(2):.4f}); {kept}",
    f"\n训练了 {len(curves['loss'])} 个轮次（最多 {max_epochs}，patience {patience}）；"
    f"最佳验证损失 {best_val:.4f}，出现在第 {best_epoch} 个轮次（ln 2 = {np.log(2):.4f}）；{kept}")
if best_val >= np.log(2):
    say("the validation loss never went below ln 2: on the validation period the network's "
        "probabilities were worse than always saying 0.5",
        "验证损失从未低于 ln 2：在验证期上，网络给出的概率还不如永远说 0.5")

# %% [markdown]
# ## 8. The verdict on the test period

# %% [markdown] lang="zh"
# ## 8. 测试期上的结论

# %%
def paired_difference(right_a, right_b):
    """Mean and standard error of (a right − b right) per day, for two rules scored on the same
    days (boolean arrays): the paired comparison, which cancels the days both get right or wrong."""
    difference = right_a.astype(np.float64) - right_b
    return float(difference.mean()), float(difference.std(ddof=1) / np.sqrt(len(difference)))


section("8. Test accuracy beside the baselines", "8. 测试准确率与基线并列")
predicted = predict_up(model, x_test)
mlp = against_a_coin(predicted, y_test, se)
train_accuracy = float(np.mean(predict_up(model, x_fit) == y_fit))
balanced = datasets.balanced_accuracy(y_test, predicted)
say(f"MLP (seed {options.seed}) train accuracy:  {train_accuracy:.2%}",
    f"MLP（种子 {options.seed}）训练准确率：{train_accuracy:.2%}")
say(f"MLP (seed {options.seed}) test accuracy:   {mlp.accuracy:.2%} ± {se:.2%} (1 SE), "
    f"on {len(y_test)} days",
    f"MLP（种子 {options.seed}）测试准确率：{mlp.accuracy:.2%} ± {se:.2%}（1 SE），"
    f"基于 {len(y_test)} 天")
say(f"    it predicted 'up' on {mlp.lean:.1%} of test days; balanced accuracy "
    f"{balanced:.2%} (0.5 = no skill)",
    f"    它在 {mlp.lean:.1%} 的测试日上预测“涨”；平衡准确率 {balanced:.2%}（0.5 = 毫无本事）")
say(f"baseline always up:                {baselines.always_up:.2%}",
    f"基线 永远说涨：              {baselines.always_up:.2%}")
say(f"baseline yesterday's direction:    {baselines.yesterdays_direction:.2%}",
    f"基线 昨天的方向：            {baselines.yesterdays_direction:.2%}")

# One seed is one draw. Retrain with other seeds (same data, same recipe; we do NOT pick the best
# one by its test score — that would be fitting to the test set).
seeds_scored = [mlp]
for seed in range(options.seed + 1, options.seed + n_seeds):
    other = build_mlp(seed)
    train_with_early_stopping(other, max_epochs, patience)
    seeds_scored.append(against_a_coin(predict_up(other, x_test), y_test, se))
seed_accuracies = np.array([scored.accuracy for scored in seeds_scored])
each_seed = ", ".join(f"{a:.1%}" for a in seed_accuracies)
say(f"\nthe same MLP with {n_seeds} seeds: test accuracy mean {seed_accuracies.mean():.2%}, "
    f"min {seed_accuracies.min():.2%}, max {seed_accuracies.max():.2%} ({each_seed})",
    f"\n同一个 MLP 换 {n_seeds} 个种子：测试准确率均值 {seed_accuracies.mean():.2%}，"
    f"最低 {seed_accuracies.min():.2%}，最高 {seed_accuracies.max():.2%}（{each_seed}）")

# Each measured from a coin with its own lean (section 6): e(q) = q·p + (1 − q)(1 − p).
print()
print_against_a_coin_header()
for name, scored in rules_scored.items():
    print_against_a_coin(name, scored)
for seed, scored in zip(range(options.seed, options.seed + n_seeds), seeds_scored):
    print_against_a_coin(f"MLP (seed {seed})", scored)
skilled = sum(scored.z >= 2 for scored in seeds_scored)

if mlp.z >= 2:
    verdict = words(f"above its bar ({mlp.bar:.1%}, a coin with its lean + 2 SE). Before believing "
                    "it, hunt for look-ahead (section 2); then test it on another period — one "
                    "good number among many tries can be luck.",
                    f"超过了它的门槛（{mlp.bar:.1%}，倾向相同的硬币 + 2 SE）。相信它之前，先查找"
                    "未来信息泄漏（第 2 节）；再换一段时期检验——多次尝试中出现一个好数字，可能"
                    "只是运气。")
elif mlp.z <= -2:
    verdict = words(f"more than 2 SE BELOW a coin with its lean ({mlp.coin:.1%}): what the network "
                    "learned from the training years is wrong in the test years.",
                    f"反而比倾向相同的硬币（{mlp.coin:.1%}）低了 2 个 SE 以上：网络从训练年份学到"
                    "的东西，在测试年份是错的。")
else:
    verdict = words(f"below its bar ({mlp.bar:.1%}) and within 2 SE of a coin with its lean "
                    f"({mlp.coin:.1%}): no evidence of skill.",
                    f"低于它的门槛（{mlp.bar:.1%}），与倾向相同的硬币（{mlp.coin:.1%}）相差不到 "
                    "2 个 SE：没有证据表明它有本事。")
RULES_ZH = {"always up": "永远说涨", "yesterday's direction": "昨天的方向"}
best_rule = max(rules, key=lambda name: rules_scored[name].accuracy)
difference, difference_se = paired_difference(predicted == y_test, rules[best_rule] == y_test)
if difference >= 2 * difference_se:
    against_best = words("above it by more than 2 SE", "比它高出 2 个 SE 以上")
elif difference <= -2 * difference_se:
    against_best = words("below it by more than 2 SE", "比它低了 2 个 SE 以上")
else:
    against_best = words("within 2 SE of it: no detectable difference",
                         "两者相差不到 2 个 SE，看不出差别")
if skilled == 0:
    conclusion = words(f"None of the {n_seeds} seeds reaches its bar: daily direction is close to "
                       "unpredictable from the day's prices, volume and (revised) macro data, and "
                       "the article's implicit promise — train an MLP on these inputs and get a "
                       "model that calls tomorrow's move — is not supported.",
                       f"{n_seeds} 个种子没有一个达到自己的门槛：仅凭当天的价格、成交量和（修订后的）"
                       "宏观数据，每天的涨跌方向几乎无法预测；文章隐含的承诺——用这些输入训练一个"
                       "MLP，就能得到一个判断明天涨跌的模型——得不到支持。")
else:
    luck = 1 - (1 - one_sided_p(2)) ** n_seeds
    conclusion = words(
        f"{skilled} of {n_seeds} seeds {'reaches its' if skilled == 1 else 'reach their'}"
        f" bar. Had no seed any skill, at least one of {n_seeds} would pass by luck "
        f"with probability about {luck:.0%} (were they independent), and the seeds "
        f"average {seed_accuracies.mean():.1%}: a lead, not a result — one seed's "
        "score is not the recipe's, and it must hold on another period to count.",
        f"{n_seeds} 个种子中有 {skilled} 个达到了自己的门槛。即使没有一个种子有本事，"
        f"{n_seeds} 个中至少有一个靠运气过关的概率也约为 {luck:.0%}（假如它们相互独立），"
        f"而各种子的平均值是 {seed_accuracies.mean():.1%}：这只是一条线索，还不是结果——"
        "一个种子的得分不代表整套做法的得分，而且它必须在另一段时期上也成立才算数。")
say(f"""
What it means. An accuracy on {baselines.n} test days carries a standard error of about \
{100 * se:.1f} points. A rule with no skill
expects from {1 - p_up:.1%} (always down) to {p_up:.1%} (always up), depending on how often it \
says "up", and luck moves it
by ±2 SE. This MLP says "up" on {mlp.lean:.1%} of days, so a coin with its lean expects \
{mlp.coin:.1%}, and it would have to
clear {mlp.bar:.1%} — not 50% — to show any skill. Its {mlp.accuracy:.1%} is {verdict}
Against the best no-model rule, {best_rule} ({rules_scored[best_rule].accuracy:.1%}), the MLP \
is {difference:+.1%} ± {difference_se:.1%} (paired, 1 SE):
{against_best}. Across {n_seeds} seeds it averaged {seed_accuracies.mean():.1%}.
{conclusion}""", f"""
这意味着什么。在 {baselines.n} 个测试日上测得的准确率，标准误差约为 {100 * se:.1f} 个百分点。
一条毫无本事的规则，视它说“涨”的频率，期望得分在 {1 - p_up:.1%}（永远说跌）到 {p_up:.1%}
（永远说涨）之间，运气还会让它上下浮动 ±2 SE。这个 MLP 在 {mlp.lean:.1%} 的日子里说“涨”，
所以倾向相同的硬币期望得到 {mlp.coin:.1%}，它必须超过 {mlp.bar:.1%}——而不是 50%——才算有本事。
它的 {mlp.accuracy:.1%} {verdict}
与最好的无模型规则“{RULES_ZH[best_rule]}”（{rules_scored[best_rule].accuracy:.1%}）相比，
MLP 相差 {difference:+.1%} ± {difference_se:.1%}（配对比较，1 SE）：{against_best}。
{n_seeds} 个种子的平均值是 {seed_accuracies.mean():.1%}。
{conclusion}""")

# %% [markdown]
# ## Figures
#
# 1. The price (a level) and five features (changes), with the validation and test periods
#    shaded and each feature's range on the rows the network fits drawn dashed: which of them
#    leave it in the test period? (Section 5 prints the share of days.)
# 2. The training curves: does the validation loss follow the training loss down, and does it
#    get below ln 2? (Section 7 prints the answer for this seed.)
# 3. The accuracies with ±1 and ±2 SE bars, each beside a grey box: a coin with the same lean
#    ± 2 SE — what a rule with no skill that says "up" as often would score.

# %% [markdown] lang="zh"
# ## 图
#
# 1. 价格（水平值）和五个特征（变化量），验证期和测试期用阴影标出，每个特征在网络拟合的行上的
#    范围用虚线画出：哪些特征在测试期跑出了这个范围？（第 5 节打印了天数的比例。）
# 2. 训练曲线：验证损失是否跟着训练损失一起下降？它能否降到 ln 2 以下？（第 7 节打印了这个种子
#    的答案。）
# 3. 各个准确率及其 ±1 和 ±2 SE 误差棒，每个旁边一个灰色方框：倾向相同的硬币 ± 2 SE——也就是
#    一条说"涨"同样频繁、但毫无本事的规则会得到的分数。

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    caption = figure_text.label
    dates = prices.dates

    panels = [(caption("IBM close (USD) — a level", "IBM 收盘价（美元）——水平值"), "USD", close),
              (caption("daily return r_t", "日收益率 r_t"), "r_t", features[:, 0]),
              (caption("volume change ln(v_t/v_t−1)", "成交量变化 ln(v_t/v_t−1)"),
               caption("log ratio", "对数比"), features[:, 7]),
              (caption("WTI return", "WTI 原油收益率"), caption("return", "收益率"), features[:, 8]),
              (caption("core CPI, year on year", "核心 CPI 同比"), caption("fraction", "比例"),
               features[:, 9]),
              (caption("unemployment, change over a year (points)", "失业率一年内的变化（百分点）"),
               caption("points", "百分点"), features[:, 10])]
    figure, axes = plt.subplots(len(panels), 1, figsize=(9, 11), sharex=True)
    for ax, (title, unit, values) in zip(axes, panels):
        ax.plot(dates, values, lw=0.6, color="tab:blue")
        if ax is not axes[0]:
            low, high = values[fit_rows].min(), values[fit_rows].max()
            share = np.mean((values[test_rows] < low) | (values[test_rows] > high))
            for bound in (low, high):
                ax.axhline(bound, color="k", ls="--", lw=0.8)
            title += caption(f" — outside the fitted rows' range (dashed) on {share:.1%} of "
                             f"test days", f"——{share:.1%} 的测试日超出拟合行的范围（虚线）")
        ax.set_ylabel(unit)
        ax.axvspan(dates[val_rows[0]], dates[val_rows[-1]], color="tab:orange", alpha=0.15,
                   label=caption("validation", "验证期"))
        ax.axvspan(dates[test_rows[0]], dates[test_rows[-1]], color="tab:red", alpha=0.15,
                   label=caption("test", "测试期"))
        ax.axvline(dates[test_rows[0]], color="tab:red", lw=1)
        ax.set_title(title, fontsize=9, loc="left")
        ax.grid(alpha=0.3)
    axes[0].axhline(close[train_rows].max(), color="k", ls="--", lw=0.8,
                    label=caption("training maximum", "训练期最高值"))
    axes[0].legend(fontsize=8, loc="upper left")
    axes[-1].set_xlabel(caption("trading day", "交易日"))
    figure.suptitle(caption("Lesson 04: IBM 2000–2013 — the split is by date "
                            "(train | validation | test)",
                            "第 04 课：IBM 2000–2013——按日期划分（训练 | 验证 | 测试）"))
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_prices_and_features.png")

    epochs = np.arange(1, len(curves["loss"]) + 1)
    figure, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax_loss.plot(epochs, curves["loss"], label=caption("loss (training)", "loss（训练）"))
    ax_loss.plot(epochs, curves["val_loss"],
                 label=caption("val_loss (validation period)", "val_loss（验证期）"))
    ax_loss.axhline(np.log(2), color="k", ls=":", lw=1,
                    label=caption("ln 2: always p = 0.5", "ln 2：永远输出 p = 0.5"))
    ax_acc.plot(epochs, curves["accuracy"], label=caption("accuracy (training)", "accuracy（训练）"))
    ax_acc.plot(epochs, curves["val_accuracy"], label="val_accuracy")
    ax_acc.axhline(0.5, color="k", ls=":", lw=1, label="50%")
    for ax, ylabel in [(ax_loss, caption("binary cross-entropy", "二元交叉熵")),
                       (ax_acc, caption("accuracy", "准确率"))]:
        ax.axvline(best_epoch, color="tab:green", ls="--", lw=1,
                   label=caption(f"best epoch {best_epoch}", f"最佳轮次 {best_epoch}"))
        ax.set(xlabel=caption("epoch", "轮次"), ylabel=ylabel)
        plotting.integer_ticks(ax)
        ax.grid(alpha=0.3)
        plotting.legend_below(ax)
    figure.suptitle(caption("Lesson 04: training curves (early stopping on the validation loss)",
                            "第 04 课：训练曲线（按验证损失早停）"))
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_training_curves.png")

    names = [caption("always up", "永远说涨"), caption("yesterday's\ndirection", "昨天的方向"),
             caption(f"MLP\n(seed {options.seed})", f"MLP\n（种子 {options.seed}）"),
             caption(f"MLP, mean of\n{n_seeds} seeds", f"MLP，{n_seeds} 个\n种子的均值")]
    values = np.array([baselines.always_up, baselines.yesterdays_direction, mlp.accuracy,
                       seed_accuracies.mean()])
    coins = np.array([rules_scored["always up"].coin, yesterday.coin, mlp.coin,
                      np.mean([scored.coin for scored in seeds_scored])])
    positions = np.arange(len(names))
    figure, ax = plt.subplots(figsize=(7, 4))
    for x, coin in zip(positions, coins):
        ax.fill_between([x - 0.32, x + 0.32], coin - 2 * se, coin + 2 * se, color="0.85",
                        lw=0, label=caption("a coin with the same lean: mean (line) ± 2 SE",
                                            "倾向相同的硬币：均值（线）± 2 SE") if x == 0 else None)
        ax.plot([x - 0.32, x + 0.32], [coin, coin], color="0.5", lw=1)
    ax.axhline(0.5, color="k", ls=":", lw=1, label="50%")
    ax.errorbar(positions, values, yerr=2 * se, fmt="none", ecolor="k", elinewidth=1,
                capsize=6, label="± 2 SE")
    ax.errorbar(positions, values, yerr=se, fmt="o", color="k", ecolor="k", elinewidth=4,
                markersize=7, markerfacecolor="white",
                label=caption("accuracy ± 1 SE", "准确率 ± 1 SE"))
    ax.plot(np.full(len(seed_accuracies), positions[-1] - 0.18), seed_accuracies, "_",
            color="tab:blue", markersize=10, label=caption("each seed", "每个种子"))
    for x, v in zip(positions, values):
        ax.text(x + 0.12, v, f"{v:.1%}", va="center", fontsize=9)
    ax.set_xticks(positions, names)
    ax.set_xlim(-0.5, len(names) - 0.3)
    shown = np.concatenate([values, seed_accuracies, coins])
    ax.set_ylim(min(0.40, shown.min() - 3 * se), max(0.64, shown.max() + 4 * se))
    ax.set_ylabel(caption(f"accuracy on the {baselines.n} test days",
                          f"{baselines.n} 个测试日上的准确率"))
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    ax.set_title(caption("Lesson 04: the MLP against the rules that need no model",
                         "第 04 课：MLP 对比不需要模型的规则"))
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_accuracy_vs_baselines.png")

seconds = time.perf_counter() - started
say(f"\nlesson 04 ran in {seconds:.1f} s", f"\n第 04 课运行用时 {seconds:.1f} 秒")
