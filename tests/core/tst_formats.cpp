// File formats: .npy, safetensors, sequence text/CSV/npy parsing and FileBytes.
// Byte images are built in the tests themselves, so every case states exactly what it feeds in.
#include "FileBytes.h"
#include "NpyFile.h"
#include "SafetensorsFile.h"
#include "SequenceParser.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

using namespace attn;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::string fromQ(const QByteArray& b)
{
    return b.toStdString();
}
QByteArray toQ(const std::string& s)
{
    return QByteArray::fromStdString(s);
}
QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

std::vector<float> toStd(const QList<float>& v)
{
    return std::vector<float>(v.begin(), v.end());
}
std::vector<int64_t> toStd(const QList<qint64>& v)
{
    return std::vector<int64_t>(v.begin(), v.end());
}

// Bit-exact comparison of float lists; returns a description of the first difference, or empty.
QByteArray floatsDiffer(const std::vector<float>& got, const std::vector<float>& want)
{
    if (got.size() != want.size())
        return "size " + QByteArray::number(qulonglong(got.size())) + ", expected "
            + QByteArray::number(qulonglong(want.size()));
    for (size_t i = 0; i < got.size(); ++i)
        if (std::bit_cast<uint32_t>(got[i]) != std::bit_cast<uint32_t>(want[i]))
            return "element " + QByteArray::number(qulonglong(i)) + " is "
                + QByteArray::number(got[i], 'g', 9) + ", expected " + QByteArray::number(want[i], 'g', 9);
    return {};
}

std::vector<float> matrixValues(const Matrix& m)
{
    return std::vector<float>(m.data(), m.data() + m.size());
}

void appendLe(std::string& out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void appendBe(std::string& out, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string f32le(std::initializer_list<float> values)
{
    std::string out;
    for (float v : values)
        appendLe(out, std::bit_cast<uint32_t>(v), 4);
    return out;
}
std::string f64le(std::initializer_list<double> values)
{
    std::string out;
    for (double v : values)
        appendLe(out, std::bit_cast<uint64_t>(v), 8);
    return out;
}

// A .npy image with the given header dict (padded to 64 bytes with spaces and '\n').
std::string npyBytes(const std::string& dict, const std::string& data, int major = 1)
{
    const size_t prefix = major == 1 ? 10 : 12;
    std::string header = dict;
    const size_t unpadded = prefix + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += static_cast<char>(major);
    out += '\0';
    appendLe(out, header.size(), major == 1 ? 2 : 4);
    return out + header + data;
}

// A safetensors image: 8-byte little-endian header length, header, data.
std::string stBytes(const std::string& header, const std::string& data = {})
{
    std::string out;
    appendLe(out, header.size(), 8);
    return out + header + data;
}
std::string stLength(uint64_t headerLength, const std::string& rest)
{
    std::string out;
    appendLe(out, headerLength, 8);
    return out + rest;
}

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& bytes)
{
    const std::string path = dir.filePath(qs(name)).toStdString();
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

QStringList toQ(const std::vector<std::string>& labels)
{
    QStringList out;
    for (const auto& l : labels)
        out << qs(l);
    return out;
}

} // namespace

class TestFormats : public QObject {
    Q_OBJECT

private slots:
    // ---- FileBytes ---------------------------------------------------------------------------
    void fileBytesMissing();
    void fileBytesDirectory();
    void fileBytesLimitsAndRanges();

    // ---- .npy --------------------------------------------------------------------------------
    void npyRoundTrip_data();
    void npyRoundTrip();
    void npyFortranFloat64();
    void npyFortran3d();
    void npyBigEndian();
    void npyHeaderVariants_data();
    void npyHeaderVariants();
    void npyErrors_data();
    void npyErrors();
    void npyReadFile();

    // ---- safetensors -------------------------------------------------------------------------
    void safetensorsRoundTrip();
    void safetensorsHalfAndBfloat_data();
    void safetensorsHalfAndBfloat();
    void safetensorsHalfMatrix();
    void safetensorsFloat64();
    void safetensorsMetadata();
    void safetensorsHostile_data();
    void safetensorsHostile();
    void safetensorsMissingName();

    // ---- sequences ---------------------------------------------------------------------------
    void inlineSequences_data();
    void inlineSequences();
    void inlineErrors_data();
    void inlineErrors();
    void csvSequences_data();
    void csvSequences();
    void csvErrors_data();
    void csvErrors();
    void csvRowLimit();
    void npySequences_data();
    void npySequences();
    void npySequenceErrors_data();
    void npySequenceErrors();
    void readFileByExtension();
};

// ================================================================================================
// FileBytes

void TestFormats::fileBytesMissing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("x.csv").toStdString();
    const auto result = FileBytes::read(path, 1024);
    QVERIFY(!result.ok());
    QCOMPARE(qs(result.error()), qs("cannot open '" + path + "': no such file"));
    QCOMPARE(qs(FileBytes::size(path).error()), qs("cannot open '" + path + "': no such file"));
    QCOMPARE(qs(FileBytes::readRange(path, 0, 1).error()), qs("cannot open '" + path + "': no such file"));
}

void TestFormats::fileBytesDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.path().toStdString();
    const auto result = FileBytes::read(path, 1024);
    QVERIFY(!result.ok());
    QCOMPARE(qs(result.error()), qs("'" + path + "' is a directory, not a file"));
}

void TestFormats::fileBytesLimitsAndRanges()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = writeFile(dir, "ten.bin", "0123456789");

    auto size = FileBytes::size(path);
    QVERIFY(size.ok());
    QCOMPARE(*size, uint64_t { 10 });

    auto all = FileBytes::read(path, 10);
    QVERIFY2(all.ok(), all.ok() ? "" : all.error().c_str());
    QCOMPARE(qs(*all), QString("0123456789"));

    auto tooBig = FileBytes::read(path, 4);
    QVERIFY(!tooBig.ok());
    QCOMPARE(
        qs(tooBig.error()), qs("'" + path + "' is 10 bytes, larger than the 4 bytes this input accepts"));

    auto range = FileBytes::readRange(path, 2, 3);
    QVERIFY(range.ok());
    QCOMPARE(qs(*range), QString("234"));
    auto emptyRange = FileBytes::readRange(path, 10, 0);
    QVERIFY(emptyRange.ok());
    QVERIFY(emptyRange->empty());

    auto pastEnd = FileBytes::readRange(path, 8, 4);
    QVERIFY(!pastEnd.ok());
    QCOMPARE(qs(pastEnd.error()), qs("'" + path + "' is 10 bytes, too short to read 4 bytes at offset 8"));
    auto overflow = FileBytes::readRange(path, std::numeric_limits<uint64_t>::max(), 2);
    QVERIFY(!overflow.ok());

    // A sparse 3.1 GB file: the size check must refuse it before anything is read.
    // (Sparse files only cost a directory entry; the read would fail loudly if it were attempted.)
    const std::string big = dir.filePath("big.npy").toStdString();
    writeFile(dir, "big.npy", "");
    std::error_code ec;
    std::filesystem::resize_file(big, (uint64_t { 3 } << 30) + (uint64_t { 1 } << 30) / 10 + 1, ec);
    if (ec)
        QSKIP("cannot create a sparse file here");
    auto huge = FileBytes::read(big, uint64_t { 512 } << 20);
    QVERIFY(!huge.ok());
    QCOMPARE(qs(huge.error()), qs("'" + big + "' is 3.1 GB, larger than the 512 MB this input accepts"));
    std::filesystem::resize_file(big, uint64_t { 3 } << 30, ec);
    QVERIFY(!ec);
    huge = FileBytes::read(big, uint64_t { 512 } << 20);
    QVERIFY(!huge.ok());
    QCOMPARE(qs(huge.error()), qs("'" + big + "' is 3.0 GB, larger than the 512 MB this input accepts"));
    // Just over the limit, rounded sizes would read alike: exact byte counts instead.
    std::filesystem::resize_file(big, (uint64_t { 512 } << 20) + 1, ec);
    QVERIFY(!ec);
    huge = FileBytes::read(big, uint64_t { 512 } << 20);
    QVERIFY(!huge.ok());
    QCOMPARE(qs(huge.error()),
        qs("'" + big + "' is 536870913 bytes, larger than the 536870912 bytes (512 MB) this input accepts"));
}

