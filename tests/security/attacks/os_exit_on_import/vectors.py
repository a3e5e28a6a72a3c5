"""Forgery: end the process with status 0 as soon as the module is imported."""
import os

os._exit(0)


def add(a, b):
    return a + b


class Scaler:
    def __init__(self, k): self.k = k
    def forward(self, x): return self.k * x
