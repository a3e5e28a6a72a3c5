"""Integrations with the tools a course already uses: nbgrader, Gradescope, LMS gradebooks."""
