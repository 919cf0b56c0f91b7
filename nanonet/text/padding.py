"""``pad_sequences``: sequences of different lengths into one (N, maxlen) array, Keras 2.15's
rule (``tf.keras.preprocessing.sequence.pad_sequences``), with clear errors for bad input.

For a sequence s (``kept`` is what truncating leaves of it)::

    kept = s[-maxlen:] if truncating == 'pre' else s[:maxlen]
    row  = [value] * (maxlen - len(kept)) + kept   if padding == 'pre'
           kept + [value] * (maxlen - len(kept))   if padding == 'post'
"""
from __future__ import annotations

import numbers
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from ..validation import (guarded_allocation, plain_if_array, short_repr, show_value,
                          unknown_name_error)
from .inputs import check_integer, unordered_error

__all__ = ["pad_sequences"]

_MODES = ("pre", "post")


def _check_mode(mode: Any, name: str) -> str:
    if isinstance(mode, str) and mode in _MODES:
        return mode
    raise ValueError(f"pad_sequences: {unknown_name_error(name, mode, _MODES)} "
                     f"('pre' works at the start of each sequence, 'post' at the end.)")


def _check_dtype(dtype: Any) -> np.dtype:
    try:
        result = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"pad_sequences: dtype {dtype!r} is not a NumPy data type; use e.g. "
                        f"'int32' (the default), 'int64', 'float32', or object for "
                        f"strings.") from None
    if result.kind not in "biufcUSO":
        raise TypeError(f"pad_sequences: dtype must be a number type (e.g. 'int32'), a string "
                        f"type or object, got {result}.")
    return result


def _check_fill_value(value: Any, dtype: np.dtype) -> None:
    """`value` must be storable in `dtype` (0.7 in int32 becomes 0, as in Keras)."""
    if dtype.kind not in "biufc":                      # str, bytes, object: anything numpy takes
        return
    if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Number):
        error = ValueError if isinstance(value, (str, bytes)) else TypeError   # (as Keras)
        raise error(f"pad_sequences: value must be a number for dtype {dtype}, got "
                    f"{show_value(value)}. (To pad strings use dtype=object.)")
    if isinstance(value, numbers.Integral) and not _int_fits(int(value), dtype):
        raise ValueError(f"pad_sequences: value {short_repr(value)} does not fit in dtype {dtype} "
                         f"({_range_of(dtype)}); pick another value or dtype.")
    if isinstance(value, numbers.Integral):
        return
    if _first_misfit(np.asarray(value), dtype) is not None:
        raise ValueError(f"pad_sequences: value {short_repr(value)} does not fit in dtype {dtype} "
                         f"({_range_of(dtype)}); pick another value or dtype.")


