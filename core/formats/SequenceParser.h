#pragma once
// Numeric sequences typed by a person or read from files.
//   inline scalars  "1,2,3,4"          -> N=4, d=1   labels "1","2","3","4" (the numbers as written)
//   inline vectors  "1,2;2,3;3,4"      -> N=3, d=2   labels "[1,2]","[2,3]","[3,4]" (d<=4), else "#0","#1"...
//   CSV             one row per element; an optional header row (any non-numeric cell in the first
//                   row); an optional label column (a first column whose cells are not all numeric);
//                   separators ',' ';' or tab; blank lines and lines starting with '#' skipped.
//   npy             1-D (N scalars) or 2-D (N x d) arrays.
// Errors name the row and column ("line 3, column 2: 'abc' is not a number"; "NaN at row 4";
// "row 3 has 2 values, row 1 has 3"); NaN and Inf are rejected; empty input is an error.
#include "Expected.h"
#include "NpyArray.h"
#include "Sequence.h"

#include <string>

namespace attn {

class SequenceParser {
public:
    static Expected<Sequence> parseInline(const std::string& text);
    static Expected<Sequence> parseCsv(const std::string& text, const std::string& sourceName);
    static Expected<Sequence> fromNpy(const NpyArray& array, const std::string& sourceName);
    // Reads a file by its extension: .npy, otherwise CSV.
    static Expected<Sequence> readFile(const std::string& path);
};

} // namespace attn
