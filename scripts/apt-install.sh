#!/usr/bin/env bash
# Install Debian packages by name, non-interactively (needs root: CI and `make test` run as root).
# Usage: scripts/apt-install.sh PACKAGE...
set -euo pipefail

if [[ $# -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "apt-install: need root to install: $*" >&2
    echo "apt-install: run as root, or: sudo apt-get install $*" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_get=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# Refresh the package lists unless they were refreshed in the last day.
lists=/var/lib/apt/lists
if [[ -z $(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -1440 -print -quit 2>/dev/null) ]]; then
    echo "apt-install: apt-get update"
    "${apt_get[@]}" update -qq
fi
echo "apt-install: apt-get install $*"
"${apt_get[@]}" install -y -qq --no-install-recommends "$@" >/dev/null
