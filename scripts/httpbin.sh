#!/usr/bin/env bash
# Runs the real httpbin (PyPI package `httpbin`) on loopback as an IO target.
#
# Usage: scripts/httpbin.sh [PORT]        (default 8080; serves until Ctrl-C)
#        HTTPBIN_SERVER=gunicorn scripts/httpbin.sh 8080   (gunicorn + gevent, 2 workers: faster)
# Then:  cargo run --release --bin io-tokio -- --set io.target=http://127.0.0.1:8080
#
# The first run creates a virtual environment in .venv-httpbin/ (git-ignored) and installs
# httpbin from PyPI; later runs reuse it. Flask's own server, the default, answers about 1,000
# requests/s on 2 cores: enough to check statuses and counts, not to compare models at speed.
set -euo pipefail

port=${1:-8080}
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${HTTPBIN_VENV:-$root/.venv-httpbin}
server=${HTTPBIN_SERVER:-flask}

if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv and installing httpbin from PyPI" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check httpbin
fi
if [ "$server" = gunicorn ] && [ ! -x "$venv/bin/gunicorn" ]; then
  # gunicorn 24+ refuses the gevent version httpbin's pins allow.
  "$venv/bin/pip" install --quiet --disable-pip-version-check "gunicorn<24" gevent
fi

echo "http://127.0.0.1:$port"
case "$server" in
  flask) exec "$venv/bin/python" -m httpbin.core --host 127.0.0.1 --port "$port" ;;
  gunicorn) exec "$venv/bin/gunicorn" -k gevent -w 2 -b "127.0.0.1:$port" httpbin:app ;;
  *) echo "error: HTTPBIN_SERVER must be flask or gunicorn, not $server" >&2; exit 2 ;;
esac
