from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort as smorest_abort

from casus.api.blueprint import ApiBlueprint
from casus.api.paging import page_body
from casus.edge import BIGINT_MAX
from casus.labels import translate
from casus.notifications import preferences, services
from casus.notifications.schemas import (
    MarkReadResultSchema,
    MarkReadSchema,
    NotificationPageSchema,
    NotificationPreferencesSchema,
    NotificationPreferencesUpdateSchema,
    NotificationQuerySchema,
    NotificationSchema,
    NotificationUpdateSchema,
)
from casus.pagination import decode_cursor

blp = ApiBlueprint("notifications_api", __name__, description="The caller's notifications")


def _with_title(user, notification):
    """The title in the caller's language (the stored one is in the language at creation)."""
    return {
        "id": notification.id, "kind": notification.kind, "title": services.title_of(notification, user.locale),
        "link": notification.link, "case_id": notification.case_id, "created_at": notification.created_at,
        "read_at": notification.read_at, "is_read": notification.is_read,
    }


@blp.route("/me/notifications")
class Notifications(MethodView):
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """The caller's notifications, newest first (keyset pagination with `cursor`)."""
        user = current_user._get_current_object()
        if args["cursor"] and decode_cursor(args["cursor"], int, max_id=BIGINT_MAX) is None:
            smorest_abort(400, errors={"query": {"cursor": ["Not a cursor from a previous page."]}})
        page = services.list_for(user, cursor=args["cursor"], unread_only=args["unread"], limit=args["limit"])
        return {**page_body(page, "notifications_api.Notifications"),
                "items": [_with_title(user, item) for item in page.items]}


@blp.route("/me/notifications/read")
class MarkRead(MethodView):
    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkReadResultSchema)
    def post(self, body):
        """Mark notifications read: those in `ids` (others' are ignored), or all unread ones."""
        user = current_user._get_current_object()
        return {"marked": services.mark_all_read(user, ids=body.get("ids"))}


@blp.route("/me/notifications/<bigint:id>")
class NotificationItem(MethodView):
    @blp.response(200, NotificationSchema)
    def get(self, id):
        """One of the caller's notifications."""
        user = current_user._get_current_object()
        notification = services.get_own(user, id) or abort(404)
        return _with_title(user, notification)

    @blp.arguments(NotificationUpdateSchema)
    @blp.response(200, NotificationSchema)
    def patch(self, body, id):
        """Mark one notification read (`{"read": true}`) or unread again."""
        user = current_user._get_current_object()
        notification = services.get_own(user, id) or abort(404)
        if body["read"]:
            services.mark_read(user, notification)
        else:
            services.mark_unread(user, notification)
        return _with_title(user, notification)



def _preferences_body(user, chosen) -> dict:
    return {"preferences": {kind: delivery.value for kind, delivery in chosen.items()},
            "kinds": [{"kind": spec.name, "label": translate(spec.label, user.locale or "nl"),
                       "default_delivery": spec.delivery.value} for spec in preferences.choosable_kinds()]}


@blp.route("/me/notification-preferences")
class NotificationPreferences(MethodView):
    @blp.response(200, NotificationPreferencesSchema)
    def get(self):
        """How each kind of notification reaches the caller: `direct` (e-mailed at once), `dagoverzicht` (in the
        daily digest e-mail, at CASUS_DIGEST_TIME) or `alleen_in_app` (no e-mail). Kinds never chosen show their
        default."""
        user = current_user._get_current_object()
        return _preferences_body(user, preferences.preferences_of(user))

    @blp.arguments(NotificationPreferencesUpdateSchema)
    @blp.response(200, NotificationPreferencesSchema)
    def put(self, body):
        """Choose the delivery of one or more kinds (`{"preferences": {"action_due_changed": "alleen_in_app"}}`);
        kinds left out keep theirs. An unknown kind or delivery is a 400 and changes nothing. Audited."""
        user = current_user._get_current_object()
        return _preferences_body(user, preferences.set_preferences(user, body["preferences"]))
