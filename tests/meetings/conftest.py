"""Fixtures for the meeting tests."""

from smtp_support import smtp_server  # noqa: F401 (the fixture, for the tests here that send e-mail)
