#include "ImageInputPage.h"

#include "BackgroundPool.h"
#include "ImageDecoder.h"
#include "ImagePreview.h"
#include "ModelRunner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace {
struct Decoded {
    std::shared_ptr<const attn::ImageBuffer> image;
    QString error;
};
} // namespace

ImageInputPage::ImageInputPage(QWidget* parent)
    : QWidget(parent)
    , m_preview(new ImagePreview(this))
    , m_patch(new QSpinBox(this))
    , m_encoding(new QComboBox(this))
    , m_fit(new QComboBox(this))
    , m_positions(new QCheckBox(tr("Add 2-D sinusoidal positions"), this))
    , m_summary(new QLabel(this))
    , m_file(new QLabel(this))
    , m_model(new QLineEdit(this))
{
    auto* layout = new QVBoxLayout(this);
    m_file->setStyleSheet(QStringLiteral("color: #555;"));
    m_file->setWordWrap(true);
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("imageSummary"));
    m_patch->setRange(2, 256);
    m_patch->setValue(attn::ImageOptions{}.patch);
    m_patch->setSuffix(tr(" px"));
    m_encoding->addItem(tr("Patches (ViT)"), QStringLiteral("patches"));
    m_encoding->addItem(tr("Features (CNN-like)"), QStringLiteral("features"));
    m_fit->addItem(tr("Crop to whole patches"), QStringLiteral("crop"));
    m_fit->addItem(tr("Pad to whole patches"), QStringLiteral("pad"));
    m_positions->setChecked(attn::ImageOptions{}.positions);
    auto* form = new QFormLayout;
    form->addRow(tr("Patch size:"), m_patch);
    form->addRow(tr("Encoding:"), m_encoding);
    form->addRow(tr("Edges:"), m_fit);
    form->addRow(QString(), m_positions);
    m_model->setObjectName(QStringLiteral("imageModel"));
    m_model->setPlaceholderText(tr("none: the engine encodes the picture"));
    m_model->setToolTip(tr("A vision transformer (Hugging Face ViT folder or .safetensors) to run the picture through"));
    auto* chooseModel = new QPushButton(tr("ViT…"), this);
    chooseModel->setToolTip(tr("Choose a ViT checkpoint folder"));
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_model, 1);
    modelRow->addWidget(chooseModel);
    form->addRow(tr("Model:"), modelRow);
    auto* open = new QPushButton(tr("Open image…"), this);
    auto* note = new QLabel(tr("Pictures are downscaled to %1 px on the longest side before encoding.")
                                .arg(ImageDecoder::kWorkingSize),
        this);
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("color: #555;"));
    layout->addWidget(m_preview, 1);
    layout->addWidget(m_file);
    layout->addWidget(m_summary);
    layout->addLayout(form);
    layout->addWidget(open);
    layout->addWidget(note);
    updateSummary();

    connect(open, &QPushButton::clicked, this, [this] {
        QStringList patterns;
        for (const QString& s : ImageDecoder::fileSuffixes())
            patterns << QStringLiteral("*.") + s;
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open image"), {}, tr("Images (%1);;All files (*)").arg(patterns.join(QLatin1Char(' '))));
        if (!path.isEmpty())
            openImage(path);
    });
    auto optionChanged = [this] {
        updateGrid();
        updateSummary();
        emit changed();
    };
    connect(chooseModel, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getExistingDirectory(this, tr("Open a ViT checkpoint folder"));
        if (!path.isEmpty())
            setModelPath(path);
    });
    connect(m_model, &QLineEdit::editingFinished, this, [this] {
        if (m_model->text().trimmed() != m_model->property("applied").toString())
            setModelPath(m_model->text().trimmed());
    });
    connect(m_patch, &QSpinBox::valueChanged, this, optionChanged);
    connect(m_fit, &QComboBox::currentIndexChanged, this, optionChanged);
    connect(m_encoding, &QComboBox::currentIndexChanged, this, &ImageInputPage::changed);
    connect(m_positions, &QCheckBox::toggled, this, &ImageInputPage::changed);
}

void ImageInputPage::openImage(const QString& path, bool notify)
{
    const quint64 generation = ++m_generation;
    m_path = path;
    m_file->setText(tr("File: %1 (decoding…)").arg(QFileInfo(path).fileName()));
    m_file->setToolTip(path);
    auto* watcher = new QFutureWatcher<Decoded>(this);
    connect(watcher, &QFutureWatcher<Decoded>::finished, this, [this, watcher, generation, path, notify] {
        const Decoded d = watcher->result();
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        if (!d.image) {
            m_file->setText(tr("File: %1 (not readable)").arg(QFileInfo(path).fileName()));
            emit failed(d.error);
            return;
        }
        showImage(d.image);
        emit imageLoaded();
        if (notify)
            emit changed();
    });
    watcher->setFuture(BackgroundPool::run([path]() -> Decoded {
        auto image = ImageDecoder::decode(ImageDecoder::resolvePath(path));
        if (!image)
            return {nullptr, QString::fromStdString(image.error())};
        return {std::make_shared<const attn::ImageBuffer>(std::move(*image)), {}};
    }));
}

