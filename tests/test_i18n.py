"""casus.i18n's per-process catalogues: what every request shares instead of loading it again."""

from __future__ import annotations

from babel.support import Translations


def test_wtforms_messages_come_from_one_catalogue_per_language(app, monkeypatch):
    """flask-wtf would read and parse WTForms' .mo file again in every request that needs a message."""
    from flask_wtf.i18n import translations

    from casus import i18n

    i18n._wtforms_catalogue.cache_clear()
    loads = []
    original = Translations.load.__func__

    def counting_load(cls, *args, **kwargs):
        loads.append(kwargs.get("domain"))
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Translations, "load", classmethod(counting_load))
    for _ in range(3):
        with app.test_request_context("/inloggen"):
            app.preprocess_request()
            assert translations.gettext("This field is required.") == "Dit veld is vereist."
    assert loads.count("wtforms") == 1


def test_templates_ask_flask_wtf_for_the_csrf_token_once_per_request(app, monkeypatch):
    """A page with a form per row calls csrf_token() a hundred times: the token of the request, made once."""
    from flask import render_template_string
    from flask_wtf.csrf import generate_csrf

    import casus

    calls = []

    def counting_generate_csrf():
        calls.append(1)
        return generate_csrf()

    monkeypatch.setattr(casus, "generate_csrf", counting_generate_csrf)
    with app.test_request_context("/"):
        rendered = render_template_string("{{ csrf_token() }} {{ csrf_token() }} {{ csrf_token() }}")
        assert rendered == " ".join([generate_csrf()] * 3)
    assert len(calls) == 1
