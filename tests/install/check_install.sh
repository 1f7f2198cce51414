#!/usr/bin/env bash
# The install, checked as a user (and Debian) would: `cmake --install` into a DESTDIR, the desktop
# entry, AppStream metainfo, shared-mime-info file and man page validated by their own tools, the
# installed binary run from that tree with the build and source trees out of its lookup path, then
# `cpack -G DEB`: the .deb's control fields and contents, unpacked into a scratch root and run.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR VERSION     (CTest passes them)
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
version="$3"
runner=$(realpath "$(dirname "$0")/run_installed.sh")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/attnscope-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
app_id=io.github.attnscope.AttnScope
# The installed binary must find everything through its own prefix: no test variables pointing
# at the trees, and a working directory outside them.
unset ATTNSCOPE_DATA_DIR ATTNSCOPE_BUNDLED_MODEL ATTNSCOPE_SOURCE_DIR ATTNSCOPE_TEST_DATA ATTNSCOPE_FIXTURES
export QT_QPA_PLATFORM=offscreen HOME="$scratch/home"
mkdir -p "$HOME"
cd "$scratch"

step "cmake --install into a DESTDIR (prefix /usr)"
DESTDIR="$scratch/root" cmake --install "$build" --prefix /usr > "$scratch/install.log"
root="$scratch/root/usr"
for f in bin/attnscope share/attnscope/models/stories260k/stories260K.bin share/attnscope/models/stories260k/tok512.bin \
         share/attnscope/models/stories260k/LICENSE.llama2c share/attnscope/models/stories260k/SOURCE.txt \
         share/attnscope/samples/text-fox.json share/attnscope/samples/model-story.json share/attnscope/samples/images/shapes.png \
         share/attnscope/diagrams/seed000.mmd share/applications/$app_id.desktop share/metainfo/$app_id.metainfo.xml \
         share/mime/packages/$app_id.xml share/icons/hicolor/scalable/apps/$app_id.svg \
         share/icons/hicolor/48x48/apps/$app_id.png share/icons/hicolor/256x256/apps/$app_id.png \
         share/man/man1/attnscope.1.gz share/doc/attnscope/LICENSE share/doc/attnscope/copyright; do
    [ -e "$root/$f" ] || fail "the install lacks $f"
done
[ -L "$root/share/attnscope/models" ] && fail "share/attnscope/models is a link into the build tree, not a copy"
grep -q "$source" <(find "$root" -type l -printf '%l\n') && fail "the install holds links into the source tree"
cmp -s "$source/resources/models/stories260k/stories260K.bin" "$root/share/attnscope/models/stories260k/stories260K.bin" \
    || fail "the installed stories260K.bin differs from resources/"
for size in 16 24 32 48 64 128 256 512; do
    png="$root/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
    [ -e "$png" ] || fail "no ${size}x${size} icon"
    file "$png" | grep -q "PNG image data, $size x $size" || fail "the ${size}x${size} icon is $(file -b "$png")"
done

step "desktop-file-validate"
desktop-file-validate "$root/share/applications/$app_id.desktop"
grep -q '^MimeType=.*application/x-attnscope-session' "$root/share/applications/$app_id.desktop" || fail "the desktop entry does not open sessions"
grep -q '^Exec=attnscope %f$' "$root/share/applications/$app_id.desktop" || fail "the desktop entry's Exec is not 'attnscope %f'"

step "appstreamcli validate --no-net"
appstreamcli validate --no-net --pedantic "$root/share/metainfo/$app_id.metainfo.xml"
xmllint --noout --xpath "/component/launchable[text()='$app_id.desktop']" "$root/share/metainfo/$app_id.metainfo.xml" > /dev/null \
    || fail "the metainfo does not launch the desktop entry"
[ "$(xmllint --xpath 'count(/component/screenshots/screenshot)' "$root/share/metainfo/$app_id.metainfo.xml")" -ge 2 ] \
    || fail "the metainfo has fewer than two screenshots"
xmllint --xpath "/component/releases/release[@version='$version']" \
    "$root/share/metainfo/$app_id.metainfo.xml" > /dev/null || fail "the metainfo has no release for this version"

step "shared-mime-info: xmllint, then update-mime-database on a copy"
mime_xml="$root/share/mime/packages/$app_id.xml"
xmllint --noout "$mime_xml"
[ "$(xmllint --xpath 'count(//*[local-name()="mime-type"])' "$mime_xml")" -ge 3 ] || fail "the mime file defines too few types"
mkdir -p "$scratch/mime/packages"
cp "$mime_xml" "$scratch/mime/packages/"
update-mime-database "$scratch/mime" > /dev/null 2>&1 || fail "update-mime-database refused the mime file"
grep -q '^50:application/x-attnscope-session:\*\.attnscope$' "$scratch/mime/globs2" || fail "*.attnscope is not registered: $(cat "$scratch/mime/globs2")"
grep -q ':application/x-safetensors:\*\.safetensors$' "$scratch/mime/globs2" || fail "*.safetensors is not registered"
grep -q ':application/x-gguf:\*\.gguf$' "$scratch/mime/globs2" || fail "*.gguf is not registered"
grep -q ':text/vnd.mermaid:\*\.mmd$' "$scratch/mime/globs2" || fail "*.mmd is not registered"

