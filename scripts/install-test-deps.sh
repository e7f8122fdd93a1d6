#!/usr/bin/env bash
# What the Label Studio and browser tests need beyond the main .venv, on a Debian machine:
#   - label-studio in its own virtualenv .venv-ls (it pins its own dependencies, including
#     label-studio-sdk, which would clash with the main environment);
#   - Debian chromium and fonts-nanum (Hangul) for the headless browser tests.
# Idempotent: each step checks first and does nothing when already in place.
set -euo pipefail

cd "$(dirname "$0")/.."
LABEL_STUDIO_VERSION=1.23.2
VENV=.venv-ls
PYTHON=${PYTHON:-python3}

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_missing=()
dpkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

if ! "$PYTHON" -c "import ensurepip, venv" 2>/dev/null; then
    apt_missing+=(python3-venv)
fi
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
dpkg_installed fonts-nanum || apt_missing+=(fonts-nanum)

if [ ${#apt_missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${apt_missing[*]}"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
else
    echo "chromium, fonts-nanum: installed"
fi

installed_version() {
    "$VENV/bin/python" -c \
        "import importlib.metadata as m; print(m.version('label-studio'))" 2>/dev/null || true
}

if [ -x "$VENV/bin/label-studio" ] && [ "$(installed_version)" = "$LABEL_STUDIO_VERSION" ]; then
    echo "label-studio $LABEL_STUDIO_VERSION: installed in $VENV"
else
    echo "installing label-studio $LABEL_STUDIO_VERSION into $VENV (about 2 minutes, 1 GB)"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "label-studio==$LABEL_STUDIO_VERSION"
    echo "label-studio $(installed_version): installed in $VENV"
fi
