"""The two training hooks of issue 9 (pruning and data augmentation rely on them):

- ``layer.weight_masks``: pruned weights stay exactly 0 through fit / train_on_batch, and the
  optimizer's slots stay 0 there;
- ``fit(..., augment=f)``: f(x_batch, y_batch, rng) is applied to every training batch, with the
  model's own random stream (the 4th child of its seed), checked, saved and restored;

and the guarantee that adding the augmentation stream changed no existing seeded result.
"""
import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, optimizers

# ----------------------------------------------------------------------------- golden
#: made by the code before the augmentation stream existed (SeedSequence(seed).spawn(3)):
#: Dense(3, tanh) → Dropout(0.3) → Dense(1, sigmoid), seed=11, Adam, BCE, x = linspace, fit
#: 3 epochs with batch_size=4 (shuffling and dropout on). Exact float32 values, as float.hex.
GOLDEN_INITIAL = [
    "0x1.b5ffb80000000p-1", "0x1.7d3cc00000000p-1", "0x1.763a5c0000000p-2",
    "-0x1.2f494c0000000p-1", "0x1.c231100000000p-2", "-0x1.bb649c0000000p-2", "0x0.0p+0",
    "0x0.0p+0", "0x0.0p+0", "-0x1.1950e00000000p+0", "0x1.16f3a80000000p+0",
    "-0x1.8756620000000p-2", "0x0.0p+0"]
GOLDEN_TRAINED = [
    "0x1.b194920000000p-1", "0x1.80c1140000000p-1", "0x1.6d9e720000000p-2",
    "-0x1.33acaa0000000p-1", "0x1.c9ab400000000p-2", "-0x1.c3f6920000000p-2",
    "0x1.11541c0000000p-8", "0x1.2f33080000000p-8", "0x1.80e13a0000000p-10",
    "-0x1.1722380000000p+0", "0x1.18b7320000000p+0", "-0x1.8f29b00000000p-2",
    "-0x1.efb8880000000p-11"]
GOLDEN_LOSSES = ["0x1.5193a26666666p-1", "0x1.1f81b13333333p-1", "0x1.25ef086666666p-1"]


def hexes(arrays):
    return [float(v).hex() for array in arrays for v in np.ravel(array)]


def from_hexes(values, dtype):
    return np.array([float.fromhex(v) for v in values], dtype=dtype)


#: The golden numbers were recorded on one CPU (AVX-512). The initial weights are uniform draws
#: scaled by one constant — every operation correctly rounded, the same bits on any CPU — so they
#: are compared exactly. Training sums over a batch and multiplies matrices, whose rounding
#: depends on the SIMD loops and BLAS kernel the CPU gets (AVX2 vs AVX-512 changes the order of
#: additions), so the trained weights and the epoch losses are compared within a few units in
#: the last place: 8 float32 ulps for the weights, 1e-6 relative for the losses (float32
#: arithmetic, ~6e-8 per operation, over a few dozen operations). A changed random stream moves
#: every number by far more (at least 1e-3 here): the test still fails if the augmentation stream
#: changed any seeded result. Bit-identity on one machine is tested in test_reproducibility.py.
TRAINED_MAX_ULP = 8
LOSS_RTOL = 1e-6


def test_seeded_results_are_those_from_before_the_augmentation_stream():
    model = nn.Sequential([layers.Dense(3, activation="tanh", input_shape=(2,)),
                           layers.Dropout(0.3), layers.Dense(1, activation="sigmoid")], seed=11)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert hexes(model.get_weights()) == GOLDEN_INITIAL
    x = np.linspace(-1, 1, 20, dtype=np.float32).reshape(10, 2)
    y = (x[:, 0] > -0.1).astype(np.float32)
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    trained = np.concatenate([np.ravel(w) for w in model.get_weights()])
    np.testing.assert_array_max_ulp(trained, from_hexes(GOLDEN_TRAINED, np.float32),
                                    maxulp=TRAINED_MAX_ULP)
    np.testing.assert_allclose(history.history["loss"], from_hexes(GOLDEN_LOSSES, np.float64),
                               rtol=LOSS_RTOL, atol=0)


