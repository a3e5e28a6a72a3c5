"""Stalling: a module whose import never returns (an experiment left at module level)."""
import time

time.sleep(10_000)


def add(a, b):
    return a + b


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
