#!/usr/bin/python3
"""Writes tests/data/bad_inputs.json: hostile and malformed inputs with the exact message and exit
code each must give (tests/cli/tst_bad_inputs.cpp runs every case through the CLI and checks
that no output file appears). Binary files are stored base64-encoded; large ones are generated
by the test from a small recipe ("repeat") so the table stays small. Run once; commit the output.

Placeholders in args: {dir} the test's temporary folder, {model} the bundled stories260K folder, {fixtures} tests/fixtures.
"""
import base64
import json
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "bad_inputs.json")


def b64(data):
    return {"base64": base64.b64encode(data).decode()}


def text(s):
    return {"text": s}


def npy(descr, shape, payload, magic=b"\x93NUMPY"):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header = header.encode()
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return magic + b"\x01\x00" + struct.pack("<H", len(header)) + header + payload


def safetensors(header_json, data, declared_len=None):
    h = header_json.encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    n = len(h) if declared_len is None else declared_len
    return struct.pack("<Q", n) + h + data


def mha(e, dtype="F32", in_shape=None, offsets=None, drop=None):
    """A torch.nn.MultiheadAttention state_dict for dimension e, all zeros."""
    tensors = [("in_proj_weight", in_shape or [3 * e, e]), ("in_proj_bias", [3 * e]),
               ("out_proj.weight", [e, e]), ("out_proj.bias", [e])]
    header, off = {}, 0
    for name, shape in tensors:
        if name == drop:
            continue
        size = 4
        for d in shape:
            size *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + size]}
        off += size
    if offsets:
        header["in_proj_weight"]["data_offsets"] = offsets
    return safetensors(json.dumps(header, sort_keys=True), b"\0" * off)


def llama_header(dim, hidden, layers, heads, kv, vocab, seq):
    return struct.pack("<7i", dim, hidden, layers, heads, kv, vocab, seq)


