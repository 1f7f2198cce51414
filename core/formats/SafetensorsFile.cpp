#include "SafetensorsFile.h"

#include "FileBytes.h"
#include "HalfFloat.h"
#include "NumberText.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>

namespace attn {

namespace {

using json = nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000; // the limit the reference implementation uses
constexpr size_t kMaxRank = 64;

// Bytes per element, or 0 for a dtype this reader does not know.
uint64_t dtypeSize(const std::string& dtype)
{
    static const std::pair<const char*, uint64_t> sizes[] = {
        { "BOOL", 1 },
        { "U8", 1 },
        { "I8", 1 },
        { "F8_E5M2", 1 },
        { "F8_E4M3", 1 },
        { "F8_E8M0", 1 },
        { "I16", 2 },
        { "U16", 2 },
        { "F16", 2 },
        { "BF16", 2 },
        { "I32", 4 },
        { "U32", 4 },
        { "F32", 4 },
        { "I64", 8 },
        { "U64", 8 },
        { "F64", 8 },
    };
    for (const auto& [name, size] : sizes)
        if (dtype == name)
            return size;
    return 0;
}

bool dtypeSupported(const std::string& dtype)
{
    return dtype == "F32" || dtype == "F16" || dtype == "BF16" || dtype == "F64";
}

std::string dimsText(const std::vector<int64_t>& dims)
{
    std::string text = "[";
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i)
            text += ", ";
        text += std::to_string(dims[i]);
    }
    return text + "]";
}

std::string offsetsText(uint64_t begin, uint64_t end)
{
    std::string text = "[";
    text += std::to_string(begin);
    text += ", ";
    text += std::to_string(end);
    return text + "]";
}