step "man -l"
man_text=$(MANWIDTH=100 man -l "$root/share/man/man1/attnscope.1.gz" 2> "$scratch/man.err" | col -b)
[ -s "$scratch/man.err" ] && fail "man printed warnings: $(cat "$scratch/man.err")"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES; do
    grep -q "^$section" <<< "$man_text" || fail "the man page has no $section section"
done
# Every subcommand the binary knows has its own entry.
for command in samples dump export generate session pipeline; do
    grep -qE "^ +attnscope $command" <<< "$man_text" || fail "the man page does not describe '$command'"
done

# The headless subcommands of an installed binary (tests/install/run_installed.sh). When this
# machine allows a private mount namespace (unshare -rm), the source tree and the build tree are
# hidden under empty tmpfs mounts while it runs: the binary cannot reach them even by accident.
reference="$scratch/reference.npy"
"$build/attnscope" dump --model "$source/resources/models/stories260k" \
    --text "Once upon a time, there was a little girl named Lily. She loved to play outside." --out "$reference"
cp "$runner" "$scratch/run_installed.sh"
run_installed() { # BIN_DIR
    local out="$scratch/out-$(echo "$1" | tr '/' '_')"
    mkdir -p "$out"
    if unshare -rm true 2> /dev/null; then
        unshare -rm bash -c 'mount -t tmpfs none "$1"; [ -d "$2" ] && mount -t tmpfs none "$2"; shift 2; exec bash "$@"' \
            hide "$source" "$build" "$scratch/run_installed.sh" "$1" "$out" "$version" "$reference" "$source" \
            || fail "the installed binary in $1 (source and build trees hidden)"
    else
        echo "(no private mount namespace here: the trees stay visible, the binary is run from $scratch)"
        bash "$scratch/run_installed.sh" "$1" "$out" "$version" "$reference" "$source" || fail "the installed binary in $1"
    fi
}

step "the installed binary, from the DESTDIR"
# Nothing of the build or source tree may be compiled into the binary as a place to look.
if grep -qF "$source/resources" "$root/bin/attnscope" || grep -qF "$build/share" "$root/bin/attnscope"; then
    fail "the installed binary holds a path into the source or build tree"
fi
run_installed "$root/bin"
# The data folder is found relative to the binary: a moved prefix still works.
mv "$scratch/root/usr" "$scratch/moved"
run_installed "$scratch/moved/bin"
mv "$scratch/moved" "$scratch/root/usr"

step "cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$scratch/packages" > "$scratch/cpack.log") || { cat "$scratch/cpack.log"; fail "cpack"; }
deb=$(ls "$scratch"/packages/attnscope_*.deb)
[ -n "$deb" ] || fail "cpack made no .deb"
dpkg-deb -f "$deb" Package Version Architecture Depends Section > "$scratch/control.txt"
cat "$scratch/control.txt"
grep -qx "Package: attnscope" "$scratch/control.txt" || fail "Package"
grep -qx "Version: $version" "$scratch/control.txt" || fail "Version"
grep -qx "Architecture: $(dpkg --print-architecture)" "$scratch/control.txt" || fail "Architecture"
# Depends come from what the binary links (dpkg-shlibdeps), with versions.
depends=$(grep '^Depends:' "$scratch/control.txt")
for lib in libqt6core6 libqt6gui6 libqt6widgets6 libqt6svg6 libqcustomplot2.1-qt6 libgvc6 libcgraph6 libpng16-16 libgomp1 libc6 libstdc++6; do
    tr ',' '\n' <<< "${depends#Depends: }" | sed 's/^ *//; s/ .*//' | grep -qxF "$lib" || fail "Depends lacks $lib: $depends"
done
dpkg-deb -c "$deb" > "$scratch/contents.txt"
for f in ./usr/bin/attnscope ./usr/share/attnscope/models/stories260k/stories260K.bin ./usr/share/applications/$app_id.desktop \
         ./usr/share/metainfo/$app_id.metainfo.xml ./usr/share/mime/packages/$app_id.xml \
         ./usr/share/icons/hicolor/scalable/apps/$app_id.svg ./usr/share/man/man1/attnscope.1.gz ./usr/share/doc/attnscope/copyright; do
    grep -qE " $f\$" "$scratch/contents.txt" || fail "the .deb lacks $f"
done
grep -q "$build\|$source" "$scratch/contents.txt" && fail "the .deb holds build paths"

step "the .deb unpacked into a scratch root"
dpkg -x "$deb" "$scratch/debroot"
run_installed "$scratch/debroot/usr/bin"
echo "install checks passed"
