"""The print stylesheet against page breaks: a captioned table may start anywhere on a page, also where only its
caption would fit, and the tagged PDF is still written (found through the access matrix's long case summary)."""

from __future__ import annotations

from print_support import pdf_text

from casus.printing.rendering import header, render_pdf

TEMPLATE = """{% extends "printing/base_print.html" %}{% block content %}
{% for _ in range(paragraphs) %}<p>Regel {{ loop.index }}</p>{% endfor %}
<table><caption>Acties</caption><thead><tr><th>Actie</th><th>Status</th></tr></thead>
<tbody>{% for row in range(6) %}<tr><td>Actie {{ row }}</td><td>open</td></tr>{% endfor %}</tbody></table>
{% endblock %}"""


def test_a_captioned_table_at_every_place_on_a_page_prints(app):
    with app.test_request_context():
        template = app.jinja_env.from_string(TEMPLATE)  # get_template hands a Template object back as it is
        for paragraphs in range(30, 62):  # the table's caption meets the page's end somewhere in this range
            pdf = render_pdf(template, header("Proef", "GGZ Voorbeeld"), paragraphs=paragraphs)
            assert "Acties" in pdf_text(pdf), paragraphs
