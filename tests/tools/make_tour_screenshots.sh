#!/usr/bin/env bash
# The README's "first five minutes" pictures, taken as a user sees the app: the release binary in a
# real X server (Xvfb, 1400 x 900), driven with xdotool, captured with ImageMagick's import.
# Needs: xvfb xauth xdotool imagemagick. Usage: tests/tools/make_tour_screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-build/release}/attnscope"
out=docs/screenshots
size=${TOUR_SIZE:-1400x900}
export HOME=$(mktemp -d) # fresh settings: the window as a new user first sees it

shoot() { # NAME SECONDS ARGS... : start the app, wait, run $ACTIONS, capture, quit
    local name=$1 wait=$2; shift 2
    xvfb-run -a -s "-screen 0 ${size}x24" bash -c '
        "$0" "${@:3}" & pid=$!
        sleep "$2"
        win=$(xdotool search --sync --onlyvisible --class attnscope | head -1)
        xdotool windowactivate --sync "$win" 2>/dev/null || true
        eval "${ACTIONS:-true}"
        sleep 1
        import -window root "$1"
        kill $pid' "$bin" "$out/$name.png" "$wait" "$@"
}

# 1. The default sample.
ACTIONS='' shoot tour-1-sample 4
# 2. Hover a cell of the heatmap (the pointer over query "dog" x key "dog", at 1400 x 900).
ACTIONS='xdotool mousemove 712 632; sleep 0.5; xdotool mousemove 716 635; sleep 1.5' shoot tour-2-hover 4
# 3. The heads grid of four heads.
ACTIONS='' shoot tour-3-heads 4 seed001-text --view heads
# 4. The bundled model's heads sorted by first-token (sink) mass: the "Sort by" combo, 4 down.
ACTIONS='xdotool mousemove 470 146 click 1; sleep 0.7; xdotool key Escape; sleep 0.3; xdotool key Down Down Down Down; sleep 1.5' \
    shoot tour-4-model 6 model-bos-sink --view heads
# 5. A click selects query "dog" (its top keys in Details), then Ctrl+E: the Export dialog.
ACTIONS='xdotool mousemove 716 635 click 1; sleep 0.5; xdotool key ctrl+e; sleep 1.5' shoot tour-5-export 4
echo "wrote $out/tour-*.png"
