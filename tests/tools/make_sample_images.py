#!/usr/bin/python3
"""Generates the bundled sample pictures under resources/samples/images/ (made by the project,
no third-party photographs). Deterministic: numpy only draws, no random numbers; the PNG writer
below (zlib + struct, 8-bit RGB, no ancillary chunks) makes byte-identical files on every run.

  shapes.png        256 x 256: three red discs, three blue squares and a patch of diagonal
                    yellow-green stripes on a plain light background. Patches of the same kind of
                    shape look alike, so attention between similar regions is visible.
  two-textures.png  256 x 256: vertical black/white stripes (4 px) on the left half, a checkerboard (8 px) on
                    the right, and a square of the stripes' texture set inside the checkerboard
                    (and the reverse on the left): texture, not position, should pair them up.

Usage: /usr/bin/python3 tests/tools/make_sample_images.py [output_dir]
"""
import os
import struct
import sys
import zlib

import numpy as np


def write_png(path, rgb):
    """8-bit RGB PNG; each row uses filter 1 (Sub), which suits flat synthetic pictures."""
    h, w, _ = rgb.shape
    data = rgb.astype(np.int16)
    sub = data.copy()
    sub[:, 1:, :] = (data[:, 1:, :] - data[:, :-1, :]) % 256
    raw = b"".join(b"\x01" + sub[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def shapes():
    h = w = 256
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (235, 228, 210)  # light beige background
    yy, xx = np.mgrid[0:h, 0:w]
    red, blue = (210, 40, 40), (40, 70, 200)
    for cy, cx, r in [(48, 56, 26), (200, 120, 28), (112, 200, 22)]:
        img[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = red
    for y0, x0, s in [(24, 152, 40), (128, 120, 36), (200, 184, 44)]:
        img[y0 : y0 + s, x0 : x0 + s] = blue
    # Diagonal stripes, 8 px period, in a 64 x 64 patch at the bottom left.
    stripes = ((xx + yy) // 4) % 2 == 0
    region = (yy >= 176) & (yy < 240) & (xx >= 8) & (xx < 72)
    img[region & stripes] = (230, 200, 30)
    img[region & ~stripes] = (30, 120, 60)
    return img


def two_textures():
    h = w = 256
    yy, xx = np.mgrid[0:h, 0:w]
    # Both textures repeat within a 16 x 16 cell, so every cell of either one holds the whole pattern.
    vertical = (xx // 4) % 2 == 0                 # stripes 4 px wide, 8 px period
    checker = ((xx // 8) + (yy // 8)) % 2 == 0    # 8 px squares
    left = xx < 128
    inset_right = (yy >= 96) & (yy < 160) & (xx >= 160) & (xx < 224)  # stripes inside the checkerboard
    inset_left = (yy >= 96) & (yy < 160) & (xx >= 32) & (xx < 96)     # checkerboard inside the stripes
    use_stripes = (left & ~inset_left) | inset_right
    on = np.where(use_stripes, vertical, checker)
    img = np.zeros((h, w, 3), np.uint8)
    img[on] = (245, 245, 245)
    img[~on] = (25, 25, 25)
    return img


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "resources", "samples", "images")
    os.makedirs(out, exist_ok=True)
    for name, img in [("shapes.png", shapes()), ("two-textures.png", two_textures())]:
        path = os.path.join(out, name)
        write_png(path, img)
        print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
