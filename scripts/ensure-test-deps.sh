#!/usr/bin/env bash
# Makes sure the Debian packages the tests drive are installed: a real Prometheus (with promtool), Chromium,
# openssl (certificates for the TLS tests), and PostgreSQL (the audit store's tests start their own server with
# initdb/pg_ctl from /usr/lib/postgresql/<version>/bin; tests/support/postgres.ts).
# As root on Debian it installs them; otherwise it stops and prints the exact command to run. Never a silent skip.
set -euo pipefail

need=()
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || need+=(prometheus)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/openssl ] || need+=(openssl)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: installing ${need[*]} (Debian packages the tests need)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "ensure-test-deps: the tests need the Debian packages: ${need[*]}" >&2
echo "Run as root:  $cmd" >&2
exit 1
