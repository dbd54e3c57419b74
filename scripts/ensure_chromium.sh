#!/bin/sh
# Make sure Debian's Chromium is installed for the browser tests (never `playwright install`).
# As root it installs the package; otherwise it prints the command to run and fails.
set -eu
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"
if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Chromium for the browser tests: $command" >&2
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
else
    echo "Chromium is missing (/usr/bin/chromium). Install it as root with:" >&2
    echo "    sudo sh -c '$command'" >&2
    exit 1
fi
