"""First-order optimisers with the exact update rules of torch.optim.

The interface is functional on the arrays and stateful on the optimiser:

    opt = Adam(lr=1e-3)
    new_params = opt.step(params, grads)   # lists of arrays, same order and shapes

``step`` must NOT modify ``params`` or ``grads`` in place: it returns new arrays, and keeps its own
state (momentum buffers, moment estimates, step count) between calls, one entry per parameter,
matched by position in the list.
"""

import math

import numpy as np


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
        # velocity v = -lr * (torch's momentum buffer), per parameter index, made at step 1
        self.buffers: dict[int, np.ndarray] = {}

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
        out = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            d = g + self.weight_decay * p if self.weight_decay else g
            if not self.momentum:
                out.append(p - self.lr * d)
                continue
            # velocity form: v = -lr b, so v <- mu v - lr d (v = -lr d at the first step)
            v = self.buffers.get(i)
            v = -self.lr * d if v is None else self.momentum * v - self.lr * d
            self.buffers[i] = v
            out.append(p + (self.momentum * v - self.lr * d if self.nesterov else v))
        return out


class RMSProp:
    """RMSProp: divide the step by a running root-mean-square of the gradients."""

    def __init__(self, lr: float = 1e-2, *, alpha: float = 0.99, eps: float = 1e-8) -> None:
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.square_avg: dict[int, np.ndarray] = {}  # per parameter index; absent = zeros

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """One update of every parameter, as torch.optim.RMSprop (not centred, no momentum).

        For each parameter p with gradient g:
            v = alpha v + (1 - alpha) g^2        (v starts at 0; kept in self.square_avg)
            p_new = p - lr g / (sqrt(v) + eps)

        Returns:
            the list of updated parameters, same shapes as ``params``.
        """
        out = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            v = self.square_avg.get(i, 0.0)
            v = v + (1.0 - self.alpha) * (g * g - v)  # = alpha v + (1 - alpha) g^2
            self.square_avg[i] = v
            out.append(p - self.lr * g / (np.sqrt(v) + self.eps))
        return out


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
        self.m: dict[int, np.ndarray] = {}  # first moments per parameter index; absent = zeros
        self.v: dict[int, np.ndarray] = {}  # second moments per parameter index; absent = zeros

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
        self.t += 1
        beta1, beta2 = self.betas
        c1, c2 = 1.0 - beta1**self.t, 1.0 - beta2**self.t
        # Kingma & Ba's "efficient" form: fold both bias corrections into the step size, and scale
        # eps by sqrt(c2) so that lr m_hat / (sqrt(v_hat) + eps) is unchanged
        step_size = self.lr * math.sqrt(c2) / c1
        eps_hat = self.eps * math.sqrt(c2)
        out = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            m = self.m.get(i, 0.0)
            v = self.v.get(i, 0.0)
            m = m + (1.0 - beta1) * (g - m)
            v = v + (1.0 - beta2) * (g * g - v)
            self.m[i], self.v[i] = m, v
            out.append(p - step_size * m / (np.sqrt(v) + eps_hat))
        return out

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """One Adam step with L2 weight decay: use g + weight_decay * p as the gradient.

        Returns:
            ``adam_update(params, [g + weight_decay p for each p, g])``.
        """
        if not self.weight_decay:
            return self.adam_update(params, grads)
        l2 = [g + self.weight_decay * p for p, g in zip(params, grads, strict=True)]
        return self.adam_update(params, l2)


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
        shrunk = [p - (self.lr * self.weight_decay) * p for p in params]
        return self.adam_update(shrunk, list(grads))
