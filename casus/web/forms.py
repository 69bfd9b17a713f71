"""What a view does with a submitted form: validate it, call the service, and show the outcome — a refusal next to
its field or in a flash message, a stale save as a conflict, a refused workflow step with every failing guard.

:func:`submit_form` is that pattern in one call; views with more outcomes than these use the pieces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casus.i18n import current_locale
from casus.services import ServiceError
from casus.versioning import StaleVersion
from casus.web.fields import MISSING_VERSION
from workflow import TransitionRefused

LOCKED = 423  # a case under a beperking (casus.subject_requests.restriction)
CONFLICT = _l("Iemand anders heeft dit intussen gewijzigd; uw wijziging is niet opgeslagen. Hieronder staat wat nu "
              "is opgeslagen, met uw invoer nog in het formulier. Controleer het en sla opnieuw op.")


def version_of(form) -> int:
    """The version a validated form carried."""
    return int(form.version.data)


def missing_version(form) -> bool:
    """True (and the message flashed) when ``form`` came without a usable version."""
    if "version" in form and form.version.errors:
        flash(str(MISSING_VERSION), "error")
        return True
    return False


def is_stale(error: Exception) -> bool:
    """A save refused because the object changed since the form was loaded (``versioning.StaleVersion``)."""
    return isinstance(error, StaleVersion)


def show_conflict() -> None:
    """A stale save: say so. The view re-renders (409) with what is stored now and, in the form, the user's input;
    templates write the object's current version into the form, so the next save is checked against that."""
    flash(str(CONFLICT), "error")


def flash_refusal(refused: TransitionRefused, summary: str | None = None) -> None:
    """A refused workflow step on a page: a summary (nothing changed), then every failing guard's message."""
    flash(summary or _("Dit kon niet. Er is niets gewijzigd."), "error")
    for message in refused.messages(current_locale()):
        flash(message, "error")


def show_service_error(form, error: ServiceError) -> None:
    """Put a refused change next to its field, or in a flash message when it concerns no field."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")


@dataclass(frozen=True)
class Submission:
    """What became of a submitted form. True when the change was saved (``result`` is what the service returned);
    otherwise the form was invalid, the change refused (its message on the form or flashed) or ``stale``."""

    form: Any
    saved: bool = False
    stale: bool = False
    result: Any = None

    def __bool__(self) -> bool:
        return self.saved

    @property
    def status(self) -> int:
        """The status to show the form again with: 409 for a stale save (the page shows what is stored now), 400
        for a form without its version, else 200."""
        if self.stale:
            return 409
        return 400 if "version" in self.form and self.form.version.errors else 200


def submit_form(form, change: Callable[[], Any], *, success: str | Callable[[Any], str] | None = None) -> Submission:
    """Validate ``form`` and, if it is valid, carry out ``change`` (the service call, reading the form's data).

    A refused change goes next to its field or into a flash message; a stale save flashes the conflict; a saved one
    flashes ``success`` (a text, or a function of the service's result). The view redirects when the answer is
    true, and otherwise shows the form again with :attr:`Submission.status`."""
    if not form.validate_on_submit():
        return Submission(form)
    try:
        result = change()
    except ServiceError as error:
        if error.status == LOCKED:
            raise  # a case under a beperking: the whole change is refused and rolled back (casus.errors shows it)
        if is_stale(error):
            show_conflict()
            return Submission(form, stale=True)
        show_service_error(form, error)
        return Submission(form)
    if success is not None:
        flash(success(result) if callable(success) else success, "success")
    return Submission(form, saved=True, result=result)
