// The Runs place on a real store in tests: the application's own catalog (StoreRunCatalog over
// layerlab_storage), and a wait for an edit's end.
#pragma once

#include <QSignalSpy>
#include <QString>

#include <memory>

#include "app/gui/store_run_catalog.h"
#include "storage/run_types.h"
#include "ui/main_window.h"
#include "ui/runs/runs_page.h"

namespace layerlab::ui::testing {

// Gives `page` the application's catalog, which opens the page's store.
inline RunsPage& withStoreCatalog(RunsPage& page, storage::StoreOptions writeOptions = {}) {
  page.setCatalog(std::make_unique<app::StoreRunCatalog>(writeOptions));
  return page;
}

// The window's Runs place with the application's catalog.
inline RunsPage& withStoreCatalog(MainWindow& window) {
  return withStoreCatalog(*window.findChild<RunsPage*>());
}

// Starts an edit on `page` (`start` returns whether it began) and waits for its end: the error
// the page showed, empty when it succeeded.
template <typename Start>
QString editAndWait(RunsPage& page, Start start, int timeoutMs = 20000) {
  QSignalSpy finished(&page, &RunsPage::editFinished);
  if (!start()) return QStringLiteral("the edit did not start");
  if (finished.isEmpty() && !finished.wait(timeoutMs)) return QStringLiteral("no editFinished");
  return finished.front().front().toString();
}

}  // namespace layerlab::ui::testing
