// The pipeline view's core half: the Mermaid flowchart parser (every shape, edge kind, label
// form, subgraphs, styling, the `end` and `---o` traps, errors with their positions, limits),
// the stage binder on the seeds' diagrams, the JSON form, and the engine's own generated
// diagrams, which must bind every node to a stage the engine returns.
#include "AttentionEngine.h"
#include "MermaidJson.h"
#include "MermaidParser.h"
#include "Pcg32.h"
#include "PipelineDiagram.h"
#include "StageBinder.h"
#include "TestData.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <set>

using namespace attn;

Q_DECLARE_METATYPE(attn::Mechanism)

namespace {

// The seeds' diagrams, verbatim (shared/seeds/*.txt); also resources/diagrams/seed*.mmd.
const char* const kSeed000 = R"(graph TD
    A[输入编码] --> B[注意力计算]
    B --> C[加权求和]
    C --> D[输出]
)";
const char* const kSeed001 = R"(graph TB
    A[输入序列] --> B[自注意力]
    B --> C[多头注意力]
    C --> D[动态注意力]
    D --> E[模型输出]
    B --> F[权重向量]
    F --> G[注意力权重]
    G --> H[加权聚合]
    H --> I[模型隐藏层]
)";
const char* const kSeed002 = R"(graph TD
A[输入数据] --> B[注意力计算]
B --> C[权重分配]
C --> D[深度学习模型]
D --> E[输出结果]
)";
const char* const kSeed004 = R"(graph TD
    A[输入层] --> B[特征提取]
    B --> C[中间层]
    C --> D[权重调整]
    D --> E[输出层]
    E --> F[结果输出]
)";

std::string str(const QByteArray& b) { return std::string(b.constData(), static_cast<size_t>(b.size())); }

MermaidGraph parseOrFail(const std::string& text)
{
    auto g = MermaidParser::parse(text);
    if (!g)
        qFatal("unexpected parse error: %s\n--- source ---\n%s", g.error().c_str(), text.c_str());
    return *g;
}

const MermaidNode& nodeOf(const MermaidGraph& g, const std::string& id)
{
    const MermaidNode* n = g.findNode(id);
    if (!n)
        qFatal("no node %s", id.c_str());
    return *n;
}

std::string edgeList(const MermaidGraph& g)
{
    std::string s;
    for (const MermaidEdge& e : g.edges)
        s += (s.empty() ? "" : " ") + e.from + ">" + e.to;
    return s;
}

Matrix randomMatrix(int rows, int cols, uint64_t seed)
{
    Pcg32 rng(seed);
    Matrix m(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            m(r, c) = rng.uniform(0.0f, 1.0f); // non-negative: the ratio normaliser needs it
    return m;
}

AttentionInput smallInput(bool cross)
{
    AttentionInput in;
    in.keys = randomMatrix(5, 8, 7);
    for (int i = 0; i < 5; ++i)
        in.keyLabels.push_back("k" + std::to_string(i));
    if (cross) {
        in.queries = randomMatrix(4, 8, 8);
        for (int i = 0; i < 4; ++i)
            in.queryLabels.push_back("q" + std::to_string(i));
    }
    return in;
}

} // namespace

class TestMermaid : public QObject {
    Q_OBJECT
private slots:
    void seeds_data();
    void seeds();
    void seedFilesMatchTheLiterals();
    void seed000Json();
    void bindingRespectsAvailableStages();
    void binderLabels_data();
    void binderLabels();
    void header_data();
    void header();
    void shapes_data();
    void shapes();
    void edgeKinds_data();
    void edgeKinds();
    void edgeLabels_data();
    void edgeLabels();
    void chainsAndFanOut_data();
    void chainsAndFanOut();
    void subgraphs();
    void styling();
    void comments();
    void quotedUnicodeLabels();
    void positionsCountCodePoints();
    void redefinitionLastLabelWins();
    void endTrap();
    void circleCrossTrap();
    void errors_data();
    void errors();
    void tenThousandNodeChain();
    void nodeLimit();
    void edgeLimit();
    void textLimit();
    void fanOutIsLinear();
    void copiedTextIsBounded();
    void cyclesAndSelfLoops();
    void pipelineDiagramBinds_data();
    void pipelineDiagramBinds();
    void pipelineDiagramShape();
};

// ---- seeds ------------------------------------------------------------------------------------

void TestMermaid::seeds_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("nodes");
    QTest::addColumn<int>("edges");
    QTest::addColumn<QString>("direction");
    QTest::addColumn<QString>("bindings"); // id=stage, '-' for unbound
    QTest::newRow("seed000") << QByteArray(kSeed000) << 4 << 3 << "TD" << "A=input B=scores C=output D=output";
    QTest::newRow("seed001") << QByteArray(kSeed001) << 9 << 8 << "TB"
                             << "A=input B=weights C=head_output D=dynamic E=output F=weights G=weights H=output "
                                "I=output";
    QTest::newRow("seed002") << QByteArray(kSeed002) << 5 << 4 << "TD" << "A=input B=scores C=weights D=- E=output";
    QTest::newRow("seed004") << QByteArray(kSeed004) << 6 << 5 << "TD"
                             << "A=input B=k C=scores D=weights E=output F=output";
}

void TestMermaid::seeds()
{
    QFETCH(QByteArray, text);
    QFETCH(int, nodes);
    QFETCH(int, edges);
    QFETCH(QString, direction);
    QFETCH(QString, bindings);
    const MermaidGraph g = parseOrFail(str(text));
    QVERIFY2(g.warnings.empty(), g.warnings.empty() ? "" : g.warnings.front().c_str());
    QCOMPARE(static_cast<int>(g.nodes.size()), nodes);
    QCOMPARE(static_cast<int>(g.edges.size()), edges);
    QCOMPARE(QString(toString(g.direction)), direction);
    for (const MermaidEdge& e : g.edges)
        QCOMPARE(QString::fromStdString(edgeKind(e)), QString("arrow"));
    const StageBinding b = StageBinder::bind(g);
    for (const QString& pair : bindings.split(' ')) {
        const QStringList kv = pair.split('=');
        const auto stage = b.stageOf(kv[0].toStdString());
        const QString got = stage ? QString::fromStdString(*stage) : QString("-");
        QVERIFY2(got == kv[1], qPrintable(kv[0] + " (" + QString::fromStdString(nodeOf(g, kv[0].toStdString()).label) +
                                         ") bound to " + got + ", expected " + kv[1]));
    }
    const int unbound = static_cast<int>(bindings.count("=-"));
    QCOMPARE(static_cast<int>(b.unmatched.size()), unbound);
}

