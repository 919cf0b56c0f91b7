"""Saving and loading models as plain ``.npz`` files — safely.

The file is a NumPy zip archive holding only numeric arrays and one JSON text:

    nanonet_model          JSON: format version, model config, compile config, weight list
    weights/0000 …         every weight, in ``get_weights()`` order
    masks/0000 …           pruning masks (bool arrays), if any layer has ``weight_masks``
    optimizer/…            the optimizer's iteration count and slots (so training resumes exactly)

Pruning masks: every layer's ``layer.weight_masks`` (``{weight name: bool array shaped like the
weight}``, set by ``nanonet.compress.prune``) is stored, so a pruned model reloaded and
fine-tuned keeps its pruned weights at exactly 0. The header's ``"masks"`` entry lists them as
``[{"layer": layer name, "weight": weight name}, …]``, the i-th stored as the bool array
``masks/{i:04d}`` (layers in model order, weights in the layer's order). A file without a
``"masks"`` entry (every file of a model without masks, and those written before masks were
saved) loads with no masks; the format version is still 1. On load every mask must be a bool
array of its weight's shape, for a layer and weight the model has, each listed once.

The header also records where the model's shuffling, dropout and augmentation random streams
stand, and a mixed-precision model's loss-scale state (scale, good steps, skipped steps), so a
saved and reloaded model continues training exactly as the original would have. A
mixed-precision model stores its float32 master weights.

Safety: ``save`` writes to a temporary file beside the target, flushes it to disk and then
renames it over the target in one step, so a crash (or a full disk) mid-save leaves the previous
file intact. ``load_model`` reads the archive itself, entry by entry, with NumPy's .npy reader
and never with pickle — nothing in the file is ever executed. Every problem with a file is
reported as ``ValueError("load_model('path'): …")``: truncated, corrupt or foreign files, a file
written by a newer nanonet ("upgrade nanonet"), or one whose format version is unknown.
``FileNotFoundError`` / ``IsADirectoryError`` / ``PermissionError`` are raised for a path that is
not a readable file, and ``TypeError`` for a path that is not a path at all.

Bounded loading: a file can make ``load_model`` allocate no more than (about) the size of the
model it describes, whatever it claims. It reads, in this order, and refuses at the first
disagreement:

1. the zip's directory (names and sizes; nothing decompressed);
2. the header entry, refused unread if bigger than ``MAX_HEADER_BYTES`` (8 MiB);
3. the architecture the header describes: its layers are made from their configs, not built,
   and each gives the shapes of its weights (``layer.weight_shapes``), which must be the
   header's list of weight shapes — an edited ``units=20000`` is refused here, before any
   weight is allocated or initialised;
4. the names of the entries: exactly the weights, masks and optimizer slots the architecture
   implies; any other entry (an extra top-level entry, an extra weight, slot or mask) is
   refused by its name alone, unread;
5. each entry's .npy header (the only part decompressed so far): its shape and dtype must be
   what the architecture implies (the model's dtype for weights and slots, bool for masks, an
   integer for the iteration count) and its size what the zip says it stores; so the sizes of
   the entries add up to exactly what the architecture implies;
6. the data (a zip that lies about an entry's size fails here, having decompressed no more
   than the bytes the entry really holds); then the model is built, and the optimizer state
   is checked against its parameters (_check_optimizer_state): every slot finite, of its
   parameter's shape and dtype, Adam's ``v`` and RMSprop's ``velocity`` (means of squared
   gradients) ≥ 0, Adam's ``m`` and centered RMSprop's ``average_gradient`` within what their
   mean of squares allows (|m| ≤ √(C·v), C from Cauchy–Schwarz: _moment_bound), the iteration
   count a non-negative integer. A violation names the slot and the file.

Housekeeping on save (``save_model``): a symbolic link is written through (its target is
replaced atomically, in the target's folder; the link stays a link, as ``cp`` does); a file
without write permission is not replaced (``PermissionError`` naming it and the fix); and the
temporary files of earlier saves of the same file that were killed mid-save (``.NAME.*.tmp``,
unchanged for ``STALE_TEMPORARY_SECONDS``, 60 s) are removed.
"""
from __future__ import annotations

import json
import math
import os
import re
import shlex
import stat
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple

import numpy as np

FORMAT = "nanonet-model"
VERSION = 1
HEADER = "nanonet_model"
#: the first bytes of every zip archive (``np.savez`` writes zip archives)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def _check_path(path, where: str) -> str:
    """`path` (a str, pathlib.Path or bytes) as a str, or a clear TypeError/ValueError."""
    if isinstance(path, (str, bytes, os.PathLike)):
        try:
            text = os.fsdecode(path)
        except (TypeError, UnicodeDecodeError):
            text = None
        if isinstance(text, str):
            if not text:
                raise ValueError(f"{where}: path is the empty string ''; give a file name "
                                 f"such as 'model.npz'.")
            if "\0" in text:
                raise ValueError(f"{where}: path {text!r} contains a NUL character ('\\0'), "
                                 f"which no file name can hold.")
            return text
    hint = ""
    if hasattr(path, "get_weights") and hasattr(path, "layers"):
        hint = (" (the model itself: save it with model.save('model.npz'), load it with "
                "nanonet.load_model('model.npz'))")
    raise TypeError(f"{where}: path must be a file path — a str or pathlib.Path such as "
                    f"'model.npz' — got {type(path).__name__}{hint}: {path!r:.60}.")


