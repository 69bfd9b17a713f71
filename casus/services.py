"""What every domain's services share: the error they raise when a change is not acceptable."""

from __future__ import annotations


class ServiceError(Exception):
    """A change refused for a reason the user can fix. ``field`` names the form field, if any.

    The message is Dutch and safe to show; views put it next to the field or in a flash message,
    the API puts it in a problem+json body.
    """

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
