"""nanonet.augment: shapes, dtypes, pads and ids kept; reproducible; identity at rate/σ 0;
statistics within binomial / normal bounds on large arrays; compose order; errors; fit hook.

The token-id strategies live here (not in strategies.py) because only this module uses them.
"""
from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nanonet as nn
from nanonet import augment, layers
from nanonet.augment import (add_jitter, apply_augment, compose, crop_tokens, drop_tokens,
                             jitter, random_crop, replace_tokens, scale_features, scaling,
                             token_dropout, token_replace)
from strategies import batch_shapes, float64_arrays, seeds

ID_DTYPES = [np.int32, np.int64, np.int16, np.uint8, np.uint16]
FLOAT_DTYPES = [np.float16, np.float32, np.float64]


# ---------------------------------------------------------------------------- strategies
def pad_rows(rows, steps, dtype, padding="pre"):
    """A (len(rows), steps) array of `dtype`: each row's ids against the end ("pre") or start."""
    ids = np.zeros((len(rows), steps), dtype=dtype)
    for n, row in enumerate(rows):
        if row:
            where = slice(steps - len(row), steps) if padding == "pre" else slice(0, len(row))
            ids[n, where] = row
    return ids


@st.composite
def padded_ids(draw, padding="pre", internal_pads=False):
    """(ids (N, T) of a random int dtype, padded with 0; vocab_size > every id)."""
    dtype = draw(st.sampled_from(ID_DTYPES))
    vocab = draw(st.integers(2, 60))
    steps = draw(st.integers(1, 8))
    token = st.integers(0 if internal_pads else 1, vocab - 1)
    rows = draw(st.lists(st.lists(token, max_size=steps), min_size=1, max_size=5))
    return pad_rows(rows, steps, dtype, padding), vocab


rates = st.floats(0.0, 1.0)


def span(row, pad_id=0):
    """A 1-D row's real tokens: from its first to its last non-pad id."""
    real = np.flatnonzero(row != pad_id)
    return row[real[0]:real[-1] + 1] if real.size else row[:0]


def is_subsequence(small, big) -> bool:
    items = iter(big.tolist())
    return all(any(a == b for b in items) for a in small.tolist())


def is_window(small, big) -> bool:
    k = len(small)
    return any(np.array_equal(big[i:i + k], small) for i in range(len(big) - k + 1))


# ---------------------------------------------------------------------------- token ids
@given(padded_ids(internal_pads=True), rates, seeds)
def test_token_dropout_replace_keeps_shape_dtype_pads_and_only_pads_real_ids(case, rate, seed):
    ids, _ = case
    before = ids.copy()
    out = drop_tokens(ids, rate, seed)
    assert out.shape == ids.shape and out.dtype == ids.dtype
    np.testing.assert_array_equal(ids, before)                     # input untouched
    assert (out[ids == 0] == 0).all()                              # pads stay pads
    changed = out != ids
    assert (out[changed] == 0).all()                               # a change is always to pad


@given(padded_ids(), rates, seeds, st.sampled_from(["pre", "post"]))
def test_token_dropout_drop_mode_closes_up_the_kept_tokens_in_order(case, rate, seed, padding):
    ids, _ = case
    ids = pad_rows([span(row).tolist() for row in ids], ids.shape[1], ids.dtype, padding)
    before = ids.copy()
    out = drop_tokens(ids, rate, seed, mode="drop", padding=padding)
    assert out.shape == ids.shape and out.dtype == ids.dtype
    np.testing.assert_array_equal(ids, before)
    for row_in, row_out in zip(ids, out):
        kept = row_out[row_out != 0]
        assert is_subsequence(kept, span(row_in))
        # the kept tokens sit against the end ("pre") or the start ("post"), pads elsewhere
        expected = pad_rows([kept.tolist()], len(row_in), ids.dtype, padding)[0]
        np.testing.assert_array_equal(row_out, expected)


def drop_reference(ids, u, rate, mode, padding):
    """drop_tokens's documented rule, one row at a time, from the uniforms u it draws."""
    out = ids.copy()
    for n, row in enumerate(ids):
        dropped = (row != 0) & (u[n] < rate)
        if mode == "replace":
            out[n][dropped] = 0
            continue
        real = np.flatnonzero(row != 0)
        first, stop = (real[0], real[-1] + 1) if real.size else (0, 0)
        kept = [int(row[t]) for t in range(first, stop) if not dropped[t]]    # inner pads stay
        out[n] = pad_rows([kept], len(row), ids.dtype, padding)[0]
    return out


