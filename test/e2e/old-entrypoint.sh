#!/bin/sh
# The shell script this product replaces (SPEC §1), kept as written except for the bin dir and
# the app name, so the e2e test can show what it does with ECS's SIGTERM.
set -eu
export RELEASE_DISTRIBUTION=name
export RELEASE_NODE=shop-e2e1@`curl -s $ECS_CONTAINER_METADATA_URI_V4 | jq -r ".Networks[0].IPv4Addresses[0]"`
$APP_BIN/$1 ${2:-}
