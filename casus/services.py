"""What every domain's services share: the error they raise when a change is not acceptable."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _translated(message: str) -> str:
    """The message in the user's language. Messages are Dutch in the code; the extractor collects
    every literal ``ServiceError("...")`` (``-k ServiceError:1`` in scripts/translations.sh)."""
    return gettext(message) if has_request_context() else message


class ServiceError(Exception):
    """A change refused for a reason the user can fix. ``field`` names the form field, if any.

    The message is Dutch and safe to show; views put it next to the field or in a flash message,
    the API puts it in a problem+json body.
    """

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = _translated(message)
        self.field = field
        self.status = status
