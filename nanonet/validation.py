"""Input checks shared by every public entry point.

Each check raises an exception whose message names *where* (the layer or function), *which*
argument, the value received and what was expected — so a learner's first mistake teaches
instead of ending in a NumPy traceback from deep inside.

Arrays enter through ``as_array`` (or ``plain_array``, ``plain_if_array``): every entry point
takes array-likes as NumPy's own functions do — lists, numbers, objects with ``__array__``,
and ndarray subclasses (np.matrix, np.memmap …) viewed as plain arrays, so that nothing ever
computes with a subclass's operators. Masked arrays are refused (``masked_array_error``), with
or without masked values: a mask is neither honoured nor silently dropped.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import numbers
import os
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Type

import numpy as np

#: at most this share of a name's letters may differ for "Did you mean" (see close_names)
CLOSE_SHARE = 0.25


def close_names(name: str, valid: Iterable[str], limit: int = 3) -> List[str]:
    """The names of `valid` close enough to `name` to be what was meant, closest first.

    Case never matters ('Adam' → 'adam'). Otherwise a name must start with the same letter
    and differ in at most a quarter of the longer name's letters (CLOSE_SHARE), counting an
    insertion,
    deletion, substitution or swap of two neighbours as one edit: 'sigmod' → 'sigmoid',
    'adma' → 'adam', 'glorot_unifrom' → 'glorot_uniform'. Short names that look alike are
    usually different things, and are not offered: 'elu' is not a mistyped 'relu', 'AUC'
    not 'acc', 'mae' not 'mse', 'sparse_categorical_crossentropy' not 'binary_crossentropy'.
    """
    key = name.lower()
    scored = []
    for candidate in valid:
        other = candidate.lower()
        if other == key:
            scored.append((0, candidate))
            continue
        if not key or not other or key[0] != other[0]:
            continue
        edits = _edit_distance(key, other)
        if edits <= CLOSE_SHARE * max(len(key), len(other)):
            scored.append((edits, candidate))
    return [candidate for _, candidate in sorted(scored)[:limit]]


def _edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours turning a into b (the
    optimal string alignment distance)."""
    previous, current = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[len(b)]


def _did_you_mean(name: str, valid: Iterable[str]) -> str:
    close = close_names(name, valid)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def unknown_name_error(kind: str, name, valid: Iterable[str]) -> ValueError:
    """A ValueError for an unknown string name, listing the valid ones and the closest matches
    (close_names: only names that are really close)."""
    valid = sorted(valid)
    if isinstance(name, str):
        hint = _did_you_mean(name, valid)
    elif isinstance(name, type):
        hint = (f" Got the class {name.__name__} itself: pass a name or an instance, "
                f"e.g. {name.__name__}() instead of {name.__name__}.")
    else:
        hint = f" Expected a name (a str), got {type(name).__name__}."
    return ValueError(f"Unknown {kind} {name!r}. Valid {kind} names: {', '.join(valid)}.{hint}")


# ====================================================================== keyword arguments
#: Keras's renamed arguments: the old name → the new ones (the first that the function takes
#: is the one meant). From Keras 2's legacy interfaces (Keras 1 → 2), and lr → learning_rate
#: (Keras 2.3).
KERAS_RENAMED: Dict[str, Tuple[str, ...]] = {
    "lr": ("learning_rate",),
    "nb_epoch": ("epochs",),
    "output_dim": ("units",),
    "init": ("kernel_initializer", "embeddings_initializer"),
    "inner_init": ("recurrent_initializer",),
    "bias": ("use_bias",),
    "p": ("rate",),
    "dropout_W": ("dropout",),
    "dropout_U": ("recurrent_dropout",),
    "forget_bias_init": ("unit_forget_bias",),
}


