#!/usr/bin/env bash
# Debian packages grondstof needs beyond Python: Pango for PDF reports (WeasyPrint), poppler-utils to check
# rendered PDFs in tests, Chromium for the browser tests (Playwright drives Debian's Chromium; it never
# downloads a browser), and with --spark a Java 17 runtime for Spark 4.0 (the spark extra). Installs only
# what is missing, and only where apt-get can run.
set -euo pipefail
need=()
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
if [ "${1:-}" = "--spark" ]; then
  # Spark 4.0 runs on Java 17 or 21; any java on PATH (or JAVA_HOME) that is at least 17 will do.
  java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
  if [ -z "${JAVA_HOME:-}" ] && { ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; }; then
    need+=(openjdk-17-jdk-headless)
  fi
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
  || echo "note: could not install ${need[*]}; PDF, browser or Spark tests will be skipped or fail." >&2
