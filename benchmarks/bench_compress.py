"""Time INFERENCE of float32 vs int8-weight vs float16 models: ``predict`` on one whole batch.

    python benchmarks/bench_compress.py                  # full run
    python benchmarks/bench_compress.py --quick          # a few repetitions, for smoke testing
    python benchmarks/bench_compress.py --workloads C1,C3 --json results.json
    python benchmarks/bench_compress.py --profile C3     # also cProfile the int8 predict

Workloads (random weights from seed 0, random inputs — speed and size do not depend on training):

- C1, lesson 04's MLP (as lesson 09 compresses it): 11 standardised features → Dense(16, relu)
  → Dense(1, sigmoid); one batch of 654 rows (the size of lesson 04's test set), N(0, 1) data.
- C2, lesson 07's model (as lesson 09 compresses it): Embedding(3000, 32, mask_zero=True) →
  LSTM(32) → Dense(1, sigmoid); one batch of 256 sequences of 80 ids, each a random length in
  [10, 80] of ids in [1, 3000) padded in front with 0s (masked), as pad_sequences makes them.
- C3, W3-sized (bench_lstm.py's W3): Embedding(1000, 128) → LSTM(256) → Dense(1, sigmoid);
  N = 64 sequences of T = 50 ids in [0, 1000), no padding.

Contenders, each ``.predict(x, batch_size=len(x))`` — the whole batch in one call:

- float32:       the float32 ``nn.Sequential`` (the baseline of every ratio);
- stored f32:    ``compress.quantize(model, bits=32)``: the QuantizedModel's own inference code
  with float32 weights (separates the cost of the code path from that of the storage);
- int8:          ``compress.quantize(model, bits=8)``: int8 kernels and embedding rows with
  per-channel float32 scales, float32 biases; each product widens q to float32 and runs in BLAS;
- stored f16:    ``compress.quantize(model, bits=16)``: float16 weights widened to float32 per
  product, so the arithmetic is float32;
- f16 compute:   the same weights in ``nn.Sequential(..., dtype="mixed_float16")``, which
  computes every layer in float16. NumPy has no float16 BLAS (its float16 matmul is a plain
  loop, ~250× slower than sgemm here), so this one is timed in a round-robin of its own against
  the float32 model, with few rounds (one C3 predict takes seconds); its ratio is over that
  round-robin's float32 median.

Reported per contender: median time of one predict and the p25–p75 spread; the ratio of the
median to the float32 model's; the bytes of the stored weights (``compress.model_nbytes``: for
the mixed model, its float32 master weights — it also holds float16 copies) and their ratio to
float32's; the largest |Δp| of any output against the float32 model's.

Method (as bench_mlp.py and bench_lstm.py, through _common.py, imported first): one BLAS/OpenMP
thread, the environment cleaned of OpenBLAS kernel overrides before NumPy loads; contenders run
round-robin — the order rotates every round — after untimed warm-up rounds; each round a
contender runs a block of back-to-back predicts timed with ``time.perf_counter``; one sample =
block time / block length; the table reports the MEDIAN sample.
"""
# ---------------------------------------------------------------- environment, then imports
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402  (first: it cleans the environment before NumPy loads)
from _common import np  # noqa: E402

import nanonet as nn  # noqa: E402
from nanonet import compress, layers  # noqa: E402

# ---------------------------------------------------------------- workloads
#: name -> (description, (timed rounds, predicts per block, warm-up rounds) of the main
#: round-robin, the same for the float32-vs-float16-compute round-robin)
WORKLOADS = {
    "C1": ("lesson 04 MLP  654×11→16→1", (200, 20, 10), (40, 5, 2)),
    "C2": ("lesson 07  V=3000 D=32 U=32 N=256 T=80 masked", (40, 2, 3), (5, 1, 1)),
    "C3": ("W3  V=1000 D=128 U=256 N=64 T=50", (30, 2, 3), (4, 1, 1)),
}
QUICK_SCHEDULE = {"C1": ((30, 10, 2), (10, 2, 1)), "C2": ((6, 1, 1), (2, 1, 0)),
                  "C3": ((4, 1, 1), (1, 1, 0))}
#: the contenders: float32 Sequential, then QuantizedModels of 32, 8 and 16 bits
QUANTIZED = {"stored f32": 32, "int8": 8, "stored f16": 16}
MIXED = "f16 compute"
ORDER = ("float32",) + tuple(QUANTIZED) + (MIXED,)


def make_model(name: str, dtype: str = "float32"):
    """The workload's Sequential (seed 0), built."""
    if name == "C1":
        model = nn.Sequential([layers.Dense(16, activation="relu", input_shape=(11,)),
                               layers.Dense(1, activation="sigmoid")], seed=0, dtype=dtype)
    elif name == "C2":
        model = nn.Sequential([layers.Embedding(3000, 32, mask_zero=True), layers.LSTM(32),
                               layers.Dense(1, activation="sigmoid")], seed=0, dtype=dtype)
        model.build((None, 80))
    else:
        model = nn.Sequential([layers.Embedding(1000, 128), layers.LSTM(256),
                               layers.Dense(1, activation="sigmoid")], seed=0, dtype=dtype)
        model.build((None, 50))
    return model


