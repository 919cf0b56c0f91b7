"""Training an exported nanonet model in PyTorch: one process, or several with
DistributedDataParallel over gloo — the machinery behind lesson 08.

Needs PyTorch (``pip install -e '.[torch]'``); nothing else in nanonet imports this module.

    KerasAdam(params, lr=0.001)      a torch optimizer with nanonet's (= Keras 2's) Adam update,
                                     so PyTorch continues exactly the trajectory nanonet would
    train_epochs(module, x, y, orders, batch_size, optimizer)
                                     one process: for each epoch, batches of `batch_size` rows
                                     taken in that epoch's order; the per-epoch mean loss
    data_parallel_train(module, x, y, orders, batch_size, learning_rate, world_size=2)
                                     the same training by `world_size` processes on this
                                     machine with DistributedDataParallel (gloo): each process
                                     takes its share of every batch, the gradients are averaged
    free_port()                      a TCP port that nothing listens on (for MASTER_PORT)

The loss is binary cross-entropy on the module's probabilities, ``nn.BCELoss``: the exported
module ends in its sigmoid, as ``model.predict`` does. (nanonet, like Keras, computes the loss
of a sigmoid output from the logits; on probabilities away from 0 and 1 the two agree to
float32 rounding. ``nn.BCELoss`` clamps each log at −100 where Keras clips p to [1e-7, 1 − 1e-7];
the clips only matter for a saturated output.)

Why the processes are not started with ``torch.multiprocessing.spawn`` here. ``spawn`` starts
fresh interpreters that import the parent's ``__main__`` module again, to find what the worker
needs — it *runs the parent's script again* unless the script keeps its work under
``if __name__ == "__main__":``. Lessons are notebook-style scripts with no such guard (and
``python -m nanonet lesson 08`` runs them with runpy), so every child would rerun the lesson.
So :func:`data_parallel_train` starts the workers the way ``torchrun`` does: ``world_size``
fresh processes of ``python -m nanonet.interop.distributed WORKDIR``, each told its place by the
environment variables torch.distributed reads (RANK, WORLD_SIZE). They meet through a file in
WORKDIR (``init_method="file://…"``), not a TCP port: a port picked free and released can be
taken by another run's gloo connections before the workers bind it (two DDP runs at once, as
when the book runs lesson 08 in two languages), and the worker then aborts. The worker code is
the same as with ``spawn``; in your own script either launcher works.
"""
from __future__ import annotations

import datetime
import faulthandler
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from ..validation import plain_array

__all__ = ["KerasAdam", "train_epochs", "data_parallel_train", "DataParallelResult",
           "free_port", "worker"]

_NUMPY_FLOAT = {torch.float16: np.float16, torch.float32: np.float32, torch.float64: np.float64}


