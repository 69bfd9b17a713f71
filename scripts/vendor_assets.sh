#!/usr/bin/env bash
# Vendor the front-end assets Casus serves itself (no CDN, no external URLs).
#
# Installs pinned, exact versions from the npm registry into a throw-away
# directory and copies only the files the app needs into the repository:
#
#   casus/static/vendor/utrecht/    NL Design System / Utrecht component CSS (EUPL-1.2)
#   casus/static/vendor/voorbeeld/  open "voorbeeld" theme tokens, root class .voorbeeld-theme (EUPL-1.2)
#   casus/static/vendor/noto-sans/  Noto Sans, latin subset, 400/700 normal+italic, woff2 (OFL-1.1); for the
#                                   PDFs latin and latin-ext, 400/700 normal, woff
#   tests/browser/vendor/axe.min.js axe-core, for accessibility checks in browser tests (MPL-2.0)
#   casus/static/vendor/VERSIONS.md what was taken, from which version, under which licence
#
# NEVER add @utrecht/design-tokens: its licence reserves all rights (it is the
# City of Utrecht's own house style). The script refuses to continue if it
# appears in the install tree.
#
# To upgrade: change a version below (check `npm view NAME version`), rerun,
# review the diff.
set -euo pipefail

UTRECHT_CSS_VERSION="9.0.4"        # @utrecht/component-library-css
VOORBEELD_TOKENS_VERSION="7.4.1"   # @nl-design-system-unstable/voorbeeld-design-tokens
NOTO_SANS_VERSION="5.3.0"          # @fontsource/noto-sans
AXE_CORE_VERSION="4.14.1"          # axe-core

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR_DIR="${REPO_ROOT}/casus/static/vendor"
TEST_VENDOR_DIR="${REPO_ROOT}/tests/browser/vendor"