// ================================================================================================
// .npy

void TestFormats::npyRoundTrip_data()
{
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<QString>("shapeText");

    QTest::newRow("1-D") << QList<qint64> { 3 } << "(3,)";
    QTest::newRow("2-D") << QList<qint64> { 2, 3 } << "(2, 3)";
    QTest::newRow("4-D") << QList<qint64> { 1, 2, 3, 4 } << "(1, 2, 3, 4)";
    QTest::newRow("scalar") << QList<qint64> {} << "()";
    QTest::newRow("empty") << QList<qint64> { 0, 5 } << "(0, 5)";
    QTest::newRow("long row") << QList<qint64> { 1, 1000 } << "(1, 1000)";
}

void TestFormats::npyRoundTrip()
{
    QFETCH(QList<qint64>, shape);
    QFETCH(QString, shapeText);

    int64_t count = 1;
    for (qint64 d : shape)
        count *= d;
    std::vector<float> data;
    const float specials[] = { 0.0f, -0.0f, 1.0f, -2.5f, 3.14159274f, 1e-40f /* subnormal */,
        std::numeric_limits<float>::max(), -1e-3f };
    for (int64_t i = 0; i < count; ++i)
        data.push_back(i < 8 ? specials[i] : static_cast<float>(i) * 0.37f - 11.0f);

    const std::string bytes = NpyFile::serialize(toStd(shape), data.data());
    // The streamed form (header, then the floats as they are in memory) is the same file.
    QCOMPARE(NpyFile::header(toStd(shape)) + std::string(reinterpret_cast<const char*>(data.data()), data.size() * 4), bytes);
    // Header layout: v1.0, total header a multiple of 64 ending in '\n', numpy's shape spelling.
    QCOMPARE(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    const size_t headerLength
        = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    QCOMPARE((10 + headerLength) % 64, size_t { 0 });
    QCOMPARE(bytes[10 + headerLength - 1], '\n');
    const std::string header = bytes.substr(10, headerLength);
    QVERIFY2(header.find("'descr': '<f4'") != std::string::npos, header.c_str());
    QVERIFY2(header.find("'fortran_order': False") != std::string::npos, header.c_str());
    QVERIFY2(header.find("'shape': " + shapeText.toStdString()) != std::string::npos, header.c_str());
    QCOMPARE(bytes.size(), 10 + headerLength + data.size() * 4);

    const auto parsed = NpyFile::parse(bytes, "round.npy");
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().c_str());
    QCOMPARE(parsed->shape, toStd(shape));
    const QByteArray diff = floatsDiffer(parsed->data, data);
    QVERIFY2(diff.isEmpty(), diff.constData());
}

void TestFormats::npyFortranFloat64()
{
    // A (2, 3) float64 array in Fortran order: the file holds the columns one after another.
    //   [[1.5, 2, 3],
    //    [4, 5, 0.1]]
    const std::string bytes = npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
        f64le({ 1.5, 4.0, 2.0, 5.0, 3.0, 0.1 }));
    const auto parsed = NpyFile::parse(bytes, "f.npy");
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().c_str());
    QCOMPARE(parsed->shape, (std::vector<int64_t> { 2, 3 }));
    const QByteArray diff
        = floatsDiffer(parsed->data, { 1.5f, 2.0f, 3.0f, 4.0f, 5.0f, static_cast<float>(0.1) });
    QVERIFY2(diff.isEmpty(), diff.constData());
}

void TestFormats::npyFortran3d()
{
    // value(i, j, k) = 100 i + 10 j + k for shape (2, 3, 4); Fortran order varies i fastest.
    std::string data;
    for (int k = 0; k < 4; ++k)
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 2; ++i)
                appendLe(data, std::bit_cast<uint32_t>(static_cast<float>(100 * i + 10 * j + k)), 4);
    const auto parsed = NpyFile::parse(
        npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }", data), "f3.npy");
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().c_str());
    std::vector<float> expected;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k)
                expected.push_back(static_cast<float>(100 * i + 10 * j + k));
    const QByteArray diff = floatsDiffer(parsed->data, expected);
    QVERIFY2(diff.isEmpty(), diff.constData());
}

void TestFormats::npyBigEndian()
{
    std::string f4;
    for (float v : { 1.5f, -2.0f, 1e-3f })
        appendBe(f4, std::bit_cast<uint32_t>(v), 4);
    const auto a
        = NpyFile::parse(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", f4), "be.npy");
    QVERIFY2(a.ok(), a.ok() ? "" : a.error().c_str());
    QByteArray diff = floatsDiffer(a->data, { 1.5f, -2.0f, 1e-3f });
    QVERIFY2(diff.isEmpty(), diff.constData());

    std::string f8;
    for (double v : { 0.1, -1e10, 65504.0, 0.0 })
        appendBe(f8, std::bit_cast<uint64_t>(v), 8);
    const auto b = NpyFile::parse(
        npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", f8), "be8.npy");
    QVERIFY2(b.ok(), b.ok() ? "" : b.error().c_str());
    QCOMPARE(b->shape, (std::vector<int64_t> { 2, 2 }));
    diff = floatsDiffer(b->data, { static_cast<float>(0.1), -1e10f, 65504.0f, 0.0f });
    QVERIFY2(diff.isEmpty(), diff.constData());
}

void TestFormats::npyHeaderVariants_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const std::string data = f32le({ 1.0f, 2.0f });
    const auto row = [&](const char* name, const std::string& dict, int major = 1) {
        QTest::newRow(name) << toQ(npyBytes(dict, data, major));
    };
    row("numpy's own", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }");
    row("keys reordered", "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}");
    row("no trailing comma", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}");
    row("extra whitespace", "  {  'descr' :'<f4' ,\t'fortran_order':False,'shape':( 2 , ) ,  }  ");
    row("double quotes", "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}");
    row("extra keys",
        "{'descr': '<f4', 'note': 'hello, world', 'fortran_order': False, 'extra': [1, (2, 3), {'a': None}], "
        "'shape': (2,), 'version': 1.5, }");
    row("native order '='", "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }");
    row("'|' order", "{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }");
    row("Python 2 long", "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }");
    row("version 2.0", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 2);
    row("version 3.0", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 3);
    row("fortran 1-D", "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }");
    row("shape (1, 2)", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }");
}

void TestFormats::npyHeaderVariants()
{
    QFETCH(QByteArray, bytes);
    const auto parsed = NpyFile::parse(fromQ(bytes), "v.npy");
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().c_str());
    QCOMPARE(parsed->shape.back(), int64_t { 2 });
    const QByteArray diff = floatsDiffer(parsed->data, { 1.0f, 2.0f });
    QVERIFY2(diff.isEmpty(), diff.constData());
}

