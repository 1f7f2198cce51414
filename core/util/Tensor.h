#pragma once
// A named float32 tensor in row-major order: the unit in which the engine exposes every stage
// of a computation (input, Q, K, V, scores, weights, outputs) to the views and exporters.
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace attn {

struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> data;

    int64_t elementCount() const
    {
        return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
    }
    bool empty() const { return data.empty(); }
};

} // namespace attn
