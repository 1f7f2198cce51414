#!/usr/bin/python3
"""The torch peer of attnscope-bench: the same multi-head self-attention layer, timed the same way.

    /usr/bin/python3 bench/torch_peer.py --threads T [--sizes 128,256,...] [--repeats R]
    /usr/bin/python3 bench/torch_peer.py --threads T --blas-check

For each N: torch.nn.MultiheadAttention(512, 8, batch_first=True) in eval mode under no_grad, a
random [1, N, 512] float32 input, mha(x, x, x, need_weights=True, average_attn_weights=False) so
that, like attnscope, the 8 per-head N x N weight maps are materialised. One warm-up call, then R
timed calls (default: about 1 s per size, at least 3); the median is reported, with min and max.

Before measuring anything it times a 2048 x 2048 float32 matrix product. Debian's torch calls
whatever libblas.so.3 points at; with the reference BLAS (~3 GFLOP/s) the comparison would be
meaningless, so below 20 GFLOP/s this script refuses to report and exits 3.

--threads is required and must equal the value given to attnscope-bench: it sets
torch.set_num_threads and, before torch is imported, OMP_NUM_THREADS / OPENBLAS_NUM_THREADS
(Debian's torch does not pass its thread count on to an external BLAS).

Output: one JSON line per size, the same keys as attnscope-bench plus "impl":"torch", then a table.
Exit 0 ok, 2 usage, 3 BLAS too slow.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

D = 512
HEADS = 8
MIN_SGEMM_GFLOPS = 20.0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, required=True,
                   help="threads for torch and the BLAS (give attnscope-bench the same value)")
    p.add_argument("--sizes", default="128,256,512,1024,2048,4096", help="comma-separated N values")
    p.add_argument("--repeats", type=int, default=0, help="timed runs per size (default: about 1 s, at least 3)")
    p.add_argument("--blas-check", action="store_true", help="only run the SGEMM check and print its GFLOP/s")
    a = p.parse_args()
    if a.threads < 1:
        p.error("--threads must be at least 1")
    if a.repeats < 0:
        p.error("--repeats must be positive")
    try:
        a.sizes = [int(s) for s in a.sizes.split(",")]
    except ValueError:
        p.error("--sizes: '%s' is not a list of whole numbers" % a.sizes)
    if not a.sizes or min(a.sizes) < 1:
        p.error("--sizes must list positive whole numbers")
    return a


def flops(n):
    return 8.0 * n * D * D + 4.0 * n * n * D


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def sgemm_gflops(torch):
    n = 2048
    a = torch.randn(n, n, dtype=torch.float32)
    b = torch.randn(n, n, dtype=torch.float32)
    torch.mm(a, b)  # warm-up (thread pool, BLAS initialisation)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    return 2.0 * n ** 3 / best / 1e9


def main():
    args = parse_args()
    t = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = t
    os.environ["OPENBLAS_NUM_THREADS"] = t
    os.environ["MKL_NUM_THREADS"] = t
    import torch  # after the thread variables: the BLAS reads them when it loads

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    gemm = sgemm_gflops(torch)
    if gemm < MIN_SGEMM_GFLOPS:
        sys.stderr.write(
            "torch_peer.py: a 2048x2048 float32 matrix product runs at %.1f GFLOP/s (< %.0f): torch is using the\n"
            "reference BLAS, and a comparison against it would be meaningless. Install OpenBLAS:\n"
            "    sudo apt-get install -y libopenblas0-pthread\n"
            "(it registers itself as libblas.so.3; check with\n"
            "    update-alternatives --display libblas.so.3-x86_64-linux-gnu)\n" % (gemm, MIN_SGEMM_GFLOPS))
        return 3
    if args.blas_check:
        print(json.dumps({"sgemm_n": 2048, "sgemm_gflops": round(gemm, 1), "threads": args.threads}))
        return 0

    mha = torch.nn.MultiheadAttention(D, HEADS, batch_first=True).eval()
    rows = []
    with torch.no_grad():
        for n in args.sizes:
            g = torch.Generator().manual_seed(1234 + n)
            x = torch.randn(1, n, D, dtype=torch.float32, generator=g)

            def once():
                start = time.perf_counter()
                out, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
                elapsed = time.perf_counter() - start
                assert w.shape == (1, HEADS, n, n) and out.shape == (1, n, D)
                return elapsed * 1000.0

            warm = once()
            repeats = args.repeats or max(3, min(10000, int(-(-1000.0 // max(warm, 1e-3)))))
            times = sorted(once() for _ in range(repeats))
            median = statistics.median(times)
            row = {"case": "mha-self", "n": n, "d": D, "heads": HEADS, "median_ms": round(median, 4),
                   "gflops": round(flops(n) / (median * 1e6), 3), "peak_rss_mb": round(peak_rss_mb(), 1),
                   "impl": "torch", "threads": torch.get_num_threads(), "repeats": repeats,
                   "min_ms": round(times[0], 4), "max_ms": round(times[-1], 4), "sgemm_gflops": round(gemm, 1)}
            rows.append(row)
            print(json.dumps(row, separators=(",", ":")), flush=True)

    print()
    print("torch %s multi-head self-attention, d=%d, %d heads, %d thread(s), SGEMM %.1f GFLOP/s"
          % (torch.__version__, D, HEADS, torch.get_num_threads(), gemm))
    print("%8s %8s %12s %12s %12s %9s %13s" % ("N", "repeats", "min ms", "median ms", "max ms", "GFLOP/s", "peak RSS MB"))
    for r in rows:
        print("%8d %8d %12.3f %12.3f %12.3f %9.2f %13.1f"
              % (r["n"], r["repeats"], r["min_ms"], r["median_ms"], r["max_ms"], r["gflops"], r["peak_rss_mb"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
