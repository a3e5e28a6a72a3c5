"""Grading: intake, static checks, the judge, scoring, results, batches and reports."""
