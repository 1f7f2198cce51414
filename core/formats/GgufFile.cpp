#include "GgufFile.h"

#include "GgmlDequantizer.h"
#include "MemoryBudget.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

namespace attn {

namespace {

std::string mb(uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

// Reads little-endian fields from the mapped bytes; every read is checked against the end first.
class Cursor {
public:
    Cursor(const uint8_t* data, uint64_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    uint64_t position() const { return m_pos; }
    uint64_t left() const { return m_size - m_pos; }
    std::optional<std::string> error;

    bool need(uint64_t bytes, const std::string& what)
    {
        if (error)
            return false;
        if (bytes > left()) {
            error = "the file ends inside " + what + " (at byte " + std::to_string(m_pos) + " of "
                + std::to_string(m_size) + ")";
            return false;
        }
        return true;
    }
    uint64_t fixed(int width, const std::string& what)
    {
        if (!need(static_cast<uint64_t>(width), what))
            return 0;
        uint64_t v = 0;
        std::memcpy(&v, m_data + m_pos, static_cast<size_t>(width));
        m_pos += static_cast<uint64_t>(width);
        return v;
    }
    // Copies `n` bytes (checked with need() first).
    void copy(uint8_t* out, uint64_t n)
    {
        if (n == 0)
            return; // an empty array: out may be null
        std::memcpy(out, m_data + m_pos, static_cast<size_t>(n));
        m_pos += n;
    }
    uint32_t u32(const std::string& what) { return static_cast<uint32_t>(fixed(4, what)); }
    uint64_t u64(const std::string& what) { return fixed(8, what); }
    // A GGUF string: uint64 length, then that many bytes (no terminator).
    std::string string(const std::string& what, uint64_t maxBytes)
    {
        const uint64_t length = u64("the length of " + what);
        if (error)
            return {};
        if (length > left()) {
            error = what + " is " + std::to_string(length) + " bytes long but only " + std::to_string(left())
                + " bytes are left in the file";
            return {};
        }
        if (length > maxBytes) {
            error = what + " is " + std::to_string(length) + " bytes long; at most " + std::to_string(maxBytes)
                + " are allowed";
            return {};
        }
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), static_cast<size_t>(length));
        m_pos += length;
        return s;
    }

private:
    const uint8_t* m_data;
    uint64_t m_size;
    uint64_t m_pos = 0;
};

// Bytes of one scalar of a known value type (0 for strings and arrays).
int scalarWidth(uint32_t type) { return GgufValue::width(static_cast<GgufValueType>(type)); }

bool knownValueType(uint32_t t) { return t <= static_cast<uint32_t>(GgufValueType::Float64); }

// Parses metadata values, charging what they will occupy in memory against a cap.
class ValueReader {
public:
    ValueReader(Cursor& cursor, uint64_t cap)
        : m_c(cursor)
        , m_cap(cap)
    {
    }

