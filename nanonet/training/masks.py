"""Weight masks in training: pruned weights stay exactly 0 through fine-tuning.

A layer may carry ``layer.weight_masks``, a dict ``{weight name: bool array shaped like
layer.params[name]}`` (True = keep, False = pruned; nanonet.compress.prune sets it). Then, at
the start of training and at every step::

    w ← w ⊙ mask                    once, before the first batch
    g ← g ⊙ mask                    before each update (the optimizer's slots stay 0)
    w ← optimizer(w, g) ⊙ mask      after each update

whatever momentum or Adam's slots hold. In a mixed-precision model the masks apply to the
float32 master weights, and the float16 copies follow. (This lives beside the training step,
not in nanonet.compress, so that training never loads the compression tools.)
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np


class WeightMasks:
    """The masked weights of a model: [(weight, its gradient, mask)], the arrays the optimizer
    updates (the float32 masters when `mixed`, a precision.MixedWeights, is given)."""

    def __init__(self, layers, mixed, where: str):
        self.plan: List[Tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for layer in layers:
            for name, mask in layer.checked_weight_masks(where).items():
                if mixed is not None:
                    self.plan.append((mixed.masters[layer][name],
                                      mixed.master_grads[layer][name], mask))
                else:
                    self.plan.append((layer.params[name], layer.grads[name], mask))

    def mask_gradients(self) -> None:
        """g ← g ⊙ mask, before the update."""
        for _, grad, mask in self.plan:
            grad *= mask

    def mask_weights(self) -> None:
        """w ← w ⊙ mask, once before training and after every update."""
        for weight, _, mask in self.plan:
            weight *= mask
