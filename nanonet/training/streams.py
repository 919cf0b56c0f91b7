"""The model's random streams: one seed, four independent generators.

    init      the initial weights            shuffle   each epoch's permutation
    dropout   every dropout mask              augment   what fit's ``augment`` draws

They are ``SeedSequence(seed).spawn(4)``: a child's stream depends only on its position, so
switching dropout or augmentation on does not change the initial weights, the same seed gives
bit-identical runs, and the first three are those of the earlier three-stream models.
"""
from __future__ import annotations

from typing import Optional

import numpy as np


class RandomStreams:
    """``RandomStreams(seed)``: ``init``, ``shuffle``, ``dropout``, ``augment`` generators."""

    def __init__(self, seed: Optional[int]):
        self.init, self.shuffle, self.dropout, self.augment = \
            [np.random.default_rng(stream) for stream in np.random.SeedSequence(seed).spawn(4)]

    def get_state(self, layers) -> dict:
        """Where the shuffling, dropout and augmentation streams stand (and those of the
        `layers` with their own seed), as plain JSON-able data."""
        own = {layer.name: layer.rng.bit_generator.state for layer in layers
               if layer.rng is not None and layer.rng is not self.dropout}
        return {"shuffle": self.shuffle.bit_generator.state,
                "dropout": self.dropout.bit_generator.state,
                "augment": self.augment.bit_generator.state, "layers": own}

    def set_state(self, state: dict, layers) -> None:
        """Restore what ``get_state`` returned (a state saved before the augmentation stream
        existed leaves that stream as it is)."""
        self.shuffle.bit_generator.state = state["shuffle"]
        self.dropout.bit_generator.state = state["dropout"]
        if "augment" in state:
            self.augment.bit_generator.state = state["augment"]
        by_name = {layer.name: layer for layer in layers}
        for name, layer_state in state.get("layers", {}).items():
            layer = by_name[name]
            layer.rng = np.random.default_rng()
            layer.rng.bit_generator.state = layer_state
