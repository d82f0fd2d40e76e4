#!/usr/bin/env bash
# Opens report.html pages in headless Chromium (Debian package `chromium`) from file://, as a
# reader would, and fails on:
#   - any console message of the page (an error, a CSP refusal, a failed load);
#   - any request the page makes that is not file: or data: (from Chromium's net log);
#   - the page's #selftest (sorting a table as a click would) not saying "ok".
# Saves screenshots at 1280 and 390 px wide, light and dark, beside each page (or in --shots).
#
# Usage: scripts/check-html.sh [--shots DIR] REPORT.html...
# Exit: 0 all pages pass; 1 a page fails; 2 bad usage or no Chromium.
set -euo pipefail

shots=""
pages=()
while (($#)); do
    case "$1" in
        --shots) shots="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) pages+=("$1"); shift ;;
    esac
done
if ((${#pages[@]} == 0)); then
    echo "check-html: name at least one report.html" >&2
    exit 2
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z "$browser" ]]; then
    echo "check-html: no Chromium on PATH (Debian: apt-get install chromium)" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Quiet the browser's own services, so the net log holds the page's requests; a fresh profile.
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --disable-default-apps --disable-domain-reliability --user-data-dir="$work/profile")

failed=0
for page in "${pages[@]}"; do
    if [[ ! -f "$page" ]]; then
        echo "check-html: $page: no such file" >&2
        failed=1
        continue
    fi
    url="file://$(realpath "$page")"
    out=${shots:-$(dirname "$page")/screenshots}
    mkdir -p "$out"
    # The page with its script run, its console on stderr and its requests in the net log.
    timeout 120 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 \
        --log-net-log="$work/net.json" --virtual-time-budget=5000 \
        --dump-dom "$url#selftest" >"$work/dom.html" 2>"$work/stderr.txt" || {
        echo "check-html: $page: Chromium failed (exit $?)" >&2
        tail -5 "$work/stderr.txt" >&2
        failed=1
        continue
    }
    problems=()
    if grep -q ':CONSOLE' "$work/stderr.txt"; then
        problems+=("console: $(grep ':CONSOLE' "$work/stderr.txt" | head -5 | sed 's/^.*CONSOLE[^]]*] //')")
    fi
    verdict=$(grep -o 'data-selftest="[^"]*"' "$work/dom.html" | head -1 || true)
    if [[ "$verdict" != 'data-selftest="ok"' ]]; then
        problems+=("selftest: ${verdict:-no verdict: the script did not run}")
    fi
    # Requests made for the page (its isolation key is file://) to anything but file: and data:.
    requests=$(python3 - "$work/net.json" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
for e in log["events"]:
    p = e.get("params", {})
    if names.get(e["type"]) != "URL_REQUEST_START_JOB":
        continue
    if "file://" in str(p.get("network_isolation_key", "")) and not p["url"].startswith(("file:", "data:")):
        print(p["url"])
EOF
)
    if [[ -n "$requests" ]]; then
        problems+=("requests to other hosts: $requests")
    fi
    name=$(basename "$(dirname "$(realpath "$page")")")
    for width in 1280 390; do
        for scheme in light dark; do
            dark=()
            [[ $scheme == dark ]] && dark=(--force-dark-mode --blink-settings=preferredColorScheme=0)
            timeout 120 "$browser" "${flags[@]}" "${dark[@]}" --window-size="$width,2400" \
                --screenshot="$out/$name-$width-$scheme.png" "$url" >/dev/null 2>&1 ||
                problems+=("screenshot $width $scheme failed")
        done
    done
    if ((${#problems[@]})); then
        failed=1
        echo "check-html: FAIL $page"
        printf '  %s\n' "${problems[@]}"
    else
        echo "check-html: ok $page (no console message, no request, sorting works; screenshots in $out)"
    fi
done
exit $failed
