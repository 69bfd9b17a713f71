"""Every Dutch phrase the synthetic data is written with: case titles, signal texts, goals, actions, progress,
notes, escalation and voordracht texts, and the minutes of meetings (in BOB order). All invented.
"""

TITLES = {
    "woonoverlast": ("Woonoverlast {street}", "Geluidsoverlast en vervuiling {street}", "Overlast portiek {street}",
                     "Escalerend burenconflict {street}", "Hennepgeur en overlast {street}"),
    "jeugd": ("Jeugdgroep rond {place}", "Zorgen om jongere {initial}. {surname}", "Overlast jongeren {street}",
              "Jeugdige veelpleger {initial}. {surname}", "Jongeren in beeld bij drugsrunners {place}"),
    "verward_gedrag": ("Verward gedrag bewoner {street}", "Zorgen om {initial}. {surname}",
                       "Onbegrepen gedrag {street}", "Zorgmijder {street}", "Vervuilde woning {street}"),
    "ondermijning": ("Signalen ondermijning {business}", "Mogelijke witwasconstructie {street}",
                     "Verdachte bedrijvigheid {street}", "Drugslab-signalen {street}", "Huisjesmelkerij {street}"),
    "radicalisering": ("Zorgen over radicalisering {initial}. {surname}", "Signalen extremisme {street}",
                       "Online radicalisering jongere {initial}. {surname}"),
    "huiselijk_geweld": ("Huiselijk geweld gezin {surname}", "Zorgen om kinderen gezin {surname}",
                         "Herhaald huiselijk geweld {street}", "Eergerelateerd geweld gezin {surname}"),
    "nazorg_ex_gedetineerden": ("Nazorg na detentie {initial}. {surname}", "Terugkeer uit detentie {street}",
                                "Re-integratie ex-gedetineerde {initial}. {surname}"),
}
DEFAULT_TITLES = ("Zorg- en veiligheidssignaal {street}", "Complexe situatie gezin {surname}")
PLACES = ("het winkelcentrum De Hoven", "het Stationsplein", "de Julianaschool", "het Parkbos", "de Markt",
          "de skatebaan Oost", "het buurthuis De Schakel", "sportpark De Linde", "de Havenkade", "het Molenplein")

SIGNAL_TEXTS = {
    "woonoverlast": (
        "Buren melden sinds weken harde muziek en geschreeuw tot diep in de nacht.",
        "In het trappenhuis ligt structureel afval; de huurder reageert niet op brieven van de corporatie.",
        "Meerdere meldingen van bedreiging van buren; de politie is drie keer ter plaatse geweest.",
        "Huurachterstand loopt op en de woning raakt vervuild; bewoner lijkt hulp te mijden.",
    ),
    "jeugd": (
        "Groep van zes tot acht jongeren veroorzaakt 's avonds overlast en intimideert voorbijgangers.",
        "Jongere is betrokken bij meerdere winkeldiefstallen en verzuimt structureel van school.",
        "Signalen dat minderjarigen worden ingezet als drugskoerier.",
        "Ouders geven aan geen grip meer te hebben; jongere is vaak dagen van huis.",
    ),
    "verward_gedrag": (
        "Bewoner spreekt buren aan over stemmen in de muren en dreigt de woning te barricaderen.",
        "Meerdere E33-meldingen in korte tijd; persoon is bekend bij de GGZ maar in zorg gestopt.",
        "Oudere bewoner lijkt verward, loopt 's nachts op straat en vergeet het gas uit te zetten.",
        "Persoon weigert hulp, de woning is ernstig vervuild en er zijn zorgen over zelfverwaarlozing.",
    ),
    "ondermijning": (
        "Bedrijfspand is overdag gesloten maar 's nachts is er veel verkeer van bestelbusjes.",
        "Opvallend veel contante betalingen en wisselende eigenaren van de onderneming.",
        "Hoog stroomverbruik en geurhinder wijzen mogelijk op een hennepkwekerij.",
        "Woningen worden per kamer verhuurd aan arbeidsmigranten tegen woekerprijzen.",
    ),
    "radicalisering": (
        "School maakt zich zorgen over uitspraken van een leerling en contacten via sociale media.",
        "Familie meldt dat betrokkene zich sterk heeft teruggetrokken en extremistisch materiaal deelt.",
    ),
    "huiselijk_geweld": (
        "Politie is meerdere keren ter plaatse geweest na meldingen van ruzie en geweld in het gezin.",
        "Kinderen vertellen op school over geweld thuis; Veilig Thuis is eerder betrokken geweest.",
        "Na een tijdelijk huisverbod zijn er opnieuw signalen van dreiging.",
    ),
    "nazorg_ex_gedetineerden": (
        "Betrokkene komt over drie weken vrij en heeft geen woning, inkomen of geldig identiteitsbewijs.",
        "Na detentie is de betrokkene teruggekeerd naar de oude wijk; buren maken zich zorgen.",
        "Reclassering meldt dat bijzondere voorwaarden dreigen te worden overtreden.",
    ),
}
DEFAULT_SIGNAL_TEXTS = ("Meerdere partners maken zich zorgen over de situatie en vragen om afstemming.",)

