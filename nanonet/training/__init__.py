"""What a Sequential calls to train: the training step, the batch loops, the random streams.

    streams.py   RandomStreams: one seed, four independent generators (init, shuffle, dropout,
                 augment)
    masks.py     WeightMasks: pruned weights stay 0 through training
    step.py      ModelStep (the context of the model's own computations), loss_and_backward,
                 TrainingStep (forward → loss → backward → update on one batch)
    loop.py      fit's epochs and batches, evaluate's batches, validation data
    divergence.py  DivergenceWatch: when a finite loss that explodes stops training

    checks.py    the checks at the model's entry points (layers, shapes, data, weights)

The mixed-precision weights are precision.MixedWeights; the flat weight buffers
nanonet.fast.buffers. One TrainingStep serves both engines: what an engine changes is inside
the layers (``layer.engine``) and the optimizer (``optimizer.engine``), which the step calls.
"""
from .loop import evaluate_batches
from .masks import WeightMasks
from .step import ModelStep, TrainingStep, loss_and_backward
from .streams import RandomStreams

__all__ = ["RandomStreams", "WeightMasks", "ModelStep", "TrainingStep", "loss_and_backward",
           "evaluate_batches"]
