#!/usr/bin/env bash
# Re-vendor ECharts from the npm registry into the static files (no CDN at run time).
set -euo pipefail
version="${1:-6.1.0}"
dest="$(dirname "$0")/../huanjie/core/static/vendor/echarts"
tmp="$(mktemp -d)"
(cd "$tmp" && npm pack "echarts@$version" --silent >/dev/null && tar xzf "echarts-$version.tgz")
mkdir -p "$dest"
cp "$tmp/package/dist/echarts.min.js" "$tmp/package/LICENSE" "$tmp/package/NOTICE" "$dest/"
echo "$version" > "$dest/VERSION"
rm -rf "$tmp"
echo "ECharts $version → $dest"
