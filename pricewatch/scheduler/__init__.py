"""The scheduler process: periodic jobs declared as data, executed exactly once via the database."""