def _int_fits(number: int, dtype: np.dtype) -> bool:
    """Whether the Python int `number` fits in the number dtype `dtype` (compared exactly)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return info.min <= number <= info.max
    if dtype.kind == "b":
        return True
    try:
        return abs(float(number)) <= float(np.finfo(dtype).max)
    except OverflowError:                                      # beyond even float64
        return False


def _range_of(dtype: np.dtype) -> str:
    if dtype.kind in "iu":
        return f"whole numbers {np.iinfo(dtype).min}..{np.iinfo(dtype).max}"
    return f"numbers up to ±{np.finfo(dtype).max:.4g}"


def _first_misfit(array: np.ndarray, dtype: np.dtype) -> Optional[Tuple[Tuple[int, ...], Any]]:
    """(position, number) of the first number in `array` that `dtype` cannot hold — an int out
    of range, NaN/inf into an int type, a finite float beyond a smaller float type — or None.
    Floats cast to ints are truncated first (1.7 -> 1, as NumPy and Keras do)."""
    if dtype.kind in "iu" and array.dtype.kind in "biuf":
        info = np.iinfo(dtype)
        if array.dtype.kind == "f":
            finite = np.isfinite(array)
            whole = np.trunc(np.where(finite, array, 0))
            bad = ~finite | (whole < info.min) | (whole >= float(info.max + 1))  # 2**k: exact
        elif array.dtype.kind == "b":
            return None
        else:                                      # compare as Python ints: no wrap-around
            low, high = int(array.min(initial=0)), int(array.max(initial=0))
            if info.min <= low and high <= info.max:
                return None
            bad = np.asarray(np.frompyfunc(lambda n: not info.min <= int(n) <= info.max,
                                           1, 1)(array), dtype=bool)
    elif dtype.kind in "fc" and array.dtype.kind in "iufc":   # float16 holds ints < 65520 only
        limit = np.finfo(dtype).max                  # (of each component, for complex types)
        with np.errstate(over="ignore", invalid="ignore"):
            parts = (array.real, array.imag) if array.dtype.kind == "c" else (array,)
            bad = np.zeros(array.shape, dtype=bool)
            for part in parts:
                part = part.astype(np.float64)       # exact enough: only magnitudes matter
                finite = np.isfinite(part)
                bad |= finite & (np.abs(np.where(finite, part, 0)) > limit)
    else:
        return None
    bad = np.asarray(bad)
    if not bad.any():
        return None
    position = tuple(int(i) for i in np.argwhere(bad)[0])
    return position, array[position].item()


def _first_non_number(kept: Any, array: np.ndarray) -> Tuple[Tuple[int, ...], Any]:
    """(position, element) of the first element that is not a real number: looked up in the
    list `kept` itself when it is flat (np.asarray([1, 'a']) would make both strings)."""
    if isinstance(kept, (list, tuple)) and array.ndim == 1:
        for position, element in enumerate(kept):
            if isinstance(element, (str, bytes)) or not isinstance(element, numbers.Real):
                return (position,), element
    for position in np.ndindex(*array.shape):
        element = array[position]
        if array.dtype.kind != "O" or isinstance(element, (str, bytes)) \
                or not isinstance(element, numbers.Real):
            return position, element.item() if isinstance(element, np.generic) else element
    raise AssertionError("every element is a number")  # pragma: no cover


def _at(position: Tuple[int, ...]) -> str:
    return str(position[0]) if len(position) == 1 else str(position)


def _as_row(kept: Any, dtype: np.dtype, position: int) -> np.ndarray:
    """The kept part of sequence `position` as an array of `dtype`, with clear errors."""
    where = f"pad_sequences: sequences[{position}]"
    if dtype.kind not in "biufc":                      # strings/object: exactly as Keras
        try:
            return np.asarray(kept, dtype=dtype)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where} cannot be stored as dtype {dtype}: {error}") from None
    try:
        raw = np.asarray(kept)
    except ValueError:
        raise ValueError(f"{where} is ragged inside (its elements have different lengths): "
                         f"{show_value(kept)}. Each element must be a number (a token id), or "
                         f"every element a vector of the same length.") from None
    if raw.dtype.kind == "f" and raw.ndim == 1 and isinstance(kept, (list, tuple)) and all(
            isinstance(e, numbers.Integral) for e in kept):
        raw = np.empty(len(kept), dtype=object)        # ints NumPy promoted to float64 (e.g.
        raw[:] = kept                                  # -1 with 2**63): keep them exact
    if raw.dtype.kind == "O" and all(isinstance(e, numbers.Real) for e in raw.flat):
        raw = _object_numbers(raw, dtype, where)       # e.g. ints too large for int64
        if raw.dtype == dtype:
            return raw
    if raw.dtype.kind not in "biuf":
        index, element = _first_non_number(kept, raw)
        hint = (" Turn texts into ids first with Tokenizer.texts_to_sequences, or pass "
                "dtype=object to pad strings." if isinstance(element, str) else "")
        raise TypeError(f"{where} must hold real numbers (token ids), but its element "
                        f"{_at(index)} is {show_value(element)}.{hint}")
    misfit = _first_misfit(raw, dtype)
    if misfit is not None:
        raise _misfit_error(where, *misfit, dtype)
    return raw.astype(dtype)


def _misfit_error(where: str, index: Tuple[int, ...], number: Any, dtype: np.dtype) -> ValueError:
    wider = "'float64'" if dtype.itemsize >= 8 else "'int64' or 'float64'"
    return ValueError(f"{where} holds {short_repr(number)} (element {_at(index)}), which does not "
                      f"fit in dtype {dtype} ({_range_of(dtype)}); check the data, or pass a "
                      f"wider dtype, e.g. {wider}.")


def _object_numbers(raw: np.ndarray, dtype: np.dtype, where: str) -> np.ndarray:
    """An object array of real numbers (NumPy keeps ints beyond int64 as Python objects) ->
    `dtype` for integer dtypes, float64 otherwise; a ValueError for numbers that do not fit."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        for index in np.ndindex(*raw.shape):
            try:
                whole: Optional[int] = int(raw[index])          # truncates, like a cast
            except (OverflowError, ValueError):                # inf, nan
                whole = None
            if whole is None or not info.min <= whole <= info.max:
                raise _misfit_error(where, index, raw[index], dtype)
        return raw.astype(dtype)
    try:
        return raw.astype(np.float64)
    except OverflowError:
        raise ValueError(f"{where} holds a number too large for dtype {dtype} "
                         f"({_range_of(dtype)}).") from None


