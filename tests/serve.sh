# shellcheck shell=bash
# Sourced by the test scripts that drive a browser or a workflow against a local site:
# a scratch folder `$work` removed on exit, and `serve DIR`, which serves DIR with
# python3 on a free port of 127.0.0.1 (set in `$port`) until the script ends.
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

serve() {
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$1" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "serve: nothing answers on port $port" >&2
  return 1
}
