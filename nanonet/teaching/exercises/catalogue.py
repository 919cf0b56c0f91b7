"""The exercises: what a student writes, where, how hard it is, and which lesson teaches it.

Each exercise is one or more regions of nanonet's own source between the comment lines
``# --- exercise E07 begin ---`` and ``# --- exercise E07 end ---`` (markers.py). The regions
are ordinary code: the library behaves the same with or without the markers. A student copy
(copies.py) replaces every region of a chosen exercise with its hint and a
``raise NotImplementedError("Exercise E07: …")``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from ...validation import unknown_name_error


@dataclass(frozen=True)
class Exercise:
    """One exercise. ``functions`` are (source file, function) pairs holding its regions."""

    id: str
    title: str
    difficulty: int                    # 1 (a few lines) … 3 (a careful afternoon)
    lesson: str
    functions: Tuple[Tuple[str, str], ...]
    hint: str
    gradient: bool = True              # graded against gradients (parameter rows, hints)

    @property
    def message(self) -> str:
        """What the student copy raises where the solution was."""
        return f"Exercise {self.id}: {self.title} — see lesson {self.lesson}"

    @property
    def marker(self) -> str:
        """The pytest marker of the tests that grade it."""
        return f"exercise_{self.id.lower()}"

    @property
    def stars(self) -> str:
        return "★" * self.difficulty + "☆" * (3 - self.difficulty)


EXERCISES: List[Exercise] = [
    Exercise("E01", "sigmoid and its derivative", 1, "01",
             (("nanonet/ops.py", "sigmoid"), ("nanonet/ops.py", "sigmoid_grad_from_output")),
             "σ(x) = 1/(1 + e^(−x)) overflows for x ≪ 0: compute e = exp(−|x|), which is never "
             "above 1, then 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0 (np.where). Keep x's dtype. "
             "The derivative from the output s = σ(x) is s (1 − s)."),
    Exercise("E02", "dense forward and backward", 2, "01",
             (("nanonet/layers/dense.py", "dense_forward"),
              ("nanonet/layers/dense.py", "dense_backward")),
             "Forward: z = x W + b (x @ kernel, plus the bias if there is one); the cache is "
             "(x, kernel, has_bias). Backward: flatten the leading axes (x2 = x.reshape(-1, D), "
             "dz2 = dz.reshape(-1, U)); dW = x2ᵀ dz2, db = Σ over the rows of dz2 (None without "
             "a bias), dx = dz Wᵀ."),
    Exercise("E03", "binary cross-entropy and its gradient", 2, "02",
             (("nanonet/losses.py", "bce_from_probabilities"),
              ("nanonet/losses.py", "bce_from_logits")),
             "Both return (mean loss, gradient / m). From logits: loss = max(z,0) − z y + "
             "log(1 + e^(−|z|)); the gradient is σ(z) − y — write it as (1 − y) − σ(−|z|) for "
             "z ≥ 0 so a tiny difference is not lost. From probabilities (Keras): clip p to "
             "[ε, 1−ε], use log(p + ε) and log(1 − p + ε), and zero the gradient where the clip "
             "was active."),
    Exercise("E04", "SGD and Adam updates", 2, "03",
             (("nanonet/optimizers.py", "SGD.update"), ("nanonet/optimizers.py", "Adam.step_constants"),
              ("nanonet/optimizers.py", "Adam.update")),
             "Each update takes one weight array and its gradient and returns (the new weights, "
             "the new state dict); state holds the old slots. SGD: w − lr·g; with momentum "
             "v = μ v − lr·g and w + v (nesterov: w + μ v − lr·g, with the new v). Adam, Keras's "
             "order: m = m + (g − m)(1 − β1); v = v + (g² − v)(1 − β2); "
             "α = lr √(1 − β2ᵗ)/(1 − β1ᵗ) in the weights' dtype (t = self.iterations, cast "
             "to dtype.type); w − (m α)/(√v + ε)."),
    Exercise("E05", "the numerical gradient", 1, "02",
             (("nanonet/gradcheck/numerical.py", "estimate_gradient"),),
             "For this element: set x[index] = plus, evaluate f (with _scalar_value), set it to "
             "minus, evaluate again, and ALWAYS put the original back (try/finally). The "
             "estimate is (f⁺ − f⁻) divided by the step actually taken, plus − minus (or 2·eps "
             "when check_step is off).", gradient=False),
    Exercise("E06", "embedding backward", 2, "06",
             (("nanonet/layers/embedding.py", "embedding_backward"),),
             "dE[v] is the sum of the upstream rows of every position whose id is v; rows of ids "
             "never used stay 0: start from zeros of the table's shape, flatten the ids to (M,) "
             "and dy to (M, F) rows, and add each row into the row of its id (a loop over the "
             "positions: dE[id] += row). Note that dE[ids] += rows in one go would keep only "
             "one of a repeated id's rows."),
    Exercise("E07", "LSTM step forward", 2, "05",
             (("nanonet/layers/lstm.py", "lstm_cell_forward"),
              ("nanonet/layers/lstm.py", "lstm_step_forward")),
             "z = x W + h_prev R + b — written gate_inputs(x, kernel, input_masks) + "
             "gate_inputs(h_prev, recurrent_kernel, recurrent_masks), which is x W + h_prev R "
             "without dropout masks; gate blocks [i, f, c̃, o] of U columns each "
             "(np.split(…, 4, axis=1)); activate_gates(z) gives σ, σ, tanh, σ; "
             "c = f ⊙ c_prev + i ⊙ c̃; h = o ⊙ tanh(c). The step's cache is (x, h_prev, c_prev, "
             "gates, tanh_c, kernel, recurrent_kernel, has_bias, input_masks, recurrent_masks).",
             gradient=False),
    Exercise("E08", "LSTM step backward", 3, "05",
             (("nanonet/layers/lstm.py", "lstm_cell_backward"),
              ("nanonet/layers/lstm.py", "lstm_step_backward")),
             "Follow lstm.py's docstring: do = dh ⊙ tanh c; dc = dc_next + dh ⊙ o ⊙ (1 − tanh² c); "
             "di = dc ⊙ c̃, df = dc ⊙ c_prev, dc̃ = dc ⊙ i, dc_prev = dc ⊙ f; each gate's dz is its "
             "d· times its derivative (σ' = y(1−y), tanh' = 1 − y²). Then dx = dz Wᵀ, "
             "dh_prev = dz Rᵀ, dW = xᵀ dz, dR = h_prevᵀ dz (gate_inputs_backward gives each "
             "pair, dropout masks included), db = Σ dz."),
    Exercise("E09", "the backpropagation-through-time loop", 3, "05",
             (("nanonet/layers/lstm.py", "lstm_backward"),),
             "cache = (step caches, mask, input_mask). Start from dh = dh_last and dc = dc_last "
             "(zeros if None) and zero weight gradients; loop t from T−1 down to 0: add "
             "dhs[:, t] to dh (if dhs is given), call lstm_step_backward(dh, dc, caches[t]), "
             "add its dW, dR, db to the sums, keep its dx_t, and carry its dh_prev, dc_prev to "
             "the next step. A masked step (mask[:, t] False) carried h and c over: its rows "
             "send no gradient into the step (multiply dh and dc by the mask) and pass dh, dc "
             "straight through (np.where). Finally stack the dx_t on axis 1 and multiply by "
             "input_mask if there is one."),
    Exercise("E10", "tokenizer counting and ranking", 1, "06",
             (("nanonet/text/tokenizer.py", "Tokenizer.fit_on_texts"),
              ("nanonet/text/tokenizer.py", "Tokenizer._build_index")),
             "Count every token of the text into `counts`, and each distinct token once into "
             "`docs` (dict.fromkeys keeps first-seen order). Ranking: sort by count, descending — "
             "sorted() is stable, so ties keep first-seen order; the oov_token (if any) comes "
             "first; indices start at 1.", gradient=False),
]

BY_ID: Dict[str, Exercise] = {exercise.id: exercise for exercise in EXERCISES}


def get(exercise_id: str) -> Exercise:
    key = str(exercise_id).upper()
    if key not in BY_ID:
        raise unknown_name_error("exercise", exercise_id, BY_ID)
    return BY_ID[key]


def select(only: Optional[Sequence[str]] = None, upto: Optional[str] = None) -> List[Exercise]:
    """The exercises named in `only` (ids), or all up to and including `upto`, or all."""
    if only and upto:
        raise ValueError("exercises: give --only or --upto, not both.")
    if only:
        return [get(exercise_id) for exercise_id in only]
    if upto:
        last = get(upto)
        return [exercise for exercise in EXERCISES if exercise.id <= last.id]
    return list(EXERCISES)
