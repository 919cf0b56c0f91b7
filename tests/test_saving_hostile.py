"""Hostile model files (issue 17): nothing a file does can cost memory, time or a wrong number.

Every crafted file here is a valid model file changed in the few bytes an attacker would
change — or given one honest extra zip entry — and load_model must refuse it quickly, with
little memory (tracemalloc sees NumPy's allocations), naming the file:

- bounded loading: an extra entry of 1 GiB of zeros (1 MiB compressed), or a named entry of
  1 GiB of another shape, is refused before it is decompressed; a header edited to
  ``units=20000`` (Dense) or to an LSTM of 5000 units is refused before anything is built or
  initialised; so is a header whose weight list was edited to match the huge architecture, in
  a tiny file; extra top-level entries are refused by name;
- the layers' ``weight_shapes`` (what the loader checks a file against) are the shapes
  ``build`` creates, for every layer;
- checked optimizer state: NaN / inf slots, a negative second moment (Adam's v, RMSprop's
  velocity), a finite but absurd first moment (beyond the Cauchy–Schwarz bound of
  nanonet.saving.optimizer_state.moment_bound), a negative, float or bool iteration count, a
  slot in another dtype; and the bound is never broken by real training (Adam of several betas
  and dtypes, centered RMSprop), and is tight at step 1;
- save housekeeping: temporary files of killed saves are removed by the next save (only ours,
  only stale ones); saving through a symlink replaces its target and keeps the link; saving
  over a read-only file raises PermissionError naming it and the fix, and leaves it unchanged.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nanonet as nn
from nanonet import layers, optimizers, saving
from nanonet.saving.optimizer_state import moment_bound

HEADER = "nanonet_model"
GIB = 2 ** 30
#: what a refusal may cost at most (the crafted files describe or hold gigabytes)
MAX_PEAK = 50 * 2 ** 20
MAX_SECONDS = 3.0


# ---------------------------------------------------------------------------- crafting files
def dense_model(optimizer="adam", dtype="float32"):
    model = nn.Sequential([layers.Dense(5, activation="tanh", input_shape=(3,)),
                           layers.Dense(4, activation="sigmoid")], seed=1, dtype=dtype)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def lstm_model():
    model = nn.Sequential([layers.LSTM(6, input_shape=(4, 3)),
                           layers.Dense(1, activation="sigmoid")], seed=2)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def trained(model, path, epochs=2):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16,) + model.input_shape[1:])
    y = rng.uniform(size=(16,) + model.output_shape[1:])
    model.fit(x, y, epochs=epochs, batch_size=4, verbose=0)
    model.save(path)
    return path


@pytest.fixture(scope="module")
def dense_file(tmp_path_factory):
    return trained(dense_model(), tmp_path_factory.mktemp("dense") / "model.npz")


@pytest.fixture(scope="module")
def lstm_file(tmp_path_factory):
    return trained(lstm_model(), tmp_path_factory.mktemp("lstm") / "model.npz")


def npy_bytes(array) -> bytes:
    stream = io.BytesIO()
    np.save(stream, array, allow_pickle=False)
    return stream.getvalue()


def npy_header(shape, dtype="<f4") -> bytes:
    from numpy.lib import format as npy
    stream = io.BytesIO()
    npy.write_array_header_1_0(stream, {"descr": dtype, "fortran_order": False,
                                        "shape": tuple(shape)})
    return stream.getvalue()


def members(path) -> dict:
    """{zip entry name: its bytes} of a (small) archive."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_members(path, entries: dict) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)


def edited(source, target, change_header=None, change_entries=None):
    """`source` copied to `target` with change_header(header dict) and change_entries({zip
    name: bytes}) applied; the other entries are copied byte for byte."""
    entries = members(source)
    if change_header is not None:
        header = json.loads(str(np.load(io.BytesIO(entries[HEADER + ".npy"]))))
        change_header(header)
        entries[HEADER + ".npy"] = npy_bytes(np.array(json.dumps(header)))
    if change_entries is not None:
        change_entries(entries)
    write_members(target, entries)
    return target