void TestMermaid::seedFilesMatchTheLiterals()
{
    const QByteArray dir = qgetenv("ATTNSCOPE_SOURCE_DIR") + "/resources/diagrams/";
    const std::pair<const char*, const char*> files[] = {
        {"seed000.mmd", kSeed000}, {"seed001.mmd", kSeed001}, {"seed002.mmd", kSeed002}, {"seed004.mmd", kSeed004}};
    for (const auto& [name, literal] : files) {
        QFile f(QString::fromUtf8(dir + name));
        QVERIFY2(f.open(QIODevice::ReadOnly), name);
        const QByteArray content = f.readAll();
        QVERIFY2(content.startsWith("%% Seed "), name);
        const MermaidGraph fromFile = parseOrFail(str(content));
        const MermaidGraph fromLiteral = parseOrFail(literal);
        QCOMPARE(fromFile.nodes.size(), fromLiteral.nodes.size());
        QCOMPARE(edgeList(fromFile), edgeList(fromLiteral));
        for (size_t i = 0; i < fromFile.nodes.size(); ++i)
            QCOMPARE(fromFile.nodes[i].label, fromLiteral.nodes[i].label);
    }
}

void TestMermaid::seed000Json()
{
    const MermaidGraph g = parseOrFail(kSeed000);
    const nlohmann::json got = MermaidJson::toJson(g, StageBinder::bind(g));
    const nlohmann::json expected = readTestDataJson("seed000-pipeline.json"); // as `pipeline --dump-json` writes it
    QVERIFY2(got == expected, got.dump(2).c_str());

    // Subgraph fields, null when unset.
    const MermaidGraph s = parseOrFail("graph LR\nsubgraph one [First]\ndirection TB\na\nsubgraph two\nb\nend\nend\n");
    const nlohmann::json sj = MermaidJson::toJson(s, StageBinder::bind(s));
    const nlohmann::json expectedSubgraphs = nlohmann::json::parse(R"([
        {"id": "one", "title": "First", "direction": "TB", "parent": null, "nodes": ["a"]},
        {"id": "two", "title": "two", "direction": null, "parent": "one", "nodes": ["b"]}
    ])");
    QVERIFY2(sj["subgraphs"] == expectedSubgraphs, sj.dump(2).c_str());
    QCOMPARE(sj["direction"].get<std::string>(), std::string("LR"));
    QVERIFY(sj["nodes"][0]["stage"].is_null());
}

void TestMermaid::bindingRespectsAvailableStages()
{
    const MermaidGraph g = parseOrFail(kSeed000);
    const StageBinding b = StageBinder::bind(g, {"input", "q", "k", "v", "weights", "head_output", "concat", "output"});
    QVERIFY(!b.stageOf("B")); // scores not kept: 注意力计算 stays unbound
    QCOMPARE(b.unmatched, std::vector<std::string>{"B"});
    QCOMPARE(*b.stageOf("A"), std::string("input"));
}

void TestMermaid::binderLabels_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("stage"); // "" for none
    QTest::newRow("exact-en") << "Weighted Sum" << "output";
    QTest::newRow("trim-case") << "  SOFTMAX \n" << "weights";
    QTest::newRow("br-fold") << "input<br/>encoding" << "input";
    QTest::newRow("newline-fold") << "attention\n  computation" << "scores";
    QTest::newRow("single-letter") << "Q" << "q";
    QTest::newRow("qkt") << "QK^T" << "scores";
    QTest::newRow("zh-mask") << "掩码" << "masked_scores";
    QTest::newRow("zh-gate") << "门控" << "dynamic";
    QTest::newRow("zh-concat") << "拼接" << "concat";
    QTest::newRow("contains-word") << "Attention weights (softmax)" << "weights";
    QTest::newRow("contains-zh") << "深度学习模型输出" << "output";
    QTest::newRow("longest-wins") << "multi-head attention output" << "head_output";
    QTest::newRow("no-partial-word") << "keyboard" << "";
    QTest::newRow("single-char-not-contained") << "值得" << "";
    QTest::newRow("unknown") << "深度学习模型" << "";
    QTest::newRow("empty") << "" << "";
}

void TestMermaid::binderLabels()
{
    QFETCH(QString, label);
    QFETCH(QString, stage);
    const auto got = StageBinder::stageForLabel(label.toStdString());
    QCOMPARE(got ? QString::fromStdString(*got) : QString(), stage);
}

// ---- syntax -----------------------------------------------------------------------------------

void TestMermaid::header_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("direction");
    QTest::newRow("graph") << QByteArray("graph\nA") << "TD";
    QTest::newRow("flowchart") << QByteArray("flowchart\nA") << "TD";
    QTest::newRow("TD") << QByteArray("graph TD\nA") << "TD";
    QTest::newRow("TB") << QByteArray("flowchart TB\nA") << "TB";
    QTest::newRow("BT") << QByteArray("graph BT\nA") << "BT";
    QTest::newRow("LR") << QByteArray("graph LR;A") << "LR";
    QTest::newRow("RL") << QByteArray("flowchart RL\nA") << "RL";
    QTest::newRow("front-matter") << QByteArray("---\ntitle: Demo\n---\n%%{init: {\"theme\": \"dark\"}}%%\ngraph LR\nA")
                                  << "LR";
    QTest::newRow("crlf") << QByteArray("graph LR\r\nA --> B\r\n") << "LR";
}

void TestMermaid::header()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, direction);
    const MermaidGraph g = parseOrFail(str(text));
    QCOMPARE(QString(toString(g.direction)), direction);
    QCOMPARE(g.nodes.front().id, std::string("A"));
}

void TestMermaid::shapes_data()
{
    QTest::addColumn<QByteArray>("node");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("shape");
    QTest::newRow("bare") << QByteArray("id1") << "id1" << "rect";
    QTest::newRow("rect") << QByteArray("id1[rect text]") << "rect text" << "rect";
    QTest::newRow("round") << QByteArray("id1(round)") << "round" << "round";
    QTest::newRow("stadium") << QByteArray("id1([stadium])") << "stadium" << "stadium";
    QTest::newRow("subroutine") << QByteArray("id1[[subroutine]]") << "subroutine" << "subroutine";
    QTest::newRow("cylinder") << QByteArray("id1[(数据库)]") << "数据库" << "cylinder";
    QTest::newRow("circle") << QByteArray("id1((circle))") << "circle" << "circle";
    QTest::newRow("asymmetric") << QByteArray("id1>asym]") << "asym" << "asymmetric";
    QTest::newRow("diamond") << QByteArray("id1{diamond}") << "diamond" << "diamond";
    QTest::newRow("hexagon") << QByteArray("id1{{hexagon}}") << "hexagon" << "hexagon";
    QTest::newRow("parallelogram") << QByteArray("id1[/para/]") << "para" << "parallelogram";
    QTest::newRow("parallelogram-alt") << QByteArray("id1[\\para\\]") << "para" << "parallelogram-alt";
    QTest::newRow("trapezoid") << QByteArray("id1[/Christmas\\]") << "Christmas" << "trapezoid";
    QTest::newRow("trapezoid-alt") << QByteArray("id1[\\去购物/]") << "去购物" << "trapezoid-alt";
    QTest::newRow("double-circle") << QByteArray("id1(((double circle)))") << "double circle" << "double-circle";
    QTest::newRow("quoted-rect") << QByteArray("id1[\"a (b) [c] {d}\"]") << "a (b) [c] {d}" << "rect";
    QTest::newRow("quoted-circle") << QByteArray("id1((\"x; y\"))") << "x; y" << "circle";
    QTest::newRow("quoted-diamond") << QByteArray("id1{\"is it?\"}") << "is it?" << "diamond";
    QTest::newRow("padded") << QByteArray("id1[  spaced out  ]") << "spaced out" << "rect";
    QTest::newRow("dash-id") << QByteArray("id1[x]:::c") << "x" << "rect";
}

