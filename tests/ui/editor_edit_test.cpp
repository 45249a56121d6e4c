// Editing the graph beyond adding layers, driven through the real Model place: a layer dropped
// from the palette onto the canvas and onto a connection, connections selected and deleted,
// cut/copy/paste/duplicate with the keyboard, the input shape following the chosen data, and the
// template gallery with a thumbnail of every template.
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>

#include <gtest/gtest.h>

#include <set>

#include "tests/ui/gui_test_support.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_scene.h"
#include "ui/editor/graph_view.h"
#include "ui/editor/model_page.h"
#include "ui/editor/node_clipboard.h"
#include "ui/editor/template_gallery.h"

namespace layerlab::ui {
namespace {

const QString kTemplates = QStringLiteral(LAYERLAB_SOURCE_DIR "/resources/templates/");

class EditorEditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    page.resize(1200, 760);
    page.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&page));
    page.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&page));
  }

  void open(const QString& name) {
    ASSERT_TRUE(page.openModelFile(kTemplates + name + QStringLiteral(".layerlab.json")));
    page.scene().rebuild();
  }

  // What the palette itself puts in a drag of `type`.
  QMimeData* paletteDrag(const QString& type) {
    auto* palette = page.findChild<QTreeWidget*>(QStringLiteral("palette"));
    const QList<QTreeWidgetItem*> found =
        palette->findItems(type, Qt::MatchExactly | Qt::MatchRecursive);
    if (found.size() != 1) return nullptr;
    const QModelIndex index = palette->model()->index(
        found.front()->parent()->indexOfChild(found.front()), 0,
        palette->model()->index(palette->indexOfTopLevelItem(found.front()->parent()), 0));
    return palette->model()->mimeData({index});
  }

  // Enters, moves over and drops on the canvas at `scenePoint`, as a drag from the palette does.
  void dropOnCanvas(QMimeData* mime, QPointF scenePoint) {
    QWidget* viewport = page.view().viewport();
    const QPoint at = page.view().mapFromScene(scenePoint);
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &enter);
    QDragMoveEvent move(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &move);
    QDropEvent drop(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &drop);
    delete mime;
    page.scene().rebuild();
  }

  void press(QKeySequence::StandardKey key) {
    const QKeySequence sequence(key);
    QTest::keyClick(page.view().viewport(), static_cast<Qt::Key>(sequence[0].key()),
                    sequence[0].keyboardModifiers());
    page.scene().rebuild();
  }

  ModelPage page;
};

TEST_F(EditorEditTest, LayersDraggedFromThePaletteLandOnTheCanvasOrOnAConnection) {
  engine::ModelSpec empty;
  empty.name = "dropped";
  empty.inputShape = {8};
  page.setModel(empty);
  EditorModel& model = page.editorModel();
  GraphScene& scene = page.scene();

  // On empty canvas: a new card where it fell.
  const QPointF where = scene.cardCentre(engine::kInputName) + QPointF(0, 300);
  dropOnCanvas(paletteDrag(QStringLiteral("Dense")), where);
  ASSERT_TRUE(model.contains("dense_1"));
  EXPECT_LT(QLineF(scene.cardCentre("dense_1"), where).length(), 4.0);
  scene.connectNodes(engine::kInputName, "dense_1");
  scene.rebuild();
  ASSERT_EQ(scene.edgeCount(), 1);

  // On the connection input → dense_1: a ReLU goes between them, in one undo step.
  const int steps = page.undoStack().count();
  dropOnCanvas(paletteDrag(QStringLiteral("ReLU")),
               scene.connectionMidpoint(engine::kInputName, "dense_1"));
  ASSERT_TRUE(model.contains("relu_1"));
  EXPECT_EQ(model.node("relu_1")->inputs, std::vector<std::string>{engine::kInputName});
  EXPECT_EQ(model.node("dense_1")->inputs, std::vector<std::string>{"relu_1"});
  EXPECT_EQ(scene.edgeCount(), 2);
  EXPECT_EQ(scene.selectedIds(), std::vector<std::string>{"relu_1"});
  EXPECT_LT(scene.cardCentre(engine::kInputName).y(), scene.cardCentre("relu_1").y());
  EXPECT_LT(scene.cardCentre("relu_1").y() + GraphScene::kCardHeight,
            scene.cardCentre("dense_1").y() + 1)
      << "the new card sits between the two without covering the second";
  EXPECT_EQ(page.undoStack().count(), steps + 1);
  page.undoStack().undo();
  scene.rebuild();
  EXPECT_FALSE(model.contains("relu_1"));
  EXPECT_EQ(model.node("dense_1")->inputs, std::vector<std::string>{engine::kInputName});
}

