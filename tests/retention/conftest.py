"""Fixtures of the retention tests: the retention world (terms, archive fields, legal holds, extensions)."""

from retention_world import ret_world  # noqa: F401  (a fixture, shared by the modules here)
