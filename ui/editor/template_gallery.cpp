#include "ui/editor/template_gallery.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QUndoStack>
#include <QVBoxLayout>

#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"
#include "engine/model/model_summary.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_scene.h"

static void registerGalleryTemplates() {
  Q_INIT_RESOURCE(templates);
}

namespace layerlab::ui {
namespace {

constexpr QSize kThumbnailSize(300, 150);

// The first sentence of a description: what the template is for.
QString firstSentence(const std::string& description) {
  const QString text = QString::fromStdString(description);
  const qsizetype end = text.indexOf(QStringLiteral(". "));
  return end < 0 ? text : text.left(end + 1);
}

}  // namespace

QPixmap graphThumbnail(const engine::ModelSpec& spec, QSize size) {
  EditorModel model;
  QUndoStack undo;
  model.setSpec(spec);
  GraphScene scene(model, undo);
  QPixmap picture(size);
  picture.fill(Qt::transparent);
  QPainter painter(&picture);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::TextAntialiasing);
  const QRectF source = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20);
  scene.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source, Qt::KeepAspectRatio);
  return picture;
}

TemplateGallery::TemplateGallery(QWidget* parent) : QDialog(parent) {
  registerGalleryTemplates();
  setWindowTitle(tr("New Model from a Template"));
  m_list = new QListWidget(this);
  m_list->setObjectName(QStringLiteral("templateList"));
  m_list->setViewMode(QListView::IconMode);
  m_list->setIconSize(kThumbnailSize);
  m_list->setGridSize(kThumbnailSize + QSize(30, 110));
  m_list->setResizeMode(QListView::Adjust);
  m_list->setMovement(QListView::Static);
  m_list->setWordWrap(true);
  m_list->setSpacing(6);
  for (const QFileInfo& info :
       QDir(QString::fromLatin1(kTemplateFolder))
           .entryInfoList({QStringLiteral("*.layerlab.json")}, QDir::Files, QDir::Name)) {
    QFile file(info.filePath());
    if (!file.open(QIODevice::ReadOnly)) continue;
    const engine::ModelParseResult parsed = engine::parseModelSpec(file.readAll().toStdString());
    if (!parsed.spec) continue;
    const engine::ModelAnalysis analysis = engine::analyzeModel(*parsed.spec);
    const QString name = info.fileName().section(QLatin1Char('.'), 0, 0);
    const QString text =
        tr("%1\n%2\ninput %3 · %4 parameters")
            .arg(name, firstSentence(parsed.spec->description),
                 QString::fromStdString(engine::formatShape(parsed.spec->inputShape)),
                 QString::fromStdString(engine::formatThousands(analysis.totalParams)));
    auto* item =
        new QListWidgetItem(QIcon(graphThumbnail(*parsed.spec, kThumbnailSize)), text, m_list);
    item->setData(Qt::UserRole, info.filePath());
    item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
    item->setData(Qt::UserRole + 1, QString::fromStdString(parsed.spec->description));
    item->setToolTip(QString::fromStdString(parsed.spec->description));
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  buttons->addButton(tr("Create"), QDialogButtonBox::AcceptRole);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_list, &QListWidget::itemDoubleClicked, this, &QDialog::accept);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(
      new QLabel(tr("Start from one of these networks and change what you like."), this));
  layout->addWidget(m_list, 1);
  // The whole description of the chosen template: what it is for and what it reaches.
  auto* about = new QLabel(this);
  about->setObjectName(QStringLiteral("templateDescription"));
  about->setWordWrap(true);
  about->setMinimumHeight(about->fontMetrics().lineSpacing() * 3);
  connect(m_list, &QListWidget::currentItemChanged, about, [about](QListWidgetItem* item) {
    about->setText(item == nullptr ? QString() : item->data(Qt::UserRole + 1).toString());
  });
  layout->addWidget(about);
  layout->addWidget(buttons);
  if (m_list->count() > 0) m_list->setCurrentRow(0);
  resize(1060, 640);
}

QString TemplateGallery::chosenPath() const {
  const QListWidgetItem* item = m_list->currentItem();
  return item == nullptr ? QString() : item->data(Qt::UserRole).toString();
}

}  // namespace layerlab::ui
