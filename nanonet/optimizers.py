"""Optimizers, with Keras 2's update rules to the operation.

``optimizer.apply_gradients(params, grads)`` updates each array in `params` in place (all new
values are computed first, so ``check_finite=True`` can refuse an update that overflows). State
("slots": momentum, Adam's m and v) is kept per position in the list, so always pass the same
list of arrays in the same order (a Sequential model does this for you).

SGD (Keras's form, v = velocity)::

    momentum = 0:  w ← w − lr·g
    momentum > 0:  v ← momentum·v − lr·g ;  w ← w + v            (nesterov: w ← w + momentum·v − lr·g)

Adam (Keras's form — ε is added to √v *before* the bias correction, so it is not the textbook
``m̂/(√v̂ + ε)``; at step 1 the two differ in the 3rd significant digit when g is small)::

    t ← t + 1
    m ← m + (g − m)(1 − β1)
    v ← v + (g² − v)(1 − β2)
    α = lr · √(1 − β2ᵗ) / (1 − β1ᵗ)
    w ← w − (m · α) / (√v + ε)

RMSprop (Keras's form: v starts at 0, ε sits *inside* the square root, no bias correction)::

    v ← ρ·v + (1 − ρ)·g²
    centered:  a ← ρ·a + (1 − ρ)·g ;  d = v − a² + ε        else  d = v + ε
    Δ = lr · g / √d
    momentum > 0:  m ← μ·m + Δ ;  w ← w − m                   else  w ← w − Δ

Gradient clipping, as Keras: ``clipnorm`` rescales each array's gradient to norm ≤ clipnorm,
``global_clipnorm`` rescales all of them together, ``clipvalue`` clips each element to ±clipvalue.

Two engines, as for the layers (``optimizer.engine``; a Sequential sets it to its own): the
reference ``SGD.update`` / ``Adam.update`` are the equations above on one weight array,
returning new arrays; "fast" (the default) runs nanonet.fast.optimizers, the same operations
in place over cache-sized blocks of a model's flat weight buffer — bit for bit the same numbers.
"""
from __future__ import annotations

import inspect
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .fast import optimizers as fast_optimizers
from .layers.base import check_engine
from .validation import (as_array, cast_checked, check_bool, check_float, first_non_finite,
                         plain_array, unknown_argument_error, unknown_name_error)


