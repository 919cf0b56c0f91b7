"""What the benchmarks share: a clean one-thread environment, the BLAS report, round-robin
timing with medians, the results table, cProfile, the command line and the JSON file.

IMPORT THIS MODULE BEFORE NUMPY. On import it removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
from the environment and sets OMP/OPENBLAS/MKL_NUM_THREADS=1 *before NumPy is imported*
(OpenBLAS reads them when it loads). If NumPy was somehow imported already and a benchmark
script is running, it re-executes that script in the clean environment. ``limit_threads()``
then also applies ``threadpoolctl.threadpool_limits(1)`` and ``torch.set_num_threads(1)``.
"""
# ---------------------------------------------------------------- environment (before numpy!)
import os
import sys

#: variables that pin an OpenBLAS kernel (a workaround for old builds): a user's machine has none
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_REEXEC_MARK = "NANONET_BENCH_REMOVED"


def _running_script():
    """The benchmark script being run (a file next to this one), or None (e.g. imported)."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path and os.path.dirname(os.path.abspath(path)) == os.path.dirname(
            os.path.abspath(__file__)):
        return os.path.abspath(path)
    return None


def _clean_environment() -> dict:
    """Drop the kernel overrides, force one thread; re-exec if NumPy is already loaded."""
    removed = {name: os.environ.pop(name) for name in BLAS_OVERRIDES if name in os.environ}
    for name in THREAD_VARS:
        os.environ[name] = "1"
    script = _running_script()
    if _REEXEC_MARK in os.environ:                  # we are the re-executed child
        inherited = os.environ.pop(_REEXEC_MARK)
        removed.update(dict(item.split("=", 1) for item in inherited.split(";") if item))
    elif "numpy" in sys.modules and script is not None:
        os.environ[_REEXEC_MARK] = ";".join(f"{k}={v}" for k, v in removed.items())
        os.execv(sys.executable, [sys.executable, script] + sys.argv[1:])
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


def time_steps(makers: dict, data: tuple, schedule) -> dict:
    """Make each contender's step, ``make(*data)`` (PyTorch's only if torch imports), collect
    the garbage, time them round-robin; `schedule` = (rounds, steps per block, warm-up rounds).
    Returns the summary of each contender's samples."""
    if torch is None:
        makers = {name: make for name, make in makers.items() if name != "pytorch"}
    steps = {name: make(*data) for name, make in makers.items()}
    gc.collect()
    times = time_round_robin(steps, *schedule)
    return {name: summarize(samples) for name, samples in times.items()}


def torch_step(net, inputs, targets):
    """PyTorch's training step for `net` (logits out): ``zero_grad(set_to_none=True)``,
    ``BCEWithLogitsLoss``, ``backward()``, ``Adam(lr=1e-3, eps=1e-7).step()``."""
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    tin, ty = torch.from_numpy(inputs), torch.from_numpy(targets)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(tin), ty)
        loss.backward()
        opt.step()
        return loss

    return step


