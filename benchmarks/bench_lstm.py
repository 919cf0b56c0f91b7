"""Time ONE TRAINING STEP of Embedding → LSTM → Dense: nanonet vs PyTorch (CPU) vs bare matmuls.

    python benchmarks/bench_lstm.py                    # full run
    python benchmarks/bench_lstm.py --quick            # a few repetitions, for smoke testing
    python benchmarks/bench_lstm.py --workloads W1,W3 --json results.json
    python benchmarks/bench_lstm.py --profile W4       # also cProfile nanonet's step

What one step is (float32, binary labels, no dropout, one BLAS/OpenMP thread everywhere), for
token ids (N, T) in [0, V), embedding size D, U LSTM units:

- nanonet:  ``model.train_on_batch(ids, y)`` for ``Sequential([Embedding(V, D), LSTM(U),
  Dense(1, activation="sigmoid")])`` compiled with ``adam`` and ``binary_crossentropy``:
  forward, backpropagation through time, Adam. Input validation is part of the call.
- PyTorch:  ``nn.Embedding(V, D)`` → ``nn.LSTM(D, U, batch_first=True)`` (the last step's
  output) → ``nn.Linear(U, 1)``; ``opt.zero_grad(set_to_none=True)``;
  ``loss = BCEWithLogitsLoss(net(ids), y)``; ``loss.backward()``; ``opt.step()`` with
  Adam(eps=1e-7). Skipped, with a note, when torch cannot be imported.
- bare matmul: the matmuls of that step and nothing else, NumPy float32 into preallocated
  outputs — the floor a NumPy implementation cannot beat: the input projection of all steps
  (N·T×D @ D×4U), T recurrent products forward (N×U @ U×4U) and T backward (N×4U @ 4U×U), the
  weight gradients dW (D×N·T @ N·T×4U) and dR (U×N·T @ N·T×4U), the gradient reaching the
  embedding dX = dZ Wᵀ (N·T×4U @ 4U×D), and the dense head (forward, dW, dh). The backward
  recurrent products use a contiguous copy of Rᵀ, made once (the best layout for OpenBLAS).

Memory: what one training step needs beyond the weights, their gradients and the optimizer's
state — nanonet's peak traced memory (``tracemalloc``, which NumPy reports its allocations to)
during a steady-state step minus the traced memory before it, PLUS the buffers the layers keep
from batch to batch (the LSTM reuses its BPTT cache, so it is held between steps, not
allocated in the step) — over the theoretical activation cache of BPTT in float32:
N·T·(4U + 3U + D)·4 bytes — per step and sample the four gate values (4U), the cell state c_t,
tanh(c_t) and h_{t−1} (U each) and the embedded input x_t (D): what the backward pass reads
that the forward pass made.

Also timed: the article's whole §5 script in nanonet (build, compile, ``fit`` 10 epochs with
batch_size=1 on three padded sequences, ``predict`` one new sequence), median over runs.

Method (as bench_mlp.py): the three contenders run round-robin — the order rotates every round
— after a few untimed warm-up rounds. In each round a contender runs a block of back-to-back
steps timed with ``time.perf_counter``; one sample = block time / block length. The table
reports the MEDIAN sample and the ratios nanonet/PyTorch and nanonet/bare-matmul against the
targets. The environment (benchmarks/_common.py, imported first) is cleaned of OpenBLAS kernel
overrides and pinned to one thread before NumPy loads; the BLAS libraries and kernels are printed.
"""
# ---------------------------------------------------------------- environment, then imports
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402  (first: it cleans the environment before NumPy loads)
from _common import np, torch  # noqa: E402

import gc  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import nanonet as nn  # noqa: E402
from nanonet import layers  # noqa: E402
from nanonet.teaching import golden  # noqa: E402

# ---------------------------------------------------------------- workloads and targets
#: name -> (sizes, (timed rounds, steps per block, warm-up rounds))
WORKLOADS = {
    "W1": (dict(V=4, D=64, U=64, N=1, T=10), (200, 30, 10)),       # the article's model
    "W2": (dict(V=1000, D=32, U=64, N=32, T=20), (100, 10, 5)),
    "W3": (dict(V=1000, D=128, U=256, N=64, T=50), (40, 2, 3)),
    "W4": (dict(V=1000, D=256, U=512, N=128, T=100), (12, 1, 2)),
}
QUICK_SCHEDULE = {"W1": (20, 10, 2), "W2": (10, 3, 1), "W3": (3, 1, 1), "W4": (2, 1, 1)}
#: name -> (max nanonet/PyTorch, max nanonet/bare-matmul); None = no target
TARGETS = {"W1": (0.40, None), "W2": (1.20, None), "W3": (0.90, None), "W4": (0.85, 1.10)}
#: max peak memory of a step / theoretical activation cache
MEMORY_TARGET = 1.5
#: the article's §5 script: runs timed (full, quick), untimed warm-up runs
SCRIPT_RUNS, SCRIPT_QUICK_RUNS, SCRIPT_WARMUP = 21, 5, 2
#: Keras's recorded fits of the same script (tests/fixtures/make_keras_lesson06_fixtures.py)
KERAS_FIXTURE = "keras_lesson06.json"


