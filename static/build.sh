#!/usr/bin/env bash
# build.sh rebuilds the vendored front-end files in static/ from the npm
# packages pinned in package-lock.json. Only this script needs Node and npm; the
# Go build embeds its committed outputs. Run it from anywhere (make assets).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

# The versions are part of the file names that embed.go and the pages refer to.
readonly GOVUK_FRONTEND_VERSION=5.14.0
readonly HTMX_VERSION=2.0.11

# No package here needs an install script (sass's optional file watcher is
# not used), so none is run.
npm ci --ignore-scripts --no-audit --no-fund

installed() { node -p "require('./node_modules/$1/package.json').version"; }
for pkg in govuk-frontend:$GOVUK_FRONTEND_VERSION htmx.org:$HTMX_VERSION; do
  name=${pkg%%:*} want=${pkg#*:} got=$(installed "${pkg%%:*}")
  if [[ $got != "$want" ]]; then
    echo "build.sh: $name is $got in package-lock.json, expected $want; update build.sh, embed.go and the pages together" >&2
    exit 1
  fi
done

node build.mjs

cp node_modules/htmx.org/dist/htmx.min.js "htmx-$HTMX_VERSION.min.js"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "govuk-frontend-$GOVUK_FRONTEND_VERSION.min.js"

# GOV.UK Frontend's favicons and touch icons are all the crown, so the
# favicon is this app's own; its CSS needs no image (see build.mjs).
rm -rf assets
mkdir -p assets/images
cp src/favicon.svg assets/images/favicon.svg

echo "build.sh: built app.css, htmx-$HTMX_VERSION.min.js, govuk-frontend-$GOVUK_FRONTEND_VERSION.min.js and assets/"