def make_data(name: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if name == "C1":
        return rng.standard_normal((654, 11), dtype=np.float32)
    if name == "C2":
        ids = np.zeros((256, 80), dtype=np.int64)
        for row, length in enumerate(rng.integers(10, 81, 256)):
            ids[row, 80 - length:] = rng.integers(1, 3000, length)   # padded in front
        return ids
    return rng.integers(0, 1000, (64, 50))


def predictor(model, outputs: dict, key: str):
    """make(x) -> the step: one predict of the whole batch, its output kept in outputs[key]
    (for max |Δp| without extra predicts: one float16-compute predict of C3 takes seconds)."""
    def make(x):
        def step():
            outputs[key] = model.predict(x, batch_size=len(x))
        return step
    return make


# ---------------------------------------------------------------- one workload
def run_workload(name: str, quick: bool) -> dict:
    description, schedule, mixed_schedule = WORKLOADS[name]
    if quick:
        schedule, mixed_schedule = QUICK_SCHEDULE[name]
    x = make_data(name)
    model = make_model(name)
    mixed = make_model(name, "mixed_float16")
    mixed.set_weights(model.get_weights())               # the same (float32 master) weights
    models = {"float32": model, **{key: compress.quantize(model, bits=bits)
                                   for key, bits in QUANTIZED.items()}, MIXED: mixed}
    nbytes = {key: compress.model_nbytes(m) for key, m in models.items()}
    outputs = {}                                         # each contender's last prediction
    stats = _common.time_steps({key: predictor(models[key], outputs, key)
                                for key in ORDER[:-1]}, (x,), schedule)
    pair = _common.time_steps({"float32": predictor(model, {}, "float32"),
                               MIXED: predictor(mixed, outputs, MIXED)}, (x,), mixed_schedule)
    reference = outputs["float32"].astype(np.float64)
    max_dp = {key: float(np.max(np.abs(outputs[key] - reference))) for key in ORDER}
    stats[MIXED] = pair[MIXED]
    base = stats["float32"]["median_s"]
    time_ratio = {key: stats[key]["median_s"] / base for key in ORDER[:-1]}
    time_ratio[MIXED] = pair[MIXED]["median_s"] / pair["float32"]["median_s"]
    return {"description": description, "x_shape": list(x.shape), "schedule": schedule,
            "mixed_schedule": mixed_schedule, "stats": stats,
            "float32_in_mixed_pair": pair["float32"], "time_ratio": time_ratio,
            "nbytes": nbytes, "bytes_ratio": {key: nbytes[key] / nbytes["float32"]
                                              for key in ORDER},
            "max_abs_dp": max_dp}


# ---------------------------------------------------------------- tables
def print_results(results: dict) -> None:
    rows = [("workload", "contender", "median", "p25–p75", "time/f32", "bytes", "bytes/f32",
             "max |Δp|")]
    for name, r in results.items():
        for key in ORDER:
            s = r["stats"][key]
            rows.append((name if key == "float32" else "", key, _common.fmt_time(s["median_s"]),
                         f"{_common.fmt_time(s['p25_s'])}–{_common.fmt_time(s['p75_s'])}",
                         f"{r['time_ratio'][key]:.2f}×", f"{r['nbytes'][key]:,}",
                         f"{r['bytes_ratio'][key]:.3f}×", f"{r['max_abs_dp'][key]:.1e}"))
    _common.print_rows(rows, left_columns=2)
    print("\nRatios to the float32 Sequential.predict (time: medians; bytes: stored weights):")
    rows = [("workload", "shape") + tuple(f"{key} time" for key in ORDER[1:])
            + tuple(f"{key} bytes" for key in ORDER[1:-1])]
    for name, r in results.items():
        rows.append((name, r["description"])
                    + tuple(f"{r['time_ratio'][key]:.2f}×" for key in ORDER[1:])
                    + tuple(f"{r['bytes_ratio'][key]:.3f}×" for key in ORDER[1:-1]))
    _common.print_rows(rows, left_columns=2)
    print("Rounds × predicts per block (warm-up rounds): " + ", ".join(
        f"{name} {r['schedule'][0]}×{r['schedule'][1]} ({r['schedule'][2]}), {MIXED} "
        f"{r['mixed_schedule'][0]}×{r['mixed_schedule'][1]} ({r['mixed_schedule'][2]})"
        for name, r in results.items()))
    print(f"{MIXED}: timed in its own round-robin against float32 (whose median there was "
          + ", ".join(f"{name} {_common.fmt_time(r['float32_in_mixed_pair']['median_s'])}"
                      for name, r in results.items())
          + "); its bytes are the float32 master weights (it also holds float16 copies).")


# ---------------------------------------------------------------- main
def main(argv=None) -> int:
    args = _common.parse_args(__doc__.splitlines()[0], WORKLOADS, argv)
    limiter = _common.limit_threads()                # kept alive for the whole run
    info, torch_info = _common.blas_info(), _common.torch_build_info()
    _common.print_environment(info, torch_info)
    print(f"\npredict on one whole batch, ratios to the float32 Sequential, 1 thread"
          f"{' — QUICK run, numbers are rough' if args.quick else ''}:\n")
    results = {name: run_workload(name, args.quick) for name in args.workloads}
    print_results(results)
    for name in args.profile:
        q = compress.quantize(make_model(name), bits=8)
        x = make_data(name)
        rounds, block, warmup = WORKLOADS[name][1]
        _common.profile_step(lambda: q.predict(x, batch_size=len(x)), rounds * block, warmup,
                             f"cProfile of the int8 QuantizedModel's predict on {name}")
    if args.json:
        _common.write_json(args.json, args.quick, info, torch_info, results)
    del limiter
    return 0


if __name__ == "__main__":
    sys.exit(main())
