#!/bin/sh
# The shell script this project replaces, as users run it today (bench/run.mjs points APP_BIN at a temp dir instead of /app/bin).
set -eu
export RELEASE_DISTRIBUTION=name
export RELEASE_NODE=my_app-abc123@`curl -s $ECS_CONTAINER_METADATA_URI_V4 | jq -r ".Networks[0].IPv4Addresses[0]"`
$APP_BIN/$1 ${2:-}
