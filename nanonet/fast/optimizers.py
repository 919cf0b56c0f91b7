"""FAST optimizer updates: equal, bit for bit, the reference updates SGD.update, Adam.update
and RMSprop.update of nanonet/optimizers.py (one weight array, the module docstring's equations).

What it speeds up: a model packs all its weights into one flat buffer, and the update runs
over it BLOCK elements at a time, in place, with two block-sized scratch arrays — every array
a block touches stays in the CPU cache (one pass over memory instead of one per operation,
and no temporaries). Every operation is elementwise, so the blocks change nothing in the
result; the operations are those of the reference, in the same order.
"""
from __future__ import annotations

import numpy as np

#: elements updated together: the block's slices of weights, gradients and slots fit in cache
BLOCK = 1 << 14


def sgd_block(param, grad, slots, work, constants) -> None:
    """param ← SGD.update(param, grad) in place; slots = [velocity] (momentum > 0) or [],
    advanced in place; constants = (learning_rate, momentum, nesterov)."""
    learning_rate, momentum, nesterov = constants
    step, nesterov_term = work[0][:param.size], work[1][:param.size]
    np.multiply(grad, -learning_rate, out=step)              # −lr·g
    if momentum > 0:
        velocity = slots[0]
        velocity *= momentum
        velocity += step                                     # v ← momentum·v − lr·g
        if nesterov:
            np.multiply(velocity, momentum, out=nesterov_term)
            step += nesterov_term                            # momentum·v − lr·g
        else:
            step = velocity
    param += step                                            # w ← w + step


def adam_block(param, grad, slots, work, constants) -> None:
    """param ← Adam.update(param, grad) in place; slots = [m, v], advanced in place;
    constants = (α from Adam.step_constants, β1, β2, ε)."""
    m, v = slots
    alpha, beta_1, beta_2, epsilon = constants
    scratch, denominator = work[0][:param.size], work[1][:param.size]
    np.subtract(grad, m, out=scratch)
    scratch *= 1 - beta_1
    m += scratch                                  # m ← m + (g − m)(1 − β1)
    np.multiply(grad, grad, out=scratch)
    scratch -= v
    scratch *= 1 - beta_2
    v += scratch                                  # v ← v + (g² − v)(1 − β2)
    np.sqrt(v, out=denominator)
    denominator += epsilon                        # √v + ε
    np.multiply(m, alpha, out=scratch)
    scratch /= denominator                        # (m·α) / (√v + ε)
    param -= scratch                              # w ← w − (m·α) / (√v + ε)


def rmsprop_block(param, grad, slots, work, constants) -> None:
    """param ← RMSprop.update(param, grad) in place; slots = [velocity, momentum (if μ > 0),
    average_gradient (if centered)], advanced in place; constants = (lr, ρ, μ, ε, centered)."""
    learning_rate, rho, momentum, epsilon, centered = constants
    velocity, rest = slots[0], list(slots[1:])
    moment = rest.pop(0) if momentum > 0 else None
    scratch, denominator = work[0][:param.size], work[1][:param.size]
    velocity *= rho
    np.multiply(grad, grad, out=scratch)
    scratch *= 1 - rho
    velocity += scratch                           # v ← ρv + (1 − ρ)g²
    if centered:
        average = rest.pop(0)
        average *= rho
        np.multiply(grad, 1 - rho, out=scratch)
        average += scratch                        # a ← ρa + (1 − ρ)g
        np.multiply(average, average, out=scratch)
        np.subtract(velocity, scratch, out=denominator)
        denominator += epsilon                    # v − a² + ε
    else:
        np.add(velocity, epsilon, out=denominator)   # v + ε
    np.sqrt(denominator, out=denominator)
    np.multiply(grad, learning_rate, out=scratch)
    scratch /= denominator                        # Δ = lr·g / √d
    if moment is not None:
        moment *= momentum
        moment += scratch                         # m ← μm + Δ
        scratch = moment
    param -= scratch                              # w ← w − Δ (or − m)


def update_in_blocks(param, grad, flat_slots, slot_names, update_block, constants, work,
                     check_finite: bool, written: list) -> bool:
    """Run ``update_block(param_block, grad_block, slot_blocks, work, constants)`` (sgd_block,
    adam_block, rmsprop_block) over `param` BLOCK elements at a time. With `check_finite`,
    each block is first copied to the "_backup" slot
    (listed in `written`, so it can be put back) and False is returned as soon as a block
    (or, for float16, a slot) is not finite."""
    flat_param, flat_grad = param.reshape(-1), grad.reshape(-1)
    # in float16 a slot can overflow while the weights stay finite (then they would stop
    # learning without a word); wider floats overflow the weights first
    check_slots = check_finite and param.itemsize < 4 and bool(slot_names)
    backup = flat_slots["_backup"]
    slot_arrays = [flat_slots[name] for name in slot_names]
    for start in range(0, flat_param.size, BLOCK):
        block = slice(start, start + BLOCK)
        param_block = flat_param[block]
        if check_finite:
            np.copyto(backup[block], param_block)
            written.append((flat_param, block, backup))
        update_block(param_block, flat_grad[block], [slot[block] for slot in slot_arrays], work,
                     constants)
        if check_finite and not np.isfinite(np.add.reduce(param_block)) \
                and not np.isfinite(param_block).all():   # (a sum of finite values may overflow)
            return False
        if check_slots and not all(np.isfinite(slot[block]).all() for slot in slot_arrays):
            return False                     # e.g. Adam's v = g² beyond float16's 65504
    return True
