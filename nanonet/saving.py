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
and never with pickle — nothing in the file is ever executed — checking each entry's declared
size against the bytes stored before allocating anything, and checks every entry before
building anything. Every problem with a file is reported as
``ValueError("load_model('path'): …")``: truncated, corrupt or foreign files, a file written by
a newer nanonet ("upgrade nanonet"), or one whose format version is unknown.
``FileNotFoundError`` / ``IsADirectoryError`` / ``PermissionError`` are raised for a path that is
not a readable file, and ``TypeError`` for a path that is not a path at all.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Tuple

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
    model gets the weights with ``set_weights`` (DESIGN.md: the same order and shapes)."""
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
    path = Path(path)
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


def _write_atomically(path: Path, arrays: Dict[str, np.ndarray]) -> None:
    directory = path.parent if str(path.parent) else Path(".")
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
    ``load_model`` passes ``Sequential``, so this file never imports models."""
    path = _check_path(path, "load_model")
    where = f"load_model({path!r})"
    entries = _read_archive(path)
    header = _read_header(entries, path)
    try:
        model = model_class.from_config(header["model"])
    except Exception as error:  # noqa: BLE001 — any failure means the description is unusable
        raise ValueError(f"{where}: the model description is corrupt or comes from another "
                         f"version of nanonet — the architecture cannot be rebuilt "
                         f"({type(error).__name__}: {error}).") from None
    masks = _loaded_masks(model, header, entries, where)
    weights = [entries[f"weights/{i:04d}"] for i in range(len(header["weights"]))]
    for index, weight in enumerate(weights):     # set_weights would cast them silently
        if weight.dtype != model.dtype:
            raise ValueError(f"{where}: weight {index} is stored as {weight.dtype}, but the model "
                             f"description says dtype {header['model'].get('dtype')!r}; the "
                             f"file is corrupt (Sequential.save stores the weights in the "
                             f"model's dtype).")
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
        _restore_compile(model, header, entries, path)
    if header.get("loss_scale") is not None and model.loss_scale is not None:
        try:                                    # (after compile, which resets the scale)
            model.loss_scale.set_state(header["loss_scale"])
        except Exception as error:  # noqa: BLE001
            raise ValueError(f"{where}: the stored loss-scale state is corrupt "
                             f"({type(error).__name__}: {error}).") from None
    return model


def _loaded_masks(model, header: dict, entries: Dict[str, np.ndarray], where: str) -> list:
    """(layer, weight name, mask) for every stored mask, each checked against the rebuilt
    model (a layer and weight it has, the weight's shape); _read_header checked the rest."""
    by_name = {layer.name: layer for layer in model.layers}
    masks = []
    for index, item in enumerate(header.get("masks") or []):
        layer_name, name = item["layer"], item["weight"]
        label = f"{where}: the pruning mask for layer {layer_name!r}, weight {name!r} " \
                f"(masks/{index:04d})"
        layer = by_name.get(layer_name)
        if layer is None:
            raise ValueError(f"{label} names a layer the model does not have (its layers: "
                             f"{', '.join(map(repr, by_name))}); the file is corrupt.")
        if name not in layer.params:
            raise ValueError(f"{label} names a weight {layer.describe()} does not have (its "
                             f"weights: {', '.join(map(repr, layer.params)) or 'none'}); the "
                             f"file is corrupt.")
        mask, shape = entries[f"masks/{index:04d}"], layer.params[name].shape
        if mask.shape != shape:
            raise ValueError(f"{label} has shape {mask.shape}, but the weight has shape "
                             f"{shape}; the file is corrupt.")
        masks.append((layer, name, mask))
    return masks


def _read_archive(path: str) -> Dict[str, np.ndarray]:
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


