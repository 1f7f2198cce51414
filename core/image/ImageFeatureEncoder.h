#pragma once
// CNN-style encoding of a picture: fixed, hand-made features per P x P cell (ImageGrid: row-major
// cells "r,c", top-left crop or clamp-to-edge pad), chosen so that regions that look alike get
// vectors that are alike. No learned weights.
//
// Per pixel, from sRGB bytes v (IEC 61966-2-1, D65 white):
//   c = v / 255;  linear = c / 12.92 if c <= 0.04045, else ((c + 0.055) / 1.055)^2.4
//   [X Y Z] = M [R G B]_linear,  M = [0.4124564 0.3575761 0.1804375;
//                                     0.2126729 0.7151522 0.0721750;
//                                     0.0193339 0.1191920 0.9503041]
//   f(t) = t^(1/3) if t > (6/29)^3, else t / (3 (6/29)^2) + 4/29;  (Xn, Yn, Zn) = (0.95047, 1, 1.08883)
//   L* = 116 f(Y/Yn) - 16,  a* = 500 (f(X/Xn) - f(Y/Yn)),  b* = 200 (f(Y/Yn) - f(Z/Zn))
//   (pure red: L* 53.24, a* 80.09, b* 67.20). CIELAB is roughly perceptually uniform: equal
//   distances look like equal colour differences, which is what "similar regions" needs.
// Gradients: the 3 x 3 Sobel operator on the plane l = L* / 100 of the whole covered area (edge
// pixels repeat at its border), gx = [-1 0 1; -2 0 2; -1 0 1] * l, gy its transpose (y down),
// m = sqrt(gx^2 + gy^2). A unit step in l gives m = 4 on both sides of the edge, hence the / 4.
//
// The cell's vector (kFeatureCount = 7 components, each roughly in [-1, 1]), means over its P^2 pixels:
//   0  L* / 100                          lightness
//   1  a* / 100                          green (-) .. red (+)
//   2  b* / 100                          blue (-) .. yellow (+)
//   3  mean(m) / 4                       edge strength
//   4  mean(m cos 2θ) / 4 = mean((gx^2 - gy^2) / m) / 4     orientation as a doubled angle, weighted by
//   5  mean(m sin 2θ) / 4 = mean(2 gx gy / m) / 4           m (0 where m = 0): θ and θ + 180° are the
//                                                           same edge; a flat or isotropic cell gives ~0
//   6  std(L* / 100)                     local contrast (population standard deviation)
// With ImageOptions::positions, two more: 7 (r + 0.5) / rows and 8 (c + 0.5) / cols, the cell
// centre in [0, 1], on the same scale as the features (a sinusoid would swamp 7 features).
#include "AttentionInput.h"
#include "Expected.h"
#include "ImageBuffer.h"
#include "ImageOptions.h"

#include <array>

namespace attn {

class ImageFeatureEncoder {
public:
    static constexpr int kFeatureCount = 7;
    static const char* featureName(
        int index); // "L*", "a*", "b*", "gradient", "cos 2θ", "sin 2θ", "contrast", "row", "col"

    // keys [rows * cols, 7 or 9], labels "r,c", grid shape set (spatialMap left empty).
    static Expected<AttentionInput> encode(const ImageBuffer& image, const ImageOptions& options);
    // CIELAB (L*, a*, b*) of one sRGB colour, unscaled.
    static std::array<double, 3> lab(uint8_t r, uint8_t g, uint8_t b);
};

} // namespace attn
