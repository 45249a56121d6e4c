// One bar per class with its name and count: how balanced the classes of the data are.
//
// Threads: GUI thread only.
#pragma once

#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <vector>

namespace layerlab::ui {

class ClassHistogram : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kRowHeight = 20;

  explicit ClassHistogram(QWidget* parent = nullptr);
  // Empty counts show a placeholder (regression data, or nothing loaded).
  void setCounts(const QStringList& names, const std::vector<int64_t>& counts);

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QStringList m_names;
  std::vector<int64_t> m_counts;
};

}  // namespace layerlab::ui
