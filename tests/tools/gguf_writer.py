"""A small GGUF writer / reader, ggml quantisers and a numpy dequantisation reference, for test fixtures.

Written from the GGUF spec (docs/gguf.md upstream) and the block layouts of ggml-common.h; no code from
llama.cpp / gguf-py. Used by tests/tools/make_gguf_fixtures.py.

  GGUFWriter(version=3, alignment=32)
      .add(key, value, vtype)          vtype: "uint8" "int8" "uint16" "int16" "uint32" "int32" "float32" "bool"
                                       "string" "uint64" "int64" "float64", or "array[T]" (T any of these,
                                       nested: "array[array[int32]]"), or "array" with value = Array(...)
      .add_tensor(name, array, type)   array in PyTorch convention ([rows, cols], rows = out features);
                                       written with dims reversed (ne[0] = cols first); type a ggml type name
      .add_raw_tensor(name, dims, type, raw)
      .to_bytes() / .write(path)
  quantize(x, type) -> bytes           x: float array whose size is a multiple of the type's block size
  dequantize(raw, type, n) -> float32  ggml's dequantize_row_* arithmetic, float32 rounding after every
                                       operation in the C order, no fused multiply-add
  read_gguf(bytes) -> GGUFFile         an independent reader for self-checks
  make_bad_gguf(kind) -> bytes         a few malformed files (see BAD_KINDS)

Versions 2 and 3 share the little-endian layout (uint64 counts and lengths); both can be written.
"""
import struct

import numpy as np

# ------------------------------------------------------------------------------------------ tables

# name: (ggml type id, values per block, bytes per block)
GGML_TYPES = {
    "F32": (0, 1, 4),
    "F16": (1, 1, 2),
    "Q4_0": (2, 32, 18),
    "Q4_1": (3, 32, 20),
    "Q5_0": (6, 32, 22),
    "Q5_1": (7, 32, 24),
    "Q8_0": (8, 32, 34),
    "Q2_K": (10, 256, 84),
    "Q3_K": (11, 256, 110),
    "Q4_K": (12, 256, 144),
    "Q5_K": (13, 256, 176),
    "Q6_K": (14, 256, 210),
    "BF16": (30, 1, 2),
}
GGML_TYPE_NAMES = {v[0]: k for k, v in GGML_TYPES.items()}

VALUE_TYPES = {
    "uint8": 0, "int8": 1, "uint16": 2, "int16": 3, "uint32": 4, "int32": 5, "float32": 6, "bool": 7,
    "string": 8, "array": 9, "uint64": 10, "int64": 11, "float64": 12,
}
VALUE_TYPE_NAMES = {v: k for k, v in VALUE_TYPES.items()}
_SCALAR_FMT = {"uint8": "<B", "int8": "<b", "uint16": "<H", "int16": "<h", "uint32": "<I", "int32": "<i",
               "float32": "<f", "uint64": "<Q", "int64": "<q", "float64": "<d"}

F32 = np.float32


def tensor_nbytes(type_name, n):
    _, bs, ts = GGML_TYPES[type_name]
    if n % bs:
        raise ValueError("%s needs a multiple of %d values, got %d" % (type_name, bs, n))
    return n // bs * ts


# ---------------------------------------------------------------------------------------- metadata

class Array:
    """A GGUF array value: one element type, a list of items (for element type "array": Array items)."""

    def __init__(self, elem_type, items):
        if elem_type not in VALUE_TYPES:
            raise ValueError("unknown element type %r" % elem_type)
        self.elem_type = elem_type
        self.items = list(items)
        if elem_type == "array":
            for it in self.items:
                if not isinstance(it, Array):
                    raise TypeError("an array of arrays holds Array items")

    def __eq__(self, other):
        return isinstance(other, Array) and self.elem_type == other.elem_type and self.items == other.items

    def __repr__(self):
        return "Array(%r, %r)" % (self.elem_type, self.items)


def parse_vtype(vtype, value):
    """'array[array[int32]]' + nested lists -> Array tree; scalars pass through."""
    if vtype.startswith("array[") and vtype.endswith("]"):
        inner = vtype[6:-1]
        elem = inner.split("[", 1)[0]
        return "array", Array(elem, [parse_vtype(inner, v)[1] if elem == "array" else v for v in value])
    if vtype == "array" and not isinstance(value, Array):
        raise TypeError("vtype 'array' needs an Array value (or use 'array[T]')")
    if vtype not in VALUE_TYPES:
        raise ValueError("unknown GGUF value type %r" % vtype)
    return vtype, value


def _str_bytes(s):
    b = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    return struct.pack("<Q", len(b)) + b


def _value_bytes(vtype, value):
    if vtype == "string":
        return _str_bytes(value)
    if vtype == "bool":
        if value not in (True, False, 0, 1):
            raise ValueError("bool value must be True/False")
        return struct.pack("<B", 1 if value else 0)
    if vtype == "array":
        out = [struct.pack("<IQ", VALUE_TYPES[value.elem_type], len(value.items))]
        out += [_value_bytes(value.elem_type, it) for it in value.items]
        return b"".join(out)
    fmt = _SCALAR_FMT[vtype]
    if vtype in ("float32", "float64"):
        return struct.pack(fmt, float(value))
    return struct.pack(fmt, int(value))  # struct range-checks the integer


# ------------------------------------------------------------------------------------------ writer