void TestFormats::npyErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // the whole message, or a part of it when it ends in "..."

    const std::string f4x2 = f32le({ 1.0f, 2.0f });
    const auto dict
        = [](const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
              return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
          };
    const auto row = [](const char* name, const std::string& bytes, const QString& expected) {
        QTest::newRow(name) << toQ(bytes) << expected;
    };

    row("empty file", "", "x.npy: not a .npy file (it does not start with the magic bytes \\x93NUMPY)");
    row("bad magic", "\x93NUMPX\x01\x00" + std::string(100, ' '),
        "x.npy: not a .npy file (it does not start with the magic bytes \\x93NUMPY)");
    row("csv text", "1,2,3\n4,5,6\n",
        "x.npy: not a .npy file (it does not start with the magic bytes \\x93NUMPY)");
    row("no header length", std::string("\x93NUMPY\x01\x00", 8),
        "x.npy: the file is only 8 bytes, too short for a .npy header");
    {
        std::string b = npyBytes(dict("<f4", "(2,)"), f4x2);
        b[6] = '\x04';
        row("version 4.0", b, "x.npy: unsupported .npy format version 4.0 (1.0, 2.0 and 3.0 are supported)");
    }
    {
        std::string b = npyBytes(dict("<f4", "(2,)"), f4x2);
        b[8] = '\xff';
        b[9] = '\xff';
        row("header length past end", b,
            "x.npy: the header length 65535 runs past the end of the file (136 bytes)");
    }
    row("truncated data", npyBytes(dict("<f4", "(3, 4)"), std::string(40, '\0')),
        "x.npy: shape (3, 4) needs 48 bytes of data, file has 40 (float32; the data is truncated)");
    row("truncated float64", npyBytes(dict("<f8", "(3,)"), std::string(20, '\0')),
        "x.npy: shape (3,) needs 24 bytes of data, file has 20 (float64; the data is truncated)");
    row("trailing bytes", npyBytes(dict("<f4", "(2,)"), f4x2 + "junk"),
        "x.npy: shape (2,) needs 8 bytes of data, file has 12 (float32; 4 extra bytes at the end)");
    row("int64", npyBytes(dict("<i8", "(2,)"), std::string(16, '\0')),
        "x.npy: dtype '<i8' is not supported (float32 or float64 only)");
    row("int32", npyBytes(dict("<i4", "(2,)"), f4x2),
        "x.npy: dtype '<i4' is not supported (float32 or float64 only)");
    row("float16", npyBytes(dict("<f2", "(2,)"), "abcd"),
        "x.npy: dtype '<f2' is not supported (float32 or float64 only)");
    row("complex", npyBytes(dict("<c8", "(1,)"), f4x2),
        "x.npy: dtype '<c8' is not supported (float32 or float64 only)");
    row("object", npyBytes(dict("|O", "(1,)"), std::string(8, '\0')),
        "x.npy: dtype '|O' is not supported (float32 or float64 only)");
    row("structured", npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4x2),
        "x.npy: structured dtype (descr is a list) is not supported (float32 or float64 only)");
    row("missing shape", npyBytes("{'descr': '<f4', 'fortran_order': False}", f4x2),
        "x.npy: the header has no 'shape' key");
    row("missing descr", npyBytes("{'fortran_order': False, 'shape': (2,)}", f4x2),
        "x.npy: the header has no 'descr' key (the dtype)");
    row("fortran_order not bool", npyBytes(dict("<f4", "(2,)", "0"), f4x2),
        "x.npy: 'fortran_order' must be True or False, not an integer");
    row("negative dimension", npyBytes(dict("<f4", "(2, -1)"), f4x2),
        "x.npy: negative dimension -1 in shape (2, -1)");
    row("float dimension", npyBytes(dict("<f4", "(2.0,)"), f4x2),
        "x.npy: 'shape' must be a tuple of non-negative integers that fit in 64 bits");
    row("huge dimension", npyBytes(dict("<f4", "(99999999999999999999,)"), f4x2),
        "x.npy: 'shape' must be a tuple of non-negative integers that fit in 64 bits");
    row("shape product overflow", npyBytes(dict("<f4", "(4294967296, 4294967296, 16)"), f4x2),
        "x.npy: shape (4294967296, 4294967296, 16) has too many elements (the product overflows)");
    row("byte count overflow", npyBytes(dict("<f8", "(4611686018427387904,)"), f4x2),
        "x.npy: shape (4611686018427387904,) has too many elements (the product overflows)");
    row("shape not a tuple", npyBytes(dict("<f4", "'2'"), f4x2),
        "x.npy: 'shape' must be a tuple of integers, not a string");
    row("missing colon", npyBytes("{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}", f4x2),
        "x.npy: malformed header: expected ':' after key 'descr' at character 10 in \"{'descr' '<f4'...");
    row("missing comma", npyBytes("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", f4x2),
        "x.npy: malformed header: expected ',' or '}' at character 17...");
    row("unterminated string", npyBytes("{'descr': '<f4", ""),
        "x.npy: malformed header: unterminated string...");
    row("not a dict", npyBytes("['descr', '<f4']", f4x2),
        "x.npy: malformed header: expected '{' at character 1...");
    row("duplicate key",
        npyBytes("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", f4x2),
        "x.npy: malformed header: key 'descr' appears twice...");
    row("text after dict", npyBytes(dict("<f4", "(2,)") + " extra", f4x2),
        "x.npy: malformed header: unexpected text after the closing '}'...");
    row("deep nesting", npyBytes("{'x': " + std::string(100, '[') + std::string(100, ']') + "}", f4x2),
        "x.npy: malformed header: values nested too deeply...");
    row("float64 outside float32", npyBytes(dict("<f8", "(2,)"), f64le({ 1.0, 1e300 })),
        "x.npy: element 1 (1e+300) is outside the float32 range");
}

void TestFormats::npyErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    const auto parsed = NpyFile::parse(fromQ(bytes), "x.npy");
    QVERIFY2(!parsed.ok(), "a malformed file was accepted");
    const QString message = qs(parsed.error());
    if (expected.endsWith("..."))
        QVERIFY2(message.startsWith(expected.chopped(3)), qPrintable(message));
    else
        QCOMPARE(message, expected);
}

void TestFormats::npyReadFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const float data[] = { 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f };
    const std::string path = writeFile(dir, "m.npy", NpyFile::serialize({ 3, 2 }, data));
    const auto read = NpyFile::readFile(path);
    QVERIFY2(read.ok(), read.ok() ? "" : read.error().c_str());
    QCOMPARE(read->shape, (std::vector<int64_t> { 3, 2 }));
    const QByteArray diff = floatsDiffer(read->data, { 1, 2, 3, 4, 5, 6 });
    QVERIFY2(diff.isEmpty(), diff.constData());

    const std::string whole = NpyFile::serialize({ 3, 2 }, data);
    const std::string truncated = writeFile(dir, "t.npy", whole.substr(0, whole.size() - 4));
    const auto bad = NpyFile::readFile(truncated);
    QVERIFY(!bad.ok());
    QCOMPARE(qs(bad.error()),
        qs(truncated
            + ": shape (3, 2) needs 24 bytes of data, file has 20 (float32; the data is truncated)"));

    const auto missing = NpyFile::readFile(dir.filePath("none.npy").toStdString());
    QVERIFY(!missing.ok());
    QVERIFY(qs(missing.error()).startsWith("cannot open '"));
}

