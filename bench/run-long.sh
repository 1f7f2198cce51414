#!/bin/bash
# Long prompts on a Qwen2.5-0.5B-shaped checkpoint: attnscope-long-bench beside the PyTorch peer
# (bench/torch_qwen2_peer.py, eager attention with output_attentions), interleaved: for each repeat,
# for each size, one attnscope process then one torch process, so both see the same noisy moments.
#
#   bench/run-long.sh [--threads T] [--sizes 1024,2048,4096] [--repeats R] [--model DIR] [BENCH]
#
# DIR defaults to /tmp/attnscope-bench/qwen2.5-0.5b-shape and is written by bench/make_qwen2_shape.py
# when missing (0.99 GB, never committed). BENCH defaults to build/release/bench/attnscope-long-bench
# (this script builds nothing). Prints every JSON line, then per size min / median / max of both
# sides' forward, the ratio of the medians (attnscope / torch, below 1: attnscope faster), the trace's
# ratio to its FLOP floor, the maps and LOD times and both peak RSS figures. The peer gets the same
# malloc setting the app gives itself (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, see core/util/MallocTuning.h).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
threads=2 sizes="1024,2048,4096" repeats=3
model=/tmp/attnscope-bench/qwen2.5-0.5b-shape
bench="$root/build/release/bench/attnscope-long-bench"
python=/usr/bin/python3
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads="${2:?}"; shift 2 ;;
        --sizes) sizes="${2:?}"; shift 2 ;;
        --repeats) repeats="${2:?}"; shift 2 ;;
        --model) model="${2:?}"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run-long.sh: unknown option '$1'" >&2; exit 2 ;;
        *) bench="$1"; shift ;;
    esac
done
[ -x "$bench" ] || { echo "run-long.sh: no $bench (cmake --build build/release --target attnscope_long_bench)" >&2; exit 1; }
[ -f "$model/model.safetensors" ] || "$python" "$here/make_qwen2_shape.py" "$model" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$repeats"); do
    for n in ${sizes//,/ }; do
        "$bench" --model "$model" --tokens "$n" --threads "$threads" --repeats 1 --maps 5 | sed "s/^{/{\"repeat\":$r,/" | tee -a "$log"
        GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$python" "$here/torch_qwen2_peer.py" --model "$model" --tokens "$n" --threads "$threads" --repeats 1 \
            | sed "s/^{/{\"repeat\": $r, /" | tee -a "$log"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" - "$log" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def spread(v):
    v = sorted(v)
    return (v[0], v[len(v) // 2], v[-1]) if v else None
sizes = sorted({r["n"] for r in rows if "n" in r and r["case"] in ("trace", "torch-forward")})
print("\nN      attnscope trace ms (min/med/max)   torch ms (min/med/max)         ratio  floor x  map fresh/recycled ms  lod ms  RSS attnscope/torch MB")
for n in sizes:
    a = spread([r["median_ms"] for r in rows if r["case"] == "trace" and r["n"] == n])
    t = [r for r in rows if r["case"] == "torch-forward" and r["n"] == n]
    ts = spread([r["median_ms"] for r in t if "median_ms" in r])
    floor = spread([r["ratio_to_floor"] for r in rows if r["case"] == "trace" and r["n"] == n])
    fresh = spread([r["median_ms"] for r in rows if r["case"] == "map" and r["n"] == n and r["storage"] == "fresh"])
    rec = spread([r["median_ms"] for r in rows if r["case"] == "map" and r["n"] == n and r["storage"] == "recycled"])
    lod = spread([r["median_ms"] for r in rows if r["case"] == "lod" and r["n"] == n])
    rss = max(r["peak_rss_mb"] for r in rows if r["case"] == "rss" and r["n"] == n)
    trss = max([r["peak_rss_mb"] for r in t if "peak_rss_mb" in r], default=None)
    tcol = "%.0f / %.0f / %.0f" % ts if ts else "failed: " + t[0].get("failed", "?")[:40]
    ratio = "%.2f" % (a[1] / ts[1]) if ts else "-"
    print("%-6d %-34s %-30s %-6s %-8.2f %-22s %-7.1f %s / %s" % (n, "%.0f / %.0f / %.0f" % a, tcol, ratio, floor[1],
          "%.0f / %.0f" % (fresh[1], rec[1]), lod[1], rss, trss if trss else "-"))
PY
