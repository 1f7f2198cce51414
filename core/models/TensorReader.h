#pragma once
// Reads many tensors from a TensorSource with one error slot: after the first failure every read
// returns an empty value and error() holds that first message, so model loaders need no error
// plumbing. Names are looked up under a prefix ("bert.", "model.", or none).
#include "TensorSource.h"

#include <optional>
#include <string>

namespace attn {

class TensorReader {
public:
    TensorReader(const TensorSource& source, std::string prefix)
        : m_source(source)
        , m_prefix(std::move(prefix))
    {
    }
    Matrix matrix(const std::string& name, int64_t rows, int64_t cols);
    Vector vector(const std::string& name, int64_t size);
    Tensor tensor(const std::string& name, const std::vector<int64_t>& shape);
    bool has(const std::string& name) const { return m_source.has(m_prefix + name); }
    const std::optional<Error>& error() const { return m_error; }

private:
    const TensorSource& m_source;
    std::string m_prefix;
    std::optional<Error> m_error;
};

} // namespace attn
