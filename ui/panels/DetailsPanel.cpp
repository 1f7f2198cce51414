#include "DetailsPanel.h"

#include "CopyableTable.h"
#include "HeadStatistics.h"

#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {
constexpr int kTopKeys = 8;
constexpr int kMatrixRows = 32;
constexpr int kMatrixCols = 32;

QTableWidgetItem* number(double v, int precision = 6)
{
    auto* item = new QTableWidgetItem(QString::number(v, 'g', precision));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QLabel* heading(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(QStringLiteral("<b>%1</b>").arg(text), parent);
    return l;
}

// Sizes a table so that every column is readable without scrolling sideways: the columns in `fit`
// take the width of their header or of `widest` (the widest value the column shows), whichever is
// larger; `stretch` (or none, -1) takes what is left and elides. The table's minimum width is the
// sum, plus the frame and a vertical scroll bar, so the dock cannot be made narrower than that.
void fitColumns(QTableWidget* table, const QStringList& widest, int stretch)
{
    QHeaderView* header = table->horizontalHeader();
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(8);
    const QFontMetrics fm(table->font());
    // A cell's text margins, as QItemDelegate draws them (focus frame margin each side, plus one).
    const int margin = 2 * (table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, table) + 1) + 6;
    int total = 0;
    for (int c = 0; c < table->columnCount(); ++c) {
        const int width = std::max(header->sectionSizeHint(c), fm.horizontalAdvance(widest.value(c)) + margin);
        total += c == stretch ? std::max(width, fm.horizontalAdvance(QStringLiteral("MMMMMM")) + margin) : width;
        if (c == stretch) {
            header->setSectionResizeMode(c, QHeaderView::Stretch);
        } else {
            header->setSectionResizeMode(c, QHeaderView::Fixed);
            header->resizeSection(c, width);
        }
    }
    if (stretch < 0)
        header->setStretchLastSection(true);
    table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    table->setTextElideMode(Qt::ElideRight);
    const int scrollBar = table->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, table);
    table->setMinimumWidth(total + 2 * table->frameWidth() + scrollBar);
}
} // namespace

DetailsPanel::DetailsPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_cell = new QLabel(tr("Hover a cell to see its exact weight."), this);
    m_cell->setWordWrap(true);
    m_cell->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_rowTitle = heading(tr("Selected query"), this);
    m_row = new CopyableTable(this);
    m_row->setColumnCount(3);
    m_row->setObjectName(QStringLiteral("topKeysTable"));
    m_row->setHorizontalHeaderLabels({tr("key"), tr("token"), tr("weight")});
    m_row->verticalHeader()->hide();
    // Widest values: key indices up to 99 999, weights as number(w, 7) prints them.
    fitColumns(m_row, {QStringLiteral("99999"), QString(), QStringLiteral("9.999999e-05")}, 1);
    m_stats = new CopyableTable(this);
    m_stats->setObjectName(QStringLiteral("headStatsTable"));
    m_stats->setColumnCount(5);
    m_stats->setHorizontalHeaderLabels({tr("head"), tr("entropy"), tr("max"), tr("mean dist."), tr("first tok.")});
    m_stats->horizontalHeaderItem(3)->setToolTip(tr("Mean attention distance |i − j|, weighted"));
    m_stats->horizontalHeaderItem(4)->setToolTip(tr("Mean weight on the first token (the sink)"));
    m_stats->verticalHeader()->hide();
    // Widest values as number(v, 4) prints them (mean distance up to 9 999 tokens).
    const QString stat = QStringLiteral("9.999e-05");
    fitColumns(m_stats, {QStringLiteral("99"), stat, stat, QStringLiteral("9999.9"), stat}, -1);
    m_matrix = new CopyableTable(this);

    layout->addWidget(heading(tr("Cell"), this));
    layout->addWidget(m_cell);
    layout->addWidget(m_rowTitle);
    layout->addWidget(m_row, 2);
    layout->addWidget(heading(tr("Heads"), this));
    layout->addWidget(m_stats, 2);
    m_matrixTitle = heading(tr("Matrix (first rows; select and Ctrl+C to copy)"), this);
    m_matrixTitle->setWordWrap(true);
    layout->addWidget(m_matrixTitle);
    layout->addWidget(m_matrix, 3);
}

