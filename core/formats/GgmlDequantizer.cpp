#include "GgmlDequantizer.h"

#include "HalfFloat.h"

#include <cstring>

namespace attn {

namespace {

float fp16At(const uint8_t* p)
{
    uint16_t h;
    std::memcpy(&h, p, 2); // little-endian file, little-endian machine (x86-64 / arm64)
    return halfToFloat(h);
}

void f16(const uint8_t* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        y[i] = fp16At(src + 2 * i);
}

void bf16(const uint8_t* src, float* y, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, src + 2 * i, 2);
        y[i] = bfloat16ToFloat(b);
    }
}

void q8_0(const uint8_t* x, float* y, int64_t blocks)
{
    for (int64_t i = 0; i < blocks; ++i, x += 34, y += 32) {
        const float d = fp16At(x);
        const auto* qs = reinterpret_cast<const int8_t*>(x + 2);
        for (int j = 0; j < 32; ++j)
            y[j] = static_cast<float>(qs[j]) * d;
    }
}

void q4_0(const uint8_t* x, float* y, int64_t blocks)
{
    for (int64_t i = 0; i < blocks; ++i, x += 18, y += 32) {
        const float d = fp16At(x);
        const uint8_t* qs = x + 2;
        for (int j = 0; j < 16; ++j) {
            y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
            y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
        }
    }
}

void q4_1(const uint8_t* x, float* y, int64_t blocks)
{
    for (int64_t i = 0; i < blocks; ++i, x += 20, y += 32) {
        const float d = fp16At(x);
        const float m = fp16At(x + 2);
        const uint8_t* qs = x + 4;
        for (int j = 0; j < 16; ++j) {
            y[j] = static_cast<float>(qs[j] & 0x0F) * d + m;
            y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
        }
    }
}

// Q5_0 and Q5_1: bit j of qh is value j's fifth bit, bit j + 16 that of value j + 16.
void q5(const uint8_t* x, float* y, int64_t blocks, bool withMin)
{
    const int stride = withMin ? 24 : 22;
    for (int64_t i = 0; i < blocks; ++i, x += stride, y += 32) {
        const float d = fp16At(x);
        const float m = withMin ? fp16At(x + 2) : 0.0f;
        const uint8_t* qhBytes = x + (withMin ? 4 : 2);
        uint32_t qh;
        std::memcpy(&qh, qhBytes, 4);
        const uint8_t* qs = qhBytes + 4;
        for (int j = 0; j < 16; ++j) {
            const uint8_t h0 = static_cast<uint8_t>(((qh >> j) << 4) & 0x10);
            const uint8_t h1 = static_cast<uint8_t>((qh >> (j + 12)) & 0x10);
            const int v0 = (qs[j] & 0x0F) | h0;
            const int v1 = (qs[j] >> 4) | h1;
            if (withMin) {
                y[j] = static_cast<float>(v0) * d + m;
                y[j + 16] = static_cast<float>(v1) * d + m;
            } else {
                y[j] = static_cast<float>(v0 - 16) * d;
                y[j + 16] = static_cast<float>(v1 - 16) * d;
            }
        }
    }
}

void q2_K(const uint8_t* x, float* y, int64_t blocks)
{
    for (int64_t i = 0; i < blocks; ++i, x += 84) {
        const uint8_t* scales = x;
        const uint8_t* q = x + 16;
        const float d = fp16At(x + 80);
        const float dmin = fp16At(x + 82);
        int is = 0;
        for (int n = 0; n < 256; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                for (int half = 0; half < 2; ++half) {
                    const uint8_t sc = scales[is++];
                    const float dl = d * static_cast<float>(sc & 0xF);
                    const float ml = dmin * static_cast<float>(sc >> 4);
                    const uint8_t* qq = q + 16 * half;
                    for (int l = 0; l < 16; ++l)
                        *y++ = dl * static_cast<float>((qq[l] >> shift) & 3) - ml;
                }
                shift += 2;
            }
            q += 32;
        }
    }
}

