"""The DNN course grading engine: release, sandboxed judge, scores and reports."""
