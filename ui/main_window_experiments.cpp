// How the Experiments place meets the others: a new experiment starts from the Model place's
// model, the Train place's settings and the Data place's data; its best trial opens in the Runs
// place or trains again in the Train place.
#include "engine/data/dataset_spec.h"
#include "engine/model/model_spec.h"
#include "engine/train/train_config.h"
#include "ui/data/data_page.h"
#include "ui/editor/model_page.h"
#include "ui/experiments/experiments_page.h"
#include "ui/main_window.h"
#include "ui/runs/runs_page.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {

void MainWindow::connectExperimentsPlace() {
  m_experimentsPage->setBaseProvider([this] {
    return ExperimentBaseDocuments{engine::toJson(m_modelPage->currentModel()),
                                   engine::toJson(m_trainPage->trainConfig()),
                                   engine::toJson(m_dataPage->datasetSpec())};
  });
  connect(m_experimentsPage, &ExperimentsPage::openRunRequested, this, [this](qint64 runId) {
    showPlace(Place::Runs);
    m_runsPage->selectRuns({static_cast<int64_t>(runId)});
  });
  connect(
      m_experimentsPage, &ExperimentsPage::rerunRequested, this,
      [this](qint64 runId, const QString& model, const QString& dataset, const QString& config) {
        showPlace(Place::Train);
        m_trainPage->rerun(runId, model, dataset, config, false);
      });
}

}  // namespace layerlab::ui
