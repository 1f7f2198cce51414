#include "FileBytes.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>

namespace attn {

namespace {

namespace fs = std::filesystem;

std::string quoted(const std::string& path)
{
    return "'" + path + "'";
}

// "no such file or directory" style text for an error code, first letter lower-case.
std::string reasonText(const std::error_code& ec)
{
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory)
        return "no such file";
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)
        return "permission denied";
    std::string text = ec.message();
    if (!text.empty())
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

// Binary units (1 KB = 1024 bytes), as file managers show them: "3.0 GB", "17 bytes".
// A round limit reads better without the decimal ("512 MB"): wholeIfExact.
std::string humanBytes(uint64_t n, bool wholeIfExact = false)
{
    static const char* const units[] = { "KB", "MB", "GB", "TB", "PB", "EB" };
    if (n < 1024)
        return std::to_string(n) + (n == 1 ? " byte" : " bytes");
    int unit = 0;
    uint64_t scale = 1024;
    while (unit + 1 < 6 && n / scale >= 1024) {
        scale *= 1024;
        ++unit;
    }
    char buffer[64];
    if (wholeIfExact && n % scale == 0)
        std::snprintf(
            buffer, sizeof buffer, "%llu %s", static_cast<unsigned long long>(n / scale), units[unit]);
    else
        std::snprintf(buffer, sizeof buffer, "%.1f %s", static_cast<double>(n) / static_cast<double>(scale),
            units[unit]);
    return buffer;
}

// Checks that `path` names a readable regular file and returns its size.
Expected<uint64_t> regularFileSize(const std::string& path)
{
    if (path.empty())
        return makeError("cannot open '': no file name given");
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        if (!ec)
            ec = std::make_error_code(std::errc::no_such_file_or_directory);
        return makeError("cannot open " + quoted(path) + ": " + reasonText(ec));
    }
    if (fs::is_directory(status))
        return makeError(quoted(path) + " is a directory, not a file");
    if (!fs::is_regular_file(status))
        return makeError(quoted(path) + " is not a regular file");
    const uintmax_t size = fs::file_size(path, ec);
    if (ec)
        return makeError("cannot read the size of " + quoted(path) + ": " + reasonText(ec));
    return static_cast<uint64_t>(size);
}

Expected<std::string> readAt(const std::string& path, uint64_t offset, uint64_t length)
{
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        std::error_code ec = err ? std::error_code(err, std::generic_category())
                                 : std::make_error_code(std::errc::permission_denied);
        return makeError("cannot open " + quoted(path) + ": " + reasonText(ec));
    }
    if (offset > 0) {
        in.seekg(static_cast<std::streamoff>(offset), std::ios::beg);
        if (!in)
            return makeError("cannot seek to byte " + std::to_string(offset) + " of " + quoted(path));
    }
    std::string bytes;
    bytes.resize(static_cast<size_t>(length));
    if (length > 0) {
        in.read(bytes.data(), static_cast<std::streamsize>(length));
        const uint64_t got = static_cast<uint64_t>(in.gcount());
        if (got != length)
            return makeError("cannot read " + quoted(path) + ": expected " + std::to_string(length)
                + " bytes at offset " + std::to_string(offset) + ", got " + std::to_string(got)
                + " (was the file changed while it was read?)");
    }
    return bytes;
}

} // namespace

Expected<uint64_t> FileBytes::size(const std::string& path)
{
    return regularFileSize(path);
}

Expected<std::string> FileBytes::read(const std::string& path, uint64_t maxBytes)
{
    auto size = regularFileSize(path);
    if (!size)
        return size.takeError();
    if (*size > maxBytes) {
        // Close to the limit the rounded sizes would read the same, so give exact byte counts.
        if (*size - maxBytes < maxBytes / 20 + 1)
            return makeError(quoted(path) + " is " + std::to_string(*size) + " bytes, larger than the "
                + std::to_string(maxBytes) + " bytes (" + humanBytes(maxBytes, true)
                + ") this input accepts");
        return makeError(quoted(path) + " is " + humanBytes(*size) + ", larger than the "
            + humanBytes(maxBytes, true) + " this input accepts");
    }
    if (*size > static_cast<uint64_t>(std::numeric_limits<std::streamsize>::max())
        || *size > static_cast<uint64_t>(std::string().max_size()))
        return makeError(quoted(path) + " is too large to read (" + humanBytes(*size) + ")");
    return readAt(path, 0, *size);
}

Expected<std::string> FileBytes::readRange(const std::string& path, uint64_t offset, uint64_t length)
{
    auto size = regularFileSize(path);
    if (!size)
        return size.takeError();
    if (offset > *size || length > *size - offset)
        return makeError(quoted(path) + " is " + std::to_string(*size) + " bytes, too short to read "
            + std::to_string(length) + " bytes at offset " + std::to_string(offset));
    if (length > static_cast<uint64_t>(std::numeric_limits<std::streamsize>::max())
        || length > static_cast<uint64_t>(std::string().max_size()))
        return makeError("cannot read " + std::to_string(length) + " bytes of " + quoted(path) + " at once");
    return readAt(path, offset, length);
}

} // namespace attn
