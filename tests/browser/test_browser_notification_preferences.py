"""A partner chooses, on "Meldingen — voorkeuren", to see one kind of notification only in Casus (Chromium, axe)."""

import sqlalchemy as sa

from browser_support import create_live_user, log_in, wait_for_axe


def test_partner_chooses_in_app_only_for_one_kind(page, live_app, live_db):
    from casus.notifications.models import Delivery, NotificationPreference

    partner = create_live_user(live_db, "partner", name="Pim Partner")
    log_in(page, partner)
    page.goto("/meldingen")
    wait_for_axe(page)
    page.click("text=Voorkeuren: e-mail of dagoverzicht")
    wait_for_axe(page)
    assert page.inner_text("h1") == "Meldingen — voorkeuren"
    group = page.get_by_role("group", name="Uiterste datum van een actie gewijzigd")
    assert group.get_by_label("In het dagelijkse overzicht").is_checked()
    group.get_by_label("Alleen in Casus").check()
    page.click("button >> text=Voorkeuren opslaan")
    wait_for_axe(page)
    assert "Uw voorkeuren voor meldingen zijn opgeslagen." in page.inner_text("main")
    group = page.get_by_role("group", name="Uiterste datum van een actie gewijzigd")
    assert group.get_by_label("Alleen in Casus").is_checked()
    with live_app.app_context():
        stored = live_db.session.execute(sa.select(NotificationPreference.kind, NotificationPreference.delivery)
                                         .where(NotificationPreference.user_id == partner.id)).all()
    assert stored == [("action_due_changed", Delivery.IN_APP)]
