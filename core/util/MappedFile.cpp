#include "MappedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attn {

Expected<std::shared_ptr<const MappedFile>> MappedFile::open(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT)
            return makeError("cannot open '" + path + "': no such file");
        return makeError("cannot open '" + path + "': " + std::strerror(e));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        return makeError("cannot read '" + path + "': " + std::strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return makeError("'" + path + "' is a folder, not a file");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError("'" + path + "' is not a regular file");
    }
    if (st.st_size == 0) {
        ::close(fd);
        return makeError("'" + path + "' is empty");
    }
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    const int e = errno;
    ::close(fd); // the mapping stays valid
    if (p == MAP_FAILED)
        return makeError("cannot map '" + path + "' into memory: " + std::strerror(e));
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_data = static_cast<const uint8_t*>(p);
    file->m_size = static_cast<uint64_t>(st.st_size);
    file->m_path = path;
    return std::shared_ptr<const MappedFile>(std::move(file));
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<uint8_t*>(m_data), static_cast<size_t>(m_size));
}

} // namespace attn
