// libFuzzer harness: Llama2cCheckpoint::fromBytes on an arbitrary file image. A checkpoint that
// loads must have the shapes its header promises.
#include "FuzzCommon.h"

#include "Llama2cCheckpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > attn::fuzz::kMaxFuzzInput)
        return -1;
    const auto ckpt = attn::Llama2cCheckpoint::fromBytes(attn::fuzz::asString(data, size), "fuzz.bin");
    if (!ckpt) {
        FUZZ_CHECK(ckpt.error().rfind("fuzz.bin", 0) == 0); // every message starts with the file's name
        return 0;
    }
    const auto& c = ckpt->config();
    FUZZ_CHECK(c.dim > 0 && c.hiddenDim > 0 && c.layers > 0 && c.heads > 0 && c.kvHeads > 0);
    FUZZ_CHECK(c.vocabSize > 0 && c.seqLen > 0);
    FUZZ_CHECK(c.dim % c.heads == 0 && c.heads % c.kvHeads == 0);
    FUZZ_CHECK(ckpt->tokenEmbedding().rows() == c.vocabSize && ckpt->tokenEmbedding().cols() == c.dim);
    FUZZ_CHECK(ckpt->classifier().rows() == c.vocabSize && ckpt->classifier().cols() == c.dim);
    FUZZ_CHECK(ckpt->rmsFinal().size() == c.dim);
    FUZZ_CHECK(ckpt->layers().size() == static_cast<size_t>(c.layers));
    for (const auto& l : ckpt->layers()) {
        FUZZ_CHECK(l.rmsAtt.size() == c.dim && l.rmsFfn.size() == c.dim);
        FUZZ_CHECK(l.wq.rows() == c.dim && l.wq.cols() == c.dim);
        FUZZ_CHECK(l.wk.rows() == c.kvDim() && l.wk.cols() == c.dim);
        FUZZ_CHECK(l.wv.rows() == c.kvDim() && l.wv.cols() == c.dim);
        FUZZ_CHECK(l.wo.rows() == c.dim && l.wo.cols() == c.dim);
        FUZZ_CHECK(l.w1.rows() == c.hiddenDim && l.w1.cols() == c.dim);
        FUZZ_CHECK(l.w2.rows() == c.dim && l.w2.cols() == c.hiddenDim);
        FUZZ_CHECK(l.w3.rows() == c.hiddenDim && l.w3.cols() == c.dim);
        FUZZ_CHECK(l.wq.allFinite() && l.w2.allFinite());
    }
    FUZZ_CHECK(ckpt->parameterCount() > 0);
    return 0;
}
