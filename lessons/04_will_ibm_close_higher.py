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
import time

import numpy as np

import nanonet as nn
from nanonet import datasets, layers, lesson, optimizers, plotting
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
# same day and the core-CPI and unemployment figures as they had been published by then (two
# months late). It ships inside nanonet — nothing is downloaded — and its bytes are checked
# against their sha256 when loaded. Provenance, licences and pitfalls:
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
# Prices and the CPI trend for 13 years: in the test years IBM's close and core CPI lie above
# anything the network saw in training, so a network fed levels would be asked about inputs it
# never met. So the 11 inputs are returns, ratios and changes:
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
# test years just as the price did.

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
# the same numbers. (Their own means would be a peek at the future.)

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

# %% [markdown]
# ## 6. The honest baselines
#
# Two rules need no model. Always predict "up" (the training period's majority class, by a
# hair). Or predict that tomorrow repeats today's direction, up_{t−1}, which is known at today's
# close. Scored on the same 654 test days, they are the bar — not 50%.
#
# How precise is an accuracy measured on n = 654 days? Each day is right or wrong, so
#
#     SE = √(a (1 − a) / n) ≈ √(0.5 · 0.5 / 654) ≈ 0.0196   — about 2 percentage points.
#
# A rule that guesses with the test period's up-rate lands near 51.8%; luck alone moves it by
# ±2 SE ≈ ±4 points. Anything between about 48% and 56% is consistent with guessing. (A guesser
# that leans to "down" is centred lower, at 48.2% if it always says down — section 8 measures the
# MLP from a coin with the MLP's own lean.)

# %%
section("6. Baselines on the 654 test days")
baselines = datasets.honest_baselines(labels, test_rows)
se = baselines.standard_error
print(f"base rate of 'up' on test days:       {baselines.up_rate:.2%}")
print(f"always up:                            {baselines.always_up:.2%}")
print(f"yesterday's direction (up_t = up_t-1): {baselines.yesterdays_direction:.2%}")
print(f"standard error of an accuracy on {baselines.n} days: {se:.2%} "
      f"(±2 SE: {2 * se:.1%})")
guess_low, guess_high = baselines.always_up - 2 * se, baselines.always_up + 2 * se
print(f"consistent with guessing: {guess_low:.1%} … {guess_high:.1%}")
# the README's numbers, recomputed here
assert round(100 * baselines.always_up, 2) == 51.83
assert round(100 * baselines.yesterdays_direction, 2) == 52.60
assert baselines.n == 654


# %% [markdown]
# ## 7. The MLP of §4.3, with early stopping
#
# Inputs (11) → Dense(16, ReLU) → Dropout(0.2) → Dense(1, sigmoid), binary cross-entropy, Adam.
# Each epoch we measure the loss on the validation period; training stops when it has not
# improved for `patience` epochs, and the weights of the best epoch are restored (what Keras's
# `EarlyStopping(restore_best_weights=True)` does). `fit` shuffles the training rows among
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
    """One epoch at a time; keep the weights with the lowest validation loss."""
    curves = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
    best_loss, best_epoch, best_weights = np.inf, 0, model.get_weights()
    for epoch in range(1, max_epochs + 1):
        history = model.fit(x_fit, y_fit, epochs=1, batch_size=32, verbose=0,
                            validation_data=(x_val, y_val))
        for key in curves:
            curves[key].append(history.history[key][-1])
        if curves["val_loss"][-1] < best_loss:
            best_loss, best_epoch, best_weights = curves["val_loss"][-1], epoch, model.get_weights()
        elif epoch - best_epoch >= patience:
            break
    model.set_weights(best_weights)
    return curves, best_epoch


def predict_up(model, x):
    """1 where the model says P(up) > 0.5."""
    return (model.predict(x)[:, 0] > 0.5).astype(np.int8)


section("7. Training the MLP (Adam, binary cross-entropy, early stopping on the validation period)")
model = build_mlp(options.seed)
model.summary()
curves, best_epoch = train_with_early_stopping(model, max_epochs, patience)
print(f"\ntrained {len(curves['loss'])} epochs (at most {max_epochs}, patience {patience}); "
      f"best validation loss {min(curves['val_loss']):.4f} at epoch {best_epoch} "
      f"(ln 2 = {np.log(2):.4f}); weights of epoch {best_epoch} restored")
if min(curves["val_loss"]) >= np.log(2):
    print("the validation loss never went below ln 2: on the validation period the network's "
          "probabilities were worse than always saying 0.5")

# %% [markdown]
# ## 8. The verdict on the test period