void ImageInputPage::showImage(std::shared_ptr<const attn::ImageBuffer> image)
{
    m_image = std::move(image);
    m_preview->setImage(m_image ? ImageDecoder::toQImage(*m_image) : QImage());
    updateGrid();
    m_file->setText(tr("File: %1").arg(QFileInfo(m_path).fileName()));
    updateSummary();
}

void ImageInputPage::fill(attn::InputSpec& spec) const
{
    spec.kind = attn::InputKind::Image;
    spec.path = m_path.toStdString();
    spec.image = m_image;
    spec.imageOptions.patch = m_patch->value();
    spec.imageOptions.encoding =
        m_encoding->currentIndex() == 1 ? attn::ImageEncoding::Features : attn::ImageEncoding::Patches;
    spec.imageOptions.fit = m_fit->currentIndex() == 1 ? attn::ImageFit::Pad : attn::ImageFit::Crop;
    spec.imageOptions.positions = m_positions->isChecked();
    spec.imageOptions.patchPixels = m_patchPixels;
    spec.modelPath = modelPath().toStdString();
}

QString ImageInputPage::modelPath() const { return m_model->property("applied").toString(); }

bool ImageInputPage::setModelPath(const QString& path, bool notify)
{
    if (!path.isEmpty()) {
        auto config = attn::ModelRunner::visionConfig(path.toStdString());
        if (!config) {
            const QSignalBlocker block(m_model);
            m_model->setText(modelPath());
            emit failed(QString::fromStdString(config.error()));
            return false;
        }
        const int side = config->patchesPerSide();
        m_modelCells = QSize(side, side);
        m_modelNote = tr("Through the ViT: resized to its %1×%1 input, %2×%2 patches of %3 px + CLS")
                          .arg(config->imageSize)
                          .arg(side)
                          .arg(config->patchSize);
    } else {
        m_modelCells = {};
        m_modelNote.clear();
    }
    {
        const QSignalBlocker block(m_model);
        m_model->setText(path);
    }
    m_model->setProperty("applied", path);
    for (QWidget* w : {static_cast<QWidget*>(m_patch), static_cast<QWidget*>(m_encoding), static_cast<QWidget*>(m_fit),
             static_cast<QWidget*>(m_positions)})
        w->setEnabled(path.isEmpty());
    updateGrid();
    updateSummary();
    if (notify)
        emit changed();
    return true;
}

void ImageInputPage::updateGrid()
{
    m_preview->setGrid(m_patch->value(), m_fit->currentIndex() == 1 ? attn::ImageFit::Pad : attn::ImageFit::Crop);
    m_preview->setModelGrid(m_modelCells);
}

void ImageInputPage::setSpec(const attn::InputSpec& spec)
{
    const QSignalBlocker b1(m_patch), b2(m_encoding), b3(m_fit), b4(m_positions);
    m_patch->setValue(spec.imageOptions.patch);
    m_encoding->setCurrentIndex(spec.imageOptions.encoding == attn::ImageEncoding::Features ? 1 : 0);
    m_fit->setCurrentIndex(spec.imageOptions.fit == attn::ImageFit::Pad ? 1 : 0);
    m_positions->setChecked(spec.imageOptions.positions);
    m_patchPixels = spec.imageOptions.patchPixels;
    if (QString::fromStdString(spec.modelPath) != modelPath())
        setModelPath(QString::fromStdString(spec.modelPath), false);
    const QString path = QString::fromStdString(spec.path);
    if (spec.image) {
        ++m_generation;
        m_path = path;
        showImage(spec.image);
    } else if (!path.isEmpty() && path != m_path) {
        openImage(path, false); // for the preview: the worker decodes its own copy to compute
    } else {
        updateSummary();
    }
}

QString ImageInputPage::summary() const { return m_summary->text(); }

void ImageInputPage::updateSummary()
{
    if (!m_image) {
        m_summary->setText(m_modelNote.isEmpty() ? tr("No picture yet.") : tr("No picture yet. ") + m_modelNote);
        return;
    }
    const QSize size(m_image->width, m_image->height);
    QString text = tr("%1×%2").arg(size.width()).arg(size.height());
    if (m_image->originalWidth > 0)
        text += tr(" (downscaled from %1×%2)").arg(m_image->originalWidth).arg(m_image->originalHeight);
    if (!m_modelNote.isEmpty()) {
        m_summary->setText(text + QStringLiteral(". ") + m_modelNote);
        return;
    }
    const int patch = m_patch->value();
    const attn::ImageFit fit = m_fit->currentIndex() == 1 ? attn::ImageFit::Pad : attn::ImageFit::Crop;
    const QSize cells = ImagePreview::gridCells(size, patch, fit);
    text += tr(", %1×%2 patches of %3 px").arg(cells.height()).arg(cells.width()).arg(patch);
    const QSize covered(cells.width() * patch, cells.height() * patch);
    if (covered != size)
        text += (fit == attn::ImageFit::Crop ? tr(", cropped to %1×%2") : tr(", padded to %1×%2"))
                    .arg(covered.width())
                    .arg(covered.height());
    if (cells.isEmpty())
        text += tr(" — the picture is smaller than one patch");
    m_summary->setText(text);
}
