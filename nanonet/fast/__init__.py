"""The FAST engine: the same functions as the reference path, written for speed.

Each module here names, in its first lines, what it speeds up and which reference function it
equals; tests/test_engines.py proves every pair equal on hypothesis-drawn inputs. A layer runs
these when its ``engine`` is ``"fast"`` (the default; ``Sequential(..., engine=...)`` sets it):

    fast.dense.dense_forward / dense_backward         = layers.dense.dense_forward / dense_backward
    fast.activations.activation_forward / _backward   = layers.activations.activation_forward / _backward
    fast.embedding.embedding_backward                 = layers.embedding.embedding_backward
    fast.lstm.lstm_forward / lstm_backward            = layers.lstm.lstm_forward / lstm_backward
    fast.optimizers.sgd_block / adam_block            = optimizers.SGD.update / Adam.update
      (update_in_blocks runs them over cache-sized blocks of a model's flat weight buffer)

Nothing here imports the reference code: the fast engine depends on NumPy (and ``ops``) only.
"""
