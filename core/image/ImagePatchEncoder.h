#pragma once
// ViT-style encoding of a picture: one vector per P x P patch (ImageGrid: row-major cells "r,c",
// top-left crop or clamp-to-edge pad, pixels scaled to [0, 1] as byte / 255).
//
// Patch vector: with k = patchPixels (0 means k = P; k must divide P), the patch is first
// average-pooled to k x k pixels, each the mean of an s x s block (s = P / k). The vector lists
// the k x k pooled pixels row by row, each as R, G, B:
//   x[(py * k + px) * 3 + ch] = mean over the block of byte / 255,   d = 3 k^2.
//
// 2-D sinusoidal position (ImageOptions::positions): the first dr = floor(d / 2) components get
// the row's 1-D sinusoid, the other dc = d - dr the column's, exactly as TextEmbedder's:
//   PE_row(r, i) = s_r * sin(r / 10000^(2 floor(i/2) / dr)) for even i, cos(...) for odd i,  s_r = sqrt(2 /
//   sqrt(dr)) PE_col(c, i) likewise with c, dc and s_c = sqrt(2 / sqrt(dc)),
// and x += [PE_row(r, .), PE_col(c, .)]. Its squared norm (sqrt(dr) + sqrt(dc)) stays small next
// to the pixels' (about d / 3), so position only tells apart patches that look alike.
//
// Validation: ImageGrid's, plus k outside [1, P] or not a divisor of P, and d > kMaxDim.
#include "AttentionInput.h"
#include "Expected.h"
#include "ImageBuffer.h"
#include "ImageOptions.h"

namespace attn {

class ImagePatchEncoder {
public:
    static constexpr int kMaxDim = 16384;

    // keys [rows * cols, d], labels "r,c", grid shape set (spatialMap left empty).
    static Expected<AttentionInput> encode(const ImageBuffer& image, const ImageOptions& options);
    // [rows * cols, dim]: row r's sinusoid in the first dim / 2 columns, column c's in the rest.
    static Matrix positions(int rows, int cols, int dim);
};

} // namespace attn