def _read_entries(stream, where: str) -> Dict[str, np.ndarray]:
    """Every array of the archive, read with NumPy's .npy reader — but never with pickle, and
    with each entry's declared size checked against the bytes the archive holds before
    anything is allocated. Every failure is a ValueError naming the file."""
    try:
        with zipfile.ZipFile(stream) as archive:
            entries: Dict[str, np.ndarray] = {}
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    raise _Refused(f"{where}: not a nanonet model file — the archive holds "
                                   f"{info.filename!r}, which is not a NumPy array (.npy); a "
                                   f"file written by Sequential.save holds only arrays.")
                name = info.filename[:-len(".npy")]
                if name in entries:
                    raise _Refused(f"{where}: the archive holds {info.filename!r} twice; it is "
                                   f"corrupt.")
                entries[name] = _read_member(archive, info, where)
            return entries
    except _Refused as error:                          # a plain ValueError for the user
        raise ValueError(str(error)) from None
    except Exception as error:  # noqa: BLE001 — zipfile/zlib/numpy fail in many ways on bad bytes
        raise ValueError(f"{where}: the file is truncated, corrupt or not a .npz archive "
                         f"written by Sequential.save ({type(error).__name__}: "
                         f"{str(error)[:200]}).") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> np.ndarray:
    """One .npy entry: header first (refusing object arrays, which would need pickle, and a
    size that disagrees with the stored bytes), then exactly that many bytes."""
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
        if dtype.hasobject:
            raise _Refused(f"{where}: the file contains a pickled Python object (entry "
                           f"{info.filename!r}); nanonet never unpickles (it could run "
                           f"arbitrary code), so it refuses the file.")
        if dtype.kind not in "biufU" or dtype.itemsize == 0:
            raise _Refused(f"{where}: entry {info.filename!r} holds {dtype} data; a nanonet "
                           f"model file holds only numbers and one text.")
        count = int(np.prod(shape, dtype=object)) if shape else 1
        declared = count * dtype.itemsize
        stored = info.file_size - member.tell()
        if declared != stored:
            raise _Refused(f"{where}: entry {info.filename!r} is truncated or corrupt: its "
                           f"header describes {declared:,} bytes of {dtype} {tuple(shape)}, "
                           f"but the archive stores {stored:,}.")
        data = member.read(declared + 1)            # reading to the end checks the CRC-32
    if len(data) != declared:
        raise _Refused(f"{where}: entry {info.filename!r} is truncated: {len(data):,} of "
                       f"{declared:,} bytes.")
    array = np.frombuffer(data, dtype=dtype, count=count).copy()
    return array.reshape(shape[::-1]).transpose() if fortran_order else array.reshape(shape)


