"""The register of processing activities (:mod:`casus.processing`) for the privacy officer: a page, a CSV export
(``;``, UTF-8 with BOM, as Dutch Excel opens it) and a JSON export. Reading and exporting it are audited."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, render_template

from casus import clock
from casus.audit.services import record
from casus.labels import translate
from casus.policy import reads_audit_log
from casus.processing import (
    ACTIVITIES,
    CONTROLLER,
    REGISTER_VERSION,
    SECURITY_MEASURES,
    TRANSFERS,
    ProcessingActivity,
)
from casus.security import requires
from casus.web.exports import CSV_MIMETYPE, csv_cell

bp = Blueprint("audit_register", __name__, url_prefix="/audit/verwerkingen")

CSV_HEADERS = ("id", "naam", "naam (Engels)", "doel", "grondslag", "wettelijke grondslagen", "betrokkenen",
               "persoonsgegevens", "ontvangers", "bewaartermijn", "registerversie")
LIST_SEPARATOR = " | "  # between the items of one cell: none of the texts holds it


@bp.get("")
@requires(reads_audit_log)
def index():
    record("audit.register.view", object_type="processing_register", object_id=REGISTER_VERSION)
    return render_template("audit/register.html", activities=ACTIVITIES, version=REGISTER_VERSION,
                           controller=CONTROLLER, transfers=TRANSFERS, security_measures=SECURITY_MEASURES)


@bp.get("/export.csv")
@requires(reads_audit_log)
def export_csv():
    return _download(register_csv(), "csv", CSV_MIMETYPE)


@bp.get("/export.json")
@requires(reads_audit_log)
def export_json():
    return _download(register_json(), "json", "application/json")


def _download(body: bytes, fmt: str, mimetype: str) -> Response:
    record("audit.register.export", object_type="processing_register", object_id=REGISTER_VERSION,
           details={"format": fmt})
    name = f"verwerkingsregister-{REGISTER_VERSION}-{clock.today().isoformat()}.{fmt}"
    # content_type, as is: `mimetype=` would add a second charset to the CSV's
    return Response(body, content_type=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _row(entry: ProcessingActivity) -> list[str]:
    return [csv_cell(value) for value in (
        entry.id, translate(entry.name, "nl"), translate(entry.name, "en"), entry.purpose, entry.legal_basis,
        LIST_SEPARATOR.join(entry.legal_sources), LIST_SEPARATOR.join(entry.data_subjects),
        LIST_SEPARATOR.join(entry.data_categories), LIST_SEPARATOR.join(entry.recipients), entry.retention,
        REGISTER_VERSION)]


def register_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    writer.writerows(_row(entry) for entry in ACTIVITIES)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _entry(entry: ProcessingActivity) -> dict:
    return {"id": entry.id, "name": {"nl": translate(entry.name, "nl"), "en": translate(entry.name, "en")},
            "purpose": entry.purpose, "legalBasis": entry.legal_basis, "legalSources": list(entry.legal_sources),
            "dataSubjects": list(entry.data_subjects), "dataCategories": list(entry.data_categories),
            "recipients": list(entry.recipients), "retention": entry.retention}


def register_json() -> bytes:
    register = {"version": REGISTER_VERSION, "controller": CONTROLLER, "transfers": TRANSFERS,
                "securityMeasures": SECURITY_MEASURES, "activities": [_entry(entry) for entry in ACTIVITIES]}
    return json.dumps(register, ensure_ascii=False, indent=2).encode("utf-8")
