#!/usr/bin/env bash
# Debian packages grondstof needs beyond Python: Pango for PDF reports (WeasyPrint), poppler-utils to check
# rendered PDFs in tests, and Chromium for the browser tests (Playwright drives Debian's Chromium; it never
# downloads a browser). Installs only what is missing, and only where apt-get can run.
set -euo pipefail
need=()
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "note: missing system packages (${need[*]}); install them with your package manager." >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo -n"
echo "Installing system packages: ${need[*]}" >&2
$sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null \
  || echo "note: could not install ${need[*]}; PDF or browser tests will be skipped." >&2
