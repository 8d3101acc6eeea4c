#!/bin/sh
# What the entrypoint costs in a Debian bookworm runner image (the README's image table): a runner
# rootfs built like Dockerfile.example's runner stage, a release, and the Node.js binary as shipped,
# stripped, and from Node.js 22; curl + jq for comparison. Then boots the smallest one with no network.
# Needs root, mmdebstrap, podman, strip, and the Debian and npm repositories (no container registry).
# PODMAN_RUN_FLAGS: extra `podman run` flags a sandboxed host may need (e.g. "--runtime runc
# --cgroup-manager cgroupfs --ulimit nofile=4096:4096 --ulimit nproc=4096:4096").
set -eu
root=$(cd -P -- "$(dirname -- "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ep-image-XXXXXX")
images="ep-image-runner ep-image-release ep-image-node24 ep-image-node24s ep-image-node22s"
cleanup() {
  for i in $images; do podman rmi -f "localhost/$i" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

. "$root/bench/rootfs.sh"
runtime=libstdc++6,openssl,libncurses5,locales,ca-certificates
rootfs "$runtime" "$work/runner.tar"
rootfs "$runtime,curl,jq" "$work/runner-curl.tar"

"$root/test/e2e/build-release.sh"
mkdir "$work/ctx"
cp -a "$root/test/e2e/app/_build/prod/rel/shop" "$work/ctx/rel"
cp "$root/node_modules/node/bin/node" "$work/ctx/node24"
npm install --prefix "$work/n22" --no-save --no-audit --no-fund --loglevel=error node@22 >/dev/null
cp "$work/n22/node_modules/node/bin/node" "$work/ctx/node22"
strip -o "$work/ctx/node24s" "$work/ctx/node24"
strip -o "$work/ctx/node22s" "$work/ctx/node22"

podman import -q "$work/runner.tar" localhost/ep-image-runner >/dev/null
cat >"$work/ctx/Release" <<'EOF'
FROM localhost/ep-image-runner
ENV LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /app
COPY --chown=nobody:root rel ./
USER nobody
ENTRYPOINT ["/app/bin/entrypoint"]
CMD ["server"]
EOF
podman build -q --pull=never --isolation chroot -f "$work/ctx/Release" -t localhost/ep-image-release "$work/ctx" >/dev/null
for node in node24 node24s node22s; do
  printf 'FROM localhost/ep-image-release\nCOPY %s /usr/local/bin/node\n' "$node" >"$work/ctx/$node.Containerfile"
  podman build -q --pull=never -f "$work/ctx/$node.Containerfile" -t "localhost/ep-image-$node" "$work/ctx" >/dev/null
done

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
echo "image (x86-64 unless the host is not)        size          compressed (podman save, gzip layers)"
for i in $images; do
  size=$(podman image inspect -f '{{.Size}}' "localhost/$i")
  packed=$(podman save -q --format oci-archive "localhost/$i" | wc -c)
  printf '%-44s %-13s %s\n' "$i" "$(mb "$size")" "$(mb "$packed")"
done
for f in node24 node24s node22 node22s; do printf '%-44s %s\n' "binary $f" "$(mb "$(stat -c %s "$work/ctx/$f")")"; done
plain=$(stat -c %s "$work/runner.tar")
curl=$(stat -c %s "$work/runner-curl.tar")
printf '%-44s +%s (+%s compressed)\n' "curl and jq in the runner" "$(mb $((curl - plain)))" \
  "$(mb $(($(gzip -6 -c "$work/runner-curl.tar" | wc -c) - $(gzip -6 -c "$work/runner.tar" | wc -c))))"

# The smallest image boots: no network (loopback only), the address from the environment.
# shellcheck disable=SC2086
c=$(podman run -d ${PODMAN_RUN_FLAGS:-} --network none -e ENTRYPOINT_IP=127.0.0.1 -e RELEASE_COOKIE=image-check localhost/ep-image-node22s)
sleep 4
podman logs "$c" 2>&1 | grep '^entrypoint:'
podman top "$c" pid user comm | sed -n 2p
podman exec "$c" /app/bin/entrypoint shop rpc 'IO.inspect(node())' 2>/dev/null
podman stop -t 20 "$c" >/dev/null
echo "exit status after podman stop: $(podman inspect -f '{{.State.ExitCode}}' "$c")"
podman rm "$c" >/dev/null
