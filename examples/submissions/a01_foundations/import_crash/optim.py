"""First-order optimisers with the exact update rules of torch.optim.

The interface is functional on the arrays and stateful on the optimiser:

    opt = Adam(lr=1e-3)
    new_params = opt.step(params, grads)   # lists of arrays, same order and shapes

``step`` must NOT modify ``params`` or ``grads`` in place: it returns new arrays, and keeps its own
state (momentum buffers, moment estimates, step count) between calls, one entry per parameter,
matched by position in the list.
"""

import numpy as np

STEP_SIZES = np.load("step_sizes.npy")  # only on the student's laptop


class SGD:
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay."""

    def __init__(
        self,
        lr: float = 1e-3,
        *,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        if nesterov and momentum <= 0.0:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.buffers: list[np.ndarray] = []  # one momentum buffer per parameter, made at step 1

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """One update of every parameter, as torch.optim.SGD (dampening 0).

        For each parameter p with gradient g (lr, mu = momentum, lam = weight_decay):
            d = g + lam p                                   (L2 weight decay)
            if mu != 0:
                b = d                   at the first step
                b = mu b + d            afterwards          (b kept in self.buffers)
                d = d + mu b            if nesterov, else d = b
            p_new = p - lr d

        Returns:
            the list of updated parameters, same shapes as ``params``.
        """
        updated = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            d = g + self.weight_decay * p
            if self.momentum != 0.0:
                if i < len(self.buffers):
                    self.buffers[i] = self.momentum * self.buffers[i] + d
                else:
                    self.buffers.append(d.copy())
                d = d + self.momentum * self.buffers[i] if self.nesterov else self.buffers[i]
            updated.append(p - self.lr * d)
        return updated


class RMSProp:
    """RMSProp: divide the step by a running root-mean-square of the gradients."""

    def __init__(self, lr: float = 1e-2, *, alpha: float = 0.99, eps: float = 1e-8) -> None:
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.square_avg: list[np.ndarray] = []  # one per parameter, zeros before step 1

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """One update of every parameter, as torch.optim.RMSprop (not centred, no momentum).

        For each parameter p with gradient g:
            v = alpha v + (1 - alpha) g^2        (v starts at 0; kept in self.square_avg)
            p_new = p - lr g / (sqrt(v) + eps)

        Returns:
            the list of updated parameters, same shapes as ``params``.
        """
        if not self.square_avg:
            self.square_avg = [np.zeros_like(p) for p in params]
        updated = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self.square_avg[i] = self.alpha * self.square_avg[i] + (1.0 - self.alpha) * g**2
            updated.append(p - self.lr * g / (np.sqrt(self.square_avg[i]) + self.eps))
        return updated


class Adam:
    """Adam with L2 weight decay added to the gradient (like torch.optim.Adam)."""

    def __init__(
        self,
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.t = 0  # number of steps taken
        self.m: list[np.ndarray] = []  # first-moment estimates, zeros before step 1
        self.v: list[np.ndarray] = []  # second-moment estimates, zeros before step 1

    def adam_update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """The Adam update itself, without any weight decay.

        Increment the step count t (t = 1 at the first call), then for each p, g:
            m = beta1 m + (1 - beta1) g
            v = beta2 v + (1 - beta2) g^2
            m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)     (bias corrections)
            p_new = p - lr m_hat / (sqrt(v_hat) + eps)

        Returns:
            the list of updated parameters, same shapes as ``params``.
        """
        beta1, beta2 = self.betas
        if not self.m:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        updated = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self.m[i] = beta1 * self.m[i] + (1.0 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1.0 - beta2) * g**2
            m_hat = self.m[i] / (1.0 - beta1**self.t)
            v_hat = self.v[i] / (1.0 - beta2**self.t)
            updated.append(p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps))
        return updated

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """One Adam step with L2 weight decay: use g + weight_decay * p as the gradient.

        Returns:
            ``adam_update(params, [g + weight_decay p for each p, g])``.
        """
        decayed = [g + self.weight_decay * p for p, g in zip(params, grads, strict=True)]
        return self.adam_update(params, decayed)


class AdamW(Adam):
    """Adam with decoupled weight decay (like torch.optim.AdamW; note its default 1e-2)."""

    def __init__(
        self,
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """One AdamW step: shrink the parameters, then take a plain Adam step on the raw gradients.

            p' = p (1 - lr weight_decay)
            p_new = adam_update([p'], [g])     (the gradient does NOT include weight decay)

        Returns:
            the list of updated parameters, same shapes as ``params``.
        """
        shrunk = [p * (1.0 - self.lr * self.weight_decay) for p in params]
        return self.adam_update(shrunk, grads)
