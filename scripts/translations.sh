#!/usr/bin/env bash
# Extract the Dutch source texts, update the English catalogue and compile it.
#   scripts/translations.sh          extract + update + compile
#   scripts/translations.sh compile  compile only
set -euo pipefail
cd "$(dirname "$0")/.."
BABEL=${BABEL:-.venv/bin/pybabel}
# Besides gettext's own names: lazy_gettext/_l (forms, module constants), ServiceError's Dutch message, and N_/NC_
# (casus.labels: enum labels, notification texts and messages written before they are shown; NC_ has a context).
KEYWORDS="-k _l -k lazy_gettext -k ServiceError:1 -k N_ -k NC_:1c,2"
if [ "${1:-}" != "compile" ]; then
    "$BABEL" -q extract -F babel.cfg $KEYWORDS --no-location --sort-output -o casus/translations/messages.pot .
    if [ -f casus/translations/en/LC_MESSAGES/messages.po ]; then
        "$BABEL" -q update --no-fuzzy-matching -i casus/translations/messages.pot -d casus/translations -l en
    else
        "$BABEL" -q init -i casus/translations/messages.pot -d casus/translations -l en
    fi
fi
"$BABEL" -q compile -d casus/translations
