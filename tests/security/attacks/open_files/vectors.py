"""Escaping: open thousands of files and sockets and keep them."""
import socket

kept = []


def add(a, b):
    for _ in range(100_000):
        kept.append(open("/submission/vectors.py"))
        kept.append(socket.socket(socket.AF_UNIX))  # inet sockets are refused outright
    return a + b


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