void TestMermaid::shapes()
{
    QFETCH(QByteArray, node);
    QFETCH(QString, label);
    QFETCH(QString, shape);
    const MermaidGraph g = parseOrFail("flowchart LR\n    " + str(node) + "\n");
    QCOMPARE(g.nodes.size(), size_t(1));
    QCOMPARE(g.nodes[0].id, std::string("id1"));
    QCOMPARE(QString::fromStdString(g.nodes[0].label), label);
    QCOMPARE(QString(toString(g.nodes[0].shape)), shape);
    // The same node as an edge endpoint.
    const MermaidGraph e = parseOrFail("flowchart LR\n    start --> " + str(node) + " --> stop\n");
    QCOMPARE(edgeList(e), std::string("start>id1 id1>stop"));
    QCOMPARE(QString(toString(nodeOf(e, "id1").shape)), shape);
}

void TestMermaid::edgeKinds_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("startHead");
    QTest::addColumn<QString>("endHead");
    QTest::addColumn<int>("length");
    QTest::addColumn<QString>("to");
    QTest::newRow("-->") << QByteArray("A-->B") << "arrow" << "solid" << "none" << "arrow" << 1 << "B";
    QTest::newRow("---") << QByteArray("A --- B") << "open" << "solid" << "none" << "none" << 1 << "B";
    QTest::newRow("-.->") << QByteArray("A-.->B") << "dotted-arrow" << "dotted" << "none" << "arrow" << 1 << "B";
    QTest::newRow("-.-") << QByteArray("A -.- B") << "dotted" << "dotted" << "none" << "none" << 1 << "B";
    QTest::newRow("==>") << QByteArray("A==>B") << "thick-arrow" << "thick" << "none" << "arrow" << 1 << "B";
    QTest::newRow("===") << QByteArray("A === B") << "thick" << "thick" << "none" << "none" << 1 << "B";
    QTest::newRow("<-->") << QByteArray("A <--> B") << "bidirectional" << "solid" << "arrow" << "arrow" << 1 << "B";
    QTest::newRow("--o") << QByteArray("A --o B") << "circle" << "solid" << "none" << "circle" << 1 << "B";
    QTest::newRow("--x") << QByteArray("A --x B") << "cross" << "solid" << "none" << "cross" << 1 << "B";
    QTest::newRow("~~~") << QByteArray("A ~~~ B") << "invisible" << "invisible" << "none" << "none" << 1 << "B";
    QTest::newRow("--->") << QByteArray("A--->B") << "arrow" << "solid" << "none" << "arrow" << 2 << "B";
    QTest::newRow("---->") << QByteArray("A---->B") << "arrow" << "solid" << "none" << "arrow" << 3 << "B";
    QTest::newRow("----") << QByteArray("A ---- B") << "open" << "solid" << "none" << "none" << 2 << "B";
    QTest::newRow("-..->") << QByteArray("A-..->B") << "dotted-arrow" << "dotted" << "none" << "arrow" << 2 << "B";
    QTest::newRow("-...-") << QByteArray("A -...- B") << "dotted" << "dotted" << "none" << "none" << 3 << "B";
    QTest::newRow("====>") << QByteArray("A====>B") << "thick-arrow" << "thick" << "none" << "arrow" << 3 << "B";
    QTest::newRow("~~~~") << QByteArray("A ~~~~ B") << "invisible" << "invisible" << "none" << "none" << 2 << "B";
    QTest::newRow("o--o") << QByteArray("A o--o B") << "circle" << "solid" << "circle" << "circle" << 1 << "B";
    QTest::newRow("x--x") << QByteArray("A x--x B") << "cross" << "solid" << "cross" << "cross" << 1 << "B";
    QTest::newRow("<-.->") << QByteArray("A <-.-> B") << "bidirectional" << "dotted" << "arrow" << "arrow" << 1 << "B";
    QTest::newRow("<==>") << QByteArray("A<==>B") << "bidirectional" << "thick" << "arrow" << "arrow" << 1 << "B";
    QTest::newRow("-.-x") << QByteArray("A -.-x B") << "cross" << "dotted" << "none" << "cross" << 1 << "B";
    QTest::newRow("==o") << QByteArray("A ==o B") << "circle" << "thick" << "none" << "circle" << 1 << "B";
    QTest::newRow("id-with-dash") << QByteArray("A-->my-node") << "arrow" << "solid" << "none" << "arrow" << 1
                                  << "my-node";
}

void TestMermaid::edgeKinds()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, kind);
    QFETCH(QString, line);
    QFETCH(QString, startHead);
    QFETCH(QString, endHead);
    QFETCH(int, length);
    QFETCH(QString, to);
    const MermaidGraph g = parseOrFail("graph LR\n" + str(text) + "\n");
    QCOMPARE(g.edges.size(), size_t(1));
    const MermaidEdge& e = g.edges[0];
    QCOMPARE(e.from, std::string("A"));
    QCOMPARE(QString::fromStdString(e.to), to);
    QCOMPARE(QString::fromStdString(edgeKind(e)), kind);
    QCOMPARE(QString(toString(e.line)), line);
    QCOMPARE(QString(toString(e.startHead)), startHead);
    QCOMPARE(QString(toString(e.endHead)), endHead);
    QCOMPARE(e.length, length);
    QCOMPARE(e.index, 0);
    QCOMPARE(g.nodes.size(), size_t(2));
}