void DetailsPanel::setComputation(ComputationPtr computation)
{
    m_computation = std::move(computation);
    if (m_computation) {
        const auto& r = *m_computation->result;
        if (m_head >= r.heads)
            m_head = 0;
        if (m_query >= r.queryCount)
            m_query = -1;
    }
    if (m_stage && m_computation) {
        // Follow the stage into the new result (it may not exist there).
        if (auto t = m_computation->result->stage(m_stage->name))
            m_stage = std::move(*t);
        else
            m_stage.reset();
    }
    m_mean.clear();
    if (m_computation && m_head == -1 && !m_computation->result->mapsOnDemand())
        m_mean = attn::HeadStatistics::meanOfHeads(*m_computation->result, m_layer);
    refreshStats();
    refreshMatrix();
    refreshRow();
}

void DetailsPanel::setHead(int layer, int head)
{
    if (layer == m_layer && head == m_head)
        return; // setComputation already showed this head (a long prompt's tables cost ~20 ms)
    m_layer = layer;
    m_head = head;
    setComputation(m_computation);
}

void DetailsPanel::setSelectedQuery(int query)
{
    m_query = query;
    refreshRow();
}

std::vector<float> DetailsPanel::rows(int row0, int row1) const
{
    if (!m_computation || row1 <= row0)
        return {};
    const auto& r = *m_computation->result;
    if (m_layer < 0 || m_layer >= r.layers || m_head >= r.heads || row0 < 0 || row1 > r.queryCount)
        return {};
    const size_t width = static_cast<size_t>(r.keyCount), count = static_cast<size_t>(row1 - row0) * width;
    std::vector<float> out(count);
    if (m_head >= 0) {
        r.copyRows(m_layer, m_head, row0, row1, out.data());
        return out;
    }
    if (!r.mapsOnDemand()) {
        if (m_mean.size() < static_cast<size_t>(row1) * width)
            return {};
        std::copy_n(m_mean.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(row0) * width), count, out.begin());
        return out;
    }
    // the mean of heads, as HeadStatistics::meanOfHeads: summed in double in head order
    std::vector<double> acc(count, 0.0);
    for (int h = 0; h < r.heads; ++h) {
        r.copyRows(m_layer, h, row0, row1, out.data());
        for (size_t k = 0; k < count; ++k)
            acc[k] += out[k];
    }
    for (size_t k = 0; k < count; ++k)
        out[k] = static_cast<float>(acc[k] / r.heads);
    return out;
}

void DetailsPanel::setHoveredCell(int i, int j)
{
    if (!m_computation)
        return;
    const auto& r = *m_computation->result;
    const QString q = QString::fromStdString(r.queryLabels[static_cast<size_t>(i)]);
    const QString k = QString::fromStdString(r.keyLabels[static_cast<size_t>(j)]);
    if (r.isMasked(i, j)) {
        m_cell->setText(tr("“%1” → “%2”: masked").arg(q, k));
        return;
    }
    const std::vector<float> row = rows(i, i + 1);
    if (row.empty())
        return;
    QString text = tr("“%1” [%2] → “%3” [%4]\nweight %5").arg(q).arg(i).arg(k).arg(j).arg(
        static_cast<double>(row[static_cast<size_t>(j)]), 0, 'g', 8);
    if (m_head >= 0 && r.hasScores())
        text += tr("\nraw score %1").arg(static_cast<double>(r.score(m_layer, m_head, i, j)), 0, 'g', 8);
    m_cell->setText(text);
}

