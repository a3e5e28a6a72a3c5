"""The digits split as tensors, shared by the graded tests of several parts."""

import torch

Split = tuple[torch.Tensor, torch.Tensor]


def digits(device: str) -> tuple[Split, Split]:
    """((x_train, y_train), (x_test, y_test)): float32 features (N, 64) and int64 labels, on
    ``device``, from ``dnn.data.load_digits(seed=0)``."""
    from dnn.data import load_digits

    d = load_digits(seed=0)

    def t(s: str) -> Split:
        return (torch.as_tensor(d[s].x, dtype=torch.float32, device=device),
                torch.as_tensor(d[s].y, device=device))

    return t("train"), t("test")
