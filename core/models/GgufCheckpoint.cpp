#include "GgufCheckpoint.h"

namespace attn {

namespace {

std::string ggufShapeText(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// llama.cpp's converter stores row (h, j, i) of head h at (h, i, j), j in {0, 1} the half and i the
// pair: W'[h d + 2 i + j] = W[h d + j d/2 + i]. Undone in place on row-major [rows, cols] data.
void unpermuteRows(std::vector<float>& data, int64_t rows, int64_t cols, int heads)
{
    const int64_t d = rows / heads;
    const int64_t half = d / 2;
    std::vector<float> out(data.size());
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < half; ++i)
            for (int64_t j = 0; j < 2; ++j) {
                const int64_t from = h * d + 2 * i + j;
                const int64_t to = h * d + j * half + i;
                std::copy_n(data.begin() + from * cols, cols, out.begin() + to * cols);
            }
    data.swap(out);
}

} // namespace

Expected<std::shared_ptr<GgufCheckpoint>> GgufCheckpoint::open(const std::string& path)
{
    auto file = GgufFile::open(path);
    if (!file)
        return file.takeError();
    return std::make_shared<GgufCheckpoint>(std::move(*file));
}

Expected<const GgufTensorInfo*> GgufCheckpoint::find(const std::string& name, const std::vector<int64_t>& shape) const
{
    const GgufTensorInfo* info = m_file.tensor(name);
    if (!info)
        return makeError(m_file.sourceName() + ": missing tensor '" + name + "' (the file has "
            + std::to_string(m_file.tensors().size()) + " tensors)");
    std::vector<int64_t> stored;
    for (auto it = info->dims.rbegin(); it != info->dims.rend(); ++it)
        stored.push_back(static_cast<int64_t>(*it));
    if (stored != shape)
        return makeError(m_file.sourceName() + ": tensor '" + name + "' has shape " + ggufShapeText(stored)
            + " (GGUF dims reversed) but the metadata implies " + ggufShapeText(shape));
    return info;
}

Expected<Tensor> GgufCheckpoint::tensor(const std::string& name, const std::vector<int64_t>& shape) const
{
    auto info = find(name, shape);
    if (!info)
        return info.takeError();
    auto values = m_file.dequantize(**info);
    if (!values)
        return values.takeError();
    const auto permuted = m_unpermute.find(name);
    if (permuted != m_unpermute.end()) {
        const int64_t rows = shape[0];
        const int64_t cols = shape.size() > 1 ? static_cast<int64_t>(values->size()) / rows : 1;
        if (rows % (2 * permuted->second) != 0)
            return makeError(m_file.sourceName() + ": tensor '" + name + "' has " + std::to_string(rows)
                + " rows, not a whole number of head pairs for " + std::to_string(permuted->second) + " heads");
        unpermuteRows(*values, rows, cols, permuted->second);
    }
    Tensor t;
    t.name = name;
    t.shape = shape;
    t.data = std::move(*values);
    return t;
}

// Matrices and vectors are dequantised straight into their Eigen storage (no zero-filled buffer,
// no copy): for a quantised model this runs once per layer per forward.
Expected<Matrix> GgufCheckpoint::matrix(const std::string& name, int64_t rows, int64_t cols) const
{
    auto info = find(name, { rows, cols });
    if (!info)
        return info.takeError();
    Matrix m(rows, cols);
    if (auto st = m_file.dequantizeRows(**info, 0, static_cast<uint64_t>(rows), m.data()); !st)
        return st.takeError();
    const auto permuted = m_unpermute.find(name);
    if (permuted == m_unpermute.end())
        return m;
    const int heads = permuted->second;
    if (rows % (2 * heads) != 0)
        return makeError(m_file.sourceName() + ": tensor '" + name + "' has " + std::to_string(rows)
            + " rows, not a whole number of head pairs for " + std::to_string(heads) + " heads");
    Matrix out(rows, cols);
    const int64_t d = rows / heads;
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < d / 2; ++i)
            for (int64_t j = 0; j < 2; ++j)
                out.row(h * d + j * (d / 2) + i) = m.row(h * d + 2 * i + j);
    return out;
}

Expected<Vector> GgufCheckpoint::vector(const std::string& name, int64_t size) const
{
    if (m_unpermute.count(name)) { // a permuted bias: through tensor()
        auto t = tensor(name, { size });
        if (!t)
            return t.takeError();
        return Vector(Eigen::Map<const Vector>(t->data.data(), size));
    }
    auto info = find(name, { size });
    if (!info)
        return info.takeError();
    Vector v(size);
    if (auto st = m_file.dequantizeRows(**info, 0, 1, v.data()); !st)
        return st.takeError();
    return v;
}

} // namespace attn