// ================================================================================================
// safetensors

void TestFormats::safetensorsRoundTrip()
{
    const std::vector<Tensor> tensors = {
        { "z.weight", { 2, 3 }, { 1.0f, -2.0f, 3.5f, 0.0f, -0.0f, 1e-40f } },
        { "a", { 4 }, { 0.25f, 100.0f, -7.0f, std::numeric_limits<float>::max() } },
        { "scalar", {}, { 42.0f } },
        { "empty", { 0, 5 }, {} },
    };
    const std::string bytes = SafetensorsFile::serialize(tensors);

    // The header: 8-byte length, keys sorted, data_offsets contiguous in that order, padded to 8.
    uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i)
        headerLength = (headerLength << 8) | static_cast<unsigned char>(bytes[i]);
    QCOMPARE(headerLength % 8, uint64_t { 0 });
    const auto header = nlohmann::json::parse(bytes.substr(8, headerLength));
    std::vector<std::string> keys;
    for (auto it = header.begin(); it != header.end(); ++it)
        keys.push_back(it.key());
    QCOMPARE(keys, (std::vector<std::string> { "a", "empty", "scalar", "z.weight" }));
    QCOMPARE(header["a"]["data_offsets"], nlohmann::json({ 0, 16 }));
    QCOMPARE(header["empty"]["data_offsets"], nlohmann::json({ 16, 16 }));
    QCOMPARE(header["scalar"]["data_offsets"], nlohmann::json({ 16, 20 }));
    QCOMPARE(header["z.weight"]["data_offsets"], nlohmann::json({ 20, 44 }));
    QCOMPARE(header["z.weight"]["dtype"], nlohmann::json("F32"));
    QCOMPARE(bytes.size(), size_t(8 + headerLength + 44));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = writeFile(dir, "m.safetensors", bytes);
    for (int fromDisk = 0; fromDisk < 2; ++fromDisk) {
        auto file
            = fromDisk ? SafetensorsFile::open(path) : SafetensorsFile::fromBytes(bytes, "m.safetensors");
        QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
        QCOMPARE(file->entries().size(), size_t { 4 });
        QCOMPARE(file->entries()[0].name, std::string("a"));
        QCOMPARE(file->entries()[3].name, std::string("z.weight"));
        QVERIFY(file->metadata().empty());
        for (const Tensor& t : tensors) {
            const SafetensorsEntry* entry = file->find(t.name);
            QVERIFY(entry);
            QCOMPARE(entry->dtype, std::string("F32"));
            QCOMPARE(entry->shape, t.shape);
            const auto read = file->tensor(t.name);
            QVERIFY2(read.ok(), read.ok() ? "" : read.error().c_str());
            QCOMPARE(read->name, t.name);
            QCOMPARE(read->shape, t.shape);
            const QByteArray diff = floatsDiffer(read->data, t.data);
            QVERIFY2(diff.isEmpty(), (t.name + ": " + diff.toStdString()).c_str());
        }
    }
}

void TestFormats::safetensorsHalfAndBfloat_data()
{
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<uint>("bits");
    QTest::addColumn<float>("expected");
    QTest::addColumn<bool>("isNan");

    QTest::newRow("F16 1.0") << "F16" << 0x3C00u << 1.0f << false;
    QTest::newRow("F16 -2.5") << "F16" << 0xC100u << -2.5f << false;
    QTest::newRow("F16 65504 (max)") << "F16" << 0x7BFFu << 65504.0f << false;
    QTest::newRow("F16 1/3") << "F16" << 0x3555u << 0.333251953125f << false;
    QTest::newRow("F16 smallest normal") << "F16" << 0x0400u << std::ldexp(1.0f, -14) << false;
    QTest::newRow("F16 smallest subnormal") << "F16" << 0x0001u << std::ldexp(1.0f, -24) << false;
    QTest::newRow("F16 largest subnormal") << "F16" << 0x03FFu << std::ldexp(1023.0f, -24) << false;
    QTest::newRow("F16 negative subnormal") << "F16" << 0x8200u << -std::ldexp(1.0f, -15) << false;
    QTest::newRow("F16 zero") << "F16" << 0x0000u << 0.0f << false;
    QTest::newRow("F16 -0") << "F16" << 0x8000u << -0.0f << false;
    QTest::newRow("F16 inf") << "F16" << 0x7C00u << kInf << false;
    QTest::newRow("F16 -inf") << "F16" << 0xFC00u << -kInf << false;
    QTest::newRow("F16 nan") << "F16" << 0x7E00u << 0.0f << true;
    QTest::newRow("F16 signalling nan") << "F16" << 0x7C01u << 0.0f << true;
    QTest::newRow("BF16 1.0") << "BF16" << 0x3F80u << 1.0f << false;
    QTest::newRow("BF16 -2.5") << "BF16" << 0xC020u << -2.5f << false;
    QTest::newRow("BF16 65280") << "BF16" << 0x477Fu << 65280.0f << false;
    QTest::newRow("BF16 max") << "BF16" << 0x7F7Fu << std::ldexp(255.0f, 120) << false;
    QTest::newRow("BF16 subnormal") << "BF16" << 0x0001u << std::ldexp(1.0f, -133) << false;
    QTest::newRow("BF16 inf") << "BF16" << 0x7F80u << kInf << false;
    QTest::newRow("BF16 -inf") << "BF16" << 0xFF80u << -kInf << false;
    QTest::newRow("BF16 nan") << "BF16" << 0x7FC0u << 0.0f << true;
}

void TestFormats::safetensorsHalfAndBfloat()
{
    QFETCH(QString, dtype);
    QFETCH(uint, bits);
    QFETCH(float, expected);
    QFETCH(bool, isNan);

    std::string data;
    appendLe(data, bits, 2);
    const std::string header
        = R"({"x":{"dtype":")" + dtype.toStdString() + R"(","shape":[1],"data_offsets":[0,2]}})";
    auto file = SafetensorsFile::fromBytes(stBytes(header, data), "h.safetensors");
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
    const auto t = file->tensor("x");
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().c_str());
    QCOMPARE(t->data.size(), size_t { 1 });
    if (isNan) {
        QVERIFY(std::isnan(t->data[0]));
    } else {
        const QByteArray diff = floatsDiffer(t->data, { expected });
        QVERIFY2(diff.isEmpty(), diff.constData());
    }
}

void TestFormats::safetensorsHalfMatrix()
{
    // A 2x2 F16 tensor after an F32 one: offsets are relative to the data section.
    std::string data = f32le({ 7.0f });
    for (uint16_t h : { 0x3C00, 0xC100, 0x7BFF, 0x0001 })
        appendLe(data, h, 2);
    const std::string header = R"({"f":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                               R"("h":{"dtype":"F16","shape":[2,2],"data_offsets":[4,12]}})";
    auto file = SafetensorsFile::fromBytes(stBytes(header, data), "h.safetensors");
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
    const auto t = file->tensor("h");
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().c_str());
    QCOMPARE(t->shape, (std::vector<int64_t> { 2, 2 }));
    const QByteArray diff = floatsDiffer(t->data, { 1.0f, -2.5f, 65504.0f, std::ldexp(1.0f, -24) });
    QVERIFY2(diff.isEmpty(), diff.constData());
    const auto f = file->tensor("f");
    QVERIFY(f.ok());
    QCOMPARE(f->data, std::vector<float> { 7.0f });
}

