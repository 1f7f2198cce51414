#include "NpyFile.h"

#include "FileBytes.h"
#include "NumberText.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <string_view>
#include <tuple>

namespace attn {

namespace {

constexpr uint64_t kMaxNpyFileBytes = uint64_t { 2 } << 30; // 2 GiB
constexpr int kMaxNesting = 32;
constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

// numpy's spelling of a shape: "()", "(3,)", "(2, 3)".
std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string text = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += std::to_string(shape[i]);
    }
    if (shape.size() == 1)
        text += ",";
    return text + ")";
}

// A short printable rendering of header text for messages.
std::string excerpt(std::string_view text, size_t maxChars = 120)
{
    std::string out;
    for (size_t i = 0; i < text.size() && out.size() < maxChars; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n')
            out += "\\n";
        else if (c < 0x20 || c >= 0x7f)
            out += '?';
        else
            out += static_cast<char>(c);
    }
    if (out.size() >= maxChars)
        out += "...";
    return out;
}

// ---- a small parser for the Python dict literal in the header ------------------------------

struct PyValue {
    enum class Kind { String, Bool, None, Int, Float, Tuple, List, Dict };
    Kind kind = Kind::None;
    std::string text; // String; the raw token for Int/Float
    bool boolean = false; // Bool
    int64_t integer = 0; // Int
    bool overflow = false; // Int too large for int64
    bool intsOnly = true; // Tuple/List: every element is an Int that fits int64
    std::vector<int64_t> ints; // Tuple/List elements when intsOnly

    const char* kindName() const
    {
        switch (kind) {
        case Kind::String:
            return "a string";
        case Kind::Bool:
            return "a boolean";
        case Kind::None:
            return "None";
        case Kind::Int:
            return "an integer";
        case Kind::Float:
            return "a float";
        case Kind::Tuple:
            return "a tuple";
        case Kind::List:
            return "a list";
        case Kind::Dict:
            return "a dict";
        }
        return "a value";
    }
};

class DictParser {
public:
    explicit DictParser(std::string_view text)
        : m_s(text)
    {
    }

    bool parse(std::map<std::string, PyValue>& out)
    {
        skipSpace();
        if (!consume('{'))
            return fail("expected '{'");
        skipSpace();
        while (!consume('}')) {
            std::string key;
            if (peek() != '\'' && peek() != '"')
                return fail("expected a quoted key or '}'");
            if (!parseString(key))
                return false;
            skipSpace();
            if (!consume(':'))
                return fail("expected ':' after key '" + key + "'");
            skipSpace();
            PyValue value;
            if (!parseValue(value, 1))
                return false;
            if (out.count(key))
                return fail("key '" + key + "' appears twice");
            out.emplace(std::move(key), std::move(value));
            skipSpace();
            if (consume(','))
                skipSpace();
            else if (peek() != '}')
                return fail("expected ',' or '}'");
        }
        skipSpace();
        if (m_pos != m_s.size())
            return fail("unexpected text after the closing '}'");
        return true;
    }