# ----------------------------------------------------------------------------- data, models
def separable(n=48, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    return x, (x @ np.linspace(-1, 1, features) > 0).astype(np.float32)


def dense_model(optimizer="adam", seed=0, dtype="float32", dropout=0.0):
    model = nn.Sequential([layers.Dense(6, activation="tanh", input_shape=(4,)),
                           layers.Dropout(dropout), layers.Dense(1, activation="sigmoid")],
                          seed=seed, dtype=dtype)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def prune(model, fraction=0.5):
    """Masks keeping the largest |w| of every kernel; returns {(layer index, name): mask}."""
    masks = {}
    for index, layer in enumerate(model.layers):
        if "kernel" in layer.params:
            kernel = model.get_weights()[0 if index == 0 else 2]
            mask = np.abs(kernel) > np.quantile(np.abs(kernel), fraction)
            layer.weight_masks = {"kernel": mask}
            masks[index, "kernel"] = mask
    return masks


def flat_keep(model):
    """The masks laid out like the optimizer's flat slots (get_weights() order)."""
    return np.concatenate([getattr(layer, "weight_masks", {}).get(name, np.ones(p.shape, bool))
                           .ravel() for layer in model.layers for name, p in layer.params.items()])


OPTIMIZERS = [lambda: optimizers.Adam(0.05), lambda: optimizers.SGD(0.1, momentum=0.9)]


# ----------------------------------------------------------------------------- weight masks
@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=["adam", "sgd-momentum"])
def test_pruned_weights_stay_exactly_zero_through_fine_tuning(make_optimizer):
    """Pruned after training, so the optimizer's slots hold momentum at the pruned weights:
    without the mask after each update they would move (the test fails without the hook)."""
    x, y = separable()
    model = dense_model(make_optimizer())
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    masks = prune(model)
    before = model.get_weights()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    model.train_on_batch(x[:8], y[:8])
    after = model.get_weights()
    for (index, name), mask in masks.items():
        kernel = model.layers[index].params[name]
        assert np.all(kernel[~mask] == 0) and np.all(kernel[mask] != 0)
    assert not np.array_equal(before[0], after[0])           # the kept weights did train


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=["adam", "sgd-momentum"])
def test_masked_gradients_keep_the_optimizer_slots_zero(make_optimizer):
    """Masks set before the first step: the masked weights are zeroed at once, and their
    gradients before every update, so momentum / Adam's m and v stay exactly 0 there."""
    x, y = separable()
    model = dense_model(make_optimizer())
    model.build((None, 4))
    prune(model)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    keep = flat_keep(model)
    slots = model.optimizer.slots[0]
    names = model.optimizer.slot_names
    assert len(slots["_flat"][names[0]]) == keep.size             # one flat buffer
    for name in names:
        flat = slots["_flat"][name]
        assert np.all(flat[~keep] == 0) and np.any(flat[keep] != 0)
    weights = np.concatenate([w.ravel() for w in model.get_weights()])
    assert np.all(weights[~keep] == 0)


def test_masks_are_applied_before_the_first_batch_and_work_with_clipnorm():
    """Masked weights need not be zeroed by hand; one array per weight (clipnorm) works too."""
    x, y = separable()
    model = dense_model(optimizers.Adam(0.05, clipnorm=1.0))
    model.build((None, 4))
    layer = model.layers[2]
    layer.weight_masks = {"kernel": np.array([[True], [False]] * 3), "bias": np.array([False])}
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.all(layer.params["kernel"][1::2] == 0) and layer.params["bias"][0] == 0
    assert np.all(layer.params["kernel"][0::2] != 0)


