"""People-facing commands for students: check a submission, pack it, the API it must keep."""
