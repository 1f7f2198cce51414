#pragma once
// An export that runs behind the window, driven by its progress dialog (ExportProgress):
// MatrixExportJob writes one matrix file and counts bytes; ViewExportJob draws pictures, one file
// after another, and counts files. Either way each file is complete or not there, and cancel()
// stops the job at its next step; finished() follows once, with "" or the message to show.
#include <QObject>
#include <QString>

class ExportJob : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void start() = 0;
    bool isRunning() const { return m_running; }
    // The file written, or the first of several.
    virtual QString path() const = 0;
    // What the dialog says at `done` of `total` steps (total 0: nothing counted yet).
    virtual QString describe(quint64 done, quint64 total) const = 0;

public slots:
    virtual void cancel() = 0;

signals:
    void progress(quint64 done, quint64 total);
    // An empty error: written.
    void finished(const QString& error);

protected:
    bool m_running = false;
};
