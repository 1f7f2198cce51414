#pragma once
// The Image tab's preview: the picture at the working size, fitted into the widget, with the patch
// grid drawn over it. Crop: the grid covers floor(w/P) x floor(h/P) cells from the top-left and the
// cut-off margin is shaded; Pad: ceil(w/P) x ceil(h/P) cells, the padding outlined past the picture.
// A vision transformer resizes the picture to its own square input, so its grid (setModelGrid) is
// cols x rows cells stretched over the whole picture.
#include "InputSpec.h"

#include <QImage>
#include <QWidget>

class QPainter;

class ImagePreview : public QWidget {
    Q_OBJECT
public:
    explicit ImagePreview(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    void setGrid(int patch, attn::ImageFit fit);
    void setModelGrid(const QSize& cells); // (cols, rows); an empty size: back to setGrid's pixel grid
    // The grid for a picture of w x h pixels: rows, cols and the covered pixel area.
    static QSize gridCells(const QSize& picture, int patch, attn::ImageFit fit); // (cols, rows)
    QSize sizeHint() const override { return {260, 200}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void paintModelGrid(QPainter& p);
    static void drawGrid(QPainter& p, const QRectF& grid, const QSize& cells); // lines, then the outline

    QImage m_image;
    int m_patch = 16;
    attn::ImageFit m_fit = attn::ImageFit::Crop;
    QSize m_modelCells;
};
