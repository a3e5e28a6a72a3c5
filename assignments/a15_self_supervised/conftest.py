"""Makes this folder importable in tests: pytest puts a rootless conftest.py's folder on sys.path.

So ``tests/`` can ``import metric`` and ``import attacks``.
"""
