#!/usr/bin/env bash
# Reference shape of a helper script atlasod puts into a bundle (checked by shellcheck).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f .env ]; then
  echo "copy .env.example to .env and fill it in first" >&2
  exit 1
fi
docker compose pull --quiet
docker compose up -d --wait
docker compose ps
