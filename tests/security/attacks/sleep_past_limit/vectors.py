"""Escaping: sleep past the time limit (and ignore the signals that might stop it)."""
import signal
import time


def add(a, b):
    for sig in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    time.sleep(10_000)
    return a + b


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