class GGUFWriter:
    def __init__(self, version=3, alignment=32, write_alignment=None):
        if version not in (2, 3):
            raise ValueError("only GGUF v2 / v3 are written")
        if alignment <= 0 or alignment % 8:
            raise ValueError("alignment must be a positive multiple of 8")
        self.version = version
        self.alignment = alignment
        # general.alignment is written when it is not the default 32, or when asked
        self.write_alignment = (alignment != 32) if write_alignment is None else write_alignment
        self.kv = []  # (key, vtype, value)
        self.tensors = []  # (name, dims, type name, raw bytes)

    # metadata
    def add(self, key, value, vtype):
        if any(k == key for k, _, _ in self.kv):
            raise KeyError("duplicate key %s" % key)
        vtype, value = parse_vtype(vtype, value)
        _value_bytes(vtype, value)  # validate now
        self.kv.append((key, vtype, value))

    def add_uint8(self, k, v): self.add(k, v, "uint8")
    def add_int8(self, k, v): self.add(k, v, "int8")
    def add_uint16(self, k, v): self.add(k, v, "uint16")
    def add_int16(self, k, v): self.add(k, v, "int16")
    def add_uint32(self, k, v): self.add(k, v, "uint32")
    def add_int32(self, k, v): self.add(k, v, "int32")
    def add_float32(self, k, v): self.add(k, v, "float32")
    def add_bool(self, k, v): self.add(k, v, "bool")
    def add_string(self, k, v): self.add(k, v, "string")
    def add_uint64(self, k, v): self.add(k, v, "uint64")
    def add_int64(self, k, v): self.add(k, v, "int64")
    def add_float64(self, k, v): self.add(k, v, "float64")
    def add_array(self, k, elem_type, items): self.add(k, Array(elem_type, items), "array")

    # tensors
    def add_tensor(self, name, array, type_name):
        a = np.asarray(array)
        dims = list(reversed(a.shape))  # ne[0] = fastest varying = PyTorch's last axis
        self.add_raw_tensor(name, dims, type_name, quantize(a.reshape(-1), type_name))

    def add_raw_tensor(self, name, dims, type_name, raw):
        if any(n == name for n, _, _, _ in self.tensors):
            raise KeyError("duplicate tensor %s" % name)
        n = int(np.prod(dims)) if dims else 1
        if dims and dims[0] % GGML_TYPES[type_name][1]:
            raise ValueError("%s: ne[0] = %d is not a multiple of %s's block" % (name, dims[0], type_name))
        if len(raw) != tensor_nbytes(type_name, n):
            raise ValueError("%s: %d bytes for %d values of %s" % (name, len(raw), n, type_name))
        self.tensors.append((name, list(dims), type_name, bytes(raw)))

    def _pad(self, n):
        return (self.alignment - n % self.alignment) % self.alignment

    def to_bytes(self):
        kv = list(self.kv)
        if self.write_alignment and not any(k == "general.alignment" for k, _, _ in kv):
            kv.append(("general.alignment", "uint32", self.alignment))
        out = [b"GGUF", struct.pack("<IQQ", self.version, len(self.tensors), len(kv))]
        for key, vtype, value in kv:
            out += [_str_bytes(key), struct.pack("<I", VALUE_TYPES[vtype]), _value_bytes(vtype, value)]
        offset = 0
        for name, dims, t, raw in self.tensors:
            out += [_str_bytes(name), struct.pack("<I", len(dims)), struct.pack("<%dQ" % len(dims), *dims),
                    struct.pack("<IQ", GGML_TYPES[t][0], offset)]
            offset += len(raw) + self._pad(len(raw))
        head = b"".join(out)
        blob = [head, b"\0" * self._pad(len(head))]
        for _, _, _, raw in self.tensors:
            blob += [raw, b"\0" * self._pad(len(raw))]  # every tensor padded, the last one too (as ggml does)
        return b"".join(blob)

    def write(self, path):
        data = self.to_bytes()
        with open(path, "wb") as f:
            f.write(data)
        return len(data)


# ------------------------------------------------------------------------------------------ reader

class GGUFFile:
    def __init__(self, version, metadata, tensors, data, alignment, data_offset):
        self.version = version
        self.metadata = metadata  # key -> (vtype, value); arrays as Array
        self.tensors = tensors  # name -> (dims, type name, offset relative to data section)
        self.data = data  # whole file bytes
        self.alignment = alignment
        self.data_offset = data_offset

    def value(self, key):
        v = self.metadata[key][1]
        return v.items if isinstance(v, Array) else v

    def raw(self, name):
        dims, t, off = self.tensors[name]
        n = int(np.prod(dims))
        start = self.data_offset + off
        return self.data[start:start + tensor_nbytes(t, n)]

    def tensor(self, name):
        """float32 numpy array in PyTorch convention (shape = reversed dims)."""
        dims, t, _ = self.tensors[name]
        n = int(np.prod(dims))
        return dequantize(self.raw(name), t, n).reshape(list(reversed(dims)))


def read_gguf(data):
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return vals if len(vals) > 1 else vals[0]

    def string():
        nonlocal pos
        n = take("<Q")
        if pos + n > len(data):
            raise ValueError("string past the end")
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def value(vt):
        name = VALUE_TYPE_NAMES[vt]
        if name == "string":
            return string()
        if name == "bool":
            b = take("<B")
            if b > 1:
                raise ValueError("bad bool")
            return bool(b)
        if name == "array":
            et, n = take("<IQ")
            return Array(VALUE_TYPE_NAMES[et], [value(et) for _ in range(n)])
        return take(_SCALAR_FMT[name])

    if data[:4] != b"GGUF":
        raise ValueError("not a GGUF file")
    pos = 4
    version, n_tensors, n_kv = take("<IQQ")
    if version not in (2, 3):
        raise ValueError("unsupported version %d" % version)
    metadata = {}
    for _ in range(n_kv):
        key = string()
        vt = take("<I")
        metadata[key] = (VALUE_TYPE_NAMES[vt], value(vt))
    alignment = metadata.get("general.alignment", ("uint32", 32))[1]
    tensors = {}
    for _ in range(n_tensors):
        name = string()
        nd = take("<I")
        dims = list(struct.unpack_from("<%dQ" % nd, data, pos))
        pos += 8 * nd
        t, off = take("<IQ")
        if off % alignment:
            raise ValueError("unaligned tensor %s" % name)
        tensors[name] = (dims, GGML_TYPE_NAMES[t], off)
    data_offset = pos + (alignment - pos % alignment) % alignment
    f = GGUFFile(version, metadata, tensors, data, alignment, data_offset)
    for name, (dims, t, off) in tensors.items():
        if data_offset + off + tensor_nbytes(t, int(np.prod(dims))) > len(data):
            raise ValueError("tensor %s past the end" % name)
    return f