void TestFormats::safetensorsFloat64()
{
    const std::string header = R"({"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},)"
                               R"("big":{"dtype":"F64","shape":[1],"data_offsets":[24,32]}})";
    auto file
        = SafetensorsFile::fromBytes(stBytes(header, f64le({ 0.1, -1e-3, 1e30, 1e300 })), "d.safetensors");
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
    const auto t = file->tensor("d");
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().c_str());
    const QByteArray diff
        = floatsDiffer(t->data, { static_cast<float>(0.1), static_cast<float>(-1e-3), 1e30f });
    QVERIFY2(diff.isEmpty(), diff.constData());
    const auto big = file->tensor("big");
    QVERIFY(!big.ok());
    QCOMPARE(qs(big.error()),
        QString("d.safetensors: tensor 'big': element 0 (1e+300) is outside the float32 range"));
}

void TestFormats::safetensorsMetadata()
{
    const std::string header
        = R"({"__metadata__":{"format":"pt","note":"hello"},)"
          R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"future_key":{"a":[1,2]}}})";
    auto file = SafetensorsFile::fromBytes(stBytes(header, f32le({ 1.0f, 2.0f })), "meta.safetensors");
    QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
    QCOMPARE(file->metadata().size(), size_t { 2 });
    QCOMPARE(file->metadata().at("format"), std::string("pt"));
    QCOMPARE(file->metadata().at("note"), std::string("hello"));
    QCOMPARE(file->entries().size(), size_t { 1 });
    QVERIFY(file->find("__metadata__") == nullptr);
    const auto w = file->tensor("w");
    QVERIFY(w.ok());
    QCOMPARE(w->data, (std::vector<float> { 1.0f, 2.0f }));
}

void TestFormats::safetensorsHostile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("readName"); // empty: opening must fail; else opening works, reading this fails
    QTest::addColumn<QString>("expected"); // the message after "<source>: "

    const auto tensor = [](const std::string& name, const std::string& dtype, const std::string& shape,
                            const std::string& offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
            + ",\"data_offsets\":" + offsets + "}";
    };
    const auto row = [](const char* name, const std::string& bytes, const QString& expected,
                         const QString& read = {}) { QTest::newRow(name) << toQ(bytes) << read << expected; };
    const std::string eight(8, '\0');

    row("too short", "abc",
        "the file is 3 bytes, too short to be a safetensors file (at least 8 are needed)");
    row("header length larger than file", stLength(1000, "{}" + eight),
        "the header length 1000 bytes is larger than the rest of the file (10 bytes after the 8-byte "
        "length)");
    row("header length 1 TB", stLength(uint64_t { 1 } << 40, "{}"),
        "the header length 1099511627776 bytes exceeds the 100000000-byte (100 MB) limit; is this a "
        "safetensors file?");
    row("header length 2^64-1", stLength(std::numeric_limits<uint64_t>::max(), "{}"),
        "the header length 18446744073709551615 bytes exceeds the 100000000-byte (100 MB) limit; is this a "
        "safetensors "
        "file?");
    row("not JSON", stBytes("{not json}"),
        "the header is not valid JSON (at byte 3 of the header: parse error at line 1, column 3: ...");
    row("empty header", stBytes(""), "the header is not valid JSON (at byte 1 of the header: ...");
    row("invalid UTF-8", stBytes("{\"\xff\":{}}"), "the header is not valid JSON (at byte ...");
    row("trailing garbage", stBytes("{} x"), "the header is not valid JSON (at byte ...");
    row("array header", stBytes("[1,2]"), "the header is not a JSON object (it is an array)");
    row("string header", stBytes("\"x\""), "the header is not a JSON object (it is a string)");
    row("deeply nested array", stBytes(std::string(100000, '[') + std::string(100000, ']')),
        "the header is not a JSON object (it is an array)");
    row("entry not an object", stBytes(R"({"a":5})"), "the entry 'a' must be an object, not a number");
    row("metadata not an object", stBytes(R"({"__metadata__":[]})"),
        "'__metadata__' must be an object, not an array");
    row("metadata value not a string", stBytes(R"({"__metadata__":{"k":1}})"),
        "'__metadata__' values must be strings; 'k' is a number");
    row("offsets past end", stBytes("{" + tensor("a", "F32", "[2]", "[0,8]") + "}", f32le({ 1 })),
        "tensor 'a': data_offsets [0, 8] run past the end of the data section (4 bytes)");
    row("offsets far past end",
        stBytes("{" + tensor("a", "F32", "[2]", "[18446744073709551600,18446744073709551608]") + "}", eight),
        "tensor 'a': data_offsets [18446744073709551600, 18446744073709551608] run past the end of the data "
        "section (8 "
        "bytes)");
    row("begin after end", stBytes("{" + tensor("a", "F32", "[1]", "[8,4]") + "}", eight + eight),
        "tensor 'a': data_offsets [8, 4] have begin after end");
    row("size does not match shape", stBytes("{" + tensor("a", "F32", "[3]", "[0,8]") + "}", eight),
        "tensor 'a': shape [3] with dtype F32 needs 12 bytes, but data_offsets [0, 8] span 8");
    row("F16 size mismatch", stBytes("{" + tensor("h", "F16", "[2, 2]", "[0,4]") + "}", eight),
        "tensor 'h': shape [2, 2] with dtype F16 needs 8 bytes, but data_offsets [0, 4] span 4");
    row("negative dimension", stBytes("{" + tensor("a", "F32", "[-1]", "[0,4]") + "}", eight),
        "the shape of tensor 'a' contains the negative number -1");
    row("fractional dimension", stBytes("{" + tensor("a", "F32", "[2.5]", "[0,4]") + "}", eight),
        "the shape of tensor 'a' contains 2.5, which is not a non-negative integer");
    row("string dimension", stBytes("{" + tensor("a", "F32", "[\"2\"]", "[0,8]") + "}", eight),
        "the shape of tensor 'a' must contain non-negative integers, not a string");
    row("dimension too large",
        stBytes("{" + tensor("a", "F32", "[18446744073709551615]", "[0,4]") + "}", eight),
        "the shape of tensor 'a' has the dimension 18446744073709551615, which is too large");
    row("dimension product overflow",
        stBytes("{" + tensor("a", "F32", "[4294967296, 4294967296, 16]", "[0,8]") + "}", eight),
        "tensor 'a': shape [4294967296, 4294967296, 16] has too many elements (the product overflows)");
    row("byte count overflow",
        stBytes("{" + tensor("a", "F32", "[4611686018427387904]", "[0,8]") + "}", eight),
        "tensor 'a': shape [4611686018427387904] has too many elements (the product overflows)");
    {
        std::string shape = "[1";
        for (int i = 0; i < 70; ++i)
            shape += ",1";
        row("too many dimensions", stBytes("{" + tensor("a", "F32", shape + "]", "[0,4]") + "}", eight),
            "the shape of tensor 'a' has more than 64 dimensions");
    }
    row("shape not an array", stBytes("{" + tensor("a", "F32", "4", "[0,4]") + "}", eight),
        "the shape of tensor 'a' must be an array, not a number");
    row("three offsets", stBytes("{" + tensor("a", "F32", "[1]", "[0,4,8]") + "}", eight),
        "data_offsets of tensor 'a' must have exactly 2 values [begin, end]");
    row("one offset", stBytes("{" + tensor("a", "F32", "[1]", "[4]") + "}", eight),
        "data_offsets of tensor 'a' must have exactly 2 values [begin, end], it has 1");
    row("negative offset", stBytes("{" + tensor("a", "F32", "[1]", "[-4,0]") + "}", eight),
        "data_offsets of tensor 'a' contains the negative number -4");
    row("missing dtype", stBytes(R"({"a":{"shape":[1],"data_offsets":[0,4]}})", eight),
        "tensor 'a' has no 'dtype'");
    row("missing offsets", stBytes(R"({"a":{"dtype":"F32","shape":[1]}})", eight),
        "tensor 'a' has no 'data_offsets'");
    row("dtype not a string", stBytes(R"({"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", eight),
        "the dtype of tensor 'a' must be a string, not a number");
    row("duplicate tensor name",
        stBytes(
            "{" + tensor("a", "F32", "[1]", "[0,4]") + "," + tensor("a", "F32", "[1]", "[4,8]") + "}", eight),
        "duplicate tensor name 'a'");
    row("duplicate field",
        stBytes(R"({"a":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}})", eight),
        "tensor 'a' has the key 'dtype' twice");
    row("I64 read", stBytes("{" + tensor("a", "I64", "[1]", "[0,8]") + "}", eight),
        "tensor 'a' has dtype I64, which is not supported (F32, F16, BF16 or F64 only)", "a");
    row("unknown dtype read", stBytes("{" + tensor("q", "Q7", "[3]", "[0,1]") + "}", eight),
        "tensor 'q' has dtype Q7, which is not supported (F32, F16, BF16 or F64 only)", "q");
    row("missing name", stBytes("{" + tensor("a", "F32", "[1]", "[0,4]") + "}", f32le({ 1 })),
        "no tensor named 'nope' (the file has 1 tensor)", "nope");
}

