"""Time ONE TRAINING STEP of an MLP: nanonet vs PyTorch (CPU) vs the bare NumPy matmuls.

    python benchmarks/bench_mlp.py                    # full run (about 75 s on 2 cores)
    python benchmarks/bench_mlp.py --quick            # a few repetitions, for smoke testing
    python benchmarks/bench_mlp.py --workloads M1,M2 --json results.json
    python benchmarks/bench_mlp.py --profile M1       # also cProfile nanonet's step

What one step is (float32, binary labels, one BLAS/OpenMP thread everywhere):

- nanonet:  ``model.train_on_batch(x, y)`` — relu hidden layers, sigmoid output, BCE loss
  (computed from the logits), Adam. Input validation is part of the call, so it is timed too.
- PyTorch:  ``opt.zero_grad(set_to_none=True)``; ``loss = BCEWithLogitsLoss(net(x), y)``;
  ``loss.backward()``; ``opt.step()`` — nn.Linear + ReLU … + Linear, Adam(eps=1e-7).
  Skipped, with a note, when torch cannot be imported.
- bare matmul: the matmuls of that step and nothing else, into preallocated outputs (so no
  allocation either) — the floor a NumPy implementation cannot beat: per layer the forward
  ``x @ W`` and the weight gradient ``xᵀ @ dz``, and the input gradient ``dz @ Wᵀ`` for every
  layer but the first (neither nanonet nor PyTorch computes dx for the input).

Method: the three contenders run round-robin — the order rotates every round, so none always
runs right after another — with a few untimed warm-up rounds first. In each round a contender
runs a block of back-to-back steps (as in training: 30 for M1, 5 for M2, 1 for M3) timed with
``time.perf_counter``; one sample = block time / block length. The table reports the MEDIAN
sample and the ratios nanonet/PyTorch and nanonet/bare-matmul against the targets. (Timing
single µs-sized M1 steps interleaved with the other contenders runs each step with cold caches
and branch predictors: PyTorch's M1 step then looks ~1.45× and nanonet's ~1.7× slower than
when run back to back.)

Environment (benchmarks/_common.py, imported first): removes OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE from the environment and sets OMP/OPENBLAS/MKL_NUM_THREADS=1 *before NumPy is
imported* (OpenBLAS reads them when it loads; if NumPy was somehow imported already, the script
re-executes itself in a clean environment). It then also applies
``threadpoolctl.threadpool_limits(1)`` and ``torch.set_num_threads(1)``, and prints the BLAS
libraries and the kernel each one uses.
"""
# ---------------------------------------------------------------- environment, then imports
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402  (first: it cleans the environment before NumPy loads)
from _common import np, torch  # noqa: E402

import nanonet as nn  # noqa: E402
from nanonet import layers  # noqa: E402

# ---------------------------------------------------------------- workloads and targets
#: name -> (batch, widths input→…→output, (timed rounds, steps per block, warm-up rounds))
WORKLOADS = {
    "M1": (64, (20, 64, 1), (200, 30, 10)),
    "M2": (256, (784, 512, 512, 1), (40, 5, 2)),
    "M3": (1024, (4096, 4096, 1), (30, 1, 3)),
}
QUICK_SCHEDULE = {"M1": (20, 10, 2), "M2": (5, 1, 1), "M3": (2, 1, 1)}
#: name -> (max nanonet/PyTorch, max nanonet/bare-matmul); None = no target
TARGETS = {"M1": (0.30, None), "M2": (0.65, None), "M3": (0.55, 1.15)}
CONTENDERS = ("nanonet", "pytorch", "matmul")


# ---------------------------------------------------------------- the three step functions
def make_data(batch: int, widths, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, widths[0]), dtype=np.float32)
    y = (rng.random((batch, widths[-1])) < 0.5).astype(np.float32)
    return x, y


