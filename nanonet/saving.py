"""Saving and loading models as plain ``.npz`` files — safely.

The file is a NumPy zip archive holding only numeric arrays and one JSON text:

    nanonet_model          JSON: format version, model config, compile config, weight list
    weights/0000 …         every weight, in ``get_weights()`` order
    optimizer/…            the optimizer's iteration count and slots (so training resumes exactly)

Safety: ``save`` writes to a temporary file beside the target, flushes it to disk and then
renames it over the target in one step, so a crash (or a full disk) mid-save leaves the previous
file intact. ``load_model`` opens the archive with ``allow_pickle=False`` — nothing in the file is
ever executed — and checks every entry before building anything.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Dict

import numpy as np

FORMAT = "nanonet-model"
VERSION = 1
HEADER = "nanonet_model"


def save_model(model, path, include_optimizer: bool = True) -> None:
    """Write `model` to `path` (any name; ``.npz`` is conventional) atomically."""
    if not model.built:
        raise ValueError("Sequential.save: the model is not built, so it has no weights to "
                         "save; build it or train it first.")
    path = Path(os.fspath(path))
    if path.is_dir():
        raise IsADirectoryError(f"Sequential.save: {str(path)!r} is a directory; give a file "
                                f"name such as 'model.npz'.")
    arrays = _model_arrays(model, include_optimizer)
    _write_atomically(path, arrays)


def _model_arrays(model, include_optimizer: bool) -> Dict[str, np.ndarray]:
    weights = model.get_weights()
    compiled = model.loss is not None and model.optimizer is not None
    header = {
        "format": FORMAT,
        "version": VERSION,
        "model": model.get_config(),
        "compile": None if not compiled else {
            "optimizer": model.optimizer.get_config(),
            "loss": model.loss.get_config(),
            "metrics": [name for name, _ in model.metrics],
        },
        "weights": [list(w.shape) for w in weights],
        "optimizer_state": bool(include_optimizer and compiled and model.optimizer.slots),
    }
    arrays = {HEADER: np.array(json.dumps(header))}
    arrays.update({f"weights/{i:04d}": w for i, w in enumerate(weights)})
    if header["optimizer_state"]:
        for key, value in model.optimizer.get_state().items():
            arrays[f"optimizer/{key}"] = value
    return arrays


def _write_atomically(path: Path, arrays: Dict[str, np.ndarray]) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load_model(path):
    """Rebuild the model saved at `path`: architecture, weights, compile settings, optimizer state."""
    from .models import Sequential
    path = os.fspath(path)
    entries = _read_archive(path)
    header = _read_header(entries, path)
    model = Sequential.from_config(header["model"])
    weights = [entries[f"weights/{i:04d}"] for i in range(len(header["weights"]))]
    model.set_weights(weights)
    if header.get("compile"):
        _restore_compile(model, header, entries, path)
    return model


def _read_archive(path: str) -> Dict[str, np.ndarray]:
    where = f"load_model({path!r})"
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{where}: no such file.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise ValueError(f"{where}: the file contains a pickled Python object; nanonet "
                             f"never unpickles (it could run arbitrary code), so it refuses "
                             f"the file.") from None
        raise ValueError(f"{where}: not a nanonet model file ({error}).") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as error:
        raise ValueError(f"{where}: the file is truncated or is not a .npz archive written by "
                         f"Sequential.save ({type(error).__name__}: {error}).") from None


def _read_header(entries: Dict[str, np.ndarray], path: str) -> dict:
    where = f"load_model({path!r})"
    if HEADER not in entries:
        raise ValueError(f"{where}: this .npz has no {HEADER!r} entry, so it was not written "
                         f"by Sequential.save (it holds: {', '.join(sorted(entries)) or 'nothing'}).")
    try:
        header = json.loads(str(entries[HEADER]))
    except ValueError as error:
        raise ValueError(f"{where}: the model description is corrupt ({error}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{where}: unknown file format {header.get('format')!r}.")
    if header.get("version") != VERSION:
        raise ValueError(f"{where}: file format version {header.get('version')} is not "
                         f"supported by this nanonet (it reads version {VERSION}).")
    for index, shape in enumerate(header.get("weights", [])):
        key = f"weights/{index:04d}"
        if key not in entries:
            raise ValueError(f"{where}: weight {index} is missing from the file.")
        if list(entries[key].shape) != list(shape) or entries[key].dtype.kind != "f":
            raise ValueError(f"{where}: weight {index} should be a float array of shape "
                             f"{tuple(shape)}, found {entries[key].dtype} {entries[key].shape}.")
    return header


def _restore_compile(model, header: dict, entries: Dict[str, np.ndarray], path: str) -> None:
    from . import losses, optimizers
    compile_config = header["compile"]
    model.compile(optimizer=optimizers.from_config(compile_config["optimizer"]),
                  loss=losses.from_config(compile_config["loss"]),
                  metrics=compile_config.get("metrics") or None)
    if not header.get("optimizer_state"):
        return
    state = {key[len("optimizer/"):]: value for key, value in entries.items()
             if key.startswith("optimizer/")}
    model._prepare_training()
    try:
        model.optimizer.set_state(state, model._train_params)
    except (KeyError, ValueError) as error:
        raise ValueError(f"load_model({path!r}): the optimizer state is incomplete or does "
                         f"not match the model ({error}).") from None
