#include "ImagePreview.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

ImagePreview::ImagePreview(QWidget* parent)
    : QWidget(parent)
{
    setMinimumHeight(80);
}

void ImagePreview::setImage(const QImage& image)
{
    m_image = image;
    update();
}

void ImagePreview::setGrid(int patch, attn::ImageFit fit)
{
    m_patch = std::max(1, patch);
    m_fit = fit;
    update();
}

void ImagePreview::setModelGrid(const QSize& cells)
{
    m_modelCells = cells;
    update();
}

QSize ImagePreview::gridCells(const QSize& picture, int patch, attn::ImageFit fit)
{
    if (patch <= 0 || picture.isEmpty())
        return {0, 0};
    if (fit == attn::ImageFit::Crop)
        return {picture.width() / patch, picture.height() / patch};
    return {(picture.width() + patch - 1) / patch, (picture.height() + patch - 1) / patch};
}

void ImagePreview::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (m_image.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("Open or drop a picture (PNG, JPEG, BMP, GIF, …)"));
        return;
    }
    if (!m_modelCells.isEmpty()) {
        paintModelGrid(p);
        return;
    }
    const QSize cells = gridCells(m_image.size(), m_patch, m_fit);
    const QSize covered(cells.width() * m_patch, cells.height() * m_patch);
    // Fit the union of picture and grid (padding can reach past the picture) into the widget.
    const QSize extent(std::max(m_image.width(), covered.width()), std::max(m_image.height(), covered.height()));
    const double scale = std::min((width() - 2.0) / extent.width(), (height() - 2.0) / extent.height());
    const QPointF origin((width() - extent.width() * scale) / 2.0, (height() - extent.height() * scale) / 2.0);
    const QRectF picture(origin, QSizeF(m_image.width() * scale, m_image.height() * scale));
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(picture, m_image);
    const QRectF grid(origin, QSizeF(covered.width() * scale, covered.height() * scale));
    if (m_fit == attn::ImageFit::Crop) { // shade what the grid leaves out
        const QColor shade(0, 0, 0, 110);
        p.fillRect(QRectF(grid.right(), picture.top(), picture.right() - grid.right(), picture.height()), shade);
        p.fillRect(QRectF(picture.left(), grid.bottom(), grid.width(), picture.bottom() - grid.bottom()), shade);
    }
    drawGrid(p, grid, cells);
}

void ImagePreview::paintModelGrid(QPainter& p)
{
    const double scale = std::min((width() - 2.0) / m_image.width(), (height() - 2.0) / m_image.height());
    const QRectF picture(QPointF((width() - m_image.width() * scale) / 2.0, (height() - m_image.height() * scale) / 2.0),
        QSizeF(m_image.width() * scale, m_image.height() * scale));
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(picture, m_image);
    drawGrid(p, picture, m_modelCells);
}

void ImagePreview::drawGrid(QPainter& p, const QRectF& grid, const QSize& cells)
{
    // Grid lines: skip some when cells would be under 3 screen pixels apart.
    const double cw = grid.width() / std::max(1, cells.width());
    const double ch = grid.height() / std::max(1, cells.height());
    const int stepX = std::max(1, static_cast<int>(std::ceil(3.0 / std::max(cw, 1e-6))));
    const int stepY = std::max(1, static_cast<int>(std::ceil(3.0 / std::max(ch, 1e-6))));
    p.setPen(QPen(QColor(255, 255, 255, 150), 0));
    for (int c = 0; c <= cells.width(); c += stepX)
        p.drawLine(QPointF(grid.left() + c * cw, grid.top()), QPointF(grid.left() + c * cw, grid.bottom()));
    for (int r = 0; r <= cells.height(); r += stepY)
        p.drawLine(QPointF(grid.left(), grid.top() + r * ch), QPointF(grid.right(), grid.top() + r * ch));
    p.setPen(QPen(QColor(255, 200, 0), 0));
    p.drawRect(grid);
}