void DetailsPanel::refreshRow()
{
    m_row->setRowCount(0);
    // A query from another computation (a session restored while an older one finished) is none.
    if (m_computation && m_query >= m_computation->result->queryCount)
        m_query = -1;
    if (!m_computation || m_query < 0) {
        m_rowTitle->setText(tr("<b>Selected query</b> (click a row in the heatmap)"));
        return;
    }
    const auto& r = *m_computation->result;
    m_rowTitle->setText(tr("<b>Query %1 “%2”: top keys</b>")
                            .arg(m_query)
                            .arg(QString::fromStdString(r.queryLabels[static_cast<size_t>(m_query)]).toHtmlEscaped()));
    const std::vector<float> row = rows(m_query, m_query + 1);
    if (row.empty())
        return;
    const auto top = attn::HeadStatistics::topKeys(row.data(), r.keyCount, kTopKeys);
    m_row->setRowCount(static_cast<int>(top.size()));
    for (int t = 0; t < static_cast<int>(top.size()); ++t) {
        const auto [key, weight] = top[static_cast<size_t>(t)];
        m_row->setItem(t, 0, number(key));
        auto* token = new QTableWidgetItem(QString::fromStdString(r.keyLabels[static_cast<size_t>(key)]));
        token->setToolTip(token->text()); // elided when long
        m_row->setItem(t, 1, token);
        m_row->setItem(t, 2, number(weight, 7));
    }
}

QStringList DetailsPanel::topKeysText() const
{
    QStringList out;
    for (int row = 0; row < m_row->rowCount(); ++row)
        out << m_row->item(row, 1)->text() + QStringLiteral(": ") + m_row->item(row, 2)->text();
    return out;
}

void DetailsPanel::refreshStats()
{
    m_stats->setRowCount(0);
    if (!m_computation)
        return;
    const auto& r = *m_computation->result;
    m_stats->setRowCount(r.heads);
    for (int h = 0; h < r.heads; ++h) {
        const auto s = attn::HeadStatistics::forHead(r, m_layer, h);
        m_stats->setItem(h, 0, number(h));
        m_stats->setItem(h, 1, number(s.entropy, 4));
        m_stats->setItem(h, 2, number(s.maxWeight, 4));
        m_stats->setItem(h, 3, number(s.meanDistance, 4));
        m_stats->setItem(h, 4, number(s.firstTokenMass, 4));
    }
}

void DetailsPanel::showStage(const attn::Tensor& tensor, int head)
{
    m_stage = tensor;
    m_stageHead = head;
    refreshMatrix();
}

void DetailsPanel::clearStage()
{
    if (!m_stage)
        return;
    m_stage.reset();
    refreshMatrix();
}

QString DetailsPanel::matrixTitle() const { return m_matrixTitle->text(); }

