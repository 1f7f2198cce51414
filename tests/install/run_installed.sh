#!/usr/bin/env bash
# Runs an installed attnscope's headless subcommands; check_install.sh calls it, with the source and
# build trees hidden when it can. Usage: run_installed.sh BIN_DIR OUT_DIR VERSION REFERENCE_NPY SOURCE_DIR
# REFERENCE_NPY: the build tree's dump of the model-story prompt; SOURCE_DIR is only named, to prove
# it is out of reach.
set -euo pipefail
bin="$1/attnscope" out="$2" version="$3" reference="$4" source="$5"
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$out"
if [ -e "$source/resources" ]; then
    echo "(the source tree is visible)"
else
    echo "(the source tree $source is out of reach)"
fi
"$bin" --version | grep -q "$version" || fail "$bin --version"
"$bin" samples > samples.txt
grep -qP '^model-story\tmodel\t' samples.txt || fail "'samples' does not list model-story: $(cat samples.txt)"
[ "$(wc -l < samples.txt)" -ge 20 ] || fail "'samples' lists $(wc -l < samples.txt) samples"
# The bundled model through the installed data folder (a sample names it relative to share/attnscope).
"$bin" dump --sample model-story --out story.npy --tokens-out story.json 2> dump.err || fail "dump --sample model-story: $(cat dump.err)"
python3 -c '
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    assert f.read(6) == b"\x93NUMPY", "not an npy file"
    f.read(2); n = struct.unpack("<H", f.read(2))[0]; header = f.read(n).decode()
tokens = json.load(open(sys.argv[2]))["tokens"]
shape = "(5, 8, %d, %d)" % (len(tokens), len(tokens))
assert shape in header, header + " is not " + shape
assert tokens[0] == "<s>", tokens[:3]
' story.npy story.json || fail "the installed dump of model-story"
# The same numbers, bit for bit, as the build tree's binary gives for the same model and prompt.
cmp -s story.npy "$reference" || fail "the installed model's attention differs from the build tree's"
"$bin" dump --model "$1/../share/attnscope/models/stories260k" --text "Once upon a time" --out direct.npy 2> /dev/null \
    || fail "dump --model share/attnscope/models/stories260k"
"$bin" export --sample text-fox --view heatmap --width 640 --height 480 --out fox.png
file fox.png | grep -q "PNG image data, 640 x 480" || fail "the exported heatmap is $(file -b fox.png)"
"$bin" export --sample model-bos-sink --view heads --out heads.svg 2> /dev/null
grep -q "<svg" heads.svg || fail "the exported heads grid is not an SVG"
# Bad input still gets a message, not a crash, from the installed binary.
if "$bin" dump --model "$out/no-such-model" --text hi --out x.npy 2> err.txt; then
    fail "a missing model was accepted"
fi
grep -q "no-such-model" err.txt || fail "the message for a missing model does not name it: $(cat err.txt)"
[ -e x.npy ] && fail "a failed dump left a file"
echo "installed binary in $1: samples, dump, export, a bad path: as expected"
