#pragma once
// BertViz's head view, done natively: queries on the left, keys on the right, one line per
// (query, key) whose opacity is proportional to the weight, one colour per head. Hovering a
// token shows only its lines; heads can be switched off; a threshold hides weak lines.
// paint() is shared by the widget and the exporters (vector lines in SVG/PDF).
#include "Computation.h"

#include <QSet>
#include <QWidget>

#include <vector>

class LinesView : public QWidget {
    Q_OBJECT
public:
    explicit LinesView(QWidget* parent = nullptr);

    void setComputation(ComputationPtr computation);
    void setLayer(int layer);
    void setHeadEnabled(int head, bool enabled);
    void setAllHeadsEnabled();
    bool isHeadEnabled(int head) const { return !m_disabled.contains(head); }
    void setThreshold(double threshold);
    double threshold() const { return m_threshold; }
    // Focus on one token (-1: none): side 0 = query column, 1 = key column.
    void setFocusToken(int side, int index);

    void paint(QPainter& painter, const QRect& area) const;
    // Lines that paint() draws for the current state (tests count them).
    int visibleLineCount() const;
    QSize sizeHint() const override { return {700, 700}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Geometry {
        QRect left, right; // label columns
        double rowHeight;
        int count;
    };
    Geometry geometry(const QRect& area) const;
    bool lineVisible(int head, int query, int key) const;
    float weightOf(int head, int query, int key) const;
    void loadLayer();

    ComputationPtr m_computation;
    // The layer's maps, one per head (views of held weights, or made on demand; null if refused).
    std::vector<attn::AttentionResult::HeadMap> m_maps;
    int m_layer = 0;
    QSet<int> m_disabled;
    double m_threshold = 0.01;
    int m_focusSide = -1;
    int m_focusIndex = -1;
};
