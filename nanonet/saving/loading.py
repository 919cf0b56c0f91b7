"""Loading a model file: ``load_model`` (what nanonet.load_model calls) reads the archive in
the bounded order (reading.py), then rebuilds the model and restores its weights, pruning
masks, random state, compile settings with the optimizer state (checked by
optimizer_state.py), and a mixed-precision model's loss-scale state."""
from __future__ import annotations

from typing import Dict

import numpy as np

from .expected import cannot_rebuild
from .file_format import Refused
from .header import corrupt_compile, stored_optimizer
from .optimizer_state import check_optimizer_state
from .paths import check_path
from .reading import read_archive


def load_model(path, model_class):
    """Rebuild the model saved at `path`: architecture, weights, compile settings, optimizer state.

    `model_class` builds the architecture (``model_class.from_config(config)``): models.py's
    ``load_model`` passes ``Sequential``, so this file never imports models. Nothing is built
    before every entry of the file has been checked against the architecture its header
    describes, and read (reading.py's docstring, "Bounded loading")."""
    path = check_path(path, "load_model")
    where = f"load_model({path!r})"
    header, entries = read_archive(path)
    try:
        model = model_class.from_config(header["model"])
    except Exception as error:  # noqa: BLE001 — any failure means the description is unusable
        raise ValueError(cannot_rebuild(error, where)) from None
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


def _restore_compile(model, header: dict, entries: Dict[str, np.ndarray], where: str) -> None:
    from .. import losses
    compile_config = header["compile"]
    try:
        model.compile(optimizer=stored_optimizer(header, where),
                      loss=losses.from_config(compile_config["loss"]),
                      metrics=compile_config.get("metrics") or None)
    except Exception as error:
        raise ValueError(str(error) if isinstance(error, Refused)
                         else corrupt_compile(error, where)) from None
    if not header.get("optimizer_state"):
        return
    state = {key[len("optimizer/"):]: value for key, value in entries.items()
             if key.startswith("optimizer/")}
    params = model.prepare_training().params
    check_optimizer_state(model.optimizer, state, params, where)
    try:
        model.optimizer.set_state(state, params)
    except Exception as error:  # noqa: BLE001
        raise ValueError(f"{where}: the optimizer state is incomplete or does not match the "
                         f"model ({error}).") from None
