"""Makes this folder importable in tests: pytest puts a rootless conftest.py's folder on sys.path.

So ``tests/`` can ``import boxes``, ``import nms`` and so on, from this folder or from above.
"""
