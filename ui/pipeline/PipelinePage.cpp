#include "PipelinePage.h"

#include "MermaidParser.h"
#include "PipelineDiagram.h"
#include "PipelineView.h"
#include "StageBinder.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

namespace {

constexpr int kDebounceMs = 200;
const QString kGenerated = QStringLiteral("generated");

// "%% Seed 000 §2.2 注意力机制架构 (shared/...): ..." -> "Seed 000 §2.2 注意力机制架构"
QString diagramTitle(const QString& resource)
{
    QFile f(resource);
    QString title = QFileInfo(resource).completeBaseName();
    if (f.open(QIODevice::ReadOnly)) {
        const QString first = QString::fromUtf8(f.readLine()).trimmed();
        if (first.startsWith(QLatin1String("%%"))) {
            QString t = first.mid(2).trimmed();
            const int cut = t.indexOf(QLatin1String(" ("));
            if (cut > 0)
                t = t.left(cut);
            if (!t.isEmpty())
                title = t;
        }
    }
    return title;
}

} // namespace

PipelinePage::PipelinePage(QWidget* parent)
    : QWidget(parent)
{
    m_source = new QComboBox(this);
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_source->setMinimumContentsLength(24); // long diagram titles elide: the page fits a 1366 px screen
    m_source->addItem(tr("Generated from the mechanism"), kGenerated);
    for (const QString& resource : bundledDiagrams())
        m_source->addItem(diagramTitle(resource), resource);
    m_source->setToolTip(tr("The diagram to show: the engine's own pipeline for the current mechanism, a seed's diagram, or a file"));
    m_open = new QPushButton(tr("Open…"), this);
    m_open->setToolTip(tr("Open a Mermaid flowchart (.mmd)"));

    m_editor = new QPlainTextEdit(this);
    QFont mono;
    mono.setFamilies({QStringLiteral("DejaVu Sans Mono"), QStringLiteral("Noto Sans Mono CJK SC"), QStringLiteral("Noto Sans CJK SC")});
    mono.setStyleHint(QFont::Monospace);
    m_editor->setFont(mono);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setPlaceholderText(tr("graph TD\n    A[input] --> B[scores] --> C[weights] --> D[output]"));
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    m_view = new PipelineView(this);
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(m_source, 1);
    sourceRow->addWidget(m_open);
    leftLayout->addLayout(sourceRow);
    leftLayout->addWidget(m_editor, 1);
    leftLayout->addWidget(m_error);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_view, 1);
    rightLayout->addWidget(m_status);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 5);
    splitter->setSizes({300, 750});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(splitter);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &PipelinePage::reparse);
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_settingText)
            m_debounce->start();
    });
    connect(m_source, &QComboBox::activated, this, &PipelinePage::sourceChosen);
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a Mermaid diagram"), {}, tr("Mermaid flowcharts (*.mmd *.mermaid *.md *.txt);;All files (*)"));
        if (path.isEmpty())
            return;
        QString error;
        if (!openFile(path, &error))
            showSyntaxError(error);
    });
    connect(m_view, &PipelineView::stageSelected, this, &PipelinePage::stageSelected);
    connect(m_view, &PipelineView::layoutFinished, this, &PipelinePage::updateStatus);
    updateStatus();
}

QStringList PipelinePage::bundledDiagrams()
{
    const QDir dir(QStringLiteral(":/diagrams"));
    QStringList out;
    for (const QString& name : dir.entryList({QStringLiteral("*.mmd")}, QDir::Files, QDir::Name))
        out << dir.filePath(name);
    return out;
}

QString PipelinePage::currentSource() const { return m_source->currentData().toString(); }

std::vector<std::string> PipelinePage::stageNames() const
{
    if (!m_computation)
        return attn::StageBinder::allStages();
    return m_computation->result->stageNames();
}

void PipelinePage::setComputation(ComputationPtr computation)
{
    m_computation = std::move(computation);
    // A hidden tab does not parse and lay out a new diagram for a long prompt's result (40 ms of its
    // arrival on the event loop); it does when shown. Short results bind at once, as before.
    m_stale = !isVisible() && m_computation && m_computation->result->queryCount > kDeferTokens;
    if (!m_stale)
        applyComputation();
}

void PipelinePage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale) {
        m_stale = false;
        applyComputation();
    }
}

void PipelinePage::applyComputation()
{
    if (currentSource() == kGenerated) {
        const QString text = m_computation ? QString::fromStdString(attn::PipelineDiagram::fromMechanism(
                                                 m_computation->mechanism, m_computation->result->cross))
                                           : QString();
        // Follow the mechanism until the user edits the generated text.
        if (m_editor->toPlainText() == m_generatedText || m_editor->toPlainText().isEmpty()) {
            const bool same = text == m_generatedText && m_editor->toPlainText() == text;
            m_generatedText = text;
            if (!same) { // the same diagram is not parsed and laid out again, only bound to the new stages
                setText(text);
                return;
            }
        }
    }
    if (m_lastGood) {
        m_view->setBinding(attn::StageBinder::bind(*m_lastGood, stageNames()));
        updateStatus();
    }
}

void PipelinePage::showGenerated()
{
    m_source->setCurrentIndex(m_source->findData(kGenerated));
    sourceChosen(m_source->currentIndex());
}

bool PipelinePage::showBundled(const QString& resource)
{
    const int index = m_source->findData(resource);
    if (index < 0)
        return false;
    m_source->setCurrentIndex(index);
    sourceChosen(index);
    return true;
}

