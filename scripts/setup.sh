#!/usr/bin/env bash
# Sets up everything pricewatch needs on a fresh Debian machine (idempotent):
# system packages (fonts for Chinese PDFs, Pango for WeasyPrint, chromium for browser tests,
# poppler-utils for PDF checks), a virtualenv with pinned packages, the package itself,
# and the compiled translations.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils"
if [ "${1:-}" = "--test" ]; then
  APT_PACKAGES="$APT_PACKAGES chromium"
fi
missing=""
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.pricewatch-installed
want=$(cat requirements.txt requirements-dev.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages (pinned)"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi
if [ -d pricewatch/translations ]; then
  .venv/bin/pybabel compile -q -f -d pricewatch/translations 2>/dev/null || .venv/bin/pybabel compile -f -d pricewatch/translations
fi
mkdir -p instance
