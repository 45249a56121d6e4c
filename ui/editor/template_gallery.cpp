#include "ui/editor/template_gallery.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QUndoStack>
#include <QVBoxLayout>

#include <map>

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

QString purpose(const QString& name) {
  static const std::map<QString, const char*> purposes = {
      {QStringLiteral("mlp"), QT_TR_NOOP("Dense layers on flattened images: the first baseline.")},
      {QStringLiteral("cnn"), QT_TR_NOOP("Two convolution blocks and a classifier, for images.")},
      {QStringLiteral("residual_cnn"),
       QT_TR_NOOP("Convolutions with skip connections and batch norm, for images.")},
      {QStringLiteral("lstm"), QT_TR_NOOP("An LSTM reading image rows as a sequence.")},
      {QStringLiteral("transformer"),
       QT_TR_NOOP("A transformer encoder over image rows as tokens.")},
      {QStringLiteral("tabular_mlp"),
       QT_TR_NOOP("Dense layers with dropout for tables of numbers.")},
  };
  const auto found = purposes.find(name);
  return found == purposes.end() ? QString() : QObject::tr(found->second);
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
            .arg(name, purpose(name),
                 QString::fromStdString(engine::formatShape(parsed.spec->inputShape)),
                 QString::fromStdString(engine::formatThousands(analysis.totalParams)));
    auto* item =
        new QListWidgetItem(QIcon(graphThumbnail(*parsed.spec, kThumbnailSize)), text, m_list);
    item->setData(Qt::UserRole, info.filePath());
    item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
    item->setToolTip(purpose(name));
  }
  if (m_list->count() > 0) m_list->setCurrentRow(0);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  buttons->addButton(tr("Create"), QDialogButtonBox::AcceptRole);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_list, &QListWidget::itemDoubleClicked, this, &QDialog::accept);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(
      new QLabel(tr("Start from one of these networks and change what you like."), this));
  layout->addWidget(m_list, 1);
  layout->addWidget(buttons);
  resize(1060, 640);
}

QString TemplateGallery::chosenPath() const {
  const QListWidgetItem* item = m_list->currentItem();
  return item == nullptr ? QString() : item->data(Qt::UserRole).toString();
}

}  // namespace layerlab::ui
