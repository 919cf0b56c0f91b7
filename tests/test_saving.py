"""Saving and loading models (nanonet/saving/): exact round trips, resumable training, atomic
writes and safe, clear refusal of every kind of bad file.

- save -> nanonet.load_model round-trips exactly: bit-identical predictions, identical weights
  (values and dtypes), the same config and the same compile settings; uncompiled models,
  models built from data, include_optimizer=False, file names without ".npz";
- a hypothesis property over random small architectures (1-3 Dense layers, random units,
  activations, use_bias; float32 and float64 models; compiled or not, trained or not);
- optimizer state: training 2 epochs equals training 1 epoch, save, load, 1 more epoch — bit for
  bit (Adam, SGD with momentum, Nesterov, and Adam with clipnorm);
- atomic writes: a save that fails midway (disk full while writing, or the final rename
  failing) leaves the previous file intact and loadable and leaves no temporary file behind;
- load_model refuses, with a clear error naming the file: truncated files, random bytes, a
  plain .npy, a foreign .npz, object arrays (WITHOUT unpickling them — the payload would leave a
  marker file if it ran), a missing file, a directory, a corrupt/wrong-version/wrong-format
  header, weights of the wrong shape / dtype / count, non-finite weights, and bad optimizer
  state;
- save refuses, clearly: an unbuilt model, a directory path, a folder that does not exist, and
  custom metrics that no file could hold (before writing anything).
"""
from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nanonet as nn
from nanonet import layers, optimizers

from strategies import activations, feature_sizes, float64_arrays, seeds

HEADER = "nanonet_model"


# ---------------------------------------------------------------------------- helpers
def make_model(dtype="float32", seed=1, compiled=True, optimizer=None) -> nn.Sequential:
    model = nn.Sequential([layers.Dense(5, activation="tanh", input_shape=(3,)),
                           layers.Dense(4, activation="relu", use_bias=False),
                           layers.Dense(1, activation="sigmoid")], seed=seed, dtype=dtype)
    if compiled:
        model.compile(optimizer=optimizer or optimizers.Adam(learning_rate=0.01),
                      loss="binary_crossentropy", metrics=["accuracy"])
    return model


def make_data(n=24, d=3):
    rng = np.random.default_rng(42)
    x = rng.normal(size=(n, d))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float64)
    return x, y


@pytest.fixture
def trained(tmp_path):
    """(model, path): a model trained 2 epochs with Adam, saved to tmp_path/model.npz."""
    x, y = make_data()
    model = make_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "model.npz"
    model.save(path)
    return model, path


def read_entries(path) -> dict:
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def write_entries(path, entries: dict) -> None:
    with open(path, "wb") as stream:
        np.savez(stream, **entries)


def rewrite(source, target, change) -> None:
    """Copy the archive `source` to `target`, letting change(entries) edit it in place."""
    entries = read_entries(source)
    change(entries)
    write_entries(target, entries)


def edit_header(change):
    """An `entries` editor that applies change(header_dict) to the JSON header."""
    def edit(entries):
        header = json.loads(str(entries[HEADER]))
        change(header)
        entries[HEADER] = np.array(json.dumps(header))
    return edit


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        assert x.dtype == y.dtype and x.shape == y.shape
        assert x.tobytes() == y.tobytes()            # bit for bit


def assert_same_predictions(a, b, x):
    pa, pb = a.predict(x), b.predict(x)
    assert pa.dtype == pb.dtype and pa.shape == pb.shape
    assert pa.tobytes() == pb.tobytes()              # bit for bit


def files_in(directory):
    return sorted(p.name for p in directory.iterdir())


# ---------------------------------------------------------------------------- exact round trip
def test_round_trip_is_exact(trained):
    model, path = trained
    loaded = nn.load_model(path)
    x, y = make_data(50)
    assert_same_predictions(model, loaded, x)
    assert_same_weights(model, loaded)
    assert loaded.get_config() == model.get_config()
    assert loaded.dtype == model.dtype
    assert loaded.input_shape == model.input_shape and loaded.output_shape == model.output_shape
    # compile settings
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.loss.get_config() == model.loss.get_config()
    assert [name for name, _ in loaded.metrics] == [name for name, _ in model.metrics]
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    # optimizer state
    assert loaded.optimizer.iterations == model.optimizer.iterations
    state, loaded_state = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert state.keys() == loaded_state.keys()
    for key in state:
        assert state[key].tobytes() == loaded_state[key].tobytes(), key