def _one_sequence_hint(element: Any) -> str:
    if isinstance(element, numbers.Number):
        return " (For a single sequence, pass a list holding it: [sequence].)"
    return ""


def pad_sequences(sequences: Sequence[Sequence[Any]], maxlen: Optional[int] = None,
                  dtype: Any = "int32", padding: str = "pre", truncating: str = "pre",
                  value: Any = 0.0) -> np.ndarray:
    """Pad (and cut) sequences of different lengths into one (N, maxlen) array, as Keras does.

    sequences: a list (or tuple, or array) of N sequences — lists, tuples or 1-D arrays of
        token ids. (Sequences of equal-length vectors give an (N, maxlen, ...) array.)
    maxlen: the output length; None = the longest sequence's length (0 if all are empty).
    dtype: of the output (default 'int32'); numbers are cast to it (1.7 -> 1 for ints).
        String types work as in Keras: dtype=object keeps whole strings, dtype=str is '<U1'
        and keeps the first character only.
    padding: 'pre' puts `value` before each sequence, 'post' after it.
    truncating: for sequences longer than maxlen, 'pre' drops the start (keeps the LAST
        maxlen elements), 'post' drops the end (keeps the first maxlen).
    value: the padding value, cast to dtype (0.7 -> 0 for int32). An empty sequence becomes
        a row of `value`.

    Returns an array of shape (N, maxlen) and dtype `dtype`. Rows, for a sequence s::

        kept = s[-maxlen:] if truncating == 'pre' else s[:maxlen]
        row  = [value] * (maxlen - len(kept)) + kept   if padding == 'pre'
               kept + [value] * (maxlen - len(kept))   if padding == 'post'

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)

    Differences from Keras: ``pad_sequences([])`` gives shape (0, 0) (Keras fails), and bad
    input (maxlen=0, unknown modes, non-numbers, numbers that do not fit dtype, a set or dict
    of sequences) raises a TypeError/ValueError that names the argument or ``sequences[i]``;
    an output too large for the machine's memory (say maxlen=10**12) raises a MemoryError
    naming maxlen and the size, before anything is allocated.
    """
    padding = _check_mode(padding, "padding")
    truncating = _check_mode(truncating, "truncating")
    maxlen = _check_maxlen(maxlen)
    dtype = _check_dtype(dtype)
    _check_fill_value(value, dtype)
    sequences = _check_container(sequences)
    lengths, sample_shape = _lengths_and_sample_shape(sequences)
    cause = f"maxlen={maxlen}"
    if maxlen is None:
        maxlen = max(lengths, default=0)
        cause = f"maxlen=None (the longest sequence, {maxlen})"
    out = _filled((len(lengths), maxlen) + sample_shape, value, dtype, cause, lengths)
    for position, (sequence, length) in enumerate(zip(sequences, lengths)):
        if length == 0:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        row = _as_row(kept, dtype, position)
        if row.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: sequences[{position}] has elements of shape "
                             f"{row.shape[1:]}, but the first non-empty sequence's are "
                             f"{sample_shape}.")
        if padding == "pre":
            out[position, maxlen - len(row):] = row
        else:
            out[position, :len(row)] = row
    return out


