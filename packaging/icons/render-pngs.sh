#!/usr/bin/env bash
# Renders the PNG icon sizes from the scalable SVG (run after editing it; the PNGs are committed).
# Uses librsvg's rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "$size"
    rsvg-convert -w "$size" -h "$size" io.github.attnscope.AttnScope.svg -o "$size/io.github.attnscope.AttnScope.png"
done