#: the file endings of Keras's own formats, which nanonet does not write (HDF5, Keras v3 zip)
KERAS_SUFFIXES = (".h5", ".hdf5", ".keras")
#: the first bytes of an HDF5 file (Keras's .h5)
_HDF5_MAGIC = b"\x89HDF"


def save_model(model, path, include_optimizer: bool = True) -> None:
    """Write `model` to `path` atomically, as a ``.npz`` archive (the module docstring).

    `path` is the file name as given (``.npz`` is conventional; no ending is added). A name
    ending in ``.h5``, ``.hdf5`` or ``.keras`` is refused with a ValueError naming the fix:
    those are Keras's formats, which nanonet neither writes nor reads, and a .npz named
    ``model.h5`` would only fail later, in Keras or in h5py. Save to ``model.npz``; a Keras
    model gets the weights with ``set_weights`` (DESIGN.md: the same order and shapes).

    If `path` is a symbolic link, the file it points to is replaced (atomically, in that file's
    folder) and the link stays a link, as ``cp`` writes through links. A file that may not be
    written (no write permission: ``chmod a-w``, even for root) is not replaced: a
    PermissionError names it and the fix (``chmod u+w``, or another name). Temporary files
    that killed saves of the same file left behind (``.NAME.XXXXXXXX.tmp`` beside it,
    unchanged for 60 s, STALE_TEMPORARY_SECONDS) are removed; younger ones may belong to a save
    in progress and are left alone."""
    where = "Sequential.save"
    path = _check_path(path, where)
    _refuse_keras_suffix(path, where)
    if not isinstance(include_optimizer, (bool, np.bool_)):
        raise TypeError(f"{where}: include_optimizer must be True or False, got "
                        f"{include_optimizer!r} ({type(include_optimizer).__name__}).")
    if not model.built:
        raise ValueError("Sequential.save: the model is not built, so it has no weights to "
                         "save; build it (model.build(input_shape)), give the first layer an "
                         "input_shape, or train it first.")
    path = _write_target(Path(path))
    if path.is_dir():
        raise IsADirectoryError(f"Sequential.save: {str(path)!r} is a directory; give a file "
                                f"name such as 'model.npz'.")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        what = (f"{str(directory)!r} is a file, not a folder" if directory.exists()
                else f"the folder {str(directory)!r} does not exist; create it first")
        raise FileNotFoundError(f"Sequential.save: cannot save to {str(path)!r}: {what}.")
    arrays = _model_arrays(model, bool(include_optimizer))
    _write_atomically(path, arrays)


def _refuse_keras_suffix(path: str, where: str) -> None:
    suffix = Path(path).suffix
    if suffix.lower() in KERAS_SUFFIXES:
        fixed = str(Path(path).with_suffix(".npz"))
        raise ValueError(f"{where}: {path!r} ends in {suffix}, Keras's "
                         f"{'HDF5' if suffix.lower() != '.keras' else '.keras'} format, but "
                         f"nanonet writes its own .npz archive (NumPy arrays and a JSON "
                         f"header), which Keras cannot read. Save to {fixed!r} and load it with "
                         f"nanonet.load_model({fixed!r}); to move the weights to Keras, "
                         f"keras_model.set_weights(model.get_weights()).")


def _model_arrays(model, include_optimizer: bool) -> Dict[str, np.ndarray]:
    weights = model.get_weights()
    compiled = model.loss is not None and model.optimizer is not None
    compile_config = _compile_config(model) if compiled else None
    header = {
        "format": FORMAT,
        "version": VERSION,
        "model": model.get_config(),
        "compile": compile_config,
        "weights": [list(w.shape) for w in weights],
        "optimizer_state": bool(include_optimizer and compiled and model.optimizer.slots),
        "random_state": model.get_random_state(),
    }
    if model.loss_scale is not None:
        header["loss_scale"] = model.loss_scale.get_state()
    masks = _model_masks(model)
    if masks:                        # (no "masks" entry at all without masks: as before)
        header["masks"] = [{"layer": layer, "weight": name} for layer, name, _ in masks]
    arrays = {HEADER: np.array(json.dumps(header))}
    arrays.update({f"weights/{i:04d}": w for i, w in enumerate(weights)})
    arrays.update({f"masks/{i:04d}": mask for i, (_, _, mask) in enumerate(masks)})
    if header["optimizer_state"]:
        for key, value in model.optimizer.get_state().items():
            arrays[f"optimizer/{key}"] = value
    return arrays


def _model_masks(model) -> List[Tuple[str, str, np.ndarray]]:
    """(layer name, weight name, mask) for every layer's ``weight_masks`` (layers in model
    order, weights in the layer's order), checked as fit checks them — a mask that fit would
    refuse is refused here, before anything is written, rather than in load_model."""
    return [(layer.name, name, mask) for layer in model.layers
            for name, mask in layer.checked_weight_masks("Sequential.save").items()]


