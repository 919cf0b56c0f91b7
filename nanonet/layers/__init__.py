"""nanonet's layers. Each module holds one layer family: its pure forward/backward functions
(the equations) and the class that owns the weights."""
from . import registry
from .activations import (Activation, ReLU, Sigmoid, Softmax, Tanh, activation_backward,
                          activation_forward)
from .base import Layer
from .dense import Dense, dense_backward, dense_forward
from .dropout import Dropout, dropout_backward, dropout_forward
from .embedding import Embedding, embedding_backward, embedding_forward
from .lstm import (LSTM, LSTMCell, lstm_backward, lstm_forward, lstm_step_backward,
                   lstm_step_forward)

for _cls in (Dense, Activation, Sigmoid, ReLU, Tanh, Softmax, Embedding, LSTM, LSTMCell, Dropout):
    registry.register(_cls)

__all__ = ["Layer", "Dense", "Activation", "Sigmoid", "ReLU", "Tanh", "Softmax", "Embedding", "LSTM",
           "LSTMCell", "Dropout",
           "dense_forward", "dense_backward", "activation_forward", "activation_backward",
           "embedding_forward", "embedding_backward", "dropout_forward", "dropout_backward",
           "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward"]