bool PipelinePage::openFile(const QString& path, QString* error)
{
    QFile f(path);
    const QFileInfo info(path);
    QString problem;
    if (!info.exists())
        problem = tr("%1: no such file").arg(path);
    else if (info.isDir())
        problem = tr("%1: is a directory, not a Mermaid file").arg(path);
    else if (info.size() > static_cast<qint64>(attn::MermaidParser::kMaxBytes))
        problem = tr("%1: larger than the 1 MiB a diagram may have").arg(path);
    else if (!f.open(QIODevice::ReadOnly))
        problem = tr("%1: cannot be read (%2)").arg(path, f.errorString());
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    const QString text = QString::fromUtf8(f.readAll());
    int index = m_source->findData(info.absoluteFilePath());
    if (index < 0) {
        m_source->addItem(tr("File: %1").arg(info.fileName()), info.absoluteFilePath());
        index = m_source->count() - 1;
        m_source->setItemData(index, info.absoluteFilePath(), Qt::ToolTipRole);
    }
    m_source->setCurrentIndex(index);
    setText(text);
    return true;
}

void PipelinePage::sourceChosen(int index)
{
    const QString source = m_source->itemData(index).toString();
    if (source == kGenerated) {
        m_generatedText = m_computation ? QString::fromStdString(attn::PipelineDiagram::fromMechanism(
                                              m_computation->mechanism, m_computation->result->cross))
                                        : QString();
        setText(m_generatedText);
    } else if (source.startsWith(QLatin1String(":/"))) {
        QFile f(source);
        if (f.open(QIODevice::ReadOnly))
            setText(QString::fromUtf8(f.readAll()));
    } else {
        QString error;
        if (!openFile(source, &error))
            showSyntaxError(error);
    }
}

void PipelinePage::setText(const QString& text)
{
    m_settingText = true;
    m_editor->setPlainText(text);
    m_settingText = false;
    m_debounce->stop();
    reparse();
}

void PipelinePage::applyNow()
{
    m_debounce->stop();
    reparse();
}

void PipelinePage::reparse()
{
    const QString text = m_editor->toPlainText();
    const QByteArray utf8 = text.toUtf8();
    auto graph = attn::MermaidParser::parse(std::string(utf8.constData(), static_cast<size_t>(utf8.size())));
    if (!graph) {
        showSyntaxError(QString::fromStdString(graph.error()));
        return; // the last good diagram stays
    }
    clearSyntaxError();
    if (!graph->warnings.empty()) { // drawn anyway; the editor says what looks unintended
        QStringList lines;
        for (const std::string& w : graph->warnings)
            lines << QString::fromStdString(w);
        m_error->setText(tr("Warning: %1").arg(lines.join(QStringLiteral("\nWarning: "))));
        m_error->setStyleSheet(QStringLiteral("QLabel { color: #6b4a00; background: #fff4d6; padding: 4px; border-radius: 3px; }"));
        m_error->show();
        m_showingWarnings = true;
    }
    m_lastGood = *graph;
    m_lastGoodText = text;
    m_view->setDiagram(*graph, attn::StageBinder::bind(*graph, stageNames()));
    updateStatus();
}

QString PipelinePage::errorText() const { return m_error->isVisible() && !m_showingWarnings ? m_error->text() : QString(); }

QString PipelinePage::warningText() const { return m_error->isVisible() && m_showingWarnings ? m_error->text() : QString(); }

void PipelinePage::showSyntaxError(const QString& message)
{
    m_showingWarnings = false;
    m_error->setText(message);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #a40000; background: #fde8e8; padding: 4px; border-radius: 3px; }"));
    m_error->show();
    QList<QTextEdit::ExtraSelection> marks;
    static const QRegularExpression position(QStringLiteral("line (\\d+), column (\\d+)"));
    if (const auto m = position.match(message); m.hasMatch()) {
        const QTextBlock block = m_editor->document()->findBlockByNumber(m.captured(1).toInt() - 1);
        if (block.isValid()) {
            QTextEdit::ExtraSelection line;
            line.format.setBackground(QColor(0xFF, 0xD7, 0xD7));
            line.format.setProperty(QTextFormat::FullWidthSelection, true);
            line.cursor = QTextCursor(block);
            marks << line;
            // The column counts code points; the block counts UTF-16 units.
            const QString text = block.text();
            int unit = 0;
            for (int cp = 1; cp < m.captured(2).toInt() && unit < text.size(); ++cp)
                unit += text.at(unit).isHighSurrogate() && unit + 1 < text.size() ? 2 : 1;
            QTextEdit::ExtraSelection at;
            at.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            at.format.setUnderlineColor(Qt::red);
            at.format.setBackground(QColor(0xFF, 0xA0, 0xA0));
            at.cursor = QTextCursor(block);
            at.cursor.setPosition(block.position() + unit);
            at.cursor.setPosition(block.position() + std::min<int>(unit + 1, static_cast<int>(text.size())), QTextCursor::KeepAnchor);
            if (at.cursor.hasSelection())
                marks << at;
        }
    }
    m_editor->setExtraSelections(marks);
}

void PipelinePage::clearSyntaxError()
{
    m_editor->setExtraSelections({});
    m_error->clear();
    m_error->setStyleSheet({});
    m_error->hide();
    m_showingWarnings = false;
}

void PipelinePage::updateStatus()
{
    const attn::MermaidGraph& g = m_view->graph();
    if (!m_lastGood) {
        m_status->setText(tr("No diagram yet."));
        return;
    }
    const int bound = static_cast<int>(g.nodes.size() - m_view->binding().unmatched.size());
    QString text = tr("%1 node(s), %2 bound to a stage · %3 link(s) · layout: %4 · click a node to see its tensor")
                       .arg(g.nodes.size())
                       .arg(bound)
                       .arg(g.edges.size())
                       .arg(m_view->layoutEngine());
    if (!m_view->layoutNote().isEmpty())
        text += QStringLiteral("\n") + m_view->layoutNote();
    m_status->setText(text);
}
