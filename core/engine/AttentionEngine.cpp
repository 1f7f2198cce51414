#include "AttentionEngine.h"

#include "MemoryBudget.h"
#include "Normaliser.h"
#include "ProjectionCache.h"
#include "ScoreFunction.h"

#include <malloc.h>
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <unistd.h>

namespace attn {

namespace {

std::string formatBytes(uint64_t bytes)
{
    std::ostringstream out;
    out.precision(3);
    if (bytes >= (1ULL << 30))
        out << static_cast<double>(bytes) / (1ULL << 30) << " GiB";
    else
        out << static_cast<double>(bytes) / (1ULL << 20) << " MiB";
    return out.str();
}

Status validate(const AttentionInput& in, const Mechanism& m)
{
    if (in.keys.rows() == 0)
        return makeError("the input is empty: there is nothing to attend over");
    if (in.keys.cols() == 0)
        return makeError("the input vectors have no components");
    if (in.isCross()) {
        if (in.queries->rows() == 0)
            return makeError("the query sequence is empty");
        if (in.queries->cols() != in.keys.cols()) {
            std::ostringstream msg;
            msg << "the queries have dimension " << in.queries->cols() << " but the inputs (keys) have dimension "
                << in.keys.cols() << ": both sequences must have the same dimension";
            return makeError(msg.str());
        }
    }
    if (in.isGrid() && static_cast<int64_t>(in.gridRows) * in.gridCols != in.keys.rows()) {
        std::ostringstream msg;
        msg << "the input's grid (" << in.gridRows << " x " << in.gridCols << ") does not match its "
            << in.keys.rows() << " vectors";
        return makeError(msg.str());
    }
    if (!in.spatialMap.empty() && static_cast<Eigen::Index>(in.spatialMap.size()) != in.keys.rows())
        return makeError("the input's spatial map has " + std::to_string(in.spatialMap.size()) +
                         " weights for " + std::to_string(in.keys.rows()) + " cells");
    auto checkFinite = [](const Matrix& x, const char* what) -> Status {
        if (x.allFinite()) // vectorised; the loop below only runs to name the bad cell
            return success();
        for (Eigen::Index r = 0; r < x.rows(); ++r)
            for (Eigen::Index c = 0; c < x.cols(); ++c)
                if (!std::isfinite(x(r, c))) {
                    std::ostringstream msg;
                    msg << what << " row " << r << ", column " << c << " is " << x(r, c)
                        << ": NaN and Inf cannot be attended over";
                    return makeError(msg.str());
                }
        return success();
    };
    if (auto st = checkFinite(in.keys, "input"); !st)
        return st;
    if (in.isCross())
        if (auto st = checkFinite(*in.queries, "query"); !st)
            return st;
    if (!std::isfinite(m.temperature) || m.temperature <= 0.0) {
        std::ostringstream msg;
        msg << "the temperature must be a positive number (got " << m.temperature << ")";
        return makeError(msg.str());
    }
    if (m.scope != ScopeKind::Global && m.window < 1)
        return makeError("the window W must be at least 1 (got " + std::to_string(m.window) +
                         "); with W = 0 every token would see only itself");
    if (m.scope == ScopeKind::Hybrid && m.globalTokens < 0)
        return makeError("the number of global tokens G must be 0 or more (got " +
                         std::to_string(m.globalTokens) + ")");
    if (m.heads < 1)
        return makeError("the number of heads must be at least 1 (got " + std::to_string(m.heads) + ")");
    if (m.combine == CombineKind::SoftSelection && m.topK < 1)
        return makeError("soft selection needs k >= 1 (got " + std::to_string(m.topK) + ")");
    for (int j : m.paddedKeys)
        if (j < 0 || j >= in.keys.rows())
            return makeError("padded key index " + std::to_string(j) + " is outside the input (0.." +
                             std::to_string(in.keys.rows() - 1) + ")");
    return success();
}

Matrix project(const Matrix& x, const Matrix& w, const Vector& b)
{
    Matrix y(x.rows(), w.rows());
    y.noalias() = x * w.transpose();
    y.rowwise() += b.transpose();
    return y;
}

// Columns [c0, c0 + width) of x W^T + b into the same columns of y: one column block of a
// projection, a GEMM on the calling thread when called inside a parallel region.
void projectColumns(const Matrix& x, const Matrix& w, const Vector& b, int c0, int width, Matrix& y)
{
    auto block = y.middleCols(c0, width);
    block.noalias() = x * w.middleRows(c0, width).transpose();
    block.rowwise() += b.segment(c0, width).transpose();
}

// One finished row of weights into the level of detail: colMax holds the column maxima of the
// current block row (reset on its first row); on its last row they are pooled into lodRow, B
// columns per cell. `v > m ? v : m` vectorises (MAXPS) and keeps m when v is NaN, as
// MapDownsampler does; max and min are exact in any order.
void gatherLod(const float* row, int nk, bool first, bool last, float* colMax, float* lodRow, float& lo)
{
    constexpr int B = AttentionEngine::kLodBlock;
    if (first)
        std::fill(colMax, colMax + nk, -std::numeric_limits<float>::infinity());
    float rowLo = lo;
    for (int c = 0; c < nk; ++c) {
        const float v = row[c];
        colMax[c] = v > colMax[c] ? v : colMax[c];
        rowLo = v < rowLo ? v : rowLo;
    }
    lo = rowLo;
    if (!last)
        return;
    for (int c0 = 0, cell = 0; c0 < nk; c0 += B, ++cell) {
        float m = -std::numeric_limits<float>::infinity();
        for (int c = c0; c < std::min(c0 + B, nk); ++c)
            m = colMax[c] > m ? colMax[c] : m;
        lodRow[cell] = m;
    }
}

// Output columns per task of the W_O projection: 8 tasks at E = 512.
constexpr int kOutputColumnsPerTask = 64;

float sigmoid(float x) { return x >= 0.0f ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x)); }

