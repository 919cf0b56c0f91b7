"""Mixed precision: float16 compute, float32 master weights, dynamic loss scaling (Keras's
``mixed_float16``).

A model built with ``Sequential(..., dtype="mixed_float16")`` (or ``dtype=Policy("mixed_float16")``)
keeps two copies of every weight::

    w32   the MASTER weight, float32, owned by the model: get_weights / set_weights / save /
          load and the optimizer (with its slots) work on it
    w16 = float16(w32)   the layer's compute copy (layer.params): every forward and backward
          pass runs in float16

and trains with a loss scale S (one training step, written out)::

    ŷ16        = model(x16)                              forward in float16
    J          = loss(y, float32(ŷ16))                   the loss in float32 (what fit reports)
    g16        = ∂(S·J)/∂w16                             backward in float16, of the SCALED loss
    if any g16 is inf/NaN:  skip the step; S ← S/2       weights, slots, iterations unchanged
    else:       g32 = float32(g16) / S                   unscale in float32
                w32 ← optimizer(w32, g32);  w16 = float16(w32)
                after `growth_steps` good steps in a row:  S ← 2·S

Why: float16 holds 6.0e-8 … 65504 with 11 significant bits. Small gradients (≈1e-8, common
deep in a network) flush to zero in float16; multiplying the loss by S = 2**15 lifts them into
range, and dividing by S afterwards, in float32, gives them back unchanged. Too large an S
overflows (inf), which is cheap to detect: the step is skipped and S halved. The master
weights stay float32 because an update lr·g ≈ 1e-4 added to a weight ≈ 1 is below float16's
resolution there (2**-10 ≈ 1e-3) and would be lost.

Honest note on speed: NumPy has no fast float16 matrix product on CPUs (no BLAS routine; it
converts element by element), so here mixed precision is SLOWER than float32 — it is a lesson in
the numerics (range, rounding, loss scaling). On GPUs with tensor cores, float16 matrix products
are several times faster than float32 and halve the memory of activations; that is what
mixed precision is for.
"""
from __future__ import annotations

import math
from typing import Optional, Union

import numpy as np

from .fast.buffers import packed
from .validation import check_float, check_int, float_dtype, unknown_name_error

#: the policy names, as Keras's ``tf.keras.mixed_precision.Policy`` (no bfloat16: NumPy lacks it)
POLICY_NAMES = ("float16", "float32", "float64", "mixed_float16")
#: the loss scale never grows beyond this (S·dJ/dŷ is formed in float32)
MAX_SCALE = 2.0 ** 64


class Policy:
    """``Policy(name)``: the dtypes a model computes in and keeps its weights in.

    =================  ===============  ================
    name               compute_dtype    variable_dtype
    =================  ===============  ================
    "float32"          float32          float32
    "float64"          float64          float64
    "float16"          float16          float16
    "mixed_float16"    float16          float32 (master weights, loss scaling)
    =================  ===============  ================
    """

    def __init__(self, name: str):
        where = "Policy"
        if not isinstance(name, str):
            raise TypeError(f"{where}: name must be a string such as 'mixed_float16' or "
                            f"'float32', got {name!r} ({type(name).__name__}).")
        if name not in POLICY_NAMES:
            if name == "mixed_bfloat16":
                raise ValueError(f"{where}: 'mixed_bfloat16' needs the bfloat16 type, which "
                                 f"NumPy does not have; use 'mixed_float16'.")
            raise unknown_name_error("dtype policy", name, POLICY_NAMES)
        self.name = name
        self.compute_dtype = np.dtype(name.replace("mixed_", ""))
        self.variable_dtype = np.dtype(np.float32) if name.startswith("mixed_") \
            else self.compute_dtype

    @property
    def mixed(self) -> bool:
        """True when the weights are kept in a wider dtype than the computations use."""
        return self.compute_dtype != self.variable_dtype

    def __eq__(self, other) -> bool:
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<Policy {self.name!r}>"


def get_policy(dtype, where: str, name: str = "dtype") -> Policy:
    """A Policy from a Policy, a policy name ('mixed_float16') or a float dtype ('float32',
    np.float64). An unknown name is a ValueError with a did-you-mean; a dtype that is not a
    float (int32) a TypeError."""
    if isinstance(dtype, Policy):
        return dtype
    if isinstance(dtype, str):
        if dtype in POLICY_NAMES:
            return Policy(dtype)
        try:
            np.dtype(dtype)
        except TypeError:                         # not a NumPy dtype either: an unknown name
            try:
                Policy(dtype)
            except ValueError as error:
                raise ValueError(f"{where}: {name}: {error}") from None
    return Policy(float_dtype(dtype, name, where).name)


