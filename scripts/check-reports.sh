#!/usr/bin/env bash
# Re-renders every committed report under results/ from its own runs.jsonl and meta.json with
# the runner of this checkout (`runner report`), and fails where what it makes differs from
# what is committed: a report is never stale. With --update, writes the new files in place
# instead (review the diff, then commit it).
#
# Usage: scripts/check-reports.sh [--update] [--runner PATH] [DIR...]
#   DIR defaults to every folder under results/ that holds a runs.jsonl.
# Exit: 0 every report is current; 1 some differ or cannot be read; 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

update=0
runner=target/release/runner
dirs=()
while (($#)); do
    case "$1" in
        --update) update=1; shift ;;
        --runner) runner="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        -*) echo "check-reports: unknown option $1" >&2; exit 2 ;;
        *) dirs+=("${1%/}"); shift ;;
    esac
done
if [[ ! -x "$runner" ]]; then
    echo "check-reports: no runner at $runner (cargo build --release --bin runner)" >&2
    exit 2
fi
if ((${#dirs[@]} == 0)); then
    for d in results/*/; do
        [[ -f "$d/runs.jsonl" ]] && dirs+=("${d%/}")
    done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stale=()
for dir in "${dirs[@]}"; do
    copy="$work/$(basename "$dir")"
    cp -r "$dir" "$copy"
    if ! "$runner" report "$copy" >/dev/null 2>"$work/err"; then
        echo "check-reports: $dir does not read: $(head -1 "$work/err")"
        stale+=("$dir")
        continue
    fi
    if ! diff -rq "$dir" "$copy" >"$work/diff"; then
        if ((update)); then
            rm -rf "$dir" && cp -r "$copy" "$dir"
            echo "check-reports: updated $dir"
        else
            echo "check-reports: $dir is stale:"
            sed "s|$work/||; s|^|  |" "$work/diff"
            stale+=("$dir")
        fi
    fi
done
if ((${#stale[@]})); then
    echo "check-reports: ${#stale[@]} of ${#dirs[@]} reports differ from what their runs.jsonl renders to; scripts/check-reports.sh --update rewrites them"
    exit 1
fi
if ((update)); then echo "check-reports: done; review git diff results/"; else echo "check-reports: ok, ${#dirs[@]} reports are what their runs render to"; fi
