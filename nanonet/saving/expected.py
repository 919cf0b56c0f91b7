"""What the header's architecture implies, checked before anything is built: the layers are
made from their configs (not built), each gives the shapes of its weights
(``layer.weight_shapes``), which must be the header's list of weight shapes; from them follow
the entries the file must hold — weights, pruning masks and optimizer slots — each with its
shape and dtype (expected_entries). check_names refuses any other entry by its name alone,
unread; check_layout checks an entry's .npy shape and dtype against what is implied for it."""
from __future__ import annotations

import zipfile
from typing import Dict, NamedTuple

import numpy as np

from .archive import element_count
from .file_format import HEADER, Refused
from .header import stored_optimizer


class _Entry(NamedTuple):
    """What the architecture implies for one entry of the file."""
    label: str          # how messages name it, e.g. "weight 0"
    shapes: tuple       # the shapes it may have
    dtype: object       # its np.dtype, or the dtype kinds it may have ("iu")
    wanted: str         # what it should be, in words
    required: bool = True


def expected_entries(header: dict, where: str) -> Dict[str, _Entry]:
    """Every entry the header's architecture implies (HEADER itself aside): its weights (the
    shapes its layers give them, checked against the header's list), pruning masks and
    optimizer state — computed without building or initialising anything."""
    config = header["model"]
    layers, weights = _architecture(config, where)
    _check_listed_shapes(weights, header["weights"], where)
    try:
        dtype = np.dtype(_policy(config).variable_dtype)
    except Exception as error:  # noqa: BLE001
        raise Refused(cannot_rebuild(error, where)) from None
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
    from ..training.checks import config_precision
    return config_precision(config, None)[0]


def _architecture(config: dict, where: str) -> tuple:
    """(layers, [(layer, weight name, shape), …]): the config's layers, made from their configs
    and named as Sequential names them but not built, and the shape of every weight building
    them would create (layer.weight_shapes), in get_weights() order."""
    from ..layers import registry
    from ..training.checks import layer_name
    from ..validation import check_shape
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
        raise Refused(cannot_rebuild(error, where)) from None
    return layers, weights


def _check_listed_shapes(weights: list, listed: list, where: str) -> None:
    """The header's list of weight shapes must be the architecture's, weight for weight."""
    if len(weights) != len(listed):
        names = ", ".join(f"{layer.name} {name} {shape}" for layer, name, shape in weights[:6])
        names += ", …" if len(weights) > 6 else ""
        raise Refused(f"{where}: the stored weights do not fit the stored architecture "
                      f"(expected {len(weights)} arrays: {names or 'none'}; the description "
                      f"lists shapes for {len(listed)}, got {len(listed)}); the file is "
                      f"corrupt. Refused before building anything.")
    for index, ((layer, name, shape), stored) in enumerate(zip(weights, listed)):
        if tuple(stored) != shape:
            raise Refused(f"{where}: the stored weights do not fit the stored architecture: "
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
            raise Refused(f"{where}: {label} names a layer the model does not have (its "
                          f"layers: {', '.join(map(repr, by_name))}); the file is corrupt.")
        if (layer_name, name) not in shapes:
            own = [repr(weight) for owner, weight, _ in weights if owner is layer]
            raise Refused(f"{where}: {label} names a weight {layer.describe()} does not have "
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
    any (none at iteration 0), is checked against the rebuilt model
    (optimizer_state.check_optimizer_state)."""
    optimizer = stored_optimizer(header, where)
    total = (sum(element_count(shape) for _, _, shape in weights),)
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


def check_names(index: Dict[str, zipfile.ZipInfo], expected: Dict[str, _Entry],
                where: str) -> None:
    """Every required entry present, and no entry the architecture does not imply — refused
    by its name alone, before any of it is decompressed."""
    for name, entry in expected.items():
        if entry.required and name not in index:
            raise Refused(f"{where}: {entry.label} is missing from the file.")
    extra = sorted(name for name in index if name != HEADER and name not in expected)
    if not extra:
        return
    more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
    listed = ", ".join(extra[:5]) + more
    kind = extra[0].split("/")[0]
    if kind == "weights" or kind == "masks":
        what = "weights" if kind == "weights" else "pruning masks"
        raise Refused(f"{where}: the file holds {what} the description does not list "
                      f"({listed}); it is corrupt.")
    if kind == "optimizer":
        raise Refused(f"{where}: the optimizer state does not match the model (unexpected: "
                      f"{listed}; the description lists no such slot); the file is corrupt.")
    files = ", ".join(repr(index[name].filename) for name in extra[:5]) + more
    raise Refused(f"{where}: the archive holds entries no nanonet model file has ({files}); "
                  f"a file written by Sequential.save holds only its description, weights, "
                  f"pruning masks and optimizer state. Refused without reading them.")


def check_layout(layout: tuple, entry: _Entry, where: str) -> None:
    """An entry's .npy shape and dtype against what the architecture implies for it."""
    shape, _, dtype = layout
    kinds_match = isinstance(entry.dtype, str) and dtype.kind in entry.dtype
    if shape in entry.shapes and (kinds_match or dtype == entry.dtype):
        return
    raise Refused(f"{where}: {entry.label} is stored as {dtype} of shape {shape}, but it "
                  f"should be {entry.wanted}; the file is corrupt.")



def cannot_rebuild(error: Exception, where: str) -> str:
    """The message for a model description whose architecture cannot be made (here, before
    anything is built, and in load_model when building it fails)."""
    return (f"{where}: the model description is corrupt or comes from another version of "
            f"nanonet — the architecture cannot be rebuilt ({type(error).__name__}: {error}).")