uint64_t readLe(const unsigned char* p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

void appendLe(std::string& out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Builds the entry list from the JSON header with a SAX handler, so a hostile header is never
// turned into a large DOM: only names, dtypes, shapes (rank <= 64) and offsets are kept.
class HeaderHandler : public nlohmann::json_sax<json> {
public:
    std::vector<SafetensorsEntry> entries;
    std::map<std::string, std::string> metadata;
    std::string error;

    bool null() override { return scalar("null"); }
    bool boolean(bool) override { return scalar("a boolean"); }
    bool number_integer(number_integer_t v) override
    {
        if (m_skip)
            return true;
        if (m_state == State::Shape || m_state == State::Offsets) {
            if (v >= 0)
                return number_unsigned(static_cast<number_unsigned_t>(v));
            return fail(what() + " contains the negative number " + std::to_string(v));
        }
        return scalar("a number");
    }
    bool number_unsigned(number_unsigned_t v) override
    {
        if (m_skip)
            return true;
        if (m_state == State::Shape) {
            if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                return fail(what() + " has the dimension " + std::to_string(v) + ", which is too large");
            if (m_entry.shape.size() >= kMaxRank)
                return fail(what() + " has more than " + std::to_string(kMaxRank) + " dimensions");
            m_entry.shape.push_back(static_cast<int64_t>(v));
            return true;
        }
        if (m_state == State::Offsets) {
            if (m_offsetCount >= 2)
                return fail(what() + " must have exactly 2 values [begin, end]");
            (m_offsetCount == 0 ? m_entry.begin : m_entry.end) = v;
            ++m_offsetCount;
            return true;
        }
        return scalar("a number");
    }
    bool number_float(number_float_t, const string_t& text) override
    {
        if (m_skip)
            return true;
        if (m_state == State::Shape || m_state == State::Offsets)
            return fail(what() + " contains " + text + ", which is not a non-negative integer");
        return scalar("a number");
    }
    bool string(string_t& value) override
    {
        if (m_skip)
            return true;
        if (m_state == State::Tensor && m_field == Field::Dtype) {
            m_entry.dtype = value;
            return true;
        }
        if (m_state == State::Metadata) {
            metadata[m_key] = value;
            return true;
        }
        return scalar("a string");
    }
    bool binary(binary_t&) override { return scalar("binary data"); }

    bool start_object(std::size_t) override
    {
        if (m_skip) {
            ++m_skip;
            return true;
        }
        switch (m_state) {
        case State::Start:
            m_state = State::Top;
            return true;
        case State::Top:
            if (m_key == "__metadata__") {
                m_state = State::Metadata;
                m_metadataKeys.clear();
            } else {
                m_state = State::Tensor;
                m_entry = SafetensorsEntry {};
                m_entry.name = m_key;
                m_fieldsSeen.clear();
                m_field = Field::None;
            }
            return true;
        case State::Tensor:
            if (m_field == Field::Other) {
                m_skip = 1;
                return true;
            }
            return scalar("an object");
        default:
            return scalar("an object");
        }
    }
    bool end_object() override
    {
        if (m_skip) {
            --m_skip;
            return true;
        }
        switch (m_state) {
        case State::Top:
            m_state = State::Done;
            return true;
        case State::Metadata:
            m_state = State::Top;
            return true;
        case State::Tensor:
            for (const char* field : { "dtype", "shape", "data_offsets" })
                if (!m_fieldsSeen.count(field))
                    return fail("tensor '" + m_entry.name + "' has no '" + field + "'");
            entries.push_back(std::move(m_entry));
            m_entry = SafetensorsEntry {};
            m_state = State::Top;
            return true;
        default:
            return fail("unexpected end of object");
        }
    }
    bool start_array(std::size_t) override
    {
        if (m_skip) {
            ++m_skip;
            return true;
        }
        if (m_state == State::Tensor && m_field == Field::Shape) {
            m_state = State::Shape;
            return true;
        }
        if (m_state == State::Tensor && m_field == Field::Offsets) {
            m_state = State::Offsets;
            m_offsetCount = 0;
            return true;
        }
        if (m_state == State::Tensor && m_field == Field::Other) {
            m_skip = 1;
            return true;
        }
        return scalar("an array");
    }
    bool end_array() override
    {
        if (m_skip) {
            --m_skip;
            return true;
        }
        if (m_state == State::Shape) {
            m_state = State::Tensor;
            return true;
        }
        if (m_state == State::Offsets) {
            if (m_offsetCount != 2)
                return fail(what() + " must have exactly 2 values [begin, end], it has "
                    + std::to_string(m_offsetCount));
            m_state = State::Tensor;
            return true;
        }
        return fail("unexpected end of array");
    }
    bool key(string_t& key) override
    {
        if (m_skip)
            return true;
        switch (m_state) {
        case State::Top:
            if (!m_topKeys.insert(key).second)
                return fail(key == "__metadata__" ? std::string("'__metadata__' appears twice")
                                                  : "duplicate tensor name '" + key + "'");
            m_key = key;
            return true;
        case State::Tensor:
            if (!m_fieldsSeen.insert(key).second)
                return fail("tensor '" + m_entry.name + "' has the key '" + key + "' twice");
            m_field = key == "dtype"    ? Field::Dtype
                : key == "shape"        ? Field::Shape
                : key == "data_offsets" ? Field::Offsets
                                        : Field::Other;
            return true;
        case State::Metadata:
            if (!m_metadataKeys.insert(key).second)
                return fail("'__metadata__' has the key '" + key + "' twice");
            m_key = key;
            return true;
        default:
            return fail("unexpected key '" + key + "'");
        }
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override
    {
        std::string what = ex.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> drop the tag.
        if (const auto close = what.find("] ");
            what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
            what = what.substr(close + 2);
        return fail("the header is not valid JSON (at byte " + std::to_string(position)
            + " of the header: " + what + ")");
    }

private:
    enum class State { Start, Top, Tensor, Metadata, Shape, Offsets, Done };
    enum class Field { None, Dtype, Shape, Offsets, Other };

    bool fail(const std::string& message)
    {
        if (error.empty())
            error = message;
        return false;
    }
    std::string what() const
    {
        return std::string(m_state == State::Shape ? "the shape" : "data_offsets") + " of tensor '"
            + m_entry.name + "'";
    }
    // A scalar or container where the current state does not accept it.
    bool scalar(const char* kind)
    {
        if (m_skip)
            return true;
        switch (m_state) {
        case State::Start:
            return fail(std::string("the header is not a JSON object (it is ") + kind + ")");
        case State::Top:
            return fail(m_key == "__metadata__" ? std::string("'__metadata__' must be an object, not ") + kind
                                                : "the entry '" + m_key + "' must be an object, not " + kind);
        case State::Tensor:
            if (m_field == Field::Other)
                return true; // an unknown key's scalar value: ignored
            if (m_field == Field::Dtype)
                return fail("the dtype of tensor '" + m_entry.name + "' must be a string, not " + kind);
            return fail((m_field == Field::Shape ? "the shape" : "data_offsets") + std::string(" of tensor '")
                + m_entry.name + "' must be an array, not " + kind);
        case State::Metadata:
            return fail("'__metadata__' values must be strings; '" + m_key + "' is " + kind);
        case State::Shape:
        case State::Offsets:
            return fail(what() + " must contain non-negative integers, not " + kind);
        case State::Done:
            break;
        }
        return fail("unexpected value");
    }

    State m_state = State::Start;
    Field m_field = Field::None;
    std::string m_key;
    SafetensorsEntry m_entry;
    int m_offsetCount = 0;
    uint64_t m_skip = 0;
    std::set<std::string> m_topKeys;
    std::set<std::string> m_fieldsSeen;
    std::set<std::string> m_metadataKeys;
};

// Parses and validates the header against a data section of dataSize bytes.
Status parseHeader(std::string_view header, uint64_t dataSize, const std::string& prefix,
    std::vector<SafetensorsEntry>& entries, std::map<std::string, std::string>& metadata)
{
    HeaderHandler handler;
    bool parsed = false;
    try {
        parsed = json::sax_parse(header, &handler);
    } catch (const std::exception& e) {
        return makeError(prefix + "cannot parse the header: " + e.what());
    }
    if (!parsed || !handler.error.empty())
        return makeError(
            prefix + (handler.error.empty() ? std::string("the header is not valid JSON") : handler.error));

    for (const SafetensorsEntry& e : handler.entries) {
        const std::string tensor = "tensor '" + e.name + "': ";
        if (e.begin > e.end)
            return makeError(
                prefix + tensor + "data_offsets " + offsetsText(e.begin, e.end) + " have begin after end");
        if (e.end > dataSize)
            return makeError(prefix + tensor + "data_offsets " + offsetsText(e.begin, e.end)
                + " run past the end of the data section (" + std::to_string(dataSize) + " bytes)");
        uint64_t count = 1;
        if (std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end()) {
            count = 0;
        } else {
            for (int64_t dim : e.shape) {
                if (count
                    > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / static_cast<uint64_t>(dim))
                    return makeError(prefix + tensor + "shape " + dimsText(e.shape)
                        + " has too many elements (the product overflows)");
                count *= static_cast<uint64_t>(dim);
            }
        }
        const uint64_t size = dtypeSize(e.dtype);
        if (size == 0)
            continue; // unknown dtype: listed, refused when read
        if (count > std::numeric_limits<uint64_t>::max() / size)
            return makeError(prefix + tensor + "shape " + dimsText(e.shape)
                + " has too many elements (the product overflows)");
        if (count * size != e.end - e.begin)
            return makeError(prefix + tensor + "shape " + dimsText(e.shape) + " with dtype " + e.dtype
                + " needs " + std::to_string(count * size) + " bytes, but data_offsets "
                + offsetsText(e.begin, e.end) + " span " + std::to_string(e.end - e.begin));
    }
    entries = std::move(handler.entries);
    std::sort(entries.begin(), entries.end(),
        [](const SafetensorsEntry& a, const SafetensorsEntry& b) { return a.name < b.name; });
    metadata = std::move(handler.metadata);
    return success();
}

// Validates the 8-byte length field against the file size; returns the header length.
Expected<uint64_t> headerLength(const unsigned char* first8, uint64_t fileSize, const std::string& prefix)
{
    const uint64_t length = readLe(first8, 8);
    if (length > kMaxHeaderBytes)
        return makeError(prefix + "the header length " + std::to_string(length) + " bytes exceeds the "
            + std::to_string(kMaxHeaderBytes) + "-byte (100 MB) limit; is this a safetensors file?");
    if (length > fileSize - 8)
        return makeError(prefix + "the header length " + std::to_string(length)
            + " bytes is larger than the rest of the file (" + std::to_string(fileSize - 8)
            + " bytes after the 8-byte length)");
    return length;
}

std::string tooShort(const std::string& prefix, uint64_t size)
{
    return prefix + "the file is " + std::to_string(size)
        + " bytes, too short to be a safetensors file (at least 8 are needed)";
}

} // namespace

Expected<SafetensorsFile> SafetensorsFile::fromBytes(std::string bytes, const std::string& sourceName)
{
    const std::string prefix = sourceName + ": ";
    if (bytes.size() < 8)
        return makeError(tooShort(prefix, bytes.size()));
    auto length = headerLength(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), prefix);
    if (!length)
        return length.takeError();
    SafetensorsFile file;
    const std::string_view header(bytes.data() + 8, static_cast<size_t>(*length));
    auto status = parseHeader(header, bytes.size() - 8 - *length, prefix, file.m_entries, file.m_metadata);
    if (!status)
        return status.takeError();
    file.m_sourceName = sourceName;
    file.m_dataStart = 8 + *length;
    file.m_bytes = std::move(bytes);
    return file;
}

Expected<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    const std::string prefix = path + ": ";
    auto size = FileBytes::size(path);
    if (!size)
        return size.takeError();
    if (*size < 8)
        return makeError(tooShort(prefix, *size));
    auto first8 = FileBytes::readRange(path, 0, 8);
    if (!first8)
        return first8.takeError();
    auto length = headerLength(reinterpret_cast<const unsigned char*>(first8->data()), *size, prefix);
    if (!length)
        return length.takeError();
    auto header = FileBytes::readRange(path, 8, *length);
    if (!header)
        return header.takeError();
    SafetensorsFile file;
    auto status = parseHeader(*header, *size - 8 - *length, prefix, file.m_entries, file.m_metadata);
    if (!status)
        return status.takeError();
    file.m_sourceName = path;
    file.m_path = path;
    file.m_dataStart = 8 + *length;
    return file;
}

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const
{
    const auto it = std::lower_bound(m_entries.begin(), m_entries.end(), name,
        [](const SafetensorsEntry& e, const std::string& n) { return e.name < n; });
    return it != m_entries.end() && it->name == name ? &*it : nullptr;
}

Expected<Tensor> SafetensorsFile::tensor(const std::string& name) const
{
    const SafetensorsEntry* entry = find(name);
    Tensor tensor;
    tensor.name = name;
    if (entry) {
        tensor.shape = entry->shape;
        tensor.data.resize(static_cast<size_t>(elementCount(*entry)));
    }
    if (auto st = readInto(name, tensor.data.data()); !st)
        return st.takeError();
    return tensor;
}

uint64_t SafetensorsFile::elementCount(const SafetensorsEntry& entry)
{
    const uint64_t size = dtypeSupported(entry.dtype) ? dtypeSize(entry.dtype) : 1;
    return (entry.end - entry.begin) / size; // validated when the header was parsed
}

Status SafetensorsFile::readInto(const std::string& name, float* out, std::string* keepBytes) const
{
    const std::string prefix = m_sourceName + ": ";
    const SafetensorsEntry* entry = find(name);
    if (!entry)
        return makeError(prefix + "no tensor named '" + name + "' (the file has "
            + std::to_string(m_entries.size()) + (m_entries.size() == 1 ? " tensor)" : " tensors)"));
    const std::string tensorText = "tensor '" + name + "'";
    if (!dtypeSupported(entry->dtype))
        return makeError(prefix + tensorText + " has dtype " + entry->dtype
            + ", which is not supported (F32, F16, BF16 or F64 only)");

    const uint64_t length = entry->end - entry->begin;
    const auto count = static_cast<size_t>(elementCount(*entry));

    std::string fromDisk;
    const unsigned char* bytes = nullptr;
    if (m_path.empty()) {
        if (m_dataStart + entry->end > m_bytes.size())
            return makeError(prefix + tensorText + " lies outside the data");
        bytes = reinterpret_cast<const unsigned char*>(m_bytes.data() + m_dataStart + entry->begin);
    } else {
        auto read = FileBytes::readRange(m_path, m_dataStart + entry->begin, length);
        if (!read)
            return makeError(prefix + "cannot read " + tensorText + ": " + read.error());
        fromDisk = std::move(*read);
        bytes = reinterpret_cast<const unsigned char*>(fromDisk.data());
    }

    if (entry->dtype != "F64") {
        convertStored(entry->dtype, bytes, count, out);
    } else {
        for (size_t i = 0; i < count; ++i) {
            const double d = std::bit_cast<double>(readLe(bytes + 8 * i, 8));
            const float f = static_cast<float>(d);
            if (std::isinf(f) && std::isfinite(d))
                return makeError(prefix + tensorText + ": element " + std::to_string(i) + " ("
                    + NumberText::nineDigits(d) + ") is outside the float32 range");
            out[i] = f;
        }
    }
    if (keepBytes)
        *keepBytes = m_path.empty() ? std::string(reinterpret_cast<const char*>(bytes), length) : std::move(fromDisk);
    return success();
}

void SafetensorsFile::convertStored(const std::string& dtype, const unsigned char* bytes, size_t count, float* out)
{
    // One loop per dtype (the files are little-endian, as is every machine this builds for).
    static_assert(std::endian::native == std::endian::little);
    if (count == 0)
        return;
    if (dtype == "F32") {
        std::memcpy(out, bytes, count * sizeof(float));
    } else if (dtype == "F16") {
        for (size_t i = 0; i < count; ++i) {
            uint16_t h;
            std::memcpy(&h, bytes + 2 * i, 2);
            out[i] = halfToFloat(h);
        }
    } else if (dtype == "BF16") {
        if (reinterpret_cast<uintptr_t>(bytes) % alignof(uint16_t) == 0) {
            const auto* halves = reinterpret_cast<const uint16_t*>(bytes); // vectorised: widen and shift
            for (size_t i = 0; i < count; ++i)
                out[i] = std::bit_cast<float>(static_cast<uint32_t>(halves[i]) << 16);
        } else {
            for (size_t i = 0; i < count; ++i) {
                uint16_t h;
                std::memcpy(&h, bytes + 2 * i, 2);
                out[i] = bfloat16ToFloat(h);
            }
        }
    }
}

std::string SafetensorsFile::serialize(const std::vector<Tensor>& tensors)
{
    std::vector<size_t> order(tensors.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(
        order.begin(), order.end(), [&](size_t a, size_t b) { return tensors[a].name < tensors[b].name; });

    json header = json::object();
    uint64_t offset = 0;
    for (size_t i : order) {
        const Tensor& t = tensors[i];
        const uint64_t bytes = uint64_t { t.data.size() } * 4;
        header[t.name]
            = { { "dtype", "F32" }, { "shape", t.shape }, { "data_offsets", { offset, offset + bytes } } };
        offset += bytes;
    }
    std::string text = header.dump(-1, ' ', false, json::error_handler_t::replace);
    text.append((8 - text.size() % 8) % 8, ' '); // keep the data 8-byte aligned, as the reference writer does

    std::string out;
    out.reserve(8 + text.size() + static_cast<size_t>(offset));
    appendLe(out, text.size(), 8);
    out += text;
    for (size_t i : order)
        for (float v : tensors[i].data)
            appendLe(out, std::bit_cast<uint32_t>(v), 4);
    return out;
}

} // namespace attn
