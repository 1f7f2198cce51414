#include "ImagePatchEncoder.h"

#include "ImageGrid.h"
#include "SinusoidalPositions.h"

#include <sstream>

namespace attn {

Matrix ImagePatchEncoder::positions(int rows, int cols, int dim)
{
    const int dr = dim / 2, dc = dim - dr;
    const Matrix pr = sinusoidalPositions(rows, dr);
    const Matrix pc = sinusoidalPositions(cols, dc);
    Matrix pe(static_cast<Eigen::Index>(rows) * cols, dim);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const Eigen::Index cell = static_cast<Eigen::Index>(r) * cols + c;
            pe.row(cell).head(dr) = pr.row(r);
            pe.row(cell).tail(dc) = pc.row(c);
        }
    return pe;
}

Expected<AttentionInput> ImagePatchEncoder::encode(const ImageBuffer& image, const ImageOptions& options)
{
    auto grid = ImageGrid::create(image, options.patch, options.fit);
    if (!grid)
        return grid.takeError();
    const int p = grid->patch();
    const int k = options.patchPixels == 0 ? p : options.patchPixels;
    if (k < 1 || k > p || p % k != 0) {
        std::ostringstream msg;
        msg << "patch pixels k = " << options.patchPixels << " must divide the patch size P = " << p
            << " (1 <= k <= P; 0 keeps all P x P pixels)";
        return makeError(msg.str());
    }
    const int64_t dim = 3LL * k * k;
    if (dim > kMaxDim) {
        std::ostringstream msg;
        msg << "each patch vector would have " << dim << " components (" << k << " x " << k
            << " pixels x 3 colours), more than " << kMaxDim << ": set patch pixels k to pool each patch";
        return makeError(msg.str());
    }
    const int s = p / k;
    const double divisor = 255.0 * s * s;

    AttentionInput in;
    in.gridRows = grid->rows();
    in.gridCols = grid->cols();
    in.gridPatch = p;
    in.gridWidth = grid->width();
    in.gridHeight = grid->height();
    in.keys.resize(grid->cells(), static_cast<Eigen::Index>(dim));
    in.keyLabels.reserve(static_cast<size_t>(grid->cells()));
    for (int r = 0; r < grid->rows(); ++r)
        for (int c = 0; c < grid->cols(); ++c) {
            const Eigen::Index cell = static_cast<Eigen::Index>(r) * grid->cols() + c;
            in.keyLabels.push_back(ImageGrid::label(r, c));
            for (int py = 0; py < k; ++py)
                for (int px = 0; px < k; ++px)
                    for (int ch = 0; ch < 3; ++ch) {
                        int64_t sum = 0;
                        for (int y = 0; y < s; ++y)
                            for (int x = 0; x < s; ++x)
                                sum += grid->byte(c * p + px * s + x, r * p + py * s + y, ch);
                        in.keys(cell, (py * k + px) * 3 + ch) = static_cast<float>(sum / divisor);
                    }
        }
    if (options.positions)
        in.keys += positions(grid->rows(), grid->cols(), static_cast<int>(dim));
    return in;
}

} // namespace attn