def unknown_argument_error(where: str, unknown: Dict[str, object], accepted: Sequence[str],
                           error: Type[Exception] = TypeError) -> Exception:
    """The error for keyword arguments `unknown` (name → value) that `where` does not take:
    it names them, lists the `accepted` ones, and says what was meant — Keras's new name for
    an old one (``lr`` → ``learning_rate``), or a really close name (close_names)."""
    given = ", ".join(f"{name!r} (= {value!r:.60})" for name, value in unknown.items())
    first, value = next(iter(unknown.items()))
    renamed = next((new for new in KERAS_RENAMED.get(first, ()) if new in accepted), None)
    if renamed is not None:
        hint = f" Keras renamed {first} to {renamed}: write {renamed}={value!r:.60}."
    else:
        hint = _did_you_mean(first, accepted)
    plural = "s" if len(unknown) > 1 else ""
    return error(f"{where}: unknown argument{plural} {given}. Valid arguments: "
                 f"{', '.join(accepted)}.{hint}")


def keyword_checked(function: Callable) -> Callable:
    """`function` (a function or method), made to refuse unknown keyword arguments with
    ``unknown_argument_error`` — which lists the accepted ones and Keras's renamings —
    instead of Python's bare "got an unexpected keyword argument". A function that takes
    ``**kwargs`` checks its own and is returned as it is. Every layer's constructor gets it
    from ``Layer.__init_subclass__``; Sequential's entry points are decorated with it."""
    parameters = list(inspect.signature(function).parameters.values())
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return function
    is_method = bool(parameters) and parameters[0].name == "self"
    accepted = tuple(p.name for p in parameters[is_method:]
                     if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    names = frozenset(accepted)

    @functools.wraps(function)
    def checked(*args, **kwargs):
        if not names.issuperset(kwargs):
            unknown = {k: v for k, v in kwargs.items() if k not in names}
            raise unknown_argument_error(_called(function, args, kwargs, is_method), unknown,
                                         accepted)
        return function(*args, **kwargs)
    return checked


def _called(function: Callable, args: tuple, kwargs: dict, is_method: bool) -> str:
    """How an error names the call: Dense 'd' (a constructor), Sequential.fit, f."""
    if not is_method or not args:
        return function.__name__
    owner = type(args[0]).__name__
    if function.__name__ != "__init__":
        return f"{owner}.{function.__name__}"
    name = kwargs.get("name")
    return f"{owner} {name!r}" if isinstance(name, str) else owner


def masked_array_error(x: np.ma.MaskedArray, name: str, where: str) -> TypeError:
    """The TypeError for a masked array: nanonet never honours a mask and never drops one
    silently (np.asarray would compute with the values under it), so it asks for the data."""
    hidden = int(np.ma.count_masked(x))
    if hidden:
        held = (f"with {hidden} masked value(s) of {x.size}; np.asarray would silently use the "
                f"values under the mask (NaN, say). Fill them, e.g. .filled(0.0), or drop the "
                f"samples that have them (np.ma.compress_rows for 2-D data — drop the same "
                f"samples from the other arrays)")
    else:
        held = ("with nothing masked; pass its data, np.ma.getdata(...) (or .filled()), so "
                "that a mask that appears later is never dropped without a word")
    return TypeError(f"{where}: {name} is a masked array (np.ma.MaskedArray) {held}. nanonet "
                     f"takes plain arrays only and does not honour masks.")


def check_not_masked(x, name: str, where: str) -> None:
    """Raise masked_array_error if `x` is a masked array, or a list or tuple holding one (as
    its entries: np.asarray([row, row]) would drop their masks too)."""
    if isinstance(x, np.ma.MaskedArray):
        raise masked_array_error(x, name, where)
    if isinstance(x, (list, tuple)):
        for position, item in enumerate(x):
            if isinstance(item, np.ma.MaskedArray):
                raise masked_array_error(item, f"{name}[{position}]", where)


def plain_if_array(x, name: str, where: str):
    """For arguments that may be arrays *or* other collections (lists of ragged sequences):
    an ndarray (of any subclass) or an object with only ``__array__`` becomes a plain array
    (plain_array); a list or tuple comes back as it is, unless it holds a masked array;
    anything else (NumPy scalars included) comes back unchanged."""
    if isinstance(x, np.ndarray) or (hasattr(x, "__array__") and not hasattr(x, "__iter__")
                                     and not isinstance(x, np.generic)):
        return plain_array(x, name, where)
    check_not_masked(x, name, where)
    return x


def plain_array(x, name: str, where: str) -> np.ndarray:
    """`x` as a plain ``np.ndarray`` — never a subclass, whose operators would compute for us
    (``*`` is a matrix product for np.matrix) — or a clear error.

    A plain ndarray comes back as it is. An ndarray subclass becomes a plain view of the same
    memory (no copy; np.matrix keeps its 2-D shape, np.memmap reads its file); anything else
    goes through ``np.asarray`` (lists, numbers, objects with ``__array__``), and ragged nested
    lists are a ValueError. A masked array — or a list or tuple holding one — is a TypeError
    (masked_array_error), with or without masked values: masks are neither honoured nor
    silently dropped. The dtype is not checked (as_array checks that it holds real numbers)."""
    if type(x) is np.ndarray:
        return x
    check_not_masked(x, name, where)
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except ValueError as error:  # ragged nested lists (NumPy ≥ 1.24 refuses them)
            raise ValueError(
                f"{where}: {name} must be a rectangular array of numbers, but it is a ragged "
                f"sequence (rows of different lengths) — pad it first, e.g. with "
                f"nanonet.text.pad_sequences. NumPy said: {error}") from None
    return x if type(x) is np.ndarray else np.ndarray.view(x, np.ndarray)


def as_array(x, name: str, where: str) -> np.ndarray:
    """`x` as a plain ``np.ndarray`` of real numbers (bools, ints or floats), or a clear error:
    what np.asarray takes for numbers — arrays, nested lists, numbers, objects with
    ``__array__`` — with ndarray subclasses (np.matrix, np.memmap, …) viewed as plain arrays
    and masked arrays refused (see plain_array); strings, objects and complex numbers are a
    TypeError, ragged lists a ValueError."""
    array = plain_array(x, name, where)
    if array.dtype.kind not in "biufc":        # bool, ints, floats, complex; not str/object
        raise TypeError(
            f"{where}: {name} must hold numbers, got an array of dtype {array.dtype}"
            f"{_preview(array)}.")
    if array.dtype.kind == "c":
        raise TypeError(
            f"{where}: {name} must hold real numbers, got an array of complex dtype "
            f"{array.dtype}{_preview(array)}; pass x.real or np.abs(x).")
    return array


def as_float_array(x, name: str, where: str, dtype=np.float32) -> np.ndarray:
    """`x` as an array of float `dtype` (ints and bools are cast, as Keras does), all finite."""
    array = as_array(x, name, where)
    if array.dtype != dtype:
        array = _cast_checked(array, dtype, name, where)
    check_finite(array, name, where)
    return array


def check_finite(array: np.ndarray, name: str, where: str) -> None:
    """Raise ValueError naming the first NaN/inf element of `array`."""
    if array.dtype.kind not in "fc" or (array.size <= 65536 and np.isfinite(array).all()):
        return                                   # the common case, without further calls
    found = first_non_finite(array)
    if found is None:
        return
    index, value = found
    where_text = f" at index {index}" if index else ""
    raise ValueError(
        f"{where}: {name} contains {value}{where_text} "
        f"({int((~np.isfinite(array)).sum())} non-finite value(s) in all). "
        f"Expected finite numbers (no NaN or inf): clean or impute the data first.")


def all_finite(array: np.ndarray) -> bool:
    """True if `array` holds no NaN or inf (a big array: one sum, a full check only if the sum
    is not finite)."""
    if array.dtype.kind not in "fc":
        return True
    if array.size > 65536:                       # big arrays: one sum beats a boolean array
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.add.reduce(array, axis=None)):   # NaN and ±inf reach the sum
                return True
    return bool(np.isfinite(array).all())        # (or the sum overflowed on finite values)


