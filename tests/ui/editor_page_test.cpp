// The Model place driven with the mouse and keyboard: layers from the palette, a connection
// dragged between ports, a parameter typed in the inspector, a shape error pinned to its node,
// undo and redo of all of it, and a save that reopens to the same document.
#include <QLineEdit>
#include <QListWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>

#include <gtest/gtest.h>

#include "tests/ui/gui_test_support.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_scene.h"
#include "ui/editor/graph_view.h"
#include "ui/editor/model_page.h"

namespace layerlab::ui {
namespace {

// Double-clicks the palette entry `type`, as a user adding a layer does.
void addFromPalette(ModelPage& page, const QString& type) {
  auto* palette = page.findChild<QTreeWidget*>(QStringLiteral("palette"));
  ASSERT_NE(palette, nullptr);
  const QList<QTreeWidgetItem*> found =
      palette->findItems(type, Qt::MatchExactly | Qt::MatchRecursive);
  ASSERT_EQ(found.size(), 1) << type.toStdString();
  palette->scrollToItem(found.front());
  const QPoint at = palette->visualItemRect(found.front()).center();
  QTest::mouseClick(palette->viewport(), Qt::LeftButton, {}, at);
  QTest::mouseDClick(palette->viewport(), Qt::LeftButton, {}, at);
}

QPoint onView(ModelPage& page, QPointF scenePoint) {
  return page.view().mapFromScene(scenePoint);
}

TEST(ModelPageTest, DrawConnectEditBreakUndoAndSave) {
  ModelPage page;
  page.resize(1200, 760);
  page.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&page));
  engine::ModelSpec empty;
  empty.name = "drawn";
  empty.inputShape = {1, 28, 28};
  page.setModel(empty);
  GraphScene& scene = page.scene();
  EditorModel& model = page.editorModel();

  // A Flatten from the palette: the first layer of a blank model is fed by the input. The
  // connection removed, the user draws it again below.
  addFromPalette(page, QStringLiteral("Flatten"));
  ASSERT_TRUE(testing::waitUntil([&] { return scene.cardCount() == 2; }));
  ASSERT_TRUE(model.contains("flatten_1"));
  EXPECT_EQ(model.node("flatten_1")->inputs, std::vector<std::string>{engine::kInputName});
  scene.removeConnection(engine::kInputName, "flatten_1");
  scene.rebuild();
  EXPECT_TRUE(model.node("flatten_1")->inputs.empty());

  // Drag from the input's output port onto the Flatten card.
  const QPointF port =
      scene.cardCentre(engine::kInputName) + QPointF(0, GraphScene::kCardHeight / 2);
  const QPoint from = onView(page, port), to = onView(page, scene.cardCentre("flatten_1"));
  QWidget* viewport = page.view().viewport();
  QTest::mousePress(viewport, Qt::LeftButton, {}, from);
  QTest::mouseMove(viewport, (from + to) / 2);
  QTest::mouseMove(viewport, to);
  QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
  ASSERT_TRUE(testing::waitUntil([&] { return scene.edgeCount() == 1; }));
  EXPECT_EQ(model.node("flatten_1")->inputs, std::vector<std::string>{engine::kInputName});

  // With Flatten selected, Dense and then ReLU chain on.
  scene.selectNode("flatten_1");
  addFromPalette(page, QStringLiteral("Dense"));
  ASSERT_TRUE(testing::waitUntil([&] { return scene.cardCount() == 3; }));
  scene.selectNode("dense_1");
  addFromPalette(page, QStringLiteral("ReLU"));
  ASSERT_TRUE(testing::waitUntil([&] { return scene.cardCount() == 4; }));
  EXPECT_EQ(model.node("relu_1")->inputs, std::vector<std::string>{"dense_1"});
  EXPECT_EQ(model.spec().outputs, std::vector<std::string>{"relu_1"})
      << "the output follows the chain";
  EXPECT_TRUE(page.footerText().contains(QStringLiteral("12,560 parameters")))
      << page.footerText().toStdString();

  // Units typed in the inspector: a wrong value is marked and not applied; a right one is.
  scene.selectNode("dense_1");
  ASSERT_TRUE(testing::waitUntil([&] { return page.findChild<QLineEdit*>("param_units"); }));
  auto* units = page.findChild<QLineEdit*>(QStringLiteral("param_units"));
  units->setFocus();
  units->selectAll();
  QTest::keyClicks(units, QStringLiteral("-3"));
  QTest::keyClick(units, Qt::Key_Return);
  EXPECT_FALSE(units->styleSheet().isEmpty()) << "an invalid value is marked";
  EXPECT_EQ(model.node("dense_1")->params["units"], 16);
  units->selectAll();
  QTest::keyClicks(units, QStringLiteral("32"));
  QTest::keyClick(units, Qt::Key_Return);
  ASSERT_TRUE(testing::waitUntil([&] { return model.node("dense_1")->params["units"] == 32; }));
  EXPECT_TRUE(page.footerText().contains(QStringLiteral("25,120 parameters")))
      << page.footerText().toStdString();
  EXPECT_EQ(*model.nodeAnalysis("relu_1")->outputShape, engine::Shape({32}));
  const nlohmann::json good = engine::toJson(model.spec());

  // A Conv2d after the vector: the error is pinned to the conv node and listed.
  scene.selectNode("relu_1");
  addFromPalette(page, QStringLiteral("Conv2d"));
  ASSERT_TRUE(testing::waitUntil([&] { return scene.cardCount() == 5; }));
  const QStringList problems = page.problemTexts();
  ASSERT_FALSE(problems.isEmpty());
  EXPECT_TRUE(problems.front().startsWith(QStringLiteral("node 'conv2d_1'")))
      << problems.front().toStdString();
  auto* list = page.findChild<QListWidget*>(QStringLiteral("problems"));
  list->setCurrentRow(0);
  Q_EMIT list->itemClicked(list->item(0));
  EXPECT_EQ(scene.selectedIds(), std::vector<std::string>{"conv2d_1"});

  // Undo everything, redo everything, then undo the conv: the good document again.
  QUndoStack& undo = page.undoStack();
  const int steps = undo.count();
  for (int i = 0; i < steps; ++i)
    undo.undo();
  EXPECT_TRUE(model.nodeIds().empty());
  for (int i = 0; i < steps; ++i)
    undo.redo();
  EXPECT_EQ(model.nodeIds().size(), 4U);
  undo.undo();
  EXPECT_EQ(engine::toJson(model.spec()), good);

  // Save, reopen, compare.
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("drawn.layerlab.json"));
  ASSERT_TRUE(page.saveModelFile(path));
  EXPECT_FALSE(page.hasUnsavedChanges());
  ModelPage reopened;
  ASSERT_TRUE(reopened.openModelFile(path));
  EXPECT_EQ(engine::toJson(reopened.currentModel()), engine::toJson(page.currentModel()));
}

}  // namespace
}  // namespace layerlab::ui