void DetailsPanel::refreshStageMatrix()
{
    const attn::Tensor& t = *m_stage;
    const auto& shape = t.shape;
    QStringList dims;
    for (int64_t d : shape)
        dims << QString::number(d);
    // The 2-D slice to show: [L, H, rows, cols] at the current layer and head, [H, rows, cols] at
    // the current head, [rows, cols] as it is, [n] as one column.
    int64_t rows = 1, cols = 1, offset = 0;
    QString slice;
    const int head = m_stageHead >= 0 ? m_stageHead : std::max(0, m_head);
    const QString headNote = m_stageHead < 0 && m_head < 0 ? tr("head 0 (the mean is not a stage)") : tr("head %1").arg(head);
    if (shape.size() == 4) {
        const int64_t l = std::clamp<int64_t>(m_layer, 0, shape[0] - 1), h = std::clamp<int64_t>(head, 0, shape[1] - 1);
        rows = shape[2];
        cols = shape[3];
        offset = (l * shape[1] + h) * rows * cols;
        slice = tr("layer %1, %2").arg(l).arg(m_stageHead < 0 && m_head < 0 ? headNote : tr("head %1").arg(h));
    } else if (shape.size() == 3) {
        const int64_t h = std::clamp<int64_t>(head, 0, shape[0] - 1);
        rows = shape[1];
        cols = shape[2];
        offset = h * rows * cols;
        slice = m_stageHead < 0 && m_head < 0 ? headNote : tr("head %1").arg(h);
    } else if (shape.size() == 2) {
        rows = shape[0];
        cols = shape[1];
    } else {
        rows = t.elementCount();
    }
    if (offset + rows * cols > static_cast<int64_t>(t.data.size()))
        rows = cols = 0; // a malformed tensor: show nothing rather than read past it
    const int shownRows = static_cast<int>(std::min<int64_t>(rows, kMatrixRows));
    const int shownCols = static_cast<int>(std::min<int64_t>(cols, kMatrixCols));
    m_matrixTitle->setText(tr("<b>Stage %1</b> · shape [%2]%3 · first %4 × %5 of %6 × %7 (Ctrl+C copies)")
                               .arg(QString::fromStdString(t.name).toHtmlEscaped(), dims.join(QStringLiteral(", ")),
                                   slice.isEmpty() ? QString() : QStringLiteral(" · ") + slice)
                               .arg(shownRows)
                               .arg(shownCols)
                               .arg(rows)
                               .arg(cols));
    m_matrix->setRowCount(shownRows);
    m_matrix->setColumnCount(shownCols);

    // Rows are tokens when the stage has one row per query, key or output.
    const auto* r = m_computation ? m_computation->result.get() : nullptr;
    const std::vector<std::string>* rowLabels = nullptr;
    const std::vector<std::string>* colLabels = nullptr;
    if (r) {
        const std::string& n = t.name;
        if (n == "weights" || n == "scores" || n == "masked_scores") {
            rowLabels = &r->queryLabels;
            colLabels = &r->keyLabels;
        } else if (n == "q" || n == "query_input" || n == "dynamic") {
            rowLabels = &r->queryLabels;
        } else if (n == "input" || n == "k" || n == "v") {
            rowLabels = &r->keyLabels;
        } else {
            rowLabels = &r->outputLabels;
        }
        if (rowLabels && static_cast<int64_t>(rowLabels->size()) != rows)
            rowLabels = nullptr;
        if (colLabels && static_cast<int64_t>(colLabels->size()) != cols)
            colLabels = nullptr;
    }
    QStringList rowHeader, colHeader;
    for (int i = 0; i < shownRows; ++i)
        rowHeader << (rowLabels ? QString::fromStdString((*rowLabels)[static_cast<size_t>(i)]) : QString::number(i));
    for (int j = 0; j < shownCols; ++j)
        colHeader << (colLabels ? QString::fromStdString((*colLabels)[static_cast<size_t>(j)]) : QString::number(j));
    m_matrix->setVerticalHeaderLabels(rowHeader);
    m_matrix->setHorizontalHeaderLabels(colHeader);
    for (int i = 0; i < shownRows; ++i)
        for (int j = 0; j < shownCols; ++j) {
            const float v = t.data[static_cast<size_t>(offset + i * cols + j)];
            QTableWidgetItem* item = std::isinf(v) ? new QTableWidgetItem(v < 0 ? QStringLiteral("−∞") : QStringLiteral("∞"))
                                                   : number(v, 5);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            item->setData(Qt::UserRole, v); // the exact value
            m_matrix->setItem(i, j, item);
        }
    m_matrix->resizeColumnsToContents();
}

void DetailsPanel::refreshMatrix()
{
    m_matrix->clear();
    if (m_stage) {
        refreshStageMatrix();
        return;
    }
    m_matrixTitle->setText(tr("<b>Matrix (first rows; select and Ctrl+C to copy)</b>"));
    if (!m_computation)
        return;
    const auto& r = *m_computation->result;
    const int shownRows = std::min(r.queryCount, kMatrixRows), cols = std::min(r.keyCount, kMatrixCols);
    m_matrix->setRowCount(shownRows);
    m_matrix->setColumnCount(cols);
    QStringList colLabels, rowLabels;
    for (int j = 0; j < cols; ++j)
        colLabels << QString::fromStdString(r.keyLabels[static_cast<size_t>(j)]);
    for (int i = 0; i < shownRows; ++i)
        rowLabels << QString::fromStdString(r.queryLabels[static_cast<size_t>(i)]);
    m_matrix->setHorizontalHeaderLabels(colLabels);
    m_matrix->setVerticalHeaderLabels(rowLabels);
    const std::vector<float> shown = rows(0, shownRows);
    if (shown.empty()) {
        m_matrix->setRowCount(0);
        return;
    }
    const float* m = shown.data();
    for (int i = 0; i < shownRows; ++i)
        for (int j = 0; j < cols; ++j)
            m_matrix->setItem(i, j,
                r.isMasked(i, j) ? new QTableWidgetItem(QStringLiteral("—"))
                                 : number(m[static_cast<size_t>(i) * r.keyCount + j], 5));
    m_matrix->resizeColumnsToContents();
}