def test_masks_in_a_mixed_precision_model_zero_master_and_compute_weights():
    x, y = separable()
    model = dense_model(dtype="mixed_float16")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    masks = prune(model)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    mask = masks[0, "kernel"]
    assert np.all(model.get_weights()[0][~mask] == 0)
    assert np.all(model.layers[0].params["kernel"][~mask] == 0)
    assert model.layers[0].params["kernel"].dtype == np.float16


@pytest.mark.parametrize("masks, exception, parts", [
    ([True], TypeError, ["Dense 'dense_1'.weight_masks must be a dict"]),
    ({"kernal": np.ones((6, 1), bool)}, ValueError,
     ["weight_masks names the weight 'kernal'", "'kernel', 'bias'"]),
    ({"kernel": np.ones((6, 1))}, TypeError,
     ["weight_masks['kernel'] must be a boolean NumPy array", "float64", "astype(bool)"]),
    ({"kernel": [[True]] * 6}, TypeError, ["must be a boolean NumPy array", "got list"]),
    ({"kernel": np.ones((1, 6), bool)}, ValueError,
     ["weight_masks['kernel'] must have the weight's shape (6, 1), got (1, 6)"]),
], ids=["not-a-dict", "unknown-weight", "float-mask", "list-mask", "wrong-shape"])
def test_bad_weight_masks_are_named(masks, exception, parts):
    x, y = separable()
    model = dense_model()
    model.build((None, 4))
    model.layers[2].weight_masks = masks
    for action in (lambda: model.fit(x, y, verbose=0), lambda: model.train_on_batch(x, y)):
        with pytest.raises(exception) as info:
            action()
        for part in parts:
            assert part in str(info.value), str(info.value)


# ----------------------------------------------------------------------------- augmentation
class Recorder:
    """An augmentation that adds rng noise and records what it was given."""

    def __init__(self):
        self.calls = []

    def __call__(self, xb, yb, rng):
        self.calls.append((xb.copy(), yb.copy(), rng))
        return xb + rng.normal(0, 0.1, xb.shape).astype(xb.dtype), yb


def test_augment_runs_once_per_training_batch_with_the_models_stream_never_on_validation():
    x, y = separable(50)
    model = dense_model()
    recorder = Recorder()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_split=0.2, augment=recorder)
    assert len(recorder.calls) == 3 * 5                 # 40 training samples: 5 batches/epoch
    assert all(rng is model.random_streams.augment for _, _, rng in recorder.calls)
    seen = np.concatenate([xb for xb, _, _ in recorder.calls[:5]])
    assert sorted(map(tuple, seen)) == sorted(map(tuple, x[:40]))  # training rows only, once
    recorder.calls.clear()
    model.fit(x, y, epochs=1, batch_size=64, verbose=0, validation_data=(x, y), augment=recorder)
    model.evaluate(x, y, verbose=0)
    model.predict(x)
    assert len(recorder.calls) == 1 and len(recorder.calls[0][0]) == 50


def test_the_augmented_batch_is_what_the_model_trains_on():
    """An augmentation that labels everything 1 teaches the model to say 1."""
    x, y = separable(32)
    model = dense_model(optimizers.Adam(0.05))
    model.fit(x, y, epochs=20, batch_size=8, verbose=0,
              augment=lambda xb, yb, rng: (xb, np.ones_like(yb)))
    assert np.all(model.predict(x) > 0.5)


def test_augment_gets_copies_so_it_may_change_them_in_place():
    x, y = separable(16)
    kept_x, kept_y = x.copy(), y.copy()

    def in_place(xb, yb, rng):
        xb *= 0
        yb[...] = 1
        return xb, yb

    model = dense_model()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False, augment=in_place)
    assert np.array_equal(x, kept_x) and np.array_equal(y, kept_y)


