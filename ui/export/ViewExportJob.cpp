#include "ViewExportJob.h"

#include "AtomicFileWriter.h"
#include "BackgroundPool.h"
#include "ExportScene.h"
#include "ViewExporter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QTimer>

#include <utility>

ViewExportJob::ViewExportJob(std::vector<Item> items, ComputationPtr computation, ComputationPtr comparison, QObject* parent)
    : ExportJob(parent)
    , m_items(std::move(items))
    , m_computation(std::move(computation))
    , m_comparison(std::move(comparison))
{
}

ViewExportJob::~ViewExportJob() { m_cancel->store(true); }

std::vector<ViewExportJob::Item> ViewExportJob::eachHead(const QString& path, const ExportOptions& options, int heads)
{
    std::vector<Item> items;
    const QFileInfo info(path);
    for (int h = 0; h < heads; ++h) {
        Item item{info.dir().filePath(QStringLiteral("%1_head%2.%3").arg(info.completeBaseName()).arg(h).arg(info.suffix())),
            options};
        item.options.head = h;
        items.push_back(std::move(item));
    }
    return items;
}

QString ViewExportJob::path() const { return m_items.empty() ? QString() : m_items.front().path; }

QString ViewExportJob::describe(quint64 done, quint64 total) const
{
    if (m_items.empty())
        return tr("Exporting…");
    const size_t at = std::min(static_cast<size_t>(done), m_items.size() - 1);
    const QString name = QFileInfo(m_items[at].path).fileName();
    if (m_items.size() == 1 || total == 0)
        return tr("Exporting %1…").arg(name);
    return tr("Exporting %1: %2 of %3 files").arg(name).arg(done).arg(total);
}

void ViewExportJob::cancel() { m_cancel->store(true); }

QString ViewExportJob::cancelMessage() const
{
    if (m_index == 0)
        return m_items.size() == 1 ? QStringLiteral("export of '%1' cancelled: nothing was written").arg(path())
                                   : QStringLiteral("export of %1 files cancelled: nothing was written").arg(m_items.size());
    return QStringLiteral("export cancelled after %1 of %2 files (each of those is complete; the others were not written)")
        .arg(m_index)
        .arg(m_items.size());
}

void ViewExportJob::start()
{
    if (m_running)
        return;
    m_running = true;
    emit progress(0, m_items.size());
    QTimer::singleShot(0, this, &ViewExportJob::next); // the caller connects finished() first
}

void ViewExportJob::end(const QString& error)
{
    m_scene.reset();
    m_running = false;
    QString message = error;
    if (!error.isEmpty() && !m_cancel->load() && m_items.size() > 1 && m_index > 0)
        message += QStringLiteral(" (%1 of %2 files had been written)").arg(m_index).arg(m_items.size());
    emit finished(message);
}

void ViewExportJob::next()
{
    if (m_cancel->load())
        return end(cancelMessage());
    if (m_index >= static_cast<int>(m_items.size()))
        return end(QString());
    const Item& item = m_items[static_cast<size_t>(m_index)];
    if (ViewExporter::formatOf(item.path) == ViewExporter::Format::Unknown)
        return end(QStringLiteral("'%1': choose a .png, .svg or .pdf file name").arg(item.path));
    m_scene = std::make_unique<ExportScene>(m_computation, m_comparison, item.options);
    if (m_scene->isPending()) { // a long prompt's map or tiles, made on a worker: the window stays live
        connect(m_scene.get(), &ExportScene::ready, this, &ViewExportJob::draw, Qt::QueuedConnection);
        return;
    }
    draw();
}

void ViewExportJob::draw()
{
    if (!m_scene || m_scene->isPending())
        return;
    if (m_cancel->load())
        return end(cancelMessage());
    if (!m_scene->error().isEmpty())
        return end(m_scene->error());
    const QString path = m_items[static_cast<size_t>(m_index)].path;
    const ViewExporter::Format format = ViewExporter::formatOf(path);
    // Drawn here (widgets), encoded and written on a worker.
    QImage image;
    QByteArray bytes;
    if (format == ViewExporter::Format::Png)
        image = ViewExporter::paintImage(*m_scene);
    else
        bytes = ViewExporter::paintVector(format, *m_scene);
    m_scene.reset();
    QPointer<ViewExportJob> self(this);
    (void)BackgroundPool::run([self, path, image = std::move(image), bytes = std::move(bytes), flag = m_cancel]() mutable {
        QString error;
        if (!image.isNull())
            bytes = ViewExporter::encodePng(image, &error);
        bool wrote = false;
        if (error.isEmpty() && bytes.isEmpty())
            error = QStringLiteral("rendering '%1' produced no data").arg(path);
        else if (error.isEmpty() && !flag->load()) { // cancelled while encoding: not written
            error = AtomicFileWriter::write(path, bytes);
            wrote = error.isEmpty();
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, error, wrote] {
                if (self && self->m_running)
                    self->written(error, wrote);
            },
            Qt::QueuedConnection);
    });
}

void ViewExportJob::written(const QString& error, bool wrote)
{
    if (wrote) {
        ++m_index;
        emit progress(m_index, m_items.size());
    }
    if (!error.isEmpty())
        return end(error);
    next();
}
