"""What ends a run's instances and settles its record: shared by the workflow's tasks and the sweeper."""