std::string rowErrorMessage(const RowOutcome& o, const AttentionResult& r, int head, int query)
{
    std::ostringstream msg;
    const std::string q = "'" + r.queryLabels[static_cast<size_t>(query)] + "' [" + std::to_string(query) + "]";
    if (o.kind == RowOutcome::NegativeScore) {
        msg << "the ratio normaliser needs non-negative scores, but the score of query " << q << " for key '"
            << r.keyLabels[static_cast<size_t>(o.key)] << "' [" << o.key << "] is " << o.value;
        if (r.heads > 1)
            msg << " (head " << head << ")";
        msg << ": use softmax or sigmoid, or inputs whose scores cannot be negative";
    } else {
        msg << "the ratio normaliser cannot normalise query " << q
            << ": its visible scores sum to 0; use softmax or sigmoid";
    }
    return msg.str();
}

// Soft selection: keep each row's k largest weights, renormalised to sum 1.
Matrix softSelect(const float* weights, int nq, int nk, int k, ConstMatrixRef v)
{
    Matrix out = Matrix::Zero(nq, v.cols());
    std::vector<int> order(static_cast<size_t>(nk));
    for (int i = 0; i < nq; ++i) {
        const float* row = weights + static_cast<size_t>(i) * nk;
        std::iota(order.begin(), order.end(), 0);
        const int keep = std::min(k, nk);
        std::partial_sort(order.begin(), order.begin() + keep, order.end(),
            [row](int a, int b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
        double sum = 0.0;
        for (int t = 0; t < keep; ++t)
            sum += row[order[static_cast<size_t>(t)]];
        if (sum <= 0.0)
            continue;
        for (int t = 0; t < keep; ++t) {
            const int j = order[static_cast<size_t>(t)];
            out.row(i) += static_cast<float>(row[j] / sum) * v.row(j);
        }
    }
    return out;
}

// Query rows per (head, row block) task. Each task's two products repack all of the head's K
// and V (Nk x d_k) into Eigen's panel layout, so a block must be tall for that copy to be small
// next to the block's 4 x rows x Nk x d_k flops: 256 rows make it ~5 % (64 rows: ~19 %, measured
// at N = 4096). The block's scores (256 x Nk floats, 4 MiB at N = 4096) then live in L2/L3
// between the score product, the normaliser and A V, instead of making three trips to memory.
// At small N, smaller blocks keep at least a few tasks per thread for dynamic scheduling.
int rowsPerTask(int nq, int heads, int threads)
{
    int rows = 256;
    while (rows > 16 && static_cast<int64_t>(heads) * ((nq + rows - 1) / rows) < 4LL * threads)
        rows /= 2;
    return std::max(1, std::min(rows, nq));
}

// Sizes `maps` to `count` zeros. A fresh map of hundreds of MiB costs more to obtain from the
// kernel than to compute: one page fault and kernel clear per 4 KiB page (131072 for the
// 8 x 4096 x 4096 floats of N = 4096), all on the thread that zero-fills the vector. So, before
// the first touch: ask for transparent huge pages (THP is "madvise" on Debian: 256 faults of
// 2 MiB instead), and fault the pages in from every thread at once (MADV_POPULATE_WRITE, Linux
// 5.14+). Both are hints; on failure the zero fill simply faults the pages itself.
void allocateMaps(std::vector<float>& maps, size_t count)
{
    maps.clear();
    maps.reserve(count);
#if defined(MADV_HUGEPAGE) && defined(MADV_POPULATE_WRITE)
    constexpr uintptr_t kHuge = 2u << 20;
    const size_t bytes = count * sizeof(float);
    if (bytes >= 8 * kHuge) {
        const uintptr_t begin = (reinterpret_cast<uintptr_t>(maps.data()) + kHuge - 1) & ~(kHuge - 1);
        const uintptr_t end = (reinterpret_cast<uintptr_t>(maps.data()) + bytes) & ~(kHuge - 1);
        if (end > begin && madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0) {
            const int64_t chunks = static_cast<int64_t>((end - begin) / kHuge);
#pragma omp parallel for schedule(dynamic, 4)
            for (int64_t c = 0; c < chunks; ++c)
                madvise(reinterpret_cast<void*>(begin + static_cast<uintptr_t>(c) * kHuge), kHuge, MADV_POPULATE_WRITE);
        }
    }
#endif
    maps.resize(count, 0.0f);
}

// Keeps the freed memory of one computation in the heap for the next one. A result holds a
// few MiB in blocks of 0.25-32 MiB (maps, Q, K, V, concatenation, output); glibc's default
// (dynamic) thresholds return the freed top of the heap to the kernel once more than twice the
// largest freed block is free, which the end of every small computation triggered: each
// recompute then faulted its ~2-5 MiB in again, 4 KiB at a time (N = 128: 500 page faults per
// call; torch: none after its warm-up), and on this VM a fault costs microseconds. That was the
// cliff at N = 128 and 256 (N = 512's larger blocks raised the thresholds far enough). The
// fixed values are those the dynamic rule reaches on its own at N = 1024: blocks from 32 MiB
// up are still mapped and unmapped (the large maps, with huge pages, see allocateMaps); up to
// 64 MiB of free heap is kept. Process-wide, set once, before the first computation.
void keepHeapForRecompute()
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    static const bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
        return true;
    }();
    (void)done;
#endif
}

} // namespace