def test_round_trip_of_a_loaded_model_gives_the_same_file_contents(trained, tmp_path):
    _, path = trained
    again = tmp_path / "again.npz"
    nn.load_model(path).save(again)
    first, second = read_entries(path), read_entries(again)
    assert first.keys() == second.keys()
    for key in first:
        assert first[key].dtype == second[key].dtype and first[key].tobytes() == \
            second[key].tobytes(), key


def test_round_trip_accepts_str_and_pathlike(trained):
    model, path = trained
    assert_same_weights(model, nn.load_model(str(path)))
    assert_same_weights(model, nn.load_model(path))


def test_round_trip_of_an_uncompiled_model(tmp_path):
    model = make_model(compiled=False)
    model.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    assert loaded.optimizer is None and loaded.loss is None and loaded.metrics == []
    assert_same_weights(model, loaded)
    assert_same_predictions(model, loaded, make_data()[0])


def test_round_trip_of_a_model_built_from_data(tmp_path):
    model = nn.Sequential([layers.Dense(3, activation="relu"), layers.Dense(2)], seed=3)
    x = make_data(d=4)[0]
    model.predict(x)                                 # builds it for 4 features
    model.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    assert loaded.built and loaded.input_shape == (None, 4)
    assert_same_predictions(model, loaded, x)


def test_compiled_but_untrained_model_round_trips(tmp_path):
    model = make_model()
    model.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == 0
    assert_same_weights(model, loaded)


def test_include_optimizer_false_keeps_compile_settings_but_not_state(tmp_path):
    model = make_model()
    model.fit(*make_data(), epochs=1, verbose=0)
    model.save(tmp_path / "m.npz", include_optimizer=False)
    assert not any(k.startswith("optimizer/") for k in read_entries(tmp_path / "m.npz"))
    loaded = nn.load_model(tmp_path / "m.npz")
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == 0
    assert_same_weights(model, loaded)


def test_file_name_without_npz_suffix_is_used_as_given(tmp_path):
    model = make_model()
    model.save(tmp_path / "my_model")
    assert files_in(tmp_path) == ["my_model"]
    assert_same_weights(model, nn.load_model(tmp_path / "my_model"))


def test_saving_over_an_existing_file_replaces_it(trained):
    model, path = trained
    model.fit(*make_data(), epochs=1, verbose=0)
    model.save(path)
    assert_same_weights(model, nn.load_model(path))
    assert files_in(path.parent) == ["model.npz"]