def _read_header(entries: Dict[str, np.ndarray], path: str) -> dict:
    where = f"load_model({path!r})"
    if HEADER not in entries:
        held = ", ".join(sorted(entries)) or "nothing"
        raise ValueError(f"{where}: this .npz has no {HEADER!r} entry, so it was not written "
                         f"by Sequential.save (it holds: {held}).")
    text = entries[HEADER]
    if text.ndim != 0 or text.dtype.kind != "U":
        raise ValueError(f"{where}: the model description is corrupt (expected one JSON text, "
                         f"found a {text.dtype} array of shape {text.shape}).")
    try:
        header = json.loads(str(text))
    except ValueError as error:
        raise ValueError(f"{where}: the model description is corrupt ({error}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise ValueError(f"{where}: unknown file format {found!r} (expected {FORMAT!r}).")
    _check_version(header.get("version"), where)
    shapes = header.get("weights")
    if not isinstance(header.get("model"), dict) or not isinstance(shapes, list) or \
            not isinstance(header["model"].get("dtype"), str) or not all(
            isinstance(s, list) and all(type(d) is int and d >= 0 for d in s) for s in shapes):
        raise ValueError(f"{where}: the model description is corrupt (its 'model' or "
                         f"'weights' entry is missing or malformed).")
    if header.get("compile") is not None and not isinstance(header["compile"], dict):
        raise ValueError(f"{where}: the model description is corrupt (its 'compile' entry is "
                         f"malformed).")
    if not isinstance(header.get("optimizer_state", False), bool):
        raise ValueError(f"{where}: the model description is corrupt (its 'optimizer_state' "
                         f"entry should be true or false, found "
                         f"{header['optimizer_state']!r:.40}).")
    for index, shape in enumerate(shapes):
        key = f"weights/{index:04d}"
        if key not in entries:
            raise ValueError(f"{where}: weight {index} is missing from the file.")
        if list(entries[key].shape) != list(shape) or entries[key].dtype.kind != "f":
            raise ValueError(f"{where}: weight {index} should be a float array of shape "
                             f"{tuple(shape)}, found {entries[key].dtype} {entries[key].shape}.")
    extra = sorted(k for k in entries if k.startswith("weights/")
                   and k not in {f"weights/{i:04d}" for i in range(len(shapes))})
    if extra:
        raise ValueError(f"{where}: the file holds weights the description does not list "
                         f"({', '.join(extra)}); it is corrupt.")
    _check_masks(header, entries, where)
    return header


def _check_masks(header: dict, entries: Dict[str, np.ndarray], where: str) -> None:
    """The header's optional "masks" list and its bool arrays masks/0000 … (which layer and
    weight they name, and their shapes, are checked once the model is rebuilt)."""
    listed = header.get("masks")
    if listed is None:
        listed = header["masks"] = []
    if not isinstance(listed, list) or not all(
            isinstance(item, dict) and set(item) == {"layer", "weight"}
            and isinstance(item["layer"], str) and isinstance(item["weight"], str)
            for item in listed):
        raise ValueError(f"{where}: the model description is corrupt (its 'masks' entry "
                         f"should list {{\"layer\": name, \"weight\": name}} pairs, found "
                         f"{listed!r:.80}).")
    seen = set()
    for index, item in enumerate(listed):
        pair, key = (item["layer"], item["weight"]), f"masks/{index:04d}"
        label = f"the pruning mask for layer {item['layer']!r}, weight {item['weight']!r} ({key})"
        if pair in seen:
            raise ValueError(f"{where}: {label} is listed twice; the file is corrupt.")
        seen.add(pair)
        if key not in entries:
            raise ValueError(f"{where}: {label} is missing from the file.")
        if entries[key].dtype != np.bool_:
            raise ValueError(f"{where}: {label} should be a bool array (True = kept), found "
                             f"{entries[key].dtype} {entries[key].shape}; the file is corrupt.")
    extra = sorted(k for k in entries if k.startswith("masks/")
                   and k not in {f"masks/{i:04d}" for i in range(len(listed))})
    if extra:
        raise ValueError(f"{where}: the file holds pruning masks the description does not "
                         f"list ({', '.join(extra)}); it is corrupt.")


def _check_version(version, where: str) -> None:
    """Version 1 is read; a newer one asks for a newer nanonet; anything else is unsupported."""
    if type(version) is int and version == VERSION:
        return
    if type(version) is int and version > VERSION:
        raise ValueError(f"{where}: this file was written by a newer nanonet (format version "
                         f"{version}); upgrade nanonet (pip install --upgrade nanonet) to load "
                         f"it. This nanonet reads format version {VERSION} only, so version "
                         f"{version!r} is not supported.")
    corrupt = "" if type(version) is int else " (a version is a whole number: the file is corrupt)"
    raise ValueError(f"{where}: file format version {version!r} is not supported by this "
                     f"nanonet (it reads version {VERSION}){corrupt}.")


def _restore_compile(model, header: dict, entries: Dict[str, np.ndarray], path: str) -> None:
    from . import losses, optimizers
    where = f"load_model({path!r})"
    compile_config = header["compile"]
    try:
        model.compile(optimizer=optimizers.from_config(compile_config["optimizer"]),
                      loss=losses.from_config(compile_config["loss"]),
                      metrics=compile_config.get("metrics") or None)
    except Exception as error:
        raise ValueError(f"{where}: the stored compile settings are corrupt or unknown "
                         f"({type(error).__name__}: {error}).") from None
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
    """Every slot present with exactly its parameter's shape (no silent broadcasting)."""
    iterations = state.get("iterations")
    if iterations is None or iterations.shape != () or iterations.dtype.kind not in "iu" \
            or int(iterations) < 0:
        raise ValueError(f"{where}: the optimizer state is corrupt (its iteration count is "
                         f"missing or not a non-negative integer).")
    expected = {"iterations": ()}
    if int(iterations):
        for index, param in enumerate(params):
            for name in optimizer.slot_names:
                expected[f"{index}/{name}"] = param.shape
    if set(state) != set(expected):
        missing = sorted(set(expected) - set(state))
        unexpected = sorted(set(state) - set(expected))
        raise ValueError(f"{where}: the optimizer state does not match the model (missing: "
                         f"{', '.join(missing) or 'none'}; unexpected: "
                         f"{', '.join(unexpected) or 'none'}).")
    for key, shape in expected.items():
        if key != "iterations" and (state[key].shape != shape or state[key].dtype.kind != "f"):
            raise ValueError(f"{where}: optimizer slot {key!r} should be a float array of "
                             f"shape {shape}, found {state[key].dtype} {state[key].shape}.")
