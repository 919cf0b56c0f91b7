"""``tf.keras.preprocessing.text``'s names, re-exported from :mod:`nanonet.text`."""
from ..text import Tokenizer, hashing_trick, one_hot, text_to_word_sequence, tokenizer_from_json

__all__ = ["Tokenizer", "one_hot", "hashing_trick", "text_to_word_sequence",
           "tokenizer_from_json"]
