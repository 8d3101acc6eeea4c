#!/bin/sh
# Builds the e2e test release: the bundled entrypoint goes into the release overlay the way a
# user's CI does it (`ecs-release-entrypoint install rel/overlays/bin/entrypoint ...`), then `mix release`.
# Output: test/e2e/app/_build/prod/rel/shop (git-ignored). app/package.json says "commonjs" because
# test/package.json says "module", and Node would otherwise load the extension-less bundle as ESM.
set -eu
# Everything the e2e test runs, checked here so a missing package is named instead of timing out.
for tool in mix epmd ip unshare ss flock curl jq; do
  command -v "$tool" >/dev/null || {
    echo "build-release.sh: $tool not found; apt-get install -y --no-install-recommends elixir erlang-base iproute2 util-linux curl jq" >&2
    exit 1
  }
done
here=$(cd -P -- "$(dirname -- "$0")" && pwd)
root=$(cd -P -- "$here/../.." && pwd)
app="$here/app"
mkdir -p "$app/_build"
# Two test runs at once (npm test next to a lone e2e run) must not build over each other.
exec 9>"$app/_build/.build-lock"
flock 9
[ -x "$root/entrypoint" ] || { echo "build-release.sh: $root/entrypoint missing; run npm run build" >&2; exit 1; }
"$root/entrypoint" install "$app/rel/overlays/bin/entrypoint" --app shop --sha "${E2E_SHA:-e2e1}"
# No Hex dependencies: keep mix away from the network and from the user's ~/.mix.
export MIX_ENV=prod HEX_OFFLINE=1 MIX_HOME="$app/_build/mix-home"
cd "$app"
mix release --overwrite --quiet
# The same app as the init-container setup's app image: env.sh from examples/elixir/rel, no entrypoint.
SHOP_APP_ONLY=1 mix release --overwrite --quiet
