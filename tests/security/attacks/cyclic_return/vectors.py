"""Huge outputs: return a list that contains itself."""


def add(a, b):
    value = [a, b]
    value.append(value)
    return value


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
