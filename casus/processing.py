"""The register of processing activities (AVG art. 30): what Casus processes personal data for, on what legal
basis, about whom, for whom and for how long.

The register is code, versioned with the application: a change to it is a reviewed commit, and
:data:`REGISTER_VERSION` goes up with every change, so an export says which register it is. Every audit event
names the activity it belongs to and that activity's legal basis (Logboek Dataverwerkingen); how an event finds
its activity — by the page or API endpoint, else by its action — is :mod:`casus.audit.activities`. The privacy
officer reads and exports the register at ``/audit/verwerkingen`` (CSV and JSON).

An activity's name is a label (``N_``: Dutch, with its English in the catalogue). The other texts are the
controller's legal record and stay in Dutch, the language the register is kept and inspected in.
"""

from __future__ import annotations

from dataclasses import dataclass

from casus.labels import N_, Label

__all__ = ["ACTIVITIES", "CONTROLLER", "REGISTER_VERSION", "SECURITY_MEASURES", "TRANSFERS", "ProcessingActivity",
           "activity"]

REGISTER_VERSION = "2026.4"  # year.sequence: raise it with every change to the register below
CONTROLLER = ("De deelnemende gemeente(n) en partners van het Zorg- en Veiligheidshuis, elk verwerkings"
              "verantwoordelijke voor de eigen verstrekkingen, volgens het convenant; de gemeente van het "
              "Zorg- en Veiligheidshuis beheert Casus")
TRANSFERS = "Geen doorgifte naar landen buiten de Europese Economische Ruimte"
SECURITY_MEASURES = ("Need-to-know-toegang per casusdeelname, tweede factor voor rollen met ruime toegang, "
                     "versleuteld transport, een doorlopend en verzegeld auditlog (NEN 7513, BIO 12.4); "
                     "documenten versleuteld opgeslagen (AES-GCM), op virussen gescand en bij elke download aan "
                     "hun SHA-256 gecontroleerd")
LEGAL_BASIS_MAX = 80  # AuditEvent.legal_basis: the short form every event carries
ID_MAX = 40  # AuditEvent.activity

# Texts several activities share.
_AVG_TAAK = "AVG art. 6 lid 1 sub e (taak van algemeen belang)"
_GEZONDHEID = "AVG art. 9 lid 2 sub g en UAVG art. 30 lid 4 (gezondheidsgegevens)"
_STRAFRECHT = "UAVG art. 33 lid 5 (strafrechtelijke gegevens, samenwerkingsverband)"
_WPG = "Wet politiegegevens art. 20 (verstrekking aan samenwerkingsverbanden)"
_CONVENANT = "Convenant Zorg- en Veiligheidshuis"
_CASE_SUBJECTS = ("personen over wie een signaal of casus gaat", "bewoners van een betrokken adres",
                  "leden van een betrokken huishouden of groep", "vertegenwoordigers van een betrokken bedrijf")
_STAFF = ("medewerkers van de ketenpartners",)
_CASE_DATA = ("naam, geboortedatum en BSN", "adres (straat, huisnummer, postcode, woonplaats)", "KvK-nummer",
              "relaties tussen betrokkenen (familie, huishouden, groep, woonadres, eigendom)",
              "zorg- en veiligheidsproblematiek", "gegevens over gezondheid", "strafrechtelijke gegevens")
_CASE_RETENTION = ("De bewaartermijn die de privacyfunctionaris voor de categorie van de casus vaststelt (in "
                   "maanden na afsluiten; standaard 60); daarna vernietigen via een goedgekeurde vernietigingslijst, "
                   "tenzij bevroren of verlengd")
_LOG_RETENTION = ("Ten minste 5 jaar (NEN 7513); de gebeurtenissen van een vernietigde casus blijven voor de "
                  "verantwoording, met alleen nummers en gesleutelde hashes, nooit namen")


