# %% [markdown]
# # Lesson 02 — checking the article's gradients
#
# §4.2 of the article prints the loss J and two gradients, ∂J/∂W1 and ∂J/∂W2. Here we derive
# the true gradients one chain-rule step at a time, checking every step numerically; then we
# test the printed formulas the same way, look at their error maps, read what the checker's
# hints say, and end with the corrected equations.
#
# The article's notation: a sample x is a column (D,), W1 (H, D), b1 (H,), W2 (1, H), b2 (1,):
#
#     z1 = W1 x + b1,  a1 = σ(z1),  z2 = W2 a1 + b2,  ŷ = σ(z2).
#
# Run: `python -m nanonet lesson 02` (options: `--out DIR`, `--quick`).

# %%
"""Lesson 02 — checking the article's gradients: which printed formulas hold, which don't, and why."""
import numpy as np

from nanonet import gradcheck, lesson, ops, paper, plotting
from nanonet.lesson import section


def derive_step_by_step(problem):
    """Each chain-rule factor of the derivation, checked against a numerical derivative."""
    X, y = problem.X, problem.y
    W1, b1, W2, b2 = problem.params
    m = len(X)
    y_hat, values = paper.forward(X, W1, b1, W2, b2)
    z2 = values["z2"]

    section("Step 1-2: the output layer — σ'(z2) cancels against the cross-entropy")
    # J as a function of z2 alone (the output pre-activations of the m samples)
    def J_of_z2(z2):
        return paper.loss_as_intended(y, ops.sigmoid(z2))

    dJ_dyhat = -(y / y_hat - (1 - y) / (1 - y_hat)) / m            # step 1
    dyhat_dz2 = y_hat * (1 - y_hat)                                  # step 2: σ'(z2)
    print("∂J/∂ŷ · σ'(z2)  =", np.round(dJ_dyhat * dyhat_dz2, 6))
    print("(ŷ − y)/m       =", np.round((y_hat - y) / m, 6), " ← the same: σ'(z2) is gone")
    print(gradcheck.check_formula(J_of_z2, lambda z2: (ops.sigmoid(z2) - y) / m, z2,
                                  names=["z2"]))

    section("Step 3: ∂J/∂W2 — the vector that multiplies δ2 is a1, the layer's INPUT")
    delta2 = (y_hat - y) / m
    print("∂J/∂W2 = Σ_i δ2_i a1_iᵀ =", np.round(delta2 @ values["a1"], 6))

    section("Step 4-6: into the hidden layer — the W2ᵀ factor, then an outer product with x")
    delta1 = (delta2[:, None] @ W2) * (values["a1"] * (1 - values["a1"]))
    print("δ1 = (W2ᵀ δ2) ⊙ σ'(z1), one row per sample:\n", np.round(delta1, 5))
    print("∂J/∂W1 = Σ_i δ1_i x_iᵀ  →  an H×D matrix, like W1:", (delta1.T @ X).shape)
    true_W1 = lambda p, *w: paper.true_gradients(p.X, p.y, *w)["W1"]   # noqa: E731
    print(paper.check_gradient(problem, "W1", true_W1, title="true ∂J/∂W1"))


