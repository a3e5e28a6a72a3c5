"""People-facing commands for instructors and teaching assistants (code similarity)."""