def add_zeros_entry(path, name, size, dtype="<f4", shape=None):
    """Append to the archive `path` an honest .npy entry `name` of `size` bytes of zeros (of
    `shape`, or flat), deflated (1 GiB is about 1 MiB), streamed in chunks: never all in
    memory."""
    count = size // np.dtype(dtype).itemsize
    chunk = bytes(2 ** 22)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(npy_header(shape or (count,), dtype))
            left = count * np.dtype(dtype).itemsize
            while left:
                member.write(chunk[:min(left, len(chunk))])
                left -= min(left, len(chunk))
    return path


def set_units(header, units, weights=None, layer_indices=(0, 1)):
    """Edit the header's architecture: the layers `layer_indices` get `units`; with `weights`,
    the header's list of weight shapes is edited to match, too."""
    for index in layer_indices:
        header["model"]["layers"][index]["config"]["units"] = units
    if weights is not None:
        header["weights"] = [list(shape) for shape in weights]


def refusal(path):
    """(message, peak bytes traced, seconds) of load_model refusing `path`."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError) as info:
            nn.load_model(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert type(info.value) is ValueError
    assert f"load_model({str(path)!r})" in message, message
    return message, peak, seconds


def assert_refused_cheaply(path, *fragments):
    message, peak, seconds = refusal(path)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert peak < MAX_PEAK, f"refusing cost {peak / 2 ** 20:.1f} MiB: {message}"
    assert seconds < MAX_SECONDS, f"refusing took {seconds:.1f} s: {message}"
    return message


# ---------------------------------------------------------------------------- bounded loading
@pytest.fixture(scope="module")
def gib_of_zeros(dense_file, tmp_path_factory):
    """The dense model's file plus an honest 1 GiB entry of zeros named 'extra'."""
    path = tmp_path_factory.mktemp("gib") / "extra.npz"
    path.write_bytes(dense_file.read_bytes())
    add_zeros_entry(path, "extra.npy", GIB)
    assert path.stat().st_size < 8 * 2 ** 20               # 1 GiB in a few MiB
    return path


def test_an_extra_gib_entry_is_refused_before_it_is_decompressed(gib_of_zeros):
    assert_refused_cheaply(gib_of_zeros, "'extra.npy'", "Refused without reading them")