@dataclass(frozen=True)
class ProcessingActivity:
    """One row of the register. ``id`` is stored on every audit event of the activity (never renamed: add a new
    one instead); ``legal_basis`` is the short form stored beside it, ``legal_sources`` the full references."""

    id: str
    name: Label
    purpose: str
    legal_basis: str
    legal_sources: tuple[str, ...]
    data_subjects: tuple[str, ...]
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    retention: str


ACTIVITIES: tuple[ProcessingActivity, ...] = (
    ProcessingActivity(
        id="signaal_melden", name=N_("Signaal melden"),
        purpose="Een ketenpartner meldt zorgen over een persoon, adres of bedrijf, zodat het Zorg- en "
                "Veiligheidshuis kan wegen of een gezamenlijke aanpak nodig is; de melder ziet de status.",
        legal_basis="AVG 6(1)(e), 9(2)(g); UAVG 30, 33; Wpg 20; convenant ZVH",
        legal_sources=(_AVG_TAAK, _GEZONDHEID, _STRAFRECHT, _WPG, _CONVENANT),
        data_subjects=_CASE_SUBJECTS + _STAFF, data_categories=(*_CASE_DATA, "documenten bij het signaal"),
        recipients=("procesregisseurs van het ontvangende team", "de meldende organisatie (alleen de status)"),
        retention="Als de casus waarin het signaal is gebundeld; een signaal zonder casus de bewaartermijn van zijn "
                  "afloop (geen casus, doorverwezen, ingetrokken; standaard 12 maanden na afsluiten)"),
    ProcessingActivity(
        id="triage", name=N_("Triage"),
        purpose="Binnengekomen signalen wegen: bundelen, een casus openen of afsluiten zonder casus, en de "
                "triage van een casus vastleggen.",
        legal_basis="AVG 6(1)(e), 9(2)(g); UAVG 30, 33; convenant ZVH",
        legal_sources=(_AVG_TAAK, _GEZONDHEID, _STRAFRECHT, _CONVENANT),
        data_subjects=_CASE_SUBJECTS, data_categories=_CASE_DATA,
        recipients=("procesregisseurs en supervisors van het team",),
        retention=_CASE_RETENTION),
    ProcessingActivity(
        id="casusregie", name=N_("Casusregie"),
        purpose="Regie op een casus van zorg en veiligheid: het casusdossier met betrokkenen, partners, plan van "
                "aanpak, notities, documenten, akkoorden en tijdlijn, zodat de partners samen één aanpak "
                "uitvoeren; een afdrukbare samenvatting van de casus (PDF) voor wie deelneemt.",
        legal_basis="AVG 6(1)(e), 9(2)(g); UAVG 30, 33; Wpg 20; convenant ZVH",
        legal_sources=(_AVG_TAAK, _GEZONDHEID, _STRAFRECHT, _WPG, _CONVENANT,
                       "Geheimhoudingsverklaring voor een ad-hocdeelnemer"),
        data_subjects=_CASE_SUBJECTS + _STAFF,
        data_categories=(*_CASE_DATA, "afspraken en voortgang",
                         "scores op leefgebieden (zelfredzaamheid, waaronder gezondheid en justitie)",
                         "nazorgcontacten en signalen van terugval",
                         "documenten in het casusdossier (rapportages, besluiten, verklaringen, correspondentie, "
                         "foto's) met hun versies, zichtbaarheid en grondslag van verstrekking"),
        recipients=("ketenpartners met een actieve casusdeelname (alleen wat voor hen bestemd is)",
                    "procesregisseurs en supervisors van het team"),
        retention=_CASE_RETENTION),
    ProcessingActivity(
        id="casusoverleg", name=N_("Casusoverleg"),
        purpose="Casusoverleggen voorbereiden, voeren en vastleggen: agenda, verslag per casus (beeldvorming, "
                "oordeelsvorming, besluitvorming), besluiten en aanwezigheid; agenda's in de eigen kalender; "
                "agenda en verslag als PDF per uitgenodigde organisatie, met alleen de casussen waaraan zij "
                "deelneemt, ook als bijlage bij de uitnodiging.",
        legal_basis="AVG 6(1)(e), 9(2)(g); UAVG 30, 33; convenant ZVH",
        legal_sources=(_AVG_TAAK, _GEZONDHEID, _STRAFRECHT, _CONVENANT),
        data_subjects=_CASE_SUBJECTS + _STAFF,
        data_categories=(*_CASE_DATA, "besluiten en verslagen", "documenten bij een agendapunt"),
        recipients=("uitgenodigde organisaties met een actieve casusdeelname",),
        retention=_CASE_RETENTION),
    ProcessingActivity(
        id="escalatie", name=N_("Op- en afschalen"),
        purpose="Een casus die vastloopt opschalen naar tactisch of bestuurlijk niveau, het besluit daarover "
                "vastleggen en weer afschalen.",
        legal_basis="AVG 6(1)(e); Gemeentewet 172; UAVG 33; convenant ZVH",
        legal_sources=(_AVG_TAAK, "Gemeentewet art. 172 (openbare orde)", _STRAFRECHT, _CONVENANT),
        data_subjects=_CASE_SUBJECTS + _STAFF,
        data_categories=("casusnummer en titel", "reden en besluit van de escalatie"),
        recipients=("supervisors en ketenmanagers", "de burgemeester of de driehoek (bestuurlijk niveau)"),
        retention=_CASE_RETENTION),
    ProcessingActivity(
        id="riec_voordracht", name=N_("RIEC-voordracht"),
        purpose="Signalen van ondermijning voordragen aan het RIEC (na een vier-ogenbesluit) en het antwoord "
                "van het RIEC vastleggen; de voordracht als PDF zoals het RIEC haar ontvangt.",
        legal_basis="AVG 6(1)(e); UAVG 33; Wpg 20; RIEC-convenant",
        legal_sources=(_AVG_TAAK, _STRAFRECHT, _WPG, "Convenant Regionaal Informatie- en Expertisecentrum (RIEC)"),
        data_subjects=_CASE_SUBJECTS,
        data_categories=("samenvatting en indicatoren", "gedeelde betrokkenen zonder BSN",
                         "strafrechtelijke gegevens", "documenten bij de voordracht"),
        recipients=("het RIEC waaraan de voordracht is gericht",),
        retention=_CASE_RETENTION),
    ProcessingActivity(
        id="rapportage", name=N_("Rapportage"),
        purpose="Verantwoording en sturing met geaggregeerde aantallen (instroom, doorlooptijden, resultaten); "
                "kleine aantallen worden onderdrukt.",
        legal_basis="AVG 6(1)(e), 89; convenant ZVH",
        legal_sources=(_AVG_TAAK, "AVG art. 89 (statistische doeleinden, passende waarborgen)", _CONVENANT),
        data_subjects=_CASE_SUBJECTS, data_categories=("geaggregeerde aantallen per categorie, gemeente en fase",),
        recipients=("supervisors van het team",),
        retention="Niet opgeslagen: rapportages worden bij het opvragen berekend"),
    ProcessingActivity(
        id="privacyverzoek", name=N_("Privacyverzoek afhandelen"),
        purpose="Verzoeken van betrokkenen afhandelen (inzage, rectificatie, beperking, wissen, bezwaar) en "
                "nagaan wie hun gegevens heeft ingezien, doorzocht, geëxporteerd of gewijzigd.",
        legal_basis="AVG 6(1)(c); AVG 12-22",
        legal_sources=("AVG art. 6 lid 1 sub c (wettelijke verplichting)", "AVG art. 12 tot en met 22"),
        data_subjects=_CASE_SUBJECTS + _STAFF, data_categories=(*_CASE_DATA, "auditgebeurtenissen"),
        recipients=("de privacyfunctionaris", "de verzoeker (het antwoord op het verzoek)"),
        retention="5 jaar na afhandeling van het verzoek"),
    ProcessingActivity(
        id="bewaren_vernietigen", name=N_("Bewaren en vernietigen"),
        purpose="Bewaartermijnen vaststellen, dossiers bevriezen of hun termijn (met vier ogen) verlengen, "
                "maandelijks vernietigingslijsten opstellen, beoordelen en (met vier ogen) goedkeuren, vernietigen en "
                "de verklaring van vernietiging blijvend bewaren.",
        legal_basis="AVG 5(1)(e), 5(2), 6(1)(c), 17; Archiefwet",
        legal_sources=("AVG art. 5 lid 1 sub e (opslagbeperking)", "AVG art. 5 lid 2 (verantwoordingsplicht)",
                       "AVG art. 6 lid 1 sub c (wettelijke verplichting)", "AVG art. 17 (wissing)",
                       "Archiefwet (vernietiging volgens vastgestelde termijnen)"),
        data_subjects=(*_STAFF, "betrokkenen in een casus (alleen casus- en signaalnummers)"),
        data_categories=("casus- en signaalnummers, categorie, datums van afsluiten en vernietigen",
                         "aantallen vernietigde gegevens per soort", "opsteller en goedkeurder"),
        recipients=("de privacyfunctionaris", "supervisors van het team (bevriezing, verlenging, goedkeuring)"),
        retention="Verklaringen van vernietiging blijvend; vernietigingslijsten als hun verklaring"),
    ProcessingActivity(
        id="toezicht", name=N_("Audit en toezicht"),
        purpose="Vastleggen en controleren wie wanneer welke gegevens waarom heeft verwerkt, zodat onrechtmatige "
                "toegang wordt ontdekt; het verwerkingsregister inzien.",
        legal_basis="AVG 5(2), 6(1)(c), 32; NEN 7513; BIO 12.4",
        legal_sources=("AVG art. 5 lid 2 (verantwoordingsplicht)",
                       "AVG art. 6 lid 1 sub c (wettelijke verplichting)", "AVG art. 32 (beveiliging)",
                       "NEN 7513 (logging)", "Baseline Informatiebeveiliging Overheid 12.4"),
        data_subjects=(*_STAFF, "betrokkenen in een casus (alleen casus- en objectnummers)"),
        data_categories=("gebruiker, organisatie en rollen", "actie, object en uitkomst", "tijdstip, IP-adres, "
                         "request-id en trace-id", "doel en verwerkingsactiviteit"),
        recipients=("de privacyfunctionaris",),
        retention=_LOG_RETENTION),
    ProcessingActivity(
        id="beheer", name=N_("Beheer"),
        purpose="Organisaties, teams, gebruikers en categorieën beheren.",
        legal_basis="AVG 6(1)(e), 32",
        legal_sources=(_AVG_TAAK, "AVG art. 32 (beveiliging)"),
        data_subjects=_STAFF, data_categories=("naam, e-mailadres, organisatie, team en rollen",),
        recipients=("beheerders",),
        retention="Zolang het account bestaat; gebeurtenissen in het auditlog als daar"),
    ProcessingActivity(
        id="account", name=N_("Account en inloggen"),
        purpose="Gebruikers veilig laten inloggen (wachtwoord en tweede factor), sessies, API-tokens, taal en "
                "agenda-abonnementen beheren.",
        legal_basis="AVG 6(1)(e), 32",
        legal_sources=(_AVG_TAAK, "AVG art. 32 (beveiliging)"),
        data_subjects=_STAFF,
        data_categories=("e-mailadres", "wachtwoord-hash en TOTP-geheim", "inlogmomenten en IP-adres"),
        recipients=("de gebruiker zelf", "beheerders (alleen status)"),
        retention="Zolang het account bestaat; sessies verlopen na hun time-out"),
)

_BY_ID = {entry.id: entry for entry in ACTIVITIES}


def activity(activity_id: str) -> ProcessingActivity:
    """The registered activity ``activity_id``; a KeyError names an id that is not in the register."""
    return _BY_ID[activity_id]