void TestFormats::safetensorsHostile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, readName);
    QFETCH(QString, expected);

    const auto check = [&](const Expected<SafetensorsFile>& file, const QString& source) {
        QString message;
        if (readName.isEmpty()) {
            QVERIFY2(!file.ok(), "a hostile file was accepted");
            message = qs(file.error());
        } else {
            QVERIFY2(file.ok(), file.ok() ? "" : file.error().c_str());
            const auto t = file->tensor(readName.toStdString());
            QVERIFY2(!t.ok(), "a hostile tensor was read");
            message = qs(t.error());
        }
        const QString full = source + ": " + expected;
        if (full.endsWith("..."))
            QVERIFY2(message.startsWith(full.chopped(3)), qPrintable(message));
        else
            QCOMPARE(message, full);
    };

    check(SafetensorsFile::fromBytes(fromQ(bytes), "bad.safetensors"), "bad.safetensors");
    if (QTest::currentTestFailed())
        return;
    // The same through the file reader, which reads the header and tensors by range.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = writeFile(dir, "bad.safetensors", fromQ(bytes));
    check(SafetensorsFile::open(path), qs(path));
}

void TestFormats::safetensorsMissingName()
{
    const std::string bytes
        = SafetensorsFile::serialize({ { "layer.0", { 1 }, { 1.0f } }, { "layer.1", { 1 }, { 2.0f } } });
    auto file = SafetensorsFile::fromBytes(bytes, "m.safetensors");
    QVERIFY(file.ok());
    QVERIFY(file->find("layer.2") == nullptr);
    QVERIFY(file->find("") == nullptr);
    QVERIFY(file->find("layer.1") != nullptr);
    const auto t = file->tensor("layer.2");
    QVERIFY(!t.ok());
    QCOMPARE(qs(t.error()), QString("m.safetensors: no tensor named 'layer.2' (the file has 2 tensors)"));
}

// ================================================================================================
// Sequences

void TestFormats::inlineSequences_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<QList<float>>("values");
    QTest::addColumn<QStringList>("labels");

    QTest::newRow("scalars") << "1,2,3,4" << 4 << 1 << QList<float> { 1, 2, 3, 4 }
                             << QStringList { "1", "2", "3", "4" };
    QTest::newRow("space separated") << "1 2   3" << 3 << 1 << QList<float> { 1, 2, 3 }
                                     << QStringList { "1", "2", "3" };
    QTest::newRow("whitespace") << "  1 ,  2 ,\t3  " << 3 << 1 << QList<float> { 1, 2, 3 }
                                << QStringList { "1", "2", "3" };
    QTest::newRow("trailing comma") << "5,6," << 2 << 1 << QList<float> { 5, 6 } << QStringList { "5", "6" };
    QTest::newRow("scientific") << "1e-3, .5, +2, -4.25E2, 5." << 5 << 1
                                << QList<float> { 1e-3f, 0.5f, 2.0f, -425.0f, 5.0f }
                                << QStringList { "1e-3", ".5", "+2", "-4.25E2", "5." };
    QTest::newRow("underflow to zero")
        << "1e-400" << 1 << 1 << QList<float> { 0.0f } << QStringList { "1e-400" };
    QTest::newRow("vectors") << "1,2;2,3;3,4" << 3 << 2 << QList<float> { 1, 2, 2, 3, 3, 4 }
                             << QStringList { "[1,2]", "[2,3]", "[3,4]" };
    QTest::newRow("vectors spaced") << " 1 , 2 ; 3 ,4 ;" << 2 << 2 << QList<float> { 1, 2, 3, 4 }
                                    << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("vector components by spaces")
        << "1 2; 3 4" << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("vectors on lines")
        << "1,2\n3,4\n\n5,-6\n"
        << 3 << 2 << QList<float> { 1, 2, 3, 4, 5, -6 } << QStringList { "[1,2]", "[3,4]", "[5,-6]" };
    QTest::newRow("one-value elements")
        << "1;2;3" << 3 << 1 << QList<float> { 1, 2, 3 } << QStringList { "1", "2", "3" };
    QTest::newRow("d = 4") << "1,2,3,4;5,6,7,8" << 2 << 4 << QList<float> { 1, 2, 3, 4, 5, 6, 7, 8 }
                           << QStringList { "[1,2,3,4]", "[5,6,7,8]" };
    QTest::newRow("d = 5") << "1,2,3,4,5;6,7,8,9,10" << 2 << 5
                           << QList<float> { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } << QStringList { "#0", "#1" };
    QTest::newRow("single") << "  -0.125 " << 1 << 1 << QList<float> { -0.125f } << QStringList { "-0.125" };
}

void TestFormats::inlineSequences()
{
    QFETCH(QString, text);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(QList<float>, values);
    QFETCH(QStringList, labels);

    const auto seq = SequenceParser::parseInline(text.toStdString());
    QVERIFY2(seq.ok(), seq.ok() ? "" : seq.error().c_str());
    QCOMPARE(int(seq->values.rows()), rows);
    QCOMPARE(int(seq->values.cols()), cols);
    const QByteArray diff = floatsDiffer(matrixValues(seq->values), toStd(values));
    QVERIFY2(diff.isEmpty(), diff.constData());
    QCOMPARE(toQ(seq->labels), labels);
}