# ------------------------------------------------------------------------------------- conversions

def f16_bits(x):
    """float -> IEEE half bits, round to nearest even (numpy's conversion)."""
    return np.asarray(x, dtype=np.float32).astype("<f2").view("<u2")


def bf16_bits(x):
    """float32 -> bfloat16 bits: round to nearest even on the top 16 bits; NaN stays a (quiet) NaN."""
    u = np.asarray(x, dtype=np.float32).astype("<f4").view("<u4").astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    r[nan] = ((u[nan] >> 16) | 0x40).astype(np.uint16)
    return r.astype("<u2")


def _f16(x):
    """Round to half and back (what the dequantiser will read), as float64."""
    return np.asarray(x, dtype=np.float32).astype(np.float16).astype(np.float64)


def _f16_away(x):
    """The nearest half whose magnitude is >= |x| (a scale that never makes the extreme quant overflow)."""
    x = np.asarray(x, dtype=np.float64)
    h = np.asarray(x, dtype=np.float32).astype(np.float16)
    small = np.abs(h.astype(np.float64)) < np.abs(x)
    h = np.where(small, np.nextafter(h, np.where(x < 0, -np.inf, np.inf).astype(np.float16)), h)
    return h.astype(np.float64)


def _f16_down(x):
    """The nearest half <= x."""
    x = np.asarray(x, dtype=np.float64)
    h = np.asarray(x, dtype=np.float32).astype(np.float16)
    h = np.where(h.astype(np.float64) > x, np.nextafter(h, np.float16(-np.inf)), h)
    return h.astype(np.float64)


# --------------------------------------------------------------------------------------- quantisers
# Simple, deterministic encoders (absmax / min-max per block and sub-block, scales rounded to the format's
# precision, then every quant recomputed against the *rounded* scales). Not ggml's search algorithms.

def _blocks(x, bs):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.size % bs:
        raise ValueError("size %d is not a multiple of %d" % (x.size, bs))
    return x.reshape(-1, bs)


def _signed_absmax(b):
    """Per row: the value with the largest magnitude, with its sign (first such on ties)."""
    idx = np.argmax(np.abs(b), axis=-1)
    return np.take_along_axis(b, idx[..., None], axis=-1)[..., 0]


def _signed_scale(b, qneg, qpos):
    """Per row a signed scale s with every b / s in [-qneg, qpos]: the largest-magnitude value goes to the
    -qneg end (the longer side of a two's-complement range) unless the opposite extreme needs more room."""
    m = _signed_absmax(b)
    sign = np.where(m < 0, -1.0, 1.0)
    opp = np.max(np.maximum(-sign[:, None] * b, 0.0), axis=1)  # largest magnitude of the other sign
    return -sign * np.maximum(np.abs(m) / qneg, opp / qpos)


def _safe_div(x, d):
    d = np.asarray(d, dtype=np.float64)
    return np.where(d != 0, x / np.where(d != 0, d, 1.0), 0.0)


def _q_sym(b, nmax_neg, lo, hi):
    """Symmetric block quant, x ~ d * q with q in lo..hi (lo = -nmax_neg); returns (d16 bits, q ints)."""
    d = _f16_away(_signed_scale(b, nmax_neg, hi))
    q = np.clip(np.rint(_safe_div(b, d[:, None])), lo, hi).astype(np.int64)
    return f16_bits(d), q


def _q_minmax(b, nmax):
    m = _f16_down(b.min(axis=1))
    d = _f16_away((b.max(axis=1) - m) / nmax)
    q = np.clip(np.rint(_safe_div(b - m[:, None], d[:, None])), 0, nmax).astype(np.int64)
    return f16_bits(d), f16_bits(m), q


def _pack_nibbles32(q):
    """32 values -> 16 bytes: byte j = q[j] low | q[j+16] high."""
    return (q[:, :16] & 0xF) | ((q[:, 16:] & 0xF) << 4)


def _qh32(q):
    """5th bits of 32 values as a little-endian uint32: bit j = bit 4 of q[j]."""
    bits = (q >> 4) & 1
    return (bits << np.arange(32, dtype=np.int64)).sum(axis=1).astype("<u4")


def _quant_q4_0(x):
    b = _blocks(x, 32)
    d, q = _q_sym(b, 8, -8, 7)
    out = np.zeros(len(b), dtype=[("d", "<u2"), ("qs", "u1", 16)])
    out["d"], out["qs"] = d, _pack_nibbles32(q + 8)
    return out.tobytes()


def _quant_q4_1(x):
    b = _blocks(x, 32)
    d, m, q = _q_minmax(b, 15)
    out = np.zeros(len(b), dtype=[("d", "<u2"), ("m", "<u2"), ("qs", "u1", 16)])
    out["d"], out["m"], out["qs"] = d, m, _pack_nibbles32(q)
    return out.tobytes()


def _quant_q5_0(x):
    b = _blocks(x, 32)
    d, q = _q_sym(b, 16, -16, 15)
    q = q + 16
    out = np.zeros(len(b), dtype=[("d", "<u2"), ("qh", "<u4"), ("qs", "u1", 16)])
    out["d"], out["qh"], out["qs"] = d, _qh32(q), _pack_nibbles32(q)
    return out.tobytes()


def _quant_q5_1(x):
    b = _blocks(x, 32)
    d, m, q = _q_minmax(b, 31)
    out = np.zeros(len(b), dtype=[("d", "<u2"), ("m", "<u2"), ("qh", "<u4"), ("qs", "u1", 16)])
    out["d"], out["m"], out["qh"], out["qs"] = d, m, _qh32(q), _pack_nibbles32(q)
    return out.tobytes()


def _quant_q8_0(x):
    b = _blocks(x, 32)
    d = _f16_away(np.abs(b).max(axis=1) / 127.0)
    q = np.clip(np.rint(_safe_div(b, d[:, None])), -128, 127).astype(np.int64)
    out = np.zeros(len(b), dtype=[("d", "<u2"), ("qs", "i1", 32)])
    out["d"], out["qs"] = f16_bits(d), q
    return out.tobytes()