class LossScale:
    """``LossScale(initial=2**15, growth_steps=2000)``: dynamic loss scaling, as Keras's
    ``LossScaleOptimizer``.

    State (read it as ``model.loss_scale``): ``scale`` S, ``good_steps`` (finite steps in a
    row since S last changed) and ``skipped_steps`` (total steps skipped for inf/NaN
    gradients). After each step's backward pass, ``update(finite)``::

        finite:      good_steps += 1; if good_steps == growth_steps: S ← min(2·S, 2**64),
                     good_steps = 0;                           → apply the step (True)
        not finite:  S ← S/2, good_steps = 0, skipped_steps += 1   → skip the step (False)

    S never falls below 1: at S = 1 the backward pass is the plain float16 one, so gradients
    that still overflow are not a loss-scaling problem — ``update`` then raises
    ``OverflowError`` (the model reports it as a TrainingDivergedError) instead of skipping
    every step forever without a word, as Keras would.
    """

    def __init__(self, initial: float = 2.0 ** 15, growth_steps: int = 2000):
        where = "LossScale"
        self.initial = check_float(initial, "initial", where, low=1.0, high=MAX_SCALE)
        self.growth_steps = check_int(growth_steps, "growth_steps", where, minimum=1)
        self.reset()

    def reset(self) -> None:
        """Back to the initial scale, with no steps counted (``compile`` does this)."""
        self.scale = float(self.initial)
        self.good_steps = 0
        self.skipped_steps = 0

    def update(self, finite: bool) -> bool:
        """Advance the state after a backward pass; True if the step is to be applied."""
        if finite:
            self.good_steps += 1
            if self.good_steps >= self.growth_steps:
                self.scale = min(2.0 * self.scale, MAX_SCALE)
                self.good_steps = 0
            return True
        if self.scale <= 1.0:
            raise OverflowError(
                f"the float16 gradients are inf/NaN even at loss scale {self.scale:g} (no "
                f"scaling): the backward pass itself overflows float16 (65504)")
        self.scale = max(self.scale / 2.0, 1.0)
        self.good_steps = 0
        self.skipped_steps += 1
        return False

    # ------------------------------------------------------------------ saving
    def get_config(self) -> dict:
        return {"initial": self.initial, "growth_steps": self.growth_steps}

    @classmethod
    def from_config(cls, config: dict) -> "LossScale":
        if not isinstance(config, dict):
            raise ValueError(f"LossScale.from_config: expected a dict (as get_config() "
                             f"returns), got {config!r}.")
        return cls(**config)

    def get_state(self) -> dict:
        """Plain JSON-able numbers (for ``Sequential.save``)."""
        return {"scale": self.scale, "good_steps": self.good_steps,
                "skipped_steps": self.skipped_steps}

    def set_state(self, state: dict) -> None:
        """Restore what ``get_state`` returned (checked: a corrupt file gives a ValueError)."""
        where = "LossScale.set_state"
        if not isinstance(state, dict) or set(state) != {"scale", "good_steps",
                                                         "skipped_steps"}:
            raise ValueError(f"{where}: expected a dict with scale, good_steps and "
                             f"skipped_steps, got {state!r:.80}.")
        scale = check_float(state["scale"], "scale", where, low=1.0, high=MAX_SCALE)
        good = check_int(state["good_steps"], "good_steps", where, minimum=0)
        skipped = check_int(state["skipped_steps"], "skipped_steps", where, minimum=0)
        self.scale, self.good_steps, self.skipped_steps = scale, good, skipped

    def __repr__(self) -> str:
        return (f"LossScale(scale={self.scale:g}, good_steps={self.good_steps}, "
                f"skipped_steps={self.skipped_steps}, growth_steps={self.growth_steps})")


def check_loss_scale(loss_scale, policy: Policy, where: str) -> Optional[LossScale]:
    """The model's LossScale: a new default one for a mixed policy when `loss_scale` is None;
    only mixed policies take one."""
    if loss_scale is not None and not isinstance(loss_scale, LossScale):
        raise TypeError(f"{where}: loss_scale must be a precision.LossScale, e.g. "
                        f"LossScale(initial=2**15, growth_steps=2000), got {loss_scale!r} "
                        f"({type(loss_scale).__name__}).")
    if not policy.mixed:
        if loss_scale is not None:
            raise ValueError(f"{where}: loss_scale is only used with dtype='mixed_float16' "
                             f"(float16 compute, float32 weights), got dtype {policy.name!r}.")
        return None
    return loss_scale if loss_scale is not None else LossScale()