@given(padded_ids(internal_pads=True), rates, seeds, st.sampled_from(["replace", "drop"]),
       st.sampled_from(["pre", "post"]))
def test_token_dropout_follows_its_rule_with_inner_pads(case, rate, seed, mode, padding):
    ids, _ = case
    u = np.random.default_rng(seed).random(ids.shape)
    expected = drop_reference(ids, u, rate, mode, padding)
    np.testing.assert_array_equal(drop_tokens(ids, rate, seed, mode=mode, padding=padding),
                                  expected)


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_token_dropout_drop_mode_keeps_the_order_of_long_rows(padding):
    ids = np.tile(np.arange(1, 101, dtype=np.int32), (30, 1))
    ids[::3, 40] = 0                                               # an inner pad in some rows
    out = drop_tokens(ids, 0.3, 2, mode="drop", padding=padding)
    u = np.random.default_rng(2).random(ids.shape)
    np.testing.assert_array_equal(out, drop_reference(ids, u, 0.3, "drop", padding))
    for row in out:
        real = row[row != 0]
        assert (np.diff(real) > 0).all()


def test_token_dropout_drop_mode_example():
    ids = np.array([[0, 0, 1, 2, 3, 4]], dtype=np.int32)
    rng = np.random.default_rng(0)
    u = np.random.default_rng(0).random(ids.shape)
    out = drop_tokens(ids, 0.5, rng, mode="drop")
    kept = ids[0][(ids[0] != 0) & ~(u[0] < 0.5)]
    np.testing.assert_array_equal(out[0], pad_rows([kept.tolist()], 6, np.int32)[0])
    assert 0 < len(kept) < 4                                      # the seed drops some, not all


@given(padded_ids(internal_pads=True), rates, seeds, st.integers(1, 3))
def test_token_replace_keeps_pads_and_draws_valid_ids(case, rate, seed, low):
    ids, vocab = case
    vocab = max(vocab, low + 1)
    before = ids.copy()
    out = replace_tokens(ids, rate, vocab, seed, low=low)
    assert out.shape == ids.shape and out.dtype == ids.dtype
    np.testing.assert_array_equal(ids, before)
    assert (out[ids == 0] == 0).all() and (out[ids != 0] != 0).all()
    assert out.min() >= 0 and out.max() < vocab
    changed = out != ids
    assert (out[changed] >= low).all()


@given(padded_ids(), st.integers(1, 8), seeds, st.sampled_from(["pre", "post"]))
def test_random_crop_gives_a_window_of_each_span_re_padded(case, length, seed, padding):
    ids, _ = case
    length = min(length, ids.shape[1])
    before = ids.copy()
    out = crop_tokens(ids, length, seed, padding=padding)
    assert out.shape == ids.shape and out.dtype == ids.dtype
    np.testing.assert_array_equal(ids, before)
    for row_in, row_out in zip(ids, out):
        real_in, real_out = span(row_in), span(row_out)
        assert len(real_out) == min(length, len(real_in))
        assert is_window(real_out, real_in)
        expected = pad_rows([real_out.tolist()], len(row_in), ids.dtype, padding)[0]
        np.testing.assert_array_equal(row_out, expected)


def test_random_crop_keeps_internal_pads_inside_the_window():
    ids = np.array([[0, 0, 5, 0, 6, 7]], dtype=np.int64)       # span [5, 0, 6, 7]
    outs = {tuple(crop_tokens(ids, 3, seed)[0]) for seed in range(40)}
    assert outs == {(0, 0, 0, 5, 0, 6), (0, 0, 0, 0, 6, 7)}


@given(padded_ids(internal_pads=True), seeds)
def test_rate_zero_and_long_crops_are_the_identity(case, seed):
    ids, vocab = case
    for augmenter in [token_dropout(0.0), token_dropout(0.0, mode="drop"),
                      token_replace(0.0, vocab)]:
        out, _ = augmenter(ids, None, np.random.default_rng(seed))
        np.testing.assert_array_equal(out, ids)
        assert out.dtype == ids.dtype
    pre_padded = pad_rows([span(row).tolist() for row in ids], ids.shape[1], ids.dtype)
    out = crop_tokens(pre_padded, ids.shape[1], seed)
    np.testing.assert_array_equal(out, pre_padded)


