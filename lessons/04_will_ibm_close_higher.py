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

# %%
"""Lesson 04 — will IBM close higher tomorrow? (§4.3) An MLP on prices, volume and macro data, against honest baselines."""
import math
import time
from typing import NamedTuple

import numpy as np

import nanonet as nn
from nanonet import datasets, layers, lesson, optimizers, plotting
from nanonet.callbacks import EarlyStopping
from nanonet.lesson import section


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

# %%
section("1. The data: IBM daily prices with WTI, core CPI and unemployment")
prices = datasets.load_stock_prices()
print(prices)
print("source:", datasets.ATTRIBUTION)
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
#     up_t = 1 if close_{t+1} > close_t else 0        (a tie counts as "not higher")
#
# The last day has no tomorrow, so 3,269 days are labelled. Three rules keep the future out:
#
# 1. **Features for day t use rows ≤ t only.** The label may read t+1 — it is what we predict.
# 2. **Split by time, never shuffle:** train on the first 80% of days, test on the last 20%.
# 3. **Fit every statistic (the standardisation's mean and std) on training rows only.**
#
# Rule 1 can be *tested*: change every row after t, recompute, and the features of day t must not
# move. A feature that breaks it — here, tomorrow's return, one wrong sign in a shift — would
# "predict" the label perfectly. So an accuracy far above the baselines below is a reason to hunt
# for look-ahead, not to celebrate.

# %%
section("2. Labels and the no-look-ahead check")
labels = datasets.make_labels(prices)
features = datasets.make_features(prices)
print(f"labelled days: {len(labels)}; up on {labels.sum()} ({labels.mean():.2%}); "
      f"ties (counted as 0): {int(np.sum(prices.close[1:] == prices.close[:-1]))}")

rng = np.random.default_rng(options.seed)
checked_days = np.sort(rng.choice(len(prices) - 1, size=5, replace=False))
for t in checked_days:
    changed = datasets.perturb_after(prices, t, seed=int(t))
    same = np.array_equal(datasets.make_features(changed)[:t + 1], features[:t + 1],
                          equal_nan=True)
    print(f"change every row after {prices.dates[t]}: features up to that day unchanged? {same}")
    assert same, "make_features looks ahead"

close = prices.close


def leaky_feature(prices):
    """Tomorrow's return, close_{t+1}/close_t − 1 — the shift goes the wrong way. Don't."""
    return np.roll(prices.close, -1) / prices.close - 1


t = int(checked_days[0])
caught = not np.allclose(leaky_feature(datasets.perturb_after(prices, t))[:t + 1],
                         leaky_feature(prices)[:t + 1])
leaky_accuracy = np.mean((leaky_feature(prices)[:-1] > 0) == labels)
print(f"a leaky feature (tomorrow's return, np.roll(close, -1)): caught by the check? {caught}; "
      f"its sign 'predicts' up_t with accuracy {leaky_accuracy:.1%}")
assert caught

# %% [markdown]
# ## 3. Features: changes, not levels
#
# Prices and the CPI trend for 13 years: in the test years IBM's close and core CPI climb above
# anything the network saw in training (the counts are printed below), so a network fed levels
# would be asked about inputs it never met. So the 11 inputs are returns, ratios and changes:
#
#     r_t = close_t / close_{t−1} − 1           returns at lags 0…4: r_t, r_{t−1}, …, r_{t−4}
#     (high_t − low_t) / close_t                the day's range
#     close_t / open_t − 1                      the day's own move
#     ln(volume_t / volume_{t−1})               volume change
#     wti_t / wti_{t−1} − 1                     oil's return (priced before the close)
#     core_cpi_t / core_cpi_{t−252} − 1         year-on-year core inflation (needs a year)
#     unemployment_t − unemployment_{t−252}     year-on-year change, percentage points
#
# The monthly series change once a month, so their daily change is almost always 0; their change
# over a year (252 trading days) is what moves. The README's reference model used the
# unemployment *level*; section 5 shows why we don't: it rose from the training years into the
# test years just as the price did. Changes drift far less than levels, but nothing keeps them
# inside the range the network was trained on: section 5 counts, for every feature, the test
# days that fall outside it.

