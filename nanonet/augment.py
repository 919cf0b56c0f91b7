"""Data augmentation: random, label-preserving changes to each training batch (§8.2, §9.3).

An *augmenter* is any function ``fn(x, y, rng) -> (x, y)``. ``Sequential.fit(..., augment=fn)``
calls it on every training batch with ``rng``, a ``np.random.Generator`` stream of the model
(seeded from the model's seed), so a seeded model sees the same augmented batches every run.
Validation data, ``evaluate`` and ``predict`` are never augmented.

Each ``*`` below returns an augmenter; each has a plain array version taking ``rng`` directly::

    augmenter (for fit)                        array version
    token_dropout(rate, pad_id=0, mode=...)     drop_tokens(ids, rate, rng, ...)
    token_replace(rate, vocab_size, low=1)      replace_tokens(ids, rate, vocab_size, rng, ...)
    random_crop(length, pad_id=0)               crop_tokens(ids, length, rng, ...)
    jitter(sigma)                               add_jitter(x, sigma, rng)
    scaling(sigma, per_feature=False)           scale_features(x, sigma, rng, ...)
    compose(*augmenters)                        apply_augment(augmenter, x, y, seed)

Token ids: ``(N, T)`` integers, padded with ``pad_id`` (0, as ``text.pad_sequences`` and
``Embedding(mask_zero=True)``). A row's *span* is its real tokens: from its first to its last
non-pad id (pads inside the span — e.g. from ``token_dropout`` — stay part of it). Numeric
features: ``(N, D)`` or ``(N, T, D)`` floats, best standardised first so that σ is in units of
each feature's standard deviation.

Guarantees of every function here: the output has the input's shape and dtype exactly; the
input is never modified (in ``fit`` a batch may be a view of the training data); y is returned
untouched; ids stay in [0, vocab_size); pads stay pads (``mode="drop"`` and ``random_crop``
move them, as documented); rate 0 / σ 0 give an equal copy; the same seed gives bit-identical
output. Example::

    from nanonet import augment
    aug = augment.compose(augment.token_dropout(0.1), augment.random_crop(40))
    model.fit(x_ids, y, epochs=5, augment=aug)
    x_aug, y_same = augment.apply_augment(aug, x_ids, y, seed=0)     # look at one batch
"""
from __future__ import annotations

import numbers
from typing import Callable, Optional, Tuple

import numpy as np

from .validation import (as_array, check_finite, check_float, check_int, check_rank,
                         unknown_name_error)

__all__ = ["Augmenter", "token_dropout", "token_replace", "random_crop", "jitter", "scaling",
           "compose", "apply_augment", "drop_tokens", "replace_tokens", "crop_tokens",
           "add_jitter", "scale_features"]

AugmentFn = Callable[[np.ndarray, object, np.random.Generator], Tuple[np.ndarray, object]]


class Augmenter:
    """A named augmenter: ``aug(x, y, rng) -> (x, y)``; prints as the call that made it."""

    def __init__(self, fn: AugmentFn, text: str):
        self._fn = fn
        self.text = text

    def __call__(self, x, y, rng):
        return self._fn(x, y, rng)

    def __repr__(self) -> str:
        return self.text


# ================================================================== token ids (N, T)
def drop_tokens(ids, rate: float, rng, pad_id: int = 0, mode: str = "replace",
                padding: str = "pre") -> np.ndarray:
    """Token dropout: each real (non-pad) id is dropped with probability `rate`.

    ids: (N, T) integer token ids padded with `pad_id`. rate: in [0, 1].
    rng: a np.random.Generator (or an int seed). Returns (N, T), ids' dtype.

    Rule, per element, with u ~ U[0, 1) drawn for every position::

        dropped[n, t] = (ids[n, t] != pad_id) and (u[n, t] < rate)

    mode="replace" (default): a dropped id becomes `pad_id` in place; no other element
        changes. With ``Embedding(mask_zero=True)`` the LSTM skips that step (it carries h and
        c over), so the token is effectively removed; without a mask, the pad's embedding is
        seen instead ("word dropout").
    mode="drop": dropped ids are removed from the row's span and the rest closes up, in
        order, against the end (padding="pre", Keras's default) or the start ("post"); the
        freed positions become pads. E.g. pre: [0 0 a b c d], b dropped -> [0 0 0 a c d].
    """
    where = "drop_tokens"
    rate = _check_rate(rate, where)
    pad_id = check_int(pad_id, "pad_id", where, minimum=0)
    mode = _check_choice(mode, "mode", ("replace", "drop"), where)
    padding = _check_choice(padding, "padding", ("pre", "post"), where)
    ids = _check_ids(ids, where, pad_id)
    rng = _as_generator(rng, where)
    if rate == 0.0 or ids.size == 0:
        return ids.copy()
    dropped = (ids != pad_id) & (rng.random(ids.shape) < rate)
    if mode == "replace":
        out = ids.copy()
        out[dropped] = pad_id
        return out
    first, stop = _spans(ids, pad_id)
    keep = _in_span(ids.shape, first, stop) & ~dropped
    return _close_up(ids, keep, pad_id, padding)