    const std::string& error() const { return m_error; }

private:
    char peek() const { return m_pos < m_s.size() ? m_s[m_pos] : '\0'; }
    bool atEnd() const { return m_pos >= m_s.size(); }
    bool consume(char c)
    {
        if (!atEnd() && m_s[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    void skipSpace()
    {
        while (
            !atEnd() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool fail(const std::string& message)
    {
        if (m_error.empty())
            m_error = message + " at character " + std::to_string(m_pos + 1);
        return false;
    }

    bool parseString(std::string& out)
    {
        const char quote = peek();
        ++m_pos;
        while (!atEnd() && m_s[m_pos] != quote) {
            if (m_s[m_pos] == '\\') {
                ++m_pos;
                if (atEnd())
                    break;
            }
            out += m_s[m_pos++];
        }
        if (!consume(quote))
            return fail("unterminated string");
        return true;
    }

    bool parseNumber(PyValue& value)
    {
        const size_t start = m_pos;
        if (peek() == '-' || peek() == '+')
            ++m_pos;
        bool isFloat = false;
        while (!atEnd()) {
            const char c = m_s[m_pos];
            if (c >= '0' && c <= '9') {
                ++m_pos;
            } else if (c == '.' || c == 'e' || c == 'E'
                || ((c == '-' || c == '+') && (m_s[m_pos - 1] == 'e' || m_s[m_pos - 1] == 'E'))) {
                isFloat = true;
                ++m_pos;
            } else {
                break;
            }
        }
        value.text = std::string(m_s.substr(start, m_pos - start));
        if (!isFloat && (peek() == 'L' || peek() == 'l')) // Python 2 long, as old numpy wrote shapes
            ++m_pos;
        const std::string_view digits
            = std::string_view(value.text).substr(value.text[0] == '-' || value.text[0] == '+' ? 1 : 0);
        if (digits.empty())
            return fail("expected a number");
        if (isFloat) {
            value.kind = PyValue::Kind::Float;
            return true;
        }
        value.kind = PyValue::Kind::Int;
        const bool negative = value.text[0] == '-';
        uint64_t magnitude = 0;
        for (char c : digits) {
            const uint64_t digit = static_cast<uint64_t>(c - '0');
            if (magnitude > (uint64_t { 1 } << 63) / 10 || magnitude * 10 > (uint64_t { 1 } << 63) - digit) {
                value.overflow = true;
                return true;
            }
            magnitude = magnitude * 10 + digit;
        }
        if (!negative && magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            value.overflow = true;
            return true;
        }
        value.integer = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
        return true;
    }

    bool parseSequence(PyValue& value, char close, int depth)
    {
        skipSpace();
        while (!consume(close)) {
            PyValue element;
            if (!parseValue(element, depth + 1))
                return false;
            if (element.kind == PyValue::Kind::Int && !element.overflow)
                value.ints.push_back(element.integer);
            else
                value.intsOnly = false;
            skipSpace();
            if (consume(','))
                skipSpace();
            else if (peek() != close)
                return fail(std::string("expected ',' or '") + close + "'");
        }
        if (!value.intsOnly)
            value.ints.clear();
        return true;
    }

    bool parseValue(PyValue& value, int depth)
    {
        if (depth > kMaxNesting)
            return fail("values nested too deeply");
        const char c = peek();
        if (c == '\'' || c == '"') {
            value.kind = PyValue::Kind::String;
            return parseString(value.text);
        }
        if ((c == 'u' || c == 'b') && m_pos + 1 < m_s.size()
            && (m_s[m_pos + 1] == '\'' || m_s[m_pos + 1] == '"')) {
            ++m_pos; // u'...' or b'...' prefix
            value.kind = PyValue::Kind::String;
            return parseString(value.text);
        }
        if (c == '(' || c == '[') {
            ++m_pos;
            value.kind = c == '(' ? PyValue::Kind::Tuple : PyValue::Kind::List;
            return parseSequence(value, c == '(' ? ')' : ']', depth);
        }
        if (c == '{') {
            ++m_pos;
            value.kind = PyValue::Kind::Dict;
            skipSpace();
            while (!consume('}')) {
                PyValue key, element;
                if (!parseValue(key, depth + 1))
                    return false;
                skipSpace();
                if (!consume(':'))
                    return fail("expected ':' in a nested dict");
                skipSpace();
                if (!parseValue(element, depth + 1))
                    return false;
                skipSpace();
                if (consume(','))
                    skipSpace();
                else if (peek() != '}')
                    return fail("expected ',' or '}' in a nested dict");
            }
            return true;
        }
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')
            return parseNumber(value);
        if (atEnd())
            return fail("unexpected end of the header");
        const std::string_view rest = m_s.substr(m_pos);
        for (const auto& [word, kind, flag] : { std::tuple { "True", PyValue::Kind::Bool, true },
                 std::tuple { "False", PyValue::Kind::Bool, false },
                 std::tuple { "None", PyValue::Kind::None, false } }) {
            const std::string_view w(word);
            if (rest.substr(0, w.size()) == w) {
                m_pos += w.size();
                value.kind = kind;
                value.boolean = flag;
                return true;
            }
        }
        return fail("unexpected character '" + excerpt(m_s.substr(m_pos, 1)) + "'");
    }

    std::string_view m_s;
    size_t m_pos = 0;
    std::string m_error;
};

uint32_t readLe32(const unsigned char* p)
{
    return uint32_t { p[0] } | (uint32_t { p[1] } << 8) | (uint32_t { p[2] } << 16)
        | (uint32_t { p[3] } << 24);
}

void appendLe32(std::string& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

} // namespace

Expected<NpyArray> NpyFile::parse(const std::string& bytes, const std::string& sourceName)
{
    const std::string prefix = sourceName + ": ";
    const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());

    if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
        return makeError(prefix + "not a .npy file (it does not start with the magic bytes \\x93NUMPY)");
    if (bytes.size() < 10)
        return makeError(prefix + "the file is only " + std::to_string(bytes.size())
            + " bytes, too short for a .npy header");
    const int major = u[6], minor = u[7];
    size_t headerStart = 0;
    uint64_t headerLength = 0;
    if (major == 1 && minor == 0) {
        headerStart = 10;
        headerLength = uint64_t { u[8] } | (uint64_t { u[9] } << 8);
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (bytes.size() < 12)
            return makeError(prefix + "the file is only " + std::to_string(bytes.size())
                + " bytes, too short for a .npy version " + std::to_string(major) + ".0 header");
        headerStart = 12;
        headerLength = readLe32(u + 8);
    } else {
        return makeError(prefix + "unsupported .npy format version " + std::to_string(major) + "."
            + std::to_string(minor) + " (1.0, 2.0 and 3.0 are supported)");
    }
    if (headerLength > bytes.size() - headerStart)
        return makeError(prefix + "the header length " + std::to_string(headerLength)
            + " runs past the end of the file (" + std::to_string(bytes.size()) + " bytes)");

    const std::string_view header(bytes.data() + headerStart, static_cast<size_t>(headerLength));
    std::map<std::string, PyValue> dict;
    DictParser parser(header);
    if (!parser.parse(dict))
        return makeError(prefix + "malformed header: " + parser.error() + " in \"" + excerpt(header) + "\"");

    // descr
    const auto descrIt = dict.find("descr");
    if (descrIt == dict.end())
        return makeError(prefix + "the header has no 'descr' key (the dtype)");
    if (descrIt->second.kind != PyValue::Kind::String)
        return makeError(prefix + "structured dtype (descr is " + descrIt->second.kindName()
            + ") is not supported (float32 or float64 only)");
    const std::string& descr = descrIt->second.text;
    std::string_view type(descr);
    bool bigEndian = std::endian::native == std::endian::big;
    if (!type.empty() && (type[0] == '<' || type[0] == '>' || type[0] == '=' || type[0] == '|')) {
        if (type[0] == '<')
            bigEndian = false;
        else if (type[0] == '>')
            bigEndian = true;
        type.remove_prefix(1);
    }
    size_t itemSize = 0;
    if (type == "f4")
        itemSize = 4;
    else if (type == "f8")
        itemSize = 8;
    else
        return makeError(
            prefix + "dtype '" + excerpt(descr, 40) + "' is not supported (float32 or float64 only)");

    // fortran_order
    const auto fortranIt = dict.find("fortran_order");
    if (fortranIt == dict.end())
        return makeError(prefix + "the header has no 'fortran_order' key");
    if (fortranIt->second.kind != PyValue::Kind::Bool)
        return makeError(
            prefix + "'fortran_order' must be True or False, not " + fortranIt->second.kindName());
    const bool fortran = fortranIt->second.boolean;

    // shape
    const auto shapeIt = dict.find("shape");
    if (shapeIt == dict.end())
        return makeError(prefix + "the header has no 'shape' key");
    const PyValue& shapeValue = shapeIt->second;
    if (shapeValue.kind != PyValue::Kind::Tuple && shapeValue.kind != PyValue::Kind::List)
        return makeError(prefix + "'shape' must be a tuple of integers, not " + shapeValue.kindName());
    if (!shapeValue.intsOnly)
        return makeError(prefix + "'shape' must be a tuple of non-negative integers that fit in 64 bits");
    const std::vector<int64_t>& shape = shapeValue.ints;
    uint64_t count = 1;
    bool anyZero = false;
    for (int64_t dim : shape) {
        if (dim < 0)
            return makeError(
                prefix + "negative dimension " + std::to_string(dim) + " in shape " + shapeText(shape));
        anyZero = anyZero || dim == 0;
    }
    if (anyZero) {
        count = 0;
    } else {
        for (int64_t dim : shape) {
            if (count
                > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / static_cast<uint64_t>(dim))
                return makeError(
                    prefix + "shape " + shapeText(shape) + " has too many elements (the product overflows)");
            count *= static_cast<uint64_t>(dim);
        }
    }
    if (count > std::numeric_limits<uint64_t>::max() / itemSize)
        return makeError(
            prefix + "shape " + shapeText(shape) + " has too many elements (the product overflows)");
    const uint64_t needed = count * itemSize;
    const uint64_t dataStart = headerStart + headerLength;
    const uint64_t available = bytes.size() - dataStart;
    if (needed != available) {
        std::string message = prefix + "shape " + shapeText(shape) + " needs " + std::to_string(needed)
            + " bytes of data, file has " + std::to_string(available) + " ("
            + (itemSize == 4 ? "float32" : "float64") + "; ";
        message += available < needed ? "the data is truncated)"
                                      : std::to_string(available - needed) + " extra bytes at the end)";
        return makeError(message);
    }

    // Convert to float32 in file order (safe: count * itemSize == bytes available).
    const bool swap = bigEndian != (std::endian::native == std::endian::big);
    std::vector<float> values(static_cast<size_t>(count));
    const unsigned char* data = u + dataStart;
    for (size_t i = 0; i < values.size(); ++i) {
        unsigned char item[8];
        std::memcpy(item, data + i * itemSize, itemSize);
        if (swap)
            for (size_t a = 0, b = itemSize - 1; a < b; ++a, --b)
                std::swap(item[a], item[b]);
        if (itemSize == 4) {
            std::memcpy(&values[i], item, 4);
        } else {
            double d;
            std::memcpy(&d, item, 8);
            const float f = static_cast<float>(d);
            if (std::isinf(f) && std::isfinite(d))
                return makeError(prefix + "element " + std::to_string(i) + " (" + NumberText::nineDigits(d)
                    + ") is outside the float32 range");
            values[i] = f;
        }
    }

    NpyArray array;
    array.shape = shape;
    if (fortran && shape.size() >= 2 && count > 0) {
        // Column-major in the file: the first index varies fastest. Reorder to row-major.
        const size_t rank = shape.size();
        std::vector<uint64_t> stride(rank), index(rank, 0);
        stride[0] = 1;
        for (size_t k = 1; k < rank; ++k)
            stride[k] = stride[k - 1] * static_cast<uint64_t>(shape[k - 1]);
        array.data.resize(values.size());
        uint64_t offset = 0;
        for (size_t c = 0; c < values.size(); ++c) {
            array.data[c] = values[static_cast<size_t>(offset)];
            for (size_t k = rank; k-- > 0;) {
                ++index[k];
                offset += stride[k];
                if (index[k] < static_cast<uint64_t>(shape[k]))
                    break;
                offset -= stride[k] * index[k];
                index[k] = 0;
            }
        }
    } else {
        array.data = std::move(values);
    }
    return array;
}

Expected<NpyArray> NpyFile::readFile(const std::string& path)
{
    auto bytes = FileBytes::read(path, kMaxNpyFileBytes);
    if (!bytes)
        return bytes.takeError();
    return parse(*bytes, path);
}

std::string NpyFile::header(const std::vector<int64_t>& shape)
{
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
    // Version 1.0 has a 2-byte header length; a shape with thousands of dimensions needs 2.0.
    const bool v2 = header.size() + 1 + 64 > 65535;
    const size_t prefixSize = v2 ? 12 : 10;
    const size_t unpadded = prefixSize + header.size() + 1; // + '\n'
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';

    std::string out;
    out.append(kMagic, kMagicSize);
    out += static_cast<char>(v2 ? 2 : 1);
    out += '\0';
    if (v2) {
        appendLe32(out, static_cast<uint32_t>(header.size()));
    } else {
        out += static_cast<char>(header.size() & 0xff);
        out += static_cast<char>((header.size() >> 8) & 0xff);
    }
    out += header;
    return out;
}

std::string NpyFile::serialize(const std::vector<int64_t>& shape, const float* data)
{
    uint64_t count = 1;
    for (int64_t dim : shape)
        count *= dim > 0 ? static_cast<uint64_t>(dim) : 0;
    std::string out = header(shape);
    out.reserve(out.size() + static_cast<size_t>(count) * 4);
    for (uint64_t i = 0; i < count; ++i)
        appendLe32(out, std::bit_cast<uint32_t>(data[i]));
    return out;
}

} // namespace attn
