"""Hardware drivers: one file per chip. Each takes its bus and pin objects from the board profile."""