void TestMermaid::edgeLabels_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("kind");
    QTest::newRow("pipe") << QByteArray("A-->|yes|B") << "yes" << "arrow";
    QTest::newRow("pipe-spaced") << QByteArray("A --> | yes | B") << "yes" << "arrow";
    QTest::newRow("pipe-open") << QByteArray("A---|This is the text|B") << "This is the text" << "open";
    QTest::newRow("pipe-dotted") << QByteArray("A-.->|maybe|B") << "maybe" << "dotted-arrow";
    QTest::newRow("pipe-thick") << QByteArray("A==>|sure|B") << "sure" << "thick-arrow";
    QTest::newRow("pipe-quoted") << QByteArray("A-->|\"a | b\"|B") << "a | b" << "arrow";
    QTest::newRow("pipe-br") << QByteArray("A-->|two<br/>lines|B") << "two\nlines" << "arrow";
    QTest::newRow("text-arrow") << QByteArray("A -- yes --> B") << "yes" << "arrow";
    QTest::newRow("text-open") << QByteArray("A-- This is the text! ---B") << "This is the text!" << "open";
    QTest::newRow("text-dotted") << QByteArray("A -. maybe .-> B") << "maybe" << "dotted-arrow";
    QTest::newRow("text-dotted-open") << QByteArray("A -. maybe .- B") << "maybe" << "dotted";
    QTest::newRow("text-thick") << QByteArray("A == sure ==> B") << "sure" << "thick-arrow";
    QTest::newRow("text-thick-open") << QByteArray("A == sure === B") << "sure" << "thick";
    QTest::newRow("text-single-dash") << QByteArray("A -- a-b --> B") << "a-b" << "arrow";
    QTest::newRow("text-quoted") << QByteArray("A -- \"a -- b\" --> B") << "a -- b" << "arrow";
    QTest::newRow("text-bidirectional") << QByteArray("A <-- both --> B") << "both" << "bidirectional";
    QTest::newRow("text-zh") << QByteArray("A -- 是 --> B") << "是" << "arrow";
    // Mermaid's lexer: an o or x right before the closing -- belongs to the link token.
    QTest::newRow("text-swallowed-o") << QByteArray("A -- go--> B") << "g" << "arrow";
}

void TestMermaid::edgeLabels()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, label);
    QFETCH(QString, kind);
    const MermaidGraph g = parseOrFail("graph LR\n" + str(text) + "\n");
    QCOMPARE(edgeList(g), std::string("A>B"));
    QCOMPARE(QString::fromStdString(g.edges[0].label), label);
    QCOMPARE(QString::fromStdString(edgeKind(g.edges[0])), kind);
}

void TestMermaid::chainsAndFanOut_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("edges");
    QTest::addColumn<int>("nodes");
    QTest::newRow("chain") << QByteArray("A --> B --> C") << "A>B B>C" << 3;
    QTest::newRow("chain-mixed") << QByteArray("A -- x --> B -.-> C ==>|y| D") << "A>B B>C C>D" << 4;
    QTest::newRow("fan-out") << QByteArray("A & B --> C & D") << "A>C A>D B>C B>D" << 4;
    QTest::newRow("fan-chain") << QByteArray("a --> b & c--> d") << "a>b a>c b>d c>d" << 4;
    QTest::newRow("fan-shapes") << QByteArray("A[a] & B(b) --> C{c}") << "A>C B>C" << 3;
    QTest::newRow("group-only") << QByteArray("A & B & C") << "" << 3;
    QTest::newRow("semicolons") << QByteArray("A-->B;B-->C;") << "A>B B>C" << 3;
}

void TestMermaid::chainsAndFanOut()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, edges);
    QFETCH(int, nodes);
    const MermaidGraph g = parseOrFail("graph TD\n" + str(text) + "\n");
    QCOMPARE(QString::fromStdString(edgeList(g)), edges);
    QCOMPARE(static_cast<int>(g.nodes.size()), nodes);
    for (size_t i = 0; i < g.edges.size(); ++i)
        QCOMPARE(g.edges[i].index, static_cast<int>(i));
}

void TestMermaid::subgraphs()
{
    const MermaidGraph g = parseOrFail(R"(flowchart LR
    c1 --> a1
    subgraph outer [Outer title]
        direction TB
        a1 --> a2
        subgraph inner["Inner title"]
            direction RL
            b1 --> b2
        end
        a2 --> b1
    end
    subgraph Plain title here
        c1
    end
    subgraph simple
        d1
    end
    d1 --> outer
)");
    QCOMPARE(g.subgraphs.size(), size_t(4));
    const MermaidSubgraph& outer = g.subgraphs[0];
    QCOMPARE(outer.id, std::string("outer"));
    QCOMPARE(outer.title, std::string("Outer title"));
    QVERIFY(outer.direction && *outer.direction == FlowDirection::TB);
    QCOMPARE(outer.parent, std::string());
    QCOMPARE(outer.nodeIds, (std::vector<std::string>{"a1", "a2"}));
    QCOMPARE(outer.line, 3);
    const MermaidSubgraph& inner = g.subgraphs[1];
    QCOMPARE(inner.id, std::string("inner"));
    QCOMPARE(inner.title, std::string("Inner title"));
    QVERIFY(inner.direction && *inner.direction == FlowDirection::RL);
    QCOMPARE(inner.parent, std::string("outer"));
    QCOMPARE(inner.nodeIds, (std::vector<std::string>{"b1", "b2"})); // claimed before outer closes
    const MermaidSubgraph& plain = g.subgraphs[2];
    QCOMPARE(plain.id, std::string("subGraph2")); // Mermaid's generated id for a title with spaces
    QCOMPARE(plain.title, std::string("Plain title here"));
    QVERIFY(!plain.direction);
    QCOMPARE(plain.nodeIds, std::vector<std::string>{"c1"}); // defined at top level first, owned here
    QCOMPARE(g.subgraphs[3].id, std::string("simple"));
    QCOMPARE(g.subgraphs[3].title, std::string("simple"));
    QCOMPARE(nodeOf(g, "b1").subgraph, std::string("inner"));
    QCOMPARE(nodeOf(g, "a1").subgraph, std::string("outer"));
    QCOMPARE(nodeOf(g, "c1").subgraph, std::string("subGraph2"));
    // An edge may end at a subgraph: its id is not a node.
    QVERIFY(!g.findNode("outer"));
    QCOMPARE(g.nodes.size(), size_t(6));
    QCOMPARE(g.edges.back().to, std::string("outer"));
    QCOMPARE(g.direction, FlowDirection::LR);

    const MermaidGraph q = parseOrFail("graph TD\nsubgraph \"Quoted title\"\nA\nend\nsubgraph one;B;end");
    QCOMPARE(q.subgraphs[0].id, std::string("subGraph0"));
    QCOMPARE(q.subgraphs[0].title, std::string("Quoted title"));
    QCOMPARE(q.subgraphs[1].nodeIds, std::vector<std::string>{"B"});
}

