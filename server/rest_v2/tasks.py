"""REST v2: Tasks and task appointments (the Task and Task Appointments families)."""
