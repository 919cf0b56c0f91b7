"""Layer classes by name, so a model config (and a saved file) can name its layers safely.

Only the classes registered here can be rebuilt from a config: loading a file never imports or
runs anything the file names.
"""
from __future__ import annotations

import inspect
from typing import Dict, Type

from ..validation import unknown_argument_error, unknown_name_error
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
    unknown = {key: config[key] for key in sorted(set(config) - set(valid))}
    if unknown:
        raise unknown_argument_error(f"The config of layer class {name!r}", unknown, valid,
                                     error=ValueError)
    return cls.from_config(dict(config))
