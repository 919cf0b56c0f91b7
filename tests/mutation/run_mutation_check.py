"""The mutation check: do the gradient tests catch small bugs in the gradient code?

For every mutant of nanonet's gradient code (``nanonet.teaching.mutation.GRADIENT_CODE``: a flipped
sign, a dropped term or factor, a lost transpose, a changed constant — one at a time), run the
gradient tests against the mutated code. A mutant is *killed* when the tests fail; the
mutation score is the share killed (the target is ≥ 95 %). Survivors are listed: each is a
bug the tests would let through (or an edit that changes nothing — an "equivalent" mutant).

    python tests/mutation/run_mutation_check.py                 # everything (≈ 20–30 min, 2 cores)
    python tests/mutation/run_mutation_check.py --limit 20      # a quick sample
    python tests/mutation/run_mutation_check.py --json score.json --workers 2
    python tests/mutation/run_mutation_check.py --start 150      # resume after mutant 150
    python tests/mutation/run_mutation_check.py --functions _run_backward_loop

The mutants are made in scratch copies of the project (one per worker), never in this tree.
This is not part of the test suite (it runs the suite hundreds of times); run it before a
release and after changing gradient code.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nanonet.teaching.mutation import Mutant, gradient_mutants  # noqa: E402

#: the tests that guard the gradient code: gradient checks and golden Keras/PyTorch numbers
GRADIENT_TESTS = ("tests/test_ops.py", "tests/test_gradients.py", "tests/test_gradcheck.py",
                  "tests/test_keras_parity.py", "tests/test_sequences.py",
                  "tests/test_sequence_keras_parity.py", "tests/test_paper.py")
IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "lesson_output",
                                 ".hypothesis", ".pytest_cache", "figures")


def make_copy(destination: Path) -> Path:
    shutil.copytree(ROOT, destination, ignore=IGNORED)
    return destination


def run_tests(copy: Path, tests, timeout: float) -> tuple:
    """(killed?, seconds, the first failure's name) for the tests run in `copy`."""
    start = time.perf_counter()
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(copy)}
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                                 "no:cacheprovider", *tests], cwd=copy, capture_output=True,
                                text=True, timeout=timeout, env=environment)
    except subprocess.TimeoutExpired:
        return True, time.perf_counter() - start, "timeout"
    failed = next((line for line in result.stdout.splitlines() if line.startswith("FAILED")),
                  "")
    return result.returncode != 0, time.perf_counter() - start, failed[:160]


def check_mutant(mutant: Mutant, copy: Path, tests, timeout: float) -> dict:
    target = copy / mutant.path
    original = target.read_text(encoding="utf-8")
    target.write_text(mutant.apply(original), encoding="utf-8")
    try:
        killed, seconds, failure = run_tests(copy, tests, timeout)
    finally:
        target.write_text(original, encoding="utf-8")
    return {**mutant.to_dict(), "killed": killed, "seconds": round(seconds, 1),
            "caught_by": failure}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="check only the first N mutants")
    parser.add_argument("--start", type=int, default=0,
                        help="skip the first N mutants (resume an interrupted run)")
    parser.add_argument("--kinds", default=None, help="comma-separated: sign,term,factor,...")
    parser.add_argument("--functions", default=None,
                        help="comma-separated: only the mutants of these functions")
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--tests", default=",".join(GRADIENT_TESTS))
    args = parser.parse_args(argv)
    kinds = args.kinds.split(",") if args.kinds else None
    tests = args.tests.split(",")
    functions = set(args.functions.split(",")) if args.functions else None
    mutants = gradient_mutants(ROOT, kinds, keep=None if functions is None
                               else lambda m: m.function in functions)[:args.limit][args.start:]
    with tempfile.TemporaryDirectory(prefix="nanonet-mutants-") as scratch:
        copies = [make_copy(Path(scratch) / f"copy{i}") for i in range(args.workers)]
        baseline, _, failure = run_tests(copies[0], tests, args.timeout)
        if baseline:
            print(f"the unmutated tests fail ({failure}); fix them first")
            return 2
        results = _run_all(mutants, copies, tests, args.timeout)
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(summary(results), indent=2), encoding="utf-8")
    return 0 if summary(results)["score"] >= 0.95 else 1


def _run_all(mutants, copies, tests, timeout):
    slots = list(copies)
    results = [None] * len(mutants)

    def work(index):
        copy = slots.pop()
        try:
            results[index] = check_mutant(mutants[index], copy, tests, timeout)
            mark = "killed " if results[index]["killed"] else "SURVIVED"
            print(f"[{index + 1}/{len(mutants)}] {mark} {mutants[index].path}:"
                  f"{mutants[index].line} {mutants[index].description}", flush=True)
        finally:
            slots.append(copy)

    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        list(pool.map(work, range(len(mutants))))
    return results


def summary(results) -> dict:
    killed = sum(r["killed"] for r in results)
    by_kind = {}
    for r in results:
        entry = by_kind.setdefault(r["kind"], [0, 0])
        entry[0] += r["killed"]
        entry[1] += 1
    return {"mutants": len(results), "killed": killed,
            "score": killed / len(results) if results else 1.0,
            "by_kind": {k: {"killed": v[0], "total": v[1]} for k, v in by_kind.items()},
            "survivors": [r for r in results if not r["killed"]], "results": results}


def report(results) -> None:
    s = summary(results)
    print(f"\nmutation score: {s['killed']}/{s['mutants']} = {s['score']:.1%} (target ≥ 95%)")
    for kind, counts in sorted(s["by_kind"].items()):
        print(f"  {kind:10s} {counts['killed']}/{counts['total']}")
    if s["survivors"]:
        print("survivors:")
        for r in s["survivors"]:
            print(f"  {r['path']}:{r['line']} ({r['function']}) {r['description']}")


if __name__ == "__main__":
    sys.exit(main())