void q3_K(const uint8_t* x, float* y, int64_t blocks)
{
    constexpr uint32_t kmask1 = 0x03030303;
    constexpr uint32_t kmask2 = 0x0f0f0f0f;
    for (int64_t i = 0; i < blocks; ++i, x += 110) {
        const uint8_t* hm = x;
        const uint8_t* q = x + 32;
        const float dAll = fp16At(x + 108);
        // The 16 six-bit scales: low 4 bits in bytes 0..7, high 2 bits in bytes 8..11.
        uint32_t aux[4];
        std::memcpy(aux, x + 96, 12);
        const uint32_t tmp = aux[2];
        aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
        aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
        aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
        aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
        int8_t scales[16];
        std::memcpy(scales, aux, 16);
        int is = 0;
        uint8_t m = 1;
        for (int n = 0; n < 256; n += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                for (int half = 0; half < 2; ++half) {
                    const float dl = dAll * static_cast<float>(scales[is++] - 32);
                    const int o = 16 * half;
                    for (int l = 0; l < 16; ++l) {
                        const int v = ((q[l + o] >> shift) & 3) - ((hm[l + o] & m) ? 0 : 4);
                        *y++ = dl * static_cast<float>(v);
                    }
                }
                shift += 2;
                m = static_cast<uint8_t>(m << 1);
            }
            q += 32;
        }
    }
}

// Scale and min of sub-block j (0..7) from the 12 bytes of six-bit values of Q4_K / Q5_K.
void scaleMinK4(int j, const uint8_t* q, uint8_t& d, uint8_t& m)
{
    if (j < 4) {
        d = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        d = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q4_K and Q5_K (withHigh): 4 pairs of sub-blocks of 32, each pair sharing 32 bytes of nibbles.
void q45_K(const uint8_t* x, float* y, int64_t blocks, bool withHigh)
{
    const int stride = withHigh ? 176 : 144;
    for (int64_t i = 0; i < blocks; ++i, x += stride) {
        const float d = fp16At(x);
        const float dmin = fp16At(x + 2);
        const uint8_t* scales = x + 4;
        const uint8_t* qh = x + 16;
        const uint8_t* ql = x + (withHigh ? 48 : 16);
        int is = 0;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < 256; j += 64) {
            uint8_t sc, m;
            scaleMinK4(is + 0, scales, sc, m);
            const float d1 = d * static_cast<float>(sc);
            const float m1 = dmin * static_cast<float>(m);
            scaleMinK4(is + 1, scales, sc, m);
            const float d2 = d * static_cast<float>(sc);
            const float m2 = dmin * static_cast<float>(m);
            for (int l = 0; l < 32; ++l) {
                const int v = (ql[l] & 0xF) + (withHigh && (qh[l] & u1) ? 16 : 0);
                *y++ = d1 * static_cast<float>(v) - m1;
            }
            for (int l = 0; l < 32; ++l) {
                const int v = (ql[l] >> 4) + (withHigh && (qh[l] & u2) ? 16 : 0);
                *y++ = d2 * static_cast<float>(v) - m2;
            }
            ql += 32;
            is += 2;
            u1 = static_cast<uint8_t>(u1 << 2);
            u2 = static_cast<uint8_t>(u2 << 2);
        }
    }
}

void q6_K(const uint8_t* x, float* y, int64_t blocks)
{
    for (int64_t i = 0; i < blocks; ++i, x += 210) {
        const uint8_t* ql = x;
        const uint8_t* qh = x + 128;
        const auto* sc = reinterpret_cast<const int8_t*>(x + 192);
        const float d = fp16At(x + 208);
        for (int n = 0; n < 256; n += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
                y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
                y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
                y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
            }
            y += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}

} // namespace

void GgmlDequantizer::dequantize(GgmlType type, const uint8_t* src, float* dst, int64_t count)
{
    switch (type) {
    case GgmlType::F32:
        std::memcpy(dst, src, static_cast<size_t>(count) * 4);
        return;
    case GgmlType::F16:
        return f16(src, dst, count);
    case GgmlType::BF16:
        return bf16(src, dst, count);
    case GgmlType::Q8_0:
        return q8_0(src, dst, count / 32);
    case GgmlType::Q4_0:
        return q4_0(src, dst, count / 32);
    case GgmlType::Q4_1:
        return q4_1(src, dst, count / 32);
    case GgmlType::Q5_0:
        return q5(src, dst, count / 32, false);
    case GgmlType::Q5_1:
        return q5(src, dst, count / 32, true);
    case GgmlType::Q2_K:
        return q2_K(src, dst, count / 256);
    case GgmlType::Q3_K:
        return q3_K(src, dst, count / 256);
    case GgmlType::Q4_K:
        return q45_K(src, dst, count / 256, false);
    case GgmlType::Q5_K:
        return q45_K(src, dst, count / 256, true);
    case GgmlType::Q6_K:
        return q6_K(src, dst, count / 256);
    }
}

} // namespace attn
