#pragma once
// The arithmetic the TransformerStack's block is made of, float32 on row-major [tokens, features]
// data, written as Hugging Face's modeling code computes it:
//   layerNorm   y = (x - mean) / sqrt(var + eps) * w + b         (var: biased, over the row)
//   rmsNorm     y = x / sqrt(mean(x^2) + eps) * w                 (LlamaRMSNorm; * (1 + w) for Gemma)
//   geluErf     0.5 x (1 + erf(x / sqrt 2))                      (BERT, ViT "gelu")
//   geluTanh    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))  (GPT-2 "gelu_new")
//   silu        x / (1 + exp(-x))
//   attendLayer per head h: softmax(cap(Q_h K_g^T * scale)) V_g with g = h / (H / H_kv) (grouped-query
//               attention), keys after the query (causal) or outside the sliding window getting exactly
//               0, writing the heads side by side into `context` and, when capturing, the weights (and
//               the queries / keys / values) into a ModelAttention.
// Accumulations that decide accuracy (means, variances) run in double.
#include "AttentionRule.h"
#include "ComputeControl.h"
#include "Expected.h"
#include "ModelAttention.h"
#include "Types.h"

namespace attn::ops {

// out = in W^T for a linear weight W [out, in]. With many rows the rows are split between the OpenMP
// threads, each running a single-threaded GEMM on its share: measured 1.1-2.4x faster on 2 cores than
// Eigen's own parallel GEMM for the stack's shapes (which synchronises its threads per block).
void linear(const Eigen::Ref<const Matrix>& in, const Matrix& w, Eigen::Ref<Matrix> out);

void layerNorm(const Matrix& x, const Vector& weight, const Vector& bias, double eps, Matrix& out);
void rmsNorm(const Matrix& x, const Vector& weight, double eps, Matrix& out, bool addOne = false);
void addRowBias(Matrix& x, const Vector& bias);
void geluErf(Matrix& x);
void geluTanh(Matrix& x);
void silu(Matrix& x);
// cap * tanh(x / cap) on every element (Gemma 2's soft-capping).
void softCap(float* values, Eigen::Index count, float cap);

// Refuses up front a capture that exceeds the memory budget, with what it needs.
Status checkCaptureBudget(
    int layers, int heads, int tokens, int headDim, bool keepQueriesKeys, const ComputeControl& control);
// An empty capture of the right size (weights zeroed; queries/keys/values only when asked).
ModelAttention makeCapture(int layers, int heads, int tokens, int headDim, bool keepQueriesKeys);

using AttendOptions = AttentionRule;

// q [N, H*d] for the positions queryOffset .. queryOffset + N - 1; k and v [T, H_kv*d] for positions
// 0 .. T - 1 (T = queryOffset + N when causal with a KV cache; T = N without one). context [N, H*d] is
// resized. capture may be null (then the layer streams: StreamingAttention, no N x N map); when given,
// queryOffset must be 0 and T = N (the whole prompt), and the maps are materialised into it.
using ConstMatrixRef = Eigen::Ref<const Matrix>;
void attendLayer(const ConstMatrixRef& q, const ConstMatrixRef& k, const ConstMatrixRef& v,
    const AttendOptions& options, Matrix& context, ModelAttention* capture, int layer);

} // namespace attn::ops
