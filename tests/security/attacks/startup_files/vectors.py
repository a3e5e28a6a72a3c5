"""Forgery: startup and configuration files that try to run code in the judge or the sandbox
(conftest.py, sitecustomize.py, usercustomize.py, a .pth file, pytest.ini, pyproject.toml,
setup.cfg, tox.ini), with wrong answers in the module itself."""
import numpy as np


def add(a, b):
    return np.zeros(np.shape(a))


class Scaler:
    def __init__(self, k): pass
    def forward(self, x): return np.zeros(np.shape(x))
