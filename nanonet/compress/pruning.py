"""Magnitude pruning: set the smallest weights to zero, and keep them there while fine-tuning.

For a weight array w with n elements and a target sparsity p ∈ [0, 1)::

    k       = round(p · n)               how many to prune (Python's round: half to even)
    order   = argsort(|w|), stable       smallest first; equal |w|: lower flat index first
    mask    = False at order[:k], True elsewhere          (True = kept)
    w       ← w ⊙ mask

``scope="layer"`` does this for each selected weight array on its own (every array ends at
sparsity p); ``scope="global"`` ranks all selected arrays together (one threshold, so layers
with small weights lose more of them; the total is p). Ranking by sort order instead of
comparing with a threshold value prunes *exactly* k elements, ties included.

The mask is stored as ``layer.weight_masks[name]`` (a bool array shaped like the weight).
During ``fit`` / ``train_on_batch`` the model zeroes the masked gradients before each optimizer
update and multiplies the weights by the mask after it, so a pruned weight stays exactly 0
while the others fine-tune. Pruning again combines masks: an element pruned once stays pruned
(it is ranked first), so ``prune(m, 0.5); prune(m, 0.8)`` ends at 80%. ``strip_pruning``
removes the masks (the zeros stay in the weights).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..tables import aligned_row
from ..validation import check_float, plain_if_array, unknown_name_error
from .weights import layer_weights, require_built_model

#: the weights pruned by default: the matrices (biases are few and matter a lot)
DEFAULT_INCLUDE = ("kernel", "recurrent_kernel", "embeddings")
SCOPES = ("layer", "global")

Selected = List[Tuple[object, str]]          # (layer, weight name) pairs


class PruningReport:
    """Per selected weight: layer, weight, shape, size, zeros, sparsity = zeros / size.

    ``rows`` holds one dict per weight (also ``pruned``: how many its mask removes);
    ``sparsity`` is the total over the selected weights; ``str(report)`` is a table.
    """

    def __init__(self, rows: List[dict], target: Optional[float] = None,
                 scope: Optional[str] = None):
        self.rows = rows
        self.target = target
        self.scope = scope
        #: True when earlier masks already pruned more than the target (they stay pruned)
        self.beyond_target = False

    @property
    def size(self) -> int:
        return sum(row["size"] for row in self.rows)

    @property
    def zeros(self) -> int:
        return sum(row["zeros"] for row in self.rows)

    @property
    def sparsity(self) -> float:
        return self.zeros / self.size if self.size else 0.0

    def __str__(self) -> str:
        widths = [max(6, *(len(f"{r['layer']}/{r['weight']}") for r in self.rows)), 12, 9, 9, 8]
        head = ["weight", "shape", "size", "zeros", "sparsity"]
        lines = []
        if self.target is not None:
            lines.append(f"pruning to sparsity {self.target:g} (scope={self.scope!r})"
                         + ("; weights pruned before stay pruned, so some are sparser"
                            if self.beyond_target else ""))
        lines += [aligned_row(head, widths), "-" * (sum(widths) + 8)]
        for r in self.rows:
            lines.append(aligned_row([f"{r['layer']}/{r['weight']}", str(r["shape"]), r["size"],
                               r["zeros"], f"{r['sparsity']:.4f}"], widths))
        lines += ["-" * (sum(widths) + 8),
                  aligned_row(["total", "", self.size, self.zeros, f"{self.sparsity:.4f}"], widths)]
        return "\n".join(lines)

    __repr__ = __str__


# ====================================================================== selecting weights
def select_weights(model, include: Sequence[str], where: str) -> Selected:
    """The (layer, weight name) pairs named by `include`: a weight name ("kernel") selects it
    in every layer, "layer/weight" ("dense_1/kernel") one layer's. Unknown names → ValueError
    with the closest valid ones."""
    if isinstance(include, str):
        include = (include,)
    if not isinstance(include, (list, tuple)) or not all(isinstance(n, str) for n in include):
        raise TypeError(f"{where}: include must be a tuple of weight names such as "
                        f"('kernel', 'embeddings') or 'layer/weight' paths, got {include!r}.")
    pairs = [(layer, name) for layer in model.layers for name in layer.params]
    names = {name for _, name in pairs} | set(DEFAULT_INCLUDE) | {"bias"}
    paths = {f"{layer.name}/{name}" for layer, name in pairs}
    for entry in include:
        if entry not in names and entry not in paths:
            raise _prefixed(f"{where}: include", unknown_name_error("weight", entry,
                                                                   names | paths))
    selected = [(layer, name) for layer, name in pairs
                if name in include or f"{layer.name}/{name}" in include]
    if not selected:
        raise ValueError(f"{where}: include={tuple(include)!r} selects none of the model's "
                         f"weights ({', '.join(sorted(paths))}).")
    return selected


def _prefixed(where: str, error: ValueError) -> ValueError:
    """`error` with its message prefixed by where it happened ("prune: Unknown scope …")."""
    return ValueError(f"{where}: {error}")


# ====================================================================== the masks
def prune_order(weights: Sequence[np.ndarray], masks: Sequence[np.ndarray]) -> np.ndarray:
    """Flat indices into the concatenated `weights`, the first to prune first: the already
    pruned (mask False), then by |w|, ties by index (a stable sort)."""
    keys = [np.where(m, np.abs(w.astype(np.float64)), -1.0).ravel()
            for w, m in zip(weights, masks)]
    return np.argsort(np.concatenate(keys), kind="stable")


def magnitude_masks(weights: Sequence[np.ndarray], sparsity: float,
                    masks: Optional[Sequence[np.ndarray]] = None) -> List[np.ndarray]:
    """Masks (True = kept) pruning round(sparsity · n) elements of the weights ranked
    together (n = their total size), at least those already pruned in `masks`."""
    masks = [np.ones(w.shape, bool) for w in weights] if masks is None else list(masks)
    total = sum(w.size for w in weights)
    already = sum(int(m.size - np.count_nonzero(m)) for m in masks)
    k = max(round(sparsity * total), already)
    keep = np.ones(total, bool)
    keep[prune_order(weights, masks)[:k]] = False
    splits = np.cumsum([w.size for w in weights])[:-1]
    return [part.reshape(w.shape) for part, w in zip(np.split(keep, splits), weights)]


def _current_mask(layer, name: str, where: str) -> np.ndarray:
    """The layer's mask for weight `name` (all True if it has none)."""
    shape = layer.params[name].shape
    mask = plain_if_array((getattr(layer, "weight_masks", None) or {}).get(name),
                          f"{layer.describe()}.weight_masks[{name!r}]", where)
    if mask is None:
        return np.ones(shape, bool)
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.shape != shape:
        raise ValueError(f"{where}: {layer.describe()}.weight_masks[{name!r}] must be a bool "
                         f"array of shape {shape} (True = kept), got {mask!r:.80}.")
    return mask


