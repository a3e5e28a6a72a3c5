"""Split and permuted digits streams (written from the handout)."""

import numpy as np
import torch
from torch import Tensor

Experience = dict[str, Tensor]


def _pool(seed: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    import dnn.data  # lazily: scikit-learn takes a second to import

    d = dnn.data.load_digits(seed=seed)
    xs = np.vstack([d["train"].x, d["val"].x])
    ys = np.hstack([d["train"].y, d["val"].y])
    return (torch.from_numpy(xs).float(), torch.from_numpy(ys).long(),
            torch.from_numpy(d["test"].x).float(), torch.from_numpy(d["test"].y).long())


def split_digits(n_experiences: int = 5, *, seed: int = 0) -> list[Experience]:
    """Experience t: the classes order[t*k:(t+1)*k]."""
    if n_experiences not in (1, 2, 5, 10):
        raise ValueError("n_experiences must divide 10")
    x_tr, y_tr, x_te, y_te = _pool(seed)
    groups = np.split(np.random.default_rng(seed).permutation(10), n_experiences)
    out: list[Experience] = []
    for group in groups:
        tr = np.isin(y_tr.numpy(), group)
        te = np.isin(y_te.numpy(), group)
        out.append({"x_train": x_tr[torch.from_numpy(tr)], "y_train": y_tr[torch.from_numpy(tr)],
                    "x_test": x_te[torch.from_numpy(te)], "y_test": y_te[torch.from_numpy(te)],
                    "classes": torch.tensor(group.tolist(), dtype=torch.int64)})
    return out


def permuted_digits(n_experiences: int = 3, *, seed: int = 0) -> list[Experience]:
    """Experience t: every digit with its pixels permuted by p_t."""
    x_tr, y_tr, x_te, y_te = _pool(seed)
    out: list[Experience] = []
    for t in range(n_experiences):
        if t:
            gen = torch.Generator()
            gen.manual_seed(seed + t)
            p = torch.randperm(64, generator=gen)
        else:
            p = torch.arange(64)
        out.append({"x_train": torch.index_select(x_tr, 1, p), "y_train": y_tr.clone(),
                    "x_test": torch.index_select(x_te, 1, p), "y_test": y_te.clone(),
                    "classes": torch.arange(10), "permutation": p})
    return out


def mask_logits(logits: Tensor, classes: Tensor) -> Tensor:
    """-inf outside classes."""
    out = torch.full_like(logits, float("-inf"))
    cols = classes.to(logits.device)
    out[:, cols] = logits[:, cols]
    return out
