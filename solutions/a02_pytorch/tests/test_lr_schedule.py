"""Warm-up then cosine."""

import math

from lr_schedule import lr_factor, lr_trajectory


def test_warmup_then_cosine() -> None:
    kw = {"warmup_epochs": 2, "total_epochs": 10, "min_factor": 0.1}
    assert lr_factor(0, **kw) == 0.5 and lr_factor(1, **kw) == 1.0
    assert math.isclose(lr_factor(2, **kw), 1.0)
    assert math.isclose(lr_factor(6, **kw), 0.55)
    assert math.isclose(lr_factor(12, **kw), 0.1)
    lrs = lr_trajectory(0.2, 10, **kw)
    assert all(math.isclose(lr, 0.2 * lr_factor(e, **kw)) for e, lr in enumerate(lrs))
