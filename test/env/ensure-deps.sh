#!/bin/sh
# Installs the npm dependencies (and with them Node 24 for every npm script) when they are missing or stale.
set -e
cd "$(dirname "$0")/../.."
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: the lockfile records only the platform binaries (Biome's) seen when it was
  # written, and npm ci refuses a lockfile without the others.
  echo "deps: npm install" >&2
  npm install --no-audit --no-fund --loglevel=error
fi
