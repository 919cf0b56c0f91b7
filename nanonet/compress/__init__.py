"""Model compression, measured: magnitude pruning, int8/float16 quantization, model size.

    from nanonet.compress import prune, quantize, model_nbytes, size_report

    report = prune(model, 0.8, scope="global")   # zero the 80% smallest weights, keep them 0
    print(report)                                # per weight: size, zeros, sparsity
    model.fit(x, y, epochs=2)                    # fine-tune: pruned weights stay exactly 0
    q = quantize(model)                          # int8 weights + per-channel float32 scales
    q.predict(x)                                 # inference from the int8 weights
    print(size_report(model, q))                 # bytes per layer, before and after (≈ ¼)

Pruning: ``pruning.py``; quantization and its error bound: ``quantization.py``; bytes:
``size.py``; the weights all three read: ``weights.py`` (the floor: each file imports only the
ones below it, weights ← pruning, quantization ← size). Each module's docstring gives the
equations.
"""
from .pruning import prune, pruning_report, sparsity_of, strip_pruning, PruningReport
from .quantization import QuantizedModel, dequantize_int8, error_bound, quantize, quantize_int8
from .size import model_nbytes, size_report

__all__ = ["prune", "strip_pruning", "sparsity_of", "pruning_report", "PruningReport",
           "quantize", "QuantizedModel", "quantize_int8", "dequantize_int8", "error_bound",
           "model_nbytes", "size_report"]
