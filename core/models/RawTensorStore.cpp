#include "RawTensorStore.h"

#include "SafetensorsFile.h"

namespace attn {

RawTensorStore::RawTensorStore(std::shared_ptr<const HfCheckpoint> checkpoint, std::set<std::string> notKept)
    : m_checkpoint(std::move(checkpoint))
    , m_notKept(std::move(notKept))
{
}

Status RawTensorStore::read(const std::string& name, const std::vector<int64_t>& shape, float* out) const
{
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_kept.find(name);
        if (it != m_kept.end() && it->second.shape == shape) {
            SafetensorsFile::convertStored(it->second.dtype,
                reinterpret_cast<const unsigned char*>(it->second.bytes.data()),
                static_cast<size_t>(Tensor { {}, shape, {} }.elementCount()), out);
            return success();
        }
    }
    if (m_notKept.count(name))
        return m_checkpoint->readInto(name, shape, out);
    Kept kept { m_checkpoint->storedDtype(name), shape, {} };
    if (auto st = m_checkpoint->readInto(name, shape, out, &kept.bytes); !st)
        return st;
    std::lock_guard lock(m_mutex);
    m_kept.insert_or_assign(name, std::move(kept));
    return success();
}

// Whole tensors (not used by the layers) are read through.
Expected<Tensor> RawTensorStore::tensor(const std::string& name, const std::vector<int64_t>& shape) const
{
    return m_checkpoint->tensor(name, shape);
}

Expected<Matrix> RawTensorStore::matrix(const std::string& name, int64_t rows, int64_t cols) const
{
    if (m_checkpoint->storedShape(name) != std::vector<int64_t> {rows, cols})
        return m_checkpoint->matrix(name, rows, cols); // its message, before anything is allocated
    Matrix m(rows, cols);
    if (auto st = read(name, {rows, cols}, m.data()); !st)
        return st.takeError();
    return m;
}

Expected<Vector> RawTensorStore::vector(const std::string& name, int64_t size) const
{
    if (m_checkpoint->storedShape(name) != std::vector<int64_t> {size})
        return m_checkpoint->vector(name, size);
    Vector v(size);
    if (auto st = read(name, {size}, v.data()); !st)
        return st.takeError();
    return v;
}

uint64_t RawTensorStore::keptBytes() const
{
    std::lock_guard lock(m_mutex);
    uint64_t sum = 0;
    for (const auto& [name, kept] : m_kept)
        sum += kept.bytes.size();
    return sum;
}

} // namespace attn