# element e of a 256-block -> (byte, shift) of the 2-bit field in Q2_K/Q3_K qs (and Q3_K hmask byte/bit)
_E = np.arange(256)
_K2_BYTE = 32 * (_E // 128) + _E % 32
_K2_SHIFT = 2 * ((_E % 128) // 32)
_K3_HBYTE = _E % 32
_K3_HBIT = 4 * (_E // 128) + (_E % 128) // 32
# Q4_K / Q5_K: element e -> qs byte, nibble, qh bit
_K4_BYTE = 32 * (_E // 64) + _E % 32
_K4_NIB = (_E % 64) // 32
_K5_HBIT = 2 * (_E // 64) + (_E % 64) // 32
# Q6_K: element e -> ql byte, nibble; qh byte, shift
_K6_K = (_E % 128) // 32
_K6_QL = 64 * (_E // 128) + _E % 32 + 32 * (_K6_K & 1)
_K6_NIB = _K6_K >> 1
_K6_QH = 32 * (_E // 128) + _E % 32
_K6_SHIFT = 2 * _K6_K


def _pack_bits(values, byte_idx, shift, nbytes):
    out = np.zeros((values.shape[0], nbytes), dtype=np.int64)
    for e in range(values.shape[1]):
        out[:, byte_idx[e]] |= values[:, e] << shift[e]
    return out.astype(np.uint8)


def _super_scale_up(v, levels):
    """Non-negative per-sub-block values [nb, ns] -> (f16 super scale d, ints 0..levels with d * int >= v)."""
    d = _f16_away(v.max(axis=1) / levels)
    r = _safe_div(v, d[:, None])
    return d, np.clip(np.ceil(r - 1e-9 * np.maximum(r, 1)), 0, levels).astype(np.int64)


def _quant_affine_k(x, nsub, nmax, levels):
    """x ~ d*sc*q - dmin*m per sub-block, q in 0..nmax, sc and m in 0..levels. The offset can only pull down
    (dmin * m is subtracted), so m covers -min(0, min(x)); mins are quantised first (rounded up, so nothing
    falls below q = 0), then each sub-block's scale is rounded up to cover max(x) + offset."""
    b = _blocks(x, 256)
    sub = b.reshape(len(b), nsub, 256 // nsub)
    dmin, mq = _super_scale_up(-np.minimum(sub.min(axis=2), 0.0), levels)
    ml = dmin[:, None] * mq
    d, sc = _super_scale_up((sub.max(axis=2) + ml) / nmax, levels)
    dl = (d[:, None] * sc)[:, :, None]
    q = np.clip(np.rint(_safe_div(sub + ml[:, :, None], dl)), 0, nmax).astype(np.int64).reshape(len(b), 256)
    return f16_bits(d), f16_bits(dmin), sc, mq, q


def _quant_q2_k(x):
    d, dmin, sc, mq, q = _quant_affine_k(x, 16, 3, 15)
    out = np.zeros(len(d), dtype=[("scales", "u1", 16), ("qs", "u1", 64), ("d", "<u2"), ("dmin", "<u2")])
    out["scales"] = sc | (mq << 4)
    out["qs"] = _pack_bits(q, _K2_BYTE, _K2_SHIFT, 64)
    out["d"], out["dmin"] = d, dmin
    return out.tobytes()


def _pack_k4_scales(sc, mq):
    """8 six-bit scales and mins -> the 12 bytes get_scale_min_k4 reads."""
    q = np.zeros((len(sc), 12), dtype=np.int64)
    for j in range(4):
        q[:, j] = sc[:, j] | ((sc[:, j + 4] >> 4) << 6)
        q[:, j + 4] = mq[:, j] | ((mq[:, j + 4] >> 4) << 6)
        q[:, j + 8] = (sc[:, j + 4] & 0xF) | ((mq[:, j + 4] & 0xF) << 4)
    return q.astype(np.uint8)


def _quant_q4_k(x):
    d, dmin, sc, mq, q = _quant_affine_k(x, 8, 15, 63)
    out = np.zeros(len(d), dtype=[("d", "<u2"), ("dmin", "<u2"), ("scales", "u1", 12), ("qs", "u1", 128)])
    out["d"], out["dmin"], out["scales"] = d, dmin, _pack_k4_scales(sc, mq)
    out["qs"] = _pack_bits(q & 0xF, _K4_BYTE, 4 * _K4_NIB, 128)
    return out.tobytes()


def _quant_q5_k(x):
    d, dmin, sc, mq, q = _quant_affine_k(x, 8, 31, 63)
    out = np.zeros(len(d), dtype=[("d", "<u2"), ("dmin", "<u2"), ("scales", "u1", 12), ("qh", "u1", 32),
                                  ("qs", "u1", 128)])
    out["d"], out["dmin"], out["scales"] = d, dmin, _pack_k4_scales(sc, mq)
    out["qh"] = _pack_bits(q >> 4, _E % 32, _K5_HBIT, 32)
    out["qs"] = _pack_bits(q & 0xF, _K4_BYTE, 4 * _K4_NIB, 128)
    return out.tobytes()


def _quant_sym_k(x, qneg, qpos, sneg, spos):
    """16 sub-blocks of 16, signed sub-scales (largest magnitude -> -sneg), q in -qneg..qpos."""
    b = _blocks(x, 256)
    sub = b.reshape(len(b), 16, 16)
    s = _signed_scale(sub.reshape(-1, 16), qneg, qpos).reshape(len(b), 16)
    d = _f16_away(_signed_scale(s, sneg, spos))
    r = _safe_div(s, d[:, None])  # in [-sneg, sneg]; magnitude rounded up so |d * sc| >= |s|
    sc = np.clip(np.sign(r) * np.ceil(np.abs(r) - 1e-9 * np.maximum(np.abs(r), 1)), -sneg, spos).astype(np.int64)
    dl = (d[:, None] * sc)[:, :, None]
    q = np.clip(np.rint(_safe_div(sub, dl)), -qneg, qpos).astype(np.int64).reshape(len(b), 256)
    return f16_bits(d), sc, q


def _quant_q3_k(x):
    d, sc, q = _quant_sym_k(x, 4, 3, 32, 31)
    u = q + 4  # 0..7: low 2 bits in qs, bit 2 in hmask (set = no -4)
    s6 = sc + 32  # 0..63
    scales = np.zeros((len(d), 12), dtype=np.int64)
    for i in range(16):
        scales[:, i % 8] |= (s6[:, i] & 0xF) << (4 * (i // 8))
        scales[:, 8 + i % 4] |= (s6[:, i] >> 4) << (2 * (i // 4))
    out = np.zeros(len(d), dtype=[("hmask", "u1", 32), ("qs", "u1", 64), ("scales", "u1", 12), ("d", "<u2")])
    out["hmask"] = _pack_bits(u >> 2, _K3_HBYTE, _K3_HBIT, 32)
    out["qs"] = _pack_bits(u & 3, _K2_BYTE, _K2_SHIFT, 64)
    out["scales"] = scales.astype(np.uint8)
    out["d"] = d
    return out.tobytes()


def _quant_q6_k(x):
    d, sc, q = _quant_sym_k(x, 32, 31, 128, 127)
    u = q + 32  # 0..63
    out = np.zeros(len(d), dtype=[("ql", "u1", 128), ("qh", "u1", 64), ("scales", "i1", 16), ("d", "<u2")])
    out["ql"] = _pack_bits(u & 0xF, _K6_QL, 4 * _K6_NIB, 128)
    out["qh"] = _pack_bits(u >> 4, _K6_QH, _K6_SHIFT, 64)
    out["scales"], out["d"] = sc, d
    return out.tobytes()


_QUANTISERS = {
    "F32": lambda x: np.asarray(x, dtype="<f4").tobytes(),
    "F16": lambda x: f16_bits(x).tobytes(),
    "BF16": lambda x: bf16_bits(x).tobytes(),
    "Q4_0": _quant_q4_0, "Q4_1": _quant_q4_1, "Q5_0": _quant_q5_0, "Q5_1": _quant_q5_1, "Q8_0": _quant_q8_0,
    "Q2_K": _quant_q2_k, "Q3_K": _quant_q3_k, "Q4_K": _quant_q4_k, "Q5_K": _quant_q5_k, "Q6_K": _quant_q6_k,
}


def quantize(x, type_name):
    x = np.asarray(x).reshape(-1)
    tensor_nbytes(type_name, x.size)
    return _QUANTISERS[type_name](x)


# ------------------------------------------------------------------------------ dequant reference
# Transcribed from ggml-quants.c dequantize_row_*: every product / sum is a numpy float32 operation, so it is
# rounded to float32 exactly where the C code rounds (a float result), in the same order; no FMA.

def _fp16(u16):
    return np.asarray(u16, dtype="<u2").view("<f2").astype(F32)  # exact


def _as_blocks(raw, type_name, n, dtype):
    need = tensor_nbytes(type_name, n)
    if len(raw) < need:
        raise ValueError("%s: %d bytes, need %d" % (type_name, len(raw), need))
    blk = np.frombuffer(bytes(raw[:need]), dtype=dtype)
    assert blk.dtype.itemsize == GGML_TYPES[type_name][2]
    return blk


def _deq_q4_0(raw, n):
    blk = _as_blocks(raw, "Q4_0", n, [("d", "<u2"), ("qs", "u1", 16)])
    d = _fp16(blk["d"])[:, None]
    qs = blk["qs"].astype(np.int32)
    x0 = (qs & 0x0F) - 8  # y[j]
    x1 = (qs >> 4) - 8  # y[j + 16]
    return np.concatenate([x0.astype(F32) * d, x1.astype(F32) * d], axis=1)


def _deq_q4_1(raw, n):
    blk = _as_blocks(raw, "Q4_1", n, [("d", "<u2"), ("m", "<u2"), ("qs", "u1", 16)])
    d = _fp16(blk["d"])[:, None]
    m = _fp16(blk["m"])[:, None]
    qs = blk["qs"].astype(np.int32)
    x0, x1 = qs & 0x0F, qs >> 4
    return np.concatenate([(x0.astype(F32) * d) + m, (x1.astype(F32) * d) + m], axis=1)


def _deq_q5_0(raw, n):
    blk = _as_blocks(raw, "Q5_0", n, [("d", "<u2"), ("qh", "<u4"), ("qs", "u1", 16)])
    d = _fp16(blk["d"])[:, None]
    qh = blk["qh"].astype(np.uint64)[:, None]
    j = np.arange(16, dtype=np.uint64)[None, :]
    xh_0 = ((qh >> j) << np.uint64(4)) & np.uint64(0x10)
    xh_1 = (qh >> (j + np.uint64(12))) & np.uint64(0x10)
    qs = blk["qs"].astype(np.int64)
    x0 = ((qs & 0x0F) | xh_0.astype(np.int64)) - 16
    x1 = ((qs >> 4) | xh_1.astype(np.int64)) - 16
    return np.concatenate([x0.astype(F32) * d, x1.astype(F32) * d], axis=1)


def _deq_q5_1(raw, n):
    blk = _as_blocks(raw, "Q5_1", n, [("d", "<u2"), ("m", "<u2"), ("qh", "<u4"), ("qs", "u1", 16)])
    d = _fp16(blk["d"])[:, None]
    m = _fp16(blk["m"])[:, None]
    qh = blk["qh"].astype(np.uint64)[:, None]
    j = np.arange(16, dtype=np.uint64)[None, :]
    xh_0 = ((qh >> j) << np.uint64(4)) & np.uint64(0x10)
    xh_1 = (qh >> (j + np.uint64(12))) & np.uint64(0x10)
    qs = blk["qs"].astype(np.int64)
    x0 = (qs & 0x0F) | xh_0.astype(np.int64)
    x1 = (qs >> 4) | xh_1.astype(np.int64)
    return np.concatenate([(x0.astype(F32) * d) + m, (x1.astype(F32) * d) + m], axis=1)


def _deq_q8_0(raw, n):
    blk = _as_blocks(raw, "Q8_0", n, [("d", "<u2"), ("qs", "i1", 32)])
    return blk["qs"].astype(F32) * _fp16(blk["d"])[:, None]


def _deq_q2_k(raw, n):
    blk = _as_blocks(raw, "Q2_K", n, [("scales", "u1", 16), ("qs", "u1", 64), ("d", "<u2"), ("dmin", "<u2")])
    d = _fp16(blk["d"])[:, None]
    mn = _fp16(blk["dmin"])[:, None]
    sc = blk["scales"].astype(np.int32)
    dl = d * (sc & 0xF).astype(F32)  # [nb, 16], one per 16 outputs in order
    ml = mn * (sc >> 4).astype(F32)
    # for n in 0,128: for j in 0..3 (shift 2j): 16 from q[l], then 16 from q[l+16]; q += 32
    e = np.arange(256)
    byte = 32 * (e // 128) + (e % 32)
    shift = 2 * ((e % 128) // 32)
    q = (blk["qs"].astype(np.int32)[:, byte] >> shift) & 3
    return (dl[:, e // 16] * q.astype(F32)) - ml[:, e // 16]


def _deq_q3_k(raw, n):
    blk = _as_blocks(raw, "Q3_K", n, [("hmask", "u1", 32), ("qs", "u1", 64), ("scales", "u1", 12), ("d", "<u2")])
    d_all = _fp16(blk["d"])[:, None]
    kmask1, kmask2 = np.uint32(0x03030303), np.uint32(0x0f0f0f0f)
    aux = blk["scales"].copy().view("<u4").astype(np.uint32)  # [nb, 3]
    tmp = aux[:, 2]
    a0, a1 = aux[:, 0], aux[:, 1]
    aux4 = np.stack([
        (a0 & kmask2) | (((tmp >> np.uint32(0)) & kmask1) << np.uint32(4)),
        (a1 & kmask2) | (((tmp >> np.uint32(2)) & kmask1) << np.uint32(4)),
        ((a0 >> np.uint32(4)) & kmask2) | (((tmp >> np.uint32(4)) & kmask1) << np.uint32(4)),
        ((a1 >> np.uint32(4)) & kmask2) | (((tmp >> np.uint32(6)) & kmask1) << np.uint32(4)),
    ], axis=1).astype("<u4")
    scales = np.ascontiguousarray(aux4).view(np.int8).astype(np.int32)  # [nb, 16]
    dl = d_all * (scales - 32).astype(F32)
    e = np.arange(256)
    byte = 32 * (e // 128) + (e % 32)
    shift = 2 * ((e % 128) // 32)
    hbyte = e % 32
    m = 1 << (4 * (e // 128) + (e % 128) // 32)
    low = (blk["qs"].astype(np.int32)[:, byte] >> shift) & 3
    hm = blk["hmask"].astype(np.int32)[:, hbyte] & m
    q = low - np.where(hm != 0, 0, 4)
    return dl[:, e // 16] * q.astype(F32)


def _scale_min_k4(scales):
    """get_scale_min_k4 for j = 0..7: scales [nb, 12] -> (sc [nb, 8], m [nb, 8]) ints."""
    q = scales.astype(np.int32)
    sc = np.zeros((len(q), 8), dtype=np.int32)
    mn = np.zeros((len(q), 8), dtype=np.int32)
    for j in range(8):
        if j < 4:
            sc[:, j] = q[:, j] & 63
            mn[:, j] = q[:, j + 4] & 63
        else:
            sc[:, j] = (q[:, j + 4] & 0xF) | ((q[:, j - 4] >> 6) << 4)
            mn[:, j] = (q[:, j + 4] >> 4) | ((q[:, j - 0] >> 6) << 4)
    return sc, mn


def _deq_q4_k(raw, n):
    blk = _as_blocks(raw, "Q4_K", n, [("d", "<u2"), ("dmin", "<u2"), ("scales", "u1", 12), ("qs", "u1", 128)])
    d = _fp16(blk["d"])[:, None]
    mn = _fp16(blk["dmin"])[:, None]
    sc, m = _scale_min_k4(blk["scales"])
    d1 = d * sc.astype(F32)  # [nb, 8]: one per 32 outputs
    m1 = mn * m.astype(F32)
    e = np.arange(256)
    byte = 32 * (e // 64) + e % 32
    nib = 4 * ((e % 64) // 32)
    q = (blk["qs"].astype(np.int32)[:, byte] >> nib) & 0xF
    return (d1[:, e // 32] * q.astype(F32)) - m1[:, e // 32]


def _deq_q5_k(raw, n):
    blk = _as_blocks(raw, "Q5_K", n, [("d", "<u2"), ("dmin", "<u2"), ("scales", "u1", 12), ("qh", "u1", 32),
                                      ("qs", "u1", 128)])
    d = _fp16(blk["d"])[:, None]
    mn = _fp16(blk["dmin"])[:, None]
    sc, m = _scale_min_k4(blk["scales"])
    d1 = d * sc.astype(F32)
    m1 = mn * m.astype(F32)
    e = np.arange(256)
    byte = 32 * (e // 64) + e % 32
    nib = 4 * ((e % 64) // 32)
    u = 1 << (2 * (e // 64) + (e % 64) // 32)  # u1 = 1, 4, 16, 64; u2 = 2, 8, 32, 128
    ql = (blk["qs"].astype(np.int32)[:, byte] >> nib) & 0xF
    hi = np.where((blk["qh"].astype(np.int32)[:, e % 32] & u) != 0, 16, 0)
    return (d1[:, e // 32] * (ql + hi).astype(F32)) - m1[:, e // 32]


def _deq_q6_k(raw, n):
    blk = _as_blocks(raw, "Q6_K", n, [("ql", "u1", 128), ("qh", "u1", 64), ("scales", "i1", 16), ("d", "<u2")])
    d = _fp16(blk["d"])[:, None]
    ql = blk["ql"].astype(np.int32)
    qh = blk["qh"].astype(np.int32)
    sc = blk["scales"].astype(np.int32)
    y = np.zeros((len(blk), 256), dtype=F32)
    for h in range(2):  # n = 0, 128
        L, H, S = ql[:, 64 * h:64 * h + 64], qh[:, 32 * h:32 * h + 32], sc[:, 8 * h:8 * h + 8]
        l = np.arange(32)
        is_ = l // 16
        q1 = ((L[:, l] & 0xF) | (((H[:, l] >> 0) & 3) << 4)) - 32
        q2 = ((L[:, l + 32] & 0xF) | (((H[:, l] >> 2) & 3) << 4)) - 32
        q3 = ((L[:, l] >> 4) | (((H[:, l] >> 4) & 3) << 4)) - 32
        q4 = ((L[:, l + 32] >> 4) | (((H[:, l] >> 6) & 3) << 4)) - 32
        base = 128 * h
        # d * sc[is] * q: (d * sc) first, then * q
        y[:, base + l] = (d * S[:, is_ + 0].astype(F32)) * q1.astype(F32)
        y[:, base + l + 32] = (d * S[:, is_ + 2].astype(F32)) * q2.astype(F32)
        y[:, base + l + 64] = (d * S[:, is_ + 4].astype(F32)) * q3.astype(F32)
        y[:, base + l + 96] = (d * S[:, is_ + 6].astype(F32)) * q4.astype(F32)
    return y


def _deq_f32(raw, n):
    return np.frombuffer(bytes(raw[:4 * n]), dtype="<f4").astype(F32)


def _deq_f16(raw, n):
    return np.frombuffer(bytes(raw[:2 * n]), dtype="<u2").view("<f2").astype(F32)


def _deq_bf16(raw, n):
    u = np.frombuffer(bytes(raw[:2 * n]), dtype="<u2").astype(np.uint32) << np.uint32(16)
    return u.astype("<u4").view("<f4").astype(F32)


_DEQUANTISERS = {
    "F32": _deq_f32, "F16": _deq_f16, "BF16": _deq_bf16,
    "Q4_0": _deq_q4_0, "Q4_1": _deq_q4_1, "Q5_0": _deq_q5_0, "Q5_1": _deq_q5_1, "Q8_0": _deq_q8_0,
    "Q2_K": _deq_q2_k, "Q3_K": _deq_q3_k, "Q4_K": _deq_q4_k, "Q5_K": _deq_q5_k, "Q6_K": _deq_q6_k,
}


def dequantize(raw, type_name, n):
    """The first n values of raw (a ggml row / tensor of type_name) as float32, as ggml dequantises them."""
    tensor_nbytes(type_name, n)
    y = _DEQUANTISERS[type_name](raw, n)
    assert y.dtype == F32
    return np.ascontiguousarray(y.reshape(-1)[:n])


# ------------------------------------------------------------------------- scalar loop transcription
# A second, literal transcription of the C loops (one numpy float32 scalar op at a time), only used to
# cross-check the vectorised reference above bit for bit.

def dequantize_loops(raw, type_name, n):
    raw = bytes(raw)
    _, bs, ts = GGML_TYPES[type_name]
    y = []

    def h(off):
        return np.frombuffer(raw[off:off + 2], dtype="<f2")[0].astype(F32)

    def u8(off):
        return raw[off]

    def i8(off):
        v = raw[off]
        return v - 256 if v > 127 else v

    if type_name in ("F32", "F16", "BF16"):
        return dequantize(raw, type_name, n)
    for i in range(n // bs):
        o = i * ts
        blk = [0.0] * bs
        if type_name == "Q4_0":
            d = h(o)
            for j in range(16):
                blk[j] = F32(F32((u8(o + 2 + j) & 0x0F) - 8) * d)
                blk[j + 16] = F32(F32((u8(o + 2 + j) >> 4) - 8) * d)
        elif type_name == "Q4_1":
            d, m = h(o), h(o + 2)
            for j in range(16):
                blk[j] = F32(F32(F32(u8(o + 4 + j) & 0x0F) * d) + m)
                blk[j + 16] = F32(F32(F32(u8(o + 4 + j) >> 4) * d) + m)
        elif type_name in ("Q5_0", "Q5_1"):
            d = h(o)
            m = h(o + 2) if type_name == "Q5_1" else None
            p = o + (4 if m is not None else 2)
            qh = struct.unpack_from("<I", raw, p)[0]
            qs = p + 4
            for j in range(16):
                xh_0 = ((qh >> (j + 0)) << 4) & 0x10
                xh_1 = (qh >> (j + 12)) & 0x10
                x0 = (u8(qs + j) & 0x0F) | xh_0
                x1 = (u8(qs + j) >> 4) | xh_1
                if m is None:
                    blk[j] = F32(F32(x0 - 16) * d)
                    blk[j + 16] = F32(F32(x1 - 16) * d)
                else:
                    blk[j] = F32(F32(F32(x0) * d) + m)
                    blk[j + 16] = F32(F32(F32(x1) * d) + m)
        elif type_name == "Q8_0":
            d = h(o)
            for j in range(32):
                blk[j] = F32(F32(i8(o + 2 + j)) * d)
        elif type_name == "Q2_K":
            scales, q, d, mn = o, o + 16, h(o + 80), h(o + 82)
            k, is_ = 0, 0
            for nn in range(0, 256, 128):
                shift = 0
                for j in range(4):
                    for half in (0, 16):
                        sc = u8(scales + is_)
                        is_ += 1
                        dl, ml = F32(d * F32(sc & 0xF)), F32(mn * F32(sc >> 4))
                        for l in range(16):
                            blk[k] = F32(F32(dl * F32((u8(q + l + half) >> shift) & 3)) - ml)
                            k += 1
                    shift += 2
                q += 32
        elif type_name == "Q3_K":
            hm, q, sp, d_all = o, o + 32, o + 96, h(o + 108)
            aux = list(struct.unpack_from("<3I", raw, sp)) + [0]
            tmp = aux[2]
            k1, k2 = 0x03030303, 0x0f0f0f0f
            aux[2] = ((aux[0] >> 4) & k2) | (((tmp >> 4) & k1) << 4)
            aux[3] = ((aux[1] >> 4) & k2) | (((tmp >> 6) & k1) << 4)
            aux[0] = (aux[0] & k2) | (((tmp >> 0) & k1) << 4)
            aux[1] = (aux[1] & k2) | (((tmp >> 2) & k1) << 4)
            scales = struct.unpack("<16b", struct.pack("<4I", *aux))
            k, is_, m = 0, 0, 1
            for nn in range(0, 256, 128):
                shift = 0
                for j in range(4):
                    for half in (0, 16):
                        dl = F32(d_all * F32(scales[is_] - 32))
                        is_ += 1
                        for l in range(16):
                            v = ((u8(q + l + half) >> shift) & 3) - (0 if (u8(hm + l + half) & m) else 4)
                            blk[k] = F32(dl * F32(v))
                            k += 1
                    shift += 2
                    m <<= 1
                q += 32
        elif type_name in ("Q4_K", "Q5_K"):
            d, mn = h(o), h(o + 2)
            sc_off = o + 4
            five = type_name == "Q5_K"
            qh = o + 16
            ql = o + (48 if five else 16)

            def gsm(j):
                qq = raw[sc_off:sc_off + 12]
                if j < 4:
                    return qq[j] & 63, qq[j + 4] & 63
                return (qq[j + 4] & 0xF) | ((qq[j - 4] >> 6) << 4), (qq[j + 4] >> 4) | ((qq[j] >> 6) << 4)

            k, is_, u1, u2 = 0, 0, 1, 2
            for j in range(0, 256, 64):
                sc, m = gsm(is_)
                d1, m1 = F32(d * F32(sc)), F32(mn * F32(m))
                sc, m = gsm(is_ + 1)
                d2, m2 = F32(d * F32(sc)), F32(mn * F32(m))
                for l in range(32):
                    v = (u8(ql + l) & 0xF) + ((16 if u8(qh + l) & u1 else 0) if five else 0)
                    blk[k] = F32(F32(d1 * F32(v)) - m1)
                    k += 1
                for l in range(32):
                    v = (u8(ql + l) >> 4) + ((16 if u8(qh + l) & u2 else 0) if five else 0)
                    blk[k] = F32(F32(d2 * F32(v)) - m2)
                    k += 1
                ql += 32
                is_ += 2
                u1 <<= 2
                u2 <<= 2
        elif type_name == "Q6_K":
            ql, qh, sc, d = o, o + 128, o + 192, h(o + 208)
            base = 0
            for nn in range(0, 256, 128):
                for l in range(32):
                    is_ = l // 16
                    q1 = ((u8(ql + l) & 0xF) | (((u8(qh + l) >> 0) & 3) << 4)) - 32
                    q2 = ((u8(ql + l + 32) & 0xF) | (((u8(qh + l) >> 2) & 3) << 4)) - 32
                    q3 = ((u8(ql + l) >> 4) | (((u8(qh + l) >> 4) & 3) << 4)) - 32
                    q4 = ((u8(ql + l + 32) >> 4) | (((u8(qh + l) >> 6) & 3) << 4)) - 32
                    blk[base + l] = F32(F32(d * F32(i8(sc + is_ + 0))) * F32(q1))
                    blk[base + l + 32] = F32(F32(d * F32(i8(sc + is_ + 2))) * F32(q2))
                    blk[base + l + 64] = F32(F32(d * F32(i8(sc + is_ + 4))) * F32(q3))
                    blk[base + l + 96] = F32(F32(d * F32(i8(sc + is_ + 6))) * F32(q4))
                base += 128
                ql += 64
                qh += 32
                sc += 8
        y += blk
    return np.array(y, dtype=F32)


# ------------------------------------------------------------------------------------- bad files

BAD_KINDS = ("bad_magic", "bad_version", "truncated_header", "truncated_data", "unaligned_offset",
             "bad_tensor_type", "huge_string_length", "huge_tensor_count", "bad_bool")


def make_bad_gguf(kind):
    """A small malformed GGUF (one string key, one F32 tensor [4]) broken in one way."""
    def base():
        w = GGUFWriter()
        w.add("general.architecture", "llama", "string")
        w.add("test.flag", True, "bool")
        w.add_tensor("t", np.arange(4, dtype=np.float32), "F32")
        return bytearray(w.to_bytes())

    b = base()
    key_at = 24  # first key's length field follows magic, version, tensor_count, kv_count
    info_at = b.index(b"\x01\x00\x00\x00\x00\x00\x00\x00t")  # tensor name length 1, then "t"
    if kind == "bad_magic":
        b[0:4] = b"GGUG"
    elif kind == "bad_version":
        b[4:8] = struct.pack("<I", 99)
    elif kind == "truncated_header":
        b = b[:info_at + 4]
    elif kind == "truncated_data":
        b = b[:len(b) - 32 + 8]  # the 16-byte tensor loses its last 8 bytes (and the padding)
    elif kind == "unaligned_offset":
        struct.pack_into("<Q", b, info_at + 9 + 4 + 8 + 4, 4)
    elif kind == "bad_tensor_type":
        struct.pack_into("<I", b, info_at + 9 + 4 + 8, 1000)
    elif kind == "huge_string_length":
        struct.pack_into("<Q", b, key_at, 1 << 62)
    elif kind == "huge_tensor_count":
        struct.pack_into("<Q", b, 8, 1 << 60)
    elif kind == "bad_bool":
        at = b.index(b"test.flag") + len(b"test.flag") + 4
        b[at] = 2
    else:
        raise ValueError(kind)
    return bytes(b)