def first_non_finite(array: np.ndarray):
    """None if `array` is all finite, else (index of its first NaN/inf, that value as a float)."""
    if all_finite(array):
        return None
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
    return index, array[index].item()            # a plain nan / inf / -inf, not np.float32(nan)


def check_rank(array: np.ndarray, ranks: Iterable[int], name: str, where: str,
               meaning: str = "") -> None:
    """Raise ValueError if `array.ndim` is not one of `ranks`."""
    ranks = tuple(ranks)
    if array.ndim not in ranks:
        wanted = " or ".join(str(r) for r in ranks)
        extra = f" {meaning}" if meaning else ""
        raise ValueError(
            f"{where}: {name} must have {wanted} dimensions{extra}, got shape {array.shape}.")


def check_int(value, name: str, where: str, minimum: Optional[int] = None,
              allow_none: bool = False) -> Optional[int]:
    """`value` as a Python int ≥ `minimum`, or a clear TypeError/ValueError."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an integer, got {value!r} "
                        f"({type(value).__name__}).")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {value}.")
    return int(value)


def check_float(value, name: str, where: str, low: Optional[float] = None,
                high: Optional[float] = None, low_inclusive: bool = True,
                high_inclusive: bool = True) -> float:
    """`value` as a finite Python float inside the stated bounds, or a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {value!r} "
                        f"({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{where}: {name} must be finite, got {value}.")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "[" if low_inclusive and low is not None else "("
        right = "]" if high_inclusive and high is not None else ")"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ValueError(f"{where}: {name} must be in {interval}, got {value}.")
    return value