def test_a_named_entry_of_a_gib_of_another_shape_is_refused_unread(dense_file, tmp_path):
    """weights/0000 replaced by 256 MiB of zeros: named by the header, but of a shape (and a
    size) the architecture does not imply — refused from its .npy header alone."""
    bad = edited(dense_file, tmp_path / "bad.npz",
                 change_entries=lambda entries: entries.pop("weights/0000.npy"))
    add_zeros_entry(bad, "weights/0000.npy", GIB // 4)
    assert_refused_cheaply(bad, "weight 0 is stored as float32 of shape (67108864,)",
                           "of shape (3, 5)")


@pytest.mark.parametrize("name", ["weights/0099.npy", "masks/0000.npy", "optimizer/0/x.npy",
                                  "optimizer/extra.npy", "notes.npy", "nanonet_model2.npy"])
def test_entries_the_header_does_not_name_are_refused_unread(dense_file, tmp_path, name):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(dense_file.read_bytes())
    add_zeros_entry(bad, name, 64 * 2 ** 20)            # 64 MiB: more than MAX_PEAK
    message = assert_refused_cheaply(bad, name[:-len(".npy")], "corrupt"
                                     if name.startswith(("weights", "masks", "optimizer"))
                                     else "Refused without reading them")
    assert "pickle" not in message


def test_many_extra_entries_are_listed_briefly(dense_file, tmp_path):
    entries = members(dense_file)
    entries.update({f"junk{i}.npy": npy_bytes(np.zeros(1)) for i in range(9)})
    bad = tmp_path / "bad.npz"
    write_members(bad, entries)
    assert_refused_cheaply(bad, "'junk0.npy'", "and 4 more")


def test_a_header_edited_to_units_20000_is_refused_before_building(dense_file, tmp_path):
    """8 KB describing two Dense layers of 20000 units, a 20000 × 20000 kernel (before: 4.6 GB
    and ~10 s to build and initialise the architecture before comparing shapes)."""
    bad = edited(dense_file, tmp_path / "bad.npz", lambda header: set_units(header, 20000))
    assert bad.stat().st_size < 20_000
    assert_refused_cheaply(bad, "do not fit", "Dense 'dense'", "'kernel' of shape (3, 20000)",
                           "lists (3, 5)", "before building anything")


def test_a_header_edited_to_an_lstm_of_5000_units_is_refused_at_once(lstm_file, tmp_path):
    """(before: ~3 minutes in the orthogonal initialiser, then the error)"""
    bad = edited(lstm_file, tmp_path / "bad.npz",
                 lambda header: set_units(header, 5000, layer_indices=[0]))
    assert_refused_cheaply(bad, "do not fit", "LSTM 'lstm'", "(3, 20000)", "lists (3, 24)")


HUGE_DENSE = [(3, 20000), (20000,), (20000, 20000), (20000,)]


def test_a_header_listing_a_huge_architecture_in_a_tiny_file_is_refused(dense_file, tmp_path):
    """Architecture and weight list agree (20000 units) — but not the stored arrays."""
    bad = edited(dense_file, tmp_path / "bad.npz",
                 lambda header: set_units(header, 20000, HUGE_DENSE))
    assert_refused_cheaply(bad, "weight 0 is stored as float32 of shape (3, 5)",
                           "of shape (3, 20000)")


def test_npy_headers_claiming_the_huge_shapes_over_tiny_data_are_refused(dense_file, tmp_path):
    """Header, weight list and .npy headers all agree on 20000 units; the zip stores a few
    bytes: the size the zip records gives it away before anything is read."""
    def claim(entries):
        for index, shape in enumerate(HUGE_DENSE):
            entries[f"weights/{index:04d}.npy"] = npy_header(shape) + bytes(16)
        for key in [k for k in entries if k.startswith("optimizer/")]:
            del entries[key]

    bad = edited(dense_file, tmp_path / "bad.npz",
                 lambda header: (set_units(header, 20000, HUGE_DENSE),
                                 header.__setitem__("optimizer_state", False)), claim)
    assert_refused_cheaply(bad, "'weights/0000.npy' is truncated or corrupt",
                           "describes 240,000 bytes", "stores 16")


def test_a_header_entry_bigger_than_any_description_is_refused_unread(dense_file, tmp_path):
    def pad(header):
        header["model"]["name"] = "x" * (saving.MAX_HEADER_BYTES // 4)

    bad = edited(dense_file, tmp_path / "bad.npz", pad)
    assert_refused_cheaply(bad, "model description", "bytes, more than", "Refused unread")


def test_listed_shapes_of_another_architecture_are_refused_before_reading_them(dense_file,
                                                                                tmp_path):
    """Header list and stored array agree on a 256 MiB weight 0; the architecture says (3, 5):
    refused from the header alone (before: the 256 MiB were decompressed, then compared)."""
    shape = (16384, 4096)
    bad = edited(dense_file, tmp_path / "bad.npz",
                 lambda header: header["weights"].__setitem__(0, list(shape)),
                 lambda entries: entries.pop("weights/0000.npy"))
    add_zeros_entry(bad, "weights/0000.npy", 4 * shape[0] * shape[1], shape=shape)
    assert_refused_cheaply(bad, "do not fit", "'kernel' of shape (3, 5)", "lists (16384, 4096)")


def test_an_honest_file_of_a_big_model_costs_about_the_model_s_size(dense_file, tmp_path):
    """The bound that remains: a small file (zeros compress 1000-fold) that honestly describes
    a big model — here 2000 units, 16 MB of weights in a 40 KB file — loads, at the cost of a
    few times the model's size (the read arrays, the built weights, their gradients and the
    initialiser's scratch), never more."""
    shapes = [(3, 2000), (2000,), (2000, 2000), (2000,)]

    def drop(entries):
        for key in [key for key in entries if key.startswith(("optimizer/", "weights/"))]:
            del entries[key]

    big = edited(dense_file, tmp_path / "big.npz", lambda header: (
        set_units(header, 2000, shapes), header.__setitem__("optimizer_state", False)), drop)
    for index, shape in enumerate(shapes):
        add_zeros_entry(big, f"weights/{index:04d}.npy", 4 * int(np.prod(shape)), shape=shape)
    size = 4 * sum(int(np.prod(shape)) for shape in shapes)
    assert big.stat().st_size < size / 100
    tracemalloc.start()
    try:
        model = nn.load_model(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [w.shape for w in model.get_weights()] == shapes
    assert peak < 5 * size, f"{peak / size:.1f} times the model's size"


def test_an_honest_file_still_loads_exactly(dense_file):
    model = nn.load_model(dense_file)
    assert [w.shape for w in model.get_weights()] == [(3, 5), (5,), (5, 4), (4,)]


@pytest.mark.parametrize("make, input_shape, shapes", [
    (lambda: layers.Dense(7), (3,), {"kernel": (3, 7), "bias": (7,)}),
    (lambda: layers.Dense(7, use_bias=False), (2, 3), {"kernel": (3, 7)}),
    (lambda: layers.Embedding(11, 4), (None,), {"embeddings": (11, 4)}),
    (lambda: layers.LSTM(5), (None, 3),
     {"kernel": (3, 20), "recurrent_kernel": (5, 20), "bias": (20,)}),
    (lambda: layers.LSTM(5, use_bias=False, return_sequences=True), (6, 2),
     {"kernel": (2, 20), "recurrent_kernel": (5, 20)}),
    (lambda: layers.LSTMCell(4), (3,),
     {"kernel": (3, 16), "recurrent_kernel": (4, 16), "bias": (16,)}),
    (lambda: layers.Dropout(0.5), (3,), {}),
    (lambda: layers.Activation("relu"), (3,), {}),
], ids=["dense", "dense-no-bias", "embedding", "lstm", "lstm-no-bias", "lstm-cell", "dropout",
        "activation"])
def test_weight_shapes_are_the_shapes_build_creates(make, input_shape, shapes):
    """What load_model checks a file against, before building, is what building makes (Keras's
    shapes, in get_weights() order)."""
    assert make().weight_shapes(input_shape) == shapes
    layer = make()
    layer.build(input_shape, np.random.default_rng(0))
    assert [(name, value.shape) for name, value in layer.params.items()] == list(shapes.items())


def test_weight_shapes_refuse_what_build_refuses():
    for layer, shape in ((layers.Dense(3), (None,)), (layers.LSTM(3), (4,))):
        with pytest.raises(ValueError):
            layer.weight_shapes(shape)
        with pytest.raises(ValueError):
            layer.build(shape)


# ---------------------------------------------------------------------------- optimizer state
def with_slot(source, target, key, change):
    """`source` with the optimizer slot optimizer/`key` replaced by change(its array)."""
    def edit(entries):
        name = f"optimizer/{key}.npy"
        value = np.load(io.BytesIO(entries[name]))
        entries[name] = npy_bytes(change(value.copy()))
    return edited(source, target, change_entries=edit)


def at(index, value):
    def change(array):
        array.reshape(-1)[index] = value
        return array
    return change


@pytest.mark.parametrize("key, change, fragments", [
    ("0/m", at(3, np.nan), ["optimizer slot '0/m'", "nan", "always finite"]),
    ("0/v", at(0, np.inf), ["optimizer slot '0/v'", "inf", "always finite"]),
    ("0/v", at(7, -1e-3), ["optimizer slot '0/v'", "-0.001", "index (7,)", "never negative"]),
    ("0/m", at(5, 1e30), ["optimizer slot '0/m'", "1e+30", "index (5,)", "Cauchy–Schwarz"]),
    ("iterations", lambda _: np.array(-2), ["iteration count", "non-negative integer"]),
    ("iterations", lambda _: np.array(2.0), ["iteration count", "float64", "whole number"]),
    ("iterations", lambda _: np.array(True), ["iteration count", "bool", "whole number"]),
    ("iterations", lambda _: np.array([2]), ["iteration count", "shape (1,)"]),
    ("0/m", lambda m: m.astype(np.float64), ["optimizer slot '0/m'", "float64", "float32"]),
], ids=["nan-m", "inf-v", "negative-v", "absurd-m", "negative-iterations", "float-iterations",
        "bool-iterations", "array-iterations", "float64-slot"])
def test_bad_adam_state_is_refused_naming_the_slot(dense_file, tmp_path, key, change,
                                                   fragments):
    bad = with_slot(dense_file, tmp_path / "bad.npz", key, change)
    assert_refused_cheaply(bad, *fragments)


def moments_of(path):
    entries = members(path)
    load = lambda key: np.load(io.BytesIO(entries[f"optimizer/{key}.npy"]))  # noqa: E731
    return load("0/m"), load("0/v"), int(load("iterations"))


def test_a_first_moment_just_beyond_the_bound_is_refused(dense_file, tmp_path):
    """Not only absurd values: m twice as far as √(C·v) allows, where v is of normal size
    (the check uses m² ≤ 2·C·v, a margin of √2 for rounding)."""
    m, v, steps = moments_of(dense_file)
    index = int(np.argmax(v))
    limit = np.sqrt(moment_bound(0.9, 0.999, steps) * float(v[index]))
    bad = with_slot(dense_file, tmp_path / "bad.npz", "0/m", at(index, 2 * limit))
    assert_refused_cheaply(bad, "optimizer slot '0/m'", f"index ({index},)", "at most")
    fine = with_slot(dense_file, tmp_path / "fine.npz", "0/m", at(index, 0.99 * limit))
    nn.load_model(fine)                                       # inside the bound: loads


@pytest.mark.parametrize("centered, slot, change, fragments", [
    (False, "0/velocity", at(1, -5.0), ["'0/velocity'", "never negative"]),
    (True, "0/average_gradient", at(2, 1e3), ["'0/average_gradient'", "at most"]),
    (True, "0/average_gradient", at(0, np.nan), ["'0/average_gradient'", "always finite"]),
])
def test_bad_rmsprop_state_is_refused(tmp_path, centered, slot, change, fragments):
    good = trained(dense_model(optimizers.RMSprop(centered=centered)), tmp_path / "good.npz")
    bad = with_slot(good, tmp_path / "bad.npz", slot, change)
    assert_refused_cheaply(bad, *fragments)


@pytest.mark.parametrize("optimizer, dtype", [
    (lambda: optimizers.Adam(learning_rate=0.05), "float32"),
    (lambda: optimizers.Adam(learning_rate=0.05, beta_1=0.99, beta_2=0.9), "float32"),
    (lambda: optimizers.Adam(learning_rate=0.05, beta_1=0.5, beta_2=0.6), "float64"),
    (lambda: optimizers.Adam(learning_rate=0.01, clipnorm=0.1), "mixed_float16"),
    (lambda: optimizers.Adam(learning_rate=0.01), "float16"),
    (lambda: optimizers.RMSprop(learning_rate=0.05, centered=True, momentum=0.5), "float32"),
], ids=["adam", "adam-beta1-squared-above-beta2", "adam-float64", "adam-mixed-clipnorm",
        "adam-float16", "rmsprop-centered"])
@pytest.mark.parametrize("epochs", [1, 5])
def test_real_training_never_breaks_the_moment_bound(tmp_path, optimizer, dtype, epochs):
    """The bound is a theorem, not a guess: trained states load, whatever the betas."""
    path = trained(dense_model(optimizer(), dtype), tmp_path / "model.npz", epochs)
    model = nn.load_model(path)
    state = model.optimizer.get_state()
    assert int(state["iterations"]) == 4 * epochs


def test_the_moment_bound_is_tight_at_the_first_step(tmp_path):
    """After one step m = (1−β1)·g and v = (1−β2)·g² exactly: m² = C·v, C = (1−β1)²/(1−β2)."""
    model = dense_model(optimizers.Adam())
    rng = np.random.default_rng(3)
    model.fit(rng.normal(size=(4, 3)), rng.uniform(size=(4, 4)), batch_size=4, verbose=0)
    state = model.optimizer.get_state()
    m, v = state["0/m"].astype(np.float64), state["0/v"].astype(np.float64)
    bound = moment_bound(0.9, 0.999, 1)
    assert bound == pytest.approx(0.1 ** 2 / 0.001)
    used = v > 1e-30
    assert np.allclose(m[used] ** 2 / v[used], bound, rtol=1e-4)


def test_the_moment_bound_for_long_runs():
    assert moment_bound(0.9, 0.999, 10 ** 9) == pytest.approx(
        0.01 / (0.001 * (1 - 0.81 / 0.999)))                  # ≈ 52.9, the t → ∞ limit
    assert moment_bound(0.99, 0.9, 10 ** 6) == float("inf")   # r > 1: no bound
    assert moment_bound(0.9, 0.9, 7) == pytest.approx(1 - 0.9 ** 7)  # RMSprop's


# ---------------------------------------------------------------------------- save housekeeping
KILLED_SAVE = """
import os, signal, sys
import numpy as np
import nanonet as nn
from nanonet import layers

model = nn.Sequential([layers.Dense(300, input_shape=(300,))], seed=0)

def killed(stream, **arrays):          # write part of the file, then die as `kill -9` would
    stream.write(b"PK" + bytes(100_000))
    stream.flush()
    os.kill(os.getpid(), signal.SIGKILL)

np.savez = killed
model.save(sys.argv[1])
"""


def kill_a_save(path):
    """Run a save of `path` in a process killed mid-save; it leaves its temporary file."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(nn.__file__).resolve().parents[1])] + sys.path))
    process = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], env=env,
                             capture_output=True)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()


def temporaries(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.endswith(".tmp"))


def age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_temporary_files_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "model.npz"
    for _ in range(3):
        kill_a_save(path)
    left = temporaries(tmp_path)
    assert len(left) == 3 and not path.exists()          # what the issue saw pile up
    for name in left:
        age(tmp_path / name, saving.STALE_TEMPORARY_SECONDS + 5)
    dense_model().save(path)
    assert temporaries(tmp_path) == []
    nn.load_model(path)


def test_only_stale_temporaries_of_the_same_file_are_removed(tmp_path):
    path = tmp_path / "model.npz"
    keep = [".model.npz.abcd1234.tmp",           # fresh: a save in progress, perhaps
            ".other.npz.abcd1234.tmp",           # another file's
            ".model.npz.abc.tmp", "model.npz.abcd1234.tmp", ".model.npz.ABCD1234.tmp",
            ".model.npz.abcd1234.tmp.bak"]       # not the names mkstemp makes
    old = [".model.npz.abcd1235.tmp", ".model.npz._x9y8z7w.tmp"]
    for name in keep + old:
        (tmp_path / name).write_bytes(b"partial")
        if name not in keep[:1]:
            age(tmp_path / name, saving.STALE_TEMPORARY_SECONDS + 5)
    (tmp_path / ".model.npz.dir12345.tmp").mkdir()            # not a file: left alone
    age(tmp_path / ".model.npz.dir12345.tmp", saving.STALE_TEMPORARY_SECONDS + 5)
    dense_model().save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        keep + ["model.npz", ".model.npz.dir12345.tmp"])


def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    store, links = tmp_path / "store", tmp_path / "links"
    store.mkdir()
    links.mkdir()
    target = store / "real.npz"
    dense_model().save(target)
    link = links / "model.npz"
    link.symlink_to(os.path.relpath(target, links))           # a relative link
    model = dense_model()
    trained(model, link)                                      # saves through the link
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(target, links)
    assert sorted(p.name for p in links.iterdir()) == ["model.npz"]
    assert sorted(p.name for p in store.iterdir()) == ["real.npz"]
    loaded = nn.load_model(target)                            # the target holds the new model
    assert all(a.tobytes() == b.tobytes()
               for a, b in zip(loaded.get_weights(), model.get_weights()))


def test_saving_over_a_read_only_file_raises_and_leaves_it(tmp_path):
    path = tmp_path / "model.npz"
    dense_model().save(path)
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        with pytest.raises(PermissionError) as info:
            trained(dense_model(), path)
        message = str(info.value)
        for fragment in ("Sequential.save", repr(str(path)), "read-only", "-r--r--r--",
                         "chmod u+w", "another name"):
            assert fragment in message, (fragment, message)
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    finally:
        path.chmod(0o644)


def test_saving_over_a_writable_file_still_replaces_it(tmp_path):
    path = tmp_path / "model.npz"
    dense_model().save(path)
    path.chmod(0o600)
    trained(dense_model(), path)
    assert path.stat().st_mode & 0o777 == 0o600                # its permissions kept