def replace_tokens(ids, rate: float, vocab_size: int, rng, low: int = 1,
                   pad_id: int = 0) -> np.ndarray:
    """Random token replacement: each real (non-pad) id becomes a uniformly random id.

    ids: (N, T) integer ids in [0, vocab_size), padded with `pad_id`. rate: in [0, 1].
    vocab_size: the Embedding's input_dim. low: the smallest id to draw (1 skips the pad 0;
    2 also skips an oov_token at 1). rng: a np.random.Generator (or an int seed).
    Returns (N, T), ids' dtype. Rule, per element::

        replaced[n, t] = (ids[n, t] != pad_id) and (u[n, t] < rate),   u ~ U[0, 1)
        out[n, t]      = r[n, t] ~ U{low, …, vocab_size − 1}   if replaced[n, t] else ids[n, t]

    A replacement may draw the id it replaces, so the fraction of ids that actually change is
    rate · (1 − 1/(vocab_size − low)). Pads never change and are never drawn: pad_id must lie
    outside [low, vocab_size).
    """
    where = "replace_tokens"
    rate, vocab_size, low, pad_id = _check_replace_args(rate, vocab_size, low, pad_id, where)
    ids = _check_ids(ids, where, pad_id, vocab_size)
    rng = _as_generator(rng, where)
    if rate == 0.0 or ids.size == 0:
        return ids.copy()
    replaced = (ids != pad_id) & (rng.random(ids.shape) < rate)
    out = ids.copy()
    out[replaced] = rng.integers(low, vocab_size, size=int(replaced.sum()))
    return out


def crop_tokens(ids, length: int, rng, pad_id: int = 0, padding: str = "pre") -> np.ndarray:
    """Random crop: a random window of `length` consecutive tokens of each row's span.

    ids: (N, T) integer ids padded with `pad_id`. length: the window, 1 ≤ length ≤ T.
    rng: a np.random.Generator (or an int seed). Returns (N, T), ids' dtype.

    Rule, for a row whose span (first to last real token) is s[0:L]::

        w     = min(length, L)                 (a row no longer than `length` is kept whole)
        start ~ U{0, …, L − w}                 (one draw per row, also when L ≤ length)
        row   = [pad_id] * (T − w) + s[start:start + w]    padding="pre" (Keras's default)
                s[start:start + w] + [pad_id] * (T − w)    padding="post"

    So a pre-padded row of at most `length` tokens is returned unchanged.
    """
    where = "crop_tokens"
    length = check_int(length, "length", where, minimum=1)
    pad_id = check_int(pad_id, "pad_id", where, minimum=0)
    padding = _check_choice(padding, "padding", ("pre", "post"), where)
    ids = _check_ids(ids, where, pad_id)
    rng = _as_generator(rng, where)
    if length > ids.shape[1]:
        raise ValueError(f"{where}: length={length} is longer than the sequences "
                         f"(T={ids.shape[1]} timesteps in ids of shape {ids.shape}); expected "
                         f"1 <= length <= {ids.shape[1]}.")
    if ids.size == 0:
        return ids.copy()
    first, stop = _spans(ids, pad_id)
    width = np.minimum(length, stop - first)
    start = first + rng.integers(0, stop - first - width + 1)
    return _place_windows(ids, start, width, pad_id, padding)


def token_dropout(rate: float, pad_id: int = 0, mode: str = "replace",
                  padding: str = "pre") -> Augmenter:
    """The augmenter of `drop_tokens` (see it for the rule): x (N, T) ids, y unchanged."""
    where = "token_dropout"
    rate = _check_rate(rate, where)
    pad_id = check_int(pad_id, "pad_id", where, minimum=0)
    mode = _check_choice(mode, "mode", ("replace", "drop"), where)
    padding = _check_choice(padding, "padding", ("pre", "post"), where)

    def run(x, y, rng):
        return _named(drop_tokens, where, x, rate, rng, pad_id, mode, padding), y
    extra = f", padding={padding!r}" if mode == "drop" else ""
    return Augmenter(run, f"token_dropout({rate}, pad_id={pad_id}, mode={mode!r}{extra})")


