"""Text to ids, padded id arrays and word-weight matrices, with Keras 2.15's rules:
``Tokenizer``, ``pad_sequences``, ``one_hot``/``hashing_trick``.

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

These are the rules of ``tf.keras.preprocessing.text`` and
``tf.keras.preprocessing.sequence.pad_sequences`` (Keras 2.15; the same names import from
``nanonet.preprocessing.text`` and ``nanonet.preprocessing.sequence``). ``tests/test_text.py``
replays outputs recorded from real Keras (``tests/fixtures/make_keras_text_fixtures.py``).

One file per idea: ``words`` (one text to words), ``tokenizer`` (the vocabulary, texts <-> ids),
``matrix`` (ids to word weights), ``tokenizer_json`` (loading ``to_json`` text), ``padding``
(``pad_sequences``), ``hashing`` (``one_hot``, ``hashing_trick``), ``inputs`` (argument checks).

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
    fit_on_sequences(sequences) adds len(sequences) to document_count and, for each sequence,
    1 to index_docs[j] of each distinct id j in it (the vocabulary does not change).

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

Texts to matrices (``texts_to_matrix``, ``sequences_to_matrix``; ``help(nanonet.text.matrix)``)
    an (N, width) float64 matrix, width = num_words or len(word_index) + 1; for id j occurring
    c times in a sequence of length L (ids >= width skipped but counted in L; id 0 counted, in
    column 0): "binary" 1, "count" c, "freq" c / L,
    "tfidf" (1 + ln c) · ln(1 + document_count / (1 + index_docs.get(j, 0))).

Hashing (``hashing_trick``, ``one_hot``; ``help(nanonet.text.hashing)``)
    each word w -> hash_function(w) % (n − 1) + 1, with Python's ``hash`` (one_hot; changes
    between processes unless PYTHONHASHSEED is set), "md5" or any function of a word.

Where nanonet differs from Keras, on purpose
    * ``fit_on_texts("one string")`` and ``texts_to_sequences("one string")`` raise TypeError
      (pass ``[text]``). Keras iterates the characters of the string, so each character is
      counted as a separate text.
    * A ``set`` or a ``dict`` of texts or sequences is refused (TypeError) by every method:
      a set's order changes with PYTHONHASHSEED, so the ids would change from run to run, and
      a dict would silently give its keys.
    * Inputs Keras would crash on deep inside, or silently turn into garbage, raise a TypeError or
      ValueError that names the argument, the position and the value: a text that is not a str or
      a list of str tokens; ``texts_to_sequences``/``sequences_to_texts``/``texts_to_matrix``
      before any fitting (Keras returns empty sequences, or ``None`` ids when ``oov_token`` is
      set); an id that is not a whole number, or a negative id in ``fit_on_sequences`` and
      ``sequences_to_matrix`` (Keras writes -1 into the last column); an unknown matrix
      ``mode`` even when every sequence is empty; an element that is not a number or does not
      fit ``dtype`` in ``pad_sequences``; ``maxlen=0``; a wrong ``padding`` or ``truncating``
      even when every sequence is empty (Keras only checks them on a non-empty sequence);
      ``lower``/``char_level`` that are not booleans (or 0/1); a non-integer or negative
      ``num_words``; an empty ``split`` in word mode; ``n < 2`` or a hash function that does
      not return an int in ``hashing_trick``/``one_hot``.
    * ``pad_sequences([])`` returns an array of shape (0, 0), or (0, maxlen). (Keras returns
      (0, maxlen) when maxlen is given, but with ``maxlen=None`` it fails with
      "zero-size array to reduction operation maximum which has no identity".) An output larger
      than the machine's memory (``maxlen=10**12``) raises a MemoryError naming maxlen and the
      size, before anything is allocated (the same for a matrix of a huge ``num_words``).
    * ``sequences_to_matrix`` and ``fit_on_sequences`` take the rows of a NumPy array (e.g.
      ``pad_sequences``' output) and generators; Keras's fail on them ("truth value of an array
      is ambiguous", ``len()`` of a generator).
    * A tokenizer loaded with ``tokenizer_from_json`` can be fitted further (Keras's raises
      KeyError, because its loaded ``word_docs`` is a plain dict). ``tokenizer_from_json``
      checks the text first: every setting present, and vocabulary tables of the right types
      that agree with one another (a corrupt table would give wrong ids silently).
    * The Tokenizer has no ``analyzer`` argument (``one_hot`` and ``hashing_trick`` have it).
"""
from .hashing import hashing_trick, one_hot
from .padding import pad_sequences
from .tokenizer import Tokenizer
from .tokenizer_json import tokenizer_from_json
from .words import DEFAULT_FILTERS, text_to_word_sequence

__all__ = ["Tokenizer", "tokenizer_from_json", "text_to_word_sequence", "pad_sequences",
           "one_hot", "hashing_trick", "DEFAULT_FILTERS"]
