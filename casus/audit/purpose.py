"""Purpose binding: where no routine processing activity covers an access — the privacy officer looking a person
up across all cases, a future break-glass access — the user states why before seeing anything.

A view decorated with :func:`purpose_required` first shows a form asking for the purpose (free text, at least
:data:`MIN_LENGTH` characters); only with a valid purpose does the view run, and every audit event of that request
carries the purpose (:func:`casus.audit.services.bind_purpose`). The purpose travels as the query parameter
``doel`` — a GET form, like the search it precedes, so the page's own links (a next page, an export) carry it on
with :func:`purpose_args`. Query strings are in no log: the request line has the route template only, and the
deployment's nginx format logs ``$uri`` without arguments.
"""

from __future__ import annotations

from functools import wraps

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from casus.audit.models import AuditEvent
from casus.audit.services import bind_purpose, stated_purpose

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "PARAMETER", "PurposeForm", "purpose_args", "purpose_required"]

PARAMETER = "doel"
MIN_LENGTH = 10
MAX_LENGTH = AuditEvent.__table__.c.purpose.type.length  # 200: what the audit event can hold


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class PurposeForm(FlaskForm):
    """GET, so no CSRF token: stating a purpose changes nothing until the page it opens is read (and audited)."""

    class Meta:
        csrf = False

    doel = TextAreaField(
        _l("Doel van deze raadpleging"), filters=[_stripped],
        validators=[DataRequired(_l("Vermeld waarom u deze gegevens raadpleegt.")),
                    Length(min=MIN_LENGTH, max=MAX_LENGTH,
                           message=_l("Beschrijf het doel in %(min)d tot %(max)d tekens."))])


def purpose_required(view):
    """Run ``view`` only once the user has stated a valid purpose; until then show the form asking for it, with
    the request's other query parameters carried along, and nothing else."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        form = PurposeForm(formdata=request.args)
        if not form.validate():
            carried = [(key, value) for key, value in request.args.items(multi=True) if key != PARAMETER]
            return render_template("audit/purpose.html", form=form, carried=carried, action=request.path,
                                   min_length=MIN_LENGTH)
        bind_purpose(form.doel.data)
        return view(*args, **kwargs)

    return wrapped


def purpose_args() -> dict[str, str]:
    """``{"doel": ...}`` for the links of a purpose-bound page, so its next page keeps the stated purpose."""
    purpose = stated_purpose()
    return {PARAMETER: purpose} if purpose else {}