def test_rate_one_drops_every_real_token_and_replace_one_redraws_all():
    ids = np.arange(1, 41, dtype=np.int32).reshape(4, 10)
    ids[:, :3] = 0
    assert (drop_tokens(ids, 1.0, 0) == 0).all()
    assert (drop_tokens(ids, 1.0, 0, mode="drop") == 0).all()
    out = replace_tokens(ids, 1.0, 1000, 0)
    assert (out[:, :3] == 0).all() and (out[:, 3:] != ids[:, 3:]).mean() > 0.95


# ---------------------------------------------------------------------------- statistics
def binomial_bound(n: int, p: float, z: float = 5.0) -> float:
    return z * math.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("mode", ["replace", "drop"])
def test_fraction_dropped_is_rate_within_a_binomial_bound(mode):
    ids = np.random.default_rng(1).integers(1, 50, size=(200, 60)).astype(np.int32)
    ids[:, :10] = 0                                                  # 200 × 50 real tokens
    real = 200 * 50
    rate = 0.3
    out = drop_tokens(ids, rate, 7, mode=mode)
    dropped = int((out == 0).sum()) - 200 * 10
    assert abs(dropped - rate * real) < binomial_bound(real, rate), dropped


def test_token_replace_changes_rate_times_the_chance_of_a_new_id_and_draws_uniformly():
    vocab, low, rate = 6, 1, 0.4
    ids = np.full((300, 100), 3, dtype=np.int64)
    out = replace_tokens(ids, rate, vocab, 11, low=low)
    p_change = rate * (1 - 1 / (vocab - low))                      # a draw may repeat the id
    changed = int((out != ids).sum())
    assert abs(changed - p_change * ids.size) < binomial_bound(ids.size, p_change), changed
    counts = np.bincount(out[out != 3], minlength=vocab)           # the 4 other ids, evenly
    assert counts[0] == 0 and counts[3] == 0
    share = rate / (vocab - low)
    for value in (1, 2, 4, 5):
        assert abs(counts[value] - share * ids.size) < binomial_bound(ids.size, share), counts


def test_random_crop_start_is_uniform_over_the_possible_windows():
    rows = 7000
    ids = np.tile(np.r_[0, 0, np.arange(1, 11)], (rows, 1)).astype(np.int32)  # L=10 in T=12
    out = crop_tokens(ids, 4, 3)
    starts = out[:, -4] - 1                                        # first id of the window
    assert (out[:, :-4] == 0).all()
    counts = np.bincount(starts, minlength=7)
    assert len(counts) == 7                                        # starts 0..L-length
    p = 1 / 7
    assert (np.abs(counts - rows * p) < binomial_bound(rows, p)).all(), counts


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_jitter_noise_has_mean_zero_and_std_sigma(dtype):
    x = np.random.default_rng(0).standard_normal((500, 20, 10)).astype(dtype)
    sigma = 0.25
    noise = (add_jitter(x, sigma, 5) - x).astype(np.float64)
    n = noise.size
    assert abs(noise.mean()) < 5 * sigma / math.sqrt(n)
    assert abs(noise.std() / sigma - 1) < 5 / math.sqrt(2 * n) + 1e-3


def test_scaling_one_factor_per_sample_with_std_sigma():
    x = np.random.default_rng(0).uniform(1, 2, size=(20000, 5, 3)).astype(np.float64)
    sigma = 0.2
    ratio = scale_features(x, sigma, 9) / x
    factor = ratio[:, 0, 0]
    np.testing.assert_allclose(ratio, np.broadcast_to(factor[:, None, None], x.shape),
                               rtol=1e-12)
    n = len(factor)
    assert abs(factor.mean() - 1) < 5 * sigma / math.sqrt(n)
    assert abs(factor.std() / sigma - 1) < 5 / math.sqrt(2 * n)