    GgufValue read(uint32_t type, const std::string& what, int depth)
    {
        if (m_c.error)
            return {};
        if (!knownValueType(type)) {
            m_c.error = what + " has an unknown value type " + std::to_string(type);
            return {};
        }
        const auto t = static_cast<GgufValueType>(type);
        if (const int w = scalarWidth(type)) {
            const uint64_t bits = m_c.fixed(w, what);
            if (t == GgufValueType::Bool && bits > 1 && !m_c.error)
                m_c.error = what + " is a bool of value " + std::to_string(bits) + "; it must be 0 or 1";
            return GgufValue::scalar(t, bits);
        }
        if (t == GgufValueType::String) {
            std::string s = m_c.string(what, m_c.left());
            charge(s.size() + sizeof(GgufValue));
            return GgufValue::string(std::move(s));
        }
        // An array: element type, count, elements.
        if (depth >= GgufFile::kMaxArrayDepth) {
            m_c.error = what + " nests arrays deeper than " + std::to_string(GgufFile::kMaxArrayDepth) + " levels";
            return {};
        }
        const uint32_t elementType = m_c.u32("the element type of " + what);
        const uint64_t count = m_c.u64("the length of " + what);
        if (m_c.error)
            return {};
        if (!knownValueType(elementType)) {
            m_c.error = what + " is an array of an unknown value type " + std::to_string(elementType);
            return {};
        }
        const int w = scalarWidth(elementType);
        // Each element takes at least this many bytes of the file: a count beyond them is a lie.
        const uint64_t least = w ? static_cast<uint64_t>(w) : (elementType == 8 ? 8 : 12);
        if (count > m_c.left() / least) {
            m_c.error = what + " claims " + std::to_string(count) + " elements of " + GgufValue::typeName(
                            static_cast<GgufValueType>(elementType))
                + " but only " + std::to_string(m_c.left()) + " bytes are left in the file";
            return {};
        }
        const auto et = static_cast<GgufValueType>(elementType);
        std::vector<uint8_t> raw;
        std::vector<std::string> strings;
        std::vector<GgufValue> items;
        if (w) {
            const uint64_t bytes = count * static_cast<uint64_t>(w);
            if (!charge(bytes))
                return {};
            raw.resize(static_cast<size_t>(bytes));
            if (m_c.need(bytes, what)) {
                m_c.copy(raw.data(), bytes);
                if (et == GgufValueType::Bool)
                    for (uint8_t b : raw)
                        if (b > 1) {
                            m_c.error = what + " holds a bool of value " + std::to_string(b) + "; it must be 0 or 1";
                            return {};
                        }
            }
        } else if (et == GgufValueType::String) {
            if (!charge(count * sizeof(std::string)))
                return {};
            strings.reserve(static_cast<size_t>(count));
            for (uint64_t i = 0; i < count && !m_c.error; ++i) {
                strings.push_back(m_c.string("element " + std::to_string(i) + " of " + what, m_c.left()));
                if (!charge(strings.back().size()))
                    return {};
            }
        } else {
            if (!charge(count * sizeof(GgufValue)))
                return {};
            items.reserve(static_cast<size_t>(count));
            for (uint64_t i = 0; i < count && !m_c.error; ++i)
                items.push_back(read(elementType, "element " + std::to_string(i) + " of " + what, depth + 1));
        }
        if (m_c.error)
            return {};
        return GgufValue::array(et, count, std::move(raw), std::move(strings), std::move(items));
    }

