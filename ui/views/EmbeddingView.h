#pragma once
// The Q/K tab (as AttentionViz): one head's queries and keys projected together to 2-D
// (core/QueryKeyProjection: PCA, or t-SNE computed off the GUI thread; keys translated to the
// queries' centroid unless unticked).
// Queries are circles, keys triangles, coloured by position along the colour map (first token
// dark, last bright). Hover shows the token's label, role and position; a click on a point emits
// tokenSelected(position) (the window selects that query row in the heatmap). QCustomPlot stays
// behind this class.
#include "Computation.h"
#include "QueryKeyProjection.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QMouseEvent;

class EmbeddingView : public QWidget {
    Q_OBJECT
public:
    explicit EmbeddingView(QWidget* parent = nullptr);

    void setComputation(ComputationPtr computation);
    void setHead(int layer, int head);
    void setColorMap(const QString& name);
    QComboBox* layoutBox() const { return m_layoutBox; } // PCA (0) or t-SNE (1)
    bool isComputing() const { return m_computing; }     // a t-SNE is running
    // Exports: compute t-SNE inline, so that the picture is there when setHead() returns.
    void setSynchronous(bool on) { m_synchronous = on; }

    const std::optional<attn::QueryKeyPoints>& points() const { return m_points; }
    // Widget position of point `index` (queries 0..Nq-1, then keys), for tests.
    QPoint pointPosition(int index) const;
    // The point nearest to a widget position within a few pixels: its index, or -1.
    int pointAt(const QPoint& pos) const;
    QString pointText(int index) const;
    QString message() const;
    QCustomPlot* plot() const { return m_plot; }
    // For exports (a figure on its own): the caption as the plot's title and, when `labels` and
    // there are at most kMaxPointLabels tokens, each point's token beside it.
    void setFigureDecorations(bool title, bool labels);
    static constexpr int kMaxPointLabels = 64;

signals:
    void tokenSelected(int position); // a query's row or a key's column: the token's position
    void layoutReady();               // a t-SNE finished and is drawn (or its error shown)

protected:
    void showEvent(QShowEvent* event) override;

private:
    void rebuild();
    void showPoints(const attn::Expected<attn::QueryKeyPoints>& points);
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);

    QCustomPlot* m_plot = nullptr;
    QLabel* m_info = nullptr;
    QCheckBox* m_translate = nullptr;
    QComboBox* m_layoutBox = nullptr;
    quint64 m_generation = 0; // a newer rebuild drops older t-SNE results
    bool m_computing = false;
    bool m_synchronous = false;
    static constexpr int kDeferPoints = 2000;
    bool m_stale = false; // rebuilt while hidden: done when shown (thousands of points cost ~0.2 s)
    ComputationPtr m_computation;
    std::optional<attn::QueryKeyPoints> m_points;
    int m_layer = 0;
    int m_head = 0;
    QString m_colorMap = QStringLiteral("viridis");
    bool m_title = false;
    bool m_pointLabels = false;
};