uint64_t AttentionEngine::mapBytes(const Mechanism& m, int nq, int nk, int heads)
{
    const uint64_t one = static_cast<uint64_t>(nq) * static_cast<uint64_t>(nk) * static_cast<uint64_t>(heads) * 4u;
    return m.keepScores ? 2 * one : one;
}

uint64_t AttentionEngine::defaultMemoryLimit()
{
    return attn::defaultMemoryLimit();
}

Expected<AttentionResult> AttentionEngine::compute(
    const AttentionInput& in, const Mechanism& requested, const ComputeControl& control)
{
    Mechanism mech = requested;
    for (int j : in.paddedKeys)
        if (std::find(mech.paddedKeys.begin(), mech.paddedKeys.end(), j) == mech.paddedKeys.end())
            mech.paddedKeys.push_back(j);
    const auto start = std::chrono::steady_clock::now();
    keepHeapForRecompute();
    if (auto st = validate(in, mech); !st)
        return st.takeError();

    auto weights = ProjectionCache::get(mech, static_cast<int>(in.keys.cols()));
    if (!weights)
        return weights.takeError();
    const ProjectionWeights& pw = **weights;

    AttentionResult r;
    r.mechanism = mech;
    r.heads = pw.heads;
    r.cross = in.isCross();
    r.queryCount = static_cast<int>(in.queryMatrix().rows());
    r.keyCount = static_cast<int>(in.keys.rows());
    r.inputDim = pw.inputDim;
    r.modelDim = pw.modelDim;
    r.headDim = pw.headDim;
    r.keyLabels = in.keyLabels;
    r.queryLabels = in.queryLabelList();
    r.keyLabels.resize(static_cast<size_t>(r.keyCount));
    r.queryLabels.resize(static_cast<size_t>(r.queryCount));
    // Pictures: windows are 2-D neighbourhoods on the grid (self-attention only; MaskSpec falls
    // back to 1-D windows when the queries are another sequence).
    r.mask = MaskSpec(mech, r.queryCount, r.keyCount, in.gridRows, in.gridCols);
    r.gridRows = in.gridRows;
    r.gridCols = in.gridCols;
    r.gridPatch = in.gridPatch;
    r.gridWidth = in.gridWidth;
    r.gridHeight = in.gridHeight;
    r.spatialMap = in.spatialMap;

    const uint64_t limit = control.memoryLimitBytes ? control.memoryLimitBytes : defaultMemoryLimit();
    const uint64_t needed = mapBytes(mech, r.queryCount, r.keyCount, r.heads);
    if (needed > limit) {
        std::ostringstream msg;
        msg << "this computation needs " << formatBytes(needed) << " for its attention maps (" << r.heads
            << " head(s) x " << r.queryCount << " x " << r.keyCount << "), more than the memory budget of "
            << formatBytes(limit) << ": use fewer heads, a shorter input"
            << (mech.keepScores ? ", or do not keep raw scores" : "");
        return makeError(msg.str());
    }
    if (control.cancelled())
        return makeError("cancelled");

    r.input = in.keys;
    if (r.cross)
        r.queryInput = *in.queries;
    const Matrix& xq = in.queryMatrix();
    // The projections are computed below, per head, inside the engine's one parallel region.
    if (pw.identity) {
        r.q = xq;
        r.k = in.keys;
        r.v = in.keys;
    } else {
        r.q.resize(xq.rows(), pw.modelDim);
        r.k.resize(in.keys.rows(), pw.modelDim);
        r.v.resize(in.keys.rows(), pw.modelDim);
    }

    // Dynamic attention: one value per query from its own input vector.
    std::vector<float> temperatures(static_cast<size_t>(r.queryCount), static_cast<float>(mech.temperature));
    if (mech.dynamic != DynamicKind::None) {
        r.dynamic.resize(r.queryCount);
        for (int i = 0; i < r.queryCount; ++i) {
            const float g = sigmoid(xq.row(i).dot(pw.dynamicW) + pw.dynamicB);
            if (mech.dynamic == DynamicKind::Gate) {
                r.dynamic[i] = g;
            } else {
                temperatures[static_cast<size_t>(i)] = static_cast<float>(mech.temperature) * (0.5f + g);
                r.dynamic[i] = temperatures[static_cast<size_t>(i)];
            }
        }
    }

    const size_t mapSize = static_cast<size_t>(r.queryCount) * static_cast<size_t>(r.keyCount);
    allocateMaps(r.weights, mapSize * static_cast<size_t>(r.heads));
    if (mech.keepScores)
        allocateMaps(r.scores, mapSize * static_cast<size_t>(r.heads));

    const auto score = ScoreFunction::create(mech.score, pw);
    const auto normaliser = Normaliser::create(mech.norm);
    const int dk = pw.headDim;
    const int nq = r.queryCount, nk = r.keyCount, heads = r.heads;
    const int outRows = mech.combine == CombineKind::ElementWise ? nk : nq;
    r.outputLabels = mech.combine == CombineKind::ElementWise ? r.keyLabels : r.queryLabels;
    r.concat.resize(outRows, pw.modelDim);
    const bool trivialMask = r.mask.isTrivial();
    const bool gate = mech.dynamic == DynamicKind::Gate;
    // The weighted sum needs only the task's own rows of A, so it runs while they are in cache;
    // element-wise (column means) and soft selection (per-row sort) run per head afterwards.
    const bool fusedSum = mech.combine == CombineKind::WeightedSum;

    // The work is split into tasks of (head, block of query rows). Each task computes its rows'
    // scores straight into the map, normalises them and multiplies them by V while the block is
    // still in the core's cache, so the N x N map is written once and read back from cache, not
    // from memory (three passes for separate GEMM / softmax / GEMM).
    //
    // Everything, the projections and W_O included, runs in ONE parallel region with dynamic
    // scheduling and at most two barriers, and every product is a GEMM on the calling thread
    // (Eigen does not thread inside an active parallel region). Measured cause of the small-N
    // variance (2026-12-07, bench/NOTES.md): Eigen's own threaded GEMM (the four N x 512 x 512
    // projections, each its own fork/join) splits the columns statically between the threads and
    // busy-waits for the other thread's packed panels, so on a shared machine one descheduled
    // thread stalled the call for a whole time slice (N = 256: median 48-99 ms against 20 ms on one
    // thread; perf: 34 % in GEMM's spin loops, 36 % in libgomp's barriers). Here whichever thread
    // runs takes the next task, and the result does not depend on the number of threads.
    //
    // When a head is one task (small N), the task projects its own Q, K and V columns first,
    // so the head needs no barrier at all; otherwise the per-head projections are tasks of a
    // first loop. W_O is a last loop over output column blocks, after the heads' barrier.
    const int threads = omp_get_max_threads();
    const int blockRows = rowsPerTask(nq, heads, threads);
    const int blocksPerHead = (nq + blockRows - 1) / blockRows;
    const int tasks = heads * blocksPerHead;
    const bool projected = !pw.identity;
    const bool projectInTask = projected && blocksPerHead == 1;
    const bool projectOutput = projected && fusedSum;
    const int outputCols = projected ? static_cast<int>(pw.wo.rows()) : 0;
    const int outputTasks = projectOutput ? (outputCols + kOutputColumnsPerTask - 1) / kOutputColumnsPerTask : 0;
    if (projectOutput)
        r.output.resize(outRows, outputCols);
    std::vector<RowOutcome> outcomes(static_cast<size_t>(heads) * static_cast<size_t>(nq));
    // Level of detail of large maps, gathered row by row while each row is in L1/L2. A task's
    // rows start at a multiple of kLodBlock (blockRows is 16..256), so every block row of lodMax
    // is written by one task.
    const bool lod = nq >= kLodMinSide && nk >= kLodMinSide;
    constexpr int B = kLodBlock;
    const int lodRows = (nq + B - 1) / B, lodCols = (nk + B - 1) / B;
    std::vector<float> taskMin;
    if (lod) {
        r.lodBlock = B;
        r.lodMax.resize(static_cast<size_t>(heads) * lodRows * lodCols);
        taskMin.assign(static_cast<size_t>(tasks), std::numeric_limits<float>::infinity());
    }
    std::atomic<int> tasksDone{0};
    int headsReported = 0; // touched by the calling thread only (OpenMP thread 0)
    // Progress: exactly one report per head's worth of finished tasks, from the calling thread,
    // as ComputeControl promises.
    auto reportProgress = [&](int done) {
        const int target = static_cast<int>(static_cast<int64_t>(done) * heads / tasks);
        while (headsReported < target) {
            ++headsReported;
            control.report(static_cast<double>(headsReported) / heads);
        }
    };
    auto projectHead = [&](int h) {
        projectColumns(xq, pw.wq, pw.bq, h * dk, dk, r.q);
        projectColumns(in.keys, pw.wk, pw.bk, h * dk, dk, r.k);
        projectColumns(in.keys, pw.wv, pw.bv, h * dk, dk, r.v);
    };

#pragma omp parallel
    {
        if (projected && !projectInTask) {
#pragma omp for schedule(dynamic, 1)
            for (int t = 0; t < 3 * heads; ++t) {
                const int h = t / 3;
                if (t % 3 == 0)
                    projectColumns(xq, pw.wq, pw.bq, h * dk, dk, r.q);
                else
                    projectColumns(in.keys, t % 3 == 1 ? pw.wk : pw.wv, t % 3 == 1 ? pw.bk : pw.bv, h * dk, dk,
                        t % 3 == 1 ? r.k : r.v);
            }
        }
        std::vector<uint8_t> visible(trivialMask ? 0 : static_cast<size_t>(nk));
        std::vector<float> colMax(lod ? static_cast<size_t>(nk) : 0);
#pragma omp for schedule(dynamic, 1)
        for (int t = 0; t < tasks; ++t) {
            // Cancellation is checked per task: a cancelled run stops within one block.
            if (!control.cancelled()) {
                const int h = t / blocksPerHead;
                const int r0 = (t % blocksPerHead) * blockRows;
                const int rows = std::min(blockRows, nq - r0);
                if (projectInTask)
                    projectHead(h);
                const size_t tileOffset = mapSize * static_cast<size_t>(h) + static_cast<size_t>(r0) * nk;
                float* weightTile = &r.weights[tileOffset];
                float* scoreTile = mech.keepScores ? &r.scores[tileOffset] : weightTile;
                score->compute(r.q.block(r0, h * dk, rows, dk), r.k.middleCols(h * dk, dk), h,
                    ScoreMap(scoreTile, rows, nk));
                for (int i = r0; i < r0 + rows; ++i) {
                    const size_t off = static_cast<size_t>(i - r0) * static_cast<size_t>(nk);
                    const uint8_t* vis = nullptr;
                    if (!trivialMask) {
                        r.mask.fillRow(i, visible.data());
                        vis = visible.data();
                    }
                    outcomes[static_cast<size_t>(h) * nq + i] = normaliser->normaliseRow(
                        scoreTile + off, vis, weightTile + off, nk, temperatures[static_cast<size_t>(i)]);
                    if (gate)
                        Eigen::Map<Eigen::ArrayXf>(weightTile + off, nk) *= r.dynamic[i];
                    if (lod)
                        gatherLod(weightTile + off, nk, i % B == 0, i % B == B - 1 || i == r0 + rows - 1,
                            colMax.data(), &r.lodMax[(static_cast<size_t>(h) * lodRows + i / B) * lodCols],
                            taskMin[static_cast<size_t>(t)]);
                }
                if (fusedSum)
                    r.concat.block(r0, h * dk, rows, dk).noalias() =
                        Eigen::Map<const Matrix>(weightTile, rows, nk) * r.v.middleCols(h * dk, dk);
            }
            const int done = tasksDone.fetch_add(1, std::memory_order_relaxed) + 1;
            if (omp_get_thread_num() == 0)
                reportProgress(done);
        }
        if (projectOutput) {
#pragma omp for schedule(dynamic, 1) nowait
            for (int t = 0; t < outputTasks; ++t)
                if (!control.cancelled()) {
                    const int c0 = t * kOutputColumnsPerTask;
                    projectColumns(r.concat, pw.wo, pw.bo, c0, std::min(kOutputColumnsPerTask, outputCols - c0),
                        r.output);
                }
        }
    }
    if (control.cancelled())
        return makeError("cancelled");

    if (lod) {
        r.headMinWeight.assign(static_cast<size_t>(heads), std::numeric_limits<float>::infinity());
        for (int t = 0; t < tasks; ++t)
            r.headMinWeight[static_cast<size_t>(t / blocksPerHead)] =
                std::min(r.headMinWeight[static_cast<size_t>(t / blocksPerHead)], taskMin[static_cast<size_t>(t)]);
    }

    for (int h = 0; h < heads; ++h)
        for (int i = 0; i < nq; ++i) {
            const RowOutcome& o = outcomes[static_cast<size_t>(h) * nq + i];
            if (o.kind == RowOutcome::NegativeScore || o.kind == RowOutcome::ZeroSum)
                return makeError(rowErrorMessage(o, r, h, i));
            if (o.kind == RowOutcome::FullyMasked && h == 0)
                r.warnings.push_back("query '" + r.queryLabels[static_cast<size_t>(i)] + "' [" +
                                     std::to_string(i) + "] sees no key: every key is masked, its weights are 0");
        }

    r.headOutputs.reserve(static_cast<size_t>(heads));
    for (int h = 0; h < heads; ++h) {
        const float* weightMap = &r.weights[mapSize * static_cast<size_t>(h)];
        const auto vh = r.v.middleCols(h * dk, dk);
        switch (mech.combine) {
        case CombineKind::WeightedSum:
            break; // done in the tasks above
        case CombineKind::ElementWise: {
            const Eigen::Map<const Matrix> a(weightMap, nq, nk);
            const Vector received = a.colwise().mean().transpose();
            r.concat.middleCols(h * dk, dk) = received.asDiagonal() * vh;
            break;
        }
        case CombineKind::SoftSelection:
            r.concat.middleCols(h * dk, dk) = softSelect(weightMap, nq, nk, mech.topK, vh);
            break;
        }
        r.headOutputs.emplace_back(r.concat.middleCols(h * dk, dk));
    }
    reportProgress(tasks); // whatever thread 0 did not report yet (all of it when N is tiny)

    if (!projectOutput) // done in the parallel region for the weighted sum
        r.output = pw.identity ? r.concat : project(r.concat, pw.wo, pw.bo);
    r.computeMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
}

} // namespace attn