def _store_mask(layer, name: str, mask: np.ndarray) -> None:
    if not isinstance(getattr(layer, "weight_masks", None), dict):
        layer.weight_masks = {}
    layer.weight_masks[name] = mask


# ====================================================================== public functions
def prune(model, sparsity: float, scope: str = "layer",
          include: Sequence[str] = DEFAULT_INCLUDE) -> PruningReport:
    """Magnitude-prune `model` in place to `sparsity` ∈ [0, 1) (module docstring).

    scope: "layer" (each selected weight array to `sparsity`) or "global" (one ranking over
    all of them). include: weight names ("kernel", "recurrent_kernel", "embeddings", "bias")
    or "layer/weight" paths. Sets ``layer.weight_masks`` and zeroes the pruned weights. The
    ranking reads ``model.get_weights()`` (a mixed-precision model's float32 masters) and the
    zeros are written back with ``model.set_weights``. Returns a PruningReport (a table).
    """
    where = "prune"
    require_built_model(model, where)
    sparsity = check_float(sparsity, "sparsity", where, low=0.0, high=1.0,
                           high_inclusive=False)
    if scope not in SCOPES:
        raise _prefixed(where, unknown_name_error("scope", scope, SCOPES))
    selected = select_weights(model, include, where)
    values = layer_weights(model)
    by_layer = dict(zip(model.layers, values))
    groups = [selected] if scope == "global" else [[pair] for pair in selected]
    beyond_target = False
    for group in groups:
        weights = [by_layer[layer][name] for layer, name in group]
        current = [_current_mask(layer, name, where) for layer, name in group]
        beyond_target |= sum(m.size - np.count_nonzero(m) for m in current) > \
            round(sparsity * sum(w.size for w in weights))
        masks = magnitude_masks(weights, sparsity, current)
        for (layer, name), weight, mask in zip(group, weights, masks):
            _store_mask(layer, name, mask)
            weight[~mask] = 0
    # written back through set_weights: it fills the model's own arrays in place (views of
    # its flat training buffer; a mixed-precision model's float32 masters and float16 copies)
    model.set_weights([w for weights in values for w in weights.values()])
    report = pruning_report(model, [f"{layer.name}/{name}" for layer, name in selected])
    report.target, report.scope, report.beyond_target = sparsity, scope, beyond_target
    return report


def pruning_report(model, include: Sequence[str] = DEFAULT_INCLUDE) -> PruningReport:
    """The sparsity of each selected weight (nothing is changed)."""
    require_built_model(model, "pruning_report")
    rows = []
    by_layer = dict(zip(model.layers, layer_weights(model)))
    for layer, name in select_weights(model, include, "pruning_report"):
        w = by_layer[layer][name]
        zeros = int(w.size - np.count_nonzero(w))
        mask = (getattr(layer, "weight_masks", None) or {}).get(name)
        rows.append({"layer": layer.name, "weight": name, "shape": w.shape, "size": w.size,
                     "zeros": zeros, "sparsity": zeros / w.size if w.size else 0.0,
                     "pruned": 0 if mask is None else int(mask.size - np.count_nonzero(mask))})
    return PruningReport(rows)


def sparsity_of(model, include: Sequence[str] = DEFAULT_INCLUDE) -> float:
    """The fraction of exactly-zero elements among the selected weights of `model`
    (by default its kernels, recurrent kernels and embeddings — what ``prune`` prunes)."""
    return pruning_report(model, include).sparsity


def strip_pruning(model) -> Dict[str, int]:
    """Remove every layer's ``weight_masks`` (the weights keep their zeros, but training may
    now change them). Returns {"layer/weight": number of pruned elements} of the removed masks."""
    require_built_model(model, "strip_pruning")
    removed = {}
    for layer in model.layers:
        for name, mask in (getattr(layer, "weight_masks", None) or {}).items():
            removed[f"{layer.name}/{name}"] = int(mask.size - np.count_nonzero(mask))
        vars(layer).pop("weight_masks", None)
    return removed
