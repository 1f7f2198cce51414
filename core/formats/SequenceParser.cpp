#include "SequenceParser.h"

#include "FileBytes.h"
#include "NpyFile.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string_view>
#include <system_error>

namespace attn {

namespace {

constexpr uint64_t kMaxNpyBytes = uint64_t { 2 } << 30; // 2 GiB
constexpr uint64_t kMaxCsvBytes = uint64_t { 512 } << 20; // 512 MiB
constexpr size_t kMaxCsvRows = 1'000'000;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

// A cell's text for a message: quoted, with long text shortened.
std::string shown(std::string_view text)
{
    std::string out = "'";
    out += text.size() > 40 ? std::string(text.substr(0, 40)) + "..." : std::string(text);
    return out + "'";
}

enum class NumberStatus { Ok, Empty, NotNumber, NaN, Inf, OutOfRange };

struct Number {
    NumberStatus status = NumberStatus::NotNumber;
    float value = 0.0f;
};

// Parses one trimmed token as a finite float32: "1", "+2", "-3.5", ".5", "1e-3".
Number parseNumber(std::string_view text)
{
    if (text.empty())
        return { NumberStatus::Empty };
    std::string_view t = text;
    if (t.front() == '+') {
        t.remove_prefix(1);
        if (t.empty() || t.front() == '+' || t.front() == '-')
            return { NumberStatus::NotNumber };
    }
    double v = 0.0;
    const char* end = t.data() + t.size();
    const auto [ptr, ec] = std::from_chars(t.data(), end, v);
    if (ec == std::errc::invalid_argument || ptr != end)
        return { NumberStatus::NotNumber };
    if (ec == std::errc::result_out_of_range) {
        // Either too large (an error) or too small (rounds to zero). Tell them apart by the exponent,
        // or, without one, by whether the integer part is zero.
        const size_t e = t.find_first_of("eE");
        bool underflow;
        if (e != std::string_view::npos) {
            underflow = e + 1 < t.size() && t[e + 1] == '-';
        } else {
            const std::string_view mantissa = t.substr(t.front() == '-' ? 1 : 0);
            const std::string_view integer = mantissa.substr(0, mantissa.find('.'));
            underflow = integer.find_first_not_of('0') == std::string_view::npos;
        }
        if (!underflow)
            return { NumberStatus::OutOfRange };
        return { NumberStatus::Ok, t.front() == '-' ? -0.0f : 0.0f };
    }
    if (std::isnan(v))
        return { NumberStatus::NaN };
    if (std::isinf(v))
        return { NumberStatus::Inf };
    if (std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max()))
        return { NumberStatus::OutOfRange };
    return { NumberStatus::Ok, static_cast<float>(v) };
}

// "where" is e.g. "element 3, value 2" or "line 4, column 2".
std::string numberError(NumberStatus status, std::string_view text, const std::string& where)
{
    switch (status) {
    case NumberStatus::Empty:
        return where + " is empty";
    case NumberStatus::NaN:
        return "NaN at " + where + " (" + shown(text) + "): non-finite values are not accepted";
    case NumberStatus::Inf:
        return "Inf at " + where + " (" + shown(text) + "): non-finite values are not accepted";
    case NumberStatus::OutOfRange:
        return where + ": " + shown(text) + " is outside the float32 range";
    case NumberStatus::NotNumber:
    case NumberStatus::Ok:
        break;
    }
    return where + ": " + shown(text) + " is not a number";
}

std::string plural(size_t n, const char* word)
{
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string formatFloat(float v)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

// "#7": the label of a row with no better name. (Built with += to dodge GCC 12's bogus -Wrestrict
// warning on "literal" + std::string temporaries.)
std::string indexLabel(size_t row)
{
    std::string label = "#";
    label += std::to_string(row);
    return label;
}

// The label of a row built from its cells' texts: the number for d == 1, "[a,b]" for d <= 4, else "#i".
template <class Texts> std::string rowLabel(const Texts& texts, size_t d, size_t row)
{
    if (d == 1)
        return std::string(texts[0]);
    if (d <= 4) {
        std::string label = "[";
        for (size_t i = 0; i < d; ++i) {
            if (i)
                label += ',';
            label += texts[i];
        }
        return label + "]";
    }
    return indexLabel(row);
}

Sequence makeSequence(
    size_t rows, size_t cols, const std::vector<float>& values, std::vector<std::string> labels)
{
    Sequence seq;
    seq.values = Eigen::Map<const Matrix>(
        values.data(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    seq.labels = std::move(labels);
    return seq;
}

// Splits a list of values on ',' or, when there is no comma, on runs of whitespace.
// A single trailing comma is allowed ("1,2,3,").
std::vector<std::string_view> splitValues(std::string_view text)
{
    std::vector<std::string_view> parts;
    if (text.find(',') != std::string_view::npos) {
        size_t start = 0;
        while (true) {
            const size_t comma = text.find(',', start);
            parts.push_back(trim(text.substr(
                start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
            if (comma == std::string_view::npos)
                break;
            start = comma + 1;
        }
        if (parts.size() > 1 && parts.back().empty())
            parts.pop_back();
    } else {
        size_t i = 0;
        while (i < text.size()) {
            while (i < text.size() && isSpace(text[i]))
                ++i;
            const size_t start = i;
            while (i < text.size() && !isSpace(text[i]))
                ++i;
            if (i > start)
                parts.push_back(text.substr(start, i - start));
        }
    }
    return parts;
}

// Reads the cells of one CSV line: separator-delimited, trimmed, optionally "double-quoted"
// (with "" for a quote inside). A returned view is valid until the next call.
class CellReader {
public:
    CellReader(std::string_view line, char separator)
        : m_line(line)
        , m_sep(separator)
    {
    }

    bool next(std::string_view& cell)
    {
        if (m_done)
            return false;
        size_t p = m_pos;
        const size_t n = m_line.size();
        while (p < n && m_line[p] != m_sep && isSpace(m_line[p]))
            ++p;
        if (p < n && m_line[p] == '"') {
            m_scratch.clear();
            ++p;
            while (p < n) {
                if (m_line[p] == '"') {
                    if (p + 1 < n && m_line[p + 1] == '"') {
                        m_scratch += '"';
                        p += 2;
                        continue;
                    }
                    ++p;
                    break;
                }
                m_scratch += m_line[p++];
            }
            while (p < n && m_line[p] != m_sep)
                ++p;
            cell = m_scratch;
        } else {
            const size_t start = p;
            while (p < n && m_line[p] != m_sep)
                ++p;
            cell = trim(m_line.substr(start, p - start));
        }
        if (p < n)
            m_pos = p + 1;
        else
            m_done = true;
        return true;
    }

private:
    std::string_view m_line;
    char m_sep;
    size_t m_pos = 0;
    bool m_done = false;
    std::string m_scratch;
};

std::string npyShapeText(const std::vector<int64_t>& shape)
{
    std::string text = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i)
            text += ", ";
        text += std::to_string(shape[i]);
    }
    return text + (shape.size() == 1 ? ",)" : ")");
}

} // namespace

Expected<Sequence> SequenceParser::parseInline(const std::string& text)
{
    const std::string_view all = trim(text);
    if (all.empty())
        return makeError("the sequence is empty");

    // Elements are separated by ';' or new lines; without either, every value is an element.
    std::vector<std::string_view> elements;
    const bool vectors = all.find_first_of(";\n") != std::string_view::npos;
    if (vectors) {
        // An empty element is skipped when it comes from a blank line or a leading/trailing ';',
        // and is an error between two ';' ("1,2;;3,4").
        char before = 0; // the separator before the current element; 0 at the start
        size_t start = 0;
        while (true) {
            const size_t sep = all.find_first_of(";\n", start);
            const char after = sep == std::string_view::npos ? 0 : all[sep];
            const std::string_view element = trim(
                all.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start));
            if (!element.empty())
                elements.push_back(element);
            else if (before == ';' && after == ';')
                return makeError("element " + std::to_string(elements.size() + 1) + " is empty");
            if (sep == std::string_view::npos)
                break;
            before = after;
            start = sep + 1;
        }
    } else {
        elements = splitValues(all);
    }

    size_t d = 0;
    std::vector<float> values;
    std::vector<std::string> labels;
    labels.reserve(elements.size());
    for (size_t i = 0; i < elements.size(); ++i) {
        const std::string element = "element " + std::to_string(i + 1);
        std::vector<std::string_view> parts;
        if (vectors)
            parts = splitValues(elements[i]);
        else
            parts = { elements[i] };
        if (i == 0)
            d = parts.size();
        else if (parts.size() != d)
            return makeError(
                element + " has " + plural(parts.size(), "value") + ", element 1 has " + std::to_string(d));
        for (size_t j = 0; j < parts.size(); ++j) {
            const Number number = parseNumber(parts[j]);
            if (number.status != NumberStatus::Ok) {
                const std::string where
                    = vectors && d > 1 ? element + ", value " + std::to_string(j + 1) : element;
                return makeError(numberError(number.status, parts[j], where));
            }
            values.push_back(number.value);
        }
        labels.push_back(rowLabel(parts, d, i));
    }
    if (elements.empty() || d == 0)
        return makeError("the sequence is empty");
    return makeSequence(elements.size(), d, values, std::move(labels));
}

Expected<Sequence> SequenceParser::parseCsv(const std::string& text, const std::string& sourceName)
{
    const std::string prefix = sourceName + ": ";
    std::string_view all(text);
    if (all.substr(0, 3) == "\xEF\xBB\xBF") // UTF-8 byte order mark
        all.remove_prefix(3);

    char sep = 0;
    size_t ncols = 0; // cells per data row, set by the first data row
    size_t headerLine = 0; // 0: no header
    size_t headerCols = 0;
    size_t firstDataLine = 0;

    // Column 0 is kept apart until we know whether it holds labels or numbers.
    struct FirstCell {
        std::string text;
        Number number;
    };
    std::vector<FirstCell> first;
    std::vector<size_t> lineOf;
    std::vector<float> rest; // columns 1.., row-major
    std::vector<std::string> bracketLabels; // "[a,b]" from all cells, when ncols <= 4

    size_t lineNo = 0;
    size_t pos = 0;
    while (pos < all.size()) {
        size_t eol = all.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = all.size();
        std::string_view line = all.substr(pos, eol - pos);
        pos = eol + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        const std::string_view trimmed = trim(line);
        if (trimmed.empty() || trimmed.front() == '#')
            continue;

        if (sep == 0)
            sep = line.find('\t') != std::string_view::npos ? '\t'
                : line.find(';') != std::string_view::npos  ? ';'
                                                            : ',';

        const std::string lineText = "line " + std::to_string(lineNo);
        std::string_view cell;

        if (headerLine == 0 && firstDataLine == 0) {
            // The first row is a header if it has a non-numeric cell (other than a label in column 1).
            CellReader reader(line, sep);
            size_t count = 0;
            bool header = false;
            bool firstIsText = false;
            while (reader.next(cell)) {
                const NumberStatus status = parseNumber(cell).status;
                if (status == NumberStatus::NotNumber) {
                    if (count == 0)
                        firstIsText = true;
                    else
                        header = true;
                }
                ++count;
            }
            if (count == 1 && firstIsText)
                header = true;
            if (header) {
                headerLine = lineNo;
                headerCols = count;
                continue;
            }
        }

        if (firstDataLine != 0 && lineOf.size() >= kMaxCsvRows)
            return makeError(prefix + "too many rows: " + lineText + " is row "
                + std::to_string(kMaxCsvRows + 1) + ", and at most " + std::to_string(kMaxCsvRows)
                + " rows are accepted");

        CellReader reader(line, sep);
        size_t column = 0;
        std::string joined;
        while (reader.next(cell)) {
            if (firstDataLine != 0 && column >= ncols) {
                size_t count = column + 1;
                while (reader.next(cell))
                    ++count;
                return makeError(prefix + lineText + " has " + plural(count, "value") + ", line "
                    + std::to_string(firstDataLine) + " has " + std::to_string(ncols));
            }
            if (column == 0) {
                first.push_back({ std::string(cell), parseNumber(cell) });
            } else {
                const Number number = parseNumber(cell);
                if (number.status != NumberStatus::Ok)
                    return makeError(prefix
                        + numberError(
                            number.status, cell, lineText + ", column " + std::to_string(column + 1)));
                rest.push_back(number.value);
            }
            if (column < 4) {
                joined += column ? "," : "[";
                joined += cell;
            }
            ++column;
        }
        if (firstDataLine == 0) {
            firstDataLine = lineNo;
            ncols = column;
            if (headerLine != 0 && headerCols != ncols)
                return makeError(prefix + "the header (line " + std::to_string(headerLine) + ") has "
                    + plural(headerCols, "column") + ", " + lineText + " has " + std::to_string(ncols));
        } else if (column != ncols) {
            return makeError(prefix + lineText + " has " + plural(column, "value") + ", line "
                + std::to_string(firstDataLine) + " has " + std::to_string(ncols));
        }
        lineOf.push_back(lineNo);
        if (ncols <= 4)
            bracketLabels.push_back(joined + "]");
    }

    const size_t rows = lineOf.size();
    if (rows == 0)
        return makeError(prefix + (headerLine ? "no data rows after the header" : "no data rows")
            + " (the sequence is empty)");

    const bool labelColumn = ncols >= 2 && std::any_of(first.begin(), first.end(), [](const FirstCell& c) {
        return c.number.status == NumberStatus::NotNumber;
    });
    if (!labelColumn) {
        for (size_t r = 0; r < rows; ++r)
            if (first[r].number.status != NumberStatus::Ok)
                return makeError(prefix
                    + numberError(first[r].number.status, first[r].text,
                        "line " + std::to_string(lineOf[r]) + ", column 1"));
    }

    const size_t d = labelColumn ? ncols - 1 : ncols;
    std::vector<float> values;
    if (labelColumn) {
        values = std::move(rest);
    } else {
        values.resize(rows * d);
        for (size_t r = 0; r < rows; ++r) {
            values[r * d] = first[r].number.value;
            std::copy_n(rest.begin() + static_cast<std::ptrdiff_t>(r * (d - 1)), d - 1,
                values.begin() + static_cast<std::ptrdiff_t>(r * d + 1));
        }
    }

    std::vector<std::string> labels;
    labels.reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
        if (labelColumn)
            labels.push_back(first[r].text.empty() ? indexLabel(r) : first[r].text);
        else if (d == 1)
            labels.push_back(first[r].text);
        else if (d <= 4)
            labels.push_back(bracketLabels[r]);
        else
            labels.push_back(indexLabel(r));
    }
    return makeSequence(rows, d, values, std::move(labels));
}

Expected<Sequence> SequenceParser::fromNpy(const NpyArray& array, const std::string& sourceName)
{
    const std::string prefix = sourceName + ": ";
    if (array.shape.size() != 1 && array.shape.size() != 2)
        return makeError(prefix + "expected a 1-D array (N values) or a 2-D array (N x d), got shape "
            + npyShapeText(array.shape));
    for (int64_t dim : array.shape)
        if (dim < 0)
            return makeError(prefix + "invalid shape " + npyShapeText(array.shape));
    const uint64_t rows = static_cast<uint64_t>(array.shape[0]);
    const uint64_t cols = array.shape.size() == 2 ? static_cast<uint64_t>(array.shape[1]) : 1;
    if (rows == 0 || cols == 0)
        return makeError(prefix + "the array is empty (shape " + npyShapeText(array.shape) + ")");
    if (rows > std::numeric_limits<uint64_t>::max() / cols || rows * cols != array.data.size())
        return makeError(prefix + "shape " + npyShapeText(array.shape) + " does not match the "
            + std::to_string(array.data.size()) + " values held");

    const bool oneD = array.shape.size() == 1;
    for (uint64_t r = 0; r < rows; ++r) {
        for (uint64_t c = 0; c < cols; ++c) {
            const float v = array.data[static_cast<size_t>(r * cols + c)];
            if (std::isfinite(v))
                continue;
            const std::string kind = std::isnan(v) ? "NaN" : "Inf";
            if (oneD)
                return makeError(prefix + kind + " at row " + std::to_string(r + 1) + " (numpy index ["
                    + std::to_string(r) + "]): non-finite values are not accepted");
            return makeError(prefix + kind + " at row " + std::to_string(r + 1) + ", column "
                + std::to_string(c + 1) + " (numpy index [" + std::to_string(r) + ", " + std::to_string(c)
                + "]): non-finite values are not accepted");
        }
    }

    std::vector<std::string> labels;
    labels.reserve(static_cast<size_t>(rows));
    std::vector<std::string> texts;
    for (uint64_t r = 0; r < rows; ++r) {
        if (cols <= 4) {
            texts.clear();
            for (uint64_t c = 0; c < cols; ++c)
                texts.push_back(formatFloat(array.data[static_cast<size_t>(r * cols + c)]));
        }
        labels.push_back(
            cols <= 4 ? rowLabel(texts, static_cast<size_t>(cols), static_cast<size_t>(r)) : indexLabel(r));
    }
    return makeSequence(static_cast<size_t>(rows), static_cast<size_t>(cols), array.data, std::move(labels));
}

Expected<Sequence> SequenceParser::readFile(const std::string& path)
{
    std::string extension = std::filesystem::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
        [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension == ".npy") {
        auto bytes = FileBytes::read(path, kMaxNpyBytes);
        if (!bytes)
            return bytes.takeError();
        auto array = NpyFile::parse(*bytes, path);
        if (!array)
            return array.takeError();
        return fromNpy(*array, path);
    }
    auto text = FileBytes::read(path, kMaxCsvBytes);
    if (!text)
        return text.takeError();
    return parseCsv(*text, path);
}

} // namespace attn