def check_printed(problem, options):
    """The printed formulas through the same checker: verdicts, hints and error maps."""
    section("The printed ∂J/∂W1 = (1/m) Σ (ŷ − y) · σ'(z1) · x   (read as σ'(z1) xᵀ)")
    printed_W1 = lambda p, *w: paper.printed_dJ_dW1(p.X, p.y, *w)     # noqa: E731
    report_W1 = paper.check_gradient(problem, "W1", printed_W1, title="printed ∂J/∂W1")
    print(report_W1)
    row = report_W1["W1"]
    ratio = row.analytic / row.numeric                       # printed ÷ true, (H, D)
    print("→ It forgets W2ᵀ: each hidden unit's error must be weighted by its outgoing weight.\n"
          "  So printed/true is 1/W2[h] along every row h — what the hint points at:\n"
          f"  printed/true, row by row: {np.round(ratio.mean(axis=1), 4)} "
          f"(largest spread within a row {np.ptp(ratio, axis=1).max():.1e})\n"
          f"  1/W2[h]:                  {np.round(1 / problem.params[2][0], 4)}")
    ones = paper.make_problem(w2=1.0)
    print(f"  With W2 = 1 it is right: passed = {paper.check_gradient(ones, 'W1', printed_W1).passed}")

    section("The printed ∂J/∂W2 = (1/m) Σ (ŷ − y) · σ'(z2) · ŷ")
    literal = lambda p, *w: paper.printed_dJ_dW2(p.X, p.y, *w)        # noqa: E731
    print(paper.check_gradient(problem, "W2", literal, title="printed ∂J/∂W2, literally"))
    as_a1 = lambda p, *w: paper.printed_dJ_dW2(p.X, p.y, *w,            # noqa: E731
                                               reading="hidden_activation")
    report_W2 = paper.check_gradient(problem, "W2", as_a1, title="printed ∂J/∂W2, ŷ read as a1")
    print(report_W2)
    print("→ Two mistakes. Literally, ·ŷ makes one number where W2 has H weights; the input of\n"
          "  the layer, a1 = σ(z1), is what multiplies. Even read as a1, the σ'(z2) factor is\n"
          "  extra: it cancelled in step 2. With it, this is the gradient of the squared error:")
    squared = paper.check_gradient(problem, "W2", as_a1, loss=paper.squared_error)
    print(f"  against ½(ŷ − y)²: passed = {squared.passed}")

    if lesson.figures_available():
        # W1 is (H, D): a row per hidden unit, a column per input; W2 is (1, H): one row
        axis_names = {"W1": ("hidden unit h", "input d"), "W2": ("", "hidden unit h")}
        for report, name in ((report_W1, "02_error_map_printed_dJ_dW1.png"),
                             (report_W2, "02_error_map_printed_dJ_dW2.png")):
            lesson.save_figure(plotting.error_maps(report, axis_names=axis_names,
                                                   show_ratio=True), options, name)


def epsilon(options):
    section("Why the checks run in float64 with ε ≈ 1e-6")
    sweep = gradcheck.epsilon_sweep(eps_values=np.logspace(-12, -1, 12 if options.quick else 23))
    print(sweep)
    if lesson.figures_available():
        lesson.save_figure(sweep.plot(), options, "02_epsilon_sweep.png")


def corrected():
    section("The verdicts, computed now (python -m nanonet verify-formulas)")
    for verdict in paper.verify():
        if not verdict.id.startswith("true/"):
            print(f"  {verdict.id:32s} {verdict.verdict}")
    section("The corrected equations")
    print("""  J      = −(1/m) Σ_i [y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)]
  ∂J/∂W2 = (1/m) Σ_i (ŷ_i − y_i) a1_iᵀ                       a1 = σ(z1^i)
  ∂J/∂b2 = (1/m) Σ_i (ŷ_i − y_i)
  ∂J/∂W1 = (1/m) Σ_i [(W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)] x_iᵀ
  ∂J/∂b1 = (1/m) Σ_i (W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)""")


# %% [markdown]
# ## The derivation, one chain-rule step at a time
# A small problem: m = 4 samples, D = 3 inputs, H = 5 hidden units, sigmoid hidden layer.

# %%
options = lesson.options("02")
problem = paper.make_problem(m=4, d=3, h=5, seed=options.seed)
derive_step_by_step(problem)

# %% [markdown]
# ## The printed formulas, through the same checker

# %%
check_printed(problem, options)

# %% [markdown]
# ## The step ε of the numerical derivative

# %%
epsilon(options)

# %% [markdown]
# ## The verdicts and the corrected equations

# %%
corrected()