def check_bool(value, name: str, where: str) -> bool:
    """`value` as a bool: True/False (NumPy's too) or the integers 0 and 1; anything else —
    notably a string such as "no", which Python would read as True — is a TypeError."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    raise TypeError(f"{where}: {name} must be True or False, got {value!r} "
                    f"({type(value).__name__}).")


def check_shape(shape, name: str, where: str, allow_none: bool = True) -> tuple:
    """A shape (a tuple or list of sizes ≥ 1, or None for "any size") as a tuple.

    A bare integer is refused with the fix spelled out: ``input_shape=(3,)``, not ``3``."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        raise TypeError(f"{where}: {name} must be a tuple of sizes, got the integer {shape!r}; "
                        f"write ({shape},) for one dimension of size {shape}.")
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (tuple, list)):
        raise TypeError(f"{where}: {name} must be a tuple of sizes such as (20,) or "
                        f"(None, 8), got {shape!r} ({type(shape).__name__}).")
    result = []
    for position, size in enumerate(shape):
        if size is None and allow_none:
            result.append(None)
            continue
        if isinstance(size, bool) or not isinstance(size, numbers.Integral):
            raise TypeError(f"{where}: {name} must hold integer sizes"
                            f"{' or None' if allow_none else ''}, got {size!r} "
                            f"({type(size).__name__}) at position {position} of {tuple(shape)}.")
        if size < 1:
            raise ValueError(f"{where}: {name} must hold sizes >= 1, got {int(size)} at "
                             f"position {position} of {tuple(shape)}.")
        result.append(int(size))
    return tuple(result)


