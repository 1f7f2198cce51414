#pragma once
// A TensorSource over a Hugging Face checkpoint that keeps the tensors it has read as the file stores
// them (F32, F16 or BF16 bytes) and converts them to float32 again on every later request, without the
// file: the layers of a large model are held at their file size (BF16: half of float32) and made
// float32 one layer at a time (HfLazyWeights), and a later read cannot fail on a file that changed.
// Tensors named in `notKept` (the embedding, the head: held in float32 by the stack anyway) are read
// through without keeping their bytes. Thread-safe.
#include "HfCheckpoint.h"
#include "TensorSource.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace attn {

class RawTensorStore : public TensorSource {
public:
    RawTensorStore(std::shared_ptr<const HfCheckpoint> checkpoint, std::set<std::string> notKept);

    bool has(const std::string& name) const override { return m_checkpoint->has(name); }
    Expected<Tensor> tensor(const std::string& name, const std::vector<int64_t>& shape) const override;
    Expected<Matrix> matrix(const std::string& name, int64_t rows, int64_t cols) const override;
    Expected<Vector> vector(const std::string& name, int64_t size) const override;
    uint64_t keptBytes() const;

private:
    struct Kept {
        std::string dtype;
        std::vector<int64_t> shape;
        std::string bytes;
    };
    Status read(const std::string& name, const std::vector<int64_t>& shape, float* out) const;

    std::shared_ptr<const HfCheckpoint> m_checkpoint;
    std::set<std::string> m_notKept;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, Kept> m_kept;
};

} // namespace attn
