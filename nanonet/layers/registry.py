"""Layer classes by name, so a model config (and a saved file) can name its layers safely.

Only the classes registered here can be rebuilt from a config: loading a file never imports or
runs anything the file names.
"""
from __future__ import annotations

import difflib
import inspect
from typing import Dict, Type

from ..validation import unknown_name_error
from .base import Layer

_LAYERS: Dict[str, Type[Layer]] = {}


def register(cls: Type[Layer]) -> Type[Layer]:
    """Register a Layer subclass under its class name (usable as a decorator)."""
    _LAYERS[cls.__name__] = cls
    return cls


def serialize(layer: Layer) -> dict:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(spec: dict) -> Layer:
    if not isinstance(spec, dict) or "class_name" not in spec:
        raise ValueError(f"A layer spec must be a dict with 'class_name' and 'config', "
                         f"got {spec!r}.")
    name = spec["class_name"]
    if not isinstance(name, str) or name not in _LAYERS:
        raise unknown_name_error("layer class", name, _LAYERS)
    config = spec.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"The config of layer class {name!r} must be a dict of its "
                         f"arguments, got {config!r}.")
    cls = _LAYERS[name]
    valid = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(config) - set(valid))
    if unknown:
        close = difflib.get_close_matches(unknown[0], valid, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"The config of layer class {name!r} has the unknown argument "
                         f"{unknown[0]!r} (= {config[unknown[0]]!r}). Valid arguments: "
                         f"{', '.join(valid)}.{hint}")
    return cls.from_config(dict(config))