TEST_F(EditorEditTest, AClickedConnectionIsDeletedWithTheDeleteKey) {
  open(QStringLiteral("mlp"));
  EditorModel& model = page.editorModel();
  GraphScene& scene = page.scene();
  const std::string target = model.nodeIds().at(1);
  const std::string source = model.node(target)->inputs.front();
  page.view().centerOn(scene.connectionMidpoint(source, target));
  const QPoint at = page.view().mapFromScene(scene.connectionMidpoint(source, target));
  QTest::mouseClick(page.view().viewport(), Qt::LeftButton, {}, at);
  ASSERT_EQ(scene.selectedConnections().size(), 1U);
  EXPECT_EQ(scene.selectedConnections().front(), std::make_pair(source, target));
  EXPECT_TRUE(scene.selectedIds().empty()) << "the connection, not a card, is selected";
  press(QKeySequence::Delete);
  EXPECT_TRUE(model.node(target)->inputs.empty());
  EXPECT_FALSE(page.problemTexts().isEmpty()) << "a layer without its input is a problem";
  page.undoStack().undo();
  EXPECT_EQ(model.node(target)->inputs, std::vector<std::string>{source});
}

TEST_F(EditorEditTest, CopyPasteAndDuplicateMakeFreshLayersInOneStepEach) {
  open(QStringLiteral("cnn"));
  EditorModel& model = page.editorModel();
  GraphScene& scene = page.scene();
  const size_t before = model.nodeIds().size();
  const nlohmann::json conv2 = model.node("conv2")->params;

  // Copy conv2 → relu2 and paste: two new layers, joined to each other only.
  scene.selectNodes({"conv2", "relu2"});
  page.view().setFocus();
  press(QKeySequence::Copy);
  const nlohmann::json copied =
      nlohmann::json::parse(QApplication::clipboard()->text().toStdString(), nullptr, false);
  ASSERT_FALSE(copied.is_discarded()) << "the clipboard holds the layers as JSON text";
  ASSERT_EQ(copied["layerlab_nodes"].size(), 2U);
  const int steps = page.undoStack().count();
  press(QKeySequence::Paste);
  ASSERT_EQ(model.nodeIds().size(), before + 2);
  EXPECT_EQ(page.undoStack().count(), steps + 1);
  std::set<std::string> fresh;
  for (const std::string& id : model.nodeIds())
    if (id.rfind("conv2d_", 0) == 0 || id.rfind("relu_", 0) == 0) fresh.insert(id);
  ASSERT_EQ(fresh, (std::set<std::string>{"conv2d_1", "relu_1"}));
  EXPECT_TRUE(model.node("conv2d_1")->inputs.empty()) << "pool1 was not part of the copy";
  EXPECT_EQ(model.node("relu_1")->inputs, std::vector<std::string>{"conv2d_1"});
  EXPECT_EQ(model.node("conv2d_1")->params, conv2);
  std::vector<std::string> selected = scene.selectedIds();
  std::sort(selected.begin(), selected.end());
  EXPECT_EQ(selected, (std::vector<std::string>{"conv2d_1", "relu_1"}));
  EXPECT_NE(model.position("conv2d_1"), model.position("conv2"));

  // Duplicate keeps the link from outside the group (same document).
  scene.selectNode("conv2");
  QTest::keyClick(page.view().viewport(), Qt::Key_D, Qt::ControlModifier);
  scene.rebuild();
  ASSERT_TRUE(model.contains("conv2d_2"));
  EXPECT_EQ(model.node("conv2d_2")->inputs, std::vector<std::string>{"pool1"});

  // Cut removes, paste brings back under a fresh id; undo walks back to the template.
  scene.selectNode("conv2d_2");
  press(QKeySequence::Cut);
  EXPECT_FALSE(model.contains("conv2d_2"));
  page.undoStack().undo();  // the cut
  page.undoStack().undo();  // the duplicate
  page.undoStack().undo();  // the paste
  EXPECT_EQ(model.nodeIds().size(), before);
  EXPECT_TRUE(page.undoStack().isClean());
}

