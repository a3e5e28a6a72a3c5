"""Makes this folder importable in tests: pytest puts a rootless conftest.py's folder on
sys.path.

So ``tests/`` can ``import episodes``, ``import protonet``, ``import maml``,
``import multitask`` and ``import text_transfer``.
"""
