#pragma once
// The tensors of a GGUF file as a TensorSource: shapes asked in PyTorch's order ([out, in]) are
// checked against the file's dims (stored fastest-varying first, so [in, out]), values dequantised
// to float32 (GgufFile) and checked to be finite. Llama-architecture files hold Q and K with the rows
// of each head permuted for llama.cpp's interleaved RoPE (its converter's permute()); unpermute()
// names those tensors, and they are read back in Hugging Face's order, so that the attention, the
// queries and the keys of a GGUF model equal those of the same weights in a Hugging Face folder.
#include "Expected.h"
#include "GgufFile.h"
#include "TensorSource.h"

#include <map>
#include <memory>
#include <string>

namespace attn {

class GgufCheckpoint : public TensorSource {
public:
    static Expected<std::shared_ptr<GgufCheckpoint>> open(const std::string& path);
    explicit GgufCheckpoint(GgufFile file)
        : m_file(std::move(file))
    {
    }

    const GgufFile& file() const { return m_file; }
    // Reads tensor `name` (rows in groups of heads) with the llama.cpp permutation undone.
    void unpermute(const std::string& name, int heads) { m_unpermute[name] = heads; }

    bool has(const std::string& name) const override { return m_file.tensor(name) != nullptr; }
    Expected<Tensor> tensor(const std::string& name, const std::vector<int64_t>& shape) const override;
    Expected<Matrix> matrix(const std::string& name, int64_t rows, int64_t cols) const override;
    Expected<Vector> vector(const std::string& name, int64_t size) const override;

    // A missing tensor's message, and one for a tensor whose dims are not `shape` reversed.
    Expected<const GgufTensorInfo*> find(const std::string& name, const std::vector<int64_t>& shape) const;

private:
    GgufFile m_file;
    std::map<std::string, int> m_unpermute;
};

} // namespace attn