void TestMermaid::styling()
{
    const MermaidGraph g = parseOrFail(R"(graph TD
    classDef hot fill:#f96,stroke:#333
    classDef cold,frozen fill:#9cf;
    A:::hot --> B[Bee]:::cold
    C
    class A,C cold
    class Nowhere hot
    style B fill:#f9f,stroke:#333
    style B color:#fff
    linkStyle 0 stroke:#f00,stroke-width:2px
    B --> C
    C --> A
    linkStyle default stroke:#999
    linkStyle 1 interpolate basis stroke:#0f0
)");
    QCOMPARE(g.classDefs.size(), size_t(3));
    QCOMPARE(g.classDefs.at("hot"), std::string("fill:#f96,stroke:#333"));
    QCOMPARE(g.classDefs.at("frozen"), std::string("fill:#9cf"));
    QCOMPARE(nodeOf(g, "A").classes, (std::vector<std::string>{"hot", "cold"}));
    QCOMPARE(nodeOf(g, "B").classes, std::vector<std::string>{"cold"});
    QCOMPARE(nodeOf(g, "B").label, std::string("Bee"));
    QCOMPARE(nodeOf(g, "C").classes, std::vector<std::string>{"cold"});
    QVERIFY(!g.findNode("Nowhere")); // class on an unknown id is ignored, as in Mermaid
    QCOMPARE(nodeOf(g, "B").style, std::string("fill:#f9f,stroke:#333,color:#fff"));
    QCOMPARE(g.edges[0].style, std::string("stroke:#f00,stroke-width:2px"));
    QCOMPARE(g.edges[1].style, std::string("stroke:#0f0"));
    QCOMPARE(g.edges[2].style, std::string()); // defaultLinkStyle applies
    QCOMPARE(g.defaultLinkStyle, std::string("stroke:#999"));
    // `style` on a new id creates the node (Mermaid's addVertex).
    const MermaidGraph s = parseOrFail("graph TD\nstyle Z fill:#000\n");
    QCOMPARE(s.nodes.size(), size_t(1));
    QCOMPARE(s.nodes[0].style, std::string("fill:#000"));
}

void TestMermaid::comments()
{
    const MermaidGraph g = parseOrFail(R"(%% a leading comment
graph LR %% after the header
    %% a whole line
    A --> B %% trailing
    B --> C; C --> D; %% after semicolons
    E["50%% done"]
)");
    QCOMPARE(g.nodes.size(), size_t(5));
    QCOMPARE(edgeList(g), std::string("A>B B>C C>D"));
    QCOMPARE(nodeOf(g, "E").label, std::string("50%% done"));
}

void TestMermaid::quotedUnicodeLabels()
{
    const MermaidGraph g = parseOrFail(
        "graph TD\n"
        "    A[\"text with (parens) and ; and Unicode 注意力\"] --> B[\"第一行<br/>第二行<br>third<BR />fourth\"]\n"
        "    C[\"`**bold** text\n"
        "       second line`\"]\n"
        "    D[\"say #quot;hi#quot; #35;1 #9829;\"]\n"
        "    E[注意力<br/>权重]\n");
    QCOMPARE(nodeOf(g, "A").label, std::string("text with (parens) and ; and Unicode 注意力"));
    QCOMPARE(nodeOf(g, "B").label, std::string("第一行\n第二行\nthird\nfourth"));
    QCOMPARE(nodeOf(g, "C").label, std::string("**bold** text\nsecond line"));
    QCOMPARE(nodeOf(g, "D").label, std::string("say \"hi\" #1 ♥"));
    QCOMPARE(nodeOf(g, "E").label, std::string("注意力\n权重"));
    QCOMPARE(*StageBinder::bind(g).stageOf("E"), std::string("weights")); // <br/> folded for binding
    QCOMPARE(g.nodes.size(), size_t(5));
}

void TestMermaid::positionsCountCodePoints()
{
    const MermaidGraph g = parseOrFail("graph LR\n    注意力 --> B\n\tC");
    QCOMPARE(nodeOf(g, "注意力").line, 2);
    QCOMPARE(nodeOf(g, "注意力").column, 5);
    QCOMPARE(nodeOf(g, "B").column, 13);
    QCOMPARE(nodeOf(g, "C").line, 3);
    QCOMPARE(nodeOf(g, "C").column, 2);
    QCOMPARE(g.edges[0].sourceColumn, 9);
}

void TestMermaid::redefinitionLastLabelWins()
{
    const MermaidGraph g = parseOrFail("graph TD\nA[first] --> B\nA(second)\nA --> C\nB[bee]\nB\n");
    QCOMPARE(g.nodes.size(), size_t(3));
    QCOMPARE(nodeOf(g, "A").label, std::string("second"));
    QCOMPARE(nodeOf(g, "A").shape, NodeShape::Round);
    QCOMPARE(nodeOf(g, "A").line, 2);
    QCOMPARE(nodeOf(g, "B").label, std::string("bee"));
    QCOMPARE(nodeOf(g, "C").label, std::string("C"));
    // Said, not silently: one warning for A (B's first explicit label is 'bee'; a bare B adds nothing).
    QCOMPARE(g.warnings.size(), size_t(1));
    QCOMPARE(QString::fromStdString(g.warnings[0]),
        QString("line 3, column 2: node 'A' is defined again as 'second' (first defined on line 2 as 'first'); "
                "the later definition is used, as in Mermaid"));
    // The same label and shape again is no redefinition.
    QVERIFY(parseOrFail("graph TD\nA[x] --> B\nA[x] --> C\n").warnings.empty());
}

void TestMermaid::endTrap()
{
    // End, END, endpoint, end_x are node ids; lowercase `end` is the keyword.
    const MermaidGraph g = parseOrFail("graph TD\nA --> End\nEND --> endpoint\nend_x\nsubgraph s\nB\nend\n");
    QCOMPARE(g.nodes.size(), size_t(6));
    QVERIFY(g.findNode("End") && g.findNode("END") && g.findNode("endpoint") && g.findNode("end_x"));
    QCOMPARE(g.subgraphs[0].nodeIds, std::vector<std::string>{"B"});

    auto a = MermaidParser::parse("graph TD\nA --> end\n");
    QVERIFY(!a);
    QCOMPARE(QString::fromStdString(a.error()),
        QString("line 2, column 7: expected a node id, found the keyword 'end' (write End or END for a node named end)"));
    auto b = MermaidParser::parse("graph TD\nA --> B\nend\n");
    QVERIFY(!b);
    QVERIFY(QString::fromStdString(b.error()).startsWith("line 3, column 1: expected a node or statement, found 'end'"));
    // Inside a subgraph, `end` closes it: `end --> A` leaves a dangling link.
    auto c = MermaidParser::parse("graph TD\nsubgraph s\nend --> A\n");
    QVERIFY(!c);
    QCOMPARE(QString::fromStdString(c.error()),
        QString("line 3, column 5: expected ';' or end of line after 'end', found '-->'"));
}

void TestMermaid::circleCrossTrap()
{
    const MermaidGraph circle = parseOrFail("graph LR\nA---oB\n");
    QCOMPARE(edgeList(circle), std::string("A>B"));
    QCOMPARE(QString::fromStdString(edgeKind(circle.edges[0])), QString("circle"));
    const MermaidGraph cross = parseOrFail("graph LR\nA---xB\n");
    QCOMPARE(edgeList(cross), std::string("A>B"));
    QCOMPARE(QString::fromStdString(edgeKind(cross.edges[0])), QString("cross"));
    const MermaidGraph spaced = parseOrFail("graph LR\nA --- oB\ndev--- ops\ndev---Ops\n");
    QCOMPARE(edgeList(spaced), std::string("A>oB dev>ops dev>Ops"));
    for (const MermaidEdge& e : spaced.edges)
        QCOMPARE(QString::fromStdString(edgeKind(e)), QString("open"));
    // --> ends with '>', so a following o is the node's.
    const MermaidGraph arrow = parseOrFail("graph LR\nA-->oB\n");
    QCOMPARE(edgeList(arrow), std::string("A>oB"));
    QCOMPARE(QString::fromStdString(edgeKind(arrow.edges[0])), QString("arrow"));
}