def float_dtype(dtype, name: str, where: str) -> np.dtype:
    """`dtype` as a NumPy float dtype ('float16', 'float32' or 'float64'), or a clear TypeError."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or result.kind != "f":
        shown = result.name if result is not None else repr(dtype)
        raise TypeError(f"{where}: {name} must be a float dtype ('float16', 'float32' or "
                        f"'float64'), got {shown}.")
    return result


def as_float_like(x, name: str, where: str, dtype) -> np.ndarray:
    """`x` (arrays, lists, numbers) as a finite array of float `dtype` — ints and bools cast,
    floats converted with an overflow check; `dtype` None keeps a float input's own dtype
    (ints and bools become float32)."""
    array = as_array(x, name, where)
    if dtype is None:
        dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float32)
    return as_float_array(array, name, where, dtype)


def check_same_shape(got: np.ndarray, expected_shape, name: str, where: str,
                     meaning: str = "") -> None:
    """Raise ValueError unless `got.shape == expected_shape` (no broadcasting)."""
    if got.shape != tuple(expected_shape):
        extra = f" ({meaning})" if meaning else ""
        raise ValueError(f"{where}: {name} must have shape {tuple(expected_shape)}{extra}, "
                         f"got {got.shape}.")


def check_same_length(x: np.ndarray, y: np.ndarray, where: str) -> None:
    """x and y must describe the same number of samples (their first dimension)."""
    if not x.ndim or not y.ndim:
        name, array = ("x", x) if not x.ndim else ("y", y)
        raise ValueError(f"{where}: {name} is a single number ({array.item()!r}, shape ()); "
                         f"expected one entry per sample, e.g. [{array.item()!r}].")
    if len(x) != len(y):
        raise ValueError(
            f"{where}: x and y must have the same number of samples (first dimension), "
            f"got x with {len(x)} (shape {x.shape}) and y with {len(y)} (shape {y.shape}).")


def labels_like(y_true: np.ndarray, pred_shape: tuple, squeeze: bool = True) -> np.ndarray:
    """Keras's one rule for labels against predictions of shape `pred_shape`: a last axis of
    size 1 may differ. Labels (n,) for predictions (n, 1) become (n, 1); with `squeeze`,
    labels (n, 1) for predictions (n,) become (n,). Any other labels come back unchanged (the
    caller compares the shapes and says what it expected)."""
    if squeeze and y_true.ndim == len(pred_shape) + 1 and y_true.shape[-1] == 1:
        return y_true.reshape(y_true.shape[:-1])
    if len(pred_shape) == y_true.ndim + 1 and pred_shape[-1] == 1:
        return y_true.reshape(y_true.shape + (1,))
    return y_true


def shape_matches(shape, expected) -> bool:
    """`shape` fits `expected`, where None in `expected` accepts any size."""
    return len(shape) == len(expected) and all(e is None or e == s
                                               for s, e in zip(shape, expected))


def check_targets_shape(y: np.ndarray, output_shape: tuple, where: str) -> np.ndarray:
    """A model's targets y (N, …) for its outputs (N, *output_shape): shaped by
    ``labels_like`` (a last axis of size 1 may be added, never dropped), else a ValueError."""
    output_shape = tuple(output_shape)
    y = labels_like(y, (None,) + output_shape, squeeze=False)
    if not shape_matches(y.shape[1:], output_shape):
        raise ValueError(f"{where}: y has shape {y.shape}, but the model outputs "
                         f"{(None,) + output_shape}; give one target per output.")
    return y


def check_labels_match(y_true: np.ndarray, y_pred: np.ndarray, where: str,
                       pred_name: str = "y_pred", note: str = "") -> np.ndarray:
    """`y_true` shaped like `y_pred` by ``labels_like``, or a ValueError naming both shapes
    (never a broadcast (n,) × (n, 1) → (n, n)); `note` is added to the message."""
    y_true = labels_like(y_true, y_pred.shape)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true has shape {y_true.shape} but {pred_name} has shape "
            f"{y_pred.shape}; expected the same shape, one label per prediction (a last "
            f"axis of size 1 may differ, e.g. (n,) and (n, 1), as in Keras).{note}")
    return y_true


def check_not_empty(x: np.ndarray, name: str, where: str) -> None:
    """Raise ValueError for a dataset with zero samples."""
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(f"{where}: {name} is empty (shape {x.shape}); "
                         f"expected at least one sample.")


def cast_checked(array: np.ndarray, dtype, name: str, where: str) -> np.ndarray:
    """`array` cast to float `dtype`, refusing finite values the smaller dtype cannot hold
    (NumPy would turn them into inf, with a RuntimeWarning)."""
    dtype = np.dtype(dtype)
    if array.dtype.kind in "iu" and dtype.kind == "f" and array.size \
            and array.dtype.itemsize * 8 >= np.finfo(dtype).maxexp:   # e.g. int64 → float16
        top = max(abs(int(array.max())), abs(int(array.min())))
        if top > float(np.finfo(dtype).max):
            raise ValueError(
                f"{where}: {name} holds integers up to {top}, beyond the largest {dtype.name} "
                f"({np.finfo(dtype).max:.3g}); rescale the data.")
    if array.dtype.kind == "f" and dtype.kind == "f" and dtype.itemsize < array.dtype.itemsize:
        finite = np.isfinite(array)
        limit = np.finfo(dtype).max
        if np.any(np.abs(array[finite]) > limit):
            raise ValueError(
                f"{where}: {name} holds values up to {np.abs(array[finite]).max():.3g}, "
                f"beyond the largest {dtype.name} ({limit:.3g}); rescale the data.")
    return array.astype(dtype)


_cast_checked = cast_checked


def _preview(array: np.ndarray) -> str:
    if array.size == 0:
        return ""
    first = array.flat[0]
    kind = type(first).__name__
    if isinstance(first, np.generic):
        first = first.item()                     # 'a', not np.str_('a')
        kind = type(first).__name__
    return f" (first element {first!r} of type {kind})"


def short_repr(value, limit: int = 60) -> str:
    """repr(value), shortened to about `limit` characters ("[1, 2, 3, …, 9]" style)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + " …" + text[-3:]