def token_replace(rate: float, vocab_size: int, low: int = 1, pad_id: int = 0) -> Augmenter:
    """The augmenter of `replace_tokens` (see it for the rule): x (N, T) ids, y unchanged."""
    where = "token_replace"
    rate, vocab_size, low, pad_id = _check_replace_args(rate, vocab_size, low, pad_id, where)

    def run(x, y, rng):
        return _named(replace_tokens, where, x, rate, vocab_size, rng, low, pad_id), y
    return Augmenter(run, f"token_replace({rate}, vocab_size={vocab_size}, low={low}, "
                          f"pad_id={pad_id})")


def random_crop(length: int, pad_id: int = 0, padding: str = "pre") -> Augmenter:
    """The augmenter of `crop_tokens` (see it for the rule): x (N, T) ids, y unchanged."""
    where = "random_crop"
    length = check_int(length, "length", where, minimum=1)
    pad_id = check_int(pad_id, "pad_id", where, minimum=0)
    padding = _check_choice(padding, "padding", ("pre", "post"), where)

    def run(x, y, rng):
        return _named(crop_tokens, where, x, length, rng, pad_id, padding), y
    return Augmenter(run, f"random_crop({length}, pad_id={pad_id}, padding={padding!r})")


# ================================================================== numeric features
def add_jitter(x, sigma: float, rng) -> np.ndarray:
    """Jitter: add independent Gaussian noise to every element.

    x: (N, D) features or (N, T, D) time series, floats. sigma: σ ≥ 0, in the features'
    units (after standardisation: a fraction of each feature's std). rng: a Generator (or an
    int seed). Returns x's shape and dtype::

        out = x + σ ε,    ε ~ N(0, 1) elementwise
    """
    where = "add_jitter"
    sigma = check_float(sigma, "sigma", where, low=0.0)
    x = _check_features(x, where)
    rng = _as_generator(rng, where)
    if sigma == 0.0:
        return x.copy()
    return (x + sigma * _standard_normal(rng, x.shape, x.dtype)).astype(x.dtype, copy=False)


def scale_features(x, sigma: float, rng, per_feature: bool = False) -> np.ndarray:
    """Scaling: multiply each sample (or each sample's feature) by one random factor.

    x: (N, D) or (N, T, D) floats. sigma: σ ≥ 0. rng: a Generator (or an int seed).
    per_feature: False = one factor per sample, shape (N, 1) or (N, 1, 1); True = one per
    sample and feature, (N, D) or (N, 1, D). A time series keeps its shape over time::

        out = x · s,    s ~ N(1, σ²)   (broadcast over the axes above)

    For σ ≳ 0.3 a factor can be negative (P(s < 0) = Φ(−1/σ)), which flips the sample.
    """
    where = "scale_features"
    sigma = check_float(sigma, "sigma", where, low=0.0)
    if not isinstance(per_feature, (bool, np.bool_)):
        raise TypeError(f"{where}: per_feature must be True or False, got {per_feature!r}.")
    x = _check_features(x, where)
    rng = _as_generator(rng, where)
    if sigma == 0.0:
        return x.copy()
    shape = (x.shape[0],) + (1,) * (x.ndim - 2) + (x.shape[-1] if per_feature else 1,)
    factor = 1.0 + sigma * _standard_normal(rng, shape, x.dtype)
    return (x * factor).astype(x.dtype, copy=False)


def jitter(sigma: float) -> Augmenter:
    """The augmenter of `add_jitter` (x + σ ε): x (N, D) or (N, T, D) floats, y unchanged."""
    where = "jitter"
    sigma = check_float(sigma, "sigma", where, low=0.0)

    def run(x, y, rng):
        return _named(add_jitter, where, x, sigma, rng), y
    return Augmenter(run, f"jitter({sigma})")


def scaling(sigma: float, per_feature: bool = False) -> Augmenter:
    """The augmenter of `scale_features` (x · s, s ~ N(1, σ²)): y unchanged."""
    where = "scaling"
    sigma = check_float(sigma, "sigma", where, low=0.0)
    if not isinstance(per_feature, (bool, np.bool_)):
        raise TypeError(f"{where}: per_feature must be True or False, got {per_feature!r}.")

    def run(x, y, rng):
        return _named(scale_features, where, x, sigma, rng, bool(per_feature)), y
    return Augmenter(run, f"scaling({sigma}, per_feature={bool(per_feature)})")


