"""Test support that is not a user feature (importable as `support.<module>`: tests/ is on sys.path)."""
