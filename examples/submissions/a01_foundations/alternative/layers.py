"""The building blocks of a network: the Module protocol, the affine layer and the container.

Every layer maps a batch x of shape (N, D_in) to y of shape (N, D_out). ``forward`` caches what
``backward`` needs; ``backward(dy)`` receives dL/dy (same shape as y), stores the gradients of
the layer's parameters (same order as ``params()``) and returns dL/dx (same shape as x).
"""

import functools
from collections.abc import Callable

import numpy as np
from initializers import he_normal, he_uniform, xavier_normal, xavier_uniform

INITIALIZERS: dict[str, Callable[[int, int, int], np.ndarray]] = {
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "xavier": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
}


class Module:
    """Base class of every layer: a differentiable map y = f(x), possibly with parameters."""

    def __init__(self) -> None:
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute y = f(x) for a batch x and cache what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Given dL/dy, store the parameter gradients and return dL/dx."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def params(self) -> list[np.ndarray]:
        """The trainable arrays of this layer (empty for parameter-free layers)."""
        return []

    def grads(self) -> list[np.ndarray]:
        """dL/dparam for each array of ``params()``, in the same order, after ``backward``."""
        return []

    def set_params(self, params: list[np.ndarray]) -> None:
        """Replace the trainable arrays (the optimisers return new arrays, see optim.py)."""
        if params:
            raise ValueError(f"{type(self).__name__} has no parameters, got {len(params)}")

    def train(self) -> None:
        """Switch to training mode (matters for Dropout)."""
        self.training = True

    def eval(self) -> None:
        """Switch to evaluation mode (matters for Dropout)."""
        self.training = False


class Linear(Module):
    """Affine layer y = x W + b with W of shape (in_features, out_features)."""

    def __init__(
        self, in_features: int, out_features: int, *, seed: int = 0, init: str = "he"
    ) -> None:
        super().__init__()
        if init not in INITIALIZERS:
            raise ValueError(f"unknown init {init!r}; choose one of {sorted(INITIALIZERS)}")
        self.W = INITIALIZERS[init](in_features, out_features, seed)  # (in, out)
        self.b = np.zeros(out_features)  # (out,)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.x: np.ndarray | None = None  # the input of the last forward, for backward

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = x W + b.

        Args:
            x: (N, in_features).

        Returns:
            y: (N, out_features). Keep x in ``self.x`` for backward.
        """
        self.x = x
        return np.einsum("ni,io->no", x, self.W, optimize=True) + self.b

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Back-propagate through y = x W + b.

        dL/dW = x^T dy          stored in ``self.dW``, shape (in_features, out_features)
        dL/db = sum_n dy[n, :]  stored in ``self.db``, shape (out_features,)
        dL/dx = dy W^T          returned, shape (N, in_features)

        Args:
            dy: (N, out_features), the gradient of the loss with respect to y.
        """
        self.dW = np.einsum("ni,no->io", self.x, dy, optimize=True)
        self.db = np.einsum("no->o", dy)
        return np.einsum("no,io->ni", dy, self.W, optimize=True)

    def params(self) -> list[np.ndarray]:
        return [self.W, self.b]

    def grads(self) -> list[np.ndarray]:
        return [self.dW, self.db]

    def set_params(self, params: list[np.ndarray]) -> None:
        W, b = params
        if W.shape != self.W.shape or b.shape != self.b.shape:
            raise ValueError(
                f"expected shapes {self.W.shape}, {self.b.shape}; got {W.shape}, {b.shape}"
            )
        self.W = np.asarray(W, dtype=np.float64)
        self.b = np.asarray(b, dtype=np.float64)


class Sequential(Module):
    """A chain of layers: y = f_K(... f_2(f_1(x)))."""

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        self.layers = list(layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply the layers in order: x -> f_1(x) -> f_2(f_1(x)) -> ...

        Args:
            x: (N, D_in).

        Returns:
            the output of the last layer, (N, D_out).
        """
        return functools.reduce(lambda h, layer: layer.forward(h), self.layers, x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Back-propagate (chain rule): call each layer's backward in REVERSE order.

        Args:
            dy: (N, D_out), dL/d(output of the last layer).

        Returns:
            dL/dx, (N, D_in). Every layer has stored its own parameter gradients on the way.
        """
        return functools.reduce(lambda g, layer: layer.backward(g), reversed(self.layers), dy)

    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads()]

    def set_params(self, params: list[np.ndarray]) -> None:
        if len(params) != len(self.params()):
            raise ValueError(f"expected {len(self.params())} arrays, got {len(params)}")
        start = 0
        for layer in self.layers:
            count = len(layer.params())
            layer.set_params(list(params[start : start + count]))
            start += count

    def train(self) -> None:
        super().train()
        for layer in self.layers:
            layer.train()

    def eval(self) -> None:
        super().eval()
        for layer in self.layers:
            layer.eval()
