#include "test_store.h"

#include <QFile>

#include <stdexcept>

namespace layerlab::ui::testing {
namespace {

using storage::EpochRecord;
using storage::MetricValue;
using storage::RunStatus;

EpochRecord epochRecord(int epoch) {
  const double n = epoch;
  return EpochRecord{
      epoch,
      epoch * 100,
      n * 2.0,
      {MetricValue{"train", "loss", 1.0 / n}, MetricValue{"train", "accuracy", 0.5 + n / 100},
       MetricValue{"val", "loss", 1.5 / n}, MetricValue{"val", "accuracy", 0.45 + n / 100}}};
}

int64_t writeRun(storage::RunStore& store, const TestRun& run) {
  storage::NewRun newRun;
  newRun.name = run.name;
  newRun.modelJson =
      run.modelJson.empty() ? R"({"format":"layerlab.model","version":1})" : run.modelJson;
  newRun.configJson = R"({"format":"layerlab.train","version":1})";
  newRun.datasetJson = R"({"format":"layerlab.dataset","version":1})";
  newRun.device = "cpu";
  newRun.appVersion = "test";
  newRun.seed = 7;
  const int64_t id = store.createRun(newRun);
  for (int epoch = 1; epoch <= run.epochs; ++epoch)
    store.appendEpoch(id, epochRecord(epoch));
  if (run.status == RunStatus::Running) return id;

  std::vector<MetricValue> finals;
  if (run.testAccuracy) finals.push_back(MetricValue{"test", "accuracy", *run.testAccuracy});
  store.finishRun(id, run.status, finals, run.errorText);
  return id;
}

}  // namespace

TestStore::TestStore() {
  if (!m_folder.isValid()) throw std::runtime_error("cannot create a scratch folder");
  m_writer = std::make_unique<storage::RunStore>(QFile::encodeName(path()).toStdString());
}

TestStore::~TestStore() = default;

QString TestStore::path() const {
  return file(QStringLiteral("runs.db"));
}

QString TestStore::file(const QString& name) const {
  return m_folder.filePath(name);
}

int64_t TestStore::addRun(const TestRun& run) {
  return writeRun(*m_writer, run);
}

int64_t addRunFromAnotherConnection(const QString& path, const TestRun& run) {
  storage::RunStore writer(QFile::encodeName(path).toStdString());
  return writeRun(writer, run);
}

}  // namespace layerlab::ui::testing
