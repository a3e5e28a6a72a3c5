"""Authoring: release, solution markers, notebooks, selfcheck, the mistakes catalogue, examples
and mutants."""
