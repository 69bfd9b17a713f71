"""The per-organisation agenda PDF as an attachment of a meeting invitation's e-mail.

An invitation notification whose params say ``agenda_pdf`` (``meetings.calendar.notify_attendees(...,
attach_agenda=True)``) carries, besides the .ics, the agenda as the recipient's organisation receives it: only the
items of cases that organisation takes part in, within what the recipient may see — built at send time, like
the .ics, so it is the agenda as it is when the e-mail goes out. Registered at app start around the calendar's
builders (``with_agenda``); printing stands above meetings and notifications, so neither imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import wraps

from flask_babel import force_locale

from casus.extensions import db
from casus.meetings.models import Meeting
from casus.notifications.services import Attachment, AttachmentBuilder, Recipient
from casus.organisations.models import Organisation
from casus.printing import services
from casus.users.models import User


def with_agenda(builders: Mapping[str, AttachmentBuilder]) -> dict[str, AttachmentBuilder]:
    """``builders`` with each one also attaching the agenda PDF when its notification asks for it."""
    return {kind: _with_agenda(builder) for kind, builder in builders.items()}


def _with_agenda(builder: AttachmentBuilder) -> AttachmentBuilder:
    @wraps(builder)
    def build(notification, *, recipient: Recipient, **kwargs):
        calendar_file = builder(notification, recipient=recipient, **kwargs)  # raises SkipEmail as it always did
        params = notification.params or {}
        if not params.get("agenda_pdf") or params.get("method", "REQUEST") != "REQUEST":
            return calendar_file
        return (calendar_file, agenda_attachment(params["meeting_id"], recipient))
    return build


def agenda_attachment(meeting_id: int, recipient: Recipient) -> Attachment:
    """The agenda PDF for the recipient's organisation, in the recipient's language (audited as a print)."""
    meeting = db.session.get(Meeting, meeting_id)
    user = db.session.get(User, recipient.id)
    organisation = db.session.get(Organisation, recipient.organisation_id)
    with force_locale(recipient.language):
        pack = services.render_agenda(user, meeting, organisation, emailed=True)
    return Attachment(filename=pack.filename, content=pack.data, maintype="application", subtype="pdf")