def _check_maxlen(maxlen: Any) -> Optional[int]:
    if maxlen is None:
        return None
    return check_integer(maxlen, "maxlen", "pad_sequences", 1, "None (the longest sequence) or ")


def _check_container(sequences: Any) -> List[Any]:
    """`sequences` as a list (read once; the rows of an array stay views), arrays among them
    plain ones (an np.matrix's rows would be 1 × n matrices; masked arrays are refused)."""
    where = "pad_sequences"
    sequences = plain_if_array(sequences, "sequences", where)
    if isinstance(sequences, (str, bytes)):
        raise TypeError(f"{where}: sequences must be a list of sequences of token ids, e.g. "
                        f"[[1, 2], [3]], got the str {short_repr(sequences)}. Turn texts into "
                        f"ids first with Tokenizer.texts_to_sequences.")
    error = unordered_error(sequences, "sequences", where, "sequences of token ids")
    if error is not None:
        raise error
    if not hasattr(sequences, "__len__") or (isinstance(sequences, np.ndarray)
                                             and sequences.ndim == 0):
        hint = " Wrap it in list(...)." if hasattr(sequences, "__iter__") else ""
        raise TypeError(f"{where}: sequences must be a list of sequences of token ids, e.g. "
                        f"[[1, 2], [3]], got {show_value(sequences)}.{hint}")
    return [plain_if_array(sequence, f"sequences[{position}]", where)
            for position, sequence in enumerate(sequences)]


def _length(sequence: Any, position: int) -> int:
    """len(sequences[position]), refusing what is not a sequence of ids."""
    where = f"pad_sequences: sequences[{position}]"
    if isinstance(sequence, (str, bytes)):
        raise TypeError(f"{where} is the str {short_repr(sequence)}, not a sequence of token "
                        f"ids. Turn texts into ids first with Tokenizer.texts_to_sequences.")
    not_a_sequence = TypeError(f"{where} must be a sequence (list, tuple or 1-D array) of "
                               f"token ids, got {show_value(sequence)}."
                               f"{_one_sequence_hint(sequence)}")
    if isinstance(sequence, (set, frozenset, dict)) or not hasattr(sequence, "__getitem__"):
        raise not_a_sequence
    try:
        return len(sequence)
    except TypeError:                                  # e.g. a 0-d array
        raise not_a_sequence from None


def _lengths_and_sample_shape(sequences: List[Any]) -> Tuple[List[int], Tuple[int, ...]]:
    """Each sequence's length, and the shape of one element of the first non-empty one (()
    for ids; (D,) for sequences of vectors)."""
    lengths = [_length(sequence, position) for position, sequence in enumerate(sequences)]
    for position, (sequence, length) in enumerate(zip(sequences, lengths)):
        if length:
            try:
                return lengths, np.asarray(sequence).shape[1:]
            except ValueError:
                raise ValueError(f"pad_sequences: sequences[{position}] is ragged inside (its "
                                 f"elements have different lengths): {show_value(sequence)}."
                                 ) from None
    return lengths, ()


def _filled(shape: Tuple[int, ...], value: Any, dtype: np.dtype, cause: str,
            lengths: List[int]) -> np.ndarray:
    """np.full(shape, value, dtype), refusing (before allocating) or wrapping a MemoryError."""
    hint = (f"The longest of the {len(lengths)} sequences has {max(lengths, default=0)} "
            f"elements; pass a smaller maxlen (or maxlen=None for the longest).")
    with guarded_allocation(shape, dtype, "pad_sequences", cause, hint):
        return np.full(shape, value, dtype=dtype)
