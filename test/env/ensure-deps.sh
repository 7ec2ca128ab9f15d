#!/bin/sh
# Installs the npm dependencies (and with them Node 24 for every npm script) when they are missing or stale.
# `npm ci`: installs exactly the lockfile and never rewrites it, so a fresh clone stays clean.
set -e
cd "$(dirname "$0")/../.."
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci (installs the npm dependencies and Node 24; about 20-60s the first time)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
