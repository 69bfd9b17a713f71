"""The body of one page of a keyset-paginated list, the same for every list the API has."""

from __future__ import annotations

from flask import request, url_for


def page_body(page, endpoint: str, **values) -> dict:
    """``items``, the opaque ``next`` cursor and the ``links.next`` URL: this request's query again (every
    filter kept) with the next cursor, or null on the last page. ``page`` has ``items`` and ``next_cursor``."""
    args = {key: value for key, value in request.args.items() if key != "cursor"}
    next_url = (url_for(endpoint, **values, **args, cursor=page.next_cursor, _external=False)
                if page.next_cursor else None)
    return {"items": page.items, "next": page.next_cursor, "links": {"next": next_url}}
