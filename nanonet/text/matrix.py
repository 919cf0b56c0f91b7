"""Sequences of token ids to one (N, width) matrix of word weights, as Keras's
``Tokenizer.sequences_to_matrix`` computes it (``texts_to_matrix`` is this after
``texts_to_sequences``).

For sequence i (a list of ids, of length L_i — *all* its ids, counted before any is skipped)
and column j, with c = the number of times id j occurs in sequence i::

    ids j >= width are skipped; id 0 (the padding id) is counted, in column 0;
    binary   x[i, j] = 1                                          (c > 0)
    count    x[i, j] = c
    freq     x[i, j] = c / L_i
    tfidf    x[i, j] = (1 + ln c) · ln(1 + D / (1 + d_j))
             D = document_count (texts and sequences fitted), d_j = index_docs.get(j, 0)
             (the number of fitted texts/sequences containing id j)
    every other entry is 0; the matrix is float64.

``width`` is the tokenizer's ``num_words``, or ``len(word_index) + 1`` when it has none
(:meth:`Tokenizer.matrix_width`).
"""
from __future__ import annotations

import collections
from typing import List, Mapping

import numpy as np

from ..validation import check_allocation, unknown_name_error

__all__ = ["MODES", "check_mode", "ids_to_matrix"]

#: the weightings of ``sequences_to_matrix``, Keras's names
MODES = ("binary", "count", "tfidf", "freq")


def check_mode(mode, where: str) -> str:
    """`mode` must be one of MODES (checked before any work, whatever the sequences are)."""
    if isinstance(mode, str) and mode in MODES:
        return mode
    raise ValueError(f"{where}: {unknown_name_error('mode', mode, MODES)}")


def weight(mode: str, count: int, length: int, document_count: int, docs: int) -> float:
    """One entry x[i, j] of the matrix (the equations in this module's docstring)."""
    if mode == "binary":
        return 1.0
    if mode == "count":
        return float(count)
    if mode == "freq":
        return count / length
    tf = 1 + np.log(count)                                  # tfidf, Keras's weighting scheme:
    idf = np.log(1 + document_count / (1 + docs))           # log-scaled tf, smoothed idf
    return tf * idf


def ids_to_matrix(sequences: List[List[int]], width: int, mode: str, document_count: int,
                  index_docs: Mapping[int, int], where: str) -> np.ndarray:
    """The (len(sequences), width) float64 matrix of `sequences` (lists of ids >= 0, checked).

    sequences: N lists of non-negative int ids; width: the number of columns; mode: one of
    MODES; document_count, index_docs: the tokenizer's D and d_j (used by "tfidf" only).
    """
    shape = (len(sequences), width)
    check_allocation(shape, np.float64, where, f"a width of {width} columns (num_words, or "
                     f"len(word_index) + 1)", "Pass a smaller num_words.")
    matrix = np.zeros(shape)
    for i, sequence in enumerate(sequences):
        counts = collections.Counter(j for j in sequence if j < width)
        for j, count in counts.items():
            matrix[i, j] = weight(mode, count, len(sequence), document_count,
                                  index_docs.get(j, 0))
    return matrix
