"""Keras's import paths, so a Keras script ports by changing its first lines only::

    from nanonet.preprocessing.text import Tokenizer      # tf.keras.preprocessing.text
    from nanonet.preprocessing.sequence import pad_sequences

Re-exports of :mod:`nanonet.text`; nothing is defined here.
"""
from . import sequence, text

__all__ = ["sequence", "text"]
