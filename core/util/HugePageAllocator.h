#pragma once
// A std::allocator for large buffers (attention maps of long prompts): blocks of 4 MiB and more are
// aligned to 2 MiB and advised as transparent huge pages (madvise MADV_HUGEPAGE), so filling a fresh
// 64 MiB map takes 32 page faults instead of 16 384. On the VMs this project is measured on a 4 KiB
// fault costs ~13 µs: a fresh 64 MiB std::vector took 205-235 ms to zero, 6 ms with huge pages.
// Smaller blocks come from malloc as usual. Where THP is off, the advice is ignored.
// Elements are default-initialised: a std::vector<float, HugePageAllocator<float>>(n) is not zeroed
// (its user writes every element). Zeroing a fresh map first was a serial pass that took each page
// fault on one thread: measured with perf on a 4 096-token prompt, 45 % of the time to show a head
// not seen before was that memset faulting in never-touched memory; now the map's tiles fault their
// own pages, on every thread that computes them.
#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>

#include <sys/mman.h>

namespace attn {

template <class T>
struct HugePageAllocator {
    using value_type = T;
    static constexpr size_t kHugePage = size_t { 2 } << 20;
    static constexpr size_t kThreshold = size_t { 4 } << 20;

    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept
    {
    }

    T* allocate(size_t n)
    {
        if (n > static_cast<size_t>(-1) / sizeof(T))
            throw std::bad_array_new_length();
        const size_t bytes = n * sizeof(T);
        void* p = nullptr;
        if (bytes >= kThreshold) {
            p = std::aligned_alloc(kHugePage, (bytes + kHugePage - 1) / kHugePage * kHugePage);
            if (p)
                madvise(p, bytes, MADV_HUGEPAGE);
        } else {
            p = std::malloc(bytes);
        }
        if (!p)
            throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, size_t) noexcept { std::free(p); }

    // Default-initialisation (no zeroing) where a container value-initialises; otherwise as usual.
    template <class U>
    void construct(U* p) noexcept(noexcept(::new (static_cast<void*>(p)) U))
    {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args)
    {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }

    template <class U>
    bool operator==(const HugePageAllocator<U>&) const noexcept
    {
        return true;
    }
};

} // namespace attn
