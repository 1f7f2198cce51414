#!/usr/bin/env bash
# AttnScope's two commands:
#   ./build.sh run [ARGS...]   install what is missing, configure, build (Release), launch the app
#   ./build.sh test            install what is missing, build Release and ASan+UBSan, run every test in both
# Debian 12 packages only; apt-get runs (with sudo when not root) only when something is missing.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(cmake ninja-build g++ pkg-config ccache
    qt6-base-dev qt6-svg-dev libqt6svg6 qt6-image-formats-plugins libqcustomplot-dev libeigen3-dev nlohmann-json3-dev
    libgraphviz-dev fonts-noto-cjk
    libpng-dev zlib1g-dev libpcre2-dev libutf8proc-dev
    # tests/install: validators for the desktop entry, metainfo, mime file and man page; cpack's dpkg-shlibdeps
    desktop-file-utils appstream libxml2-utils shared-mime-info man-db dpkg-dev file python3)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_missing() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "Installing missing packages: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "error: not root and sudo is not installed; install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

configure_and_build() { # preset
    log "Configuring and building ($1)"
    cmake --preset "$1" >/dev/null
    cmake --build --preset "$1"
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
    install_missing
    configure_and_build release
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
        echo "error: no display (DISPLAY/WAYLAND_DISPLAY unset). Run it in a desktop session, or: xvfb-run ./build.sh run" >&2
        exit 1
    fi
    log "Launching AttnScope"
    exec ./build/release/attnscope "$@"
    ;;
test)
    install_missing
    status=0
    configure_and_build release
    log "Tests (Release)"
    ctest --preset release -j2 || status=1
    configure_and_build asan
    log "Tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
    ctest --preset asan -j2 || status=1
    if [ $status -ne 0 ]; then
        echo "Some tests failed." >&2
    fi
    exit $status
    ;;
*)
    echo "usage: ./build.sh run [ARGS...] | ./build.sh test" >&2
    exit 2
    ;;
esac
