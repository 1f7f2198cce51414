#pragma once
// The Input panel's Image tab: Open…, a preview with the patch grid drawn over it, the patch size,
// the encoding (Patches / Features), Crop / Pad, 2-D positions, and a line stating the working
// size ("1024×683 (downscaled from 6000×4000), 42×64 patches of 16 px, cropped to 1024×672").
// Pictures are decoded off the GUI thread (ImageDecoder); changed() fires once the pixels are in.
// "Model": a vision transformer checkpoint (Hugging Face ViT folder or .safetensors) the picture
// is run through instead of the engine's encoders; its config fixes size and patches, so the
// encoding controls are disabled and the preview shows the model's grid over the whole picture.
#include "ImageBuffer.h"
#include "InputSpec.h"

#include <QString>
#include <QWidget>

#include <memory>

class ImagePreview;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

class ImageInputPage : public QWidget {
    Q_OBJECT
public:
    explicit ImageInputPage(QWidget* parent = nullptr);

    // Starts decoding `path`; imageLoaded() (and changed() when `notify`) or failed() follows.
    void openImage(const QString& path, bool notify = true);
    // A spec of kind Image (image may still be null while decoding: the worker then decodes itself).
    void fill(attn::InputSpec& spec) const;
    void setSpec(const attn::InputSpec& spec);
    const QString& path() const { return m_path; }
    // Sets (or clears, with "") the ViT the picture goes through; returns false and emits failed()
    // when `path` is not a vision transformer (the previous model stays).
    bool setModelPath(const QString& path, bool notify = true);
    QString modelPath() const;
    std::shared_ptr<const attn::ImageBuffer> image() const { return m_image; }
    QString summary() const;

signals:
    void changed();      // an option changed, or a picture finished decoding
    void imageLoaded();
    void failed(const QString& message);

private:
    void showImage(std::shared_ptr<const attn::ImageBuffer> image);
    void updateSummary();
    void updateGrid();

    ImagePreview* m_preview = nullptr;
    QSpinBox* m_patch = nullptr;
    QComboBox* m_encoding = nullptr;
    QComboBox* m_fit = nullptr;
    QCheckBox* m_positions = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_file = nullptr;
    QLineEdit* m_model = nullptr;
    QString m_modelNote;      // "ViT: 224×224 input, 14×14 patches of 16 px + CLS" while a model is set
    QSize m_modelCells;       // the model's grid (cols, rows)
    QString m_path;
    std::shared_ptr<const attn::ImageBuffer> m_image;
    int m_patchPixels = 0;    // kept from a sample or session (no control of its own)
    quint64 m_generation = 0; // a newer openImage() drops older decodes
};
