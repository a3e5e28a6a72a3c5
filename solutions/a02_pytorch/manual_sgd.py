"""SGD written by hand: the update rule of torch.optim.SGD, on tensors that carry ``.grad``.

For each parameter p with gradient g (lambda = weight_decay, mu = momentum, tau = dampening):

    d = g + lambda p
    b = d                         at the first step (the buffer starts as a copy of d)
    b = mu b + (1 - tau) d        afterwards
    d = d + mu b  (nesterov)  or  d = b  (otherwise; only when mu != 0)
    p <- p - lr d
"""

from collections.abc import Iterable

import torch


class ManualSGD:
    """Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        # one momentum buffer per parameter, None until that parameter's first step
        self.buffers: list[torch.Tensor | None] = [None] * len(self.params)

    def zero_grad(self) -> None:
        """Forget the gradients: set every parameter's ``.grad`` to None."""
        ### BEGIN SOLUTION
        for p in self.params:
            p.grad = None
        ### END SOLUTION

    def step(self) -> None:
        """Update every parameter that has a gradient, in place, following the module docstring.

        Parameters whose ``.grad`` is None are skipped (their buffers untouched). Do the update
        under ``torch.no_grad()`` so it is not recorded by autograd, and keep the momentum
        buffers in ``self.buffers``.
        """
        ### BEGIN SOLUTION
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                d = p.grad
                if self.weight_decay:
                    d = d + self.weight_decay * p
                if self.momentum:
                    buf = self.buffers[i]
                    if buf is None:
                        buf = d.clone()
                    else:
                        buf = self.momentum * buf + (1 - self.dampening) * d
                    self.buffers[i] = buf
                    d = d + self.momentum * buf if self.nesterov else buf
                p.sub_(self.lr * d)
        ### END SOLUTION
