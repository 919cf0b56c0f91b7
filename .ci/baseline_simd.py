"""Print the NPY_DISABLE_CPU_FEATURES value that leaves NumPy on its baseline SIMD only.

NumPy compiles its loops for a baseline instruction set and dispatches, at run time, to faster
versions for the CPU features it finds (`numpy.show_runtime()` lists both). Disabling every
dispatched feature makes this machine run the code paths of the oldest CPU NumPy supports, so
numbers that depend on the SIMD path (reduction order, FMA contraction) come out as on such a
CPU. The names differ between NumPy versions — groups (`X86_V3 X86_V4 AVX512_ICL …`) on
NumPy >= 2.3, single features (`AVX2 FMA3 AVX512F …`) before — so they are read from the
installed NumPy rather than written down here.
"""
try:                                             # NumPy >= 2
    from numpy._core import _multiarray_umath as umath
except ImportError:                              # NumPy 1.x
    from numpy.core import _multiarray_umath as umath

print(" ".join(name for name in umath.__cpu_dispatch__ if name not in umath.__cpu_baseline__))
