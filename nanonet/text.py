"""Text to padded id matrices, with Keras 2.15's rules: ``Tokenizer`` and ``pad_sequences``.

The article's section 5 turns sentences into an (N, T) matrix of token ids for an Embedding
layer::

    from nanonet import text

    tokenizer = text.Tokenizer()
    tokenizer.fit_on_texts(["这是一只股票会上涨", "这是一只股票会下跌", "这是一只股票会保持平稳"])
    tokenizer.word_index
    # {'这是一只股票会上涨': 1, '这是一只股票会下跌': 2, '这是一只股票会保持平稳': 3}
    text.pad_sequences(tokenizer.texts_to_sequences(["这是一只股票会下跌"]), maxlen=10)
    # array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 2]], dtype=int32)

Each Chinese sentence is ONE token: words are separated by ``split`` (a space) and nothing
else, and Chinese has no spaces. For one token per character pass ``char_level=True``; for
words, segment the text first (e.g. with jieba) and pass each text as a list of tokens.

These are the rules of ``tf.keras.preprocessing.text.Tokenizer`` and
``tf.keras.preprocessing.sequence.pad_sequences`` (Keras 2.15). ``tests/test_text.py`` replays
outputs recorded from real Keras (``tests/fixtures/make_keras_text_fixtures.py``).

Turning one text into tokens
    word mode (the default), for a str:
        1. lower-case it (if ``lower``);
        2. replace every character of ``filters`` by ``split``;
        3. split on ``split``;
        4. drop the empty strings.
        Lower-casing comes first, so with ``lower=True`` an upper-case filter or split character
        never matches anything. The default filters are the ASCII punctuation except the
        apostrophe, plus tab and newline: "don't" stays one word, while full-width ``，。！`` and
        the ideographic space ``\\u3000`` are ordinary characters.
    ``char_level=True``, for a str: lower-case it; every character is a token (spaces and
        punctuation too: ``filters`` and ``split`` are not used).
    a list of str tokens (either mode): lower-case each token; nothing else.

The vocabulary (``fit_on_texts``)
    word_counts   token -> number of occurrences in every text fitted so far, first-seen order
    word_docs     token -> number of texts it occurs in
    ranking       count descending; ties keep first-seen order
    word_index    ``oov_token`` (if set) -> 1, then the ranked tokens -> 1, 2, … (or 2, 3, …).
                  0 is never assigned (it is the padding id). Every token seen is in it,
                  whatever ``num_words`` is.
    index_word    the inverse of word_index;  index_docs: index -> word_docs of its token.

Texts to ids (``texts_to_sequences``)
    token with index i, where ``num_words`` is 0/None or i < num_words  ->  i
    token with i >= num_words, or a token never seen                    ->  the oov index if
                                                                            ``oov_token`` is set,
                                                                            else dropped
    So ``num_words=n`` keeps the n-1 most frequent tokens (n-2 real words with an oov_token,
    which holds index 1). ``num_words`` may be changed after fitting.

Ids to texts (``sequences_to_texts``) applies the same rule backwards: an id that is unknown
(0, the padding id, included!) or >= num_words becomes the oov token, or is dropped. The tokens
are joined with a single space, whatever ``split`` or ``char_level`` is.

Where nanonet differs from Keras, on purpose
    * ``fit_on_texts("one string")`` and ``texts_to_sequences("one string")`` raise TypeError
      (pass ``[text]``). Keras iterates the characters of the string, so each character is
      counted as a separate text.
    * Inputs Keras would crash on deep inside, or silently turn into garbage, raise a TypeError or
      ValueError that names the argument, the position and the value: a text that is not a str or
      a list of str tokens; ``texts_to_sequences``/``sequences_to_texts`` before any
      ``fit_on_texts`` (Keras returns empty sequences, or ``None`` ids when ``oov_token`` is set);
      an id that is not a whole number in ``sequences_to_texts``; an element that is not a number
      or does not fit ``dtype`` in ``pad_sequences``; ``maxlen=0``; a wrong ``padding`` or
      ``truncating`` even when every sequence is empty (Keras only checks them on a non-empty
      sequence); ``lower``/``char_level`` that are not booleans; a non-integer or negative
      ``num_words``; an empty ``split`` in word mode.
    * ``pad_sequences([])`` returns an array of shape (0, 0), or (0, maxlen). (Keras returns
      (0, maxlen) when maxlen is given, but with ``maxlen=None`` it fails with
      "zero-size array to reduction operation maximum which has no identity".)
    * A tokenizer loaded with ``tokenizer_from_json`` can be fitted further (Keras's raises
      KeyError, because its loaded ``word_docs`` is a plain dict). ``tokenizer_from_json``
      checks the text first: every setting present, and vocabulary tables of the right types
      that agree with one another (a corrupt table would give wrong ids silently).
    * Keras's ``analyzer`` argument, ``fit_on_sequences``, ``texts_to_matrix`` and
      ``sequences_to_matrix`` are not provided.
"""
from __future__ import annotations

