"""What people see: what changed tonight, the progress report, status, demo, export, docs."""
