"""What every domain's forms and views share."""

from __future__ import annotations

from flask import flash

from casus.services import ServiceError


def show_service_error(form, error: ServiceError) -> None:
    """Put a refused change next to its field, or in a flash message when it concerns no field."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")
