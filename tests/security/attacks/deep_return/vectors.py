"""Huge outputs: return a list nested a hundred thousand levels deep."""


def add(a, b):
    value = []
    for _ in range(100_000):
        value = [value]
    return value


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
