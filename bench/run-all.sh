#!/bin/bash
# Compares attnscope-bench with the torch peer (bench/torch_peer.py), size by size.
#
#   bench/run-all.sh [--threads T] [--sizes 128,256,...] [--repeats R] [--case all|mha-self|stories260k-forward] [BENCH]
#
# BENCH defaults to build/release/bench/attnscope-bench (this script builds nothing:
# cmake --preset release && ninja -C build/release attnscope_bench). Both programs get the same
# thread count (default 2) and run interleaved, one process per size and program, so each
# peak RSS is that size's own. Prints one JSON line per size
#   {"case":"mha-self","n":1024,"attnscope_ms":3.1,"attnscope_min_ms":..,"attnscope_max_ms":..,
#    "peer":"torch","peer_ms":3.4,"peer_min_ms":..,"peer_max_ms":..,"ratio":0.91}
# (medians; ratio = attnscope_ms / peer_ms, below 1 means attnscope is faster), then a table
# with min / median / max of both and each side's max/min spread, then the
# kernel measurements of `attnscope-bench --kernels` (SGEMM peak, Q K^T and A V GFLOP/s, copy
# bandwidth, softmax over a 4096 x 4096 map) as JSON lines. Then a real checkpoint: the stories260K
# forward at 256 tokens (attnscope-bench --case stories260k-forward against bench/torch_llama2c_peer.py,
# same weights and ids, every layer's attention materialised), one JSON line
#   {"case":"stories260k-forward","n":256,"attnscope_ms":...,"peer":"torch","peer_ms":...,"ratio":...}
# (the bundled resources/models/stories260k). --case runs one of the two only.
# Exit 0 ok, 1 a run failed, 2 usage, 3 torch's BLAS is too slow to compare against.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
threads=2
sizes="128,256,512,1024,2048,4096"
repeats=""
bench="$root/build/release/bench/attnscope-bench"
python=/usr/bin/python3
per_run_timeout=240 # seconds; the whole default run takes a few minutes

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
which=all
model="${ATTNSCOPE_BUNDLED_MODEL:-$root/resources/models/stories260k}"

while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
        --sizes) sizes="${2:?--sizes needs a value}"; shift 2 ;;
        --repeats) repeats="${2:?--repeats needs a value}"; shift 2 ;;
        --case) which="${2:?--case needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "run-all.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
        *) bench="$1"; shift ;;
    esac
done

if ! [[ "$threads" =~ ^[1-9][0-9]*$ ]]; then
    echo "run-all.sh: --threads: '$threads' is not a positive whole number" >&2; exit 2
fi
if ! [[ "$sizes" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]]; then
    echo "run-all.sh: --sizes: '$sizes' is not a comma-separated list of positive whole numbers" >&2; exit 2
fi
if [ -n "$repeats" ] && ! [[ "$repeats" =~ ^[1-9][0-9]*$ ]]; then
    echo "run-all.sh: --repeats: '$repeats' is not a positive whole number" >&2; exit 2
fi
if [[ ! "$which" =~ ^(all|mha-self|stories260k-forward)$ ]]; then
    echo "run-all.sh: --case: '$which' is not all, mha-self or stories260k-forward" >&2; exit 2
fi
if [ ! -x "$bench" ]; then
    echo "run-all.sh: no benchmark program at '$bench'; build it first:" >&2
    echo "    cmake --preset release && ninja -C build/release attnscope_bench" >&2
    exit 2
fi
if [ ! -x "$python" ]; then
    echo "run-all.sh: $python not found (the torch peer needs Debian's python3-torch)" >&2; exit 2
fi
if ! command -v jq >/dev/null; then
    echo "run-all.sh: jq not found (apt-get install jq)" >&2; exit 2
fi

extra=()
[ -n "$repeats" ] && extra=(--repeats "$repeats")

# Refuse early when torch would run on the reference BLAS (torch_peer.py explains and exits 3).
set +e
check="$("$python" "$here/torch_peer.py" --threads "$threads" --blas-check)"
rc=$?
set -e
[ $rc -eq 0 ] || exit $rc
sgemm="$(jq -r .sgemm_gflops <<<"$check")"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) threads=$threads torch SGEMM 2048: ${sgemm} GFLOP/s; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# The measurement line of one program's run at one size.
measure() { # name, command...
    local name="$1" out rc
    shift
    set +e
    out="$(timeout "$per_run_timeout" "$@")"
    rc=$?
    set -e
    if [ $rc -ne 0 ]; then
        echo "run-all.sh: $name failed (exit $rc): $*" >&2
        exit $(( rc == 3 ? 3 : 1 ))
    fi
    grep -m1 '^{' <<<"$out" || { echo "run-all.sh: $name printed no measurement" >&2; exit 1; }
}

