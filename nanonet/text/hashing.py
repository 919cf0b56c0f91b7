"""Words to ids without a vocabulary: ``hashing_trick`` and ``one_hot``, as in Keras 2.15.

Each word w of the text (split as ``text_to_word_sequence`` splits it, or by ``analyzer``)::

    id(w) = hash_function(w) % (n − 1) + 1          an id in 1 … n − 1 (0 stays the padding id)

    hash_function None or "hash"-like:  Python's built-in hash(w)
    hash_function "md5":                int(hashlib.md5(w.encode()).hexdigest(), 16)
    hash_function a callable:           its int result

``one_hot(text, n)`` is ``hashing_trick(text, n)`` with Python's ``hash``. Different words may
share an id (a collision). Python salts the hash of a str per process: unless PYTHONHASHSEED is
set, ``one_hot`` gives *different ids in every new Python process* (Keras's behaviour, kept).
For ids that are the same in every run, use ``hashing_trick(text, n, hash_function="md5")``.
"""
from __future__ import annotations

import hashlib
import numbers
from typing import Any, Callable, List, Optional, Sequence, Union

from ..validation import check_bool, show_value, unknown_name_error
from .inputs import check_integer
from .words import DEFAULT_FILTERS, check_filters, check_split, split_words

__all__ = ["hashing_trick", "one_hot"]


def md5_hash(word: str) -> int:
    """The "md5" hash of `word`: its UTF-8 bytes' MD5 digest as one integer (stable)."""
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


def _hash_function(hash_function: Any, where: str) -> Callable[[str], Any]:
    if hash_function is None:
        return hash
    if isinstance(hash_function, str):
        if hash_function == "md5":
            return md5_hash
        raise ValueError(f"{where}: hash_function must be None (Python's hash), 'md5' or a "
                         f"function of a word. {unknown_name_error('hash_function', hash_function, ['md5'])}")
    if not callable(hash_function):
        raise TypeError(f"{where}: hash_function must be None (Python's hash), 'md5' or a "
                        f"function of a word returning an int, got {show_value(hash_function)}.")
    return hash_function


def _words(text: Any, filters, lower, split, analyzer, where: str, text_name: str) -> List[str]:
    """The words of `text`: ``analyzer(text)``, or the ``text_to_word_sequence`` rule."""
    if not isinstance(text, str):
        raise TypeError(f"{where}: {text_name} must be a str (one text), got "
                        f"{show_value(text)}.")
    if analyzer is None:
        filters = check_filters(filters, where)
        lower = check_bool(lower, "lower", where)
        return split_words(text, filters, lower, check_split(split, where))
    if not callable(analyzer):
        raise TypeError(f"{where}: analyzer must be None or a function of a text returning "
                        f"its words, got {show_value(analyzer)}.")
    words = analyzer(text)
    if isinstance(words, str) or not hasattr(words, "__iter__"):
        raise TypeError(f"{where}: analyzer(text) must return a list of words (str), got "
                        f"{show_value(words)}.")
    words = list(words)
    for position, word in enumerate(words):
        if not isinstance(word, str):
            raise TypeError(f"{where}: analyzer(text) must return words (str), but its "
                            f"element {position} is {show_value(word)}.")
    return words


def hashing_trick(text: str, n: int, hash_function: Union[None, str, Callable] = None,
                  filters: Union[str, Sequence[str]] = DEFAULT_FILTERS, lower: bool = True,
                  split: str = " ", analyzer: Optional[Callable] = None) -> List[int]:
    """The words of `text` as ids in 1 … n − 1: ``hash_function(w) % (n − 1) + 1``.

    text: one str. n: the size of the id space (>= 2; 0 is never given). hash_function: None
    (Python's ``hash``: different in every process unless PYTHONHASHSEED is set), "md5"
    (``int(md5(w.encode()).hexdigest(), 16)``: the same everywhere) or a function of a word
    returning an int. filters, lower, split: as ``text_to_word_sequence``; analyzer: a
    function of the text returning its words, used instead of them.

    >>> hashing_trick("The cat sat on the mat.", 5, hash_function="md5")
    [4, 1, 1, 1, 4, 1]
    """
    return _ids(text, n, _hash_function(hash_function, "hashing_trick"), filters, lower, split,
                analyzer, "hashing_trick", "text")


def one_hot(input_text: str, n: int, filters: Union[str, Sequence[str]] = DEFAULT_FILTERS,
            lower: bool = True, split: str = " ", analyzer: Optional[Callable] = None
            ) -> List[int]:
    """``hashing_trick(input_text, n, hash_function=hash, ...)``: ids ``hash(w) % (n − 1) + 1``.

    Keras's name (no one-hot vectors are made: each word gets one integer id in 1 … n − 1).
    Python's ``hash`` of a str changes from process to process unless PYTHONHASHSEED is set;
    use ``hashing_trick(..., hash_function="md5")`` for ids that never change.
    """
    return _ids(input_text, n, hash, filters, lower, split, analyzer, "one_hot", "input_text")


def _ids(text: Any, n: Any, function: Callable[[str], Any], filters, lower, split, analyzer,
         where: str, text_name: str) -> List[int]:
    """``function(w) % (n − 1) + 1`` for each word w of `text` (arguments checked here)."""
    n = check_integer(n, "n (the size of the id space)", where, 2, "",
                      " Ids are hash % (n − 1) + 1, in 1 … n − 1 (0 is the padding id).")
    ids = []
    for word in _words(text, filters, lower, split, analyzer, where, text_name):
        value = function(word)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{where}: hash_function must return an int, but returned "
                            f"{show_value(value)} for the word {word!r}.")
        ids.append(int(value) % (n - 1) + 1)
    return ids
