#pragma once
// Pictures exported behind the window: one file, or one per head ("every head, one file each"),
// drawn one after another. Each file's view is an ExportScene; a long prompt's map or tiles are
// made on a worker as the window's own views make them, the drawing is done on the GUI thread
// (Qt's widgets), and the PNG encoding and the write go back to a worker. So a 4 096-token prompt's
// fourteen heatmaps never hold the window for more than one drawing. progress() counts files
// written; cancel() stops before the next file, and a file being written is either complete or not
// there. Files written before a cancel or an error are kept (each whole); the message says how many.
#include "Computation.h"
#include "ExportJob.h"
#include "ExportOptions.h"

#include <QString>

#include <atomic>
#include <memory>
#include <vector>

class ExportScene;

class ViewExportJob : public ExportJob {
    Q_OBJECT
public:
    struct Item {
        QString path;
        ExportOptions options;
    };
    // `comparison`: mechanism B's computation for the diff view.
    ViewExportJob(std::vector<Item> items, ComputationPtr computation, ComputationPtr comparison, QObject* parent = nullptr);
    // A job still running is cancelled (a file being written is not).
    ~ViewExportJob() override;

    // One item per head of options.layer, named base_head<h>.ext beside `path`.
    static std::vector<Item> eachHead(const QString& path, const ExportOptions& options, int heads);

    void start() override;
    QString path() const override;
    // "Exporting map_head3.png: 3 of 14 files" ("Exporting map.png…" for one file).
    QString describe(quint64 done, quint64 total) const override;
    void cancel() override;
    int filesWritten() const { return m_index; }

private:
    void next();
    void draw();
    void written(const QString& error, bool wrote);
    void end(const QString& error);
    QString cancelMessage() const;

    std::vector<Item> m_items;
    ComputationPtr m_computation;
    ComputationPtr m_comparison;
    int m_index = 0; // files written
    std::unique_ptr<ExportScene> m_scene;
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
};
