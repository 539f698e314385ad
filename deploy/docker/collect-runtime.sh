#!/bin/sh
# Assembles what `node apps/<app>/dist/main.js` needs at run time into <out>, from a built and
# pruned repository (run from its root, after `npm ci && npm run build && npm prune --omit=dev`).
#
#   sh deploy/docker/collect-runtime.sh <app> <out>
#
# Workspace packages resolve through node_modules/@baton/* symlinks to libs/* and apps/*, so every
# workspace keeps its package.json (the symlinks stay valid); only the libs and the app itself bring
# their dist/. The gateway also brings the web build it serves (apps/web/dist), when there is one.
set -eu

app="${1:?usage: collect-runtime.sh <app> <out>}"
out="${2:?usage: collect-runtime.sh <app> <out>}"

if [ ! -f "apps/$app/dist/main.js" ]; then
  echo "collect-runtime: apps/$app/dist/main.js is missing; is apps/$app referenced by tsconfig.build.json?" >&2
  exit 1
fi

mkdir -p "$out"
cp package.json package-lock.json "$out/"
cp -a node_modules "$out/node_modules"

for ws in libs/* apps/*; do
  [ -f "$ws/package.json" ] || continue
  mkdir -p "$out/$ws"
  cp "$ws/package.json" "$out/$ws/package.json"
  # a workspace that pins a different version of a dependency gets its own node_modules
  if [ -d "$ws/node_modules" ]; then cp -a "$ws/node_modules" "$out/$ws/node_modules"; fi
done

for lib in libs/*; do
  if [ -d "$lib/dist" ]; then cp -a "$lib/dist" "$out/$lib/dist"; fi
done
cp -a "apps/$app/dist" "$out/apps/$app/dist"

# The runner puts the `baton` CLI built beside it on every session's PATH (agents report with it).
if [ "$app" = runner ]; then
  cp -a apps/cli/dist "$out/apps/cli/dist"
fi

if [ "$app" = gateway ] && [ -d apps/web/dist ]; then
  mkdir -p "$out/apps/web"
  cp -a apps/web/dist "$out/apps/web/dist"
fi

mkdir -p "$out/deploy/docker"
cp deploy/docker/healthcheck.js "$out/deploy/docker/healthcheck.js"

# build bookkeeping is of no use at run time
find "$out/libs" "$out/apps" -name '*.tsbuildinfo' -type f -delete
