#pragma once
// The weights of a Hugging Face checkpoint: one *.safetensors file, or several shards listed by a
// model.safetensors.index.json ({"weight_map": {tensor name: shard file name}}, shards in the same
// folder). Headers are read and validated up front by SafetensorsFile (lengths, offsets inside each
// file, byte counts against shapes); tensor bytes are read one tensor at a time when a model asks
// for them, converted from F32 / F16 / BF16 to float32, with the shape the config implies checked
// first ("tensor 'h.0.attn.c_attn.weight' has shape [32, 96] but config.json implies [32, 64]") and
// every value checked to be finite (a NaN weight would silently turn every map into NaN).
// checkBudget() refuses a checkpoint whose float32 weights exceed the memory budget before any is read.
#include "ComputeControl.h"
#include "Expected.h"
#include "SafetensorsFile.h"
#include "TensorSource.h"
#include "Types.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace attn {

class HfCheckpoint : public TensorSource {
public:
    // path: a .safetensors file or a model.safetensors.index.json.
    static Expected<HfCheckpoint> open(const std::string& path);

    bool has(const std::string& name) const override { return m_location.count(name) != 0; }
    size_t tensorCount() const { return m_location.size(); }
    uint64_t float32Bytes() const { return m_float32Bytes; } // all weights as float32
    const std::string& displayName() const { return m_displayName; }
    Status checkBudget(const ComputeControl& control) const;

    // A tensor whose shape must equal `shape`; errors name the tensor, its shape and the expected one.
    Expected<Tensor> tensor(const std::string& name, const std::vector<int64_t>& shape) const override;
    Expected<Matrix> matrix(
        const std::string& name, int64_t rows, int64_t cols) const override; // row-major [rows, cols]
    Expected<Vector> vector(const std::string& name, int64_t size) const override;

    // Checks dtype, shape and (after reading) finiteness; out holds the shape's element count.
    // keepBytes (may be null) receives the bytes as stored, in the dtype storedDtype() names.
    Status readInto(const std::string& name, const std::vector<int64_t>& shape, float* out,
        std::string* keepBytes = nullptr) const;
    std::string storedDtype(const std::string& name) const;
    std::vector<int64_t> storedShape(const std::string& name) const; // empty when there is no such tensor

private:

    std::vector<SafetensorsFile> m_shards;
    std::map<std::string, size_t> m_location; // tensor name -> shard index
    uint64_t m_float32Bytes = 0;
    std::string m_displayName;
};

} // namespace attn