# ============================================================================ the optimizer
class KerasAdam(torch.optim.Optimizer):
    """Adam exactly as nanonet and Keras 2 do it, as a torch optimizer.

    Per parameter w with gradient g, at step t (m, v start at 0)::

        m ← m + (g − m)(1 − β1)
        v ← v + (g² − v)(1 − β2)
        α = lr · √(1 − β2ᵗ) / (1 − β1ᵗ)       (in the parameter's dtype, as nanonet)
        w ← w − (m · α) / (√v + ε)

    ``torch.optim.Adam`` computes ``lr · m̂ / (√v̂ + ε)`` with m̂ = m/(1 − β1ᵗ),
    v̂ = v/(1 − β2ᵗ): the same except where ε enters. Keras's ε sits beside √v before the bias
    correction, so in torch's terms it is ε/√(1 − β2ᵗ) — 31.6·ε at t = 1, shrinking towards ε.
    With ε = 1e-7 the two differ in about the 4th digit of the first steps' sizes. The
    operations here are nanonet's, in its order, so given the same gradients the two frameworks
    make the same update to float32 rounding: bit for bit where PyTorch's and NumPy's
    elementwise kernels round alike, within a few ulps on CPUs where they do not
    (tests/test_lesson_08.py states the bound).
    """

    def __init__(self, params, lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7):
        if not lr > 0 or not 0 <= beta_1 < 1 or not 0 <= beta_2 < 1 or not epsilon >= 0:
            raise ValueError(f"KerasAdam: expected lr > 0, 0 ≤ beta_1, beta_2 < 1 and "
                             f"epsilon ≥ 0, got lr={lr}, beta_1={beta_1}, beta_2={beta_2}, "
                             f"epsilon={epsilon}.")
        super().__init__(params, dict(lr=lr, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta_1, beta_2, epsilon = group["beta_1"], group["beta_2"], group["epsilon"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["v"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                cast = _NUMPY_FLOAT[p.dtype]
                t = cast(state["step"])
                alpha = cast(group["lr"]) * np.sqrt(1 - cast(beta_2) ** t) / (1 - cast(beta_1) ** t)
                g, m, v = p.grad, state["m"], state["v"]
                m.add_((g - m).mul_(1 - beta_1))                 # m ← m + (g − m)(1 − β1)
                v.add_((g * g).sub_(v).mul_(1 - beta_2))         # v ← v + (g² − v)(1 − β2)
                denominator = v.sqrt().add_(epsilon)             # √v + ε
                p.sub_(m.mul(float(alpha)).div_(denominator))    # w ← w − (m·α)/(√v + ε)
        return loss


# ============================================================================ one process
def train_epochs(module, x: np.ndarray, y: np.ndarray, orders: Sequence[np.ndarray],
                 batch_size: int, optimizer, device="cpu") -> List[float]:
    """Train `module` in place, one epoch per entry of `orders`, as ``nanonet.Sequential.fit``
    with ``shuffle=False`` on ``x[order]`` would.

    module: a torch.nn.Module mapping (n, D) float32 inputs to (n, 1) probabilities (already on
    `device`); x: (n, D) floats; y: (n,) or (n, 1) labels 0/1; orders: one permutation of
    range(n) per epoch; optimizer: a torch optimizer over the module's parameters.
    Each batch: loss = mean binary cross-entropy of its rows (``nn.BCELoss``), one backward,
    one optimizer step. Returns each epoch's loss as nanonet's History does: the mean of the
    batch losses weighted by batch size, each taken before that batch's update.
    """
    xt, yt = _tensors(x, y, device)
    module.train()
    losses = []
    for order in orders:
        total = 0.0
        for rows in _batches(order, batch_size):
            index = torch.as_tensor(rows, device=device)
            optimizer.zero_grad(set_to_none=True)
            loss = F.binary_cross_entropy(module(xt[index]), yt[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        losses.append(total / len(order))
    return losses


def _tensors(x, y, device):
    x = plain_array(x, "x", "train_epochs").astype(np.float32, copy=False)
    y = plain_array(y, "y", "train_epochs").astype(np.float32, copy=False)
    x = torch.as_tensor(x, device=device)
    y = torch.as_tensor(y.reshape(len(x), -1), device=device)
    return x, y


def _batches(order: np.ndarray, batch_size: int):
    """The rows of each batch, in order; the last batch may be smaller (as nanonet and Keras)."""
    order = np.asarray(order)
    for start in range(0, len(order), batch_size):
        yield order[start:start + batch_size]


# ============================================================================ many processes
@dataclass
class DataParallelResult:
    """What :func:`data_parallel_train` returns.

    losses: each epoch's loss over all the data (the mean of every row's loss, each taken before
    its batch's update, as :func:`train_epochs`); weights: one dict per rank, the final
    ``state_dict()`` as NumPy arrays (DDP keeps the replicas equal, so they should agree);
    seconds: wall time of the training loop on rank 0, without the start-up; total_seconds:
    from launching the processes until they had all finished.
    """
    losses: List[float]
    weights: List[Dict[str, np.ndarray]]
    seconds: float
    total_seconds: float


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on: bind to port 0 and the system
    picks one. (It is released again at once, so another program could take it in between;
    on a lesson's laptop that does not happen.)"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def data_parallel_train(module, x: np.ndarray, y: np.ndarray, orders: Sequence[np.ndarray],
                        batch_size: int, learning_rate: float = 0.001, world_size: int = 2,
                        timeout: float = 120.0) -> DataParallelResult:
    """Train a copy of `module` with DistributedDataParallel in `world_size` processes on this
    machine (gloo backend, CPU), with the batches of :func:`train_epochs` and
    ``KerasAdam(lr=learning_rate)``; `module` itself is not changed.

    Every batch of `batch_size` rows is split into `world_size` consecutive parts,
    ``np.array_split(batch, world_size)``; process r computes the loss of part r only,

        loss_r = (world_size / B) · Σ_{rows i of part r} bce_i          (B rows in the batch)

    and backpropagates it. DDP then all-reduces the gradients and divides by world_size, so
    every process holds (1/B) Σ_{all B rows} ∂bce_i/∂w — the full batch's mean gradient, even
    when the parts differ in size (a plain mean per part would weight the rows of a smaller
    part more). Each process then takes the same optimizer step, so the replicas stay equal.

    The processes are started as ``python -m nanonet.interop.distributed WORKDIR`` (see the
    module docstring); inputs and results travel through files in a temporary folder. A worker
    that fails stops the others, and the error says what it printed.
    """
    if world_size < 1:
        raise ValueError(f"data_parallel_train: world_size must be ≥ 1, got {world_size}.")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nanonet_ddp_") as folder:
        workdir = Path(folder)
        torch.save(module, workdir / "module.pt")
        x32, y32 = _tensors(x, y, "cpu")
        np.savez(workdir / "data.npz", x=x32.numpy(), y=y32.numpy(),
                 orders=np.stack([np.asarray(o, dtype=np.int64) for o in orders]))
        (workdir / "config.json").write_text(json.dumps(
            {"batch_size": int(batch_size), "learning_rate": float(learning_rate)}))
        _launch(workdir, world_size, timeout)
        results = [np.load(workdir / f"rank{rank}.npz") for rank in range(world_size)]
        losses = [float(v) for v in results[0]["losses"]]
        seconds = float(results[0]["seconds"])
        weights = [{key[len("w/"):]: r[key] for key in r.files if key.startswith("w/")}
                   for r in results]
    return DataParallelResult(losses, weights, seconds, time.perf_counter() - started)


def _launch(workdir: Path, world_size: int, timeout: float) -> None:
    """Start the workers as torchrun would, wait for all of them, raise if one failed."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)   # the folder of nanonet/
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    command = [sys.executable, *(f"-W{option}" for option in sys.warnoptions),
               "-m", "nanonet.interop.distributed", str(workdir)]
    processes = []
    for rank in range(world_size):
        env = {**os.environ, "PYTHONPATH": python_path, "OMP_NUM_THREADS": "1",
               "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(world_size)}
        log = open(workdir / f"rank{rank}.log", "w")
        processes.append((subprocess.Popen(command, env=env, stdout=log,
                                           stderr=subprocess.STDOUT), log))
    deadline = time.monotonic() + timeout
    failed = None
    try:
        while any(p.poll() is None for p, _ in processes) and failed is None:
            failed = next((rank for rank, (p, _) in enumerate(processes)
                           if p.poll() not in (None, 0)), None)
            if time.monotonic() > deadline:
                failed = "timeout"
            time.sleep(0.01)
        if failed is None:
            failed = next((rank for rank, (p, _) in enumerate(processes) if p.returncode),
                          None)
    finally:
        for p, log in processes:
            if p.poll() is None:                     # only our own workers, by handle
                p.kill()
                p.wait()
            log.close()
    logs = {rank: (workdir / f"rank{rank}.log").read_text(errors="replace").strip()
            for rank in range(world_size)}
    if failed is not None:
        what = f"did not finish within {timeout:.0f} s" if failed == "timeout" else \
            f"rank {failed} exited with code {processes[failed][0].returncode}"
        shown = "\n".join(f"--- rank {rank} printed:\n{text or '(nothing)'}"
                          for rank, text in logs.items())
        raise RuntimeError(f"data_parallel_train: a worker failed ({what}).\n{shown}")
    for rank, text in logs.items():              # nothing is hidden: pass on what they said
        if text:
            print(f"[rank {rank}] {text}", file=sys.stderr)


def worker(workdir: Path) -> None:
    """One process of :func:`data_parallel_train` (run as
    ``python -m nanonet.interop.distributed WORKDIR`` with RANK and WORLD_SIZE set): join the process group, wrap the module in DDP, train on this rank's
    part of every batch, and write ``rank{RANK}.npz`` (per-epoch losses, final weights)."""
    faulthandler.enable()                        # a crash in C++ still says where Python was
    workdir = Path(workdir)
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    torch.set_num_threads(1)                     # two processes on two cores: one thread each
    torch.manual_seed(rank)                      # nothing here draws; set for any module that does
    config = json.loads((workdir / "config.json").read_text())
    with np.load(workdir / "data.npz") as data:
        x, y, orders = torch.from_numpy(data["x"]), torch.from_numpy(data["y"]), data["orders"]
    module = torch.load(workdir / "module.pt", weights_only=False)
    # the workers meet through a file of this run's own folder (the module docstring: why
    # not a TCP port); rank and size come from the environment variables
    dist.init_process_group("gloo", init_method=(workdir / "rendezvous").resolve().as_uri(),
                            rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(seconds=60))
    try:
        model = DistributedDataParallel(module)  # broadcasts rank 0's weights to every rank
        optimizer = KerasAdam(model.parameters(), lr=config["learning_rate"])
        model.train()
        losses = []
        started = time.perf_counter()
        for order in orders:
            local_sum = torch.zeros((), dtype=torch.float64)
            for rows in _batches(order, config["batch_size"]):
                mine = torch.as_tensor(np.array_split(rows, world_size)[rank])
                optimizer.zero_grad(set_to_none=True)
                summed = F.binary_cross_entropy(model(x[mine]), y[mine], reduction="sum")
                (summed * (world_size / len(rows))).backward()   # DDP averages the gradients
                optimizer.step()
                local_sum += summed.detach().double()
            dist.all_reduce(local_sum)           # Σ over the ranks of each row's loss
            losses.append(local_sum.item() / len(order))
        seconds = time.perf_counter() - started
        weights = {f"w/{name}": value.detach().numpy()
                   for name, value in module.state_dict().items()}
        np.savez(workdir / f"rank{rank}.npz", losses=np.array(losses), seconds=seconds,
                 **weights)
        # An orderly goodbye: drop DDP (its reducer holds the process group), wait until every
        # rank is done communicating, then close the group — no rank tears down its sockets
        # while another still talks to it, and nothing of gloo is left for interpreter exit.
        del model, optimizer
        dist.barrier()
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: RANK=r WORLD_SIZE=n "
                         "python -m nanonet.interop.distributed WORKDIR")
    worker(Path(sys.argv[1]))
