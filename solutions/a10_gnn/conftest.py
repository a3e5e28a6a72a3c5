"""Makes this folder importable in tests: pytest puts a rootless conftest.py's folder on sys.path.

So ``tests/`` can ``import message_passing``, ``import dynamic_gnn`` and so on.
"""
