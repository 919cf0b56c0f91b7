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

Environment: this file removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from its environment and
sets OMP/OPENBLAS/MKL_NUM_THREADS=1 *before NumPy is imported* (OpenBLAS reads them when it
loads; if NumPy was somehow imported already, the script re-executes itself in a clean
environment). It then also applies ``threadpoolctl.threadpool_limits(1)`` and
``torch.set_num_threads(1)``, and prints the BLAS libraries and the kernel each one uses.
"""
# ---------------------------------------------------------------- environment (before numpy!)
import os
import sys

#: variables that pin an OpenBLAS kernel (a workaround for old builds): a user's machine has none
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_REEXEC_MARK = "NANONET_BENCH_REMOVED"


def _clean_environment() -> dict:
    """Drop the kernel overrides, force one thread; re-exec if NumPy is already loaded."""
    removed = {name: os.environ.pop(name) for name in BLAS_OVERRIDES if name in os.environ}
    for name in THREAD_VARS:
        os.environ[name] = "1"
    if _REEXEC_MARK in os.environ:                  # we are the re-executed child
        inherited = os.environ.pop(_REEXEC_MARK)
        removed.update(dict(item.split("=", 1) for item in inherited.split(";") if item))
    elif "numpy" in sys.modules and __name__ == "__main__":
        os.environ[_REEXEC_MARK] = ";".join(f"{k}={v}" for k, v in removed.items())
        os.execv(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:])
    return removed


REMOVED_ENV = _clean_environment()

# ---------------------------------------------------------------- imports
import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import nanonet as nn  # noqa: E402
from nanonet import layers  # noqa: E402

try:
    import torch
except ImportError as error:  # torch is optional
    torch, TORCH_ERROR = None, f"{type(error).__name__}: {error}"
else:
    TORCH_ERROR = None

try:
    import threadpoolctl
except ImportError:  # threadpoolctl is optional
    threadpoolctl = None

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


def nanonet_step(widths, x, y):
    """A compiled nanonet model; the step is one ``train_on_batch``."""
    stack = [layers.Dense(widths[1], activation="relu" if len(widths) > 2 else "sigmoid",
                          input_shape=(widths[0],))]
    for index, units in enumerate(widths[2:], start=2):
        stack.append(layers.Dense(units, activation="sigmoid" if index == len(widths) - 1
                                  else "relu"))
    model = nn.Sequential(stack, seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return lambda: model.train_on_batch(x, y)


def pytorch_step(widths, x, y):
    """The same MLP in PyTorch (logits out, BCEWithLogitsLoss), Adam(eps=1e-7)."""
    torch.manual_seed(0)
    modules = []
    for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        modules.append(torch.nn.Linear(fan_in, fan_out))
        if index < len(widths) - 2:
            modules.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*modules)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(tx), ty)
        loss.backward()
        opt.step()
        return loss

    return step


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


# ---------------------------------------------------------------- timing
def time_round_robin(steps: dict, rounds: int, block: int, warmup: int) -> dict:
    """Per round, each contender (in rotating order) runs `block` back-to-back steps; the
    sample is the block's time / `block`. `warmup` untimed rounds come first."""
    names = list(steps)
    times = {name: [] for name in names}
    for round_index in range(warmup + rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            step = steps[name]
            start = time.perf_counter()
            for _ in range(block):
                step()
            elapsed = (time.perf_counter() - start) / block
            if round_index >= warmup:
                times[name].append(elapsed)
    return times


def summarize(samples) -> dict:
    quartiles = statistics.quantiles(samples, n=4) if len(samples) > 1 else samples * 3
    return {"median_s": statistics.median(samples), "min_s": min(samples),
            "p25_s": quartiles[0], "p75_s": quartiles[2], "rounds": len(samples)}


def run_workload(name: str, quick: bool) -> dict:
    batch, widths, schedule = WORKLOADS[name]
    rounds, block, warmup = QUICK_SCHEDULE[name] if quick else schedule
    x, y = make_data(batch, widths)
    makers = {"nanonet": nanonet_step, "pytorch": pytorch_step, "matmul": matmul_step}
    if torch is None:
        del makers["pytorch"]
    steps = {name: make(widths, x, y) for name, make in makers.items()}
    gc.collect()
    times = time_round_robin(steps, rounds, block, warmup)
    result = {"batch": batch, "widths": list(widths), "rounds": rounds, "block": block,
              "warmup_rounds": warmup,
              "stats": {k: summarize(v) for k, v in times.items()}}
    result.update(compute_ratios(name, result["stats"]))
    return result


def compute_ratios(name: str, stats: dict) -> dict:
    nano = stats["nanonet"]["median_s"]
    vs_torch = nano / stats["pytorch"]["median_s"] if "pytorch" in stats else None
    vs_matmul = nano / stats["matmul"]["median_s"]
    torch_target, matmul_target = TARGETS[name]
    return {"ratio_vs_pytorch": vs_torch, "ratio_vs_matmul": vs_matmul,
            "target_vs_pytorch": torch_target, "target_vs_matmul": matmul_target,
            "meets_pytorch_target": None if vs_torch is None or torch_target is None
            else vs_torch <= torch_target,
            "meets_matmul_target": None if matmul_target is None
            else vs_matmul <= matmul_target}


# ---------------------------------------------------------------- environment report
def blas_info() -> dict:
    """The BLAS/OpenMP libraries loaded, split into NumPy's and torch's."""
    info = {"removed_env": REMOVED_ENV,
            "thread_env": {name: os.environ.get(name) for name in THREAD_VARS}}
    if threadpoolctl is None:
        info["threadpoolctl"] = None
        return info
    info["threadpoolctl"] = threadpoolctl.__version__
    torch_dir = os.path.dirname(torch.__file__) if torch is not None else None
    for entry in threadpoolctl.threadpool_info():
        owner = "torch" if torch_dir and entry["filepath"].startswith(torch_dir) else "numpy"
        info.setdefault(owner, []).append(
            {key: entry.get(key) for key in ("user_api", "internal_api", "prefix", "version",
                                            "architecture", "threading_layer", "num_threads")})
    return info


def torch_build_info() -> dict:
    if torch is None:
        return {"available": False, "error": TORCH_ERROR}
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", " ").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    mkl = next((line.strip(" -") for line in config.splitlines() if "Math Kernel" in line), None)
    return {"available": True, "version": torch.__version__, "blas": blas, "mkl": mkl,
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "num_threads": torch.get_num_threads(),
            "num_interop_threads": torch.get_num_interop_threads()}


def print_environment(info: dict, torch_info: dict) -> None:
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, nanonet "
          f"{nn.__version__}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    removed = ", ".join(f"{k}={v}" for k, v in info["removed_env"].items()) or "none were set"
    print(f"Removed kernel overrides: {removed}")
    print("Thread env: " + ", ".join(f"{k}={v}" for k, v in info["thread_env"].items()))
    if info["threadpoolctl"] is None:
        print("threadpoolctl not installed: BLAS library and kernel UNKNOWN "
              "(threads limited by the env vars only)")
    for owner in ("numpy", "torch"):
        for lib in info.get(owner, []):
            kernel = lib["architecture"] or "n/a"
            print(f"  {owner:5s} {lib['internal_api']:8s} {lib['prefix']:18s} version "
                  f"{lib['version']}  kernel/coretype={kernel}  num_threads={lib['num_threads']}")
    if torch_info["available"]:
        print(f"  torch {torch_info['version']}: BLAS={torch_info['blas']} "
              f"({torch_info['mkl'] or 'linked statically'}), CPU capability "
              f"{torch_info['cpu_capability']}, intra-op threads {torch_info['num_threads']}")
    else:
        print(f"  PyTorch not importable, its column is skipped ({torch_info['error']})")


# ---------------------------------------------------------------- table
def fmt_time(seconds) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def fmt_ratio(ratio, target, meets) -> str:
    if ratio is None:
        return "—"
    if target is None:
        return f"{ratio:.2f}×"
    return f"{ratio:.2f}× (≤{target:.2f} {'ok' if meets else 'MISS'})"


def print_table(results: dict) -> None:
    header = ("workload", "shape", "nanonet", "PyTorch", "bare matmul",
              "nanonet/PyTorch", "nanonet/matmul")
    rows = [header]
    for name, r in results.items():
        stat = r["stats"]
        median = lambda key: stat[key]["median_s"] if key in stat else None  # noqa: E731
        rows.append((name, f"{r['batch']}×" + "→".join(map(str, r["widths"])),
                     fmt_time(median("nanonet")), fmt_time(median("pytorch")),
                     fmt_time(median("matmul")),
                     fmt_ratio(r["ratio_vs_pytorch"], r["target_vs_pytorch"],
                               r["meets_pytorch_target"]),
                     fmt_ratio(r["ratio_vs_matmul"], r["target_vs_matmul"],
                               r["meets_matmul_target"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        print("  ".join(cell.rjust(w) if i >= 2 else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print("Times: median over rounds of the per-step time (block time / steps per block); "
          "rounds × steps per block: " + ", ".join(
              f"{name} {r['rounds']}×{r['block']}" for name, r in results.items()))
    print("Spread, p25–p75:")
    for name, r in results.items():
        print(f"  {name}: " + ", ".join(
            f"{key} {fmt_time(s['p25_s'])}–{fmt_time(s['p75_s'])}"
            for key, s in r["stats"].items()))


# ---------------------------------------------------------------- profiling (optional)
def profile_nanonet(name: str, top: int = 25) -> None:
    """cProfile nanonet's step on workload `name` (cProfile inflates small-call overhead)."""
    import cProfile
    import pstats
    batch, widths, (rounds, block, warmup) = WORKLOADS[name]
    reps = rounds * block
    step = nanonet_step(widths, *make_data(batch, widths))
    for _ in range(warmup):
        step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(reps):
        step()
    profiler.disable()
    print(f"\ncProfile of nanonet's step on {name}, {reps} steps, sorted by own time:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


# ---------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (smoke test)")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help="comma-separated subset of " + ",".join(WORKLOADS))
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--profile", metavar="WORKLOADS", default="",
                        help="after timing, cProfile nanonet's step on these workloads")
    args = parser.parse_args(argv)
    args.workloads = _workload_list(parser, args.workloads)
    args.profile = _workload_list(parser, args.profile) if args.profile else []
    return args


def _workload_list(parser, text: str):
    names = [n.strip().upper() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown or not names:
        parser.error(f"unknown workload(s) {unknown}; choose from {', '.join(WORKLOADS)}")
    return names


def limit_threads():
    """One thread for every BLAS/OpenMP pool (the env vars already did it at load time)."""
    if torch is not None:
        torch.set_num_threads(1)
    if threadpoolctl is not None:
        return threadpoolctl.threadpool_limits(limits=1)
    return None


def main(argv=None) -> int:
    args = parse_args(argv)
    limiter = limit_threads()  # kept alive for the whole run
    info, torch_info = blas_info(), torch_build_info()
    print_environment(info, torch_info)
    print(f"\nOne training step (forward + backward + Adam), float32, 1 thread"
          f"{' — QUICK run, numbers are rough' if args.quick else ''}:\n")
    results = {}
    for name in args.workloads:
        results[name] = run_workload(name, args.quick)
    print_table(results)
    for name in args.profile:
        profile_nanonet(name)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"quick": args.quick, "blas": info, "torch": torch_info,
                       "numpy": np.__version__, "python": platform.python_version(),
                       "results": results}, handle, indent=2)
        print(f"\nWrote {args.json}")
    del limiter
    return 0


if __name__ == "__main__":
    sys.exit(main())
