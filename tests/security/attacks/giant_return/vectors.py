"""Huge outputs: return an array of a terabyte that costs nothing to make (a broadcast view)."""
import numpy as np


def add(a, b):
    return np.broadcast_to(np.float64(0), (2**40,))


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
