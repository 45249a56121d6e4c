// The Model place's documents: blank, template, file and run models; save, save as, the name and
// the title; the prompt before unsaved changes are lost.
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QUndoStack>

#include "engine/model/model_spec.h"
#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_scene.h"
#include "ui/editor/graph_view.h"
#include "ui/editor/model_page.h"
#include "ui/editor/template_gallery.h"

namespace layerlab::ui {
namespace {

constexpr const char* kModelSuffix = ".layerlab.json";
constexpr int kMaxNameLength = 100;

QString problemList(const std::vector<engine::ModelProblem>& problems) {
  QStringList lines;
  for (const engine::ModelProblem& problem : problems)
    lines << QString::fromStdString(problem.describe());
  return lines.join(QLatin1Char('\n'));
}

}  // namespace

engine::ModelSpec ModelPage::currentModel() const {
  return m_model->spec();
}

void ModelPage::setModel(const engine::ModelSpec& spec) {
  startDocument(spec, QString());
}

void ModelPage::startDocument(const engine::ModelSpec& spec, const QString& path) {
  m_path = path;
  m_openedName = spec.name;
  m_model->setSpec(spec);
  m_undo->clear();
  m_undo->setClean();
  m_scene->rebuild();
  m_view->fitWhenShown();
  refreshName();
  Q_EMIT documentTitleChanged();
}

bool ModelPage::newBlankModel() {
  if (!confirmDiscard()) return false;
  engine::ModelSpec spec;
  spec.name = "untitled";
  spec.inputShape = m_dataShape.empty() ? engine::Shape{1, 28, 28} : m_dataShape;
  startDocument(spec, QString());
  return true;
}

void ModelPage::newFromTemplate(const QString& path) {
  if (!confirmDiscard()) return;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return;
  const engine::ModelParseResult parsed = engine::parseModelSpec(file.readAll().toStdString());
  if (!parsed.spec) return;
  engine::ModelSpec spec = *parsed.spec;
  // A template starts on the chosen data.
  if (!m_dataShape.empty()) spec.inputShape = m_dataShape;
  startDocument(spec, QString());
}

void ModelPage::showTemplateGallery() {
  TemplateGallery gallery(this);
  if (gallery.exec() == QDialog::Accepted && !gallery.chosenPath().isEmpty())
    newFromTemplate(gallery.chosenPath());
}

bool ModelPage::openModelFile(const QString& path) {
  const engine::ModelParseResult parsed = engine::loadModelSpec(path.toStdString());
  if (!parsed.spec) {
    QMessageBox::warning(this, tr("Open a model"),
                         tr("%1 cannot be opened:\n%2").arg(path, problemList(parsed.problems)));
    return false;
  }
  startDocument(*parsed.spec, path);
  return true;
}

bool ModelPage::openRunModel(qint64 runId, const QString& modelJson) {
  if (!confirmDiscard()) return false;
  const engine::ModelParseResult parsed = engine::parseModelSpec(modelJson.toStdString());
  if (!parsed.spec) {
    QMessageBox::warning(this, tr("Open a run's model"),
                         tr("The model of run %1 cannot be opened:\n%2")
                             .arg(runId)
                             .arg(problemList(parsed.problems)));
    return false;
  }
  startDocument(*parsed.spec, QString());
  return true;
}

bool ModelPage::saveModelFile(const QString& requested) {
  QString path = requested;
  if (!QFileInfo(path).fileName().contains(QLatin1Char('.')))
    path += QString::fromLatin1(kModelSuffix);
  // A model still named as it was opened (a template's "cnn") is named after its new file.
  if (path != m_path && m_model->spec().name == m_openedName) {
    QString stem = QFileInfo(path).fileName();
    stem.chop(stem.endsWith(QString::fromLatin1(kModelSuffix))
                  ? int(qstrlen(kModelSuffix))
                  : int(QFileInfo(path).suffix().size()) + 1);
    if (!stem.isEmpty() && stem.size() <= kMaxNameLength)
      m_undo->push(new SetModelNameCommand(*m_model, stem.toStdString()));
  }
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return false;
  file.write(QByteArray::fromStdString(engine::toJson(m_model->spec()).dump(2) + "\n"));
  if (!file.commit()) return false;
  m_path = path;
  m_openedName = m_model->spec().name;
  m_undo->setClean();
  Q_EMIT documentTitleChanged();
  return true;
}

bool ModelPage::save() {
  if (m_path.isEmpty()) return saveAs();
  if (saveModelFile(m_path)) return true;
  QMessageBox::warning(this, tr("Save"), tr("Could not write %1.").arg(m_path));
  return false;
}

bool ModelPage::saveAs() {
  const QString suggested =
      m_path.isEmpty() ? QString::fromStdString(m_model->spec().name) + kModelSuffix : m_path;
  const QString path = QFileDialog::getSaveFileName(this, tr("Save the model"), suggested,
                                                    tr("LayerLab models (*.layerlab.json)"));
  if (path.isEmpty()) return false;
  if (saveModelFile(path)) return true;
  QMessageBox::warning(this, tr("Save"), tr("Could not write %1.").arg(path));
  return false;
}

void ModelPage::open() {
  if (!confirmDiscard()) return;
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a model"), QString(),
                                                    tr("LayerLab models (*.layerlab.json *.json)"));
  if (!path.isEmpty()) openModelFile(path);
}

bool ModelPage::hasUnsavedChanges() const {
  return !m_undo->isClean();
}

bool ModelPage::confirmDiscard() {
  if (!hasUnsavedChanges()) return true;
  QMessageBox box(QMessageBox::Question, tr("Unsaved changes"),
                  tr("The model \u201c%1\u201d has changes that are not saved.")
                      .arg(QString::fromStdString(m_model->spec().name)),
                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
  box.setObjectName(QStringLiteral("unsavedChanges"));
  box.setInformativeText(tr("Save them before going on?"));
  box.setDefaultButton(QMessageBox::Save);
  const int answer = box.exec();
  if (answer == QMessageBox::Save) return save();
  return answer == QMessageBox::Discard;
}

QString ModelPage::documentTitle() const {
  const QString file = m_path.isEmpty() ? tr("not saved") : QFileInfo(m_path).fileName();
  return QStringLiteral("%1 \u2014 %2[*]").arg(QString::fromStdString(m_model->spec().name), file);
}

void ModelPage::refreshName() {
  const QString name = QString::fromStdString(m_model->spec().name);
  if (!m_name->hasFocus() && m_name->text() != name) {
    m_name->setText(name);
    Q_EMIT documentTitleChanged();
  }
}

void ModelPage::renameFromField() {
  const QString name = m_name->text().trimmed();
  if (name.isEmpty() || name.size() > kMaxNameLength) {
    m_name->setText(QString::fromStdString(m_model->spec().name));
    return;
  }
  if (name.toStdString() == m_model->spec().name) return;
  m_undo->push(new SetModelNameCommand(*m_model, name.toStdString()));
  Q_EMIT documentTitleChanged();
}

}  // namespace layerlab::ui
