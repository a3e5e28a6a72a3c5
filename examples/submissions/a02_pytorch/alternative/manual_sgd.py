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
        for param in self.params:
            if param.grad is not None:
                param.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place, following the module docstring.

        Parameters whose ``.grad`` is None are skipped (their buffers untouched). Do the update
        under ``torch.no_grad()`` so it is not recorded by autograd, and keep the momentum
        buffers in ``self.buffers``.
        """
        # All parameters that have a gradient are updated together as one flat vector per
        # quantity (parameters, gradients, buffers), then the results are split back.
        active = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not active:
            return
        with torch.no_grad():
            sizes = [self.params[i].numel() for i in active]
            flat_p = torch.cat([self.params[i].detach().reshape(-1) for i in active])
            flat_g = torch.cat([self.params[i].grad.reshape(-1) for i in active])
            d = flat_g + self.weight_decay * flat_p if self.weight_decay != 0 else flat_g
            if self.momentum != 0:
                mu = self.momentum
                # a parameter's previous buffer, or None at its first step
                old = [self.buffers[i] for i in active]
                fresh = torch.tensor([b is None for b in old], device=flat_p.device)
                prev = torch.cat([
                    torch.zeros(n, dtype=d.dtype, device=d.device) if b is None
                    else b.reshape(-1) for b, n in zip(old, sizes, strict=True)
                ])
                first = torch.repeat_interleave(fresh, torch.tensor(sizes, device=fresh.device))
                buf = torch.where(first, d, mu * prev + (1 - self.dampening) * d)
                if self.nesterov:
                    # dampening is 0 here: d + mu b = (1 + mu) d + mu^2 b_old after the first
                    # step, and d + mu d at the first
                    direction = torch.where(first, (1 + mu) * d, (1 + mu) * d + (mu * mu) * prev)
                else:
                    direction = buf
                for i, chunk in zip(active, torch.split(buf, sizes), strict=True):
                    self.buffers[i] = chunk.reshape(self.params[i].shape).clone()
            else:
                direction = d
            new_p = flat_p - self.lr * direction
            for i, chunk in zip(active, torch.split(new_p, sizes), strict=True):
                self.params[i].copy_(chunk.reshape(self.params[i].shape))
