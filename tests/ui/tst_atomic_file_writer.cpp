// AtomicFileWriter's streamed writes (a long prompt's dump, tile by tile): the file holds exactly the
// pieces in order; a producer that fails half-way leaves no file and an existing file as it was; a
// folder is refused by name.
#include "AtomicFileWriter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

class TestAtomicFileWriter : public QObject {
    Q_OBJECT
private slots:
    void streamedPiecesInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.bin"));
        const QString err = AtomicFileWriter::writeStreamed(path, [](const AtomicFileWriter::Sink& sink) -> QString {
            for (int i = 0; i < 1000; ++i) {
                const QByteArray piece = QByteArray::number(i) + ',';
                if (!sink(QByteArrayView(piece)))
                    return QStringLiteral("sink failed");
            }
            return {};
        });
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> parts = f.readAll().split(',');
        QCOMPARE(parts.size(), 1001); // 1000 numbers and the empty tail
        QCOMPARE(parts.at(0), QByteArray("0"));
        QCOMPARE(parts.at(999), QByteArray("999"));
    }

    void failedProducerLeavesNothing()
    {
        QTemporaryDir dir;
        const QString fresh = dir.filePath(QStringLiteral("fresh.npy"));
        const QString kept = dir.filePath(QStringLiteral("kept.npy"));
        {
            QFile f(kept);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("the user's file");
        }
        auto failing = [](const AtomicFileWriter::Sink& sink) -> QString {
            sink(QByteArrayView("half of it"));
            return QStringLiteral("the map of layer 3 head 1 could not be made");
        };
        QCOMPARE(AtomicFileWriter::writeStreamed(fresh, failing), QStringLiteral("the map of layer 3 head 1 could not be made"));
        QVERIFY(!QFile::exists(fresh));
        QCOMPARE(AtomicFileWriter::writeStreamed(kept, failing), QStringLiteral("the map of layer 3 head 1 could not be made"));
        QFile f(kept);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("the user's file"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1); // no temporary file left behind
    }

    void folderRefused()
    {
        QTemporaryDir dir;
        const QString err = AtomicFileWriter::writeStreamed(dir.path(), [](const AtomicFileWriter::Sink&) { return QString(); });
        QCOMPARE(err, QStringLiteral("cannot write '%1': it is a directory").arg(dir.path()));
    }
};

QTEST_GUILESS_MAIN(TestAtomicFileWriter)
#include "tst_atomic_file_writer.moc"
