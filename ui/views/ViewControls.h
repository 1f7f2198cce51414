#pragma once
// The strip above the views: layer and head (or the mean of heads), colour map and colour
// range. Shared by every view; emits when the user changes them.
#include <QWidget>

class QComboBox;
class QSpinBox;

class ViewControls : public QWidget {
    Q_OBJECT
public:
    explicit ViewControls(QWidget* parent = nullptr);

    void setShape(int layers, int heads);
    int layer() const;
    int head() const; // -1: mean
    void setHead(int layer, int head);
    QString colorMap() const;
    void setColorMap(const QString& name);
    QString range() const; // per-head, fixed, shared, log
    void setRange(const QString& range);
    void nextHead();
    void previousHead();

signals:
    void headChanged(int layer, int head);
    void colorMapChanged(const QString& name);
    void rangeChanged(const QString& range);

private:
    QSpinBox* m_layer = nullptr;
    QComboBox* m_head = nullptr;
    QComboBox* m_colorMap = nullptr;
    QComboBox* m_range = nullptr;
    int m_heads = 1;
};