def test_saved_file_is_not_private(tmp_path):
    """The temporary file is private (mkstemp makes it 0600); the saved model must not be."""
    old = os.umask(0o022)
    try:
        make_model().save(tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------------------- property test
@st.composite
def architectures(draw):
    n_layers = draw(st.integers(1, 3))
    specs = [dict(units=draw(st.integers(1, 6)), activation=draw(activations),
                  use_bias=draw(st.booleans())) for _ in range(n_layers)]
    return dict(specs=specs, n_features=draw(feature_sizes), seed=draw(seeds),
                dtype=draw(st.sampled_from(["float32", "float64"])),
                optimizer=draw(st.sampled_from([None, "adam", "sgd-momentum"])),
                train=draw(st.booleans()))


@given(arch=architectures(), data=st.data())
def test_round_trip_property(arch, data, tmp_path_factory):
    specs = arch["specs"]
    model = nn.Sequential([layers.Dense(input_shape=(arch["n_features"],) if i == 0 else None,
                                        **spec) for i, spec in enumerate(specs)],
                          seed=arch["seed"], dtype=arch["dtype"])
    x = data.draw(float64_arrays((4, arch["n_features"])), label="x")
    if arch["optimizer"] is not None:
        optimizer = (optimizers.Adam(0.01) if arch["optimizer"] == "adam"
                     else optimizers.SGD(0.05, momentum=0.9))
        model.compile(optimizer=optimizer, loss="mse")
        if arch["train"]:
            model.fit(x, np.linspace(-1, 1, 4 * specs[-1]["units"]).reshape(4, -1),
                      batch_size=2, shuffle=False, verbose=0)
    path = tmp_path_factory.mktemp("property") / "m.npz"
    model.save(path)
    loaded = nn.load_model(path)
    assert loaded.get_config() == model.get_config()
    assert_same_weights(model, loaded)
    assert_same_predictions(model, loaded, x)
    if arch["optimizer"] is None:
        assert loaded.optimizer is None
    else:
        assert loaded.optimizer.get_config() == model.optimizer.get_config()
        assert loaded.loss.get_config() == model.loss.get_config()
        assert loaded.optimizer.iterations == model.optimizer.iterations


# ---------------------------------------------------------------------------- optimizer state
OPTIMIZERS = {
    "adam": lambda: optimizers.Adam(learning_rate=0.01),
    "sgd-momentum": lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9),
    "sgd-nesterov": lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
    "adam-clipnorm": lambda: optimizers.Adam(learning_rate=0.01, clipnorm=0.5),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_training_resumes_exactly_after_save_and_load(tmp_path, optimizer, dtype):
    x, y = make_data()
    a = make_model(dtype=dtype, optimizer=OPTIMIZERS[optimizer]())
    a.fit(x, y, epochs=2, batch_size=5, shuffle=False, verbose=0)

    b = make_model(dtype=dtype, optimizer=OPTIMIZERS[optimizer]())
    b.fit(x, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    b.save(tmp_path / "b.npz")
    c = nn.load_model(tmp_path / "b.npz")
    c.fit(x, y, epochs=1, batch_size=5, shuffle=False, verbose=0)

    assert c.optimizer.iterations == a.optimizer.iterations
    assert_same_weights(a, c)


def test_resuming_without_optimizer_state_differs(tmp_path):
    """The control for the test above: it can fail (dropping the state changes the result)."""
    x, y = make_data()
    a = make_model()
    a.fit(x, y, epochs=2, batch_size=5, shuffle=False, verbose=0)
    b = make_model()
    b.fit(x, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    b.save(tmp_path / "b.npz", include_optimizer=False)
    c = nn.load_model(tmp_path / "b.npz")
    c.fit(x, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    assert any(not np.array_equal(p, q) for p, q in zip(a.get_weights(), c.get_weights()))


# ---------------------------------------------------------------------------- atomic writes
def _disk_full_savez(stream_or_path, *args, **kwargs):
    """Stands in for numpy.savez: writes some bytes, then the disk is 'full'."""
    if hasattr(stream_or_path, "write"):
        stream_or_path.write(b"PK\x03\x04 half a zip archive")
    else:
        with open(stream_or_path, "wb") as stream:
            stream.write(b"PK\x03\x04 half a zip archive")
    raise OSError(28, "No space left on device")


def test_failed_save_leaves_the_previous_file_intact(trained, monkeypatch):
    model, path = trained
    before = path.read_bytes()
    model.fit(*make_data(), epochs=1, verbose=0)     # new weights, so a new save would differ
    monkeypatch.setattr(np, "savez", _disk_full_savez)
    with pytest.raises(OSError, match="No space left on device"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert files_in(path.parent) == ["model.npz"]    # no temporary file left behind
    loaded = nn.load_model(path)
    assert loaded.optimizer.iterations == 6          # the old model (2 epochs of 3 batches)


def test_failed_save_of_a_new_file_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(np, "savez", _disk_full_savez)
    with pytest.raises(OSError, match="No space left on device"):
        make_model().save(tmp_path / "new.npz")
    assert files_in(tmp_path) == []


def test_failed_rename_leaves_the_previous_file_intact(trained, monkeypatch):
    model, path = trained
    before = path.read_bytes()

    def failing_replace(source, target):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="Input/output error"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert files_in(path.parent) == ["model.npz"]


def test_interrupted_save_leaves_no_temporary_file(trained, monkeypatch):
    model, path = trained

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    monkeypatch.undo()
    assert files_in(path.parent) == ["model.npz"]
    nn.load_model(path)


# ---------------------------------------------------------------------------- load: bad files
def assert_refused(path, *fragments, error=ValueError):
    with pytest.raises(error) as excinfo:
        nn.load_model(path)
    text = str(excinfo.value)
    assert f"load_model({str(path)!r})" in text, text   # names the file
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return text


@pytest.mark.parametrize("keep", [0.5, 0.1, 0.9, "all but one byte", "4 bytes"])
def test_truncated_file(trained, tmp_path, keep):
    _, path = trained
    data = path.read_bytes()
    size = {"all but one byte": len(data) - 1, "4 bytes": 4}.get(keep) or int(len(data) * keep)
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[:size])
    assert_refused(bad, "truncated")


def test_corrupted_byte(trained, tmp_path):
    _, path = trained
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF                     # inside the first stored entry
    bad = tmp_path / "corrupt.npz"
    bad.write_bytes(bytes(data))
    assert_refused(bad, "corrupt")


def test_random_bytes(tmp_path):
    bad = tmp_path / "random.npz"
    bad.write_bytes(np.random.default_rng(0).bytes(1000))
    text = assert_refused(bad, "not a nanonet model file", ".npz")
    assert "pickle" not in text                       # not misdiagnosed as a pickle


def test_empty_file(tmp_path):
    bad = tmp_path / "empty.npz"
    bad.write_bytes(b"")
    assert_refused(bad, "not a nanonet model file")


def test_plain_npy_file(tmp_path):
    bad = tmp_path / "array.npy"
    np.save(bad, np.zeros(3))
    assert_refused(bad, "not a nanonet model file")


def test_foreign_npz(tmp_path):
    bad = tmp_path / "foreign.npz"
    np.savez(bad, features=np.zeros((3, 2)), labels=np.ones(3))
    assert_refused(bad, "'nanonet_model'", "features, labels")


class _LeavesAMarker:
    """Pickles to a call of open(marker, "w"): unpickling it creates the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _object_array(marker):
    array = np.empty(1, dtype=object)
    array[0] = _LeavesAMarker(marker)
    return array


def test_object_array_payload_is_detectable_when_unpickled(tmp_path):
    """The control: the payload used below does run (and leaves its marker) if unpickled."""
    marker = tmp_path / "marker"
    path = tmp_path / "evil.npz"
    np.savez(path, payload=_object_array(marker))
    with np.load(path, allow_pickle=True) as archive:
        handle = archive["payload"][0]
    handle.close()
    assert marker.exists()


@pytest.mark.parametrize("entry", [HEADER, "weights/0000", "optimizer/0/m", "extra"])
def test_object_array_is_refused_without_unpickling(trained, tmp_path, entry):
    _, path = trained
    marker = tmp_path / "MARKER"
    bad = tmp_path / "evil.npz"

    def plant(entries):
        entries[entry] = _object_array(marker)

    rewrite(path, bad, plant)
    assert b"MARKER" in bad.read_bytes()             # the pickle really is in the file
    # an entry the header does not name is refused by its name alone, unread
    assert_refused(bad, "pickle" if entry != "extra" else "'extra.npy'")
    assert not marker.exists()


def test_missing_file(tmp_path):
    assert_refused(tmp_path / "nope.npz", "no such file", error=FileNotFoundError)


def test_directory_instead_of_a_file(tmp_path):
    assert_refused(tmp_path, "directory", error=IsADirectoryError)


@pytest.mark.parametrize("header_text", ["{not json", "", "[1, 2, 3]", "null", '"text"'])
def test_corrupt_header_json(trained, tmp_path, header_text):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, lambda entries: entries.__setitem__(HEADER, np.array(header_text)))
    text = assert_refused(bad)
    assert "corrupt" in text or "unknown file format" in text


def test_header_that_is_not_text(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, lambda entries: entries.__setitem__(HEADER, np.arange(5.0)))
    assert_refused(bad, "corrupt")


@pytest.mark.parametrize("version", [2, 0, "1", None])
def test_wrong_version(trained, tmp_path, version):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, edit_header(lambda header: header.__setitem__("version", version)))
    assert_refused(bad, f"version {version!r} is not supported", "version 1")


def test_missing_version(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, edit_header(lambda header: header.pop("version")))
    assert_refused(bad, "version None is not supported")


def test_wrong_format_name(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, edit_header(lambda header: header.__setitem__("format", "keras")))
    assert_refused(bad, "unknown file format 'keras'")


@pytest.mark.parametrize("key", ["model", "weights"])
def test_header_missing_a_section(trained, tmp_path, key):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, edit_header(lambda header: header.pop(key)))
    assert_refused(bad, "corrupt")


def test_unknown_layer_class_in_header(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"

    def change(header):
        header["model"]["layers"][0]["class_name"] = "os.system"

    rewrite(path, bad, edit_header(change))
    assert_refused(bad, "os.system", "architecture cannot be rebuilt")


def test_unknown_layer_argument_in_header(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"

    def change(header):
        header["model"]["layers"][0]["config"]["colour"] = "blue"

    rewrite(path, bad, edit_header(change))
    assert_refused(bad, "colour", "architecture cannot be rebuilt")


def test_unknown_optimizer_in_header(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, edit_header(
        lambda header: header["compile"]["optimizer"].__setitem__("name", "adagrad")))
    assert_refused(bad, "compile settings", "adagrad")


def test_weight_with_wrong_shape(trained, tmp_path):
    """The array disagrees with the shape the header lists for it."""
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, lambda entries: entries.__setitem__("weights/0000", np.zeros((5, 3))))
    assert_refused(bad, "weight 0", "(3, 5)", "(5, 3)")


def test_weight_with_wrong_shape_for_the_architecture(trained, tmp_path):
    """Header and array agree with each other but not with the layers."""
    _, path = trained
    bad = tmp_path / "bad.npz"

    def change(entries):
        entries["weights/0000"] = np.zeros((5, 3), dtype=np.float32)
        header = json.loads(str(entries[HEADER]))
        header["weights"][0] = [5, 3]
        entries[HEADER] = np.array(json.dumps(header))

    rewrite(path, bad, change)
    assert_refused(bad, "do not fit", "'kernel'", "(3, 5)", "(5, 3)")


def test_weight_with_wrong_dtype(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, lambda entries: entries.__setitem__(
        "weights/0001", np.zeros(5, dtype=np.int64)))
    assert_refused(bad, "weight 1", "float array", "int64")


def test_missing_weight(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, lambda entries: entries.pop("weights/0002"))
    assert_refused(bad, "weight 2 is missing")


def test_extra_weight(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"
    rewrite(path, bad, lambda entries: entries.__setitem__("weights/0009", np.zeros(2)))
    assert_refused(bad, "weights/0009")


def test_weight_count_disagreeing_with_the_architecture(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"

    def change(entries):
        entries.pop("weights/0004")
        header = json.loads(str(entries[HEADER]))
        header["weights"].pop()
        entries[HEADER] = np.array(json.dumps(header))

    rewrite(path, bad, change)
    assert_refused(bad, "do not fit", "expected 5 arrays", "got 4")


def test_non_finite_weight(trained, tmp_path):
    _, path = trained
    bad = tmp_path / "bad.npz"

    def change(entries):
        entries["weights/0000"] = entries["weights/0000"].copy()
        entries["weights/0000"][1, 2] = np.nan

    rewrite(path, bad, change)
    assert_refused(bad, "nan", "(1, 2)")


@pytest.mark.parametrize("problem", ["missing", "wrong shape", "broadcastable shape", "extra",
                                     "bad iterations"])
def test_bad_optimizer_state(trained, tmp_path, problem):
    _, path = trained
    bad = tmp_path / "bad.npz"
    slot = "optimizer/0/m"

    def change(entries):
        assert slot in entries
        if problem == "missing":
            entries.pop(slot)
        elif problem == "wrong shape":
            entries[slot] = np.zeros(3, dtype=np.float32)
        elif problem == "broadcastable shape":             # would broadcast silently
            entries[slot] = np.zeros(1, dtype=np.float32)
        elif problem == "extra":
            entries["optimizer/7/m"] = np.zeros(2, dtype=np.float32)
        else:
            entries["optimizer/iterations"] = np.array(-3)

    rewrite(path, bad, change)
    assert_refused(bad, "optimizer state" if problem != "wrong shape" and
                   problem != "broadcastable shape" else "optimizer slot '0/m'")


# ---------------------------------------------------------------------------- save: refusals
def test_saving_an_unbuilt_model(tmp_path):
    model = nn.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError) as excinfo:
        model.save(tmp_path / "m.npz")
    text = str(excinfo.value)
    assert "Sequential.save" in text and "not built" in text and "input_shape" in text
    assert files_in(tmp_path) == []


def test_saving_to_a_directory(tmp_path):
    with pytest.raises(IsADirectoryError) as excinfo:
        make_model().save(tmp_path)
    text = str(excinfo.value)
    assert "Sequential.save" in text and repr(str(tmp_path)) in text and "directory" in text
    assert files_in(tmp_path) == []


def test_saving_into_a_missing_folder(tmp_path):
    target = tmp_path / "no" / "such" / "m.npz"
    with pytest.raises(FileNotFoundError) as excinfo:
        make_model().save(target)
    text = str(excinfo.value)
    assert "Sequential.save" in text and "does not exist" in text and "no/such" in text


def test_saving_a_model_with_a_custom_metric(tmp_path):
    """A file never holds code, so a custom metric could not be restored: refuse at save time
    (rather than write a file that load_model cannot read)."""
    def my_metric(y_true, y_pred):
        return 0.0

    model = make_model(compiled=False)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[my_metric])
    with pytest.raises(ValueError) as excinfo:
        model.save(tmp_path / "m.npz")
    assert "my_metric" in str(excinfo.value) and "custom" in str(excinfo.value)
    assert files_in(tmp_path) == []


def test_custom_metric_with_a_builtin_name_is_still_custom(tmp_path):
    def accuracy(y_true, y_pred):
        return 1.0

    model = make_model(compiled=False)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[accuracy])
    with pytest.raises(ValueError, match="custom"):
        model.save(tmp_path / "m.npz")


def test_pickle_module_is_never_used_by_load(trained, monkeypatch):
    """Belt and braces: loading a good file never touches pickle."""
    _, path = trained

    def forbidden(*args, **kwargs):
        raise AssertionError("load_model unpickled something")

    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    nn.load_model(path)