class Optimizer:
    """Base class: validation, clipping, slots, the iteration counter and saving."""

    name = "optimizer"
    slot_names: Sequence[str] = ()

    def __init__(self, learning_rate: float, clipnorm: Optional[float] = None,
                 clipvalue: Optional[float] = None, global_clipnorm: Optional[float] = None,
                 **unknown):
        where = type(self).__name__
        if unknown:
            raise _unknown_arguments_error(type(self), unknown)
        self.learning_rate = check_float(learning_rate, "learning_rate", where,
                                         low=0.0, low_inclusive=False)
        self.clipnorm = _optional_positive(clipnorm, "clipnorm", where)
        self.clipvalue = _optional_positive(clipvalue, "clipvalue", where)
        self.global_clipnorm = _optional_positive(global_clipnorm, "global_clipnorm", where)
        if self.clipnorm is not None and self.global_clipnorm is not None:
            raise ValueError(f"{where}: set at most one of clipnorm and global_clipnorm "
                             f"(got clipnorm={clipnorm}, global_clipnorm={global_clipnorm}).")
        self.iterations = 0
        self.slots: List[Dict[str, np.ndarray]] = []
        self._diverged_at = 0                     # the array whose update was refused last
        self._work: Dict[np.dtype, Tuple[np.ndarray, ...]] = {}
        self.engine = "fast"

    @property
    def engine(self) -> str:
        """"fast" (blocked, in place: nanonet.fast.optimizers) or "reference" (``update``, the
        equations on one array). Not saved; a Sequential sets it to its own engine."""
        return self._engine

    @engine.setter
    def engine(self, value: str) -> None:
        self._engine = check_engine(value, f"{type(self).__name__}.engine")

    # ------------------------------------------------------------------ public
    def apply_gradients(self, params: Sequence[np.ndarray],
                        grads: Optional[Sequence[np.ndarray]] = None,
                        check_finite: bool = False) -> bool:
        """One update step: ``params[i]`` is changed in place using ``grads[i]``.

        ``params``: a list of float arrays (updated in place); ``grads``: a list of arrays (or
        nested lists, ints) of the same shapes. Keras's form, one list of (gradient, weight)
        pairs, is accepted too: ``apply_gradients(zip(grads, params))``.

        Every new value is checked before it is kept. If any would be NaN or inf — the step
        overflowed, or (with ``check_finite=True``) a gradient was not finite — the weights and
        the optimizer's state are left exactly as they were, and then ``check_finite=True``
        returns False while the default raises a ValueError saying what to change. Without
        ``check_finite``, NaN/inf gradients are refused up front with a ValueError.
        """
        check_finite = check_bool(check_finite, "check_finite",
                                  f"{type(self).__name__}.apply_gradients")
        params, grads = self._checked_arguments(params, grads, refuse_non_finite=not check_finite)
        saved = self.iterations, [{k: v.copy() for k, v in slots.items() if k[0] != "_"}
                                  for slots in self.slots]
        with np.errstate(all="ignore"):          # a step that overflows is reported below
            updated = self.apply_prepared(params, grads, check_finite=True)
        if updated:
            return True
        self.iterations = saved[0]
        if saved[1]:
            for slots, kept in zip(self.slots, saved[1]):
                for key, value in kept.items():
                    slots[key][...] = value
        else:
            self.slots = []
        if check_finite:
            return False
        index = self._diverged_at
        grad = grads[index]
        raise ValueError(
            f"{type(self).__name__}.apply_gradients: the update would make params[{index}] "
            f"(or the optimizer's state) non-finite (NaN or inf) — the step overflowed "
            f"{params[index].dtype} "
            f"(largest |grads[{index}]| = {float(np.max(np.abs(grad))):.3g}, learning_rate = "
            f"{self.learning_rate}). Expected a step that stays finite: every weight and the "
            f"optimizer's state are left as they were; lower the learning_rate, clip the "
            f"gradients (clipnorm=1.0) or use float64 weights.")

    def apply_prepared(self, params: List[np.ndarray], grads: List[np.ndarray],
                       check_finite: bool) -> bool:
        """``apply_gradients`` without its argument checks and without restoring the state on
        failure: for a model's own, known-good lists (float arrays, grads shaped like params,
        e.g. one flat buffer each). Updates in place and returns True, or returns False if the
        step would not be finite (the weights left as they were; unlike apply_gradients, the
        iteration count is not put back)."""
        if not self.slots:
            self.slots = [self._make_slots(p) for p in params]
        if self.clipnorm is not None or self.global_clipnorm is not None \
                or self.clipvalue is not None:
            grads = self.clip(grads)
        self.iterations += 1
        if self.engine == "reference":
            return self._apply_reference(params, grads, check_finite)
        written: List[Tuple[np.ndarray, slice, np.ndarray]] = []
        for index, (param, grad, slots) in enumerate(zip(params, grads, self.slots)):
            if not self._update_in_blocks(param, grad, slots, check_finite, written):
                for flat_param, block, kept in written:      # put the old values back
                    np.copyto(flat_param[block], kept[block])
                self._diverged_at = index
                return False
        return True

    def _apply_reference(self, params, grads, check_finite: bool) -> bool:
        """The reference step: ``update`` on each array; nothing is written unless every new
        weight (and, in float16, every new slot) is finite."""
        updates = []
        for index, (param, grad, slots) in enumerate(zip(params, grads, self.slots)):
            state = {name: slots[name] for name in self.slot_names}
            new_param, new_state = self.update(param, grad, state)
            finite = np.isfinite(new_param).all() and (param.itemsize >= 4 or all(
                np.isfinite(value).all() for value in new_state.values()))
            if check_finite and not finite:
                self._diverged_at = index
                return False
            updates.append((param, new_param, slots, new_state))
        for param, new_param, slots, new_state in updates:
            param[...] = new_param                # the arrays stay the model's own
            for name, value in new_state.items():
                slots[name][...] = value
        return True

    def _update_in_blocks(self, param, grad, slots, check_finite: bool, written: list) -> bool:
        """The fast step on one array: nanonet.fast.optimizers.update_in_blocks with this
        optimizer's block update (``fast_block``) and its ``fast_constants``."""
        return fast_optimizers.update_in_blocks(
            param, grad, slots["_flat"], self.slot_names, self.fast_block,
            self.fast_constants(param.dtype), self._work_arrays(param.dtype), check_finite,
            written)

    def step_constants(self, dtype: np.dtype) -> tuple:
        """Scalars the update needs this step (computed once, not once per block)."""
        return ()

    def update(self, param: np.ndarray, grad: np.ndarray,
               state: Dict[str, np.ndarray]) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """The reference step on one weight array: (new param, new state), both new arrays;
        `state` holds the slots (e.g. Adam's m and v) of this array."""
        raise NotImplementedError

    #: the fast step on one block, in place: a function of nanonet.fast.optimizers
    fast_block = None

    def fast_constants(self, dtype: np.dtype) -> tuple:
        """The scalars ``fast_block`` takes this step."""
        raise NotImplementedError

    def clip(self, grads: List[np.ndarray]) -> List[np.ndarray]:
        """Apply clipnorm / global_clipnorm / clipvalue (new arrays; the inputs are not changed)."""
        if self.clipnorm is not None:
            grads = [g * (self.clipnorm / max(_norm(g), self.clipnorm)) for g in grads]
        if self.global_clipnorm is not None:
            total = math.hypot(*(_norm(g) for g in grads))   # no overflow in the squares
            grads = [g * (self.global_clipnorm / max(total, self.global_clipnorm)) for g in grads]
        if self.clipvalue is not None:
            grads = [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ------------------------------------------------------------------ saving
    def get_config(self) -> dict:
        config = {"name": self.name, "learning_rate": self.learning_rate}
        for key in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config

    def get_state(self) -> Dict[str, np.ndarray]:
        """Iteration count and slots as plain arrays (for ``Sequential.save``)."""
        state = {"iterations": np.array(self.iterations, dtype=np.int64)}
        for index, slots in enumerate(self.slots):
            for key, value in slots.items():
                if not key.startswith("_"):
                    state[f"{index}/{key}"] = value
        return state

    def set_state(self, state: Dict[str, np.ndarray], params: Sequence[np.ndarray]) -> None:
        """Restore what ``get_state`` returned, for the same list of `params`."""
        self.iterations = int(state["iterations"])
        self.slots = [self._make_slots(p) for p in params] if self.iterations else []
        for index, slots in enumerate(self.slots):
            for key in slots:
                if not key.startswith("_"):
                    slots[key][...] = state[f"{index}/{key}"]

    # ------------------------------------------------------------------ helpers
    def _make_slots(self, param: np.ndarray) -> Dict[str, np.ndarray]:
        slots = {name: np.zeros_like(param) for name in self.slot_names}
        slots["_backup"] = np.empty_like(param)   # old values while an update is checked
        slots["_flat"] = {name: value.reshape(-1) for name, value in slots.items()}
        return slots

    def _work_arrays(self, dtype: np.dtype) -> Tuple[np.ndarray, ...]:
        """Two block-sized scratch arrays per dtype for `update`, allocated once."""
        work = self._work.get(dtype)
        size = fast_optimizers.BLOCK
        if work is None or work[0].size != size:
            work = self._work[dtype] = tuple(np.empty(size, dtype) for _ in range(2))
        return work

    def _checked_arguments(self, params, grads, refuse_non_finite: bool):
        """(params, grads) as lists, checked: see ``apply_gradients``."""
        where = f"{type(self).__name__}.apply_gradients"
        if grads is None:                                 # Keras: [(gradient, weight), ...]
            if isinstance(params, np.ndarray):
                raise TypeError(f"{where}: grads is missing. Call apply_gradients(params, "
                                f"grads) with two lists, or apply_gradients(zip(grads, "
                                f"params)) as Keras.")
            pairs = list(params)
            if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
                raise TypeError(f"{where}: grads is missing. Call apply_gradients(params, "
                                f"grads) with two lists, or apply_gradients(zip(grads, "
                                f"params)) — pairs (gradient, weight) — as Keras.")
            grads, params = [g for g, _ in pairs], [p for _, p in pairs]
        for name, value in (("params", params), ("grads", grads)):
            if isinstance(value, np.ndarray) or not hasattr(value, "__iter__"):
                got = "a single array" if isinstance(value, np.ndarray) \
                    else type(value).__name__
                raise TypeError(f"{where}: {name} must be a list of arrays, one per weight "
                                f"(e.g. [w] for a single array w), got {got}.")
        params = [plain_array(param, f"params[{index}]", where)   # a view: still in place
                  if isinstance(param, np.ndarray) else param
                  for index, param in enumerate(params)]
        grads = list(grads)
        self._check(params, grads)
        checked = []
        for index, (param, grad) in enumerate(zip(params, grads)):
            grad = as_array(grad, f"grads[{index}]", where)
            if grad.shape != param.shape:
                raise ValueError(
                    f"{where}: params[{index}] and grads[{index}] must be arrays of the same "
                    f"shape, got {param.shape} and {grad.shape}.")
            if grad.dtype.kind != "f":                   # ints and bools, as numbers
                grad = cast_checked(grad, param.dtype, f"grads[{index}]", where)
            if refuse_non_finite:
                found = first_non_finite(grad)
                if found is not None:
                    raise ValueError(
                        f"{where}: grads[{index}] contains {found[1]} at index {found[0]}. "
                        f"Expected finite gradients: NaN/inf would make the weights NaN. "
                        f"Check the loss and the inputs (or pass check_finite=True to get "
                        f"False back instead of an update).")
            checked.append(grad)
        return params, checked

    def _check(self, params, grads) -> None:
        where = f"{type(self).__name__}.apply_gradients"
        if len(params) != len(grads):
            raise ValueError(f"{where}: got {len(params)} parameter arrays but {len(grads)} "
                             f"gradients; they must pair up one to one.")
        if self.slots and len(self.slots) != len(params):
            raise ValueError(f"{where}: this optimizer has state for {len(self.slots)} "
                             f"arrays, got {len(params)}; use one optimizer per model.")
        for index, param in enumerate(params):
            if not isinstance(param, np.ndarray):
                raise TypeError(
                    f"{where}: params[{index}] must be a NumPy float array (it is updated in "
                    f"place), got {type(param).__name__}; e.g. w = np.array(values, "
                    f"dtype=np.float32).")
            if param.dtype.kind != "f" or not param.flags.c_contiguous \
                    or not param.flags.writeable:
                raise ValueError(
                    f"{where}: params[{index}] must be a writeable, C-contiguous float array "
                    f"(it is updated in place), got dtype {param.dtype}"
                    f"{'' if param.flags.c_contiguous else ', not contiguous'}"
                    f"{'' if param.flags.writeable else ', read-only'}.")
            if self.slots:
                made_for = self.slots[index]["_backup"]
                if made_for.shape != param.shape or made_for.dtype != param.dtype:
                    raise ValueError(
                        f"{where}: this optimizer's state for params[{index}] was made for "
                        f"an array of shape {made_for.shape} and dtype {made_for.dtype}, got "
                        f"{param.shape} {param.dtype}; use one optimizer per list of weights "
                        f"(per model).")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """``SGD(learning_rate=0.01, momentum=0.0, nesterov=False)``; see the module docstring."""

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **clipping):
        super().__init__(learning_rate, **clipping)
        self.momentum = check_float(momentum, "momentum", "SGD", low=0.0, high=1.0)
        self.nesterov = check_bool(nesterov, "nesterov", "SGD")
        self.slot_names = ("velocity",) if self.momentum > 0 else ()

    def update(self, param, grad, state):
        """w ← w − lr·g, or with momentum v ← μ·v − lr·g and w ← w + v (nesterov:
        w ← w + μ·v − lr·g). param, grad: same shape; state: {"velocity"} with momentum."""
        # --- exercise E04 begin ---
        if self.momentum == 0:
            return param - self.learning_rate * grad, {}
        velocity = self.momentum * state["velocity"] - self.learning_rate * grad
        step = self.momentum * velocity - self.learning_rate * grad if self.nesterov \
            else velocity
        return param + step, {"velocity": velocity}
        # --- exercise E04 end ---

    fast_block = staticmethod(fast_optimizers.sgd_block)

    def fast_constants(self, dtype) -> tuple:
        return self.learning_rate, self.momentum, self.nesterov

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``, Keras's update."""

    name = "adam"
    slot_names = ("m", "v")

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **clipping):
        super().__init__(learning_rate, **clipping)
        self.beta_1 = check_float(beta_1, "beta_1", "Adam", low=0.0, high=1.0, high_inclusive=False)
        self.beta_2 = check_float(beta_2, "beta_2", "Adam", low=0.0, high=1.0, high_inclusive=False)
        self.epsilon = check_float(epsilon, "epsilon", "Adam", low=0.0)

    def step_constants(self, dtype) -> tuple:
        """α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ), computed in the weights' dtype as Keras does (in
        float32, 1 − β2ᵗ keeps only ~5 digits at t = 1; Keras's trajectories include that)."""
        # --- exercise E04 begin ---
        cast = dtype.type
        t = cast(self.iterations)
        alpha = cast(self.learning_rate) * np.sqrt(1 - cast(self.beta_2) ** t) \
            / (1 - cast(self.beta_1) ** t)
        return (alpha,)
        # --- exercise E04 end ---

    def update(self, param, grad, state):
        """m ← m + (g − m)(1 − β1); v ← v + (g² − v)(1 − β2); w ← w − (m·α)/(√v + ε), with α
        from step_constants. param, grad: same shape; state: {"m", "v"}."""
        # --- exercise E04 begin ---
        (alpha,) = self.step_constants(param.dtype)
        m = state["m"] + (grad - state["m"]) * (1 - self.beta_1)
        v = state["v"] + (grad * grad - state["v"]) * (1 - self.beta_2)
        return param - m * alpha / (np.sqrt(v) + self.epsilon), {"m": m, "v": v}
        # --- exercise E04 end ---

    fast_block = staticmethod(fast_optimizers.adam_block)

    def fast_constants(self, dtype) -> tuple:
        return self.step_constants(dtype) + (self.beta_1, self.beta_2, self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """``RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)``,
    Keras's update (module docstring); Keras's ``compile()`` default, and nanonet's."""

    name = "rmsprop"

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **clipping):
        super().__init__(learning_rate, **clipping)
        self.rho = check_float(rho, "rho", "RMSprop", low=0.0, high=1.0, high_inclusive=False)
        self.momentum = check_float(momentum, "momentum", "RMSprop", low=0.0, high=1.0,
                                    high_inclusive=False)
        self.epsilon = check_float(epsilon, "epsilon", "RMSprop", low=0.0)
        self.centered = check_bool(centered, "centered", "RMSprop")
        self.slot_names = ("velocity",) + (("momentum",) if self.momentum > 0 else ()) \
            + (("average_gradient",) if self.centered else ())

    def update(self, param, grad, state):
        """v ← ρv + (1 − ρ)g²; d = v + ε (centered: a ← ρa + (1 − ρ)g, d = v − a² + ε);
        Δ = lr·g/√d; w ← w − Δ (momentum: m ← μm + Δ, w ← w − m). param, grad: same shape;
        state: {"velocity"}, with "momentum" and "average_gradient" when those are on."""
        velocity = self.rho * state["velocity"] + (1 - self.rho) * (grad * grad)
        new_state = {"velocity": velocity}
        if self.centered:
            average = self.rho * state["average_gradient"] + (1 - self.rho) * grad
            denominator = velocity - average * average + self.epsilon
            new_state["average_gradient"] = average
        else:
            denominator = velocity + self.epsilon
        increment = self.learning_rate * grad / np.sqrt(denominator)
        if self.momentum == 0:
            return param - increment, new_state
        momentum = self.momentum * state["momentum"] + increment
        new_state["momentum"] = momentum
        return param - momentum, new_state

    fast_block = staticmethod(fast_optimizers.rmsprop_block)

    def fast_constants(self, dtype) -> tuple:
        return self.learning_rate, self.rho, self.momentum, self.epsilon, self.centered

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


