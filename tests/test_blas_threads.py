"""nanonet.blas_threads: a lesson gets one BLAS thread however it is started — as a script
(the variable is set before NumPy loads) or after NumPy was loaded (`python -m nanonet
lesson NN`: threadpoolctl, or the script run again in a fresh process)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

from nanonet import blas_threads
from nanonet.blas_threads import use_one_thread

SCRIPT = textwrap.dedent("""\
    import os
    import sys
    numpy_was_loaded = "numpy" in sys.modules
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import numpy
    from nanonet.blas_threads import use_one_thread
    how = use_one_thread(numpy_was_loaded)
    print(f"how={how} numpy_was_loaded={numpy_was_loaded} "
          f"variable={os.environ.get('OPENBLAS_NUM_THREADS')} "
          f"restarted={os.environ.get('NANONET_LESSON_RESTARTED')} args={sys.argv[1:]}")
""")


def run(tmp_path, *launcher):
    script = tmp_path / "lesson.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", blas_threads.RESTARTED)}
    result = subprocess.run([sys.executable, *launcher, str(script), "--out", "x"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_script_sets_the_variable_before_numpy_loads(tmp_path):
    assert run(tmp_path) == ("how=variable numpy_was_loaded=False variable=1 restarted=None "
                             "args=['--out', 'x']")


@pytest.mark.skipif(os.name != "posix", reason="the restart is POSIX-only")
def test_after_numpy_was_loaded_the_lesson_still_gets_one_thread(tmp_path):
    launcher = ("-c", "import numpy, runpy, sys; sys.argv = sys.argv[1:]; "
                      "runpy.run_path(sys.argv[0], run_name='__main__')")
    out = run(tmp_path, *launcher)
    if importlib.util.find_spec("threadpoolctl"):
        assert out.startswith("how=threadpoolctl numpy_was_loaded=True")
    else:        # run again, fresh: NumPy now loads after the variable, with the same arguments
        assert out == ("how=variable numpy_was_loaded=False variable=1 restarted=1 "
                       "args=['--out', 'x']")


def test_inside_a_notebook_kernel_nothing_restarts(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)        # as if not installed
    monkeypatch.setitem(sys.modules, "ipykernel", sys)             # as if in a kernel
    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("must not restart in a kernel"))
    assert use_one_thread(True) == "unchanged"


def test_it_restarts_at_most_once(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setenv(blas_threads.RESTARTED, "1")
    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("restarted twice"))
    assert use_one_thread(True) == "unchanged"


def test_a_wrong_argument_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="use_one_thread: numpy_was_loaded must be True or "
                                        "False"):
        use_one_thread("yes")
