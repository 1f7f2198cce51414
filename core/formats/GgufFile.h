#pragma once
// The GGUF format of llama.cpp (versions 2 and 3; little-endian): "GGUF", version, tensor count,
// metadata count, the metadata (key, type, value; arrays of any type, nested), the tensor infos
// (name, dims with the fastest-varying first, ggml type, offset), padding to `general.alignment`
// (32 unless set), then the tensor data. The file is mapped, not read (MappedFile); open() parses
// and validates everything before it trusts it: every count, string length and array length against
// the bytes left in the file and the metadata against a memory cap, the alignment, every tensor's
// rank, dims, type, block multiple, alignment and extent, duplicates and overlaps. A message names
// the file and the field: "m.gguf: tensor 3 ('blk.0.attn_q.weight'): its data (offset 4096, 8192
// bytes) runs past the end of the file". Tensor types other than GgmlTypeInfo::supported are
// refused by name.
#include "Expected.h"
#include "GgmlType.h"
#include "GgufValue.h"
#include "MappedFile.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attn {

struct GgufTensorInfo {
    std::string name;
    std::vector<uint64_t> dims; // ne[0] first: a [rows, cols] matrix has dims {cols, rows}
    GgmlType type = GgmlType::F32;
    uint64_t offset = 0; // from the start of the data section
    uint64_t bytes = 0;
    uint64_t elements = 0;
    uint64_t rowLength() const { return dims.empty() ? 0 : dims[0]; }
    uint64_t rows() const { return dims.empty() ? 0 : elements / dims[0]; }
};

struct GgufMetadataEntry {
    std::string key;
    GgufValue value;
};

class GgufFile {
public:
    static Expected<GgufFile> open(const std::string& path);
    // Parses a whole file held in memory (tests and fuzzing); sourceName prefixes messages.
    static Expected<GgufFile> fromBytes(std::string bytes, const std::string& sourceName);

    uint32_t version() const { return m_version; }
    uint64_t alignment() const { return m_alignment; }
    const std::string& sourceName() const { return m_sourceName; }
    uint64_t fileBytes() const { return m_size; }

    const std::vector<GgufMetadataEntry>& metadata() const { return m_metadata; }
    const GgufValue* find(const std::string& key) const;
    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }
    const GgufTensorInfo* tensor(const std::string& name) const;

    // The stored bytes of a tensor (inside the mapping; valid while this object or a copy lives).
    const uint8_t* tensorData(const GgufTensorInfo& info) const { return m_data + m_dataStart + info.offset; }
    // Rows [first, first + count) of a tensor (a row: dims[0] values) as float32, into out
    // (count * dims[0] floats). An error names the tensor and the first value that is not finite.
    Status dequantizeRows(const GgufTensorInfo& info, uint64_t first, uint64_t count, float* out) const;
    Expected<std::vector<float>> dequantize(const GgufTensorInfo& info) const;

    // Caps for hostile files (tests lower none of them; they are far above any real model).
    static constexpr uint64_t kMaxMetadataBytes = uint64_t { 1 } << 30; // parsed metadata in memory
    static constexpr int kMaxArrayDepth = 4;
    static constexpr uint64_t kMaxKeyBytes = 65535;
    static constexpr uint32_t kMaxDims = 4;
    static constexpr uint64_t kMaxAlignment = uint64_t { 1 } << 20;

private:
    static Expected<GgufFile> parse(GgufFile file);

    std::shared_ptr<const MappedFile> m_mapping;
    std::shared_ptr<const std::string> m_bytes;
    const uint8_t* m_data = nullptr;
    uint64_t m_size = 0;
    std::string m_sourceName;
    uint32_t m_version = 0;
    uint64_t m_alignment = 32;
    uint64_t m_dataStart = 0;
    std::vector<GgufMetadataEntry> m_metadata;
    std::map<std::string, size_t> m_keyIndex;
    std::vector<GgufTensorInfo> m_tensors;
    std::map<std::string, size_t> m_tensorIndex;
};

} // namespace attn
