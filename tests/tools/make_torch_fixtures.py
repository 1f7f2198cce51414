#!/usr/bin/python3
"""Writes tests/fixtures/torch/<case>/, the reference outputs of torch.nn.MultiheadAttention that
tests/cli/tst_cli_torch.cpp compares `attnscope dump --projection weights.safetensors` against.

Run with Debian's python3 (torch 1.13 + numpy):  /usr/bin/python3 tests/tools/make_torch_fixtures.py
The output is committed; every case is seeded, so a rerun reproduces the same numbers.

Each case directory holds
  weights.safetensors   the module's state_dict (in_proj_weight [3E,E], in_proj_bias [3E],
                        out_proj.weight [E,E], out_proj.bias [E]), F32, written by write_safetensors below
  x.npy                 keys/values input, float32 [Nk, E]
  y.npy                 queries, float32 [Nq, E] (cross-attention cases only)
  expected_weights.npy  float32 [1, H, Nq, Nk]  (need_weights=True, average_attn_weights=False)
  expected_output.npy   float32 [Nq, E]         (after out_proj)
  case.json             {"heads": H, "cross": bool, "n": Nk, "nq": Nq, "e": E, "seed": S}

torch initialises both biases to zero; they are overwritten with random values here so that the
comparison exercises the bias handling too.
"""
import json
import os
import shutil
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "torch")

# name, Nk (keys/values), E, H, Nq (None: self-attention), seed
CASES = [
    ("self_n5_e8_h2", 5, 8, 2, None, 1),
    ("self_n16_e32_h4", 16, 32, 4, None, 2),
    ("self_n33_e24_h3", 33, 24, 3, None, 3),
    ("self_n64_e64_h8", 64, 64, 8, None, 4),
    ("self_n1_e4_h1", 1, 4, 1, None, 5),
    ("cross_nq7_nk11_e16_h4", 11, 16, 4, 7, 6),
]


def write_safetensors(path, tensors):
    """tensors: {name: float32 numpy array}. Header keys sorted, data in the same order,
    header JSON padded with spaces to a multiple of 8 bytes."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        raw = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def save_npy(path, array):
    np.save(path, np.ascontiguousarray(array, dtype="<f4"))


def make_case(name, n, e, heads, nq, seed):
    torch.manual_seed(seed)
    mha = torch.nn.MultiheadAttention(e, heads, batch_first=True, bias=True, dtype=torch.float32)
    mha.eval()
    with torch.no_grad():
        mha.in_proj_bias.uniform_(-0.5, 0.5)
        mha.out_proj.bias.uniform_(-0.5, 0.5)
        x = torch.randn(1, n, e, dtype=torch.float32)
        y = torch.randn(1, nq, e, dtype=torch.float32) if nq is not None else x
        out, w = mha(y, x, x, need_weights=True, average_attn_weights=False)

    q = y.shape[1]
    assert tuple(w.shape) == (1, heads, q, n), w.shape
    assert tuple(out.shape) == (1, q, e), out.shape

    d = os.path.join(OUT, name)
    os.makedirs(d)
    state = mha.state_dict()
    write_safetensors(os.path.join(d, "weights.safetensors"), {
        "in_proj_weight": state["in_proj_weight"].numpy(),
        "in_proj_bias": state["in_proj_bias"].numpy(),
        "out_proj.weight": state["out_proj.weight"].numpy(),
        "out_proj.bias": state["out_proj.bias"].numpy(),
    })
    save_npy(os.path.join(d, "x.npy"), x[0].numpy())
    if nq is not None:
        save_npy(os.path.join(d, "y.npy"), y[0].numpy())
    save_npy(os.path.join(d, "expected_weights.npy"), w.numpy())
    save_npy(os.path.join(d, "expected_output.npy"), out[0].numpy())
    with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as f:
        json.dump({"heads": heads, "cross": nq is not None, "n": n, "nq": q, "e": e, "seed": seed}, f,
                  sort_keys=True)
        f.write("\n")


def main():
    torch.set_num_threads(1)  # identical reductions on every run
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for case in CASES:
        make_case(*case)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print("wrote %d cases to %s (%d bytes)" % (len(CASES), os.path.normpath(OUT), total))


if __name__ == "__main__":
    main()
