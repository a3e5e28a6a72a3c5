"""Escaping: allocate far more memory than the limit, then touch it."""
import numpy as np


def add(a, b):
    hog = np.ones((1024, 1024, 1024), dtype=np.float64)  # 8 GiB
    return a + b + hog[0, 0, 0] - 1


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
