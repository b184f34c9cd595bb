"""Database adapter: models, engine and session handling, migrations."""