# %%
section("3. Features: returns and changes, not price levels")
train_rows, test_rows = datasets.chronological_split(len(labels), 0.8)
print(f"IBM's close: training-period maximum {close[train_rows].max():.2f}; above it on "
      f"{np.sum(close[test_rows] > close[train_rows].max())} of {len(test_rows)} test days")
print(f"core CPI: at or above its training maximum on "
      f"{np.sum(prices.core_cpi[test_rows] >= prices.core_cpi[train_rows].max())} of "
      f"{len(test_rows)} test days")
assert np.sum(close[test_rows] > close[train_rows].max()) == 609      # as the README says
print(f"\n{'feature':<20}{'train mean':>12}{'train std':>12}{'test mean':>12}{'test std':>12}")
full = np.isfinite(features).all(axis=1)
for j, name in enumerate(datasets.FEATURE_NAMES):
    a, b = features[train_rows][full[train_rows], j], features[test_rows, j]
    print(f"{name:<20}{a.mean():12.4f}{a.std():12.4f}{b.mean():12.4f}{b.std():12.4f}")
print(f"(rows before {prices.dates[datasets.FIRST_FULL_FEATURE_ROW]} lack a year of history "
      f"for the year-on-year changes and are left out of training)")

# %% [markdown]
# ## 4. A chronological split, and validation from the end of the training period
#
# 80/20 by time, over all 3,269 labelled days, so the test days are exactly the README's 654 and
# the baselines are scored on the same days as the network. The first 252 training days lack a
# year of history for the year-on-year features and are dropped from training. Early stopping
# needs a validation set, and it too must be a *later* period than the rows the network learns
# from: the last 15% of the (usable) training period.

# %%
section("4. Chronological split: train → validation → test, in date order")
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
#     z = (x − μ_train) / σ_train
#
# μ and σ come from the rows the network trains on; validation and test rows are transformed with
# the same numbers. (Their own means would be a peek at the future.) Then the question section 3
# left open: on how many test days does each feature leave the range (minimum … maximum) it had
# on the rows the network fits? A network has never been shown what happens out there.

# %%
section("5. Standardisation fitted on the training rows only")
scaled = datasets.standardize(features[fit_rows],
                              np.concatenate([features[val_rows], features[test_rows]]))
x_fit = scaled.train
x_val, x_test = scaled.test[:len(val_rows)], scaled.test[len(val_rows):]
y_fit, y_val, y_test = labels[fit_rows], labels[val_rows], labels[test_rows]
print(f"training columns after scaling: largest |mean| {np.abs(x_fit.mean(axis=0)).max():.1e}, "
      f"std {x_fit.std(axis=0).min():.4f} … {x_fit.std(axis=0).max():.4f}")
print("test columns in training units, mean:",
      ", ".join(f"{n}={m:+.2f}" for n, m in zip(datasets.FEATURE_NAMES, x_test.mean(axis=0))
                if abs(m) > 0.25), "(the rest within ±0.25)")
level = prices.unemployment
level_z = (level[test_rows].mean() - level[fit_rows].mean()) / level[fit_rows].std()
print(f"(the unemployment LEVEL, had we used it: {level[fit_rows].min():.1f}–"
      f"{level[fit_rows].max():.1f}% on training rows, {level[test_rows].min():.1f}–"
      f"{level[test_rows].max():.1f}% on test days, a test mean {level_z:+.1f} training std away)")


def share_outside_training_range(train_column, test_column):
    """The fractions of `test_column` below the minimum and above the maximum of `train_column`."""
    return (float(np.mean(test_column < train_column.min())),
            float(np.mean(test_column > train_column.max())))


