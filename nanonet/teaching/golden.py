"""Another framework's recorded numbers, for a lesson: load them, and say where they came from.

A lesson that sets nanonet beside Keras prints Keras's numbers from a stored JSON fixture in
``tests/fixtures/`` — written by a ``make_keras_*.py`` script there that ran the real framework —
never from constants typed into the lesson. The fixture's ``meta`` names its generator
(``made_by``) and the versions it ran with::

    from nanonet.teaching import golden
    keras = golden.load("keras_lesson06.json")
    keras.data["seeds"]            # the recorded numbers
    print(keras.provenance())      # which file, which script, which versions, which CPU

Loading needs no TensorFlow. The fixtures live in the repository, not in the installed package,
so a lesson that uses one runs from a checkout (as every lesson does).
"""
from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path

#: the repository root (this file is nanonet/teaching/golden.py)
REPOSITORY = Path(__file__).resolve().parents[2]
#: where the stored fixtures and their generator scripts are
FIXTURES = REPOSITORY / "tests" / "fixtures"


@dataclass(frozen=True)
class GoldenRecord:
    """One stored fixture: its path relative to the repository, and its parsed JSON."""

    path: str
    data: dict

    @property
    def meta(self) -> dict:
        return self.data["meta"]

    @property
    def generator(self) -> str:
        """The script that wrote the fixture, relative to the repository."""
        return self.meta["made_by"]

    def versions(self) -> str:
        """e.g. 'TensorFlow 2.15.1, Keras 2.15.0, NumPy 1.26.4'."""
        return (f"TensorFlow {self.meta['tensorflow']}, Keras {self.meta['keras']}, "
                f"NumPy {self.meta['numpy']}")

    def provenance(self) -> str:
        """Where the numbers came from: file, generator, versions and, if recorded, the CPU."""
        machine = ""
        if "cpu" in self.meta:
            machine = (f", on {self.meta['cpu']} ({self.meta['usable_cpus']} usable CPUs, load "
                       f"average {self.meta['load_average_before'][0]:.1f} when the timed runs "
                       f"began), {self.meta['recorded_utc']} UTC")
        return (f"{self.path}, written by {self.generator} with {self.versions()}{machine}")


def load(name: str) -> GoldenRecord:
    """The fixture ``tests/fixtures/<name>`` (a JSON file with ``meta.made_by``), checked to
    exist together with its generator script."""
    path = FIXTURES / name
    if not path.is_file():
        raise FileNotFoundError(f"golden.load: no fixture {path}. The lessons read it from a "
                                f"checkout of the nanonet repository (tests/fixtures/).")
    data = json.loads(path.read_text(encoding="utf-8"))
    record = GoldenRecord(path=path.relative_to(REPOSITORY).as_posix(), data=data)
    if not (REPOSITORY / record.generator).is_file():
        raise FileNotFoundError(f"golden.load: {record.path} names its generator "
                                f"{record.generator!r}, which is not in the repository.")
    return record


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux, else platform.processor())."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "an unknown CPU"


def this_machine() -> dict:
    """What timings measured here ran on: CPU model, logical and usable CPUs, load average
    (1, 5, 15 minutes; None where the system does not tell)."""
    usable = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
              else os.cpu_count())
    load = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {"cpu": cpu_model(), "logical_cpus": os.cpu_count(), "usable_cpus": usable,
            "load_average": load}