command -v node >/dev/null || { echo "node is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }

WORK_DIR="$(mktemp -d)"
trap 'rm -rf "${WORK_DIR}"' EXIT

echo ">> Installing pinned packages in ${WORK_DIR}"
cd "${WORK_DIR}"
printf '{ "name": "casus-vendor-assets", "private": true }\n' > package.json
npm install --no-audit --no-fund --ignore-scripts --save-exact --loglevel=error \
  "@utrecht/component-library-css@${UTRECHT_CSS_VERSION}" \
  "@nl-design-system-unstable/voorbeeld-design-tokens@${VOORBEELD_TOKENS_VERSION}" \
  "@fontsource/noto-sans@${NOTO_SANS_VERSION}" \
  "axe-core@${AXE_CORE_VERSION}"

NM="${WORK_DIR}/node_modules"
if [ -e "${NM}/@utrecht/design-tokens" ]; then
  echo "ERROR: @utrecht/design-tokens (all rights reserved) ended up in the install tree; refusing." >&2
  exit 1
fi

UTRECHT_PKG="${NM}/@utrecht/component-library-css"
VOORBEELD_PKG="${NM}/@nl-design-system-unstable/voorbeeld-design-tokens"
NOTO_PKG="${NM}/@fontsource/noto-sans"
AXE_PKG="${NM}/axe-core"

# Sanity-check installed versions and licences against what we pin/expect.
check_pkg() { # dir expected-version expected-licence
  node -e '
    const p = require(process.argv[1] + "/package.json");
    if (p.version !== process.argv[2] || p.license !== process.argv[3]) {
      console.error(`ERROR: ${p.name} is ${p.version} (${p.license}), expected ${process.argv[2]} (${process.argv[3]})`);
      process.exit(1);
    }' "$1" "$2" "$3"
}
check_pkg "${UTRECHT_PKG}" "${UTRECHT_CSS_VERSION}" "EUPL-1.2"
check_pkg "${VOORBEELD_PKG}" "${VOORBEELD_TOKENS_VERSION}" "EUPL-1.2"
check_pkg "${NOTO_PKG}" "${NOTO_SANS_VERSION}" "OFL-1.1"
check_pkg "${AXE_PKG}" "${AXE_CORE_VERSION}" "MPL-2.0"

echo ">> Copying into ${VENDOR_DIR}"
rm -rf "${VENDOR_DIR}"
mkdir -p "${VENDOR_DIR}/utrecht" "${VENDOR_DIR}/voorbeeld" "${VENDOR_DIR}/noto-sans" "${TEST_VENDOR_DIR}"

# --- Utrecht component library CSS -----------------------------------------
# dist/index.css is the complete built bundle (all components, BEM classes,
# no @import). Upstream ships no minified build; we drop comments (the EUPL
# licence is kept next to it as LICENSE.md plus a one-line header) and
# indentation. Nothing else is changed.
node - "${UTRECHT_PKG}/dist/index.css" "${VENDOR_DIR}/utrecht/component-library.css" \
  "@utrecht/component-library-css@${UTRECHT_CSS_VERSION}" <<'NODE'
const fs = require("fs");
const [src, dest, id] = process.argv.slice(2);
let css = fs.readFileSync(src, "utf8");
css = css.replace(/\/\*[\s\S]*?\*\//g, "");
css = css.split("\n").map((l) => l.trim()).filter(Boolean).join("\n");
fs.writeFileSync(dest, `/*! ${id} | EUPL-1.2 | see LICENSE.md | (c) Gemeente Utrecht, Frameless B.V. and contributors */\n${css}\n`);
NODE
cp "${UTRECHT_PKG}/LICENSE.md" "${VENDOR_DIR}/utrecht/LICENSE.md"

# --- Voorbeeld theme ---------------------------------------------------------
# dist/theme.css scopes all custom properties to `.voorbeeld-theme`
# (dist/variables.css is the same on :root). It also carries tokens for other
# organisations' component libraries (ams, denhaag, lux, rhc, todo) that we
# do not load; keep only --basis-*, --voorbeeld-*, --utrecht-* and --nl-*,
# and fail if a kept declaration references a dropped one.
node - "${VOORBEELD_PKG}/dist/theme.css" "${VENDOR_DIR}/voorbeeld/theme.css" \
  "@nl-design-system-unstable/voorbeeld-design-tokens@${VOORBEELD_TOKENS_VERSION}" <<'NODE'
const fs = require("fs");
const [src, dest, id] = process.argv.slice(2);
const css = fs.readFileSync(src, "utf8");
const m = css.match(/\.voorbeeld-theme\s*\{([\s\S]*?)\}/);
if (!m) { console.error("ERROR: no .voorbeeld-theme rule in " + src); process.exit(1); }
const decls = [...m[1].matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((d) => [d[1], d[2].trim()]);
const keep = decls.filter(([n]) => /^--(basis|voorbeeld|utrecht|nl)-/.test(n));
const names = new Set(keep.map(([n]) => n));
const missing = new Set();
for (const [, v] of keep) for (const r of v.matchAll(/var\(\s*(--[\w-]+)/g)) if (!names.has(r[1])) missing.add(r[1]);
if (missing.size) { console.error("ERROR: unresolved after filtering: " + [...missing].join(", ")); process.exit(1); }
const body = keep.map(([n, v]) => `  ${n}: ${v};`).join("\n");
fs.writeFileSync(dest, `/*! ${id} | EUPL-1.2 | see LICENSE.md | filtered to --basis/--voorbeeld/--utrecht/--nl tokens */\n.voorbeeld-theme {\n${body}\n}\n`);
console.error(`   theme: kept ${keep.length} of ${decls.length} custom properties`);
NODE
cp "${VOORBEELD_PKG}/LICENSE.md" "${VENDOR_DIR}/voorbeeld/LICENSE.md"

# --- Noto Sans (latin, 400/700, normal/italic, woff2) ------------------------
NOTO_FILES=()
for weight in 400 700; do
  for style in normal italic; do
    f="noto-sans-latin-${weight}-${style}.woff2"
    cp "${NOTO_PKG}/files/${f}" "${VENDOR_DIR}/noto-sans/${f}"
    NOTO_FILES+=("${f}")
  done
done
cp "${NOTO_PKG}/LICENSE" "${VENDOR_DIR}/noto-sans/LICENSE"
# The PDFs (casus/pdf.py) embed the same font: fpdf2 reads woff (zlib) through fontTools, where woff2 would need
# brotli. latin-ext is the fallback for the names latin lacks (Ş, Ł, ő …). Never served by the CSS.
NOTO_PDF_FILES=()
for subset in latin latin-ext; do
  for weight in 400 700; do
    f="noto-sans-${subset}-${weight}-normal.woff"
    cp "${NOTO_PKG}/files/${f}" "${VENDOR_DIR}/noto-sans/${f}"
    NOTO_PDF_FILES+=("${f}")
  done
done
# unicode-range of the fontsource "latin" subset, so other glyphs fall back.
LATIN_RANGE="U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD"
{
  echo "/*! Noto Sans (@fontsource/noto-sans@${NOTO_SANS_VERSION}) | SIL Open Font License 1.1 | see LICENSE */"
  for weight in 400 700; do
    for style in normal italic; do
      cat <<CSS
@font-face {
  font-family: "Noto Sans";
  font-style: ${style};
  font-weight: ${weight};
  font-display: swap;
  src: url("./noto-sans-latin-${weight}-${style}.woff2") format("woff2");
  unicode-range: ${LATIN_RANGE};
}
CSS
    done
  done
} > "${VENDOR_DIR}/noto-sans/noto-sans.css"

# --- axe-core (tests only, never served) -------------------------------------
rm -f "${TEST_VENDOR_DIR}/axe.min.js" "${TEST_VENDOR_DIR}/axe-core.LICENSE"
cp "${AXE_PKG}/axe.min.js" "${TEST_VENDOR_DIR}/axe.min.js"
cp "${AXE_PKG}/LICENSE" "${TEST_VENDOR_DIR}/axe-core.LICENSE"

# --- VERSIONS.md -------------------------------------------------------------
cat > "${VENDOR_DIR}/VERSIONS.md" <<MD
# Vendored front-end assets

Generated by \`scripts/vendor_assets.sh\` — do not edit by hand; change the
pinned versions in the script and rerun it.

| Package | Version | Licence | Files taken (source → destination) |
|---|---|---|---|
| \`@utrecht/component-library-css\` | ${UTRECHT_CSS_VERSION} | EUPL-1.2 | \`dist/index.css\` → \`casus/static/vendor/utrecht/component-library.css\` (comments/indentation stripped); \`LICENSE.md\` → \`casus/static/vendor/utrecht/LICENSE.md\` |
| \`@nl-design-system-unstable/voorbeeld-design-tokens\` | ${VOORBEELD_TOKENS_VERSION} | EUPL-1.2 | \`dist/theme.css\` → \`casus/static/vendor/voorbeeld/theme.css\` (root class \`.voorbeeld-theme\`; only \`--basis-*\`, \`--voorbeeld-*\`, \`--utrecht-*\`, \`--nl-*\` kept); \`LICENSE.md\` → \`casus/static/vendor/voorbeeld/LICENSE.md\` |
| \`@fontsource/noto-sans\` | ${NOTO_SANS_VERSION} | OFL-1.1 | \`files/${NOTO_FILES[0]}\`, \`files/${NOTO_FILES[1]}\`, \`files/${NOTO_FILES[2]}\`, \`files/${NOTO_FILES[3]}\` → \`casus/static/vendor/noto-sans/\`; \`LICENSE\` → \`casus/static/vendor/noto-sans/LICENSE\`; \`noto-sans.css\` (@font-face rules) written by the script; for the PDFs \`files/${NOTO_PDF_FILES[0]}\`, \`files/${NOTO_PDF_FILES[1]}\`, \`files/${NOTO_PDF_FILES[2]}\`, \`files/${NOTO_PDF_FILES[3]}\` → \`casus/static/vendor/noto-sans/\` (casus/pdf.py) |
| \`axe-core\` | ${AXE_CORE_VERSION} | MPL-2.0 | \`axe.min.js\` → \`tests/browser/vendor/axe.min.js\`; \`LICENSE\` → \`tests/browser/vendor/axe-core.LICENSE\` (test-only, not served) |

Not used, on purpose: \`@utrecht/design-tokens\` (licence reserves all rights).

Load order in the base template:
\`vendor/noto-sans/noto-sans.css\`, \`vendor/voorbeeld/theme.css\`,
\`vendor/utrecht/component-library.css\`, then \`css/casus.css\`;
put \`voorbeeld-theme\` on the root element.
MD

echo ">> Done. Vendored files:"
cd "${REPO_ROOT}"
find casus/static/vendor tests/browser/vendor -type f -exec ls -l {} + | awk '{print $5"\t"$9}'
du -ch casus/static/vendor tests/browser/vendor | tail -1