outside = {name: share_outside_training_range(features[fit_rows, j], features[test_rows, j])
           for j, name in enumerate(datasets.FEATURE_NAMES)}
print(f"\ntest days outside the feature's range on the {len(fit_rows)} rows the network fits:")
print(f"{'feature':<26}{'below its min':>14}{'above its max':>15}")
for name, (below, above) in outside.items():
    print(f"{name:<26}{below:14.1%}{above:15.1%}")
leaving = [f"{name} on {below + above:.1%}" for name, (below, above) in outside.items()
           if below + above > 0]
staying = len(outside) - len(leaving)
print(f"{len(leaving)} of {len(outside)} features leave their training range on some test days"
      + (f" ({', '.join(leaving)} of test days)" if leaving else "")
      + (f"; the other {staying} stay inside it on every test day." if staying else "."))

# %% [markdown]
# ## 6. The honest baselines
#
# Two rules need no model. Always predict "up", or predict that tomorrow repeats today's
# direction, up_{t−1}, which is known at today's close. Scored on the same 654 test days, they
# are the bar — not 50%. ("Up" is the majority class of the test period; which class leads in
# training depends on which training rows you count, as the lines below show.)
#
# How precise is an accuracy measured on n days? Each day is right or wrong, so near 50%
#
#     SE = √(a (1 − a) / n) ≈ √(0.5 · 0.5 / n)
#
# What does a rule with no skill score? One that says "up" on a fraction q of the days,
# whatever happens, is right on average on
#
#     e(q) = q · p + (1 − q) · (1 − p)        p = the test period's up-rate
#
# of them: 1 − p if it always says down, p if it always says up — and a guesser that says "up"
# at the up-rate itself (q = p) expects only p² + (1 − p)², a hair above 50%. So every rule and
# model here is measured from *a coin with its own lean*: z = (accuracy − e(q)) / SE, with the
# one-sided p-value P(Z ≥ z) (normal approximation). The one bar for skill in this lesson is
# e(q) + 2 SE (z ≥ 2, one-sided p ≈ 0.023): below it, luck explains the accuracy. (Always up
# *is* the coin with q = 1, so it sits exactly on its own coin, z = 0: it is the bar a model's
# raw accuracy must beat, not a skill.)

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


def majority_line(name, days):
    """Which class leads on `days` (0/1 labels), and by how many days."""
    up, down = int(days.sum()), int(len(days) - days.sum())
    leader = "up" if up > down else "not up" if down > up else "neither"
    return (f"{name:<34} up on {up}, not up on {down}: majority {leader} "
            f"(by {abs(up - down)} day{'' if abs(up - down) == 1 else 's'})")


section("6. Baselines on the 654 test days")
baselines = datasets.honest_baselines(labels, test_rows)
se, p_up = baselines.standard_error, baselines.up_rate
print(majority_line(f"training period ({len(train_rows)} days)", labels[train_rows]))
print(majority_line(f"rows the network fits ({len(fit_rows)})", labels[fit_rows]))
print(majority_line(f"test period ({len(test_rows)} days)", labels[test_rows]))
print(f"\nbase rate of 'up' on test days p:      {p_up:.2%}")
print(f"always up:                            {baselines.always_up:.2%}")
print(f"yesterday's direction (up_t = up_t-1): {baselines.yesterdays_direction:.2%}")
print(f"standard error of an accuracy on {baselines.n} days: {se:.2%} "
      f"(±2 SE: {2 * se:.1%})")
print(f"a no-skill rule expects from {1 - p_up:.1%} (always down) to {p_up:.1%} (always up); "
      f"one saying 'up' on p of the days expects p² + (1 − p)² = "
      f"{coin_expectation(p_up, p_up):.2%}")
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
print(f"\nyesterday's direction is {yesterday.z:+.1f} SE from a coin with its lean "
      f"({yesterday.coin:.2%}), one-sided p = {yesterday.p_value:.2f}: "
      + ("not significant — on this period, no evidence that the direction persists."
         if yesterday.z < 2 else "above the bar — the direction persisted on this period; "
         "check another period before relying on it."))


