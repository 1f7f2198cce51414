#pragma once
// A file mapped read-only into memory (POSIX mmap): large checkpoints (GGUF) are read in place, so
// opening one costs no copy and its pages are shared with the system's file cache. The checks of
// FileBytes apply (a missing file, a folder, an unreadable or empty file each give their own message).
#include "Expected.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace attn {

class MappedFile {
public:
    static Expected<std::shared_ptr<const MappedFile>> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return m_data; }
    uint64_t size() const { return m_size; }
    const std::string& path() const { return m_path; }

private:
    MappedFile() = default;
    const uint8_t* m_data = nullptr;
    uint64_t m_size = 0;
    std::string m_path;
};

} // namespace attn
