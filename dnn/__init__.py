"""The course's small shared library: data loaders, gradient checks and plots.

Students, assignments and tests import its modules directly (``dnn.data``, ``dnn.gradcheck``,
``dnn.viz``); this package exports nothing itself so importing it stays cheap.
"""