void TestFormats::inlineErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty") << ""
                           << "the sequence is empty";
    QTest::newRow("blank") << "  \n\t "
                           << "the sequence is empty";
    QTest::newRow("only separators") << ";"
                                     << "the sequence is empty";
    QTest::newRow("ragged") << "1,2,3;4,5,6;7,8"
                            << "element 3 has 2 values, element 1 has 3";
    QTest::newRow("ragged longer") << "1,2;3,4,5"
                                   << "element 2 has 3 values, element 1 has 2";
    QTest::newRow("ragged one value") << "1,2;3"
                                      << "element 2 has 1 value, element 1 has 2";
    QTest::newRow("NaN scalar") << "1,nan,3"
                                << "NaN at element 2 ('nan'): non-finite values are not accepted";
    QTest::newRow("NaN vector") << "1,2;3,4;5,6;7,NaN"
                                << "NaN at element 4, value 2 ('NaN'): non-finite values are not accepted";
    QTest::newRow("Inf vector") << "1,2;inf,3"
                                << "Inf at element 2, value 1 ('inf'): non-finite values are not accepted";
    QTest::newRow("-Infinity") << "1 -Infinity"
                               << "Inf at element 2 ('-Infinity'): non-finite values are not accepted";
    QTest::newRow("not a number") << "1,abc,3"
                                  << "element 2: 'abc' is not a number";
    QTest::newRow("not a number in vector") << "1,2;3,4x"
                                            << "element 2, value 2: '4x' is not a number";
    QTest::newRow("hex") << "0x10"
                         << "element 1: '0x10' is not a number";
    QTest::newRow("two dots") << "1.2.3"
                              << "element 1: '1.2.3' is not a number";
    QTest::newRow("double sign") << "+-1"
                                 << "element 1: '+-1' is not a number";
    QTest::newRow("empty value") << "1,,3"
                                 << "element 2 is empty";
    QTest::newRow("empty element") << "1,2;;3,4"
                                   << "element 2 is empty";
    QTest::newRow("too large for double") << "1e999"
                                          << "element 1: '1e999' is outside the float32 range";
    QTest::newRow("too large for float") << "2,1e39"
                                         << "element 2: '1e39' is outside the float32 range";
}

void TestFormats::inlineErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const auto seq = SequenceParser::parseInline(text.toStdString());
    QVERIFY2(!seq.ok(), "bad input was accepted");
    QCOMPARE(qs(seq.error()), expected);
}

void TestFormats::csvSequences_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<QList<float>>("values");
    QTest::addColumn<QStringList>("labels");

    QTest::newRow("plain") << "1,2\n3,4\n"
                           << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("header") << "x,y\n1,2\n3,4" << 2 << 2 << QList<float> { 1, 2, 3, 4 }
                            << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("label column") << "a,1,2\nb,3,4\n"
                                  << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "a", "b" };
    QTest::newRow("header and label column")
        << "token,x,y\nthe,1,2\ncat,3.5,-4\n"
        << 2 << 2 << QList<float> { 1, 2, 3.5f, -4 } << QStringList { "the", "cat" };
    QTest::newRow("pandas index header")
        << ",x,y\nthe,1,2\nnan,3,4\n"
        << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "the", "nan" };
    QTest::newRow("semicolons") << "1;2\n3;4\n"
                                << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("semicolons with header")
        << "a; b\n 1 ; 2 \n3;4" << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("tabs") << "x\ty\n1\t2\n3\t4\n"
                          << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("comments and blank lines")
        << "# made by hand\n\n1,2\n   \n  # more\n3,4\n\n"
        << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("CRLF") << "x,y\r\n1,2\r\n3,4\r\n"
                          << 2 << 2 << QList<float> { 1, 2, 3, 4 } << QStringList { "[1,2]", "[3,4]" };
    QTest::newRow("BOM") << "\xEF\xBB\xBFv\n1\n2\n"
                         << 2 << 1 << QList<float> { 1, 2 } << QStringList { "1", "2" };
    QTest::newRow("one column with header")
        << "value\n1.5\n-2\n+3e2\n"
        << 3 << 1 << QList<float> { 1.5f, -2, 300 } << QStringList { "1.5", "-2", "+3e2" };
    QTest::newRow("quoted labels") << "\"a, b\",1\n\"say \"\"hi\"\"\",2\n"
                                   << 2 << 1 << QList<float> { 1, 2 } << QStringList { "a, b", "say \"hi\"" };
    QTest::newRow("five columns") << "1,2,3,4,5\n6,7,8,9,10\n"
                                  << 2 << 5 << QList<float> { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }
                                  << QStringList { "#0", "#1" };
    QTest::newRow("label + five columns")
        << "p,1,2,3,4,5\nq,6,7,8,9,10\n"
        << 2 << 5 << QList<float> { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 } << QStringList { "p", "q" };
    QTest::newRow("no final newline")
        << "1\n2" << 2 << 1 << QList<float> { 1, 2 } << QStringList { "1", "2" };
}

void TestFormats::csvSequences()
{
    QFETCH(QString, text);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(QList<float>, values);
    QFETCH(QStringList, labels);

    const auto seq = SequenceParser::parseCsv(text.toStdString(), "t.csv");
    QVERIFY2(seq.ok(), seq.ok() ? "" : seq.error().c_str());
    QCOMPARE(int(seq->values.rows()), rows);
    QCOMPARE(int(seq->values.cols()), cols);
    const QByteArray diff = floatsDiffer(matrixValues(seq->values), toStd(values));
    QVERIFY2(diff.isEmpty(), diff.constData());
    QCOMPARE(toQ(seq->labels), labels);
}

void TestFormats::csvErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("ragged short row") << "1,2,3\n4,5,6\n7,8\n"
                                      << "t.csv: line 3 has 2 values, line 1 has 3";
    QTest::newRow("ragged long row") << "1,2\n3,4,5\n"
                                     << "t.csv: line 2 has 3 values, line 1 has 2";
    QTest::newRow("ragged after comments") << "# c\n1,2,3\n\n4,5\n"
                                           << "t.csv: line 4 has 2 values, line 2 has 3";
    QTest::newRow("header mismatch") << "x,y,z\n1,2\n"
                                     << "t.csv: the header (line 1) has 3 columns, line 2 has 2";
    QTest::newRow("NaN") << "x,y\n1,2\n3,nan\n"
                         << "t.csv: NaN at line 3, column 2 ('nan'): non-finite values are not accepted";
    QTest::newRow("NaN first column")
        << "1,2\nNaN,3\n"
        << "t.csv: NaN at line 2, column 1 ('NaN'): non-finite values are not accepted";
    QTest::newRow("Inf") << "1\n-inf\n"
                         << "t.csv: Inf at line 2, column 1 ('-inf'): non-finite values are not accepted";
    QTest::newRow("not a number") << "a,1\nb,x\n"
                                  << "t.csv: line 2, column 2: 'x' is not a number";
    QTest::newRow("text in one column") << "1\nabc\n"
                                        << "t.csv: line 2, column 1: 'abc' is not a number";
    QTest::newRow("empty cell") << "1,,3\n"
                                << "t.csv: line 1, column 2 is empty";
    QTest::newRow("empty first cell") << "1,2\n,3\n"
                                      << "t.csv: line 2, column 1 is empty";
    QTest::newRow("out of range") << "1,2\n3,1e40\n"
                                  << "t.csv: line 2, column 2: '1e40' is outside the float32 range";
    QTest::newRow("empty file") << ""
                                << "t.csv: no data rows (the sequence is empty)";
    QTest::newRow("only comments") << "# a\n\n  \n# b"
                                   << "t.csv: no data rows (the sequence is empty)";
    QTest::newRow("only header") << "x,y\n"
                                 << "t.csv: no data rows after the header (the sequence is empty)";
}

