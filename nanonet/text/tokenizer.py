"""``Tokenizer``: a vocabulary learnt from texts, and texts to ids, ids to texts and texts to
matrices with it — Keras 2.15's rules, spelled out in ``help(nanonet.text)``.

The vocabulary (``fit_on_texts``)::

    word_counts   token -> number of occurrences in every text fitted so far, first-seen order
    word_docs     token -> number of texts it occurs in
    ranking       count descending; ties keep first-seen order
    word_index    oov_token (if set) -> 1, then the ranked tokens -> 1, 2, … (or 2, 3, …)
    index_docs    index -> number of texts (and of sequences given to ``fit_on_sequences``)
                  containing it
"""
from __future__ import annotations

import collections
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..validation import check_bool, show_value
from .inputs import check_id, check_integer, check_sequence, check_sequences, check_texts
from .matrix import check_mode, ids_to_matrix
from .words import DEFAULT_FILTERS, check_filters, check_split, split_words

__all__ = ["Tokenizer"]

#: A text: a str, or a list of str tokens (already split).
Text = Union[str, List[str]]


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
        index_docs: defaultdict(int) id -> number of texts containing that token (plus the
            sequences containing that id, after ``fit_on_sequences``).
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
        self.filters = check_filters(filters, where)
        self.lower = check_bool(lower, "lower", where)
        self.char_level = check_bool(char_level, "char_level", where)
        self.split = check_split(split, where, self.char_level)
        if oov_token is not None and not isinstance(oov_token, str):
            raise TypeError(f"{where}: oov_token must be None or a str, e.g. '<OOV>', "
                            f"got {show_value(oov_token)}.")
        self.oov_token = oov_token
        self.document_count = check_integer(document_count, "document_count", where, 0)
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
        self._num_words = None if value is None else check_integer(
            value, "num_words", "Tokenizer", 0, "None or ", " (None and 0 mean no limit.)")

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
            return split_words(text, self.filters, self.lower, check_split(self.split, where))
        if isinstance(text, list):
            for index, token in enumerate(text):
                if not isinstance(token, str):
                    raise TypeError(
                        f"{where}: texts[{position}] is a list of tokens, so each must be a "
                        f"str, but texts[{position}][{index}] is {show_value(token)}.")
            return [str(token).lower() if self.lower else str(token) for token in text]
        hint = ""
        if isinstance(text, tuple):
            hint = " For a text already split into tokens, pass a list: list(tokens)."
        elif isinstance(text, bytes):
            hint = " Decode bytes first, e.g. text.decode('utf-8')."
        raise TypeError(f"{where}: texts[{position}] must be a str (a text) or a list of str "
                        f"(a text already split into tokens), got {show_value(text)}.{hint}")

    # ------------------------------------------------------------------ fitting
    def fit_on_texts(self, texts: Iterable[Text]) -> None:
        """Count the tokens of `texts`; rebuild ``word_index``/``index_word``; set ``index_docs``
        of every token's index to its ``word_docs``.

        texts: a list (or any iterable, e.g. a generator) of texts; each text a str or a list
        of str tokens. Counts add up over several calls. If any text is invalid, nothing is
        changed. Unlike Keras, a single str raises TypeError: pass ``[text]``.
        """
        where = "Tokenizer.fit_on_texts"
        texts = check_texts(texts, where, "fit_on_texts")
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
        for token, count in self.word_docs.items():     # (ids from fit_on_sequences stay)
            self.index_docs[self.word_index[token]] = count

    def fit_on_sequences(self, sequences: Iterable[Sequence[int]]) -> None:
        """Count, for ``tfidf`` matrices, the sequences of ids each id occurs in.

        sequences: a list (or any iterable) of sequences of ids >= 0 (ints, NumPy ints or whole
        floats). ``document_count`` grows by the number of sequences; ``index_docs[j]`` by one
        for every sequence containing j (once, however often it occurs there). The vocabulary
        (``word_index``) does not change. If any id is invalid, nothing is changed.
        """
        where = "Tokenizer.fit_on_sequences"
        docs: "collections.Counter[int]" = collections.Counter()
        n_sequences = 0
        for position, sequence in enumerate(check_sequences(sequences, where)):
            docs.update(set(self._ids(sequence, where, position)))
            n_sequences += 1
        self.document_count += n_sequences
        for index, count in docs.items():
            self.index_docs[index] += count

    @staticmethod
    def _ids(sequence: Any, where: str, position: int) -> List[int]:
        """``sequences[position]`` as a list of int ids >= 0 (0 is the padding id)."""
        return [check_id(number, where, f"sequences[{position}][{j}]", minimum=0)
                for j, number in enumerate(check_sequence(sequence, where, position))]

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
        texts = check_texts(texts, where, method)     # checked now, not at the first next()
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
        sequences = check_sequences(sequences, where)
        self._check_fitted(where)
        return self._texts_of_ids(sequences, where)

    def _texts_of_ids(self, sequences, where: str) -> Iterator[str]:
        limit, oov_index = self._id_limit()
        oov_word = self.index_word.get(oov_index) if oov_index is not None else None
        for position, sequence in enumerate(sequences):
            sequence = check_sequence(sequence, where, position)
            words = []
            for j, number in enumerate(sequence):
                index = check_id(number, where, f"sequences[{position}][{j}]")
                word = self.index_word.get(index)
                if word is None or (limit is not None and index >= limit):
                    if oov_word is not None:
                        words.append(oov_word)
                else:
                    words.append(word)
            yield " ".join(words)

    # ------------------------------------------------------------------ matrices
    def texts_to_matrix(self, texts: Iterable[Text], mode: str = "binary") -> np.ndarray:
        """``sequences_to_matrix(texts_to_sequences(texts), mode)``: an (N, width) float64
        matrix, one row per text (the equations: ``help(nanonet.text.matrix)``)."""
        where = "Tokenizer.texts_to_matrix"
        mode = check_mode(mode, where)
        sequences = list(self._texts_to_sequences(texts, where, "texts_to_matrix"))
        return self._matrix(sequences, mode, where)

    def sequences_to_matrix(self, sequences: Iterable[Sequence[int]],
                            mode: str = "binary") -> np.ndarray:
        """An (N, width) float64 matrix of word weights, one row per sequence of ids.

        width = ``num_words``, or ``len(word_index) + 1`` without it. For c = the count of
        id j in sequence i (ids >= width skipped, id 0 counted in column 0) and L its length
        (skipped ids included): "binary" 1, "count" c, "freq" c / L, "tfidf"
        (1 + ln c) · ln(1 + document_count / (1 + index_docs.get(j, 0))). Ids must be >= 0.
        """
        where = "Tokenizer.sequences_to_matrix"
        mode = check_mode(mode, where)
        sequences = check_sequences(sequences, where)
        return self._matrix([self._ids(sequence, where, position)
                             for position, sequence in enumerate(sequences)], mode, where)

    def _matrix(self, sequences: List[List[int]], mode: str, where: str) -> np.ndarray:
        if mode == "tfidf" and not self.document_count:
            raise ValueError(f"{where}: mode 'tfidf' weighs ids by the number of fitted texts "
                             f"containing them, and this Tokenizer has fitted none; call "
                             f"fit_on_texts(texts) or fit_on_sequences(sequences) first.")
        return ids_to_matrix(sequences, self._matrix_width(where), mode, self.document_count,
                             self.index_docs, where)

    def _matrix_width(self, where: str) -> int:
        """The number of columns: num_words, or len(word_index) + 1 (ids 0 … len)."""
        if self.num_words:
            return self.num_words
        if not self.word_index:
            raise ValueError(f"{where}: the matrix has num_words columns, or len(word_index) + "
                             f"1 after fit_on_texts; this Tokenizer has neither. Pass "
                             f"Tokenizer(num_words=...) or call fit_on_texts(texts) first.")
        return len(self.word_index) + 1

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
