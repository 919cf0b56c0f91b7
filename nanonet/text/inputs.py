"""Checks of the collections the text functions take: lists of texts, lists of sequences of
token ids, and single token ids — each refused with a message naming the argument and the
position, instead of an error from deep inside (or, worse, a silent wrong result).

Unordered or keyed collections are refused everywhere: a ``set`` of texts is iterated in an
order that changes from one Python process to the next (string hashes depend on
PYTHONHASHSEED), so the vocabulary's ids would too; a ``dict`` would silently give its keys.
"""
from __future__ import annotations

import collections.abc
import numbers
from typing import Any, Iterable, Optional

import numpy as np

from ..validation import plain_if_array, short_repr, show_value


def unordered_error(values: Any, name: str, where: str, kind: str) -> TypeError:
    """The error for a set or a dict given where a list of `kind` is expected (else None)."""
    if isinstance(values, (set, frozenset)):
        return TypeError(
            f"{where}: {name} must be a list of {kind}, got a {type(values).__name__} of "
            f"{len(values)}. A set's order changes from one Python process to the next (it "
            f"depends on PYTHONHASHSEED), so the ids would too; pass a list, e.g. "
            f"sorted({name}).")
    if isinstance(values, collections.abc.Mapping):
        return TypeError(
            f"{where}: {name} must be a list of {kind}, got a {type(values).__name__}; "
            f"iterating it gives only its keys. Pass list({name}.values()) for its values, or "
            f"list({name}) for its keys.")
    return None


def check_texts(texts: Any, where: str, method: str) -> Iterable:
    """`texts` must be an ordered iterable of texts: not a single str, a set or a dict."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"{where}: texts must be a list of texts, got a single {type(texts).__name__} "
            f"{short_repr(texts)}. Pass a list, e.g. "
            f"{method}([text]). (Keras would treat each character of the string as a "
            f"separate text.)")
    error = unordered_error(texts, "texts", where, "texts")
    if error is not None:
        raise error
    if not hasattr(texts, "__iter__"):
        raise TypeError(f"{where}: texts must be a list of texts (str, or lists of str "
                        f"tokens), got {show_value(texts)}.")
    return texts


def check_sequences(sequences: Any, where: str) -> Iterable:
    """`sequences` must be an ordered iterable of sequences of ids: not a str, set or dict
    (an array comes back as a plain one: plain_if_array)."""
    sequences = plain_if_array(sequences, "sequences", where)
    error = unordered_error(sequences, "sequences", where, "sequences of token ids")
    if error is not None:
        raise error
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__iter__"):
        raise TypeError(f"{where}: sequences must be a list of sequences of token ids, "
                        f"e.g. [[1, 2], [3]], got {show_value(sequences)}.")
    return sequences


def check_sequence(sequence: Any, where: str, position: int) -> Iterable:
    """One sequence of ids, ``sequences[position]``: a list, tuple or 1-D array (an array
    comes back as a plain one: plain_if_array)."""
    sequence = plain_if_array(sequence, f"sequences[{position}]", where)
    error = unordered_error(sequence, f"sequences[{position}]", where, "token ids")
    if error is not None:
        raise error
    if isinstance(sequence, (str, bytes)) or not hasattr(sequence, "__iter__"):
        raise TypeError(f"{where}: sequences[{position}] must be a sequence of token "
                        f"ids, e.g. [1, 2], got {show_value(sequence)}.")
    return sequence


def check_integer(value: Any, name: str, where: str, minimum: int, allowed: str = "",
                  why: str = "") -> int:
    """`value` as an int >= `minimum` (bools refused), else a TypeError/ValueError saying
    "{where}: {name} must be {allowed}an integer >= {minimum}, got …{why}"."""
    wanted = f"{where}: {name} must be {allowed}an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{wanted}, got {show_value(value)}.{why}")
    if value < minimum:
        raise ValueError(f"{wanted}, got {value}.{why}")
    return int(value)


def check_id(number: Any, where: str, position: str, minimum: Optional[int] = None) -> int:
    """A token id: a whole number (an int, or a float like 2.0), >= `minimum` if given."""
    if isinstance(number, (bool, np.bool_)) or not isinstance(number, numbers.Real):
        raise TypeError(f"{where}: {position} must be a token id (an int), got "
                        f"{show_value(number)}.")
    if not isinstance(number, numbers.Integral) and not float(number).is_integer():
        raise ValueError(f"{where}: {position} must be a whole number (a token id), got "
                         f"{number!r}.")
    number = int(number)
    if minimum is not None and number < minimum:
        raise ValueError(f"{where}: {position} is {number}; token ids are >= {minimum}.")
    return number
