"""Use cases: a session and plain arguments in; they flush, never commit (the edges commit)."""