# %% [markdown]
# ## 7. The MLP of §4.3, with early stopping
#
# Inputs (11) → Dense(16, ReLU) → Dropout(0.2) → Dense(1, sigmoid), binary cross-entropy, Adam.
# Each epoch `fit` measures the loss on the validation period, and the callback
# `EarlyStopping(monitor="val_loss", patience=…, restore_best_weights=True)` (nanonet.callbacks,
# Keras's rules) stops training when it has not improved for `patience` epochs and puts back the
# weights of the best epoch. `fit` shuffles the training rows among
# themselves each epoch; that is harmless — the split is already made, and each row carries its
# own history in its features.
#
# A yardstick for the loss: a model that always says p = 0.5 scores ln 2 ≈ 0.693. A validation
# loss above that means the network's confidence is worse than no opinion at all.

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


section("7. Training the MLP (Adam, binary cross-entropy, early stopping on the validation period)")
model = build_mlp(options.seed)
model.summary()
curves, best_epoch, stopped = train_with_early_stopping(model, max_epochs, patience)
kept = f"weights of epoch {best_epoch} restored" if stopped else \
    f"no stop within {max_epochs} epochs, so the last epoch's weights are kept (EarlyStopping " \
    f"restores the best only when it stops, as Keras)"
print(f"\ntrained {len(curves['loss'])} epochs (at most {max_epochs}, patience {patience}); "
      f"best validation loss {min(curves['val_loss']):.4f} at epoch {best_epoch} "
      f"(ln 2 = {np.log(2):.4f}); {kept}")
if min(curves["val_loss"]) >= np.log(2):
    print("the validation loss never went below ln 2: on the validation period the network's "
          "probabilities were worse than always saying 0.5")

# %% [markdown]
# ## 8. The verdict on the test period

# %%
def paired_difference(right_a, right_b):
    """Mean and standard error of (a right − b right) per day, for two rules scored on the same
    days (boolean arrays): the paired comparison, which cancels the days both get right or wrong."""
    difference = right_a.astype(np.float64) - right_b
    return float(difference.mean()), float(difference.std(ddof=1) / np.sqrt(len(difference)))


section("8. Test accuracy beside the baselines")
predicted = predict_up(model, x_test)
mlp = against_a_coin(predicted, y_test, se)
train_accuracy = float(np.mean(predict_up(model, x_fit) == y_fit))
print(f"MLP (seed {options.seed}) train accuracy:  {train_accuracy:.2%}")
print(f"MLP (seed {options.seed}) test accuracy:   {mlp.accuracy:.2%} ± {se:.2%} (1 SE), "
      f"on {len(y_test)} days")
print(f"    it predicted 'up' on {mlp.lean:.1%} of test days; balanced accuracy "
      f"{datasets.balanced_accuracy(y_test, predicted):.2%} (0.5 = no skill)")
print(f"baseline always up:                {baselines.always_up:.2%}")
print(f"baseline yesterday's direction:    {baselines.yesterdays_direction:.2%}")

# One seed is one draw. Retrain with other seeds (same data, same recipe; we do NOT pick the best
# one by its test score — that would be fitting to the test set).
seeds_scored = [mlp]
for seed in range(options.seed + 1, options.seed + n_seeds):
    other = build_mlp(seed)
    train_with_early_stopping(other, max_epochs, patience)
    seeds_scored.append(against_a_coin(predict_up(other, x_test), y_test, se))
seed_accuracies = np.array([scored.accuracy for scored in seeds_scored])
print(f"\nthe same MLP with {n_seeds} seeds: test accuracy mean {seed_accuracies.mean():.2%}, "
      f"min {seed_accuracies.min():.2%}, max {seed_accuracies.max():.2%} "
      f"({', '.join(f'{a:.1%}' for a in seed_accuracies)})")

