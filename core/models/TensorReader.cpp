#include "TensorReader.h"

namespace attn {

Matrix TensorReader::matrix(const std::string& name, int64_t rows, int64_t cols)
{
    if (m_error)
        return {};
    auto m = m_source.matrix(m_prefix + name, rows, cols);
    if (!m) {
        m_error = m.takeError();
        return {};
    }
    return std::move(*m);
}

Vector TensorReader::vector(const std::string& name, int64_t size)
{
    if (m_error)
        return {};
    auto v = m_source.vector(m_prefix + name, size);
    if (!v) {
        m_error = v.takeError();
        return {};
    }
    return std::move(*v);
}

Tensor TensorReader::tensor(const std::string& name, const std::vector<int64_t>& shape)
{
    if (m_error)
        return {};
    auto t = m_source.tensor(m_prefix + name, shape);
    if (!t) {
        m_error = t.takeError();
        return {};
    }
    return std::move(*t);
}

} // namespace attn