    bool charge(uint64_t bytes)
    {
        if (m_c.error)
            return false;
        m_used += bytes;
        if (m_used > m_cap) {
            m_c.error = "the metadata needs more than " + mb(m_cap) + " of memory";
            return false;
        }
        return true;
    }

private:
    Cursor& m_c;
    uint64_t m_cap;
    uint64_t m_used = 0;
};

} // namespace

Expected<GgufFile> GgufFile::open(const std::string& path)
{
    auto mapping = MappedFile::open(path);
    if (!mapping)
        return mapping.takeError();
    GgufFile file;
    file.m_mapping = *mapping;
    file.m_data = (*mapping)->data();
    file.m_size = (*mapping)->size();
    file.m_sourceName = path;
    return parse(std::move(file));
}

Expected<GgufFile> GgufFile::fromBytes(std::string bytes, const std::string& sourceName)
{
    GgufFile file;
    file.m_bytes = std::make_shared<const std::string>(std::move(bytes));
    file.m_data = reinterpret_cast<const uint8_t*>(file.m_bytes->data());
    file.m_size = file.m_bytes->size();
    file.m_sourceName = sourceName;
    return parse(std::move(file));
}

Expected<GgufFile> GgufFile::parse(GgufFile f)
{
    const std::string prefix = f.m_sourceName + ": ";
    auto fail = [&](const std::string& message) { return makeError(prefix + message); };
    if (f.m_size < 4 || std::memcmp(f.m_data, "GGUF", 4) != 0)
        return fail("not a GGUF file (it does not start with \"GGUF\")");
    Cursor c(f.m_data, f.m_size);
    c.fixed(4, "the magic");
    const uint32_t version = c.u32("the version");
    if (c.error)
        return fail(*c.error);
    if (version == 1)
        return fail("GGUF version 1 is not supported (only 2 and 3); convert the model again with a current llama.cpp");
    if (version > 0xffff && (version & 0xffff) == 0)
        return fail("a big-endian GGUF file (version " + std::to_string(__builtin_bswap32(version))
            + " byte-swapped); only little-endian files are supported");
    if (version != 2 && version != 3)
        return fail("GGUF version " + std::to_string(version) + " is not supported (only 2 and 3)");
    f.m_version = version;
    const uint64_t tensorCount = c.u64("the tensor count");
    const uint64_t kvCount = c.u64("the metadata count");
    if (c.error)
        return fail(*c.error);
    // A tensor info takes at least 8 + 4 + 8 + 4 + 8 bytes, a metadata entry 8 + 1 + 4 + 1.
    if (tensorCount > c.left() / 32)
        return fail("the header says " + std::to_string(tensorCount) + " tensors; a file of "
            + std::to_string(f.m_size) + " bytes cannot hold that many");
    if (kvCount > c.left() / 14)
        return fail("the header says " + std::to_string(kvCount) + " metadata entries; a file of "
            + std::to_string(f.m_size) + " bytes cannot hold that many");

    ValueReader values(c, std::min(kMaxMetadataBytes, memoryLimitOr(0)));
    f.m_metadata.reserve(static_cast<size_t>(std::min<uint64_t>(kvCount, 4096)));
    for (uint64_t i = 0; i < kvCount; ++i) {
        const std::string where = "metadata entry " + std::to_string(i);
        std::string key = c.string("the key of " + where, kMaxKeyBytes);
        if (c.error)
            return fail(*c.error);
        if (key.empty())
            return fail("the key of " + where + " is empty");
        const uint32_t type = c.u32("the type of '" + key + "'");
        values.charge(sizeof(GgufMetadataEntry) + 2 * key.size() + 64);
        GgufValue value = values.read(type, "'" + key + "'", 0);
        if (c.error)
            return fail(*c.error);
        if (f.m_keyIndex.count(key))
            return fail("the metadata key '" + key + "' appears twice");
        f.m_keyIndex[key] = f.m_metadata.size();
        f.m_metadata.push_back({ std::move(key), std::move(value) });
    }
    if (const GgufValue* a = f.find("general.alignment")) {
        if (a->type() != GgufValueType::UInt32)
            return fail("'general.alignment' is a " + a->typeName() + "; it must be a uint32");
        const uint64_t v = *a->asUInt();
        if (v == 0 || (v & (v - 1)) != 0 || v > kMaxAlignment)
            return fail("'general.alignment' is " + std::to_string(v) + "; it must be a power of two up to "
                + std::to_string(kMaxAlignment));
        f.m_alignment = v;
    }

    f.m_tensors.reserve(static_cast<size_t>(std::min<uint64_t>(tensorCount, 4096)));
    for (uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo t;
        std::string where = "tensor " + std::to_string(i);
        t.name = c.string("the name of " + where, kMaxKeyBytes);
        if (c.error)
            return fail(*c.error);
        where += " ('" + t.name + "')";
        const uint32_t rank = c.u32("the rank of " + where);
        if (c.error)
            return fail(*c.error);
        if (rank == 0 || rank > kMaxDims)
            return fail(where + " has " + std::to_string(rank) + " dimensions; GGUF tensors have 1 to "
                + std::to_string(kMaxDims));
        uint64_t elements = 1;
        for (uint32_t d = 0; d < rank; ++d) {
            const uint64_t n = c.u64("the dimensions of " + where);
            if (c.error)
                return fail(*c.error);
            if (n == 0)
                return fail(where + " has a dimension of 0");
            if (n > (uint64_t { 1 } << 62) / elements)
                return fail(where + " has " + std::to_string(n) + " in dimension " + std::to_string(d)
                    + ": its element count overflows");
            elements *= n;
            t.dims.push_back(n);
        }
        const uint32_t type = c.u32("the type of " + where);
        t.offset = c.u64("the offset of " + where);
        if (c.error)
            return fail(*c.error);
        const auto traits = GgmlTypeInfo::supported(type);
        if (!traits) {
            const std::string name = GgmlTypeInfo::name(type);
            const bool known = name.rfind("type ", 0) != 0;
            return fail(where + (known ? " is of type " + name + " (" + std::to_string(type) + "), which AttnScope cannot read"
                                       : " has an unknown tensor type " + std::to_string(type))
                + "; supported: " + GgmlTypeInfo::supportedList());
        }
        t.type = static_cast<GgmlType>(type);
        if (t.dims[0] % static_cast<uint64_t>(traits->blockValues) != 0)
            return fail(where + " is " + GgmlTypeInfo::name(type) + " with rows of " + std::to_string(t.dims[0])
                + " values, not a multiple of its block of " + std::to_string(traits->blockValues));
        t.elements = elements;
        t.bytes = elements / static_cast<uint64_t>(traits->blockValues) * static_cast<uint64_t>(traits->blockBytes);
        if (t.offset % f.m_alignment != 0)
            return fail(where + " starts at offset " + std::to_string(t.offset) + ", not a multiple of the alignment "
                + std::to_string(f.m_alignment));
        if (f.m_tensorIndex.count(t.name))
            return fail("the tensor name '" + t.name + "' appears twice");
        f.m_tensorIndex[t.name] = f.m_tensors.size();
        f.m_tensors.push_back(std::move(t));
    }
    const uint64_t headerEnd = c.position();
    f.m_dataStart = (headerEnd + f.m_alignment - 1) / f.m_alignment * f.m_alignment;
    if (tensorCount > 0 && f.m_dataStart > f.m_size)
        return fail("the file ends before its tensor data begins (at byte " + std::to_string(f.m_dataStart) + ")");
    const uint64_t dataBytes = f.m_size - std::min(f.m_dataStart, f.m_size);
    for (const GgufTensorInfo& t : f.m_tensors)
        if (t.offset > dataBytes || t.bytes > dataBytes - t.offset)
            return fail("tensor '" + t.name + "': its data (offset " + std::to_string(t.offset) + ", "
                + std::to_string(t.bytes) + " bytes) runs past the end of the file (" + std::to_string(dataBytes)
                + " bytes of tensor data)");
    std::vector<const GgufTensorInfo*> byOffset;
    for (const GgufTensorInfo& t : f.m_tensors)
        byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(),
        [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i - 1]->offset + byOffset[i - 1]->bytes > byOffset[i]->offset)
            return fail("tensors '" + byOffset[i - 1]->name + "' and '" + byOffset[i]->name + "' overlap");
    return f;
}