# Each measured from a coin with its own lean (section 6): e(q) = q·p + (1 − q)(1 − p).
print()
print_against_a_coin_header()
for name, scored in rules_scored.items():
    print_against_a_coin(name, scored)
for seed, scored in zip(range(options.seed, options.seed + n_seeds), seeds_scored):
    print_against_a_coin(f"MLP (seed {seed})", scored)
skilled = sum(scored.z >= 2 for scored in seeds_scored)

if mlp.z >= 2:
    verdict = (f"above its bar ({mlp.bar:.1%}, a coin with its lean + 2 SE). Before believing "
               "it, hunt for look-ahead (section 2); then test it on another period — one "
               "good number among many tries can be luck.")
elif mlp.z <= -2:
    verdict = (f"more than 2 SE BELOW a coin with its lean ({mlp.coin:.1%}): what the network "
               "learned from the training years is wrong in the test years.")
else:
    verdict = (f"below its bar ({mlp.bar:.1%}) and within 2 SE of a coin with its lean "
               f"({mlp.coin:.1%}): no evidence of skill.")
best_rule = max(rules, key=lambda name: rules_scored[name].accuracy)
difference, difference_se = paired_difference(predicted == y_test, rules[best_rule] == y_test)
if difference >= 2 * difference_se:
    against_best = "above it by more than 2 SE"
elif difference <= -2 * difference_se:
    against_best = "below it by more than 2 SE"
else:
    against_best = "within 2 SE of it: no detectable difference"
if skilled == 0:
    conclusion = (f"None of the {n_seeds} seeds reaches its bar: daily direction is close to "
                  "unpredictable from the day's prices, volume and (revised) macro data, and "
                  "the article's implicit promise — train an MLP on these inputs and get a "
                  "model that calls tomorrow's move — is not supported.")
else:
    luck = 1 - (1 - one_sided_p(2)) ** n_seeds
    conclusion = (f"{skilled} of {n_seeds} seeds {'reaches its' if skilled == 1 else 'reach their'}"
                  f" bar. Had no seed any skill, at least one of {n_seeds} would pass by luck "
                  f"with probability about {luck:.0%} (were they independent), and the seeds "
                  f"average {seed_accuracies.mean():.1%}: a lead, not a result — one seed's "
                  "score is not the recipe's, and it must hold on another period to count.")
