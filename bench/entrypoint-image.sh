#!/bin/sh
# The shared entrypoint image of examples/init-container/ (docs/image-and-boot.md): its size and
# compressed size, then what it does when run. No container registry is needed:
#  - "rootfs": the image's root file system made here the way the Dockerfile makes it (stripped
#    Node.js from the npm `node` package, the libraries `ldd` names from this Debian host, the
#    bundle from `npm pack`), then `podman import`;
#  - "dockerfile" (when mmdebstrap is installed): examples/init-container/Dockerfile itself, built
#    unchanged by podman on a stand-in for node:22-bookworm-slim (Debian bookworm minbase with the
#    same node binary at /usr/local/bin/node); its apt-get step uses the host's network.
# Then, per image: `env` prints the variables; `env --output` into a mounted directory writes the
# file; the default CMD with the task definition's variables; one network namespace holding the
# fake ECS (the image's own `fake-metadata`) and three init containers with ENTRYPOINT_PEERS=family;
# no shell in the image. With mmdebstrap and mix: a whole task, the init container and then an app
# image without Node.js (a Debian runner and the e2e release of the init-container path) whose
# release sources the file. Last, the boot cost of `env --output` on the image's node
# (bench/init-container-boot.mjs).
# Needs root, podman, strip, ldd, npm, and the npm registry (node@$NODE_MAJOR). NODE_MAJOR: 22 (default) or 24.
# PODMAN_RUN_FLAGS: extra `podman run` flags a sandboxed host may need (e.g. "--runtime runc
# --cgroup-manager cgroupfs --ulimit nofile=4096:4096 --ulimit nproc=4096:4096").
set -eu
root=$(cd -P -- "$(dirname -- "$0")/.." && pwd)
. "$root/bench/rootfs.sh"
major=${NODE_MAJOR:-22}
work=$(mktemp -d "${TMPDIR:-/tmp}/ep-entrypoint-image-XXXXXX")
images=""
fake=""
cleanup() {
  [ -z "$fake" ] || podman rm -f "$fake" >/dev/null 2>&1 || true
  for i in $images ep-node-standin; do podman rmi -f "localhost/$i" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
# shellcheck disable=SC2086
run() { podman run --rm ${PODMAN_RUN_FLAGS:-} "$@"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# The release artifact and the Node.js binary.
mkdir "$work/ctx"
(cd "$root" && npm pack --silent --pack-destination "$work/ctx" >/dev/null)
tgz=$(cd "$work/ctx" && ls ecs-release-entrypoint-*.tgz)
version=${tgz#ecs-release-entrypoint-}
version=${version%.tgz}
npm install --prefix "$work/n" --no-save --no-audit --no-fund --loglevel=error "node@$major" >/dev/null
node_bin="$work/n/node_modules/node/bin/node"

# The Dockerfile's RUN step, on this host: node stripped, what ldd names at the same paths, the bundle.
fs="$work/rootfs"
mkdir -p "$fs/usr/local/bin"
strip -o "$fs/usr/local/bin/node" "$node_bin"
ldd "$fs/usr/local/bin/node" | grep -o '/[^ ]*' | sort -u | xargs -I{} cp -L --parents {} "$fs"
tar -xzf "$work/ctx/$tgz" -O package/entrypoint >"$fs/entrypoint"
chmod 0755 "$fs/entrypoint"
chroot "$fs" /usr/local/bin/node /entrypoint version >/dev/null || fail "the rootfs does not run on its own"
tar -C "$fs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
podman import -q --change 'ENTRYPOINT ["/usr/local/bin/node", "/entrypoint"]' \
  --change 'CMD ["env", "--output", "/ecs-env/release.env"]' "$work/rootfs.tar" localhost/ep-entrypoint-rootfs >/dev/null
images="ep-entrypoint-rootfs"

if command -v mmdebstrap >/dev/null; then
  mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    --customize-hook="mkdir -p \"\$1/usr/local/bin\" && cp '$node_bin' \"\$1/usr/local/bin/node\"" \
    bookworm "$work/standin.tar" "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" >/dev/null 2>&1
  podman import -q "$work/standin.tar" localhost/ep-node-standin >/dev/null
  cp "$root/examples/init-container/Dockerfile" "$work/ctx/"
  podman build -q --layers=false --pull=never --network host --isolation chroot --build-arg NODE_IMAGE=localhost/ep-node-standin \
    --build-arg VERSION="$version" -t localhost/ep-entrypoint-dockerfile "$work/ctx" >/dev/null 2>"$work/build.log" ||
    { cat "$work/build.log" >&2; fail "podman build of examples/init-container/Dockerfile"; }
  images="$images ep-entrypoint-dockerfile"
else
  echo "(mmdebstrap is not installed: the Dockerfile itself is not built, only its rootfs)"
fi

echo "entrypoint image, node@$major ($("$node_bin" --version)), bundle $version, $(uname -m)"
echo "image                            size       compressed (podman save oci-archive)  gzip -6 (docker-archive)"
for i in $images; do
  size=$(podman image inspect -f '{{.Size}}' "localhost/$i")
  oci=$(podman save -q --format oci-archive "localhost/$i" | wc -c)
  gz=$(podman save -q --format docker-archive "localhost/$i" | gzip -6 | wc -c)
  printf '%-32s %-10s %-37s %s\n' "$i" "$(mb "$size")" "$(mb "$oci")" "$(mb "$gz")"
done
libs=$(find "$fs/lib" "$fs/lib64" "$fs/usr/lib" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s }')
printf 'contents: node %s, %s libraries %s, bundle %s\n' "$(mb "$(stat -c %s "$fs/usr/local/bin/node")")" \
  "$(find "$fs" -name '*.so*' -type f | wc -l)" "$(mb "$libs")" "$(mb "$(stat -c %s "$fs/entrypoint")")"
(cd "$fs" && find . -type f | sed 's|^\.||' | sort | tr '\n' ' ' && echo)

for i in $images; do
  img="localhost/$i"
  echo "--- $i"
  out=$(run --network none "$img" env --ip 127.0.0.1 --app shop 2>/dev/null)
  echo "$out"
  echo "$out" | grep -qx "export RELEASE_NODE='shop@127.0.0.1'" || fail "$i: env printed no RELEASE_NODE"

  vol="$work/vol-$i"
  mkdir "$vol"
  run --network none -v "$vol:/ecs-env" "$img" env --ip 127.0.0.1 --app shop --output /ecs-env/release.env 2>/dev/null
  [ "$(stat -c '%a %U' "$vol/release.env")" = "644 root" ] || fail "$i: release.env is not 0644 root"
  node=$(sh -c '. "$1" && echo "$RELEASE_NODE"' sh "$vol/release.env")
  [ "$node" = shop@127.0.0.1 ] || fail "$i: sourcing release.env gave RELEASE_NODE=$node"
  echo "env --output: $(stat -c '%n %s bytes, mode %a, owner %U' "$vol/release.env" | sed "s|$vol|<volume>|"); sourced, RELEASE_NODE=$node"

  # The default CMD, configured as the task definition configures it.
  rm "$vol/release.env"
  run --network none -v "$vol:/ecs-env" -e ENTRYPOINT_APP=shop -e ENTRYPOINT_GIT_SHA=0f3c9e1 \
    -e ENTRYPOINT_IP=127.0.0.1 -e ENTRYPOINT_DIST_PORT=9100 "$img" 2>/dev/null
  grep -q "inet_dist_listen_min 9100" "$vol/release.env" || fail "$i: the default CMD wrote no pinned port"
  echo "default CMD: $(grep RELEASE_NODE= "$vol/release.env"), pinned port 9100 for listening commands"

  # One network namespace as in an awsvpc task: the fake ECS and three init containers.
  # shellcheck disable=SC2086
  fake=$(podman run -d ${PODMAN_RUN_FLAGS:-} --network none "$img" fake-metadata --port 41235 --family my_app --quiet)
  sleep 1
  for ip in 10.0.0.2 10.0.0.3 10.0.0.4; do
    mkdir -p "$vol/$ip"
    run --network "container:$fake" -v "$vol/$ip:/ecs-env" -e ENTRYPOINT_APP=my_app -e ENTRYPOINT_GIT_SHA=0f3c9e1 \
      -e ENTRYPOINT_PEERS=family -e ECS_CONTAINER_METADATA_URI_V4="http://127.0.0.1:41235/v4/$ip" \
      -e AWS_ENDPOINT_URL=http://127.0.0.1:41235 -e AWS_REGION=us-east-1 -e AWS_ACCESS_KEY_ID=local \
      -e AWS_SECRET_ACCESS_KEY=local "$img" 2>/dev/null
  done
  podman rm -f "$fake" >/dev/null
  fake=""
  peers=$(sed -n "s/^export ECS_PEER_NODES='\(.*\)'$/\1/p" "$vol/10.0.0.4/release.env")
  [ "$peers" = "my_app-0f3c9e1@10.0.0.2,my_app-0f3c9e1@10.0.0.3" ] || fail "$i: the third task found peers '$peers'"
  echo "metadata + peers (family) through the fake ECS, third task: ECS_PEER_NODES=$peers"

  # Name lookups (glibc's built-in files/dns) and TLS roots (built into Node.js) need no files of the image.
  probe='require("dns").lookup("localhost", (e, a) => console.log(e ? e.code : a, require("tls").rootCertificates.length))'
  # shellcheck disable=SC2046
  set -- $(run --network none --entrypoint /usr/local/bin/node "$img" -e "$probe")
  [ "$1" = 127.0.0.1 ] || fail "$i: localhost resolves to $1"
  echo "localhost resolves to $1 (the runtime's /etc/hosts); $2 CA certificates built into node"
  if run --network none --entrypoint /bin/sh "$img" -c true >/dev/null 2>&1; then fail "$i has a shell"; fi
  echo "no shell: podman run --entrypoint /bin/sh fails"
done

# A whole task, when mmdebstrap and the e2e toolchain are there: the app image is a Debian runner
# (built like bench/image-size.sh's) with the e2e release of the init-container path
# (examples/elixir/rel/env.sh.eex, no bin/entrypoint) and no Node.js; the init container writes
# the file, then the app container starts its release, which sources it.
if command -v mmdebstrap >/dev/null && command -v mix >/dev/null; then
  echo "--- a task: the init container, then the app container (no Node.js in its image)"
  "$root/test/e2e/build-release.sh" >/dev/null 2>&1 || fail "test/e2e/build-release.sh"
  rootfs libstdc++6,openssl,libncurses5,locales,ca-certificates "$work/runner.tar" >/dev/null 2>&1
  podman import -q "$work/runner.tar" localhost/ep-init-runner >/dev/null
  images="$images ep-init-runner ep-init-app"
  mkdir "$work/app"
  cp -a "$root/test/e2e/app/_build/prod/rel/shop-app-only" "$work/app/rel"
  printf '%s\n' 'FROM localhost/ep-init-runner' \
    'ENV LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'WORKDIR /app' 'COPY --chown=nobody:root rel ./' 'USER nobody' 'CMD ["/app/bin/shop", "start"]' >"$work/app/Containerfile"
  podman build -q --layers=false --pull=never --isolation chroot -f "$work/app/Containerfile" -t localhost/ep-init-app "$work/app" >/dev/null
  for i in ep-init-runner ep-init-app; do
    printf '%-32s %-10s %s\n' "$i" "$(mb "$(podman image inspect -f '{{.Size}}' "localhost/$i")")" \
      "$(mb "$(podman save -q --format oci-archive "localhost/$i" | wc -c)") compressed"
  done
  app=localhost/ep-init-app
  if run --network none --entrypoint /bin/sh "$app" -c 'command -v node' >/dev/null 2>&1; then fail "the app image has node"; fi
  echo "the app image has no node on PATH"
  if out=$(run --network none -e RELEASE_COOKIE=image-check "$app" 2>&1); then fail "the app started without the file"; else code=$?; fi
  echo "without the file the release stops, exit $code: $(echo "$out" | cut -c1-90)…"
  img="localhost/${images%% *}"
  mkdir "$work/task-volume"
  # shellcheck disable=SC2086
  fake=$(podman run -d ${PODMAN_RUN_FLAGS:-} --network none "$img" fake-metadata --port 41235 --family shop --quiet)
  sleep 1
  run --network "container:$fake" -v "$work/task-volume:/ecs-env" -e ENTRYPOINT_APP=shop -e ENTRYPOINT_GIT_SHA=0f3c9e1 \
    -e ECS_CONTAINER_METADATA_URI_V4=http://127.0.0.1:41235/v4/fake-container "$img" 2>/dev/null || fail "the init container"
  # shellcheck disable=SC2086
  c=$(podman run -d ${PODMAN_RUN_FLAGS:-} --network "container:$fake" -v "$work/task-volume:/ecs-env:ro" -e RELEASE_COOKIE=image-check "$app")
  sleep 4
  echo "app container PID 1: $(podman top "$c" pid user comm | sed -n 2p | tr -s ' ')"
  echo "rpc: $(podman exec "$c" /app/bin/shop rpc 'IO.inspect(node())' 2>&1)"
  podman stop -t 20 "$c" >/dev/null
  echo "exit status after podman stop: $(podman inspect -f '{{.State.ExitCode}}' "$c")"
  podman rm "$c" >/dev/null
  podman rm -f "$fake" >/dev/null
  fake=""
fi

echo "--- the init container's whole run: podman run --rm, start to exit, median of 7 interleaved"
img="localhost/${images%% *}"
ms() { s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for _ in 1 2 3 4 5 6 7; do
  ms run --network none --entrypoint /usr/local/bin/node "$img" -e 0 >>"$work/t-node"
  ms run --network none -v "$work/vol-${images%% *}:/ecs-env" -e ENTRYPOINT_APP=shop -e ENTRYPOINT_IP=127.0.0.1 "$img" >>"$work/t-init"
done
echo "container with node -e 0: $(med <"$work/t-node") ms; init container (env --output, address given): $(med <"$work/t-init") ms"

echo "--- boot cost of env --output on the image's node"
"$fs/usr/local/bin/node" "$root/bench/init-container-boot.mjs"