@pytest.mark.parametrize("augment, exception, parts", [
    (lambda xb, yb, rng: xb, TypeError,
     ["augment must return a pair (x_batch, y_batch)", "ndarray", "epoch 1, batch 1"]),
    (lambda xb, yb, rng: (xb, yb, rng), TypeError,
     ["augment must return a pair", "tuple of length 3"]),
    (lambda xb, yb, rng: (xb[:-1], yb), ValueError, ["returned by augment (epoch 1, batch 1)"]),
    (lambda xb, yb, rng: (xb * np.nan, yb), ValueError, ["returned by augment", "nan"]),
    (lambda xb, yb, rng: (xb[:, :3], yb), ValueError,
     ["returned by augment", "x has shape (8, 3)", "(None, 4)"]),
    (lambda xb, yb, rng: (xb.astype(str), yb), (TypeError, ValueError), ["returned by augment"]),
    (lambda xb, yb, rng: (xb, yb + 5), ValueError, ["returned by augment"]),
    ("noise", TypeError, ["Sequential.fit: augment must be a function", "'noise'"]),
], ids=["not-a-pair", "triple", "lengths-differ", "nan", "wrong-features", "strings",
        "bad-labels", "not-callable"])
def test_bad_augment_outputs_are_named(augment, exception, parts):
    x, y = separable(16)
    model = dense_model()
    before = model.get_weights()
    with pytest.raises(exception) as info:
        model.fit(x, y, epochs=1, batch_size=8, verbose=0, augment=augment)
    for part in parts:
        assert part in str(info.value), str(info.value)
    for old, new in zip(before, model.get_weights()):
        assert np.array_equal(old, new)


def test_augment_works_with_token_ids_and_open_sequence_lengths():
    """Cropping changes the sequence length: an Embedding → LSTM model takes any length."""
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 9, (12, 6))
    y = (ids[:, -1] > 4).astype(int)
    model = nn.Sequential([layers.Embedding(9, 4), layers.LSTM(3),
                           layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(loss="binary_crossentropy")

    def crop(xb, yb, rng):
        start = rng.integers(0, 3)
        return xb[:, start:start + 4], yb

    model.fit(ids, y, epochs=2, batch_size=4, verbose=0, augment=crop)
    with pytest.raises(ValueError, match="returned by augment"):
        model.fit(ids, y, epochs=1, verbose=0, augment=lambda xb, yb, rng: (xb + 100, yb))


def test_augmentation_is_reproducible_and_does_not_touch_the_other_streams():
    x, y = separable()

    def train(augment, seed=3):
        model = dense_model(seed=seed, dropout=0.2)
        initial = model.get_weights()
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, augment=augment)
        return initial, model.get_weights()

    first, second = train(Recorder()), train(Recorder())
    for a, b in zip(first[1], second[1]):
        assert np.array_equal(a, b)
    plain = train(None)
    for a, b in zip(first[0], plain[0]):              # the same initial weights
        assert np.array_equal(a, b)
    assert not np.array_equal(first[1][0], plain[1][0])
    assert not np.array_equal(train(Recorder(), seed=4)[1][0], first[1][0])


def test_random_state_with_the_augmentation_stream_saves_and_resumes(tmp_path):
    x, y = separable()
    model = dense_model(seed=5, dropout=0.2)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, augment=Recorder())
    state = model.get_random_state()
    assert set(state) == {"shuffle", "dropout", "augment", "layers"}
    model.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    for resumed in (model, loaded):
        resumed.fit(x, y, epochs=2, batch_size=8, verbose=0, augment=Recorder())
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        assert np.array_equal(a, b)
    # a state saved before the stream existed leaves the augmentation stream as it is
    other = dense_model(seed=5, dropout=0.2)
    fresh = other.get_random_state()["augment"]
    other.set_random_state({key: value for key, value in state.items() if key != "augment"})
    assert other.get_random_state()["augment"] == fresh
    assert other.get_random_state()["shuffle"] == state["shuffle"]