def all_finite(arrays) -> bool:
    """True if every element of every array is finite: one sum per array (a sum of finite
    float16 values, taken in float32, cannot overflow; any inf or NaN makes it inf or NaN)."""
    for array in arrays:
        if array.size and not math.isfinite(float(np.add.reduce(array.ravel(),
                                                                dtype=np.float32))):
            return False
    return True


PolicyLike = Union[str, Policy, np.dtype, type]


class MixedWeights:
    """A mixed-precision model's two copies of every weight (the module docstring's w32, w16)
    and what the training step does with them.

    ``masters[layer][name]``: the float32 master weights (what get_weights, save and the
    optimizer see); ``master_grads[layer][name]``: their float32 gradients; the layer's own
    ``params`` / ``grads`` are the float16 compute copies. ``pack`` lays them out for training.
    """

    def __init__(self, policy: Policy, loss_scale: LossScale):
        self.variable_dtype, self.compute_dtype = policy.variable_dtype, policy.compute_dtype
        self.loss_scale = loss_scale
        self.masters: dict = {}
        self.master_grads: dict = {}
        self.compute_params: list = []
        self.compute_grads: list = []
        self.train_params: list = []
        self.train_grads: list = []

    def adopt(self, layer) -> None:
        """The layer's float32 weights become its masters; the layer gets float16 copies (and
        float16 gradients) to compute with."""
        self.masters[layer] = dict(layer.params)
        for name, master in layer.params.items():
            layer.params[name] = master.astype(self.compute_dtype)
            layer.grads[name] = np.zeros(master.shape, self.compute_dtype)
        layer.dtype = self.compute_dtype

    def pack(self, layers, clipnorm) -> tuple:
        """Four buffers of every weight, in get_weights() order — float32 masters and gradients
        (what the optimizer updates), float16 compute weights and gradients (what the layers
        use) — each one flat array (one array per weight with `clipnorm`, which clips each
        weight's gradient separately). Returns (train_params, train_grads) for the optimizer."""
        pairs = [(layer, name) for layer in layers for name in layer.params]
        masters = [self.masters[layer][name] for layer, name in pairs]
        self.master_grads = {layer: {} for layer in layers}
        if not pairs:
            views = [[], [], [], []]
            buffers = views
        elif clipnorm is not None:
            views = [[np.array(m) for m in masters], [np.zeros_like(m) for m in masters],
                     [layer.params[name] for layer, name in pairs],
                     [layer.grads[name] for layer, name in pairs]]
            buffers = views
        else:
            flat = [packed(masters, self.variable_dtype),
                    packed(masters, self.variable_dtype, zeros=True),
                    packed(masters, self.compute_dtype),
                    packed(masters, self.compute_dtype, zeros=True)]
            views = [views for _, views in flat]
            buffers = [[buffer] for buffer, _ in flat]
        self.train_params, self.train_grads, self.compute_params, self.compute_grads = buffers
        for (layer, name), master, grad32, compute, grad16 in zip(pairs, *views):
            self.masters[layer][name] = master
            self.master_grads[layer][name] = grad32
            layer.params[name], layer.grads[name] = compute, grad16
        return self.train_params, self.train_grads

    def scaled_gradient(self, gradient: np.ndarray) -> np.ndarray:
        """S·gradient (in float32), rounded to float16 for the layers — where a too-large S
        overflows to inf."""
        scaled = np.multiply(gradient, np.float32(self.loss_scale.scale), dtype=np.float32)
        return scaled.astype(self.compute_dtype)

    def unscale_gradients(self) -> None:
        """The float32 gradients the optimizer reads: g32 = float32(g16) / S."""
        scale = np.float32(self.loss_scale.scale)
        for grad32, grad16 in zip(self.train_grads, self.compute_grads):
            np.copyto(grad32, grad16)
            grad32 /= scale

    def update_compute_copies(self) -> None:
        """w16 = float16(w32) for every weight (after an update)."""
        with np.errstate(over="ignore"):         # beyond 65504 gives inf, reported downstream
            for compute, master in zip(self.compute_params, self.train_params):
                np.copyto(compute, master, casting="same_kind")

    def write(self, layer, name: str, value: np.ndarray) -> None:
        """Overwrite one master weight and its float16 copy (set_weights)."""
        self.masters[layer][name][...] = value
        layer.params[name][...] = value.astype(self.compute_dtype)
