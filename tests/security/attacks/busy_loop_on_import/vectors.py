"""Stalling: a busy loop at module level ("train until converged") that never ends."""
loss = 1.0
while loss > 0:
    loss = loss * 0.5 + 1e-9


def add(a, b):
    return a + b


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
