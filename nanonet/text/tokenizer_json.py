"""``tokenizer_from_json``: a Tokenizer from the JSON text of ``Tokenizer.to_json()`` —
nanonet's or Keras's own (the same format: the settings, and the five vocabulary tables as
JSON strings). Plain JSON, no pickle; the text is checked before anything is built: every
setting present, tables of the right types that agree with one another (a corrupt table would
give wrong ids silently).
"""
from __future__ import annotations

import collections
import json
from typing import Any, Dict

from ..validation import short_repr, show_value
from .tokenizer import Tokenizer

__all__ = ["tokenizer_from_json"]


_CONFIG_SETTINGS = ("num_words", "filters", "lower", "split", "char_level", "oov_token",
                    "document_count")
_CONFIG_TABLES = ("word_counts", "word_docs", "index_docs", "index_word", "word_index")


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """A Tokenizer from ``Tokenizer.to_json()`` text (nanonet's or Keras's)."""
    where = "tokenizer_from_json"
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"{where}: json_string must be the str returned by "
                        f"Tokenizer.to_json(), got {show_value(json_string)}.")
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
                             f"{show_value(raw)}.")
        result = {}
        for raw_key, value in raw.items():
            key = raw_key
            if key_kind == "index":
                try:
                    key = int(key)
                except ValueError:
                    key = None
                if key is None or key < 0:
                    raise ValueError(f"{where}: {name} has the key {short_repr(raw_key)}, which "
                                     f"is not a token index (a whole number >= 0).")
            if value_kind == "word":
                good = isinstance(value, str)
            else:
                good = isinstance(value, int) and not isinstance(value, bool) and (
                    value >= (1 if value_kind == "index" else 0))
            if not good:
                expected = {"word": "a token (str)", "index": "an index >= 1",
                            "count": "a count >= 0"}[value_kind]
                raise ValueError(f"{where}: {name}[{key!r}] must be {expected}, got "
                                 f"{show_value(value)}.")
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
    elif any(index_docs.get(word_index[token], 0) < count for token, count in docs.items()):
        token = next(t for t, c in docs.items() if index_docs.get(word_index[t], 0) < c)
        problem = (f"index_docs[{word_index[token]}] counts fewer texts than word_docs of its "
                   f"token {token!r}")
    elif config.get("oov_token") is not None and word_index \
            and config["oov_token"] not in word_index:
        problem = f"the oov_token {config['oov_token']!r} has no index in word_index"
    if problem:
        raise ValueError(f"{where}: the vocabulary tables disagree ({problem}); the JSON text "
                         f"is corrupt.")
    return counts, docs, index_docs, index_word, word_index