# ---------------------------------------------------------------- the three step functions
def make_data(sizes: dict, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, sizes["V"], (sizes["N"], sizes["T"]))
    y = (rng.random((sizes["N"], 1)) < 0.5).astype(np.float32)
    return ids, y


def nanonet_model(sizes: dict, engine: str = "fast"):
    model = nn.Sequential([layers.Embedding(sizes["V"], sizes["D"]), layers.LSTM(sizes["U"]),
                           layers.Dense(1, activation="sigmoid")], seed=0, engine=engine)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def nanonet_step(sizes: dict, ids, y, engine: str = "fast"):
    """A compiled nanonet model on `engine`; the step is one ``train_on_batch``."""
    model = nanonet_model(sizes, engine)
    return lambda: model.train_on_batch(ids, y)


def reference_step(sizes: dict, ids, y):
    """The same nanonet model on the plain reference engine (engine="reference")."""
    return nanonet_step(sizes, ids, y, engine="reference")


def pytorch_step(sizes: dict, ids, y):
    """The same stack in PyTorch (logits out, BCEWithLogitsLoss), Adam(eps=1e-7)."""
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(sizes["V"], sizes["D"])
            self.lstm = torch.nn.LSTM(sizes["D"], sizes["U"], batch_first=True)
            self.dense = torch.nn.Linear(sizes["U"], 1)

        def forward(self, tokens):
            outputs, _ = self.lstm(self.embedding(tokens))
            return self.dense(outputs[:, -1])            # the last step's output

    return _common.torch_step(Net(), ids, y)


def matmul_step(sizes: dict, ids, y):
    """Only the step's matmuls (see the module docstring), into preallocated outputs."""
    n, steps, d, units = sizes["N"], sizes["T"], sizes["D"], sizes["U"]
    rng = np.random.default_rng(1)
    normal = lambda *shape: rng.standard_normal(shape, dtype=np.float32)  # noqa: E731
    x = normal(n * steps, d)                               # embedded inputs, time-major
    kernel, recurrent = normal(d, 4 * units), normal(units, 4 * units)
    recurrent_t = np.ascontiguousarray(recurrent.T)       # Rᵀ: 15–30 % faster than the view
    dense, dy = normal(units, 1), normal(n, 1)
    h = normal(steps + 1, n, units)                        # h_0 … h_T
    z = np.empty((n * steps, 4 * units), np.float32)       # x W for every step
    hr = np.empty((n, 4 * units), np.float32)              # h_{t−1} R
    dz = normal(steps, n, 4 * units)                       # the gates' gradients
    dh = np.empty((n, units), np.float32)                  # dz_t Rᵀ
    dx = np.empty((n * steps, d), np.float32)
    d_kernel, d_recurrent = np.empty_like(kernel), np.empty_like(recurrent)
    out, d_dense, dh_last = np.empty((n, 1), np.float32), np.empty_like(dense), np.empty_like(dh)
    h_prev = h[:-1].reshape(n * steps, units)              # a view: h_{t−1} of every step
    dz_all = dz.reshape(n * steps, 4 * units)

    def step():
        np.matmul(x, kernel, out=z)                        # input projection, all steps
        for t in range(steps):
            np.matmul(h[t], recurrent, out=hr)
        np.matmul(h[steps], dense, out=out)                # dense head
        np.matmul(h[steps].T, dy, out=d_dense)
        np.matmul(dy, dense.T, out=dh_last)
        for t in reversed(range(steps)):
            np.matmul(dz[t], recurrent_t, out=dh)
        np.matmul(x.T, dz_all, out=d_kernel)
        np.matmul(h_prev.T, dz_all, out=d_recurrent)
        np.matmul(dz_all, kernel.T, out=dx)                # the gradient the Embedding needs

    return step


