#include "CopyableTable.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QKeyEvent>

CopyableTable::CopyableTable(QWidget* parent)
    : QTableWidget(parent)
{
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::ContiguousSelection);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* copy = new QAction(tr("Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    connect(copy, &QAction::triggered, this, &CopyableTable::copySelection);
    addAction(copy);
    verticalHeader()->setDefaultSectionSize(20);
}

QString CopyableTable::selectionAsText() const
{
    const auto ranges = selectedRanges();
    if (ranges.isEmpty())
        return {};
    const QTableWidgetSelectionRange r = ranges.front();
    QString text;
    for (int row = r.topRow(); row <= r.bottomRow(); ++row) {
        QStringList cells;
        for (int col = r.leftColumn(); col <= r.rightColumn(); ++col)
            cells << (item(row, col) ? item(row, col)->text() : QString());
        text += cells.join(QLatin1Char('\t')) + QLatin1Char('\n');
    }
    return text;
}

void CopyableTable::copySelection() const { QApplication::clipboard()->setText(selectionAsText()); }

void CopyableTable::keyPressEvent(QKeyEvent* event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        return;
    }
    QTableWidget::keyPressEvent(event);
}