def _compile_config(model) -> dict:
    """The compile settings as JSON-able names, checked to be loadable (fail at save, not load)."""
    from . import losses, metrics, optimizers
    config = {"optimizer": model.optimizer.get_config(), "loss": model.loss.get_config(),
              "metrics": [name for name, _ in model.metrics]}
    for name, function in model.metrics:
        try:
            known = _qualified_name(metrics.get(name)[1]) == _qualified_name(function)
        except ValueError:
            known = False
        if not known:
            raise ValueError(f"Sequential.save: metric {name!r} is a custom function, which "
                             f"cannot be stored in a model file (files never hold code). "
                             f"Compile with built-in metric names (e.g. metrics=['accuracy']) "
                             f"to save, and compile with the custom metric again after "
                             f"loading.")
    for kind, module, item in (("optimizer", optimizers, config["optimizer"]),
                               ("loss", losses, config["loss"])):
        try:
            module.from_config(item)
        except Exception as error:  # a custom class: its config does not name a built-in
            raise ValueError(f"Sequential.save: the {kind} {getattr(model, kind)!r} cannot be "
                             f"stored in a model file ({error}); use a built-in {kind}.") from None
    return config


def _qualified_name(function) -> str:
    """'module.qualname' of a function (or of the class of a callable object)."""
    owner = function if hasattr(function, "__qualname__") else type(function)
    return f"{getattr(owner, '__module__', '')}.{owner.__qualname__}"


def _write_target(path: Path) -> Path:
    """The file a save to `path` replaces: `path`, or for a symbolic link the file it points
    to (as ``cp`` writes through a link), so the link stays a link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _refuse_read_only(path: Path) -> None:
    """A PermissionError if `path` is a file this user may not write, or one without any write
    permission (``chmod a-w``: even root, who may write anything, gets the error)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return                                   # no file yet
    if os.access(path, os.W_OK) and mode & 0o222:
        return
    raise PermissionError(13, f"Sequential.save: {str(path)!r} is read-only (permissions "
                              f"{stat.filemode(mode)}), and nanonet does not replace a file "
                              f"that may not be written. Make it writable (chmod u+w "
                              f"{shlex.quote(str(path))}) or save to another name.")


#: a temporary file of an interrupted save (a process killed mid-save) that has not changed
#: for this many seconds is removed by the next save of the same file; a save in progress
#: writes its temporary file continuously, so it is never this old
STALE_TEMPORARY_SECONDS = 60


def _remove_stale_temporaries(path: Path, directory: Path) -> None:
    """Remove the temporary files earlier saves of `path` left behind when they were killed:
    exactly the names _write_atomically makes (``.NAME.XXXXXXXX.tmp``, mkstemp's 8 random
    characters), regular files only, unchanged for STALE_TEMPORARY_SECONDS."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")
    now = time.time()
    try:
        names = [name for name in os.listdir(directory) if pattern.fullmatch(name)]
    except OSError:
        return
    for name in names:
        candidate = directory / name
        try:
            status = candidate.lstat()
            if stat.S_ISREG(status.st_mode) and now - status.st_mtime > STALE_TEMPORARY_SECONDS:
                candidate.unlink()
        except OSError:                           # gone meanwhile, or not ours to remove
            continue


def _write_atomically(path: Path, arrays: Dict[str, np.ndarray]) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    _refuse_read_only(path)
    _remove_stale_temporaries(path, directory)
    mode = _file_mode(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as error:            # an unwritable or read-only folder, a full disk …
        reason = ("permission denied" if isinstance(error, PermissionError)
                  else error.strerror or str(error))
        raise type(error)(error.errno, f"Sequential.save: cannot write to {str(path)!r}: "
                                       f"the folder {str(directory)!r} does not accept new "
                                       f"files ({reason}); save into a folder you can write "
                                       f"to.") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)        # mkstemp makes it private (0600); use the usual mode
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _sync_directory(directory)


def _file_mode(path: Path) -> int:
    """The permissions the saved file should get: the old file's, else 0666 minus the umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def load_model(path, model_class):
    """Rebuild the model saved at `path`: architecture, weights, compile settings, optimizer state.

    `model_class` builds the architecture (``model_class.from_config(config)``): models.py's
    ``load_model`` passes ``Sequential``, so this file never imports models. Nothing is built
    before every entry of the file has been checked against the architecture its header
    describes, and read (the module docstring, "Bounded loading")."""
    path = _check_path(path, "load_model")
    where = f"load_model({path!r})"
    header, entries = _read_archive(path)
    try:
        model = model_class.from_config(header["model"])
    except Exception as error:  # noqa: BLE001 — any failure means the description is unusable
        raise ValueError(_cannot_rebuild(error, where)) from None
    masks = _loaded_masks(model, header, entries, where)
    weights = [entries[f"weights/{i:04d}"] for i in range(len(header["weights"]))]
    try:
        model.set_weights(weights)
    except Exception as error:  # noqa: BLE001
        raise ValueError(f"{where}: the stored weights do not fit the stored architecture "
                         f"({error})") from None
    for layer, name, mask in masks:
        if not isinstance(getattr(layer, "weight_masks", None), dict):
            layer.weight_masks = {}
        layer.weight_masks[name] = mask
    if header.get("random_state") is not None:
        try:
            model.set_random_state(header["random_state"])
        except Exception as error:  # noqa: BLE001
            raise ValueError(f"{where}: the stored random-number state is corrupt "
                             f"({type(error).__name__}: {error}).") from None
    if header.get("compile"):
        _restore_compile(model, header, entries, where)
    if header.get("loss_scale") is not None and model.loss_scale is not None:
        try:                                    # (after compile, which resets the scale)
            model.loss_scale.set_state(header["loss_scale"])
        except Exception as error:  # noqa: BLE001
            raise ValueError(f"{where}: the stored loss-scale state is corrupt "
                             f"({type(error).__name__}: {error}).") from None
    return model