print(f"""
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

# %%
if lesson.figures_available():
    plt = plotting.pyplot()
    dates = prices.dates

    panels = [("IBM close (USD) — a level", "USD", close),
              ("daily return r_t", "r_t", features[:, 0]),
              ("volume change ln(v_t/v_t−1)", "log ratio", features[:, 7]),
              ("WTI return", "return", features[:, 8]),
              ("core CPI, year on year", "fraction", features[:, 9]),
              ("unemployment, change over a year (points)", "points", features[:, 10])]
    figure, axes = plt.subplots(len(panels), 1, figsize=(9, 11), sharex=True)
    for ax, (title, unit, values) in zip(axes, panels):
        ax.plot(dates, values, lw=0.6, color="tab:blue")
        if ax is not axes[0]:
            low, high = values[fit_rows].min(), values[fit_rows].max()
            share = np.mean((values[test_rows] < low) | (values[test_rows] > high))
            for bound in (low, high):
                ax.axhline(bound, color="k", ls="--", lw=0.8)
            title += f" — outside the fitted rows' range (dashed) on {share:.1%} of test days"
        ax.set_ylabel(unit)
        ax.axvspan(dates[val_rows[0]], dates[val_rows[-1]], color="tab:orange", alpha=0.15,
                   label="validation")
        ax.axvspan(dates[test_rows[0]], dates[test_rows[-1]], color="tab:red", alpha=0.15,
                   label="test")
        ax.axvline(dates[test_rows[0]], color="tab:red", lw=1)
        ax.set_title(title, fontsize=9, loc="left")
        ax.grid(alpha=0.3)
    axes[0].axhline(close[train_rows].max(), color="k", ls="--", lw=0.8,
                    label="training maximum")
    axes[0].legend(fontsize=8, loc="upper left")
    axes[-1].set_xlabel("trading day")
    figure.suptitle("Lesson 04: IBM 2000–2013 — the split is by date (train | validation | test)")
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_prices_and_features.png")

    epochs = np.arange(1, len(curves["loss"]) + 1)
    figure, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax_loss.plot(epochs, curves["loss"], label="loss (training)")
    ax_loss.plot(epochs, curves["val_loss"], label="val_loss (validation period)")
    ax_loss.axhline(np.log(2), color="k", ls=":", lw=1, label="ln 2: always p = 0.5")
    ax_acc.plot(epochs, curves["accuracy"], label="accuracy (training)")
    ax_acc.plot(epochs, curves["val_accuracy"], label="val_accuracy")
    ax_acc.axhline(0.5, color="k", ls=":", lw=1, label="50%")
    for ax, ylabel in [(ax_loss, "binary cross-entropy"), (ax_acc, "accuracy")]:
        ax.axvline(best_epoch, color="tab:green", ls="--", lw=1, label=f"best epoch {best_epoch}")
        ax.set(xlabel="epoch", ylabel=ylabel)
        plotting.integer_ticks(ax)
        ax.grid(alpha=0.3)
        plotting.legend_below(ax)
    figure.suptitle("Lesson 04: training curves (early stopping on the validation loss)")
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_training_curves.png")

    names = ["always up", "yesterday's\ndirection", f"MLP\n(seed {options.seed})",
             f"MLP, mean of\n{n_seeds} seeds"]
    values = np.array([baselines.always_up, baselines.yesterdays_direction, mlp.accuracy,
                       seed_accuracies.mean()])
    coins = np.array([rules_scored["always up"].coin, yesterday.coin, mlp.coin,
                      np.mean([scored.coin for scored in seeds_scored])])
    positions = np.arange(len(names))
    figure, ax = plt.subplots(figsize=(7, 4))
    for x, coin in zip(positions, coins):
        ax.fill_between([x - 0.32, x + 0.32], coin - 2 * se, coin + 2 * se, color="0.85",
                        lw=0, label="a coin with the same lean: mean (line) ± 2 SE" if x == 0 else None)
        ax.plot([x - 0.32, x + 0.32], [coin, coin], color="0.5", lw=1)
    ax.axhline(0.5, color="k", ls=":", lw=1, label="50%")
    ax.errorbar(positions, values, yerr=2 * se, fmt="none", ecolor="k", elinewidth=1,
                capsize=6, label="± 2 SE")
    ax.errorbar(positions, values, yerr=se, fmt="o", color="k", ecolor="k", elinewidth=4,
                markersize=7, markerfacecolor="white", label="accuracy ± 1 SE")
    ax.plot(np.full(len(seed_accuracies), positions[-1] - 0.18), seed_accuracies, "_",
            color="tab:blue", markersize=10, label="each seed")
    for x, v in zip(positions, values):
        ax.text(x + 0.12, v, f"{v:.1%}", va="center", fontsize=9)
    ax.set_xticks(positions, names)
    ax.set_xlim(-0.5, len(names) - 0.3)
    shown = np.concatenate([values, seed_accuracies, coins])
    ax.set_ylim(min(0.40, shown.min() - 3 * se), max(0.64, shown.max() + 4 * se))
    ax.set_ylabel(f"accuracy on the {baselines.n} test days")
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    ax.set_title("Lesson 04: the MLP against the rules that need no model")
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_accuracy_vs_baselines.png")

print(f"\nlesson 04 ran in {time.perf_counter() - started:.1f} s")
