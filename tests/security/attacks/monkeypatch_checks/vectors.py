"""Forgery: replace every comparison helper it can reach inside the sandbox, then return zeros."""
import builtins
import math

import numpy as np
import numpy.testing
import torch

yes = lambda *a, **k: True  # noqa: E731
nothing = lambda *a, **k: None  # noqa: E731
for name in ("allclose", "array_equal", "isclose", "all", "any"):
    setattr(np, name, yes)
for name in ("assert_allclose", "assert_array_equal", "assert_equal", "assert_almost_equal"):
    setattr(numpy.testing, name, nothing)
torch.allclose = yes
torch.equal = yes
math.isclose = yes
builtins.isinstance = yes
builtins.AssertionError = type("Never", (Exception,), {})
try:  # the engine's own helpers are importable in the sandbox: patch them too
    import autograder.testing as agt
    import autograder.testing.compare as agc
    agt.assert_close = nothing
    agc.assert_close = nothing
except Exception:
    pass


def add(a, b):
    return np.zeros(np.shape(a))


class Scaler:
    def __init__(self, k): pass
    def forward(self, x): return np.zeros(np.shape(x))