def _cannot_rebuild(error: Exception, where: str) -> str:
    return (f"{where}: the model description is corrupt or comes from another version of "
            f"nanonet — the architecture cannot be rebuilt ({type(error).__name__}: {error}).")


def _loaded_masks(model, header: dict, entries: Dict[str, np.ndarray], where: str) -> list:
    """(layer, weight name, mask) for every stored mask, on the rebuilt model's layers (which
    layer and weight each names, and its shape, were checked before anything was built)."""
    by_name = {layer.name: layer for layer in model.layers}
    masks = []
    for index, item in enumerate(header["masks"]):
        layer = by_name.get(item["layer"])
        if layer is None or item["weight"] not in layer.params:    # (checked: cannot happen)
            raise ValueError(f"{where}: the pruning mask masks/{index:04d} names a weight the "
                             f"rebuilt model does not have; the file is corrupt.")
        masks.append((layer, item["weight"], entries[f"masks/{index:04d}"]))
    return masks


def _read_archive(path: str) -> Tuple[dict, Dict[str, np.ndarray]]:
    """(header, entries): the checked header and every array it implies (_read_entries)."""
    where = f"load_model({path!r})"
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: this is a directory; give the path of a file "
                                f"written by model.save, such as 'model.npz'.")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{where}: no such file.")
    try:
        stream = open(path, "rb")
    except PermissionError:
        raise PermissionError(13, f"{where}: permission denied — this user may not read the "
                                  f"file.") from None
    except OSError as error:
        raise type(error)(error.errno, f"{where}: cannot open the file "
                                       f"({error.strerror or error}).") from None
    with stream:
        start = stream.read(4)
        if start == _HDF5_MAGIC:
            raise ValueError(f"{where}: this is an HDF5 file (Keras's .h5 format), not a "
                             f"nanonet model: nanonet reads only the .npz files model.save "
                             f"writes. To bring a Keras model's weights over, build the same "
                             f"layers in nanonet and use nanonet.interop.from_keras_weights "
                             f"(its docstring shows how to export them from Keras).")
        if start not in _ZIP_MAGIC:
            raise ValueError(f"{where}: not a nanonet model file — it is not a .npz (zip) "
                             f"archive (it starts with {start!r}, a .npz starts with "
                             f"b'PK\\x03\\x04').")
        stream.seek(0)
        return _read_entries(stream, where)


class _Refused(ValueError):
    """A problem with the file that _read_entries has already put into words."""


def _read_entries(stream, where: str) -> Tuple[dict, Dict[str, np.ndarray]]:
    """(header, entries) of the archive, read with NumPy's .npy reader — but never with pickle.
    Every failure is a ValueError naming the file."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return _read_checked(archive, where)
    except _Refused as error:                          # a plain ValueError for the user
        raise ValueError(str(error)) from None
    except Exception as error:  # noqa: BLE001 — zipfile/zlib/numpy fail in many ways on bad bytes
        raise ValueError(f"{where}: the file is truncated, corrupt or not a .npz archive "
                         f"written by Sequential.save ({type(error).__name__}: "
                         f"{str(error)[:200]}).") from None


def _read_checked(archive: zipfile.ZipFile, where: str) -> Tuple[dict, Dict[str, np.ndarray]]:
    """The bounded reading order: the zip's directory (no decompression); the header entry
    (at most MAX_HEADER_BYTES); the entries its architecture implies, each name checked (an
    entry it does not name is refused unread), then each .npy header — shape, dtype, and its
    size against the zip's — and only then the data."""
    index = _archive_index(archive, where)
    header = _read_header(archive, index, where)
    expected = _expected_entries(header, where)
    _check_names(index, expected, where)
    layouts = {name: _npy_layout(archive, info, where) for name, info in index.items()
               if name != HEADER}
    for name, layout in layouts.items():
        _check_layout(layout, expected[name], where)
    return header, {name: _read_data(archive, index[name], layout, where)
                    for name, layout in layouts.items()}


def _archive_index(archive: zipfile.ZipFile, where: str) -> Dict[str, zipfile.ZipInfo]:
    """{entry name without .npy: its ZipInfo}, from the zip's directory alone."""
    index: Dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise _Refused(f"{where}: not a nanonet model file — the archive holds "
                           f"{info.filename!r}, which is not a NumPy array (.npy); a "
                           f"file written by Sequential.save holds only arrays.")
        name = info.filename[:-len(".npy")]
        if name in index:
            raise _Refused(f"{where}: the archive holds {info.filename!r} twice; it is "
                           f"corrupt.")
        index[name] = info
    return index


#: the largest model description (the header entry's bytes) load_model reads: a description
#: takes about 0.5 KB per layer, so this is thousands of layers; a bigger one is refused unread
MAX_HEADER_BYTES = 8 * 2**20


def _read_header(archive: zipfile.ZipFile, index: Dict[str, zipfile.ZipInfo], where: str) -> dict:
    """The header entry, size-checked before it is read, parsed and checked (_parse_header)."""
    info = index.get(HEADER)
    if info is None:
        held = ", ".join(sorted(index)) or "nothing"
        raise _Refused(f"{where}: this .npz has no {HEADER!r} entry, so it was not written "
                       f"by Sequential.save (it holds: {held}).")
    if info.file_size > MAX_HEADER_BYTES:
        raise _Refused(f"{where}: the model description ({HEADER!r}) is {info.file_size:,} "
                       f"bytes, more than any model's description needs (at most "
                       f"{MAX_HEADER_BYTES:,}); the file is corrupt. Refused unread.")
    layout = _npy_layout(archive, info, where)
    shape, _, dtype = layout
    if shape != () or dtype.kind != "U":
        raise _Refused(f"{where}: the model description is corrupt (expected one JSON text, "
                       f"found a {dtype} array of shape {shape}).")
    return _parse_header(str(_read_data(archive, info, layout, where)), where)


