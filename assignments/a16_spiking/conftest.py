"""Makes this folder importable in tests: pytest puts a rootless conftest.py's folder on sys.path.

So ``tests/`` can ``import lif_neuron``, ``import spike_encoding`` and so on.
"""