import collections
import functools
import json
import numbers
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from .validation import unknown_name_error

__all__ = ["Tokenizer", "tokenizer_from_json", "text_to_word_sequence", "pad_sequences",
           "DEFAULT_FILTERS"]

#: Keras's default ``filters``: ASCII punctuation except the apostrophe, plus tab and newline.
DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

#: A text: a str, or a list of str tokens (already split).
Text = Union[str, List[str]]


# ---------------------------------------------------------------------------- helpers
def _short(value: Any, limit: int = 60) -> str:
    """repr(value), shortened to about `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + " …" + text[-3:]


def _show(value: Any) -> str:
    """`value`'s (shortened) repr and its type, for error messages: "3 (int)"."""
    return f"{_short(value)} ({type(value).__name__})"


def _check_bool(value: Any, name: str, where: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {_show(value)}.")
    return bool(value)


def _check_filters(filters: Any, where: str) -> Union[str, List[str], Tuple[str, ...]]:
    """`filters` is a str of characters (or a list/tuple of single characters)."""
    if isinstance(filters, str):
        return filters
    if isinstance(filters, (list, tuple)):
        for position, char in enumerate(filters):
            if not isinstance(char, str) or len(char) != 1:
                raise TypeError(
                    f"{where}: filters must be a str of characters to remove (or a list of "
                    f"single characters); filters[{position}] is {_show(char)}.")
        return filters
    raise TypeError(f"{where}: filters must be a str of characters to remove, e.g. "
                    f"'.,!?', got {_show(filters)}.")


def _check_split(split: Any, where: str, char_level: bool = False) -> str:
    if not isinstance(split, str):
        raise TypeError(f"{where}: split must be a str (the separator between words, "
                        f"e.g. ' '), got {_show(split)}.")
    if not split and not char_level:
        raise ValueError(f"{where}: split must not be the empty string '' (it is the "
                         f"separator between words); use ' ', or char_level=True for one "
                         f"token per character.")
    return split


@functools.lru_cache(maxsize=64)
def _translation_table(filters: Union[str, Tuple[str, ...]], split: str) -> Dict[int, str]:
    """str.translate table replacing each filter character by `split`."""
    return str.maketrans({char: split for char in filters})


def _table_for(filters, split: str) -> Dict[int, str]:
    return _translation_table(filters if isinstance(filters, str) else tuple(filters), split)


def _split_words(text: str, table: Dict[int, str], lower: bool, split: str) -> List[str]:
    """The word-mode rule: lower-case, filters -> split, split, drop empty strings."""
    if lower:
        text = text.lower()
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
        raise TypeError(f"{where}: text must be a str, got {_show(text)}.")
    filters = _check_filters(filters, where)
    lower = _check_bool(lower, "lower", where)
    split = _check_split(split, where)
    return _split_words(text, _table_for(filters, split), lower, split)


def _check_texts(texts: Any, where: str, method: str) -> Iterable:
    """`texts` must be an iterable of texts, and not a single str."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"{where}: texts must be a list of texts, got a single {type(texts).__name__} "
            f"{_short(texts)}. Pass a list, e.g. "
            f"{method}([text]). (Keras would treat each character of the string as a "
            f"separate text.)")
    if not hasattr(texts, "__iter__"):
        raise TypeError(f"{where}: texts must be a list of texts (str, or lists of str "
                        f"tokens), got {_show(texts)}.")
    return texts


def _check_id(number: Any, where: str, position: str) -> int:
    """A token id given to sequences_to_texts: a whole number (int, or a float like 2.0)."""
    if isinstance(number, (bool, np.bool_)) or not isinstance(number, numbers.Real):
        raise TypeError(f"{where}: {position} must be a token id (an int), got "
                        f"{_show(number)}.")
    if isinstance(number, numbers.Integral):
        return int(number)
    if not float(number).is_integer():
        raise ValueError(f"{where}: {position} must be a whole number (a token id), got "
                         f"{number!r}.")
    return int(number)


# ---------------------------------------------------------------------------- Tokenizer
class Tokenizer:
    """``Tokenizer(num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
    char_level=False, oov_token=None)``.

    Learns a vocabulary from texts (``fit_on_texts``) and maps texts to lists of token ids
    (``texts_to_sequences``) and back (``sequences_to_texts``). The rules are Keras 2.15's,
    spelled out in this module's docstring (``help(nanonet.text)``).

    Arguments:
        num_words: None, 0 (no limit) or n >= 1: ``texts_to_sequences`` keeps only ids < n,
            i.e. the n-1 most frequent tokens. Does not change ``word_index``.
        filters: characters replaced by `split` before splitting (word mode only).
        lower: lower-case texts and tokens first.
        split: the separator between words (word mode only).
        char_level: every character is a token; `filters` and `split` are not used.
        oov_token: a token (str) for every unknown or cut-off word; it takes index 1.
            It is kept as given (not lower-cased or filtered). If a text also contains it
            (after lower-casing and filtering), the word's index replaces index 1, as in Keras.
        document_count: the count to start from (used by ``tokenizer_from_json``).

    Attributes (after ``fit_on_texts``):
        word_index: dict token -> id (1, 2, …), ranked by count, ties in first-seen order.
        index_word: dict id -> token.
        word_counts: OrderedDict token -> count, in first-seen order.
        word_docs: defaultdict(int) token -> number of texts containing it.
        index_docs: defaultdict(int) id -> number of texts containing that token.
        document_count: number of texts fitted.

    Differences from Keras: a single str passed instead of a list of texts raises TypeError
    (Keras iterates its characters); bad inputs raise clear errors (see the module docstring).
    """

    def __init__(self, num_words: Optional[int] = None,
                 filters: Union[str, Sequence[str]] = DEFAULT_FILTERS, lower: bool = True,
                 split: str = " ", char_level: bool = False, oov_token: Optional[str] = None,
                 document_count: int = 0):
        where = "Tokenizer"
        self.num_words = num_words                      # checked by the property below
        self.filters = _check_filters(filters, where)
        self.lower = _check_bool(lower, "lower", where)
        self.char_level = _check_bool(char_level, "char_level", where)
        self.split = _check_split(split, where, self.char_level)
        if oov_token is not None and not isinstance(oov_token, str):
            raise TypeError(f"{where}: oov_token must be None or a str, e.g. '<OOV>', "
                            f"got {_show(oov_token)}.")
        self.oov_token = oov_token
        if isinstance(document_count, bool) or not isinstance(document_count, numbers.Integral):
            raise TypeError(f"{where}: document_count must be an integer >= 0, got "
                            f"{_show(document_count)}.")
        if document_count < 0:
            raise ValueError(f"{where}: document_count must be >= 0, got {document_count}.")
        self.document_count = int(document_count)
        self.word_counts: "collections.OrderedDict[str, int]" = collections.OrderedDict()
        self.word_docs: Dict[str, int] = collections.defaultdict(int)
        self.index_docs: Dict[int, int] = collections.defaultdict(int)
        self.word_index: Dict[str, int] = {}
        self.index_word: Dict[int, str] = {}

    @property
    def num_words(self) -> Optional[int]:
        """None or 0 = no limit; n >= 1: ``texts_to_sequences`` keeps ids < n only."""
        return self._num_words

    @num_words.setter
    def num_words(self, value: Optional[int]) -> None:
        if value is not None and (isinstance(value, (bool, np.bool_))
                                  or not isinstance(value, numbers.Integral)):
            raise TypeError(f"Tokenizer: num_words must be None or an integer >= 0 "
                            f"(None and 0 mean no limit), got {_show(value)}.")
        if value is not None and value < 0:
            raise ValueError(f"Tokenizer: num_words must be None or an integer >= 0 "
                             f"(None and 0 mean no limit), got {value}.")
        self._num_words = None if value is None else int(value)

    def __repr__(self) -> str:
        return (f"Tokenizer(num_words={self.num_words!r}, lower={self.lower!r}, "
                f"split={self.split!r}, char_level={self.char_level!r}, "
                f"oov_token={self.oov_token!r}) with {len(self.word_index)} indexed tokens "
                f"from {self.document_count} texts")

    # ------------------------------------------------------------------ tokens
    def _tokens(self, text: Any, where: str, position: int) -> List[str]:
        """The tokens of one text, by the rules in the module docstring."""
        if isinstance(text, str):
            if self.char_level:
                return list(text.lower() if self.lower else text)
            split = _check_split(self.split, where)
            return _split_words(text, _table_for(self.filters, split), self.lower, split)
        if isinstance(text, list):
            for index, token in enumerate(text):
                if not isinstance(token, str):
                    raise TypeError(
                        f"{where}: texts[{position}] is a list of tokens, so each must be a "
                        f"str, but texts[{position}][{index}] is {_show(token)}.")
            return [str(token).lower() if self.lower else str(token) for token in text]
        hint = ""
        if isinstance(text, tuple):
            hint = " For a text already split into tokens, pass a list: list(tokens)."
        elif isinstance(text, bytes):
            hint = " Decode bytes first, e.g. text.decode('utf-8')."
        raise TypeError(f"{where}: texts[{position}] must be a str (a text) or a list of str "
                        f"(a text already split into tokens), got {_show(text)}.{hint}")

    # ------------------------------------------------------------------ fitting
    def fit_on_texts(self, texts: Iterable[Text]) -> None:
        """Count the tokens of `texts` and rebuild ``word_index``/``index_word``/``index_docs``.

        texts: a list (or any iterable, e.g. a generator) of texts; each text a str or a list
        of str tokens. Counts add up over several calls. If any text is invalid, nothing is
        changed. Unlike Keras, a single str raises TypeError: pass ``[text]``.
        """
        where = "Tokenizer.fit_on_texts"
        texts = _check_texts(texts, where, "fit_on_texts")
        counts: "collections.OrderedDict[str, int]" = collections.OrderedDict()
        docs: Dict[str, int] = {}
        n_texts = 0
        for position, text in enumerate(texts):
            tokens = self._tokens(text, where, position)
            n_texts += 1
            # --- exercise E10 begin ---
            for token in tokens:
                counts[token] = counts.get(token, 0) + 1
            for token in dict.fromkeys(tokens):        # each distinct token once, in order
                docs[token] = docs.get(token, 0) + 1
            # --- exercise E10 end ---
        self.document_count += n_texts
        for token, count in counts.items():           # new tokens go last: first-seen order
            self.word_counts[token] = self.word_counts.get(token, 0) + count
        for token, count in docs.items():
            self.word_docs[token] += count
        self._build_index()

    def _build_index(self) -> None:
        """word_index: oov_token -> 1, then tokens by count descending, ties first-seen."""
        # --- exercise E10 begin ---
        ranked = sorted(self.word_counts, key=lambda token: -self.word_counts[token])  # stable
        vocabulary = ([self.oov_token] if self.oov_token is not None else []) + ranked
        self.word_index = {}
        for index, token in enumerate(vocabulary, start=1):
            self.word_index[token] = index    # a word equal to oov_token takes over its entry
        # --- exercise E10 end ---
        self.index_word = {index: token for token, index in self.word_index.items()}
        self.index_docs = collections.defaultdict(int)
        for token, count in self.word_docs.items():
            self.index_docs[self.word_index[token]] = count

    def _check_fitted(self, where: str) -> None:
        if not self.word_index and self.document_count == 0:
            raise ValueError(f"{where}: this Tokenizer has no vocabulary yet; call "
                             f"fit_on_texts(texts) first.")

    def _id_limit(self) -> Tuple[Optional[int], Optional[int]]:
        """(num_words or None, the oov index or None)."""
        oov_index = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        return (self.num_words or None), oov_index

    # ------------------------------------------------------------------ texts -> ids
    def texts_to_sequences(self, texts: Iterable[Text]) -> List[List[int]]:
        """Each text as a list of token ids (see the rules in the module docstring).

        A token with id < num_words (or any id when num_words is 0/None) gives its id; a
        token never seen, or with id >= num_words, gives the oov index if ``oov_token`` is set
        and is dropped otherwise. texts: a list of str or of lists of str tokens (not a str).
        """
        return list(self._texts_to_sequences(texts, "Tokenizer.texts_to_sequences",
                                             "texts_to_sequences"))

    def texts_to_sequences_generator(self, texts: Iterable[Text]) -> Iterator[List[int]]:
        """Like ``texts_to_sequences``, one list of ids at a time."""
        return self._texts_to_sequences(texts, "Tokenizer.texts_to_sequences_generator",
                                        "texts_to_sequences_generator")

    def _texts_to_sequences(self, texts, where: str, method: str) -> Iterator[List[int]]:
        texts = _check_texts(texts, where, method)     # checked now, not at the first next()
        self._check_fitted(where)
        return self._ids_of_texts(texts, where)

    def _ids_of_texts(self, texts: Iterable[Text], where: str) -> Iterator[List[int]]:
        limit, oov_index = self._id_limit()
        for position, text in enumerate(texts):
            ids = []
            for token in self._tokens(text, where, position):
                index = self.word_index.get(token)
                if index is None or (limit is not None and index >= limit):
                    if oov_index is not None:
                        ids.append(oov_index)
                else:
                    ids.append(index)
            yield ids

    # ------------------------------------------------------------------ ids -> texts
    def sequences_to_texts(self, sequences: Iterable[Sequence[int]]) -> List[str]:
        """Each list of ids as a text: its tokens joined by one space.

        An id that is unknown (0 included) or >= num_words becomes the oov token if
        ``oov_token`` is set, and is dropped otherwise — so padding 0s turn into oov tokens.
        Ids may be ints, NumPy ints or whole floats (2.0), e.g. the rows of pad_sequences.
        """
        return list(self._sequences_to_texts(sequences, "Tokenizer.sequences_to_texts"))

    def sequences_to_texts_generator(self, sequences: Iterable[Sequence[int]]) -> Iterator[str]:
        """Like ``sequences_to_texts``, one text at a time."""
        return self._sequences_to_texts(sequences, "Tokenizer.sequences_to_texts_generator")

    def _sequences_to_texts(self, sequences, where: str) -> Iterator[str]:
        if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__iter__"):
            raise TypeError(f"{where}: sequences must be a list of sequences of token ids, "
                            f"e.g. [[1, 2], [3]], got {_show(sequences)}.")
        self._check_fitted(where)
        return self._texts_of_ids(sequences, where)

    def _texts_of_ids(self, sequences, where: str) -> Iterator[str]:
        limit, oov_index = self._id_limit()
        oov_word = self.index_word.get(oov_index) if oov_index is not None else None
        for position, sequence in enumerate(sequences):
            if isinstance(sequence, (str, bytes)) or not hasattr(sequence, "__iter__"):
                raise TypeError(f"{where}: sequences[{position}] must be a sequence of token "
                                f"ids, e.g. [1, 2], got {_show(sequence)}.")
            words = []
            for j, number in enumerate(sequence):
                index = _check_id(number, where, f"sequences[{position}][{j}]")
                word = self.index_word.get(index)
                if word is None or (limit is not None and index >= limit):
                    if oov_word is not None:
                        words.append(oov_word)
                else:
                    words.append(word)
            yield " ".join(words)

    # ------------------------------------------------------------------ saving
    def get_config(self) -> Dict[str, Any]:
        """The settings and the vocabulary, in Keras's format (dicts as JSON strings)."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text ``{"class_name": "Tokenizer", "config": get_config()}``.

        The same format as Keras's ``Tokenizer.to_json``, so either library can load the
        other's file. kwargs go to ``json.dumps`` (e.g. ``ensure_ascii=False``, ``indent=2``).
        Load it back with ``tokenizer_from_json``. Plain JSON: no pickle.
        """
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)


_CONFIG_SETTINGS = ("num_words", "filters", "lower", "split", "char_level", "oov_token",
                    "document_count")
_CONFIG_TABLES = ("word_counts", "word_docs", "index_docs", "index_word", "word_index")


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """A Tokenizer from ``Tokenizer.to_json()`` text (nanonet's or Keras's)."""
    where = "tokenizer_from_json"
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"{where}: json_string must be the str returned by "
                        f"Tokenizer.to_json(), got {_show(json_string)}.")
    try:
        data = json.loads(json_string)
        config = dict(data["config"])
        tables = {name: json.loads(config.pop(name)) for name in _CONFIG_TABLES}
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{where}: not a Tokenizer JSON text (expected "
                         f"{{'class_name': 'Tokenizer', 'config': {{…}}}} with the JSON "
                         f"tables {', '.join(_CONFIG_TABLES)}): {error!r}") from None
    if data.get("class_name", "Tokenizer") != "Tokenizer":
        raise ValueError(f"{where}: expected class_name 'Tokenizer', got "
                         f"{data.get('class_name')!r}.")
    unknown = sorted(set(config) - set(_CONFIG_SETTINGS))
    if unknown:
        raise ValueError(f"{where}: unknown config keys {unknown}; expected "
                         f"{', '.join(_CONFIG_SETTINGS)}.")
    missing = [name for name in _CONFIG_SETTINGS if name not in config]
    if missing:              # a default would silently change how texts are split and counted
        raise ValueError(f"{where}: the config lacks {', '.join(missing)}; Tokenizer.to_json() "
                         f"writes all of {', '.join(_CONFIG_SETTINGS)}.")
    try:
        tokenizer = Tokenizer(**config)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{where}: a stored setting is invalid — {error}") from None
    counts, docs, index_docs, index_word, word_index = _checked_tables(tables, config, where)
    tokenizer.word_counts = collections.OrderedDict(counts)
    tokenizer.word_docs = collections.defaultdict(int, docs)
    tokenizer.index_docs = collections.defaultdict(int, index_docs)
    tokenizer.index_word = index_word
    tokenizer.word_index = word_index
    return tokenizer


def _checked_tables(tables: Dict[str, Any], config: Dict[str, Any], where: str):
    """The five vocabulary tables, checked for types and for agreeing with one another (a
    corrupt table would otherwise give wrong ids silently, or fail later, deep inside)."""
    def table(name: str, key_kind: str, value_kind: str) -> Dict[Any, Any]:
        raw = tables[name]
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: the table {name} must be a JSON object, got "
                             f"{_show(raw)}.")
        result = {}
        for key, value in raw.items():
            if key_kind == "index":
                try:
                    key = int(key)
                except ValueError:
                    raise ValueError(f"{where}: {name} has the key {key!r}, which is not a token "
                                     f"index (a whole number).") from None
            if value_kind == "word":
                good = isinstance(value, str)
            else:
                good = isinstance(value, int) and not isinstance(value, bool) and (
                    value >= (1 if value_kind == "index" else 0))
            if not good:
                expected = {"word": "a token (str)", "index": "an index >= 1",
                            "count": "a count >= 0"}[value_kind]
                raise ValueError(f"{where}: {name}[{key!r}] must be {expected}, got "
                                 f"{_show(value)}.")
            result[key] = value
        return result

    counts = table("word_counts", "word", "count")
    docs = table("word_docs", "word", "count")
    index_docs = table("index_docs", "index", "count")
    index_word = table("index_word", "index", "word")
    word_index = table("word_index", "word", "index")
    problem = ""
    if {index: word for word, index in word_index.items()} != index_word:
        problem = "index_word is not the inverse of word_index"
    elif not set(counts) <= set(word_index):
        problem = (f"the counted token {sorted(set(counts) - set(word_index))[0]!r} has no "
                   f"index in word_index")
    elif not set(docs) <= set(counts):
        problem = f"word_docs counts the token {sorted(set(docs) - set(counts))[0]!r}, never seen"
    elif not set(index_docs) <= set(index_word):
        problem = f"index_docs has the index {sorted(set(index_docs) - set(index_word))[0]}, " \
                  f"which no token has"
    elif config.get("oov_token") is not None and word_index \
            and config["oov_token"] not in word_index:
        problem = f"the oov_token {config['oov_token']!r} has no index in word_index"
    if problem:
        raise ValueError(f"{where}: the vocabulary tables disagree ({problem}); the JSON text "
                         f"is corrupt.")
    return counts, docs, index_docs, index_word, word_index


# ---------------------------------------------------------------------------- pad_sequences
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
        raise TypeError(f"pad_sequences: value must be a number for dtype {dtype}, got "
                        f"{_show(value)}. (To pad strings use dtype=object.)")
    if isinstance(value, numbers.Integral) and not _int_fits(int(value), dtype):
        raise ValueError(f"pad_sequences: value {_short(value)} does not fit in dtype {dtype} "
                         f"({_range_of(dtype)}); pick another value or dtype.")
    if isinstance(value, numbers.Integral):
        return
    if _first_misfit(np.asarray(value), dtype) is not None:
        raise ValueError(f"pad_sequences: value {_short(value)} does not fit in dtype {dtype} "
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
                         f"{_show(kept)}. Each element must be a number (a token id), or "
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
                        f"{_at(index)} is {_show(element)}.{hint}")
    misfit = _first_misfit(raw, dtype)
    if misfit is not None:
        raise _misfit_error(where, *misfit, dtype)
    return raw.astype(dtype)


def _misfit_error(where: str, index: Tuple[int, ...], number: Any, dtype: np.dtype) -> ValueError:
    wider = "'float64'" if dtype.itemsize >= 8 else "'int64' or 'float64'"
    return ValueError(f"{where} holds {_short(number)} (element {_at(index)}), which does not "
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
    input (maxlen=0, unknown modes, non-numbers, numbers that do not fit dtype) raises a
    TypeError/ValueError that names the argument or ``sequences[i]``.
    """
    where = "pad_sequences"
    padding = _check_mode(padding, "padding")
    truncating = _check_mode(truncating, "truncating")
    if maxlen is not None:
        if isinstance(maxlen, (bool, np.bool_)) or not isinstance(maxlen, numbers.Integral):
            raise TypeError(f"{where}: maxlen must be None or an integer >= 1, got "
                            f"{_show(maxlen)}.")
        if maxlen < 1:
            raise ValueError(f"{where}: maxlen must be None (the longest sequence) or an "
                             f"integer >= 1, got {maxlen}.")
        maxlen = int(maxlen)
    dtype = _check_dtype(dtype)
    _check_fill_value(value, dtype)

    if isinstance(sequences, (str, bytes)):
        raise TypeError(f"{where}: sequences must be a list of sequences of token ids, e.g. "
                        f"[[1, 2], [3]], got the str {_short(sequences)}. Turn texts into ids "
                        f"first with Tokenizer.texts_to_sequences.")
    if not hasattr(sequences, "__len__") or (isinstance(sequences, np.ndarray)
                                             and sequences.ndim == 0):
        hint = " Wrap it in list(...)." if hasattr(sequences, "__iter__") else ""
        raise TypeError(f"{where}: sequences must be a list of sequences of token ids, e.g. "
                        f"[[1, 2], [3]], got {_show(sequences)}.{hint}")

    sequences = list(sequences)                        # read once (rows of an array: views)
    lengths = []
    sample_shape: Tuple[int, ...] = ()
    found_sample = False
    for position, sequence in enumerate(sequences):
        if isinstance(sequence, (str, bytes)):
            raise TypeError(f"{where}: sequences[{position}] is the str {_short(sequence)}, not a "
                            f"sequence of token ids. Turn texts into ids first with "
                            f"Tokenizer.texts_to_sequences.")
        if isinstance(sequence, (set, frozenset, dict)) or not hasattr(sequence, "__getitem__"):
            raise TypeError(f"{where}: sequences[{position}] must be a sequence (list, tuple or "
                            f"1-D array) of token ids, got {_show(sequence)}."
                            f"{_one_sequence_hint(sequence)}")
        try:
            length = len(sequence)
        except TypeError:                              # e.g. a 0-d array
            raise TypeError(f"{where}: sequences[{position}] must be a sequence (list, tuple "
                            f"or 1-D array) of token ids, got {_show(sequence)}."
                            f"{_one_sequence_hint(sequence)}") from None
        lengths.append(length)
        if length and not found_sample:                # later rows must have this shape too
            try:
                sample_shape = np.asarray(sequence).shape[1:]
            except ValueError:
                raise ValueError(f"{where}: sequences[{position}] is ragged inside (its "
                                 f"elements have different lengths): {_show(sequence)}."
                                 ) from None
            found_sample = True
    if maxlen is None:
        maxlen = max(lengths, default=0)

    out = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    for position, (sequence, length) in enumerate(zip(sequences, lengths)):
        if length == 0:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        row = _as_row(kept, dtype, position)
        if row.shape[1:] != sample_shape:
            raise ValueError(f"{where}: sequences[{position}] has elements of shape "
                             f"{row.shape[1:]}, but the first non-empty sequence's are "
                             f"{sample_shape}.")
        if padding == "pre":
            out[position, maxlen - len(row):] = row
        else:
            out[position, :len(row)] = row
    return out