# ================================================================== composing
def compose(*augmenters: AugmentFn) -> Augmenter:
    """One augmenter applying `augmenters` in order, all drawing from the same rng::

        compose(f, g)(x, y, rng) == g(*f(x, y, rng), rng)

    Any function (x, y, rng) -> (x, y) may take part, e.g. one that changes y. compose()
    with no augmenters is the identity.
    """
    where = "compose"
    for position, augmenter in enumerate(augmenters):
        _check_augmenter(augmenter, f"augmenters[{position}]", where)

    def run(x, y, rng):
        for position, augmenter in enumerate(augmenters):
            result = augmenter(x, y, rng)
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                got = f"a {type(result).__name__} of length {len(result)}" \
                    if isinstance(result, (tuple, list)) else type(result).__name__
                raise TypeError(f"{where}: augmenters[{position}] ({_label(augmenter)}) "
                                f"returned {got}; an augmenter must return the pair (x, y).")
            x, y = result
        return x, y
    return Augmenter(run, f"compose({', '.join(_label(a) for a in augmenters)})")


def apply_augment(augmenter: AugmentFn, x, y=None, seed: Optional[int] = None):
    """``augmenter(x, y, np.random.default_rng(seed))`` -> (x, y): one augmented batch, e.g.
    to look at what ``fit`` will train on. The same seed gives bit-identical output."""
    where = "apply_augment"
    _check_augmenter(augmenter, "augmenter", where)
    return augmenter(x, y, _as_generator(seed, where, "seed"))


# ================================================================== helpers
_FACTORIES = {"token_dropout", "token_replace", "random_crop", "jitter", "scaling", "compose"}


def _check_augmenter(augmenter, name: str, where: str) -> None:
    if getattr(augmenter, "__module__", None) == __name__ and \
            getattr(augmenter, "__name__", None) in _FACTORIES:
        raise TypeError(f"{where}: {name} is the function {augmenter.__name__} itself; call it "
                        f"to make an augmenter, e.g. {augmenter.__name__}(0.1).")
    if not callable(augmenter):
        raise TypeError(f"{where}: {name} must be a function (x, y, rng) -> (x, y), got "
                        f"{augmenter!r} ({type(augmenter).__name__}).")


def _label(augmenter) -> str:
    return repr(augmenter) if isinstance(augmenter, Augmenter) \
        else getattr(augmenter, "__name__", repr(augmenter))


def _named(function, where: str, *args):
    """Call an array version, its error messages naming the augmenter `where` instead."""
    try:
        return function(*args)
    except (TypeError, ValueError) as error:
        message = str(error)
        if message.startswith(function.__name__ + ":"):
            raise type(error)(f"{where}: {message[len(function.__name__) + 1:].lstrip()}") \
                from None
        raise


def _check_rate(rate, where: str) -> float:
    return check_float(rate, "rate", where, low=0.0, high=1.0)


def _check_choice(value, name: str, choices, where: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise unknown_name_error(f"{where} {name}", value, choices)
    return value


def _check_replace_args(rate, vocab_size, low, pad_id, where: str):
    rate = _check_rate(rate, where)
    low = check_int(low, "low", where, minimum=0)
    vocab_size = check_int(vocab_size, "vocab_size", where, minimum=1)
    pad_id = check_int(pad_id, "pad_id", where, minimum=0)
    if vocab_size <= low:
        raise ValueError(f"{where}: vocab_size={vocab_size} is too small: replacements are "
                         f"drawn from [low, vocab_size) = [{low}, {vocab_size}), which is empty; "
                         f"expected vocab_size > low (the Embedding's input_dim).")
    if low <= pad_id < vocab_size:
        raise ValueError(f"{where}: pad_id={pad_id} lies in [low, vocab_size) = [{low}, "
                         f"{vocab_size}), so a replacement could create a pad; raise low to "
                         f"{pad_id + 1} (ids in [low, vocab_size) are the real tokens).")
    return rate, vocab_size, low, pad_id


def _check_ids(ids, where: str, pad_id: int, vocab_size: Optional[int] = None) -> np.ndarray:
    """`ids` as an (N, T) integer array of ids ≥ 0 (and < vocab_size), or a clear error."""
    ids = as_array(ids, "ids", where)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{where}: ids must hold integer token ids, got dtype {ids.dtype}; "
                        f"augmentation keeps the dtype, so cast first, e.g. "
                        f"ids.astype('int32'). (For float features use jitter / scaling.)")
    check_rank(ids, (2,), "ids", where, "(N, T): a batch of padded id sequences, e.g. from "
                                         "pad_sequences")
    info = np.iinfo(ids.dtype)
    top = max(pad_id, -1 if vocab_size is None else vocab_size - 1)
    if top > info.max:
        what = f"pad_id={pad_id}" if top == pad_id else f"ids up to vocab_size - 1 = {top}"
        raise ValueError(f"{where}: ids of dtype {ids.dtype} (at most {info.max}) cannot hold "
                         f"{what}; use a wider dtype such as int32.")
    if ids.size:
        bad = ids < 0 if vocab_size is None else (ids < 0) | (ids >= vocab_size)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            wanted = ">= 0" if vocab_size is None else f"in [0, {vocab_size})"
            raise ValueError(f"{where}: token id {ids[index]} at ids{list(index)} is not "
                             f"{wanted} (vocab_size is the Embedding's input_dim).")
    return ids


