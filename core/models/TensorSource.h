#pragma once
// Where a family's tensors come from: a Hugging Face checkpoint (HfCheckpoint) or a GGUF file
// (GgufCheckpoint). Shapes are PyTorch's ([out, in] for a linear weight) whatever the file stores;
// a source checks the stored shape against the asked one and every value for being finite, and its
// messages name the file, the tensor and both shapes.
#include "Expected.h"
#include "Tensor.h"
#include "Types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

class TensorSource {
public:
    virtual ~TensorSource() = default;
    virtual bool has(const std::string& name) const = 0;
    virtual Expected<Tensor> tensor(const std::string& name, const std::vector<int64_t>& shape) const = 0;
    virtual Expected<Matrix> matrix(const std::string& name, int64_t rows, int64_t cols) const = 0;
    virtual Expected<Vector> vector(const std::string& name, int64_t size) const = 0;
};

} // namespace attn
