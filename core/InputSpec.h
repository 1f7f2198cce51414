#pragma once
// Where the input comes from, as plain data (filled by the CLI, the GUI's Input panel, samples
// and sessions). InputBuilder turns it into an AttentionInput.
#include "TextTokenizer.h"

#include <string>

namespace attn {

enum class InputKind {
    Text,         // `text` is the text
    TextFile,     // `path` is a UTF-8 text file
    Sequence,     // `text` is an inline sequence "1,2,3" or "1,2;2,3"
    SequenceFile, // `path` is a CSV or .npy file
    Model,        // `path` is a checkpoint file or folder, `text` the prompt (ModelRunner)
};

struct InputSpec {
    InputKind kind = InputKind::Text;
    std::string text;
    std::string path;
    TokenizerKind tokenizer = TokenizerKind::Word;
    bool positions = false; // add sinusoidal positions to text embeddings

    // Cross-attention: a second source giving the queries (keys and values come from the above).
    InputKind queryKind = InputKind::Sequence;
    std::string queryText; // empty and queryPath empty: self-attention
    std::string queryPath;

    bool isCross() const { return !queryText.empty() || !queryPath.empty(); }
};

const char* toString(InputKind);

} // namespace attn
