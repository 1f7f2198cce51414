#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0).
// Reads float32 / float64 (little- or big-endian), C or Fortran order, any number of dimensions
// (the callers restrict that), converting to float32 row-major. Writes float32, version 1.0, C order.
// Everything in the header is validated: magic, version, header length, the dict's keys, dtype,
// shape, and that the data length matches the shape exactly (no overflow in the product).
#include "Expected.h"
#include "NpyArray.h"

#include <string>

namespace attn {

class NpyFile {
public:
    // sourceName is used in messages ("x.npy: shape (3, 4) needs 48 bytes of data, file has 40").
    static Expected<NpyArray> parse(const std::string& bytes, const std::string& sourceName);
    static Expected<NpyArray> readFile(const std::string& path);
    // Serialises float32 data of the given shape (data.size() must equal the shape's product).
    // The file's header alone (magic, version, dict, padding): followed by the float32 values in
    // little-endian order it is the whole file (serialize = header + data), for writers that
    // stream a large array instead of copying it.
    static std::string header(const std::vector<int64_t>& shape);
    static std::string serialize(const std::vector<int64_t>& shape, const float* data);
};

} // namespace attn