TEST_F(EditorEditTest, TheInputFollowsTheDataAndAMismatchComesWithItsFix) {
  open(QStringLiteral("cnn"));
  EditorModel& model = page.editorModel();
  EXPECT_TRUE(page.warningText().isEmpty());

  // New data: the input follows, as a step of its own.
  page.setDataShape({3, 32, 32}, 10);
  EXPECT_EQ(model.spec().inputShape, engine::Shape({3, 32, 32}));
  EXPECT_TRUE(page.problemTexts().isEmpty()) << page.problemTexts().join('\n').toStdString();
  EXPECT_TRUE(page.warningText().isEmpty());

  // Undone: the model and the data disagree, the warning says how and the button fixes it.
  page.undoStack().undo();
  EXPECT_EQ(model.spec().inputShape, engine::Shape({1, 28, 28}));
  EXPECT_TRUE(page.warningText().contains(QStringLiteral("[1, 28, 28]")) &&
              page.warningText().contains(QStringLiteral("[3, 32, 32]")))
      << page.warningText().toStdString();
  auto* fix = page.findChild<QPushButton*>(QStringLiteral("useDataShape"));
  ASSERT_TRUE(fix->isVisible());
  QTest::mouseClick(fix, Qt::LeftButton);
  EXPECT_EQ(model.spec().inputShape, engine::Shape({3, 32, 32}));
  EXPECT_TRUE(page.warningText().isEmpty());

  // Data with three classes: the ten-way output is named with what to change.
  page.setDataShape({3, 32, 32}, 3);
  EXPECT_TRUE(page.warningText().contains(QStringLiteral("3 classes")))
      << page.warningText().toStdString();
  EXPECT_TRUE(page.warningText().contains(QString::fromStdString(model.spec().outputs.front())));
  EXPECT_FALSE(fix->isVisible());
}

// The picture of a graph has the cards and their connections in it, not a blank.
int distinctColours(const QPixmap& picture) {
  const QImage image = picture.toImage();
  std::set<QRgb> colours;
  for (int y = 0; y < image.height(); y += 2)
    for (int x = 0; x < image.width(); x += 2)
      colours.insert(image.pixel(x, y));
  return static_cast<int>(colours.size());
}

TEST_F(EditorEditTest, TheGalleryShowsEveryTemplateAndOpensTheChosenOne) {
  const int templates = static_cast<int>(
      QDir(kTemplates).entryList({QStringLiteral("*.layerlab.json")}, QDir::Files).size());
  ASSERT_GE(templates, 6);
  {
    TemplateGallery gallery;
    ASSERT_EQ(gallery.list().count(), templates);
    for (int i = 0; i < gallery.list().count(); ++i) {
      const QListWidgetItem* item = gallery.list().item(i);
      const QPixmap thumbnail = item->icon().pixmap(QSize(300, 150));
      EXPECT_GT(distinctColours(thumbnail), 8) << item->text().toStdString();
      EXPECT_TRUE(item->text().contains(QStringLiteral("parameters")));
    }
  }
  // Through the toolbar button, as a user: pick residual_cnn and create it.
  bool chose = false;
  QTimer::singleShot(0, [&chose] {
    for (QWidget* widget : QApplication::topLevelWidgets()) {
      auto* gallery = qobject_cast<TemplateGallery*>(widget);
      if (gallery == nullptr) continue;
      const QList<QListWidgetItem*> found =
          gallery->list().findItems(QStringLiteral("residual_cnn"), Qt::MatchStartsWith);
      if (found.size() != 1) continue;
      gallery->list().setCurrentItem(found.front());
      chose = true;
      gallery->accept();
    }
  });
  QTest::mouseClick(page.findChild<QToolButton*>(QStringLiteral("newFromTemplate")), Qt::LeftButton,
                    {}, QPoint(10, 10));
  ASSERT_TRUE(chose);
  EXPECT_EQ(page.currentModel().name, "residual_cnn");
  EXPECT_TRUE(page.problemTexts().isEmpty());
}

}  // namespace
}  // namespace layerlab::ui