def _check_features(x, where: str) -> np.ndarray:
    x = as_array(x, "x", where)
    if x.dtype.kind != "f":
        raise TypeError(f"{where}: x must hold float features, got dtype {x.dtype}; the dtype "
                        f"is kept, so cast first, e.g. x.astype('float32'). (For token ids use "
                        f"token_dropout / token_replace / random_crop.)")
    check_rank(x, (2, 3), "x", where, "(N, D) features or (N, T, D) time series")
    check_finite(x, "x", where)
    return x


def _as_generator(rng, where: str, name: str = "rng") -> np.random.Generator:
    """A np.random.Generator as it is, an int seed ≥ 0 (or None: fresh entropy) as a new one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)
                       and rng >= 0):
        return np.random.default_rng(rng)
    raise TypeError(f"{where}: {name} must be a np.random.Generator or an int seed >= 0, got "
                    f"{rng!r} ({type(rng).__name__}); e.g. np.random.default_rng(0).")


def _standard_normal(rng: np.random.Generator, shape, dtype: np.dtype) -> np.ndarray:
    """N(0, 1) draws in float32 for float16/float32 data, float64 otherwise."""
    return rng.standard_normal(shape, dtype=np.float32 if dtype.itemsize <= 4 else np.float64)


def _spans(ids: np.ndarray, pad_id: int) -> Tuple[np.ndarray, np.ndarray]:
    """Each row's span [first, stop): from its first to its last non-pad id; (0, 0) if none."""
    real = ids != pad_id
    found = real.any(axis=1)
    first = np.where(found, real.argmax(axis=1), 0)
    stop = np.where(found, ids.shape[1] - real[:, ::-1].argmax(axis=1), 0)
    return first, stop


def _in_span(shape, first: np.ndarray, stop: np.ndarray) -> np.ndarray:
    t = np.arange(shape[1])
    return (t >= first[:, None]) & (t < stop[:, None])


def _close_up(ids: np.ndarray, keep: np.ndarray, pad_id: int, padding: str) -> np.ndarray:
    """Each row's kept elements, in order, against the end ("pre") or start ("post"); pads
    elsewhere. A stable argsort of `keep` moves them without reordering them."""
    order = np.argsort(keep if padding == "pre" else ~keep, axis=1, kind="stable")
    out = np.take_along_axis(ids, order, axis=1)
    count = keep.sum(axis=1, keepdims=True)
    t = np.arange(ids.shape[1])
    filler = t < ids.shape[1] - count if padding == "pre" else t >= count
    out[filler] = pad_id
    return out


def _place_windows(ids: np.ndarray, start: np.ndarray, width: np.ndarray, pad_id: int,
                   padding: str) -> np.ndarray:
    """Row n: ids[n, start[n]:start[n] + width[n]], re-padded to T on the `padding` side."""
    steps = ids.shape[1]
    t = np.arange(steps)
    offset = t - (steps - width[:, None]) if padding == "pre" else np.broadcast_to(
        t, ids.shape)
    inside = (offset >= 0) & (offset < width[:, None])
    source = np.clip(start[:, None] + offset, 0, steps - 1)
    out = np.full_like(ids, pad_id)
    out[inside] = np.take_along_axis(ids, source, axis=1)[inside]
    return out
