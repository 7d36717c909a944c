#!/usr/bin/env bash
# Make sure the browser tests can run: Debian's chromium at /usr/bin/chromium and CJK fonts
# so Chinese pages render. Playwright never downloads a browser of its own here.
# Without root the missing packages are reported and the browser tests skip (fail under CI).
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' \
    || missing+=(fonts-noto-cjk)

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "ensure-chromium: missing ${missing[*]}; install them as root" \
        "(apt-get install ${missing[*]}) or the browser tests are skipped." >&2
    exit 0
fi
exec "$(dirname "$0")/apt-install.sh" "${missing[@]}"