# ---------------------------------------------------------------- timing
def run_workload(name: str, quick: bool) -> dict:
    sizes, schedule = WORKLOADS[name]
    rounds, block, warmup = QUICK_SCHEDULE[name] if quick else schedule
    makers = {"nanonet": nanonet_step, "reference": reference_step, "pytorch": pytorch_step,
              "matmul": matmul_step}
    stats = _common.time_steps(makers, (sizes, *make_data(sizes)), (rounds, block, warmup))
    result = {"sizes": sizes, "rounds": rounds, "block": block, "warmup_rounds": warmup,
              "stats": stats}
    result.update(_common.compute_ratios(result["stats"], TARGETS[name]))
    return result


def shape_of(result: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in result["sizes"].items())


# ---------------------------------------------------------------- memory
def theoretical_cache_bytes(sizes: dict) -> int:
    """N·T·(4U + 3U + D)·4: gates, c, tanh(c), h and the embedded input, float32."""
    return sizes["N"] * sizes["T"] * (7 * sizes["U"] + sizes["D"]) * 4


def measure_memory(name: str) -> dict:
    """tracemalloc peak of a steady-state nanonet step (the 3rd) minus the traced memory
    before it; and what the model holds between steps beyond its built weights."""
    sizes = WORKLOADS[name][0]
    ids, y = make_data(sizes)
    gc.collect()
    tracemalloc.start()
    try:
        model = nanonet_model(sizes)
        model.build((None, sizes["T"]))
        built = tracemalloc.get_traced_memory()[0]
        samples = []
        for _ in range(3):                      # the 1st step also makes the optimizer state
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            model.train_on_batch(ids, y)
            after, peak = tracemalloc.get_traced_memory()
            samples.append({"before": before, "peak": peak - before, "after": after - before})
    finally:
        tracemalloc.stop()
    theory = theoretical_cache_bytes(sizes)
    steady = samples[-1]
    kept = steady["before"] - built - optimizer_state_bytes(model.optimizer)
    needed = steady["peak"] + kept
    return {"theoretical_bytes": theory, "peak_bytes": steady["peak"],
            "kept_buffers_bytes": kept, "step_memory_bytes": needed,
            "ratio": needed / theory, "target": MEMORY_TARGET,
            "meets_target": needed / theory <= MEMORY_TARGET,
            "retained_after_step_bytes": steady["after"],
            "held_between_steps_bytes": steady["before"] - built,
            "weight_bytes": 4 * model.count_params(),
            "first_step_peak_bytes": samples[0]["peak"]}


def optimizer_state_bytes(optimizer) -> int:
    """The optimizer's slots (Adam's m and v, the update backup) and its scratch arrays."""
    slots = sum(array.nbytes for slot in optimizer.slots for key, array in slot.items()
                if key != "_flat")
    return slots + sum(array.nbytes for work in optimizer._work.values() for array in work)


