"""What every domain's services share: the error they raise when a change is not acceptable, and the longest free
text they accept."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext

# The longest free text a service stores (a note, an evaluation, minutes, a reason or motivation); forms and API
# schemas refuse longer input with the same number before it gets here.
MAX_TEXT = 20_000


def _translated(message: str, params: dict[str, object]) -> str:
    """The message in the user's language, with ``%(name)s`` placeholders filled in afterwards.

    Messages are Dutch literals in the code; the extractor collects every ``ServiceError("...")``
    (``-k ServiceError:1`` in scripts/translations.sh), so the message must never be an f-string:
    variable parts go in as keyword arguments.
    """
    if has_request_context():
        return gettext(message, **params)
    return message % params if params else message


class ServiceError(Exception):
    """A change refused for a reason the user can fix. ``field`` names the form field, if any.

    The message is Dutch and safe to show; views put it next to the field or in a flash message,
    the API puts it in a problem+json body. ``ServiceError("Hoogstens %(max)s tekens.", max=2000)``.
    """

    def __init__(self, message: str, field: str | None = None, status: int = 400, **params: object) -> None:
        self.message = _translated(message, params)
        # str(error) is what the CLI prints: the filled-in message, never the raw %(name)s template.
        super().__init__(self.message)
        self.field = field
        self.status = status
