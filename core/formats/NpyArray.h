#pragma once
#include <cstdint>
#include <vector>

namespace attn {

// A numeric array read from or written to a .npy file, always held as float32, row-major (C order).
struct NpyArray {
    std::vector<int64_t> shape;
    std::vector<float> data;
};

} // namespace attn