void TestMermaid::errors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QByteArray("") << "line 1, column 1: expected 'graph' or 'flowchart', found end of input";
    QTest::newRow("blank") << QByteArray("  \n%% only a comment\n")
                           << "line 3, column 1: expected 'graph' or 'flowchart', found end of input";
    QTest::newRow("no-header") << QByteArray("A --> B")
                               << "line 1, column 1: expected 'graph' or 'flowchart', found 'A'";
    QTest::newRow("misspelt-header") << QByteArray("grph TD\nA")
                                     << "line 1, column 1: expected 'graph' or 'flowchart', found 'grph'";
    QTest::newRow("unknown-direction") << QByteArray("graph XY\nA-->B")
                                       << "line 1, column 7: expected a direction (TD, TB, BT, LR or RL), found 'XY'";
    QTest::newRow("after-direction") << QByteArray("flowchart LR TD")
                                     << "line 1, column 14: expected ';' or end of line after the direction, found 'TD'";
    QTest::newRow("unclosed-label") << QByteArray("graph TD\nA-->B\n   A[abcdef(x)]\n")
                                    << "line 3, column 12: expected ']' to close the node label opened at column 5, "
                                       "found '(' (quote a label that contains it: id[\"...\"])";
    QTest::newRow("label-at-eol") << QByteArray("graph TD\n  A[abc --> B\n")
                                  << "line 2, column 14: expected ']' to close the node label opened at column 4, "
                                     "found end of line";
    QTest::newRow("stadium-closer") << QByteArray("graph TD\nA([abc)\n")
                                    << "line 2, column 7: expected '])' to close the node label opened at column 2, "
                                       "found ')' (quote a label that contains it: id[\"...\"])";
    QTest::newRow("unterminated-quote") << QByteArray("graph TD\nA[\"abc --> B\n")
                                        << "line 2, column 13: expected '\"' to close the string opened at column 3, "
                                           "found end of line";
    QTest::newRow("unterminated-markdown") << QByteArray("graph TD\nA[\"`abc\n\ndef")
                                           << "line 4, column 4: expected '\"' to close the string opened at line 2, "
                                              "column 3, found end of input";
    QTest::newRow("end-without-subgraph")
        << QByteArray("graph TD\nA-->B\nend")
        << "line 3, column 1: expected a node or statement, found 'end' with no open subgraph (a node named end must be "
           "written End or END)";
    QTest::newRow("subgraph-without-end")
        << QByteArray("graph TD\nsubgraph one\nA-->B\n")
        << "line 4, column 1: expected 'end' to close the subgraph 'one' opened on line 2, found end of input";
    QTest::newRow("nested-without-end")
        << QByteArray("graph TD\nsubgraph a\nsubgraph b\nX\nend")
        << "line 5, column 4: expected 'end' to close the subgraph 'a' opened on line 2, found end of input";
    QTest::newRow("end-as-node") << QByteArray("graph TD\nA --> end")
                                 << "line 2, column 7: expected a node id, found the keyword 'end' (write End or END for "
                                    "a node named end)";
    QTest::newRow("missing-target") << QByteArray("graph TD\nA -->")
                                    << "line 2, column 6: expected a node after '-->', found end of input";
    QTest::newRow("missing-target-semicolon") << QByteArray("graph TD\nA ==> ;")
                                              << "line 2, column 7: expected a node after '==>', found ';'";
    QTest::newRow("two-nodes") << QByteArray("graph TD\nA B")
                               << "line 2, column 3: expected a link (such as -->), '&', ';' or end of line, found 'B'";
    QTest::newRow("text-link-unclosed")
        << QByteArray("graph LR\nA -- text B\n")
        << "line 2, column 12: expected '-->' or '---' to end the edge label started at column 3, found end of line";
    QTest::newRow("text-link-mixed")
        << QByteArray("graph LR\nA -- text ==> B\n")
        << "line 2, column 16: expected '-->' or '---' to end the edge label started at column 3, found end of line";
    QTest::newRow("pipe-unclosed") << QByteArray("graph TD\nA-->|yes B")
                                   << "line 2, column 11: expected '|' to close the edge label opened at column 5, found "
                                      "end of input";
    QTest::newRow("linkStyle-range") << QByteArray("graph TD\nA-->B\nlinkStyle 1 stroke:#f00")
                                     << "line 3, column 11: expected a link index between 0 and 0, found 1";
    QTest::newRow("linkStyle-none") << QByteArray("graph TD\nlinkStyle 0 stroke:#f00")
                                    << "line 2, column 11: expected a link index, but no link is defined before this "
                                       "line, found 0";
    QTest::newRow("classDef-no-style") << QByteArray("graph TD\nclassDef hot\n")
                                       << "line 2, column 13: expected a style such as fill:#f9f after the class name, "
                                          "found end of line";
    QTest::newRow("subgraph-no-id") << QByteArray("graph TD\nsubgraph \nA\nend")
                                    << "line 2, column 10: expected a subgraph id or title after 'subgraph', found end "
                                       "of line";
    QTest::newRow("bad-direction-stmt") << QByteArray("graph TD\nsubgraph s\ndirection UP\nend")
                                        << "line 3, column 11: expected a direction (TD, TB, BT, LR or RL), found 'UP'";
    QTest::newRow("bad-class-suffix") << QByteArray("graph TD\nA::: --> B")
                                      << "line 2, column 5: expected a class name after ':::', found ' '";
    QTest::newRow("mismatched-ends") << QByteArray("graph TD\nA <-- text --- B")
                                     << "line 2, column 12: expected a link end matching the '<' that starts it at "
                                        "column 3, found '---'";
}

void TestMermaid::errors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    auto g = MermaidParser::parse(str(text));
    QVERIFY2(!g, "parsed without error");
    QCOMPARE(QString::fromStdString(g.error()), message);
}

// ---- limits -----------------------------------------------------------------------------------