const GgufValue* GgufFile::find(const std::string& key) const
{
    const auto it = m_keyIndex.find(key);
    return it == m_keyIndex.end() ? nullptr : &m_metadata[it->second].value;
}

const GgufTensorInfo* GgufFile::tensor(const std::string& name) const
{
    const auto it = m_tensorIndex.find(name);
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

Status GgufFile::dequantizeRows(const GgufTensorInfo& info, uint64_t first, uint64_t count, float* out) const
{
    const uint64_t rowLength = info.rowLength();
    if (first > info.rows() || count > info.rows() - first)
        return makeError(m_sourceName + ": tensor '" + info.name + "' has " + std::to_string(info.rows())
            + " rows; rows " + std::to_string(first) + ".." + std::to_string(first + count) + " were asked for");
    const auto traits = *GgmlTypeInfo::supported(static_cast<uint32_t>(info.type));
    const uint64_t rowBytes = rowLength / static_cast<uint64_t>(traits.blockValues) * static_cast<uint64_t>(traits.blockBytes);
    const uint64_t n = count * rowLength;
    const uint8_t* data = tensorData(info) + first * rowBytes;
    // Whole rows per thread (a row is whole blocks), for a layer's worth of values; the check for
    // non-finite values is one vectorised pass, the loop below only names the first one.
    constexpr uint64_t kParallelValues = uint64_t { 1 } << 20;
    const auto rows = static_cast<int64_t>(count);
    const int64_t chunk = std::max<int64_t>(1, static_cast<int64_t>(kParallelValues / 4 / std::max<uint64_t>(rowLength, 1)));
    bool finite = true;
#pragma omp parallel for schedule(static) reduction(&& : finite) if (n >= kParallelValues)
    for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
        const int64_t r1 = std::min(rows, r0 + chunk);
        float* to = out + static_cast<uint64_t>(r0) * rowLength;
        const auto values = static_cast<int64_t>(static_cast<uint64_t>(r1 - r0) * rowLength);
        GgmlDequantizer::dequantize(info.type, data + static_cast<uint64_t>(r0) * rowBytes, to, values);
        bool ok = true;
        for (int64_t i = 0; i < values; ++i)
            ok &= std::isfinite(to[i]);
        finite = finite && ok;
    }
    if (finite)
        return success();
    for (uint64_t i = 0; i < n; ++i)
        if (!std::isfinite(out[i])) {
            const uint64_t row = first + i / rowLength;
            return makeError(m_sourceName + ": tensor '" + info.name + "' holds a value that is not finite ("
                + (std::isnan(out[i]) ? std::string("NaN") : std::string("infinity")) + ") at row "
                + std::to_string(row) + ", column " + std::to_string(i % rowLength));
        }
    return success();
}

Expected<std::vector<float>> GgufFile::dequantize(const GgufTensorInfo& info) const
{
    std::vector<float> values(static_cast<size_t>(info.elements));
    if (auto st = dequantizeRows(info, 0, info.rows(), values.data()); !st)
        return st.takeError();
    return values;
}

} // namespace attn
