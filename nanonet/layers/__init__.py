"""nanonet's layers. Each module holds one layer family: its pure forward/backward functions
(the equations) and the class that owns the weights."""
from .activations import Activation, ReLU, Sigmoid, Tanh, activation_backward, activation_forward
from .base import Layer
from .dense import Dense, dense_backward, dense_forward
from . import registry

for _cls in (Dense, Activation, Sigmoid, ReLU, Tanh):
    registry.register(_cls)

__all__ = ["Layer", "Dense", "Activation", "Sigmoid", "ReLU", "Tanh",
           "dense_forward", "dense_backward", "activation_forward", "activation_backward"]
