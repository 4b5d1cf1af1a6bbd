"""The two models of the lesson: a linear classifier and a Keras-style MLP, both returning logits.

``linear`` is the PyTorch example's ``nn.Linear(10, 2)``; ``mlp`` is the Keras
example's ``Dense(128, relu) -> Dense(10)``, with the number of hidden layers,
their width and activation configurable. Softmax lives in the loss
(``CrossEntropyLoss``), as in PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from core.maths import catalog

ACTIVATION_MODULES: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid,
}
assert tuple(ACTIVATION_MODULES) == catalog.ACTIVATIONS


_ACTIVATION_FUNCTIONS: dict[type[nn.Module], Callable[[torch.Tensor], torch.Tensor]] = {
    nn.ReLU: torch.relu, nn.Tanh: torch.tanh, nn.GELU: F.gelu, nn.Sigmoid: torch.sigmoid,
}


def build_model(
    model: str,
    n_features: int,
    n_classes: int,
    *,
    hidden_layers: int = 1,
    hidden_width: int = 128,
    activation: str = "relu",
    seed: int | None = None,
) -> nn.Sequential:
    """A classifier mapping (B, n_features) to logits (B, n_classes); ``seed`` fixes the initial weights."""
    shape = catalog.model_layers(model, n_features, n_classes, hidden_layers=hidden_layers,
                                 hidden_width=hidden_width, activation=activation)
    layers: list[nn.Module] = []
    for inputs, outputs in shape[:-1]:
        layers += [nn.Linear(inputs, outputs), ACTIVATION_MODULES[activation]()]
    layers.append(nn.Linear(*shape[-1]))
    net = nn.Sequential(*layers)
    if seed is not None:
        reset_parameters(net, torch.Generator().manual_seed(seed))
    return net


def reset_parameters(net: nn.Module, generator: torch.Generator) -> None:
    """Re-draw every Linear layer's weights as ``nn.Linear.reset_parameters`` does, from ``generator``."""
    # A private generator, not torch.manual_seed: runs train in threads and the global RNG is shared.
    with torch.no_grad():
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
                if layer.bias is not None:
                    bound = 1 / math.sqrt(layer.in_features)
                    nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def functional_forward(net: nn.Sequential) -> Callable[[torch.Tensor], torch.Tensor]:
    """``net``'s forward as plain tensor functions on the same parameters: same results, no Module call overhead."""
    # nn.Module.__call__ costs tens of microseconds per layer on a small CPU, a large share of a small-batch step.
    layers: list[Callable[[torch.Tensor], torch.Tensor]] = []
    for layer in net:
        if isinstance(layer, nn.Linear):
            layers.append(_linear(layer.weight, layer.bias))
        else:
            layers.append(_ACTIVATION_FUNCTIONS[type(layer)])

    def forward(x: torch.Tensor) -> torch.Tensor:
        for layer in layers:
            x = layer(x)
        return x

    return forward


def _linear(weight: torch.Tensor, bias: torch.Tensor | None) -> Callable[[torch.Tensor], torch.Tensor]:
    def linear(x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, weight, bias)

    return linear


def count_parameters(net: nn.Module) -> int:
    """Number of trainable weights and biases."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)