def show_value(value) -> str:
    """`value`'s shortened repr and its type, for error messages: "3 (int)"."""
    return f"{short_repr(value)} ({type(value).__name__})"


def memory_limit() -> Optional[int]:
    """Bytes this process can ever hold: the machine's physical memory, or the container's
    cgroup-v2 limit (``/sys/fs/cgroup/memory.max``) if lower; None where neither is known."""
    try:
        limit = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):     # e.g. Windows has no sysconf
        limit = None
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as handle:
            cgroup = int(handle.read().strip())       # "max" (no limit) raises ValueError
        limit = cgroup if limit is None else min(limit, cgroup)
    except (OSError, ValueError):
        pass
    return limit if limit is None or limit > 0 else None


def _bytes_text(size: int) -> str:
    """1536 -> '1.5 KiB'."""
    amount, unit = float(size), "bytes"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if amount < 1024 or unit == "EiB":
            break
        amount /= 1024
    return f"{size} bytes" if unit == "bytes" else f"{amount:.3g} {unit}"


def allocation_error(shape, dtype, where: str, cause: str, hint: str = "",
                     limit: Optional[int] = None) -> MemoryError:
    """A MemoryError naming who asked (`where`, `cause` such as "maxlen=10**12"), the array
    asked for and its size — instead of NumPy's bare "Unable to allocate"."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=object)) * dtype.itemsize
    beyond = (f", more than this machine's {_bytes_text(limit)} of memory" if limit
              else ", which could not be allocated")
    extra = f" {hint}" if hint else ""
    return MemoryError(f"{where}: {cause} asks for an array of shape {tuple(shape)} and dtype "
                       f"{dtype} = {_bytes_text(size)}{beyond}.{extra}")


def check_allocation(shape, dtype, where: str, cause: str, hint: str = "") -> None:
    """Refuse, *before* allocating, an array larger than :func:`memory_limit` (on Linux an
    allocation that large may not fail at once: filling it gets the process killed)."""
    limit = memory_limit()
    size = int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
    if limit is not None and size > limit:
        raise allocation_error(shape, dtype, where, cause, hint, limit)


@contextlib.contextmanager
def guarded_allocation(shape, dtype, where: str, cause: str, hint: str = "") -> Iterator[None]:
    """``with guarded_allocation(shape, dtype, where, cause, hint): array = …`` —
    :func:`check_allocation` first, then a MemoryError inside the block (NumPy's bare
    "Unable to allocate") becomes :func:`allocation_error`, naming who asked and the size."""
    check_allocation(shape, dtype, where, cause, hint)
    try:
        yield
    except MemoryError:
        raise allocation_error(shape, dtype, where, cause, hint) from None
