"""Fixtures shared by the documents tests: a case with its team, partners and an outsider, and storage in a
directory of the test's own (tests/documents/document_world.py)."""

from document_world import doc_storage, docs_world  # noqa: F401 - fixtures