# %%
section("8. Test accuracy beside the baselines")
predicted = predict_up(model, x_test)
mlp_accuracy = float(np.mean(predicted == y_test))
train_accuracy = float(np.mean(predict_up(model, x_fit) == y_fit))
print(f"MLP (seed {options.seed}) train accuracy:  {train_accuracy:.2%}")
print(f"MLP (seed {options.seed}) test accuracy:   {mlp_accuracy:.2%} ± {se:.2%} (1 SE), "
      f"on {len(y_test)} days")
print(f"    it predicted 'up' on {predicted.mean():.1%} of test days; balanced accuracy "
      f"{datasets.balanced_accuracy(y_test, predicted):.2%} (0.5 = no skill)")
print(f"baseline always up:                {baselines.always_up:.2%}")
print(f"baseline yesterday's direction:    {baselines.yesterdays_direction:.2%}")

# One seed is one draw. Retrain with other seeds (same data, same recipe; we do NOT pick the best
# one by its test score — that would be fitting to the test set).
seed_accuracies = [mlp_accuracy]
for seed in range(options.seed + 1, options.seed + n_seeds):
    other = build_mlp(seed)
    train_with_early_stopping(other, max_epochs, patience)
    seed_accuracies.append(float(np.mean(predict_up(other, x_test) == y_test)))
seed_accuracies = np.array(seed_accuracies)
print(f"\nthe same MLP with {n_seeds} seeds: test accuracy mean {seed_accuracies.mean():.2%}, "
      f"min {seed_accuracies.min():.2%}, max {seed_accuracies.max():.2%} "
      f"({', '.join(f'{a:.1%}' for a in seed_accuracies)})")

# A model with no skill that says "up" on a fraction q of the days is right, on average, on
#     e = q · p_up + (1 − q) · (1 − p_up)
# of them: between 48.2% (always down) and 51.8% (always up). Measure the MLP from that.
q = float(predicted.mean())
coin = q * baselines.up_rate + (1 - q) * (1 - baselines.up_rate)
z = (mlp_accuracy - coin) / se
best_rule = max(baselines.always_up, baselines.yesterdays_direction)
print(f"\na coin that says 'up' on {q:.1%} of days, like this MLP, expects {coin:.2%}; "
      f"the MLP is {z:+.1f} SE from it")
if z >= 2:
    verdict = (f"more than 2 SE above a coin with its lean ({coin:.1%}). Before believing "
               "it, hunt for look-ahead (section 2); then test it on another period — one "
               "good number among many tries can be luck.")
elif z <= -2:
    verdict = (f"more than 2 SE BELOW a coin with its lean ({coin:.1%}): what the network "
               "learned from the training years is wrong in the test years.")
else:
    verdict = f"within 2 SE of a coin with its lean ({coin:.1%}): no evidence of skill."
print(f"""
What it means. An accuracy on {baselines.n} test days carries a standard error of about \
{100 * se:.1f} points, so
anything from {guess_low:.1%} to {guess_high:.1%} (always-up ± 2 SE) is what guessing produces, \
and a model
would have to clear {guess_high:.1%} — not 50% — before it showed any skill. The MLP's \
{mlp_accuracy:.1%} is {verdict}
It {"does not beat" if mlp_accuracy <= best_rule else "is above, but within noise of,"} the best \
no-model rule ({best_rule:.1%}); across {n_seeds} seeds it averaged {seed_accuracies.mean():.1%}.
Daily direction is close to unpredictable from the day's prices, volume and published macro data.
The article's implicit promise — train an MLP on these inputs and get a model that calls \
tomorrow's move — is not supported.""")

# %% [markdown]
# ## Figures
#
# 1. The price (a level that drifts out of its training range) and the features (changes that
#    stay in range), with the validation and test periods shaded.
# 2. The training curves: the training loss falls, the validation loss does not follow — the
#    network fits noise.
# 3. The accuracies with ±2 SE bars: every bar overlaps the band that guessing produces.

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
        ax.grid(alpha=0.3)
        plotting.legend_below(ax)
    figure.suptitle("Lesson 04: training curves (early stopping on the validation loss)")
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_training_curves.png")

    names = ["always up", "yesterday's\ndirection", f"MLP\n(seed {options.seed})",
             f"MLP, mean of\n{n_seeds} seeds"]
    values = np.array([baselines.always_up, baselines.yesterdays_direction, mlp_accuracy,
                       seed_accuracies.mean()])
    positions = np.arange(len(names))
    figure, ax = plt.subplots(figsize=(7, 4))
    ax.axhspan(guess_low, guess_high, color="0.88", label="always-up ± 2 SE: guessing")
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
    ax.set_ylim(0.40, 0.64)
    ax.set_ylabel(f"accuracy on the {baselines.n} test days")
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    ax.set_title("Lesson 04: the MLP against the rules that need no model")
    figure.tight_layout()
    lesson.save_figure(figure, options, "04_accuracy_vs_baselines.png")

print(f"\nlesson 04 ran in {time.perf_counter() - started:.1f} s")
