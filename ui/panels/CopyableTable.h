#pragma once
// A read-only table whose selection copies to the clipboard as tab-separated text (Ctrl+C,
// context menu), so numbers can be pasted into a spreadsheet.
#include <QTableWidget>

class CopyableTable : public QTableWidget {
    Q_OBJECT
public:
    explicit CopyableTable(QWidget* parent = nullptr);
    QString selectionAsText() const;
    void copySelection() const;

protected:
    void keyPressEvent(QKeyEvent* event) override;
};
