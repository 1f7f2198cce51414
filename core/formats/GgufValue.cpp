#include "GgufValue.h"

#include "NumberText.h"

#include <bit>
#include <cstring>

namespace attn {

int GgufValue::width(GgufValueType t)
{
    switch (t) {
    case GgufValueType::UInt8:
    case GgufValueType::Int8:
    case GgufValueType::Bool:
        return 1;
    case GgufValueType::UInt16:
    case GgufValueType::Int16:
        return 2;
    case GgufValueType::UInt32:
    case GgufValueType::Int32:
    case GgufValueType::Float32:
        return 4;
    case GgufValueType::UInt64:
    case GgufValueType::Int64:
    case GgufValueType::Float64:
        return 8;
    case GgufValueType::String:
    case GgufValueType::Array:
        return 0;
    }
    return 0;
}

std::string GgufValue::typeName(GgufValueType t)
{
    switch (t) {
    case GgufValueType::UInt8: return "uint8";
    case GgufValueType::Int8: return "int8";
    case GgufValueType::UInt16: return "uint16";
    case GgufValueType::Int16: return "int16";
    case GgufValueType::UInt32: return "uint32";
    case GgufValueType::Int32: return "int32";
    case GgufValueType::Float32: return "float32";
    case GgufValueType::Bool: return "bool";
    case GgufValueType::String: return "string";
    case GgufValueType::Array: return "array";
    case GgufValueType::UInt64: return "uint64";
    case GgufValueType::Int64: return "int64";
    case GgufValueType::Float64: return "float64";
    }
    return "type " + std::to_string(static_cast<uint32_t>(t));
}

std::string GgufValue::typeName() const
{
    if (m_type == GgufValueType::Array)
        return "array of " + typeName(m_elementType);
    return typeName(m_type);
}

GgufValue GgufValue::scalar(GgufValueType type, uint64_t bits)
{
    GgufValue v;
    v.m_type = type;
    v.m_bits = bits;
    return v;
}

GgufValue GgufValue::string(std::string text)
{
    GgufValue v;
    v.m_type = GgufValueType::String;
    v.m_string = std::move(text);
    return v;
}

GgufValue GgufValue::array(GgufValueType elementType, uint64_t count, std::vector<uint8_t> raw,
    std::vector<std::string> strings, std::vector<GgufValue> items)
{
    GgufValue v;
    v.m_type = GgufValueType::Array;
    v.m_elementType = elementType;
    v.m_count = count;
    v.m_raw = std::move(raw);
    v.m_strings = std::move(strings);
    v.m_items = std::move(items);
    return v;
}

std::optional<int64_t> GgufValue::intOf(GgufValueType t, uint64_t b)
{
    switch (t) {
    case GgufValueType::UInt8:
    case GgufValueType::UInt16:
    case GgufValueType::UInt32:
    case GgufValueType::Bool:
        return static_cast<int64_t>(b);
    case GgufValueType::Int8:
        return static_cast<int8_t>(b);
    case GgufValueType::Int16:
        return static_cast<int16_t>(b);
    case GgufValueType::Int32:
        return static_cast<int32_t>(b);
    case GgufValueType::UInt64:
        if (b > static_cast<uint64_t>(INT64_MAX))
            return std::nullopt;
        return static_cast<int64_t>(b);
    case GgufValueType::Int64:
        return static_cast<int64_t>(b);
    default:
        return std::nullopt;
    }
}

std::optional<double> GgufValue::floatOf(GgufValueType t, uint64_t b)
{
    if (t == GgufValueType::Float32)
        return std::bit_cast<float>(static_cast<uint32_t>(b));
    if (t == GgufValueType::Float64)
        return std::bit_cast<double>(b);
    if (t == GgufValueType::UInt64)
        return static_cast<double>(b);
    if (t == GgufValueType::Bool)
        return std::nullopt;
    if (auto i = intOf(t, b))
        return static_cast<double>(*i);
    return std::nullopt;
}

std::optional<int64_t> GgufValue::asInt() const
{
    return m_type == GgufValueType::Bool ? std::nullopt : intOf(m_type, m_bits);
}

std::optional<uint64_t> GgufValue::asUInt() const
{
    if (m_type == GgufValueType::UInt64)
        return m_bits;
    const auto i = asInt();
    if (!i || *i < 0)
        return std::nullopt;
    return static_cast<uint64_t>(*i);
}

std::optional<double> GgufValue::asFloat() const { return floatOf(m_type, m_bits); }

std::optional<bool> GgufValue::asBool() const
{
    if (m_type != GgufValueType::Bool)
        return std::nullopt;
    return m_bits != 0;
}

const std::string* GgufValue::asString() const
{
    return m_type == GgufValueType::String ? &m_string : nullptr;
}

uint64_t GgufValue::rawAt(uint64_t i) const
{
    const int w = width(m_elementType);
    uint64_t bits = 0;
    std::memcpy(&bits, m_raw.data() + i * static_cast<uint64_t>(w), static_cast<size_t>(w));
    return bits;
}

std::optional<int64_t> GgufValue::intAt(uint64_t i) const
{
    if (!isArray() || i >= m_count || width(m_elementType) == 0)
        return std::nullopt; // a bool array's elements are 0 and 1
    return intOf(m_elementType, rawAt(i));
}

std::optional<double> GgufValue::floatAt(uint64_t i) const
{
    if (!isArray() || i >= m_count || width(m_elementType) == 0)
        return std::nullopt;
    return floatOf(m_elementType, rawAt(i));
}

std::string GgufValue::display() const
{
    switch (m_type) {
    case GgufValueType::String: {
        std::string s = m_string.size() > 60 ? m_string.substr(0, 57) + "..." : m_string;
        return "\"" + s + "\"";
    }
    case GgufValueType::Array:
        return "[" + std::to_string(m_count) + " " + typeName(m_elementType) + (m_count == 1 ? "" : "s") + "]";
    case GgufValueType::Bool:
        return m_bits ? "true" : "false";
    case GgufValueType::Float32:
    case GgufValueType::Float64:
        return NumberText::nineDigits(*asFloat());
    case GgufValueType::UInt64:
        return std::to_string(m_bits);
    default:
        return std::to_string(*asInt());
    }
}

} // namespace attn