def test_scaling_per_feature_is_constant_over_time_and_differs_between_features():
    x = np.random.default_rng(0).uniform(1, 2, size=(2000, 6, 3))
    ratio = scale_features(x, 0.2, 4, per_feature=True) / x
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[:, :1, :], x.shape), rtol=1e-12)
    assert np.corrcoef(ratio[:, 0, 0], ratio[:, 0, 1])[0, 1] < 0.1  # independent factors
    flat = scale_features(x[:, 0, :], 0.2, 4, per_feature=True) / x[:, 0, :]
    assert flat.std(axis=0).min() > 0.15 and np.ptp(flat, axis=1).max() > 0


# ---------------------------------------------------------------------------- numeric features
@given(batch_shapes().flatmap(lambda shape: float64_arrays(shape)),
       st.sampled_from(FLOAT_DTYPES), st.floats(0.0, 2.0), seeds, st.booleans())
def test_numeric_augmenters_keep_shape_and_dtype(x, dtype, sigma, seed, per_feature):
    x = x.astype(dtype)
    before = x.copy()
    for augmenter in [jitter(sigma), scaling(sigma, per_feature=per_feature)]:
        out, _ = augmenter(x, None, np.random.default_rng(seed))
        assert out.shape == x.shape and out.dtype == x.dtype, augmenter
        assert np.isfinite(out).all()
        np.testing.assert_array_equal(x, before)


@given(batch_shapes().flatmap(lambda shape: float64_arrays(shape)),
       st.sampled_from(FLOAT_DTYPES), seeds)
def test_sigma_zero_is_the_identity(x, dtype, seed):
    x = x.astype(dtype)
    for augmenter in [jitter(0.0), scaling(0.0), scaling(0, per_feature=True)]:
        out, _ = augmenter(x, None, np.random.default_rng(seed))
        np.testing.assert_array_equal(out, x)
        assert out.dtype == x.dtype


# ---------------------------------------------------------------------------- reproducibility, y
def all_augmenters(vocab=30):
    return {
        "token_dropout": (token_dropout(0.3), "ids"),
        "token_dropout_drop": (token_dropout(0.3, mode="drop"), "ids"),
        "token_replace": (token_replace(0.3, vocab), "ids"),
        "random_crop": (random_crop(5), "ids"),
        "jitter": (jitter(0.1), "x"),
        "scaling": (scaling(0.1), "x"),
        "scaling_per_feature": (scaling(0.1, per_feature=True), "x"),
        "compose": (compose(token_dropout(0.2), token_replace(0.2, vocab), random_crop(5)),
                    "ids"),
    }


def example_data(kind):
    rng = np.random.default_rng(123)
    if kind == "ids":
        ids = rng.integers(1, 30, size=(16, 12)).astype(np.int32)
        ids[np.arange(12) < rng.integers(0, 8, size=(16, 1))] = 0        # pre-padding
        return ids
    return rng.standard_normal((16, 12, 3)).astype(np.float32)


@pytest.mark.parametrize("name", list(all_augmenters()))
def test_same_seed_same_output_other_seed_other_output_and_y_untouched(name):
    augmenter, kind = all_augmenters()[name]
    x = example_data(kind)
    y = np.arange(16, dtype=np.float32)
    out_1, y_1 = apply_augment(augmenter, x, y, seed=42)
    out_2, y_2 = augmenter(x, y, np.random.default_rng(42))
    out_3, _ = apply_augment(augmenter, x, y, seed=43)
    assert out_1.tobytes() == out_2.tobytes() and out_1.dtype == out_2.dtype == x.dtype
    assert not np.array_equal(out_1, out_3)
    assert not np.array_equal(out_1, x)
    assert y_1 is y and y_2 is y
    np.testing.assert_array_equal(y, np.arange(16))


def test_augmenters_advance_the_generator_so_batches_differ():
    rng = np.random.default_rng(0)
    x = example_data("x")
    first, _ = jitter(0.1)(x, None, rng)
    second, _ = jitter(0.1)(x, None, rng)
    assert not np.array_equal(first, second)


# ---------------------------------------------------------------------------- compose
def plus_one(x, y, rng):
    return x + 1, y


def double(x, y, rng):
    return x * 2, y


def label_flip(x, y, rng):
    return x, 1 - y


def test_compose_applies_in_order():
    x = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(compose(plus_one, double)(x, None, None)[0], [[4.0, 6.0]])
    np.testing.assert_array_equal(compose(double, plus_one)(x, None, None)[0], [[3.0, 5.0]])
    out, y = compose()(x, np.ones(1), None)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(compose(label_flip, label_flip, label_flip)(x, y, None)[1],
                                  [0.0])


