"""What a Keras model also answers besides its job: ``weights``, ``trainable_weights``,
``metrics_names`` and ``get_layer`` — the mixin Sequential takes them from (models.py keeps
to building, training, predicting and saving).
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np


class KerasModelAttributes:
    """``model.weights`` / ``trainable_weights`` (the live weight arrays, get_weights() order:
    writing into one changes the model, as assigning a Keras variable does), ``metrics_names``
    and ``get_layer(name=None, index=None)``. Needs ``layers``, ``dtype_policy``,
    ``mixed_weights``, ``loss`` and ``metrics`` from the model."""

    @property
    def weights(self) -> List[np.ndarray]:
        """Every weight array itself (not a copy), layer by layer in Keras's order; for a
        mixed-precision model the float32 master weights."""
        if self.dtype_policy.mixed:
            return [w for layer in self.layers
                    for w in self.mixed_weights.masters.get(layer, layer.params).values()]
        return [w for layer in self.layers for w in layer.params.values()]

    @property
    def trainable_weights(self) -> List[np.ndarray]:
        """The weights fit changes: all of them (nanonet has no frozen layers)."""
        return self.weights

    @property
    def metrics_names(self) -> List[str]:
        """["loss", then each compiled metric's name] once compiled, else [] (Keras fills it
        at the first fit or evaluate; nanonet as soon as compile has named them)."""
        if self.loss is None:
            return []
        return ["loss"] + [name for name, _ in self.metrics]

    def get_layer(self, name: Optional[str] = None, index: Optional[int] = None):
        """The layer called `name`, or at position `index` (exactly one of the two)."""
        if (name is None) == (index is None):
            raise ValueError("Sequential.get_layer: provide either a layer name or a layer "
                             f"index, not {'both' if name is not None else 'neither'} "
                             f"(got name={name!r}, index={index!r}).")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)) \
                    or not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Sequential.get_layer: was asked for the layer at index "
                                 f"{index!r}, but the model has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Sequential.get_layer: no such layer: {name!r}. Existing layers "
                         f"are: {[layer.name for layer in self.layers]}.")
