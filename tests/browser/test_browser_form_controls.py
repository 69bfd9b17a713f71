"""Form controls as Chromium draws them: a select shows its arrow, and a required field is not red before the user
has done anything with it (only after a refused submit). Checked on the signal form, which has selects, text
boxes and a required textarea."""

import io

from PIL import Image

from browser_support import create_live_user, log_in, wait_for_axe

BORDER = "() => getComputedStyle(document.querySelector(SELECTOR)).borderInlineStartColor"


def open_signal_form(page, live_db):
    from casus.cases.categories import ensure_standard_categories

    ensure_standard_categories()
    live_db.session.commit()
    create_live_user(live_db, "procesregisseur")  # a team to report to
    log_in(page, create_live_user(live_db, "partner"))
    page.goto("/signalen/nieuw")
    wait_for_axe(page)


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    region = image.convert("L").crop(box)
    return sum(1 for value in region.tobytes() if value < 128)


def test_a_select_shows_its_arrow(page, live_db):
    open_signal_form(page, live_db)
    select = page.locator("#urgency")
    assert select.evaluate("el => getComputedStyle(el).backgroundImage").startswith('url("data:image/svg+xml')
    assert select.evaluate("el => getComputedStyle(el).appearance") == "none"  # the native arrow is gone
    shot = Image.open(io.BytesIO(select.screenshot()))
    width, height = shot.size
    # Inside the border: the arrow sits at the inline end; the same strip at the start holds only padding.
    inset = 4
    strip = height // 2
    arrow = dark_pixels(shot, (width - 2 * strip, inset, width - inset, height - inset))
    start = dark_pixels(shot, (inset, inset, inset + strip // 3, height - inset))
    assert arrow > 10, "no arrow drawn at the end of the select"
    assert start == 0
    # A text box of the same look has nothing at its end: the arrow is the select's own.
    textbox = page.locator("#subjects-0-name")
    box = Image.open(io.BytesIO(textbox.screenshot()))
    box_width, box_height = box.size
    assert dark_pixels(box, (box_width - 2 * strip, inset, box_width - inset, box_height - inset)) == 0


def test_a_required_textarea_is_red_only_after_a_refused_submit(page, live_db):
    open_signal_form(page, live_db)
    textarea = page.locator("#description")
    assert textarea.get_attribute("required") is not None
    normal = page.evaluate(BORDER.replace("SELECTOR", "'#subjects-0-name'"))
    untouched = page.evaluate(BORDER.replace("SELECTOR", "'#description'"))
    assert untouched == normal
    page.click("button >> text=Signaal versturen")
    wait_for_axe(page)
    assert page.locator("#description").get_attribute("aria-invalid") == "true"
    refused = page.evaluate(BORDER.replace("SELECTOR", "'#description'"))
    assert refused != normal
    assert refused == page.evaluate(BORDER.replace("SELECTOR", "'#category_id'"))  # the refused select: same red