def _norm(g: np.ndarray) -> float:
    norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
    if math.isinf(norm):                     # squares beyond float64 (|g| > 1e154): rescale
        top = float(np.max(np.abs(g)))
        if math.isfinite(top) and top > 0:
            norm = top * float(np.sqrt(np.sum(np.square(g / top, dtype=np.float64))))
    return norm


def _unknown_arguments_error(cls, unknown: dict) -> TypeError:
    valid = [name for name in inspect.signature(cls.__init__).parameters
             if name not in ("self", "clipping", "unknown")]
    valid += [name for name in ("clipnorm", "clipvalue", "global_clipnorm") if name not in valid]
    return unknown_argument_error(cls.__name__, unknown, valid)


def _optional_positive(value, name: str, where: str) -> Optional[float]:
    if value is None:
        return None
    return check_float(value, name, where, low=0.0, low_inclusive=False)


_REGISTRY = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier: Union[str, Optimizer]) -> Optimizer:
    """An Optimizer from a name (``"sgd"``, ``"adam"``, ``"rmsprop"``, Keras's defaults) or
    an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _REGISTRY:
        return _REGISTRY[identifier.lower()]()
    raise unknown_name_error("optimizer", identifier, _REGISTRY)


def from_config(config: dict) -> Optimizer:
    if not isinstance(config, dict) or "name" not in config:
        raise ValueError(f"optimizers.from_config: expected a dict with a 'name' (as "
                         f"get_config() returns), got {config!r}.")
    config = dict(config)
    return type(get(config.pop("name")))(**config)
