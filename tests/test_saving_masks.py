"""Pruning masks (layer.weight_masks) in saved models (nanonet/saving/).

- a model pruned with nanonet.compress.prune (Dense, and Embedding→LSTM→Dense; also
  mixed_float16, partial pruning and include_optimizer=False) saves and loads with the same
  masks (bool, same values), and fine-tuning the LOADED model keeps every pruned weight exactly
  0 — bit for bit the same training as the original model continued;
- the file holds the masks as plain bool arrays masks/0000 … listed in the JSON header as
  {"layer", "weight"} pairs, readable with np.load(allow_pickle=False); a model without masks
  writes no "masks" entry and no mask arrays, and files without them (as written before masks
  were saved) load with no masks;
- load_model refuses corrupt masks clearly, naming the layer and the weight: wrong shape,
  non-bool dtype, an unknown layer or weight, a missing, unlisted or twice-listed mask, a
  malformed header entry; Sequential.save refuses masks that fit would refuse, before writing.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers
from nanonet.compress import prune

HEADER = "nanonet_model"


# ---------------------------------------------------------------------------- helpers
def dense_model(dtype="float32"):
    model = nn.Sequential([layers.Dense(8, activation="tanh", input_shape=(5,)),
                           layers.Dense(6, activation="relu"),
                           layers.Dense(1, activation="sigmoid")], seed=3, dtype=dtype)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def dense_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5))
    return x, (x[:, 0] - x[:, 1] > 0).astype(float)


def text_model():
    model = nn.Sequential([layers.Embedding(20, 4, input_length=6, mask_zero=True),
                           layers.LSTM(5),
                           layers.Dense(1, activation="sigmoid")], seed=4)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def text_data():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 20, size=(24, 6))
    for row, pad in zip(x, rng.integers(0, 4, size=24)):
        row[:pad] = 0
    return x, (x.sum(axis=1) % 2).astype(float)


MODELS = {"dense": (dense_model, dense_data), "embedding-lstm-dense": (text_model, text_data)}


def masks_of(model) -> dict:
    return {(layer.name, name): mask for layer in model.layers
            for name, mask in (getattr(layer, "weight_masks", None) or {}).items()}


def read_entries(path) -> dict:
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def rewrite(source, target, change) -> None:
    entries = read_entries(source)
    header = json.loads(str(entries[HEADER]))
    change(header, entries)
    entries[HEADER] = np.array(json.dumps(header))
    with open(target, "wb") as stream:
        np.savez(stream, **entries)


def assert_refused(path, *fragments, error=ValueError):
    with pytest.raises(error) as excinfo:
        nn.load_model(path)
    text = str(excinfo.value)
    assert f"load_model({str(path)!r})" in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)


def pruned_and_saved(tmp_path, kind="dense", **save_options):
    make, data = MODELS[kind]
    x, y = data()
    model = make()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    prune(model, 0.5)
    path = tmp_path / "pruned.npz"
    model.save(path, **save_options)
    return model, path, (x, y)


@pytest.fixture
def saved(tmp_path):
    return pruned_and_saved(tmp_path)[1]


# ---------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kind", list(MODELS))
def test_masks_round_trip_and_fine_tuning_the_loaded_model_keeps_the_zeros(tmp_path, kind):
    model, path, (x, y) = pruned_and_saved(tmp_path, kind)
    masks = masks_of(model)
    assert {name for _, name in masks} >= {"kernel"}
    loaded = nn.load_model(path)
    got = masks_of(loaded)
    assert set(got) == set(masks)
    for key, mask in masks.items():
        assert got[key].dtype == np.bool_ and got[key].shape == mask.shape
        np.testing.assert_array_equal(got[key], mask)
        assert got[key] is not mask
    before = {(layer.name, n): w.copy() for layer in loaded.layers for n, w in layer.params.items()}
    loaded.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    moved = 0
    for layer in loaded.layers:
        for name, w in layer.params.items():
            mask = masks.get((layer.name, name))
            if mask is not None:
                assert np.all(w[~mask] == 0), f"{layer.name}/{name}: a pruned weight moved"
                moved += np.count_nonzero(w[mask] != before[layer.name, name][mask])
    assert moved > 0                                    # the kept weights did train
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        assert a.tobytes() == b.tobytes()               # exactly as the original continued


def test_mixed_precision_partial_masks_and_no_optimizer_state(tmp_path):
    x, y = dense_data()
    model = dense_model(dtype="mixed_float16")
    prune(model, 0.5, include=["dense_1/kernel", "dense/bias"])
    path = tmp_path / "mixed.npz"
    model.save(path, include_optimizer=False)
    header = json.loads(str(read_entries(path)[HEADER]))
    assert header["version"] == 1
    assert header["masks"] == [{"layer": "dense", "weight": "bias"},
                               {"layer": "dense_1", "weight": "kernel"}]
    loaded = nn.load_model(path)
    assert set(masks_of(loaded)) == {("dense", "bias"), ("dense_1", "kernel")}
    assert not hasattr(loaded.layers[2], "weight_masks")
    loaded.fit(x, y, epochs=1, batch_size=8, verbose=0)
    for (layer_name, name), mask in masks_of(model).items():
        layer = next(layer for layer in loaded.layers if layer.name == layer_name)
        assert np.all(loaded.mixed_weights.masters[layer][name][~mask] == 0)
        assert np.all(layer.params[name][~mask] == 0)


def test_the_file_holds_bool_arrays_listed_in_the_header(saved):
    entries = read_entries(saved)                       # no pickle needed to read anything
    header = json.loads(str(entries[HEADER]))
    assert header["masks"] == [{"layer": f"dense{s}", "weight": "kernel"}
                               for s in ("", "_1", "_2")]
    keys = sorted(k for k in entries if k.startswith("masks/"))
    assert keys == ["masks/0000", "masks/0001", "masks/0002"]
    assert all(entries[k].dtype == np.bool_ for k in keys)


def test_a_model_without_masks_round_trips_as_before(tmp_path):
    x, y = dense_data()
    model = dense_model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = tmp_path / "plain.npz"
    model.save(path)
    entries = read_entries(path)
    assert "masks" not in json.loads(str(entries[HEADER]))
    assert not any(k.startswith("masks/") for k in entries)
    loaded = nn.load_model(path)
    assert masks_of(loaded) == {} and not any(hasattr(l, "weight_masks") for l in loaded.layers)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        assert a.tobytes() == b.tobytes()
    assert loaded.predict(x).tobytes() == model.predict(x).tobytes()


def test_a_file_without_masks_entries_loads_with_no_masks(saved, tmp_path):
    """What the previous nanonet wrote for a pruned model: no "masks" entry, no arrays."""
    old = tmp_path / "old.npz"

    def strip(header, entries):
        header.pop("masks")
        for key in [k for k in entries if k.startswith("masks/")]:
            del entries[key]
    rewrite(saved, old, strip)
    assert masks_of(nn.load_model(old)) == {}


def test_a_newer_version_is_still_refused(saved, tmp_path):
    bad = tmp_path / "bad.npz"
    rewrite(saved, bad, lambda header, _: header.__setitem__("version", 2))
    assert_refused(bad, "written by a newer nanonet (format version 2)", "upgrade nanonet")


# ---------------------------------------------------------------------------- corrupt masks
def set_entry(key, value):
    return lambda header, entries: entries.__setitem__(key, value)


@pytest.mark.parametrize("change, fragments", [
    (set_entry("masks/0001", np.ones((6, 8), bool)),
     ["layer 'dense_1', weight 'kernel'", "shape (6, 8)", "(8, 6)"]),
    (set_entry("masks/0000", np.ones((5, 8), np.uint8)),
     ["layer 'dense', weight 'kernel'", "should be a bool array", "uint8"]),
    (set_entry("masks/0002", np.ones((6, 1))),
     ["layer 'dense_2', weight 'kernel'", "should be a bool array", "float64"]),
    (lambda header, _: header["masks"][1].__setitem__("layer", "dense_9"),
     ["layer 'dense_9', weight 'kernel'", "names a layer the model does not have"]),
    (lambda header, _: header["masks"][0].__setitem__("weight", "kernal"),
     ["layer 'dense', weight 'kernal'", "names a weight Dense 'dense' does not have"]),
    (lambda header, entries: entries.pop("masks/0002"),
     ["layer 'dense_2', weight 'kernel'", "missing"]),
    (set_entry("masks/0003", np.ones((6, 1), bool)), ["masks/0003", "does not list"]),
    (lambda header, _: header["masks"].__setitem__(2, dict(header["masks"][0])),
     ["layer 'dense', weight 'kernel'", "listed twice"]),
    (lambda header, _: header.__setitem__("masks", {"dense": "kernel"}), ["'masks' entry"]),
    (lambda header, _: header["masks"].__setitem__(0, ["dense", "kernel"]), ["'masks' entry"]),
])
def test_corrupt_masks_are_refused_naming_layer_and_weight(saved, tmp_path, change, fragments):
    bad = tmp_path / "bad.npz"
    rewrite(saved, bad, change)
    assert_refused(bad, *fragments)


@pytest.mark.parametrize("masks, error, fragment", [
    ("kernel", TypeError, "must be a dict"),
    ({"kernal": np.ones((5, 8), bool)}, ValueError, "names the weight 'kernal'"),
    ({"kernel": np.ones((5, 8))}, TypeError, "must be a boolean NumPy array"),
    ({"kernel": [[True] * 8] * 5}, TypeError, "must be a boolean NumPy array"),
    ({"kernel": np.ones((8, 5), bool)}, ValueError, "must have the weight's shape (5, 8)"),
])
def test_save_refuses_bad_masks_before_writing(tmp_path, masks, error, fragment):
    model = dense_model()                               # (built: input_shape)
    model.layers[0].weight_masks = masks
    path = tmp_path / "model.npz"
    with pytest.raises(error) as excinfo:
        model.save(path)
    assert "Sequential.save: Dense 'dense'.weight_masks" in str(excinfo.value)
    assert fragment in str(excinfo.value)
    assert list(tmp_path.iterdir()) == []
