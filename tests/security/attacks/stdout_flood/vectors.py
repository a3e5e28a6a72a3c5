"""Huge outputs: write gigabytes to stdout and stderr."""
import sys


def add(a, b):
    line = "flood " * 1000 + "\n"
    for _ in range(400_000):  # about 2.4 GB
        sys.stdout.write(line)
        sys.stderr.write(line)
    return a + b


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
