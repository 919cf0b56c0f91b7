"""``tf.keras.preprocessing.sequence``'s ``pad_sequences``, re-exported from :mod:`nanonet.text`."""
from ..text import pad_sequences

__all__ = ["pad_sequences"]
