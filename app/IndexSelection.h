#pragma once
// A command line's choice of layers or heads: "all", or a list of indices and ranges ("0,3-5,7").
// parse() checks the syntax before anything runs; resolve() checks the indices against the model's
// count once it is known, and gives them in order without repeats.
#include <QString>

#include <optional>
#include <vector>

class IndexSelection {
public:
    // what: "--layer" or "--head" (named in messages); text empty means all.
    static std::optional<IndexSelection> parse(const QString& what, const QString& text, QString& error);
    // The indices within 0..count-1, or an error naming the first one outside (noun: "layers").
    std::optional<std::vector<int>> resolve(int count, const QString& noun, QString& error) const;
    bool all() const { return m_all; }

private:
    QString m_what;
    bool m_all = true;
    std::vector<std::pair<int, int>> m_ranges; // inclusive
};
