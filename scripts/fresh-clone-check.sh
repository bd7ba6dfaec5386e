#!/usr/bin/env bash
# Runs the README's first command exactly as a new user would, in a fresh clone of HEAD with no
# database server and no key: `npm ci && npm start`, then checks the service is alive, ingesting
# into the embedded database and serving bars, and that Ctrl-C drains it and exits 0.
# (SIGTERM to the node process itself is tested in test/integration/app-sigterm.test.ts.)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${FRESH_CLONE_PORT:-4517}"
trap 'kill -KILL -- "-$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/tickstock"
cd "$work/tickstock"
# Its own process group, so stopping it below is exactly a Ctrl-C in the user's terminal.
env -u DATABASE_URL -u MASSIVE_API_KEY -u REDIS_URL PORT="$port" SIM_ACCELERATION=20 \
  setsid bash -c 'npm ci --no-audit --no-fund --prefer-offline >npm-ci.log 2>&1 && exec npm start' >service.log 2>&1 &
pid=$!
deadline=$((SECONDS + 300))
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "service exited early"; tail -50 npm-ci.log service.log; exit 1; fi
  [ $SECONDS -lt $deadline ] || { echo "service did not come up"; tail -50 service.log; exit 1; }
  sleep 2
done
deadline=$((SECONDS + 120))
until [ "$(curl -fsS "http://127.0.0.1:$port/api/ticks/recent?symbol=AAPL" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).count))')" -gt 0 ]; do
  [ $SECONDS -lt $deadline ] || { echo "no bars stored"; tail -50 service.log; exit 1; }
  sleep 2
done
# Saved first: `curl | grep -q` fails under pipefail when grep exits before curl has written it all.
curl -fsS "http://127.0.0.1:$port/" -o dashboard.html || { echo "dashboard request failed"; exit 1; }
grep -qi '<html' dashboard.html || { echo "dashboard not served"; head -c 500 dashboard.html; exit 1; }
kill -INT -- "-$pid"
# npm itself reports a Ctrl-C as exit 130 whatever its script did; what matters is that the
# service drained and exited by itself.
wait "$pid" || true
grep -q '"msg":"stopped cleanly"' service.log || { echo "no clean drain after Ctrl-C"; tail -30 service.log; exit 1; }
if pgrep -f "$work/tickstock/dist/src/main.js" >/dev/null || pgrep -g "$pid" >/dev/null; then
  echo "service still running after Ctrl-C"; exit 1
fi
[ -d data ] || { echo "embedded database directory ./data missing"; exit 1; }
echo "fresh clone: npm ci && npm start OK (bars stored, dashboard served, clean drain on Ctrl-C)"