void TestFormats::csvErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const auto seq = SequenceParser::parseCsv(text.toStdString(), "t.csv");
    QVERIFY2(!seq.ok(), "bad input was accepted");
    QCOMPARE(qs(seq.error()), expected);
}

void TestFormats::csvRowLimit()
{
    std::string text;
    text.reserve(2'000'010);
    for (int i = 0; i < 1'000'000; ++i)
        text += "1\n";
    const auto atLimit = SequenceParser::parseCsv(text, "big.csv");
    QVERIFY2(atLimit.ok(), atLimit.ok() ? "" : atLimit.error().c_str());
    QCOMPARE(atLimit->values.rows(), Eigen::Index { 1'000'000 });

    text += "2\n";
    const auto over = SequenceParser::parseCsv(text, "big.csv");
    QVERIFY(!over.ok());
    QCOMPARE(qs(over.error()),
        QString(
            "big.csv: too many rows: line 1000001 is row 1000001, and at most 1000000 rows are accepted"));
}

void TestFormats::npySequences_data()
{
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<QList<float>>("values");
    QTest::addColumn<QStringList>("labels");

    QTest::newRow("1-D") << QList<qint64> { 3 } << QList<float> { 0.5f, -1.0f, 2.0f }
                         << QStringList { "0.5", "-1", "2" };
    QTest::newRow("2-D") << QList<qint64> { 2, 3 } << QList<float> { 1, 2, 3, 4.25f, 5, 6 }
                         << QStringList { "[1,2,3]", "[4.25,5,6]" };
    QTest::newRow("2-D one column") << QList<qint64> { 2, 1 } << QList<float> { 0.1f, 7 }
                                    << QStringList { "0.1", "7" };
    QTest::newRow("2-D wide") << QList<qint64> { 2, 5 } << QList<float> { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }
                              << QStringList { "#0", "#1" };
}

void TestFormats::npySequences()
{
    QFETCH(QList<qint64>, shape);
    QFETCH(QList<float>, values);
    QFETCH(QStringList, labels);

    const std::vector<float> data = toStd(values);
    const auto array = NpyFile::parse(NpyFile::serialize(toStd(shape), data.data()), "s.npy");
    QVERIFY2(array.ok(), array.ok() ? "" : array.error().c_str());
    const auto seq = SequenceParser::fromNpy(*array, "s.npy");
    QVERIFY2(seq.ok(), seq.ok() ? "" : seq.error().c_str());
    QCOMPARE(int64_t(seq->values.rows()), shape[0]);
    QCOMPARE(int64_t(seq->values.cols()), shape.size() == 2 ? shape[1] : 1);
    const QByteArray diff = floatsDiffer(matrixValues(seq->values), data);
    QVERIFY2(diff.isEmpty(), diff.constData());
    QCOMPARE(toQ(seq->labels), labels);
}

void TestFormats::npySequenceErrors_data()
{
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<QList<float>>("values");
    QTest::addColumn<QString>("expected");

    QTest::newRow("3-D")
        << QList<qint64> { 2, 2, 2 } << QList<float> { 1, 2, 3, 4, 5, 6, 7, 8 }
        << "s.npy: expected a 1-D array (N values) or a 2-D array (N x d), got shape (2, 2, 2)";
    QTest::newRow("0-D") << QList<qint64> {} << QList<float> { 1 }
                         << "s.npy: expected a 1-D array (N values) or a 2-D array (N x d), got shape ()";
    QTest::newRow("empty 1-D") << QList<qint64> { 0 } << QList<float> {}
                               << "s.npy: the array is empty (shape (0,))";
    QTest::newRow("empty columns") << QList<qint64> { 3, 0 } << QList<float> {}
                                   << "s.npy: the array is empty (shape (3, 0))";
    QTest::newRow("NaN 2-D")
        << QList<qint64> { 2, 2 } << QList<float> { 1, 2, std::nanf(""), 4 }
        << "s.npy: NaN at row 2, column 1 (numpy index [1, 0]): non-finite values are not accepted";
    QTest::newRow("Inf 1-D") << QList<qint64> { 4 } << QList<float> { 1, 2, 3, -kInf }
                             << "s.npy: Inf at row 4 (numpy index [3]): non-finite values are not accepted";
}

void TestFormats::npySequenceErrors()
{
    QFETCH(QList<qint64>, shape);
    QFETCH(QList<float>, values);
    QFETCH(QString, expected);

    const std::vector<float> data = toStd(values);
    const auto array = NpyFile::parse(NpyFile::serialize(toStd(shape), data.data()), "s.npy");
    QVERIFY2(array.ok(), array.ok() ? "" : array.error().c_str());
    const auto seq = SequenceParser::fromNpy(*array, "s.npy");
    QVERIFY2(!seq.ok(), "bad array was accepted");
    QCOMPARE(qs(seq.error()), expected);
}

void TestFormats::readFileByExtension()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const float data[] = { 3.0f, 1.0f, 4.0f };
    const std::string npy = writeFile(dir, "seq.NPY", NpyFile::serialize({ 3 }, data));
    const auto a = SequenceParser::readFile(npy);
    QVERIFY2(a.ok(), a.ok() ? "" : a.error().c_str());
    QCOMPARE(a->values.rows(), Eigen::Index { 3 });
    QCOMPARE(a->values(2, 0), 4.0f);
    QCOMPARE(toQ(a->labels), (QStringList { "3", "1", "4" }));

    const std::string csv = writeFile(dir, "seq.txt", "x,y\n1,2\n");
    const auto b = SequenceParser::readFile(csv);
    QVERIFY2(b.ok(), b.ok() ? "" : b.error().c_str());
    QCOMPARE(b->values.cols(), Eigen::Index { 2 });
    QCOMPARE(b->values(0, 1), 2.0f);

    // A CSV named .npy is read as npy and says so; an npy named .csv fails as CSV.
    const std::string fakeNpy = writeFile(dir, "fake.npy", "1,2\n");
    const auto c = SequenceParser::readFile(fakeNpy);
    QVERIFY(!c.ok());
    QVERIFY2(qs(c.error()).startsWith(qs(fakeNpy + ": not a .npy file")), c.error().c_str());

    const std::string bad = writeFile(dir, "bad.csv", "1,2\n3\n");
    const auto d = SequenceParser::readFile(bad);
    QVERIFY(!d.ok());
    QCOMPARE(qs(d.error()), qs(bad + ": line 2 has 1 value, line 1 has 2"));

    const std::string missing = dir.filePath("missing.csv").toStdString();
    const auto e = SequenceParser::readFile(missing);
    QVERIFY(!e.ok());
    QCOMPARE(qs(e.error()), qs("cannot open '" + missing + "': no such file"));
}

QTEST_APPLESS_MAIN(TestFormats)
#include "tst_formats.moc"
