"""Escaping: threads that keep running after the call returned; the answers are correct."""
import threading


def _spin():
    while True:
        pass


def add(a, b):
    threading.Thread(target=_spin).start()
    threading.Thread(target=_spin, daemon=True).start()
    return a + b


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