def compute_ratios(stats: dict, targets) -> dict:
    """nanonet's median over PyTorch's and over the bare matmuls', against
    `targets` = (max nanonet/PyTorch, max nanonet/bare-matmul), None = no target."""
    nano = stats["nanonet"]["median_s"]
    vs_torch = nano / stats["pytorch"]["median_s"] if "pytorch" in stats else None
    vs_matmul = nano / stats["matmul"]["median_s"]
    torch_target, matmul_target = targets
    reference = stats["reference"]["median_s"] / nano if "reference" in stats else None
    return {"ratio_vs_pytorch": vs_torch, "ratio_vs_matmul": vs_matmul,
            "ratio_reference_vs_fast": reference,
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


def print_rows(rows, left_columns: int = 1) -> None:
    """Aligned columns (the first `left_columns` flush left, the rest right), the first row
    a header underlined with dashes."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if i < left_columns else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
        if index == 0:
            print("  ".join("-" * w for w in widths))


def print_table(results: dict, shape_of) -> None:
    """One row per workload: its shape (``shape_of(result)``), the medians (nanonet = its
    default fast engine; reference = engine="reference"), the two ratios against their
    targets and the reference engine's time over the fast one's; then the schedule and the
    p25–p75 spread."""
    header = ("workload", "shape", "nanonet", "reference", "PyTorch", "bare matmul",
              "nanonet/PyTorch", "nanonet/matmul", "reference/fast")
    rows = [header]
    for name, r in results.items():
        stat = r["stats"]
        median = lambda key: stat[key]["median_s"] if key in stat else None  # noqa: E731
        reference = r.get("ratio_reference_vs_fast")
        rows.append((name, shape_of(r),
                     fmt_time(median("nanonet")), fmt_time(median("reference")),
                     fmt_time(median("pytorch")), fmt_time(median("matmul")),
                     fmt_ratio(r["ratio_vs_pytorch"], r["target_vs_pytorch"],
                               r["meets_pytorch_target"]),
                     fmt_ratio(r["ratio_vs_matmul"], r["target_vs_matmul"],
                               r["meets_matmul_target"]),
                     fmt_ratio(reference, None, None)))
    print_rows(rows, left_columns=2)
    print("Times: median over rounds of the per-step time (block time / steps per block); "
          "rounds × steps per block: " + ", ".join(
              f"{name} {r['rounds']}×{r['block']}" for name, r in results.items()))
    print("Spread, p25–p75:")
    for name, r in results.items():
        print(f"  {name}: " + ", ".join(
            f"{key} {fmt_time(s['p25_s'])}–{fmt_time(s['p75_s'])}"
            for key, s in r["stats"].items()))


# ---------------------------------------------------------------- profiling (optional)
def profile_step(step, reps: int, warmup: int, title: str, top: int = 25) -> None:
    """cProfile `reps` calls of `step` after `warmup` untimed ones, sorted by own time
    (cProfile inflates small-call overhead)."""
    import cProfile
    import pstats
    for _ in range(warmup):
        step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(reps):
        step()
    profiler.disable()
    print(f"\n{title}, {reps} steps, sorted by own time:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


# ---------------------------------------------------------------- command line, run, JSON
def parse_args(description: str, workloads, argv=None):
    """--quick, --workloads, --json and --profile, with workload names checked."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="few repetitions (smoke test)")
    parser.add_argument("--workloads", default=",".join(workloads),
                        help="comma-separated subset of " + ",".join(workloads))
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--profile", metavar="WORKLOADS", default="",
                        help="after timing, cProfile nanonet's step on these workloads")
    args = parser.parse_args(argv)
    args.workloads = _workload_list(parser, workloads, args.workloads)
    args.profile = _workload_list(parser, workloads, args.profile) if args.profile else []
    return args


def _workload_list(parser, workloads, text: str):
    names = [n.strip().upper() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in workloads]
    if unknown or not names:
        parser.error(f"unknown workload(s) {unknown}; choose from {', '.join(workloads)}")
    return names


def limit_threads():
    """One thread for every BLAS/OpenMP pool (the env vars already did it at load time)."""
    if torch is not None:
        torch.set_num_threads(1)
    if threadpoolctl is not None:
        return threadpoolctl.threadpool_limits(limits=1)
    return None


def start(args, what: str):
    """Limit the threads, print the environment and the title line.

    Returns (limiter — keep it alive for the whole run —, blas info, torch info)."""
    limiter = limit_threads()
    info, torch_info = blas_info(), torch_build_info()
    print_environment(info, torch_info)
    print(f"\n{what}, float32, 1 thread"
          f"{' — QUICK run, numbers are rough' if args.quick else ''}:\n")
    return limiter, info, torch_info


def write_json(path: str, quick: bool, info: dict, torch_info: dict, results: dict,
               **extra) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"quick": quick, "blas": info, "torch": torch_info,
                   "numpy": np.__version__, "python": platform.python_version(),
                   "results": results, **extra}, handle, indent=2)
    print(f"\nWrote {path}")
