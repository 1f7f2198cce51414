#!/usr/bin/python3
"""Writes tests/fixtures/spatial/, the reference output of seed 003 §4.2's Attention module (the
seed's own PyTorch code, with out_channels = 1) that tests/core/tst_image.cpp compares
SpatialAttentionMap against. It pins the conventions the naive loop in the test shares with the
engine: nn.Conv2d is a cross-correlation, weights [out][in][ky][kx], conv2's input channels are
cat(x, conv1(x)) in that order, zero padding 3.

Run with Debian's python3 (torch 1.13 + numpy):  /usr/bin/python3 tests/tools/make_spatial_fixture.py
Seeded: a rerun reproduces the same numbers.

  features.npy  float32 [rows * cols, C]   x, cell-major (row r * cols + c), as the engine stores it
  w1.npy        float32 [C, C]             conv1.weight[:, :, 0, 0]
  b1.npy        float32 [C]
  w2.npy        float32 [2C, 7, 7]         conv2.weight[0]
  b2.npy        float32 [1]
  map.npy       float32 [rows, cols]       sigmoid(conv2(cat(x, conv1(x))))
"""
import os

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "spatial")
ROWS, COLS, C = 6, 9, 5


class Attention(nn.Module):  # seed 003 §4.2, verbatim apart from the unused mask argument
    def __init__(self, in_channels, out_channels, kernel_size=7, padding=3, stride=1):
        super(Attention, self).__init__()
        self.conv1 = nn.Conv2d(in_channels, in_channels, kernel_size=1, stride=1, padding=0)
        self.conv2 = nn.Conv2d(in_channels * 2, out_channels, kernel_size=kernel_size, padding=padding, stride=stride)
        self.sigmoid = nn.Sigmoid()

    def spatial_map(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(torch.cat((x, x1), 1))
        return self.sigmoid(x2)


def save(name, array):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array, dtype=np.float32))


def main():
    torch.manual_seed(3)
    os.makedirs(OUT, exist_ok=True)
    module = Attention(C, 1)
    # Larger weights than the default initialisation, so the map spreads well away from 0.5.
    with torch.no_grad():
        module.conv2.weight.mul_(4.0)
    x = torch.rand(1, C, ROWS, COLS) * 2.0 - 1.0
    with torch.no_grad():
        a = module.spatial_map(x)
    save("features.npy", x[0].permute(1, 2, 0).reshape(ROWS * COLS, C).numpy())
    save("w1.npy", module.conv1.weight.detach()[:, :, 0, 0].numpy())
    save("b1.npy", module.conv1.bias.detach().numpy())
    save("w2.npy", module.conv2.weight.detach()[0].numpy())
    save("b2.npy", module.conv2.bias.detach().numpy())
    save("map.npy", a[0, 0].numpy())
    print("map range", float(a.min()), float(a.max()))


if __name__ == "__main__":
    main()