GOALS = (
    "De overlast voor de buurt is gestopt.", "Betrokkene heeft een stabiele woonsituatie.",
    "Betrokkene is in zorg en houdt zich aan de afspraken.", "De veiligheid van de kinderen is geborgd.",
    "Er is een sluitende dagbesteding of opleiding.", "Schulden zijn in beeld en er is een schuldregeling.",
    "De jongere gaat weer naar school en pleegt geen nieuwe delicten.", "Het pand wordt niet meer misbruikt.",
    "Er is één aanspreekpunt voor het gezin.", "Betrokkene heeft een netwerk dat steunt.",
)
ACTIONS = (
    "Huisbezoek afleggen samen met de wijkagent.", "Gesprek voeren met betrokkene over de huurachterstand.",
    "Aanmelden bij de GGZ voor een intake.", "Bestuurlijke rapportage opstellen.", "Waarschuwingsbrief sturen.",
    "Schuldhulpverlening inschakelen.", "Afspraak maken met school en leerplicht.", "Gedragsaanwijzing voorbereiden.",
    "Zorgmachtiging onderzoeken.", "Controle bedrijfspand met toezichthouders.", "Buurtbemiddeling aanbieden.",
    "Dagbesteding regelen.", "Uitkering en identiteitsbewijs regelen.", "Veiligheidsplan opstellen met het gezin.",
    "Verslavingszorg inschakelen.", "Terugkoppeling geven aan de melders in de buurt.",
)
PROGRESS = (
    "Contact gelegd, afspraak staat gepland.", "Huisbezoek afgelegd; betrokkene was aanwezig en werkte mee.",
    "Betrokkene niet thuis getroffen, nieuwe poging volgende week.",
    "Aanmelding is gedaan, wachttijd circa vier weken.",
    "Gesprek gevoerd, afspraken schriftelijk vastgelegd.", "Uitgevoerd zoals afgesproken.",
    "Vervalt: situatie is veranderd, niet meer nodig.", "Overleg gehad met de casushouder over de volgende stap.",
)
NOTES = (
    "Betrokkene heeft toegezegd mee te werken aan het plan.", "Buren melden dat het rustiger is geworden.",
    "Let op: betrokkene reageert agressief op onaangekondigd bezoek.", "Informatie gedeeld in het casusoverleg.",
    "Zorg is gestart; eerste indruk positief.", "Nieuwe melding ontvangen, wordt meegenomen in het volgende overleg.",
    "Huisarts is op de hoogte gebracht met toestemming van betrokkene.", "Voorstel om op te schalen naar tactisch.",
)
RESTRICTED_NOTES = (
    "Vertrouwelijk: lopend strafrechtelijk onderzoek, niet verder delen.",
    "Medische informatie alleen voor de zorgpartners.", "Intern: afstemming met de wijkagent over de aanpak.",
)
EVALUATIONS = (
    "Doelen grotendeels behaald; de situatie is stabiel en de reguliere zorg is betrokken.",
    "De overlast is gestopt; nazorg via het wijkteam.", "Betrokkene is in zorg; de acties zijn afgerond.",
)
BUSINESS_TYPES = ("Autobedrijf", "Shishalounge", "Nagelstudio", "Handelsonderneming", "Belwinkel", "Kapsalon",
                  "Carwash", "Koeriersdienst", "Minimarkt", "Vastgoed", "Transportbedrijf", "Snackbar")

# Why a case took each step of its route (the reason the transition log and the tijdlijn record).
TRANSITION_REASONS = {
    "accept": "Casusoverleg nodig: problemen op meerdere leefgebieden.",
    "adopt_plan": "Plan van aanpak vastgesteld in het casusoverleg.",
    "step_down": "Alle acties afgerond; afschalen naar nazorg.",
    "close": "Nazorgperiode zonder nieuwe signalen afgerond.",
    "dismiss": "Geen casus: de signalen worden in het reguliere werk opgepakt.",
    "refer": "Doorverwezen naar de reguliere hulpverlening.",
    "close_early": "Vroegtijdig afgesloten na akkoord van de supervisor.",
}
CLOSE_EARLY_REASON = "Betrokkene is verhuisd naar een andere regio."

