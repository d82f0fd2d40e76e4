#!/usr/bin/env bash
# bench-server's capacity next to nginx's, and io-tokio's next to wrk's, on this machine, in one
# session.
#
# Both servers serve the same /get body on loopback and take the same `wrk -t2 -c64` load, in
# interleaved rounds so that drift of the machine falls on both alike. nginx answers with a fixed
# copy of bench-server's own /get body (same bytes, no per-request JSON work), so the comparison
# is bench-server's whole per-request cost against a static reply. In the same rounds io-tokio
# sends GETs of /get to the same bench-server at 64 in flight (wrk's connections), with hyper's
# client and with the lean one (`io.client`), so each client's rate is set against wrk's.
#
# Needs: wrk and nginx (Debian: `apt-get install -y wrk nginx-light`), a release build
# (`cargo build --release --bin bench-server --bin io-tokio`).
# Usage: scripts/server-capacity.sh [ROUNDS] [SECONDS]   (default 5 rounds of 10 s each);
# SERVER=path/to/bench-server measures that build instead of target/release's.
# Writes results/runs/<UTC time>-server-capacity/{wrk.log,summary.md}.
set -euo pipefail

rounds=${1:-5}
seconds=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
server="${SERVER:-$root/target/release/bench-server}"   # SERVER=path measures another build
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (apt-get install -y wrk nginx-light curl)" >&2; exit 2; }
done
[ -x "$server" ] || { echo "error: $server is missing; run cargo build --release --bin bench-server" >&2; exit 2; }
client="$root/target/release/io-tokio"
[ -x "$client" ] || { echo "error: $client is missing; run cargo build --release --bin io-tokio" >&2; exit 2; }

out="$root/results/runs/$(date -u +%Y-%m-%dT%H%M%SZ)-server-capacity"
work=$(mktemp -d)
mkdir -p "$out"
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$server" >"$work/server.url" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/server.url" ] && break; sleep 0.05; done
server_url=$(head -1 "$work/server.url")
[ -n "$server_url" ] || { echo "error: bench-server did not announce its URL: $(cat "$work/server.err")" >&2; exit 1; }
server_port=${server_url##*:}

# nginx on a free port, answering /get with bench-server's own /get body as wrk would get it.
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
curl -s -H "Host: 127.0.0.1:$nginx_port" -H "User-Agent:" -H "Accept:" "$server_url/get" >"$work/get.json"
body=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read())[1:-1].replace("\\n","\\n"))' "$work/get.json")
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    location = /get { default_type application/json; return 200 "$body"; }
  }
}
CONF
nginx -c "$work/nginx.conf"
sleep 0.3
cmp <(curl -s "http://127.0.0.1:$nginx_port/get" -H "User-Agent:" -H "Accept:") "$work/get.json" \
  || { echo "error: nginx's body differs from bench-server's" >&2; exit 1; }

{
  echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) cores, commit $(git -C "$root" rev-parse --short=12 HEAD)"
  echo "# wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2), $(nginx -v 2>&1 | cut -d' ' -f3), body $(wc -c <"$work/get.json") bytes, server $server ($(sha256sum "$server" | cut -c1-12))"
} | tee "$out/wrk.log"
for round in $(seq "$rounds"); do
  for who in bench-server nginx; do
    port=$server_port; [ "$who" = nginx ] && port=$nginx_port
    rps=$(wrk -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$port/get" | tee -a "$out/wrk.log" | awk '/Requests\/sec/ {print $2}')
    echo "round $round $who $rps" | tee -a "$out/wrk.log"
  done
  # io-tokio against the same bench-server, as many requests as wrk answered in its window.
  requests=$(awk -v r="$round" '$1 == "round" && $2 == r && $3 == "bench-server" {printf "%d", $4 * '"$seconds"'}' "$out/wrk.log")
  for client_kind in hyper lean; do
    rps=$("$client" --set "io.target=$server_url" --set 'io.endpoints=["/get"]' --set io.concurrency=64 \
        --set "io.requests=$requests" --set "io.client=\"$client_kind\"" 2>>"$work/client.err" \
      | python3 -c 'import json,sys; r=json.load(sys.stdin); io=r["io"]; assert io["failed"] == 0, io["errors"]; print(round(io["req_per_s"], 2))')
    echo "round $round io-tokio-$client_kind $rps" | tee -a "$out/wrk.log"
  done
done

python3 - "$out" <<'PY'
import re, statistics, sys
out = sys.argv[1]
rows = [l.split() for l in open(f"{out}/wrk.log") if l.startswith("round ")]
who = ("bench-server", "nginx", "io-tokio-hyper", "io-tokio-lean")
rate = {w: [float(r[3]) for r in rows if r[2] == w] for w in who}
head = [l.strip("# \n") for l in open(f"{out}/wrk.log") if l.startswith("#")]
md = ["| who (load) | median req/s | min | max |", "|---|---:|---:|---:|"]
load = {"bench-server": "wrk on bench-server", "nginx": "wrk on nginx",
        "io-tokio-hyper": "io-tokio, hyper, on bench-server", "io-tokio-lean": "io-tokio, lean, on bench-server"}
for w, v in rate.items():
    md.append(f"| {load[w]} | {statistics.median(v):,.0f} | {min(v):,.0f} | {max(v):,.0f} |")
md.append("")
for num, den, name in (("bench-server", "nginx", "bench-server / nginx"),
                       ("io-tokio-hyper", "bench-server", "io-tokio (hyper) / wrk"),
                       ("io-tokio-lean", "bench-server", "io-tokio (lean) / wrk")):
    ratios = [a / b for a, b in zip(rate[num], rate[den])]
    md.append(f"{name}: median of per-round ratios {statistics.median(ratios):.2f} "
              f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}); ratio of medians "
              f"{statistics.median(rate[num]) / statistics.median(rate[den]):.2f}.")
    md.append("")
text = "\n".join(["; ".join(head), "", *md, ""])
open(f"{out}/summary.md", "w").write(text)
print(text)
PY
echo "written: $out"
