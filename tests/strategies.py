"""hypothesis strategies shared by the test modules: shapes, arrays and seeds."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

seeds = st.integers(min_value=0, max_value=2**31 - 1)
batch_sizes = st.integers(min_value=1, max_value=5)
feature_sizes = st.integers(min_value=1, max_value=6)
activations = st.sampled_from(["linear", "sigmoid", "tanh", "relu"])


def float64_arrays(shape, low: float = -3.0, high: float = 3.0, kink_margin: float = 0.0):
    """float64 arrays of `shape` with values in [low, high]; if `kink_margin` > 0, values
    closer than that to 0 are pushed away from it (for ReLU, whose derivative jumps at 0)."""
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)
    strategy = arrays(np.float64, shape, elements=elements)
    if kink_margin > 0:
        strategy = strategy.map(lambda a: np.where(np.abs(a) < kink_margin,
                                                   np.copysign(kink_margin, a), a))
    return strategy


@st.composite
def batch_shapes(draw, min_rank: int = 2, max_rank: int = 3):
    """(N, D) or (N, T, D) with small sizes."""
    rank = draw(st.integers(min_rank, max_rank))
    return tuple(draw(st.integers(1, 4)) for _ in range(rank - 1)) + (draw(feature_sizes),)


@st.composite
def binary_labels(draw, shape):
    """0/1 float64 labels of `shape`."""
    return draw(arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))


# ---------------------------------------------------------------- text
WORDS = st.text(alphabet="abcXYé股票", min_size=1, max_size=4)
SEPARATORS = st.sampled_from([" ", "  ", ", ", ".", "!\t", "\n", "-"])
ragged_int_lists = st.lists(st.lists(st.integers(-1000, 1000), max_size=7), max_size=6)


@st.composite
def texts_of_words(draw, min_texts=0):
    """A list of texts: words joined by random filter characters and spaces."""
    texts = []
    for _ in range(draw(st.integers(min_texts, 5))):
        words = draw(st.lists(WORDS, max_size=6))
        text_ = ""
        for word in words:
            text_ += word + draw(SEPARATORS)
        texts.append(text_)
    return texts