def nanonet_step(widths, x, y, engine: str = "fast"):
    """A compiled nanonet model on `engine`; the step is one ``train_on_batch``."""
    stack = [layers.Dense(widths[1], activation="relu" if len(widths) > 2 else "sigmoid",
                          input_shape=(widths[0],))]
    for index, units in enumerate(widths[2:], start=2):
        stack.append(layers.Dense(units, activation="sigmoid" if index == len(widths) - 1
                                  else "relu"))
    model = nn.Sequential(stack, seed=0, engine=engine)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return lambda: model.train_on_batch(x, y)


def reference_step(widths, x, y):
    """The same nanonet model on the plain reference engine (engine="reference")."""
    return nanonet_step(widths, x, y, engine="reference")


def pytorch_step(widths, x, y):
    """The same MLP in PyTorch (logits out, BCEWithLogitsLoss), Adam(eps=1e-7)."""
    torch.manual_seed(0)
    modules = []
    for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        modules.append(torch.nn.Linear(fan_in, fan_out))
        if index < len(widths) - 2:
            modules.append(torch.nn.ReLU())
    return _common.torch_step(torch.nn.Sequential(*modules), x, y)


def matmul_step(widths, x, y):
    """Only the step's matmuls (see the module docstring), into preallocated outputs."""
    rng = np.random.default_rng(1)
    batch = x.shape[0]
    weights = [rng.standard_normal((i, o), dtype=np.float32) / np.float32(np.sqrt(i))
               for i, o in zip(widths[:-1], widths[1:])]
    acts = [x] + [np.empty((batch, o), np.float32) for o in widths[1:]]
    dzs = [rng.standard_normal((batch, o), dtype=np.float32) for o in widths[1:]]
    dws = [np.empty_like(w) for w in weights]
    dxs = [None] + [np.empty((batch, i), np.float32) for i in widths[1:-1]]

    def step():
        for layer, w in enumerate(weights):
            np.matmul(acts[layer], w, out=acts[layer + 1])
        for layer in reversed(range(len(weights))):
            np.matmul(acts[layer].T, dzs[layer], out=dws[layer])
            if layer > 0:
                np.matmul(dzs[layer], weights[layer].T, out=dxs[layer])

    return step


# ---------------------------------------------------------------- run, table, profile, main
def run_workload(name: str, quick: bool) -> dict:
    batch, widths, schedule = WORKLOADS[name]
    rounds, block, warmup = QUICK_SCHEDULE[name] if quick else schedule
    makers = {"nanonet": nanonet_step, "reference": reference_step, "pytorch": pytorch_step,
              "matmul": matmul_step}
    stats = _common.time_steps(makers, (widths, *make_data(batch, widths)),
                               (rounds, block, warmup))
    result = {"batch": batch, "widths": list(widths), "rounds": rounds, "block": block,
              "warmup_rounds": warmup, "stats": stats}
    result.update(_common.compute_ratios(result["stats"], TARGETS[name]))
    return result


def shape_of(result: dict) -> str:
    return f"{result['batch']}×" + "→".join(map(str, result["widths"]))


def profile_nanonet(name: str, top: int = 25) -> None:
    """cProfile nanonet's step on workload `name` (cProfile inflates small-call overhead)."""
    batch, widths, (rounds, block, warmup) = WORKLOADS[name]
    step = nanonet_step(widths, *make_data(batch, widths))
    _common.profile_step(step, rounds * block, warmup, f"cProfile of nanonet's step on {name}",
                         top)


def main(argv=None) -> int:
    args = _common.parse_args(__doc__.splitlines()[0], WORKLOADS, argv)
    limiter, info, torch_info = _common.start(
        args, "One training step (forward + backward + Adam)")   # limiter: kept alive
    results = {}
    for name in args.workloads:
        results[name] = run_workload(name, args.quick)
    _common.print_table(results, shape_of)
    for name in args.profile:
        profile_nanonet(name)
    if args.json:
        _common.write_json(args.json, args.quick, info, torch_info, results)
    del limiter
    return 0


if __name__ == "__main__":
    sys.exit(main())