if [ "$which" != stories260k-forward ]; then
table=()
IFS=',' read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
    a="$(measure attnscope-bench "$bench" --sizes "$n" --threads "$threads" "${extra[@]}")"
    t="$(measure torch_peer.py "$python" "$here/torch_peer.py" --sizes "$n" --threads "$threads" "${extra[@]}")"
    line="$(jq -cn --argjson a "$a" --argjson t "$t" \
        '{case: "mha-self", n: $a.n, attnscope_ms: $a.median_ms, attnscope_min_ms: $a.min_ms, attnscope_max_ms: $a.max_ms,
          peer: "torch", peer_ms: $t.median_ms, peer_min_ms: $t.min_ms, peer_max_ms: $t.max_ms,
          ratio: (($a.median_ms / $t.median_ms) * 100 | round / 100)}')"
    echo "$line"
    table+=("$(jq -rn --argjson a "$a" --argjson t "$t" \
        '[$a.n, $a.min_ms, $a.median_ms, $a.max_ms, $t.min_ms, $t.median_ms, $t.max_ms,
          ($a.median_ms / $t.median_ms), ($a.max_ms / $a.min_ms), ($t.max_ms / $t.min_ms),
          $a.gflops, $t.gflops, $a.peak_rss_mb, $t.peak_rss_mb] | @tsv')")
done

echo
echo "multi-head self-attention, d=512, 8 heads, $threads thread(s); wall time per call, min / median / max of the repeats"
printf '%6s %26s %26s %7s %8s %8s %9s %9s %7s %7s\n' \
    N "attnscope ms min/med/max" "torch ms min/med/max" ratio "a max/min" "t max/min" "a GF/s" "t GF/s" "a MB" "t MB"
for row in "${table[@]}"; do
    IFS=$'\t' read -r n amin am amax tmin tm tmax ratio aspread tspread ag tg ar tr <<<"$row"
    printf '%6d %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %7.2f %9.2f %9.2f %9.1f %9.1f %7.0f %7.0f\n' \
        "$n" "$amin" "$am" "$amax" "$tmin" "$tm" "$tmax" "$ratio" "$aspread" "$tspread" "$ag" "$tg" "$ar" "$tr"
done
echo "ratio = attnscope median / torch median (below 1: attnscope faster); max/min = slowest / fastest repeat"
echo "(a = attnscope, t = torch); GF/s at the median; MB = peak RSS of the process"
echo
echo "the machine's own spread (attnscope-bench --case noise-floor --threads $threads: no memory, no engine):"
timeout "$per_run_timeout" "$bench" --case noise-floor --threads "$threads" | tail -1 ||
    { echo "run-all.sh: attnscope-bench --case noise-floor failed" >&2; exit 1; }
echo
echo "kernels (attnscope-bench --kernels --threads $threads):"
timeout "$per_run_timeout" "$bench" --kernels --threads "$threads" || { echo "run-all.sh: attnscope-bench --kernels failed" >&2; exit 1; }
fi

# A real checkpoint: the stories260K forward at 256 tokens, attnscope against torch on the same weights.
if [ "$which" != mha-self ]; then
    if [ -f "$model/stories260K.bin" ]; then
        a="$(measure attnscope-bench "$bench" --case stories260k-forward --model "$model" --threads "$threads" "${extra[@]}")"
        t="$(measure torch_llama2c_peer.py "$python" "$here/torch_llama2c_peer.py" --model "$model" --threads "$threads" "${extra[@]}")"
        jq -cn --argjson a "$a" --argjson t "$t" \
            '{case: "stories260k-forward", n: $a.n, attnscope_ms: $a.median_ms, peer: "torch", peer_ms: $t.median_ms,
              ratio: (($a.median_ms / $t.median_ms) * 100 | round / 100)}'
    else
        echo "run-all.sh: $model/stories260K.bin is absent: skipping stories260k-forward" >&2
    fi
fi
[ "$which" = all ] || exit 0

# Peak memory of a whole `attnscope dump` (N = 8192, one head, float32 weights written as .npy):
# target <= 1.5 x N^2 x 4 bytes + 100 MB, i.e. no second N x N buffer anywhere on the way.
exe="$(dirname "$(dirname "$bench")")/attnscope"
if [ -x "$exe" ]; then
    echo
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    "$python" - "$exe" "$scratch" "$threads" <<'PY'
import json, os, resource, subprocess, sys
import numpy as np
exe, scratch, threads = sys.argv[1], sys.argv[2], sys.argv[3]
n, d = 8192, 64
x = np.random.default_rng(1).standard_normal((n, d)).astype(np.float32)
np.save(os.path.join(scratch, "x.npy"), x)
out = os.path.join(scratch, "w.npy")
env = dict(os.environ, OMP_NUM_THREADS=threads)
subprocess.run([exe, "dump", "--npy", os.path.join(scratch, "x.npy"), "--heads", "1", "--out", out],
               check=True, env=env, stdout=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0  # KiB -> MiB
target = 1.5 * n * n * 4 / 2**20 + 100
w = np.load(out, mmap_mode="r")
print(json.dumps({"case": "dump-peak-rss", "n": n, "heads": 1, "peak_rss_mb": round(peak, 1),
                  "target_mb": round(target, 1), "map_mb": round(n * n * 4 / 2**20, 1),
                  "output_shape": list(w.shape), "within": peak <= target}))
PY
else
    echo "run-all.sh: no $exe; skipping the dump memory measurement" >&2
fi

# The window: heatmap replots and PNG export (attnscope-gui-bench, offscreen).
gui="$(dirname "$bench")/attnscope-gui-bench"
if [ -x "$gui" ]; then
    echo
    echo "heatmap and export (attnscope-gui-bench, offscreen):"
    OMP_NUM_THREADS="$threads" timeout "$per_run_timeout" "$gui" --sizes 4096,16384 --repeats 5 ||
        { echo "run-all.sh: attnscope-gui-bench failed" >&2; exit 1; }
fi
