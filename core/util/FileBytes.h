#pragma once
// Reading whole files with the checks a user-facing tool needs: a missing file, a directory,
// an unreadable file or one larger than the caller accepts each give their own message.
#include "Expected.h"

#include <cstdint>
#include <string>

namespace attn {

class FileBytes {
public:
    // Reads the whole file. maxBytes guards against a huge or hostile file being slurped.
    static Expected<std::string> read(const std::string& path, uint64_t maxBytes);
    // Reads `length` bytes at `offset`; an error if the file is shorter than that.
    static Expected<std::string> readRange(const std::string& path, uint64_t offset, uint64_t length);
    // Size in bytes, or an error naming why it cannot be had.
    static Expected<uint64_t> size(const std::string& path);
};

} // namespace attn