void TestMermaid::tenThousandNodeChain()
{
    std::string text = "graph LR\n";
    for (int i = 0; i + 1 < MermaidParser::kMaxNodes; ++i)
        text += "n" + std::to_string(i) + " --> n" + std::to_string(i + 1) + "\n";
    QElapsedTimer timer;
    timer.start();
    const MermaidGraph g = parseOrFail(text);
    QCOMPARE(static_cast<int>(g.nodes.size()), MermaidParser::kMaxNodes);
    QCOMPARE(static_cast<int>(g.edges.size()), MermaidParser::kMaxNodes - 1);
    QCOMPARE(StageBinder::bind(g).unmatched.size(), size_t(MermaidParser::kMaxNodes));
    // The same chain on one line: positions are tracked incrementally, never rescanned.
    std::string oneLine = "graph LR\nn0";
    for (int i = 1; i < MermaidParser::kMaxNodes; ++i)
        oneLine += "-->n" + std::to_string(i);
    const MermaidGraph h = parseOrFail(oneLine);
    QCOMPARE(static_cast<int>(h.nodes.size()), MermaidParser::kMaxNodes);
    QCOMPARE(h.nodes.back().column, static_cast<int>(oneLine.rfind('n') - oneLine.find('\n')));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed()) + " ms"));
}

void TestMermaid::nodeLimit()
{
    std::string text = "graph LR\n";
    for (int i = 0; i < MermaidParser::kMaxNodes; ++i)
        text += "n" + std::to_string(i) + " --> n" + std::to_string(i + 1) + "\n";
    auto g = MermaidParser::parse(text);
    QVERIFY(!g);
    QCOMPARE(QString::fromStdString(g.error()),
        QString("line 10001, column 11: expected at most 10000 nodes, found node 10001 'n10000'"));
}

void TestMermaid::edgeLimit()
{
    std::string text = "graph LR\n";
    for (int i = 0; i < MermaidParser::kMaxEdges; ++i)
        text += "A --> B\n";
    QCOMPARE(static_cast<int>(parseOrFail(text).edges.size()), MermaidParser::kMaxEdges);
    text += "A --> B\n";
    auto g = MermaidParser::parse(text);
    QVERIFY(!g);
    QCOMPARE(QString::fromStdString(g.error()),
        QString("line 20002, column 3: expected at most 20000 edges, found edge 20001"));
}

void TestMermaid::textLimit()
{
    std::string text = "graph LR\n%%";
    text.resize(MermaidParser::kMaxBytes, 'x');
    QVERIFY(MermaidParser::parse(text).ok());
    text += 'x';
    auto g = MermaidParser::parse(text);
    QVERIFY(!g);
    QCOMPARE(QString::fromStdString(g.error()),
        QString("line 1, column 1: expected at most 1048576 bytes (1 MiB) of diagram text, found 1048577 bytes"));
}

void TestMermaid::fanOutIsLinear()
{
    // 100 x 100 fan-out: 10,000 edges from one statement.
    std::string left, right;
    for (int i = 0; i < 100; ++i) {
        left += (i ? " & a" : "a") + std::to_string(i);
        right += (i ? " & b" : "b") + std::to_string(i);
    }
    QElapsedTimer timer;
    timer.start();
    const MermaidGraph g = parseOrFail("graph LR\n" + left + " --> " + right + "\n");
    QCOMPARE(g.edges.size(), size_t(10000));
    QCOMPARE(g.nodes.size(), size_t(200));
    QCOMPARE(g.edges.back().from + ">" + g.edges.back().to, std::string("a99>b99"));
    QVERIFY(timer.elapsed() < 2000);
}

void TestMermaid::copiedTextIsBounded()
{
    // 100 x 100 edges each copying an 8 kB label would make 80 MB from 9 kB of text.
    std::string left, right;
    for (int i = 0; i < 100; ++i) {
        left += (i ? " & a" : "a") + std::to_string(i);
        right += (i ? " & b" : "b") + std::to_string(i);
    }
    const std::string text = "graph LR\n" + left + " -->|" + std::string(8000, 'x') + "| " + right + "\n";
    auto g = MermaidParser::parse(text);
    QVERIFY(!g);
    QCOMPARE(QString::fromStdString(g.error()),
        QString("line 2, column %1: expected at most 64 MiB of text in the parsed graph, found more: a fan-out, class, "
                "classDef or linkStyle statement repeats long text too often")
            .arg(left.size() + 2));
    // Likewise one linkStyle naming every link with a long style.
    std::string styled = "graph LR\n";
    std::string indices;
    for (int i = 0; i < 20000; ++i) {
        styled += "A-->B\n";
        indices += (i ? "," : "") + std::to_string(i);
    }
    styled += "linkStyle " + indices + " stroke:" + std::string(4000, 'f') + "\n";
    QVERIFY(!MermaidParser::parse(styled));
}

void TestMermaid::cyclesAndSelfLoops()
{
    const MermaidGraph g = parseOrFail("graph TD\nA-->B-->C-->A\nD-->D\nD-.->D\n");
    QCOMPARE(g.nodes.size(), size_t(4));
    QCOMPARE(edgeList(g), std::string("A>B B>C C>A D>D D>D"));
    QCOMPARE(g.warnings.size(), size_t(3));
    QCOMPARE(QString::fromStdString(g.warnings[0]), QString("line 3, column 2: node 'D' has an edge to itself"));
    QCOMPARE(QString::fromStdString(g.warnings[1]), QString("line 4, column 2: node 'D' has an edge to itself"));
    QCOMPARE(QString::fromStdString(g.warnings[2]),
        QString::fromUtf8("the diagram has a cycle: A \u2192 B \u2192 C \u2192 A; the layout reverses one of its edges to draw it"));
    // A diamond (two paths to one node) is not a cycle; the seeds' diagrams are acyclic.
    QVERIFY(parseOrFail("graph TD\nA-->B-->D\nA-->C-->D\n").warnings.empty());
    // A cycle reached late in a long chain is still found, and many self-loops are capped.
    std::string text = "graph LR\n";
    for (int i = 0; i < 30; ++i)
        text += "n" + std::to_string(i) + " --> n" + std::to_string(i) + "\n";
    text += "x1 --> x2 --> x3 --> x2\n";
    const MermaidGraph many = parseOrFail(text);
    QCOMPARE(many.warnings.size(), size_t(MermaidGraph::kMaxWarnings + 1));
    QCOMPARE(QString::fromStdString(many.warnings.back()), QString("... and 11 more warnings"));
}

// ---- the engine's own diagram -----------------------------------------------------------------

