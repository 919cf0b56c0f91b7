"""One text to a list of words, as Keras's ``text_to_word_sequence`` splits it.

The rule (word mode)::

    1. lower-case the text (if ``lower``);
    2. replace every character of ``filters`` by ``split``;
    3. split on ``split``;
    4. drop the empty strings.

Lower-casing comes first, so with ``lower=True`` an upper-case filter or split character never
matches anything. The default filters are the ASCII punctuation except the apostrophe, plus tab
and newline: "don't" stays one word, while full-width ``，。！`` and the ideographic space
``\\u3000`` are ordinary characters (a Chinese sentence without spaces is ONE word).
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Sequence, Tuple, Union

from ..validation import check_bool, show_value

__all__ = ["DEFAULT_FILTERS", "text_to_word_sequence"]

#: Keras's default ``filters``: ASCII punctuation except the apostrophe, plus tab and newline.
DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def check_filters(filters: Any, where: str) -> Union[str, List[str], Tuple[str, ...]]:
    """`filters` is a str of characters (or a list/tuple of single characters)."""
    if isinstance(filters, str):
        return filters
    if isinstance(filters, (list, tuple)):
        for position, char in enumerate(filters):
            if not isinstance(char, str) or len(char) != 1:
                raise TypeError(
                    f"{where}: filters must be a str of characters to remove (or a list of "
                    f"single characters); filters[{position}] is {show_value(char)}.")
        return filters
    raise TypeError(f"{where}: filters must be a str of characters to remove, e.g. "
                    f"'.,!?', got {show_value(filters)}.")


def check_split(split: Any, where: str, char_level: bool = False) -> str:
    """`split` is a non-empty str (it may be empty with ``char_level``, where it is unused)."""
    if not isinstance(split, str):
        raise TypeError(f"{where}: split must be a str (the separator between words, "
                        f"e.g. ' '), got {show_value(split)}.")
    if not split and not char_level:
        raise ValueError(f"{where}: split must not be the empty string '' (it is the "
                         f"separator between words); use ' ', or char_level=True for one "
                         f"token per character.")
    return split


@functools.lru_cache(maxsize=64)
def _translation_table(filters: Union[str, Tuple[str, ...]], split: str) -> Dict[int, str]:
    """str.translate table replacing each filter character by `split`."""
    return str.maketrans({char: split for char in filters})


def split_words(text: str, filters: Union[str, Sequence[str]], lower: bool,
                split: str) -> List[str]:
    """The word-mode rule on checked arguments: lower-case, filters -> split, split, drop ''."""
    if lower:
        text = text.lower()
    table = _translation_table(filters if isinstance(filters, str) else tuple(filters), split)
    return [word for word in text.translate(table).split(split) if word]


def text_to_word_sequence(text: str, filters: Union[str, Sequence[str]] = DEFAULT_FILTERS,
                          lower: bool = True, split: str = " ") -> List[str]:
    """Split one text into words, as Keras's ``text_to_word_sequence``.

    1. lower-case (if `lower`); 2. replace each character of `filters` by `split`;
    3. split on `split`; 4. drop empty strings.

    >>> text_to_word_sequence("Don't stop, believing!")
    ["don't", 'stop', 'believing']
    """
    where = "text_to_word_sequence"
    if not isinstance(text, str):
        raise TypeError(f"{where}: text must be a str, got {show_value(text)}.")
    filters = check_filters(filters, where)
    lower = check_bool(lower, "lower", where)
    split = check_split(split, where)
    return split_words(text, filters, lower, split)
