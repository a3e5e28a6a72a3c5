"""Makes this folder importable in tests: pytest puts a rootless conftest.py's folder on sys.path.

So ``tests/`` can ``import resnet``, ``import cost`` and so on, from this folder or from above.
"""
