#include "ProjectionBuilder.h"

#include "Pcg32.h"
#include "SafetensorsFile.h"

#include <cmath>
#include <sstream>

namespace attn {

namespace {
// Separate PCG streams so that, e.g., switching on the dynamic gate never changes Q/K/V weights.
constexpr uint64_t kProjectionStream = 1;
constexpr uint64_t kAdditiveStream = 2;
constexpr uint64_t kDynamicStream = 3;

std::string divisorsOf(int n)
{
    std::ostringstream out;
    bool first = true;
    for (int k = 1; k <= n; ++k)
        if (n % k == 0) {
            out << (first ? "" : ", ") << k;
            first = false;
        }
    return out.str();
}

Expected<Matrix> matrixFrom(const SafetensorsFile& file, const std::string& name, int64_t rows, int64_t cols,
    const std::string& path)
{
    auto t = file.tensor(name);
    if (!t)
        return t.takeError();
    const bool shapeOk = cols == 0 ? (t->shape.size() == 1 && t->shape[0] == rows)
                                   : (t->shape.size() == 2 && t->shape[0] == rows && t->shape[1] == cols);
    if (!shapeOk) {
        std::ostringstream msg;
        msg << path << ": tensor '" << name << "' has shape [";
        for (size_t i = 0; i < t->shape.size(); ++i)
            msg << (i ? "," : "") << t->shape[i];
        msg << "], expected [" << rows;
        if (cols)
            msg << "," << cols;
        msg << "]";
        return makeError(msg.str());
    }
    for (float x : t->data)
        if (!std::isfinite(x))
            return makeError(path + ": tensor '" + name + "' contains NaN or Inf");
    Matrix m(rows, cols == 0 ? 1 : cols);
    std::copy(t->data.begin(), t->data.end(), m.data());
    return m;
}

Status loadFromFile(ProjectionWeights& w, const std::string& path, int inputDim)
{
    auto file = SafetensorsFile::open(path);
    if (!file)
        return file.takeError();
    const SafetensorsEntry* inProj = file->find("in_proj_weight");
    if (!inProj)
        return makeError(path + ": no tensor 'in_proj_weight' (expected torch.nn.MultiheadAttention's "
                                "state_dict: in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias)");
    if (inProj->shape.size() != 2 || inProj->shape[0] != 3 * inProj->shape[1] || inProj->shape[1] <= 0)
        return makeError(path + ": 'in_proj_weight' must have shape [3E, E]");
    const int64_t e = inProj->shape[1];
    if (e != inputDim) {
        std::ostringstream msg;
        msg << path << ": the projection expects vectors of dimension " << e << ", the input has dimension "
            << inputDim;
        return makeError(msg.str());
    }
    auto inW = matrixFrom(*file, "in_proj_weight", 3 * e, e, path);
    if (!inW)
        return inW.takeError();
    auto outW = matrixFrom(*file, "out_proj.weight", e, e, path);
    if (!outW)
        return outW.takeError();
    w.modelDim = static_cast<int>(e);
    w.wq = inW->topRows(e);
    w.wk = inW->middleRows(e, e);
    w.wv = inW->bottomRows(e);
    w.wo = *outW;
    w.bq = w.bk = w.bv = w.bo = Vector::Zero(e);
    if (file->find("in_proj_bias")) {
        auto b = matrixFrom(*file, "in_proj_bias", 3 * e, 0, path);
        if (!b)
            return b.takeError();
        w.bq = b->col(0).head(e);
        w.bk = b->col(0).segment(e, e);
        w.bv = b->col(0).tail(e);
    }
    if (file->find("out_proj.bias")) {
        auto b = matrixFrom(*file, "out_proj.bias", e, 0, path);
        if (!b)
            return b.takeError();
        w.bo = b->col(0);
    }
    return success();
}
} // namespace

Matrix ProjectionBuilder::xavier(Pcg32& rng, int rows, int cols)
{
    const float bound = std::sqrt(6.0f / static_cast<float>(rows + cols));
    Matrix m(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            m(r, c) = rng.uniform(-bound, bound);
    return m;
}

Expected<ProjectionWeights> ProjectionBuilder::build(const Mechanism& mech, int inputDim)
{
    if (inputDim <= 0)
        return makeError("the input vectors have no components");
    if (mech.heads < 1)
        return makeError("the number of heads must be at least 1 (got " + std::to_string(mech.heads) + ")");

    ProjectionWeights w;
    w.inputDim = inputDim;
    w.heads = mech.heads;
    w.identity = mech.projection == ProjectionKind::Identity;

    switch (mech.projection) {
    case ProjectionKind::Identity:
        w.modelDim = inputDim;
        break;
    case ProjectionKind::Random: {
        w.modelDim = mech.dim > 0 ? mech.dim : inputDim;
        Pcg32 rng(mech.seed, kProjectionStream);
        w.wq = xavier(rng, w.modelDim, inputDim);
        w.wk = xavier(rng, w.modelDim, inputDim);
        w.wv = xavier(rng, w.modelDim, inputDim);
        w.wo = xavier(rng, w.modelDim, w.modelDim);
        w.bq = w.bk = w.bv = w.bo = Vector::Zero(w.modelDim);
        break;
    }
    case ProjectionKind::File: {
        if (mech.projectionFile.empty())
            return makeError("a projection file is required for --projection FILE");
        if (auto st = loadFromFile(w, mech.projectionFile, inputDim); !st)
            return st.takeError();
        break;
    }
    }

    if (w.modelDim % w.heads != 0) {
        std::ostringstream msg;
        msg << w.heads << " heads do not divide the model dimension " << w.modelDim
            << ": choose a head count that divides it (" << divisorsOf(w.modelDim) << ")";
        return makeError(msg.str());
    }
    w.headDim = w.modelDim / w.heads;

    const int dk = w.headDim;
    Pcg32 additiveRng(mech.seed, kAdditiveStream);
    for (int h = 0; h < w.heads; ++h) {
        if (mech.score == ScoreKind::Additive) {
            if (w.identity) {
                // No learned weights: s_ij = sum_c tanh(q_ic + k_jc).
                w.additiveWq.push_back(Matrix::Identity(dk, dk));
                w.additiveWk.push_back(Matrix::Identity(dk, dk));
                w.additiveV.push_back(Vector::Ones(dk));
            } else {
                w.additiveWq.push_back(xavier(additiveRng, dk, dk));
                w.additiveWk.push_back(xavier(additiveRng, dk, dk));
                w.additiveV.push_back(xavier(additiveRng, dk, 1).col(0));
            }
        }
        if (mech.score == ScoreKind::Bilinear)
            w.bilinear.push_back(Matrix::Identity(dk, dk));
    }
    if (mech.dynamic != DynamicKind::None) {
        Pcg32 dynamicRng(mech.seed, kDynamicStream);
        w.dynamicW = xavier(dynamicRng, 1, inputDim).row(0).transpose();
        w.dynamicB = 0.0f;
    }
    return w;
}

} // namespace attn
