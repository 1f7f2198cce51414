#pragma once
// The safetensors format (8-byte little-endian header length, a JSON header, then the tensor bytes).
// open() reads and validates the header only; tensor() reads one tensor's bytes on demand,
// so a large checkpoint is never slurped whole. Every offset, shape and dtype is validated
// before it is trusted: a hostile file gives an error, never a crash or a huge allocation.
#include "Expected.h"
#include "Tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attn {

struct SafetensorsEntry {
    std::string name;
    std::string dtype; // "F32", "F16", "BF16", "F64", ...
    std::vector<int64_t> shape;
    uint64_t begin = 0; // offsets relative to the start of the data section
    uint64_t end = 0;
};

class SafetensorsFile {
public:
    static Expected<SafetensorsFile> open(const std::string& path);
    // Parses a complete file held in memory (for tests and fuzzing).
    static Expected<SafetensorsFile> fromBytes(std::string bytes, const std::string& sourceName);

    const std::vector<SafetensorsEntry>& entries() const { return m_entries; }
    const SafetensorsEntry* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    // Reads one tensor, converting F32/F16/BF16/F64 to float32. Errors name the file and tensor.
    Expected<Tensor> tensor(const std::string& name) const;
    // The same into `out` (elementCount(entry) floats), without a Tensor in between; keepBytes (may be
    // null) receives the tensor's bytes as stored, for convertStored() later.
    Status readInto(const std::string& name, float* out, std::string* keepBytes = nullptr) const;
    // F32 / F16 / BF16 bytes as stored (little-endian) to float32.
    static void convertStored(const std::string& dtype, const unsigned char* bytes, size_t count, float* out);
    static uint64_t elementCount(const SafetensorsEntry& entry);

    // Writes F32 tensors (name, shape, data) as a safetensors file image, header keys sorted.
    static std::string serialize(const std::vector<Tensor>& tensors);

private:
    std::string m_sourceName;
    std::string m_path;     // empty when parsed from memory
    std::string m_bytes;    // the whole file when parsed from memory
    uint64_t m_dataStart = 0;
    std::vector<SafetensorsEntry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

} // namespace attn