void TestMermaid::pipelineDiagramBinds_data()
{
    QTest::addColumn<Mechanism>("mechanism");
    QTest::addColumn<bool>("cross");
    struct Scope {
        const char* name;
        ScopeKind kind;
        bool causal;
        std::vector<int> padded;
    };
    const std::vector<Scope> scopes{{"global", ScopeKind::Global, false, {}}, {"local", ScopeKind::Local, false, {}},
        {"hybrid", ScopeKind::Hybrid, false, {}}, {"causal", ScopeKind::Global, true, {}},
        {"padded", ScopeKind::Global, false, {3}}};
    for (ScoreKind score : {ScoreKind::Dot, ScoreKind::ScaledDot, ScoreKind::Additive, ScoreKind::Bilinear,
             ScoreKind::Cosine})
        for (NormKind norm : {NormKind::Softmax, NormKind::Sigmoid, NormKind::Ratio})
            for (const Scope& scope : scopes)
                for (int heads : {1, 2, 12})
                    for (DynamicKind dynamic : {DynamicKind::None, DynamicKind::Gate, DynamicKind::Temperature})
                        for (bool cross : {false, true}) {
                            if (norm == NormKind::Ratio && heads == 12)
                                continue; // random projections give negative scores
                            Mechanism m;
                            m.score = score;
                            m.norm = norm;
                            m.scope = scope.kind;
                            m.window = 1;
                            m.globalTokens = 1;
                            m.causal = scope.causal;
                            m.paddedKeys = scope.padded;
                            m.heads = heads;
                            m.dynamic = dynamic;
                            m.temperature = 0.5;
                            if (heads == 12) {
                                m.projection = ProjectionKind::Random;
                                m.dim = 24;
                            }
                            const std::string name = std::string(toString(score)) + "/" + toString(norm) + "/" +
                                                     scope.name + "/h" + std::to_string(heads) + "/" +
                                                     toString(dynamic) + (cross ? "/cross" : "/self");
                            QTest::newRow(name.c_str()) << m << cross;
                        }
    // Random projections with 2 heads, every combination mode, scores not kept.
    for (CombineKind combine : {CombineKind::WeightedSum, CombineKind::ElementWise, CombineKind::SoftSelection})
        for (bool keep : {true, false})
            for (bool cross : {false, true}) {
                Mechanism m;
                m.projection = ProjectionKind::Random;
                m.dim = 16;
                m.heads = 2;
                m.combine = combine;
                m.keepScores = keep;
                m.scope = ScopeKind::Local;
                m.window = 1;
                const std::string name = std::string("random/") + toString(combine) + (keep ? "/kept" : "/not-kept") +
                                         (cross ? "/cross" : "/self");
                QTest::newRow(name.c_str()) << m << cross;
                m.heads = 1;
                m.score = ScoreKind::Additive;
                QTest::newRow((name + "/additive-h1").c_str()) << m << cross;
            }
}

void TestMermaid::pipelineDiagramBinds()
{
    QFETCH(Mechanism, mechanism);
    QFETCH(bool, cross);
    auto result = AttentionEngine::compute(smallInput(cross), mechanism);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().c_str());
    const std::vector<std::string> stages = result->stageNames();

    const std::string source = PipelineDiagram::fromMechanism(mechanism, cross);
    auto graph = MermaidParser::parse(source);
    QVERIFY2(graph.ok(), (graph.ok() ? std::string() : graph.error() + "\n" + source).c_str());
    const StageBinding binding = StageBinder::bind(*graph, stages);
    std::string unmatched;
    for (const std::string& id : binding.unmatched)
        unmatched += id + " ";
    QVERIFY2(binding.unmatched.empty(), ("unbound: " + unmatched + "\n" + source).c_str());
    QCOMPARE(binding.stages.size(), graph->nodes.size());

    // Every stage is drawn, except k and v folded into q by the identity projection and concat for one head.
    std::set<std::string> drawn;
    for (const auto& [id, stage] : binding.stages) {
        QVERIFY(std::find(stages.begin(), stages.end(), stage) != stages.end());
        drawn.insert(stage);
    }
    for (const std::string& stage : stages) {
        const bool foldedAway = (mechanism.projection == ProjectionKind::Identity &&
                                    (stage == "v" || (stage == "k" && !cross))) ||
                                (stage == "concat" && mechanism.heads == 1);
        QVERIFY2(drawn.count(stage) || foldedAway, ("stage not drawn: " + stage + "\n" + source).c_str());
    }
    // Nodes are connected: each one but the inputs has an incoming edge.
    for (const MermaidNode& n : graph->nodes) {
        if (n.id == "input" || n.id == "query_input")
            continue;
        const bool reached = std::any_of(graph->edges.begin(), graph->edges.end(),
            [&](const MermaidEdge& e) { return e.to == n.id; });
        QVERIFY2(reached, ("no edge into " + n.id + "\n" + source).c_str());
    }
}

void TestMermaid::pipelineDiagramShape()
{
    Mechanism m;
    m.heads = 12;
    m.projection = ProjectionKind::Random;
    m.dim = 24;
    m.score = ScoreKind::Additive;
    m.norm = NormKind::Sigmoid;
    m.scope = ScopeKind::Hybrid;
    m.window = 2;
    m.globalTokens = 1;
    m.causal = true;
    m.dynamic = DynamicKind::Gate;
    const MermaidGraph g = parseOrFail(PipelineDiagram::fromMechanism(m, false));
    QCOMPARE(g.subgraphs.size(), size_t(1));
    QCOMPARE(g.subgraphs[0].id, std::string("heads"));
    QCOMPARE(g.subgraphs[0].nodeIds, (std::vector<std::string>{"head_0", "head_1", "head_more", "head_11"}));
    QVERIFY(QString::fromStdString(g.subgraphs[0].title).startsWith("12 heads · weighted sum"));
    QCOMPARE(nodeOf(g, "head_more").label, std::string("…"));
    QCOMPARE(nodeOf(g, "head_11").label, std::string("head 11"));
    QVERIFY(g.findNode("additive_tanh") && g.findNode("W_O") && g.findNode("dynamic"));
    QVERIFY(QString::fromStdString(nodeOf(g, "masked_scores").label).contains("hybrid W=2 + G=1 + causal"));
    QVERIFY(QString::fromStdString(nodeOf(g, "weights").label).contains("σ gate"));
    QVERIFY(QString::fromStdString(nodeOf(g, "scores").label).contains("tanh"));
    QCOMPARE(*StageBinder::bind(g).stageOf("W_O"), std::string("output"));
    QCOMPARE(*StageBinder::bind(g).stageOf("additive_tanh"), std::string("scores"));

    Mechanism id; // identity, one head, global: no mask, no W_O, no concat
    id.score = ScoreKind::Bilinear;
    const MermaidGraph s = parseOrFail(PipelineDiagram::fromMechanism(id, false));
    QCOMPARE(nodeOf(s, "q").label, std::string("Q = K = V = X"));
    QVERIFY(!s.findNode("masked_scores") && !s.findNode("W_O") && !s.findNode("concat") && !s.findNode("k"));
    QVERIFY(QString::fromStdString(nodeOf(s, "scores").label).contains("W_a"));
    QVERIFY(QString::fromStdString(nodeOf(s, "head_output").label).contains("weighted sum"));
    QCOMPARE(s.direction, FlowDirection::TD);

    const MermaidGraph c = parseOrFail(PipelineDiagram::fromMechanism(id, true));
    QCOMPARE(nodeOf(c, "q").label, std::string("Q = Y"));
    QCOMPARE(nodeOf(c, "k").label, std::string("K = V = X"));
    QVERIFY(c.findNode("query_input"));
}

QTEST_APPLESS_MAIN(TestMermaid)
#include "tst_mermaid.moc"
