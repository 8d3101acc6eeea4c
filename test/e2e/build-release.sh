#!/bin/sh
# Builds the e2e test release: the bundled entrypoint goes into the release overlay the way a
# user's CI does it (npx ecs-release-entrypoint install ...), then `mix release`.
# Output: test/e2e/app/_build/prod/rel/shop (git-ignored). Needs Debian's elixir package.
set -eu
here=$(cd -P -- "$(dirname -- "$0")" && pwd)
root=$(cd -P -- "$here/../.." && pwd)
app="$here/app"
[ -x "$root/entrypoint" ] || { echo "build-release.sh: $root/entrypoint missing; run npm run build" >&2; exit 1; }
"$root/entrypoint" install "$app/rel/overlays/bin/entrypoint" --app shop --sha "${E2E_SHA:-e2e1}"
# No Hex dependencies: keep mix away from the network and from the user's ~/.mix.
export MIX_ENV=prod HEX_OFFLINE=1 MIX_HOME="$app/_build/mix-home"
cd "$app"
mix release --overwrite --quiet
