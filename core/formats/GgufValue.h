#pragma once
// One metadata value of a GGUF file: a scalar of one of GGUF's twelve types, a string, or an array
// (of scalars, of strings, or of arrays). Accessors convert where nothing is lost and return
// nullopt otherwise, so a reader can say "'llama.block_count' must be a whole number".
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attn {

enum class GgufValueType : uint32_t {
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
};

class GgufValue {
public:
    // "uint32", "string", "array of float32", ...
    static std::string typeName(GgufValueType type);
    // The bytes one scalar of `type` takes in a file (0 for strings and arrays).
    static int width(GgufValueType type);
    std::string typeName() const;

    GgufValueType type() const { return m_type; }
    bool isArray() const { return m_type == GgufValueType::Array; }

    // Scalars.
    std::optional<int64_t> asInt() const;   // any integer type whose value fits int64
    std::optional<uint64_t> asUInt() const; // any integer type whose value is >= 0
    std::optional<double> asFloat() const;  // float32, float64 or an integer
    std::optional<bool> asBool() const;
    const std::string* asString() const;

    // Arrays.
    GgufValueType elementType() const { return m_elementType; }
    uint64_t size() const { return m_count; }
    const std::vector<std::string>& strings() const { return m_strings; } // arrays of strings
    const std::vector<GgufValue>& items() const { return m_items; }      // arrays of arrays
    // Element i of an array of numbers (or bools) as an integer / a float; nullopt as for scalars.
    std::optional<int64_t> intAt(uint64_t i) const;
    std::optional<double> floatAt(uint64_t i) const;

    // A short rendering for the Model tab and messages: 42, 1e-05, "llama", [151936 strings].
    std::string display() const;

    // Built by GgufFile while it parses.
    static GgufValue scalar(GgufValueType type, uint64_t bits);
    static GgufValue string(std::string text);
    static GgufValue array(GgufValueType elementType, uint64_t count, std::vector<uint8_t> raw,
        std::vector<std::string> strings, std::vector<GgufValue> items);

private:
    static std::optional<int64_t> intOf(GgufValueType type, uint64_t bits);
    static std::optional<double> floatOf(GgufValueType type, uint64_t bits);
    uint64_t rawAt(uint64_t i) const;

    GgufValueType m_type = GgufValueType::UInt8;
    uint64_t m_bits = 0; // a scalar's bytes, little-endian, zero-extended
    std::string m_string;
    GgufValueType m_elementType = GgufValueType::UInt8;
    uint64_t m_count = 0;
    std::vector<uint8_t> m_raw; // numeric arrays: the elements' bytes as stored
    std::vector<std::string> m_strings;
    std::vector<GgufValue> m_items;
};

} // namespace attn
