"""The optimizer state of a loaded model file, checked against the rebuilt model's parameters
before it is set: every slot present with its parameter's shape and dtype, finite, a mean of
squared gradients never negative, a mean of gradients within the bound its mean of squares
allows (moment_bound, whose docstring derives it), the iteration count a non-negative
integer."""
from __future__ import annotations

import math
from typing import Dict

import numpy as np


def check_optimizer_state(optimizer, state: Dict[str, np.ndarray], params, where: str) -> None:
    """Every slot present with exactly its parameter's shape and dtype (no silent broadcasting
    or casting), holding values the optimizer can have reached (_check_slot_values)."""
    iterations = state.get("iterations")
    if iterations is None or iterations.shape != () or iterations.dtype.kind not in "iu" \
            or int(iterations) < 0:
        raise ValueError(f"{where}: the optimizer state is corrupt (its iteration count is "
                         f"missing or not a non-negative integer).")
    expected = {}
    if int(iterations):
        for index, param in enumerate(params):
            for name in optimizer.slot_names:
                expected[f"{index}/{name}"] = param
    if set(state) != set(expected) | {"iterations"}:
        missing = sorted(set(expected) - set(state))
        unexpected = sorted(set(state) - set(expected) - {"iterations"})
        raise ValueError(f"{where}: the optimizer state does not match the model (missing: "
                         f"{', '.join(missing) or 'none'}; unexpected: "
                         f"{', '.join(unexpected) or 'none'}).")
    for key, param in expected.items():
        if state[key].shape != param.shape or state[key].dtype != param.dtype:
            raise ValueError(f"{where}: optimizer slot {key!r} should be a {param.dtype} array "
                             f"of shape {param.shape} (its weights'), found {state[key].dtype} "
                             f"{state[key].shape}.")
    _check_slot_values(optimizer, state, int(iterations), where)


def _check_slot_values(optimizer, state: Dict[str, np.ndarray], steps: int, where: str) -> None:
    """Every slot finite; a running mean of squared gradients (Adam's v, RMSprop's velocity)
    never negative; a running mean of gradients beside it (Adam's m, centered RMSprop's
    average_gradient) within what that mean of squares allows: m² ≤ 2·C·(v + tiny), C from
    moment_bound, doubled for rounding, `tiny` (the dtype's smallest normal number) for
    squares that underflowed. A violation names the slot, the index and the file."""
    from ..validation import first_non_finite
    for key, value in state.items():
        found = first_non_finite(value) if key != "iterations" else None
        if found is not None:
            raise ValueError(f"{where}: optimizer slot {key!r} holds {found[1]} at index "
                             f"{found[0]}, but an optimizer's slots are always finite; the "
                             f"file is corrupt (fit would fail on it). Use an intact copy.")
    for square, mean, beta_mean, beta_square in _moment_slots(optimizer):
        bound = moment_bound(beta_mean, beta_square, steps)
        for key in [key for key in state if key.endswith(f"/{square}")]:
            v = state[key]
            if v.size and v.min() < 0:
                at = np.unravel_index(int(np.argmin(v)), v.shape)
                raise ValueError(f"{where}: optimizer slot {key!r} holds {v[at].item()} at "
                                 f"index {tuple(map(int, at))}, but it is a running mean of "
                                 f"squared gradients, never negative; the file is corrupt.")
            if mean is None or not math.isfinite(bound):
                continue
            m_key = key[:-len(square)] + mean
            m = state[m_key]
            limit = 2 * bound * (v.astype(np.float64) + np.finfo(v.dtype).tiny)
            over = np.square(m, dtype=np.float64) > limit
            if over.any():
                at = tuple(int(i) for i in np.argwhere(over)[0])
                raise ValueError(
                    f"{where}: optimizer slot {m_key!r} holds {m[at].item():.6g} at index {at}, "
                    f"where the mean of squared gradients {key!r} is {v[at].item():.6g}: after "
                    f"{steps} step(s) with beta {beta_mean} and {beta_square}, a running mean "
                    f"of gradients is at most {math.sqrt(bound):.4g}·√v (Cauchy–Schwarz; "
                    f"|m| ≤ {math.sqrt(limit[at]):.4g} here, with a margin for rounding); the "
                    f"file is corrupt.")


def _moment_slots(optimizer) -> list:
    """[(mean-of-squares slot, mean-of-gradients slot or None, β of the mean, β of the mean
    of squares)] of an optimizer's slots that have a sign or a bound to check."""
    from .. import optimizers
    if isinstance(optimizer, optimizers.Adam):
        return [("v", "m", optimizer.beta_1, optimizer.beta_2)]
    if isinstance(optimizer, optimizers.RMSprop):
        return [("velocity", "average_gradient" if optimizer.centered else None,
                 optimizer.rho, optimizer.rho)]
    return []


def moment_bound(beta_mean: float, beta_square: float, steps: int) -> float:
    """C such that m² ≤ C·v for every running mean m of gradients and v of their squares that
    `steps` updates from zero can produce (math.inf: none). With
        m_t = (1−β₁) Σ_{k<t} β₁ᵏ g_{t−k}    and    v_t = (1−β₂) Σ_{k<t} β₂ᵏ g²_{t−k},
    writing β₁ᵏ g = (β₁ᵏ β₂^(−k/2)) · (β₂^(k/2) g), Cauchy–Schwarz gives
        m_t² ≤ (1−β₁)² · Σ_{k<t} rᵏ · Σ_{k<t} β₂ᵏ g²_{t−k} = C·v_t,
        C = (1−β₁)²/(1−β₂) · Σ_{k<t} rᵏ,    r = β₁²/β₂,
    with equality at t = 1 (m = (1−β₁)g, v = (1−β₂)g²). Keras's Adam (β₁ = 0.9, β₂ = 0.999:
    r < 1) has C < (1−β₁)²/((1−β₂)(1−r)) ≈ 52.9 at every t, |m| ≤ 7.3·√v; RMSprop's centered
    average (β₁ = β₂ = ρ) has C = 1 − ρᵗ < 1, a² < v, which keeps its v − a² positive. The
    bound assumes the betas were the same for every step (they are part of the config)."""
    if beta_square == 0:
        return math.inf                     # v is the last square only: m is not bounded by it
    ratio = beta_mean ** 2 / beta_square
    try:
        terms = steps if ratio == 1 else (1 - ratio ** steps) / (1 - ratio)
    except OverflowError:                   # r > 1 and many steps: no useful bound
        return math.inf
    return (1 - beta_mean) ** 2 / (1 - beta_square) * terms
