"""Writing a model file: ``save_model`` (what Sequential.save calls) — the arrays of a model,
its compile settings (checked to be loadable), and the atomic write.

The file's layout is in nanonet.saving's docstring. ``save_model`` writes to a temporary file
beside the target, flushes it to disk and then renames it over the target in one step, so a
crash (or a full disk) mid-save leaves the previous file intact.

Housekeeping on save (``save_model``): a symbolic link is written through (its target is
replaced atomically, in the target's folder; the link stays a link, as ``cp`` does); a file
without write permission is not replaced (``PermissionError`` naming it and the fix); and the
temporary files of earlier saves of the same file that were killed mid-save (``.NAME.*.tmp``,
unchanged for ``STALE_TEMPORARY_SECONDS``, 60 s) are removed.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import stat
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

from .file_format import FORMAT, HEADER, VERSION
from .paths import check_path

#: the file endings of Keras's own formats, which nanonet does not write (HDF5, Keras v3 zip)
KERAS_SUFFIXES = (".h5", ".hdf5", ".keras")


def save_model(model, path, include_optimizer: bool = True) -> None:
    """Write `model` to `path` atomically, as a ``.npz`` archive (nanonet.saving's docstring).

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
    path = check_path(path, where)
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
    from .. import losses, metrics, optimizers
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