def png(width, height, rows=None, idat=None):
    """A PNG with an honest IHDR (8-bit RGB) and the given IDAT (default: the rows, compressed)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    if idat is None:
        idat = zlib.compress(b"".join(b"\0" + bytes(r) for r in rows))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def gradient(width, height):
    return [[v for x in range(width) for v in (x * 255 // (width - 1), y * 255 // (height - 1), (x * y) % 256)]
            for y in range(height)]


cases = []


def case(name, args, code, message, files=None, no_output="{dir}/out.npy"):
    cases.append({"name": name, "args": args, "files": files or {}, "exit": code, "message": message,
                  "no_output": no_output})


D = ["dump", "--out", "{dir}/out.npy"]
case("empty text", D + ["--text", ""], 1, "has no tokens")
case("whitespace only", D + ["--text", "  \t  \n "], 1, "has no tokens")
case("200 000 tokens", D + ["--text-file", "{dir}/big.txt"], 1, "more than the memory budget",
     {"big.txt": {"repeat": "tok ", "count": 200000}})
case("memory limit refuses", D + ["--text-file", "{dir}/k.txt", "--heads", "8", "--memory-limit", "1"], 1,
     "more than the memory budget of 1 MiB", {"k.txt": {"repeat": "word ", "count": 1000}})
case("NaN in a sequence", D + ["--sequence", "1,nan,3"], 1, "NaN")
case("Inf in a sequence", D + ["--sequence", "1;inf"], 1, "Inf")
case("NaN in a CSV", D + ["--sequence-file", "{dir}/nan.csv"], 1, "NaN", {"nan.csv": text("1,2\nnan,3\n")})
case("ragged CSV rows", D + ["--sequence-file", "{dir}/ragged.csv"], 1, "line 2", {"ragged.csv": text("1,2\n3\n")})
case("empty CSV", D + ["--sequence-file", "{dir}/empty.csv"], 1, "empty", {"empty.csv": text("")})
case("text in a CSV", D + ["--sequence-file", "{dir}/words.csv"], 1, "is not a number",
     {"words.csv": text("1,2\n3,four\n")})
case("mixed vector dimensions", D + ["--sequence", "1,2;3,4,5"], 1, "element 2 has 3 values")
case("ratio with negative scores", D + ["--sequence", "1,-2;3,4", "--score", "dot", "--norm", "ratio"], 1,
     "the ratio normaliser needs non-negative scores")
case("window 0", D + ["--text", "a b c", "--scope", "local:0"], 1, "the window W must be at least 1 (got 0)")
case("negative window", D + ["--text", "a b c", "--scope", "local:-2"], 1, "the window W must be at least 1 (got -2)")
case("negative global tokens", D + ["--text", "a b c", "--scope", "hybrid:2:-1"], 1,
     "the number of global tokens G must be 0 or more")
case("heads not dividing the dimension", D + ["--text", "a b c", "--heads", "3"], 1,
     "3 heads do not divide the model dimension 64")
case("temperature 0", D + ["--text", "a b", "--temperature", "0"], 1, "the temperature must be a positive number (got 0)")
case("negative temperature", D + ["--text", "a b", "--temperature", "-1.5"], 1, "(got -1.5)")
case("zero heads", D + ["--text", "a b", "--heads", "0"], 2, "--heads must be at least 1")
case("top-k 0", D + ["--text", "a b", "--combine", "soft-selection", "--top-k", "0"], 2, "--top-k must be at least 1")
case("unknown score", D + ["--text", "a b", "--score", "quantum"], 2, "--score: 'quantum' is not one of")
case("query dimension mismatch", D + ["--sequence", "1,2;3,4", "--queries-sequence", "1,2,3;"], 1,
     "the queries have dimension 3 but the inputs (keys) have dimension 2")
case("npy bad magic", D + ["--npy", "{dir}/bad.npy"], 1, "bad.npy", {"bad.npy": b64(npy("<f4", "(2,)", b"\0" * 8, b"\x93NUMPX"))})
case("npy int64", D + ["--npy", "{dir}/int.npy"], 1, "dtype '<i8' is not supported",
     {"int.npy": b64(npy("<i8", "(2,)", b"\0" * 16))})
case("npy 3-D", D + ["--npy", "{dir}/cube.npy"], 1, "cube.npy", {"cube.npy": b64(npy("<f4", "(2, 2, 2)", b"\0" * 32))})
case("npy truncated", D + ["--npy", "{dir}/short.npy"], 1, "short.npy", {"short.npy": b64(npy("<f4", "(4, 2)", b"\0" * 20))})
case("npy NaN", D + ["--npy", "{dir}/nan.npy"], 1, "NaN",
     {"nan.npy": b64(npy("<f4", "(2,)", struct.pack("<2f", 1.0, float("nan"))))})
case("missing text file", D + ["--text-file", "{dir}/nothing.txt"], 1, "no such file")
case("directory as a sequence file", D + ["--sequence-file", "{dir}"], 1, "is a directory")
P = D + ["--sequence", "1,2,3,4;5,6,7,8", "--projection"]
case("truncated safetensors", P + ["{dir}/trunc.safetensors"], 1, "trunc.safetensors",
     {"trunc.safetensors": b64(mha(4)[:-100])})
case("safetensors offsets past the end", P + ["{dir}/past.safetensors"], 1, "past.safetensors",
     {"past.safetensors": b64(mha(4, offsets=[0, 1 << 40]))})
case("safetensors header claims 1 TB", P + ["{dir}/tb.safetensors"], 1, "tb.safetensors",
     {"tb.safetensors": b64(safetensors("{}", b"", declared_len=1 << 40))})
case("safetensors wrong dtype", P + ["{dir}/i64.safetensors"], 1, "I64",
     {"i64.safetensors": b64(mha(4, dtype="I64"))})
case("projection disagrees with the input", P + ["{dir}/e8.safetensors"], 1,
     "the projection expects vectors of dimension 8, the input has dimension 4",
     {"e8.safetensors": b64(mha(8))})
case("safetensors without in_proj_weight", P + ["{dir}/none.safetensors"], 1, "no tensor 'in_proj_weight'",
     {"none.safetensors": b64(mha(4, drop="in_proj_weight"))})
case("safetensors header not JSON", P + ["{dir}/garbage.safetensors"], 1, "garbage.safetensors",
     {"garbage.safetensors": b64(safetensors("this is not json at all!", b""))})
M = D + ["--text", "hello", "--model"]
case("unknown architecture (Hugging Face folder)", M + ["{dir}/hf"], 1,
     "unsupported architecture 'mamba' in config.json; supported: bert, roberta, distilbert, gpt2, llama, mistral, "
     "qwen2, gemma2, phi3, vit, deit (and llama2.c .bin checkpoints)",
     {"hf/config.json": text('{"model_type": "mamba"}'), "hf/model.safetensors": text("")})
case("Hugging Face folder without weights", M + ["{dir}/noweights"], 1,
     "has config.json but no model.safetensors or model.safetensors.index.json",
     {"noweights/config.json": text('{"model_type": "gpt2", "vocab_size": 10, "n_embd": 8, "n_layer": 1, "n_head": 2}')})

# GGUF files (tests/tools/gguf_writer.py's malformed files) through --model: the reader's messages.
sys.path.insert(0, HERE)
import gguf_writer  # noqa: E402



def mamba_gguf():
    w = gguf_writer.GGUFWriter()
    w.add("general.architecture", "mamba", "string")
    return w.to_bytes()


for kind, message in [
        ("bad_magic", 'bad_magic.gguf: not a GGUF file (it does not start with "GGUF")'),
        ("bad_version", "bad_version.gguf: GGUF version 99 is not supported (only 2 and 3)"),
        ("truncated_header", "truncated_header.gguf: the file ends inside the length of the name of tensor 0 (at byte 91 of 95)"),
        ("truncated_data", "truncated_data.gguf: tensor 't': its data (offset 0, 16 bytes) runs past the end of the file (8 bytes of tensor data)"),
        ("unaligned_offset", "unaligned_offset.gguf: tensor 0 ('t') starts at offset 4, not a multiple of the alignment 32"),
        ("bad_tensor_type", "bad_tensor_type.gguf: tensor 0 ('t') has an unknown tensor type 1000; supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K"),
        ("huge_string_length", "huge_string_length.gguf: the key of metadata entry 0 is 4611686018427387904 bytes long but only 128 bytes are left in the file"),
        ("huge_tensor_count", "huge_tensor_count.gguf: the header says 1152921504606846976 tensors; a file of 160 bytes cannot hold that many"),
        ("bad_bool", "bad_bool.gguf: 'test.flag' is a bool of value 2; it must be 0 or 1")]:
    case("GGUF " + kind.replace("_", " "), M + ["{dir}/%s.gguf" % kind], 1, message,
         {kind + ".gguf": b64(gguf_writer.make_bad_gguf(kind))})
case("GGUF of an unsupported architecture", M + ["{dir}/arch.gguf"], 1,
     "arch.gguf: unsupported architecture 'mamba'; supported: llama (Llama 2/3, Mistral), qwen2, gemma2, phi3",
     {"arch.gguf": b64(mamba_gguf())})


def tiny_gpt2(wte_shape=(8, 4), cut=None, claim=None, dtype="F32"):
    """A 1-layer GPT-2 folder (n_embd 4, vocab 8) with zero weights; wte_shape may disagree with config.json."""
    tensors = [("wte.weight", list(wte_shape)), ("wpe.weight", [8, 4])]
    for name, shape in [("ln_1.weight", [4]), ("ln_1.bias", [4]), ("attn.c_attn.weight", [4, 12]),
                        ("attn.c_attn.bias", [12]), ("attn.c_proj.weight", [4, 4]), ("attn.c_proj.bias", [4]),
                        ("ln_2.weight", [4]), ("ln_2.bias", [4]), ("mlp.c_fc.weight", [4, 16]), ("mlp.c_fc.bias", [16]),
                        ("mlp.c_proj.weight", [16, 4]), ("mlp.c_proj.bias", [4])]:
        tensors.append(("h.0." + name, shape))
    tensors += [("ln_f.weight", [4]), ("ln_f.bias", [4])]
    header, off = {}, 0
    for name, shape in tensors:
        size = 8 if dtype == "I64" else 4
        for d in shape:
            size *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + size]}
        off += size
    if claim:
        header["wte.weight"]["data_offsets"] = [0, claim]
    data = safetensors(json.dumps(header, sort_keys=True), b"\0" * off)
    if cut:
        data = data[:cut]
    config = {"model_type": "gpt2", "vocab_size": 8, "n_embd": 4, "n_layer": 1, "n_head": 1, "n_positions": 8,
              "bos_token_id": 7, "eos_token_id": 7}
    vocab = {t: i for i, t in enumerate(["h", "e", "l", "o", "\u0120", "a", "b", "<|endoftext|>"])}
    return {"config.json": text(json.dumps(config)), "model.safetensors": b64(data),
            "vocab.json": text(json.dumps(vocab)), "merges.txt": text("#version: 0.2\n")}


def folder(name, files):
    return {name + "/" + k: v for k, v in files.items()}


case("Hugging Face config disagreeing with the weights", M + ["{dir}/shape"], 1,
     "tensor 'wte.weight' has shape [8, 5] but config.json implies [8, 4]", folder("shape", tiny_gpt2(wte_shape=(8, 5))))
case("Hugging Face config with a number beyond a double", M + ["{dir}/big"], 1,
     "config.json: not valid JSON ([json.exception.out_of_range.406] number overflow parsing '1e400')",
     {"big/config.json": text('{"model_type": "gpt2", "n_embd": 1e400}'), "big/model.safetensors": text("")})
case("Hugging Face safetensors truncated", M + ["{dir}/cut"], 1,
     "cut/model.safetensors: the header length 1312 bytes is larger than the rest of the file (192 bytes after the 8-byte length)",
     folder("cut", tiny_gpt2(cut=200)))
case("Hugging Face safetensors claiming 1 TB", M + ["{dir}/tb"], 1,
     "tb/model.safetensors: tensor 'wte.weight': data_offsets [0, 1099511627776] run past the end of the data section (1264 bytes)",
     folder("tb", tiny_gpt2(claim=1 << 40)))
case("Hugging Face weights of the wrong dtype", M + ["{dir}/i64"], 1,
     "model.safetensors: tensor 'wte.weight' has dtype I64; model weights must be F32, F16 or BF16", folder("i64", tiny_gpt2(dtype="I64")))
case("safetensors checkpoint without config.json", M + ["{dir}/noconfig/model.safetensors"], 1,
     "a Hugging Face checkpoint needs its config.json", {"noconfig/model.safetensors": b64(mha(4))})
case("truncated llama2.c checkpoint", M + ["{dir}/trunc/model.bin"], 1, "truncated",
     {"trunc/model.bin": b64(llama_header(8, 16, 1, 2, 2, 32, 16) + b"\0" * 100),
      "trunc/tokenizer.bin": text("")})
case("llama2.c header claiming terabytes", M + ["{dir}/huge/model.bin"], 1, "TB",
     {"huge/model.bin": b64(llama_header(65536, 65536, 1024, 512, 512, 1000000, 4096)),
      "huge/tokenizer.bin": text("")})
case("llama2.c heads not dividing dim", M + ["{dir}/heads/model.bin"], 1, "model.bin",
     {"heads/model.bin": b64(llama_header(10, 16, 1, 3, 3, 32, 16)), "heads/tokenizer.bin": text("")})
case("model folder without a tokenizer", M + ["{dir}/notok"], 1, "no tokenizer",
     {"notok/model.bin": b64(llama_header(8, 16, 1, 2, 2, 32, 16))})
case("model folder without a checkpoint", M + ["{dir}/nockpt"], 1, "no llama2.c checkpoint",
     {"nockpt/tokenizer.bin": text("")})
# Mermaid diagrams (the pipeline view). Syntax errors are refused with line and column; cycles,
# self-loops and redefined nodes are valid Mermaid, so they are drawn (exit 0, the SVG written)
# with a warning naming what looks unintended.
P = ["export", "--view", "pipeline", "--out", "{dir}/out.svg", "--mermaid"]
def mermaid(name, body, code, message, no_output="{dir}/out.svg", file=None):
    case(name, P + ["{dir}/d.mmd"], code, message, file or {"d.mmd": text(body)}, no_output)
mermaid("Mermaid: a link without a target", "flowchart TD\n A-->\n", 1,
        "d.mmd: line 2, column 6: expected a node after '-->', found end of line")
mermaid("Mermaid: an unclosed label", "flowchart TD\n A[label --> B\n", 1,
        "line 2, column 15: expected ']' to close the node label opened at column 3, found end of line")
mermaid("Mermaid: not a flowchart", "sequenceDiagram\n A->>B: hi\n", 1,
        "line 1, column 1: expected 'graph' or 'flowchart', found 'sequenceDiagram'")
mermaid("Mermaid: empty file", "", 1, "line 1, column 1: expected 'graph' or 'flowchart', found end of input")
mermaid("Mermaid: unclosed subgraph", "flowchart TD\n subgraph one\n A-->B\n", 1,
        "expected 'end' to close the subgraph 'one' opened on line 2, found end of input")
mermaid("Mermaid: linkStyle past the last link", "flowchart TD\n A-->B\n linkStyle 5 stroke:red\n", 1,
        "line 3, column 12: expected a link index between 0 and 0, found 5")
mermaid("Mermaid: a cycle is drawn, with a warning", "flowchart TD\n A-->B-->C-->A\n", 0,
        "warning: {dir}/d.mmd: the diagram has a cycle: A \u2192 B \u2192 C \u2192 A; the layout reverses one of its edges",
        no_output="")
mermaid("Mermaid: a self-loop is drawn, with a warning", "flowchart TD\n A-->B\n B-->B\n", 0,
        "line 3, column 3: node 'B' has an edge to itself", no_output="")
mermaid("Mermaid: duplicate ids, the later definition wins", "flowchart TD\n A[x]-->B\n A[y]-->C\n", 0,
        "line 3, column 3: node 'A' is defined again as 'y' (first defined on line 2 as 'x')", no_output="")
mermaid("Mermaid: a 10 000-node diagram is laid out", None, 0, "", no_output="",
        file={"d.mmd": {"header": "flowchart TD\n", "numbered": " n{i} --> n{next}\n", "count": 9999}})
mermaid("Mermaid: 10 001 nodes are refused", None, 1,
        "line 10001, column 12: expected at most 10000 nodes, found node 10001 'n10000'",
        file={"d.mmd": {"header": "flowchart TD\n", "numbered": " n{i} --> n{next}\n", "count": 10000}})
I = D + ["--patch", "16", "--image"]
GOOD_PNG = png(48, 32, gradient(48, 32))
case("corrupt PNG", I + ["{dir}/corrupt.png"], 1, "corrupt.png': corrupt or truncated (Qt: ",
     {"corrupt.png": b64(png(48, 32, idat=b"\x78\x9c" + b"\xde\xad\xbe\xef" * 40))})
case("0x0 PNG", I + ["{dir}/zero.png"], 1, "zero.png': is 0×0 pixels",
     {"zero.png": b64(png(0, 0, idat=zlib.compress(b"")))})
case("1x1 PNG is smaller than a patch", I + ["{dir}/one.png"], 1,
     "the image (1 x 1 pixels) is smaller than one patch (16 x 16)", {"one.png": b64(png(1, 1, [[10, 20, 30]]))})
case("PNG header claiming 30000x30000", I + ["{dir}/huge.png"], 1,
     "huge.png': is 30000×30000 (900 megapixels), more than the 100-megapixel limit",
     {"huge.png": b64(png(30000, 30000, idat=zlib.compress(b"\0" * 1000)))})
case("truncated PNG", I + ["{dir}/half.png"], 1, "half.png': corrupt or truncated (Qt: ",
     {"half.png": b64(GOOD_PNG[:len(GOOD_PNG) // 2])})
case("unsupported image format", I + ["{dir}/words.png"], 1,
     "words.png': not a supported image format (supported: ", {"words.png": text("plain words, not a picture\n")})
case("empty image file", I + ["{dir}/empty.jpg"], 1, "empty.jpg': file is empty", {"empty.jpg": text("")})
case("patch option without a picture", D + ["--text", "a b", "--patch", "8"], 2, "--patch is for image inputs (--image F)")
case("a good picture is fine", I + ["{dir}/good.png"], 0, "", {"good.png": b64(GOOD_PNG)}, no_output="")
S = ["session", "--check"]
case("session from a newer version", S + ["{dir}/new.attnscope"], 1, "the session is from a newer AttnScope",
     {"new.attnscope": text('{"format": "attnscope-session", "version": 7, "input": {"type": "text", "text": "a"}, "mechanism": {}}')},
     no_output="")
case("session whose input file is gone", S + ["{dir}/gone.attnscope"], 1, "input file '/nonexistent/input.csv' is gone",
     {"gone.attnscope": text('{"format": "attnscope-session", "version": 1, "input": {"type": "sequence-file", "path": "/nonexistent/input.csv"}, "mechanism": {}}')},
     no_output="")
case("session whose picture is gone", S + ["{dir}/gone-image.attnscope"], 1,
     "input file '/nonexistent/picture.png' is gone",
     {"gone-image.attnscope": text('{"format": "attnscope-session", "version": 1, "input": {"type": "image", "path": "/nonexistent/picture.png", "patch": 16}, "mechanism": {}}')},
     no_output="")
case("session whose ViT model is gone", S + ["{dir}/gone-model.attnscope"], 1,
     "the session's model '/nonexistent/vit' is gone",
     {"gone-model.attnscope": text('{"format": "attnscope-session", "version": 1, "input": {"type": "image", "path": "samples/images/shapes.png", "model": "/nonexistent/vit"}, "mechanism": {}}')},
     no_output="")
case("session with a bad picture fit", S + ["{dir}/fit.attnscope"], 1, "input.fit: 'stretch' is not one of crop, pad",
     {"fit.attnscope": text('{"format": "attnscope-session", "version": 1, "input": {"type": "image", "path": "x.png", "fit": "stretch"}, "mechanism": {}}')},
     no_output="")
case("session with a zero patch size", S + ["{dir}/patch.attnscope"], 1, "input.patch must be at least 1 (got 0)",
     {"patch.attnscope": text('{"format": "attnscope-session", "version": 1, "input": {"type": "image", "path": "x.png", "patch": 0}, "mechanism": {}}')},
     no_output="")
case("session that is not JSON", S + ["{dir}/junk.attnscope"], 1, "not an AttnScope session",
     {"junk.attnscope": b64(b"\x00\x01\x02garbage")}, no_output="")
case("session with a typo in the mechanism", S + ["{dir}/typo.attnscope"], 1, "mechanism: unknown key 'hedas'",
     {"typo.attnscope": text('{"format": "attnscope-session", "version": 1, "input": {"type": "text", "text": "a"}, "mechanism": {"hedas": 2}}')},
     no_output="")


def analysis_session(analysis):
    return text(json.dumps({"format": "attnscope-session", "version": 1, "input": {"type": "text", "text": "a b"},
                            "mechanism": {}, "view": {"analysis": analysis}}))


case("session with a rollout discard ratio of 1.5", S + ["{dir}/discard.attnscope"], 1,
     'view.analysis: rollout "discard" is 1.5; it must be in [0, 1)',
     {"discard.attnscope": analysis_session({"rollout": {"fusion": "mean", "discard": 1.5}})}, no_output="")
case("session with an unknown head fusion", S + ["{dir}/fusion.attnscope"], 1,
     "view.analysis: rollout: unknown head fusion 'median' (expected mean, min or max)",
     {"fusion.attnscope": analysis_session({"rollout": {"fusion": "median"}})}, no_output="")
case("session with a token toggle that is not a boolean", S + ["{dir}/toggle.attnscope"], 1,
     'view.analysis: "drop_first" must be true or false',
     {"toggle.attnscope": analysis_session({"drop_first": "yes"})}, no_output="")
case("output folder missing", ["dump", "--text", "a b", "--out", "{dir}/no/such/folder/out.npy"], 1, "cannot write",
     no_output="{dir}/no/such/folder/out.npy")
case("one token is fine", D + ["--text", "hello"], 0, "", no_output="")
case("invalid UTF-8 is tolerated", D + ["--text-file", "{dir}/latin1.txt"], 0, "",
     {"latin1.txt": b64(b"caf\xe9 na\xefve \xff\xfe ok")}, no_output="")

with open(OUT, "w", encoding="utf-8") as f:
    json.dump({"about": "Bad inputs and the exact message each must give; made by tests/tools/make_bad_inputs.py",
               "cases": cases}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(cases), "cases ->", os.path.normpath(OUT))