def test_compose_shares_one_generator_in_order():
    x = example_data("x")
    both = apply_augment(compose(jitter(0.1), scaling(0.2)), x, None, seed=5)[0]
    rng = np.random.default_rng(5)
    manual = scaling(0.2)(*jitter(0.1)(x, None, rng), rng)[0]
    assert both.tobytes() == manual.tobytes()
    swapped = apply_augment(compose(scaling(0.2), jitter(0.1)), x, None, seed=5)[0]
    assert not np.array_equal(both, swapped)


def test_augmenters_print_as_the_call_that_made_them():
    text = repr(compose(token_dropout(0.1), random_crop(4), plus_one))
    assert text == ("compose(token_dropout(0.1, pad_id=0, mode='replace'), "
                    "random_crop(4, pad_id=0, padding='pre'), plus_one)")


# ---------------------------------------------------------------------------- errors
IDS = np.array([[0, 1, 2], [3, 4, 5]], dtype=np.int32)
FEATURES = np.zeros((2, 3), dtype=np.float32)
RNG = np.random.default_rng(0)

ERRORS = [
    (lambda: token_dropout(-0.1), ValueError, r"token_dropout: rate must be in \[0.0, 1.0\]"),
    (lambda: token_dropout(1.5), ValueError, r"rate must be in \[0.0, 1.0\], got 1.5"),
    (lambda: token_dropout(float("nan")), ValueError, r"rate must be finite"),
    (lambda: token_dropout("0.1"), TypeError, r"rate must be a number"),
    (lambda: token_dropout(0.1, mode="delete"), ValueError, r"mode 'delete'.*drop, replace"),
    (lambda: token_dropout(0.1, padding="left"), ValueError, r"padding 'left'"),
    (lambda: token_replace(0.1, 1), ValueError, r"vocab_size=1 is too small.*\[1, 1\)"),
    (lambda: token_replace(0.1, 5, low=5), ValueError, r"vocab_size=5 is too small"),
    (lambda: token_replace(0.1, 5, low=0), ValueError, r"pad_id=0 lies in \[low, vocab_size\)"),
    (lambda: token_replace(1.01, 5), ValueError, r"token_replace: rate"),
    (lambda: random_crop(0), ValueError, r"random_crop: length must be >= 1"),
    (lambda: random_crop(2.5), TypeError, r"length must be an integer"),
    (lambda: jitter(-1.0), ValueError, r"jitter: sigma must be in \[0.0, inf\), got -1.0"),
    (lambda: scaling(0.1, per_feature="yes"), TypeError, r"per_feature must be True or False"),
    (lambda: token_dropout(0.1)(IDS.astype(np.float32), None, RNG), TypeError,
     r"token_dropout: ids must hold integer token ids, got dtype float32.*astype"),
    (lambda: token_dropout(0.1)(IDS > 0, None, RNG), TypeError, r"integer token ids.*bool"),
    (lambda: token_dropout(0.1)(IDS[0], None, RNG), ValueError,
     r"ids must have 2 dimensions.*got shape \(3,\)"),
    (lambda: random_crop(2)(IDS[None], None, RNG), ValueError, r"random_crop: ids must have 2"),
    (lambda: random_crop(4)(IDS, None, RNG), ValueError, r"length=4 is longer than .*T=3"),
    (lambda: token_replace(0.1, 5)(IDS, None, RNG), ValueError,
     r"token id 5 at ids\[1, 2\] is not in \[0, 5\)"),
    (lambda: token_dropout(0.1)(-IDS, None, RNG), ValueError, r"token id -1 at ids\[0, 1\]"),
    (lambda: token_replace(0.1, 300)(IDS.astype(np.uint8), None, RNG), ValueError,
     r"dtype uint8 .* cannot hold ids up to vocab_size - 1 = 299"),
    (lambda: jitter(0.1)(IDS, None, RNG), TypeError, r"jitter: x must hold float features"),
    (lambda: scaling(0.1)(FEATURES[0], None, RNG), ValueError,
     r"scaling: x must have 2 or 3 dimensions"),
    (lambda: jitter(0.1)(np.full((2, 2), np.nan), None, RNG), ValueError, r"contains nan"),
    (lambda: drop_tokens(IDS, 0.1, np.random.RandomState(0)), TypeError,
     r"rng must be a np.random.Generator or an int seed"),
    (lambda: apply_augment(jitter(0.1), FEATURES, seed=-1), TypeError, r"seed must be"),
    (lambda: apply_augment(jitter, FEATURES), TypeError, r"the function jitter itself"),
    (lambda: compose(jitter(0.1), 0.5), TypeError, r"augmenters\[1\] must be a function"),
    (lambda: compose(token_dropout), TypeError, r"augmenters\[0\] is the function token_drop"),
    (lambda: compose(lambda x, y, rng: x)(IDS, None, RNG), TypeError,
     r"augmenters\[0\] \(<lambda>\) returned ndarray.*pair \(x, y\)"),
    (lambda: compose(lambda x, y, rng: [x, y, 1])(IDS, None, RNG), TypeError,
     r"returned a list of length 3"),
]


