from flask.views import MethodView
from flask_login import current_user

from casus.api import ApiBlueprint
from casus.users.schemas import MeSchema, MeUpdateSchema

blp = ApiBlueprint("me", __name__, description="The authenticated caller")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The caller's user, organisation and roles."""
        return current_user._get_current_object()

    @blp.arguments(MeUpdateSchema)
    @blp.response(200, MeSchema)
    def patch(self, changes):
        """Change the caller's preferences (needs the `write` scope)."""
        user = current_user._get_current_object()
        if "locale" in changes:
            user.locale = changes["locale"]
        return user