def fmt_bytes(count: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(count) >= size:
            return f"{count / size:.2f} {unit}"
    return f"{count:.0f} B"


def print_memory(memory: dict) -> None:
    print("\nnanonet's memory for one training step (tracemalloc peak in the step + buffers "
          "layers keep between steps)\nvs the theoretical BPTT activation cache "
          "N·T·(4U + 3U + D)·4 B (gates 4U, c, tanh(c), h: U each, embedded input D; float32):\n")
    rows = [("workload", "theoretical", "peak in step", "kept buffers", "step memory",
             "step/theoretical", "weights")]
    for name, m in memory.items():
        rows.append((name, fmt_bytes(m["theoretical_bytes"]), fmt_bytes(m["peak_bytes"]),
                     fmt_bytes(m["kept_buffers_bytes"]), fmt_bytes(m["step_memory_bytes"]),
                     f"{m['ratio']:.2f}× (≤{m['target']:.2f} "
                     f"{'ok' if m['meets_target'] else 'MISS'})",
                     fmt_bytes(m["weight_bytes"])))
    _common.print_rows(rows)
    print("Peak: the 3rd step, after two warm-up steps. Kept buffers: traced memory before it, "
          "minus the built model and the\noptimizer's state (Adam's m, v and update backup).")


# ---------------------------------------------------------------- the article's §5 script
def article_script() -> float:
    """The article's §5 script, from building the model to predicting one new sequence;
    returns the seconds its ``fit`` call took (what the Keras fixture records)."""
    model = nn.Sequential([
        layers.Embedding(4, 64, input_length=10),
        layers.LSTM(64, dropout=0.2, recurrent_dropout=0.2),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    padded = np.array([[0] * 9 + [1], [0] * 9 + [2], [0] * 9 + [3]])
    labels = np.array([1, 0, 1])
    start = time.perf_counter()
    model.fit(padded, labels, epochs=10, batch_size=1, verbose=0)
    fit_seconds = time.perf_counter() - start
    model.predict(np.array([[0] * 9 + [2]]))
    return fit_seconds


def time_article_script(quick: bool) -> dict:
    """Median whole-script and fit-only times of nanonet, beside Keras's recorded fits."""
    runs = SCRIPT_QUICK_RUNS if quick else SCRIPT_RUNS
    for _ in range(SCRIPT_WARMUP):
        article_script()
    gc.collect()
    samples, fits = [], []
    for _ in range(runs):
        start = time.perf_counter()
        fits.append(article_script())
        samples.append(time.perf_counter() - start)
    stats = _common.summarize(samples)
    stats["fit_median_s"] = float(np.median(fits))
    keras = golden.load(KERAS_FIXTURE)
    stats["keras_fit_median_s"] = float(np.median([r["fit_seconds"] for r in keras.data["seeds"]]))
    stats["keras_provenance"] = keras.provenance()
    stats["keras_fit_over_nanonet_fit"] = stats["keras_fit_median_s"] / stats["fit_median_s"]
    return stats


def print_article_script(stats: dict) -> None:
    print(f"\nThe article's §5 script in nanonet (Embedding(4, 64, input_length=10) → LSTM(64, "
          f"dropout=0.2, recurrent_dropout=0.2)\n→ Dense(1, sigmoid); fit 10 epochs, "
          f"batch_size=1, on 3 padded sequences; predict one): median "
          f"{_common.fmt_time(stats['median_s'])}\n(p25–p75 {_common.fmt_time(stats['p25_s'])}–"
          f"{_common.fmt_time(stats['p75_s'])}, {stats['rounds']} runs), of which fit "
          f"{_common.fmt_time(stats['fit_median_s'])}.\nKeras's fit of the same script: median "
          f"{stats['keras_fit_median_s']:.2f} s over the recorded seeds (its first step traces "
          f"the graph), from\n{stats['keras_provenance']}:\nKeras's fit / nanonet's fit = "
          f"{stats['keras_fit_over_nanonet_fit']:.0f}× (recorded at another time and load: "
          f"compare orders of magnitude only).")


# ---------------------------------------------------------------- profiling (optional)
#: nanonet functions timed line by line by --profile when line_profiler is installed
LINE_PROFILED = ("nanonet.fast.lstm:lstm_forward", "nanonet.fast.lstm:lstm_backward",
                 "nanonet.fast.lstm:_run_forward_loop", "nanonet.fast.lstm:_run_backward_loop",
                 "nanonet.fast.embedding:embedding_backward")


def profile_nanonet(name: str, top: int = 30) -> None:
    """cProfile nanonet's step on workload `name` (cProfile inflates small-call overhead);
    then, if line_profiler is installed, the LSTM's own functions line by line."""
    sizes, (rounds, block, warmup) = WORKLOADS[name]
    step = nanonet_step(sizes, *make_data(sizes))
    reps = rounds * block
    _common.profile_step(step, reps, warmup, f"cProfile of nanonet's step on {name}", top)
    try:
        import line_profiler
    except ImportError:
        print("(line_profiler is not installed: no line-by-line profile of the LSTM)")
        return
    import importlib
    profiler = line_profiler.LineProfiler()
    for spec in LINE_PROFILED:
        module, function = spec.split(":")
        target = getattr(importlib.import_module(module), function, None)
        if target is not None:                     # skip a function that has been renamed
            profiler.add_function(target)
    wrapped = profiler(step)
    for _ in range(reps):
        wrapped()
    print(f"\nline_profiler of nanonet's LSTM functions on {name}, {reps} steps:")
    profiler.print_stats(output_unit=1e-3, stripzeros=True)


# ---------------------------------------------------------------- main
def main(argv=None) -> int:
    args = _common.parse_args(__doc__.splitlines()[0], WORKLOADS, argv)
    limiter, info, torch_info = _common.start(
        args, "One training step of Embedding → LSTM → Dense(1) (forward + BPTT + Adam, "
              "no dropout)")                     # limiter: kept alive for the whole run
    results = {}
    for name in args.workloads:
        results[name] = run_workload(name, args.quick)
    _common.print_table(results, shape_of)
    memory = {name: measure_memory(name) for name in args.workloads}
    print_memory(memory)
    script = time_article_script(args.quick)
    print_article_script(script)
    for name in args.profile:
        profile_nanonet(name)
    if args.json:
        _common.write_json(args.json, args.quick, info, torch_info, results, memory=memory,
                           article_script=script)
    del limiter
    return 0


if __name__ == "__main__":
    sys.exit(main())