# The escalation ladder and RIEC voordrachten (docs/DESIGN.md §3.2, §3.3): who decides, why, what the RIEC is told.
DECISION_OWNERS = {
    "tactisch": ("Ketenmanagers zorg en veiligheid", "Teamleider openbare orde gemeente", "Districtschef politie"),
    "bestuurlijk": ("Burgemeester", "Lokale driehoek", "Stuurgroep Zorg- en Veiligheidshuis"),
}
ESCALATION_REASONS = (
    "Partners komen er in het casusoverleg samen niet uit.",
    "Benodigde zorgplek is niet binnen de afgesproken termijn beschikbaar.",
    "Overlast escaleert; doorzettingsmacht is nodig.",
    "Financiering van de aanpak is niet rond.",
)
ESCALATION_DECISIONS = (
    "Extra inzet wijkagent en ambulant team toegezegd.",
    "Zorgaanbieder neemt betrokkene met voorrang op.",
    "Burgemeester legt gebiedsverbod op.",
    "Financiering voor een jaar rond; terug naar het casusoverleg.",
)
VOORDRACHT_SUMMARIES = (
    "Meerdere signalen wijzen op een hennepkwekerij met aftap van stroom in een bedrijfspand.",
    "Patroon van contante aankopen van woningen via steeds wisselende rechtspersonen.",
    "Arbeidsmigranten wonen met te veel personen in een pand van dezelfde eigenaar; signalen van uitbuiting.",
    "Zorgbureau declareert uren die niet geleverd lijken te worden.",
)

# Minutes in BOB order; {org} is a participating organisation of the case.
BEELDVORMING = (
    "{org} meldt dat de situatie sinds de vorige bespreking {trend}.",
    "Sinds de vorige bespreking zijn er {count} nieuwe meldingen binnengekomen; {org} heeft een huisbezoek afgelegd.",
    "Betrokkene is door {org} gesproken, staat open voor hulp maar komt afspraken wisselend na.",
    "De acties uit het plan van aanpak lopen; {org} wacht nog op de intake bij de zorgaanbieder.",
    "{org} geeft aan dat de overlast is afgenomen; buren melden minder incidenten.",
    "Er zijn zorgen over de veiligheid thuis; {org} heeft contact gehad met school en huisarts.",
    "{org} heeft de schulden in beeld gebracht; er is een aanvraag voor schuldhulpverlening gedaan.",
)
TRENDS = ("is verbeterd", "ongeveer gelijk is gebleven", "is verslechterd")
OORDEELSVORMING = (
    "De partners zijn het eens: de aanpak werkt en kan worden voortgezet.",
    "De risico's blijven hoog; zonder extra inzet van zorg dreigt escalatie.",
    "Er is onvoldoende zicht op de thuissituatie; meer informatie van {org} is nodig.",
    "Betrokkene mijdt zorg; de partners overwegen drang en, als dat niet werkt, dwang.",
    "De samenwerking tussen de partners loopt goed; de aanpak moet wel sneller.",
)
BESLUITVORMING = (
    "Aanpak voortzetten; {org} blijft casushouder.",
    "{org} plant binnen twee weken een gezamenlijk huisbezoek met de wijkagent.",
    "Over vier weken opnieuw bespreken in dit overleg.",
    "Opschaling naar tactisch niveau voorbereiden als er voor de volgende bespreking geen verbetering is.",
    "{org} vraagt toestemming aan betrokkene om informatie met de huisarts te delen.",
)
NAZORG_MINUTES = (
    "De nazorg verloopt volgens plan; er zijn geen nieuwe signalen.",
    "De situatie is stabiel; de reguliere hulpverlening is betrokken.",
    "Nazorg voortzetten; volgende check-in volgens schema.",
)
STEP_DOWN_MINUTES = (
    "De doelen van het plan van aanpak zijn grotendeels behaald.",
    "De partners zien geen reden meer voor regie vanuit het Zorg- en Veiligheidshuis.",
    "Afschalen naar nazorg; {org} houdt de vinger aan de pols.",
)
DECISION_ACTIONS = (
    "Gezamenlijk huisbezoek afleggen en terugkoppelen in het volgende overleg.",
    "Betrokkene aanmelden bij de GGZ voor een intake.",
    "Gesprek met school en leerplicht organiseren.",
    "Veiligheidsplan met het gezin opstellen.",
)