@pytest.mark.parametrize("call, error, message", ERRORS,
                         ids=[str(i) for i in range(len(ERRORS))])
def test_bad_input_gives_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_array_versions_name_themselves_in_errors():
    with pytest.raises(ValueError, match=r"^drop_tokens: rate"):
        drop_tokens(IDS, 2.0, 0)
    with pytest.raises(ValueError, match=r"^replace_tokens: vocab_size=1"):
        replace_tokens(IDS, 0.1, 1, 0)
    with pytest.raises(TypeError, match=r"^add_jitter: x must hold float"):
        add_jitter(IDS, 0.1, 0)
    assert set(augment.__all__) >= {"token_dropout", "compose", "apply_augment"}


# ---------------------------------------------------------------------------- in fit
FIT_HAS_AUGMENT = "augment" in inspect.signature(nn.Sequential.fit).parameters
needs_fit_augment = pytest.mark.skipif(not FIT_HAS_AUGMENT,
                                       reason="Sequential.fit(augment=...) not there yet")


def tiny_text_model(seed=0):
    model = nn.Sequential([layers.Embedding(30, 4, mask_zero=True), layers.LSTM(3),
                           layers.Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@needs_fit_augment
def test_fit_calls_the_augmenter_on_every_batch_with_the_models_stream():
    x = example_data("ids")
    y = (x.sum(axis=1) % 2).astype(np.float32)
    before = x.copy()

    def run(seed):
        seen = []

        def spy(xb, yb, rng):
            assert isinstance(rng, np.random.Generator)
            out, yb = token_dropout(0.5)(xb, yb, rng)
            seen.append(out)
            return out, yb
        model = tiny_text_model(seed)
        model.fit(x, y, epochs=2, batch_size=5, verbose=0, shuffle=False, augment=spy)
        return seen, model.get_weights()

    seen_a, weights_a = run(0)
    seen_b, weights_b = run(0)
    assert len(seen_a) == 2 * 4                                    # 2 epochs × ceil(16 / 5)
    np.testing.assert_array_equal(x, before)                       # training data untouched
    assert all(a.tobytes() == b.tobytes() for a, b in zip(seen_a, seen_b))
    assert all(a.tobytes() == b.tobytes() for a, b in zip(weights_a, weights_b))
    assert not np.array_equal(seen_a[0], seen_a[4])                # epochs differ


@needs_fit_augment
def test_fit_with_zero_jitter_trains_exactly_as_without_augmentation():
    x = example_data("x").reshape(16, -1)
    y = (x[:, 0] > 0).astype(np.float32)

    def weights(**augment):
        model = nn.Sequential([layers.Dense(4, activation="tanh"),
                               layers.Dense(1, activation="sigmoid")], seed=3)
        model.compile(optimizer="sgd", loss="binary_crossentropy")
        model.fit(x, y, epochs=2, batch_size=4, verbose=0, **augment)
        return model.get_weights()

    plain = weights()
    for a, b in zip(plain, weights(augment=compose(jitter(0.0), scaling(0.0)))):
        assert a.tobytes() == b.tobytes()
    noisy = weights(augment=compose(jitter(0.3), scaling(0.2)))
    assert not all(np.array_equal(a, b) for a, b in zip(plain, noisy))