def _npy_layout(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> tuple:
    """(shape, fortran_order, dtype) from an entry's .npy header — all that is decompressed —
    refusing object arrays (which would need pickle), anything but numbers and text, and a
    size that disagrees with the bytes the zip says it stores."""
    from numpy.lib import format as npy
    with archive.open(info) as member:
        version = npy.read_magic(member)
        if version == (1, 0):
            shape, fortran_order, dtype = npy.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, fortran_order, dtype = npy.read_array_header_2_0(member)
        else:
            raise _Refused(f"{where}: entry {info.filename!r} is in an unknown .npy format "
                           f"version {version}; the file is corrupt.")
        stored = info.file_size - member.tell()
    if dtype.hasobject:
        raise _Refused(f"{where}: the file contains a pickled Python object (entry "
                       f"{info.filename!r}); nanonet never unpickles (it could run "
                       f"arbitrary code), so it refuses the file.")
    if dtype.kind not in "biufU" or dtype.itemsize == 0:
        raise _Refused(f"{where}: entry {info.filename!r} holds {dtype} data; a nanonet "
                       f"model file holds only numbers and one text.")
    declared = _count(shape) * dtype.itemsize
    if declared != stored:
        raise _Refused(f"{where}: entry {info.filename!r} is truncated or corrupt: its "
                       f"header describes {declared:,} bytes of {dtype} {tuple(shape)}, "
                       f"but the archive stores {stored:,}.")
    return tuple(shape), fortran_order, dtype


def _count(shape) -> int:
    return int(np.prod(shape, dtype=object)) if shape else 1


def _read_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo, layout: tuple,
               where: str) -> np.ndarray:
    """The array of an entry whose `layout` (_npy_layout) was checked: exactly its bytes."""
    shape, fortran_order, dtype = layout
    count = _count(shape)
    array = np.empty(count, dtype=dtype)
    raw, done = array.view(np.uint8), 0               # filled in place, chunk by chunk
    with archive.open(info) as member:
        member.seek(info.file_size - raw.size)
        while done < raw.size:
            chunk = member.read(min(raw.size - done, _CHUNK))
            if not chunk:
                raise _Refused(f"{where}: entry {info.filename!r} is truncated: {done:,} of "
                               f"{raw.size:,} bytes.")
            raw[done:done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            done += len(chunk)
        member.read(1)                                # reading to the end checks the CRC-32
    return array.reshape(shape[::-1]).transpose() if fortran_order else array.reshape(shape)


#: how much of an entry _read_data decompresses at a time
_CHUNK = 2 ** 24


class _Entry(NamedTuple):
    """What the architecture implies for one entry of the file."""
    label: str          # how messages name it, e.g. "weight 0"
    shapes: tuple       # the shapes it may have
    dtype: object       # its np.dtype, or the dtype kinds it may have ("iu")
    wanted: str         # what it should be, in words
    required: bool = True


def _expected_entries(header: dict, where: str) -> Dict[str, _Entry]:
    """Every entry the header's architecture implies (HEADER itself aside): its weights (the
    shapes its layers give them, checked against the header's list), pruning masks and
    optimizer state — computed without building or initialising anything."""
    config = header["model"]
    layers, weights = _architecture(config, where)
    _check_listed_shapes(weights, header["weights"], where)
    try:
        dtype = np.dtype(_policy(config).variable_dtype)
    except Exception as error:  # noqa: BLE001
        raise _Refused(_cannot_rebuild(error, where)) from None
    expected = {f"weights/{index:04d}": _Entry(
        f"weight {index}", (shape,), dtype, f"a float array of the model's dtype ({dtype}: "
        f"the model description says dtype {config['dtype']!r}) of shape {shape} "
        f"(Sequential.save stores the weights in the model's dtype)")
        for index, (_, _, shape) in enumerate(weights)}
    expected.update(_expected_masks(header["masks"], layers, weights, where))
    if header.get("compile") and header.get("optimizer_state"):
        expected.update(_expected_optimizer_entries(header, weights, dtype, where))
    return expected


def _policy(config: dict):
    """The dtype policy of a model config (as Sequential.from_config reads it)."""
    from .training.checks import config_precision
    return config_precision(config, None)[0]


def _architecture(config: dict, where: str) -> tuple:
    """(layers, [(layer, weight name, shape), …]): the config's layers, made from their configs
    and named as Sequential names them but not built, and the shape of every weight building
    them would create (layer.weight_shapes), in get_weights() order."""
    from .layers import registry
    from .training.checks import layer_name
    from .validation import check_shape
    try:
        layers = []
        for spec in config["layers"]:
            layer = registry.deserialize(spec)
            layer.name = layer_name(layers, layer)
            layers.append(layer)
        if not layers:
            raise ValueError("the model has no layers, so no weights")
        shape = layers[0].declared_input_shape                  # as Sequential.from_config
        shape = shape if shape is not None else config.get("input_shape")
        if shape is None:
            raise ValueError("the model has no input shape, so it was never built")
        weights = []
        for layer in layers:
            shape = check_shape(shape, "input_shape", layer.describe())
            weights += [(layer, name, tuple(size))
                        for name, size in layer.weight_shapes(shape).items()]
            shape = layer.compute_output_shape(shape)
    except Exception as error:  # noqa: BLE001 — any failure means the description is unusable
        raise _Refused(_cannot_rebuild(error, where)) from None
    return layers, weights


def _check_listed_shapes(weights: list, listed: list, where: str) -> None:
    """The header's list of weight shapes must be the architecture's, weight for weight."""
    if len(weights) != len(listed):
        names = ", ".join(f"{layer.name} {name} {shape}" for layer, name, shape in weights[:6])
        names += ", …" if len(weights) > 6 else ""
        raise _Refused(f"{where}: the stored weights do not fit the stored architecture "
                       f"(expected {len(weights)} arrays: {names or 'none'}; the description "
                       f"lists shapes for {len(listed)}, got {len(listed)}); the file is "
                       f"corrupt. Refused before building anything.")
    for index, ((layer, name, shape), stored) in enumerate(zip(weights, listed)):
        if tuple(stored) != shape:
            raise _Refused(f"{where}: the stored weights do not fit the stored architecture: "
                           f"{layer.describe()} has weight {name!r} of shape {shape}, but the "
                           f"description lists {tuple(stored)} for weight {index}; the file "
                           f"is corrupt. Refused before building anything.")


def _expected_masks(listed: list, layers: list, weights: list, where: str) -> Dict[str, _Entry]:
    """masks/0000 …: each a bool array of the shape of the weight (of a layer the architecture
    has) that the header's "masks" list names."""
    by_name = {layer.name: layer for layer in layers}
    shapes = {(layer.name, name): shape for layer, name, shape in weights}
    expected = {}
    for index, item in enumerate(listed):
        layer_name, name = item["layer"], item["weight"]
        label = f"the pruning mask for layer {layer_name!r}, weight {name!r} (masks/{index:04d})"
        layer = by_name.get(layer_name)
        if layer is None:
            raise _Refused(f"{where}: {label} names a layer the model does not have (its "
                           f"layers: {', '.join(map(repr, by_name))}); the file is corrupt.")
        if (layer_name, name) not in shapes:
            own = [repr(weight) for owner, weight, _ in weights if owner is layer]
            raise _Refused(f"{where}: {label} names a weight {layer.describe()} does not have "
                           f"(its weights: {', '.join(own) or 'none'}); the file is corrupt.")
        shape = shapes[layer_name, name]
        expected[f"masks/{index:04d}"] = _Entry(
            label, (shape,), np.dtype(np.bool_),
            f"a bool array (True = kept) of the weight's shape {shape}")
    return expected


def _expected_optimizer_entries(header: dict, weights: list, dtype: np.dtype,
                                where: str) -> Dict[str, _Entry]:
    """optimizer/iterations and optimizer/{i}/{slot}: one slot per weight, shaped like it (the
    layout with clipnorm), or one for all, flat (the other): which, and whether there are
    any (none at iteration 0), is checked against the rebuilt model (_check_optimizer_state)."""
    optimizer = _stored_optimizer(header, where)
    total = (sum(_count(shape) for _, _, shape in weights),)
    expected = {"optimizer/iterations": _Entry(
        "the optimizer's iteration count (optimizer/iterations)", ((),), "iu",
        "a whole number (an integer array of shape ())", required=False)}
    for index, (_, _, shape) in enumerate(weights):
        shapes = (shape, total) if index == 0 and total != shape else (shape,)
        for slot in optimizer.slot_names:
            expected[f"optimizer/{index}/{slot}"] = _Entry(
                f"optimizer slot '{index}/{slot}'", shapes, dtype,
                f"a {dtype} array (the weights' dtype) of shape "
                f"{' or '.join(map(str, shapes))}", required=False)
    return expected


def _check_names(index: Dict[str, zipfile.ZipInfo], expected: Dict[str, _Entry],
                 where: str) -> None:
    """Every required entry present, and no entry the architecture does not imply — refused
    by its name alone, before any of it is decompressed."""
    for name, entry in expected.items():
        if entry.required and name not in index:
            raise _Refused(f"{where}: {entry.label} is missing from the file.")
    extra = sorted(name for name in index if name != HEADER and name not in expected)
    if not extra:
        return
    more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
    listed = ", ".join(extra[:5]) + more
    kind = extra[0].split("/")[0]
    if kind == "weights" or kind == "masks":
        what = "weights" if kind == "weights" else "pruning masks"
        raise _Refused(f"{where}: the file holds {what} the description does not list "
                       f"({listed}); it is corrupt.")
    if kind == "optimizer":
        raise _Refused(f"{where}: the optimizer state does not match the model (unexpected: "
                       f"{listed}; the description lists no such slot); the file is corrupt.")
    files = ", ".join(repr(index[name].filename) for name in extra[:5]) + more
    raise _Refused(f"{where}: the archive holds entries no nanonet model file has ({files}); "
                   f"a file written by Sequential.save holds only its description, weights, "
                   f"pruning masks and optimizer state. Refused without reading them.")


def _check_layout(layout: tuple, entry: _Entry, where: str) -> None:
    """An entry's .npy shape and dtype against what the architecture implies for it."""
    shape, _, dtype = layout
    kinds_match = isinstance(entry.dtype, str) and dtype.kind in entry.dtype
    if shape in entry.shapes and (kinds_match or dtype == entry.dtype):
        return
    raise _Refused(f"{where}: {entry.label} is stored as {dtype} of shape {shape}, but it "
                   f"should be {entry.wanted}; the file is corrupt.")


def _parse_header(text: str, where: str) -> dict:
    """The header's JSON, checked: format, version and the form of every section."""
    try:
        header = json.loads(text)
    except ValueError as error:
        raise _Refused(f"{where}: the model description is corrupt ({error}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise _Refused(f"{where}: unknown file format {found!r} (expected {FORMAT!r}).")
    _check_version(header.get("version"), where)
    shapes = header.get("weights")
    if not isinstance(header.get("model"), dict) or not isinstance(shapes, list) or \
            not isinstance(header["model"].get("dtype"), str) or not all(
            isinstance(s, list) and all(type(d) is int and d >= 0 for d in s) for s in shapes):
        raise _Refused(f"{where}: the model description is corrupt (its 'model' or "
                       f"'weights' entry is missing or malformed).")
    if header.get("compile") is not None and not isinstance(header["compile"], dict):
        raise _Refused(f"{where}: the model description is corrupt (its 'compile' entry is "
                       f"malformed).")
    if not isinstance(header.get("optimizer_state", False), bool):
        raise _Refused(f"{where}: the model description is corrupt (its 'optimizer_state' "
                       f"entry should be true or false, found "
                       f"{header['optimizer_state']!r:.40}).")
    _check_mask_list(header, where)
    return header


def _check_mask_list(header: dict, where: str) -> None:
    """The header's optional "masks" list of {"layer", "weight"} pairs, each listed once (the
    arrays masks/0000 … are checked with the other entries, _expected_masks)."""
    listed = header.get("masks")
    if listed is None:
        listed = header["masks"] = []
    if not isinstance(listed, list) or not all(
            isinstance(item, dict) and set(item) == {"layer", "weight"}
            and isinstance(item["layer"], str) and isinstance(item["weight"], str)
            for item in listed):
        raise _Refused(f"{where}: the model description is corrupt (its 'masks' entry "
                       f"should list {{\"layer\": name, \"weight\": name}} pairs, found "
                       f"{listed!r:.80}).")
    seen = set()
    for index, item in enumerate(listed):
        pair = (item["layer"], item["weight"])
        if pair in seen:
            raise _Refused(f"{where}: the pruning mask for layer {item['layer']!r}, weight "
                           f"{item['weight']!r} (masks/{index:04d}) is listed twice; the file "
                           f"is corrupt.")
        seen.add(pair)


def _check_version(version, where: str) -> None:
    """Version 1 is read; a newer one asks for a newer nanonet; anything else is unsupported."""
    if type(version) is int and version == VERSION:
        return
    if type(version) is int and version > VERSION:
        raise _Refused(f"{where}: this file was written by a newer nanonet (format version "
                       f"{version}); upgrade nanonet (pip install --upgrade nanonet) to load "
                       f"it. This nanonet reads format version {VERSION} only, so version "
                       f"{version!r} is not supported.")
    corrupt = "" if type(version) is int else " (a version is a whole number: the file is corrupt)"
    raise _Refused(f"{where}: file format version {version!r} is not supported by this "
                   f"nanonet (it reads version {VERSION}){corrupt}.")


def _stored_optimizer(header: dict, where: str):
    """The optimizer the header's compile settings name (a _Refused if they name none)."""
    from . import optimizers
    try:
        return optimizers.from_config(header["compile"]["optimizer"])
    except Exception as error:  # noqa: BLE001
        raise _Refused(_corrupt_compile(error, where)) from None


def _corrupt_compile(error: Exception, where: str) -> str:
    return (f"{where}: the stored compile settings are corrupt or unknown "
            f"({type(error).__name__}: {error}).")


def _restore_compile(model, header: dict, entries: Dict[str, np.ndarray], where: str) -> None:
    from . import losses
    compile_config = header["compile"]
    try:
        model.compile(optimizer=_stored_optimizer(header, where),
                      loss=losses.from_config(compile_config["loss"]),
                      metrics=compile_config.get("metrics") or None)
    except Exception as error:
        raise ValueError(str(error) if isinstance(error, _Refused)
                         else _corrupt_compile(error, where)) from None
    if not header.get("optimizer_state"):
        return
    state = {key[len("optimizer/"):]: value for key, value in entries.items()
             if key.startswith("optimizer/")}
    params = model.prepare_training().params
    _check_optimizer_state(model.optimizer, state, params, where)
    try:
        model.optimizer.set_state(state, params)
    except Exception as error:  # noqa: BLE001
        raise ValueError(f"{where}: the optimizer state is incomplete or does not match the "
                         f"model ({error}).") from None


def _check_optimizer_state(optimizer, state: Dict[str, np.ndarray], params, where: str) -> None:
    """Every slot present with exactly its parameter's shape and dtype (no silent broadcasting
    or casting), holding values the optimizer can have reached (_check_slot_values)."""
    iterations = state.get("iterations")
    if iterations is None or iterations.shape != () or iterations.dtype.kind not in "iu" \
            or int(iterations) < 0:
        raise ValueError(f"{where}: the optimizer state is corrupt (its iteration count is "
                         f"missing or not a non-negative integer).")
    expected = {}
    if int(iterations):
        for index, param in enumerate(params):
            for name in optimizer.slot_names:
                expected[f"{index}/{name}"] = param
    if set(state) != set(expected) | {"iterations"}:
        missing = sorted(set(expected) - set(state))
        unexpected = sorted(set(state) - set(expected) - {"iterations"})
        raise ValueError(f"{where}: the optimizer state does not match the model (missing: "
                         f"{', '.join(missing) or 'none'}; unexpected: "
                         f"{', '.join(unexpected) or 'none'}).")
    for key, param in expected.items():
        if state[key].shape != param.shape or state[key].dtype != param.dtype:
            raise ValueError(f"{where}: optimizer slot {key!r} should be a {param.dtype} array "
                             f"of shape {param.shape} (its weights'), found {state[key].dtype} "
                             f"{state[key].shape}.")
    _check_slot_values(optimizer, state, int(iterations), where)


def _check_slot_values(optimizer, state: Dict[str, np.ndarray], steps: int, where: str) -> None:
    """Every slot finite; a running mean of squared gradients (Adam's v, RMSprop's velocity)
    never negative; a running mean of gradients beside it (Adam's m, centered RMSprop's
    average_gradient) within what that mean of squares allows: m² ≤ 2·C·(v + tiny), C from
    _moment_bound, doubled for rounding, `tiny` (the dtype's smallest normal number) for
    squares that underflowed. A violation names the slot, the index and the file."""
    from .validation import first_non_finite
    for key, value in state.items():
        found = first_non_finite(value) if key != "iterations" else None
        if found is not None:
            raise ValueError(f"{where}: optimizer slot {key!r} holds {found[1]} at index "
                             f"{found[0]}, but an optimizer's slots are always finite; the "
                             f"file is corrupt (fit would fail on it). Use an intact copy.")
    for square, mean, beta_mean, beta_square in _moment_slots(optimizer):
        bound = _moment_bound(beta_mean, beta_square, steps)
        for key in [key for key in state if key.endswith(f"/{square}")]:
            v = state[key]
            if v.size and v.min() < 0:
                at = np.unravel_index(int(np.argmin(v)), v.shape)
                raise ValueError(f"{where}: optimizer slot {key!r} holds {v[at].item()} at "
                                 f"index {tuple(map(int, at))}, but it is a running mean of "
                                 f"squared gradients, never negative; the file is corrupt.")
            if mean is None or not math.isfinite(bound):
                continue
            m_key = key[:-len(square)] + mean
            m = state[m_key]
            limit = 2 * bound * (v.astype(np.float64) + np.finfo(v.dtype).tiny)
            over = np.square(m, dtype=np.float64) > limit
            if over.any():
                at = tuple(int(i) for i in np.argwhere(over)[0])
                raise ValueError(
                    f"{where}: optimizer slot {m_key!r} holds {m[at].item():.6g} at index {at}, "
                    f"where the mean of squared gradients {key!r} is {v[at].item():.6g}: after "
                    f"{steps} step(s) with beta {beta_mean} and {beta_square}, a running mean "
                    f"of gradients is at most {math.sqrt(bound):.4g}·√v (Cauchy–Schwarz; "
                    f"|m| ≤ {math.sqrt(limit[at]):.4g} here, with a margin for rounding); the "
                    f"file is corrupt.")


def _moment_slots(optimizer) -> list:
    """[(mean-of-squares slot, mean-of-gradients slot or None, β of the mean, β of the mean
    of squares)] of an optimizer's slots that have a sign or a bound to check."""
    from . import optimizers
    if isinstance(optimizer, optimizers.Adam):
        return [("v", "m", optimizer.beta_1, optimizer.beta_2)]
    if isinstance(optimizer, optimizers.RMSprop):
        return [("velocity", "average_gradient" if optimizer.centered else None,
                 optimizer.rho, optimizer.rho)]
    return []


def _moment_bound(beta_mean: float, beta_square: float, steps: int) -> float:
    """C such that m² ≤ C·v for every running mean m of gradients and v of their squares that
    `steps` updates from zero can produce (math.inf: none). With
        m_t = (1−β₁) Σ_{k<t} β₁ᵏ g_{t−k}    and    v_t = (1−β₂) Σ_{k<t} β₂ᵏ g²_{t−k},
    writing β₁ᵏ g = (β₁ᵏ β₂^(−k/2)) · (β₂^(k/2) g), Cauchy–Schwarz gives
        m_t² ≤ (1−β₁)² · Σ_{k<t} rᵏ · Σ_{k<t} β₂ᵏ g²_{t−k} = C·v_t,
        C = (1−β₁)²/(1−β₂) · Σ_{k<t} rᵏ,    r = β₁²/β₂,
    with equality at t = 1 (m = (1−β₁)g, v = (1−β₂)g²). Keras's Adam (β₁ = 0.9, β₂ = 0.999:
    r < 1) has C < (1−β₁)²/((1−β₂)(1−r)) ≈ 52.9 at every t, |m| ≤ 7.3·√v; RMSprop's centered
    average (β₁ = β₂ = ρ) has C = 1 − ρᵗ < 1, a² < v, which keeps its v − a² positive. The
    bound assumes the betas were the same for every step (they are part of the config)."""
    if beta_square == 0:
        return math.inf                     # v is the last square only: m is not bounded by it
    ratio = beta_mean ** 2 / beta_square
    try:
        terms = steps if ratio == 1 else (1 - ratio ** steps) / (1 - ratio)
    except OverflowError:                   # r > 1 and many steps: no useful bound
        return math.inf
    return (1 - beta_mean) ** 2 / (1 - beta_square) * terms
