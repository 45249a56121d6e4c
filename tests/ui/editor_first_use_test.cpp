// The Model place as a first-time user meets it: cards readable at 100%, a Fit that fits every
// template, a shape check that agrees with training (checked against the real CLI), a toolbar and
// canvas that hold still, and documents with a name, a file, a title and a Save in the prompt.
#include <QApplication>
#include <QFontInfo>
#include <QImage>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QUndoStack>

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "tests/support/child_process.h"
#include "tests/ui/gui_test_support.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_scene.h"
#include "ui/editor/graph_view.h"
#include "ui/editor/model_page.h"
#include "ui/editor/node_card.h"

namespace layerlab::ui {
namespace {

const QString kTemplates = QStringLiteral(LAYERLAB_SOURCE_DIR "/resources/templates/");

class EditorFirstUseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The Model place's share of a 1280×720 window: less the navigation, menu and status bar.
    page.resize(1100, 640);
    page.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&page));
  }

  ModelPage page;
};

// Dark pixels (text) in a band of rows of `image`.
int darkPixels(const QImage& image, int top, int bottom) {
  int count = 0;
  for (int y = top; y < bottom && y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      if (qGray(image.pixel(x, y)) < 110) ++count;
    }
  }
  return count;
}

TEST_F(EditorFirstUseTest, CardTextIsAtLeastTwelvePixelsAndDarkAtOneHundredPercent) {
  EXPECT_GE(QFontInfo(canvasFont(kTextPixels)).pixelSize(), 12);
  EXPECT_GE(QFontInfo(canvasFont(kTitlePixels, true)).pixelSize(), 14);
  ASSERT_TRUE(page.openModelFile(kTemplates + QStringLiteral("mlp.layerlab.json")));
  page.scene().rebuild();
  NodeCard* card = page.scene().card(page.editorModel().nodeIds().front());
  ASSERT_NE(card, nullptr);
  // The card drawn at 100%, as the view draws it: the subtitle line (the node id) is dark text,
  // not the light grey it once was.
  QImage image(static_cast<int>(kCardWidth), static_cast<int>(kCardHeight), QImage::Format_RGB32);
  image.fill(Qt::white);
  QPainter painter(&image);
  card->paint(&painter, nullptr, nullptr);
  painter.end();
  EXPECT_GT(darkPixels(image, 25, 25 + kTextPixels + 2), 10) << "the subtitle is too light";
  EXPECT_GT(darkPixels(image, 43, 43 + kTextPixels + 2), 10) << "the detail is too light";
}

// Fit fits every template inside the canvas at the Model place's share of a 1280×720 and a
// 1920×1080 window; card text stays at 9 px or more on screen (12 px at 100%) for every template
// at 1920×1080, and for the templates of up to a dozen layers at 1280×720.
TEST_F(EditorFirstUseTest, FitPutsEveryTemplateInsideTheViewAtAReadableZoom) {
  for (const QSize size : {QSize(1100, 640), QSize(1740, 1000)}) {
    page.resize(size);
    QApplication::processEvents();
    for (const char* name : {"mlp", "cnn", "residual_cnn", "lstm", "tabular_mlp", "transformer"}) {
      SCOPED_TRACE(std::string(name) + " at " + std::to_string(size.width()));
      ASSERT_TRUE(page.openModelFile(kTemplates + name + QStringLiteral(".layerlab.json")));
      page.scene().rebuild();
      page.view().fitAll();
      const QRect drawn = page.view().mapFromScene(page.scene().itemsBoundingRect()).boundingRect();
      EXPECT_TRUE(page.view().viewport()->rect().contains(drawn))
          << "drawn " << drawn.x() << "," << drawn.y() << " " << drawn.width() << "×"
          << drawn.height() << " in " << page.view().viewport()->width() << "×"
          << page.view().viewport()->height();
      if (size.width() > 1200 || page.editorModel().nodeIds().size() <= 12)
        EXPECT_GE(page.view().zoom() * kTextPixels, 9.0) << "zoom " << page.view().zoom();
    }
  }
}

// A model for 1×28×28 images whose last layer is `last`, fed by `before` (empty: the input).
engine::ModelSpec imageModel(const std::vector<engine::NodeSpec>& nodes) {
  engine::ModelSpec spec;
  spec.name = "probe";
  spec.inputShape = {1, 28, 28};
  spec.nodes = nodes;
  spec.outputs = {nodes.back().id};
  return spec;
}

TEST_F(EditorFirstUseTest, TheShapeCheckAndTrainingAgreeOnTheSameModels) {
  using Nodes = std::vector<engine::NodeSpec>;
  const engine::NodeSpec dense10{"out", "Dense", {"input"}, {{"units", 10}}};
  const std::map<std::string, Nodes> models = {
      {"dense_without_flatten", {dense10}},
      {"flatten_then_dense",
       {{"flat", "Flatten", {"input"}, nlohmann::json::object()},
        {"out", "Dense", {"flat"}, {{"units", 10}}}}},
      {"flatten_then_three_units",
       {{"flat", "Flatten", {"input"}, nlohmann::json::object()},
        {"out", "Dense", {"flat"}, {{"units", 3}}}}},
      {"conv_then_dense",
       {{"conv", "Conv2d", {"input"}, {{"filters", 4}, {"kernel_size", 3}}},
        {"out", "Dense", {"conv"}, {{"units", 10}}}}},
  };
  QTemporaryDir dir;
  page.setDataShape({1, 28, 28}, 10);  // Fashion-MNIST: the CLI's default data
  for (const auto& [name, nodes] : models) {
    SCOPED_TRACE(name);
    page.setModel(imageModel(nodes));
    const QStringList problems = page.problemTexts();
    const std::string file = dir.filePath(QString::fromStdString(name + ".json")).toStdString();
    std::ofstream(file) << engine::toJson(page.currentModel()).dump();
    const test::ProcessResult train = test::runProcess(
        LAYERLAB_CLI_PATH, {"train", "--model", file, "--epochs", "1", "--limit", "200", "--db",
                            dir.filePath(QStringLiteral("runs.db")).toStdString()});
    EXPECT_EQ(problems.isEmpty(), train.exitCode == 0)
        << problems.join('\n').toStdString() << "\ncli: " << train.err;
    if (!problems.isEmpty()) {
      // Pinned to the output layer, with the change that mends it.
      EXPECT_TRUE(problems.join('\n').contains(QStringLiteral("node 'out'")));
      EXPECT_FALSE(page.warningText().isEmpty());
      EXPECT_TRUE(page.scene().card("out")->hasProblem());
    }
  }
  page.setModel(imageModel({dense10}));
  EXPECT_TRUE(page.problemTexts().join('\n').contains(QStringLiteral("add a Flatten before 'out'")))
      << page.problemTexts().join('\n').toStdString();
  page.setModel(imageModel(models.at("conv_then_dense")));
  EXPECT_TRUE(page.problemTexts().join('\n').contains(QStringLiteral("GlobalAvgPool")));
}

TEST_F(EditorFirstUseTest, TheToolbarAndTheCanvasHoldStillWhileEditing) {
  ASSERT_TRUE(page.openModelFile(kTemplates + QStringLiteral("mlp.layerlab.json")));
  auto geometries = [this] {
    std::vector<QRect> out;
    for (QAction* action : page.toolbar().actions()) {
      if (QWidget* widget = page.toolbar().widgetForAction(action))
        out.push_back(widget->geometry());
    }
    return out;
  };
  const std::vector<QRect> before = geometries();
  const QRect canvas = page.view().geometry();
  // An edit (the Undo tooltip now names it), then the data disagreeing (a warning), then agreeing.
  page.scene().addLayer(QStringLiteral("ReLU"), QPointF(0, 600));
  QApplication::processEvents();
  EXPECT_EQ(geometries(), before) << "the toolbar reflowed after an edit";
  page.setDataShape({3, 32, 32}, 10);
  page.undoStack().undo();  // the input back to the model's: the warning shows
  QApplication::processEvents();
  ASSERT_FALSE(page.warningText().isEmpty());
  EXPECT_EQ(page.view().geometry(), canvas) << "the canvas moved when the warning came";
  page.useDataShape();
  QApplication::processEvents();
  EXPECT_EQ(page.view().geometry(), canvas) << "the canvas moved when the warning went";
  EXPECT_EQ(geometries(), before);
  // The place never asks for more than a 1280-pixel window has beside the navigation, and every
  // toolbar button is on the toolbar there, not in its overflow menu.
  EXPECT_LE(page.minimumSizeHint().width(), 1280 - 200);
  for (QAction* action : page.toolbar().actions()) {
    if (action->isSeparator()) continue;
    QWidget* widget = page.toolbar().widgetForAction(action);
    EXPECT_TRUE(widget != nullptr && widget->isVisible()) << action->text().toStdString();
  }
}

TEST_F(EditorFirstUseTest, ABlankModelIsNamedSavedWithItsExtensionAndTitled) {
  ASSERT_TRUE(page.newBlankModel());
  EXPECT_EQ(page.scene().cardCount(), 1) << "only the input";
  EXPECT_EQ(page.currentModel().name, "untitled");
  EXPECT_EQ(page.documentTitle(), QString::fromUtf8("untitled \u2014 not saved[*]"));
  // Double-clicked layers grow a chain from the input, each fed by the one before.
  auto* palette = testing::child<QTreeWidget>(page, "palette");
  ASSERT_NE(palette, nullptr);
  auto doubleClick = [&](const QString& type) {
    const QList<QTreeWidgetItem*> found =
        palette->findItems(type, Qt::MatchExactly | Qt::MatchRecursive);
    ASSERT_EQ(found.size(), 1);
    palette->scrollToItem(found.front());
    const QPoint at = palette->visualItemRect(found.front()).center();
    QTest::mouseClick(palette->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(palette->viewport(), Qt::LeftButton, {}, at);
    page.scene().rebuild();
  };
  doubleClick(QStringLiteral("Flatten"));
  doubleClick(QStringLiteral("Dense"));
  ASSERT_TRUE(page.editorModel().contains("flatten_1"));
  ASSERT_TRUE(page.editorModel().contains("dense_1"));
  EXPECT_EQ(page.editorModel().node("flatten_1")->inputs,
            std::vector<std::string>{engine::kInputName});
  EXPECT_EQ(page.editorModel().node("dense_1")->inputs, std::vector<std::string>{"flatten_1"});
  EXPECT_EQ(page.currentModel().outputs, std::vector<std::string>{"dense_1"});
  auto* name = testing::child<QLineEdit>(page, "modelName");
  ASSERT_NE(name, nullptr);
  name->setFocus();
  name->selectAll();
  QTest::keyClicks(name, QStringLiteral("my_net"));
  QTest::keyClick(name, Qt::Key_Return);
  EXPECT_EQ(page.currentModel().name, "my_net");
  EXPECT_TRUE(page.hasUnsavedChanges());
  EXPECT_TRUE(page.documentTitle().startsWith(QStringLiteral("my_net")));
  page.undoStack().undo();
  EXPECT_EQ(page.currentModel().name, "untitled") << "renaming is one undo step";
  page.undoStack().redo();

  // Saved without an extension: the file Open looks for, and the name the user gave is kept.
  QTemporaryDir dir;
  ASSERT_TRUE(page.saveModelFile(dir.filePath(QStringLiteral("mine"))));
  EXPECT_TRUE(QFileInfo::exists(dir.filePath(QStringLiteral("mine.layerlab.json"))));
  EXPECT_FALSE(page.hasUnsavedChanges());
  EXPECT_EQ(page.documentTitle(), QString::fromUtf8("my_net \u2014 mine.layerlab.json[*]"));
  // A template saved as a new file takes the file's name instead of the template's.
  ASSERT_TRUE(page.openModelFile(kTemplates + QStringLiteral("cnn.layerlab.json")));
  ASSERT_TRUE(page.saveModelFile(dir.filePath(QStringLiteral("shoes.layerlab.json"))));
  EXPECT_EQ(page.currentModel().name, "shoes");
}

TEST_F(EditorFirstUseTest, OnlyRealEditsAskBeforeTheyAreLostAndThePromptOffersSave) {
  ASSERT_TRUE(page.newBlankModel());
  // New data moves the input of an untouched, unsaved model: nothing of the user's to lose.
  page.setDataShape({3, 32, 32}, 10);
  EXPECT_EQ(page.currentModel().inputShape, (engine::Shape{3, 32, 32}));
  EXPECT_FALSE(page.hasUnsavedChanges());
  EXPECT_TRUE(page.confirmDiscard());
  page.scene().addLayer(QStringLiteral("Flatten"), QPointF(0, 200));
  ASSERT_TRUE(page.hasUnsavedChanges());
  QStringList buttons;
  QTimer::singleShot(0, [&buttons] {
    auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
    if (box == nullptr) return;
    for (QAbstractButton* button : box->buttons())
      buttons << button->text().remove(QLatin1Char('&'));
    box->button(QMessageBox::Cancel)->click();
  });
  EXPECT_FALSE(page.confirmDiscard()) << "Cancel keeps the model";
  EXPECT_TRUE(buttons.join(',').contains(QStringLiteral("Save")))
      << buttons.join(',').toStdString();
  EXPECT_TRUE(buttons.join(',').contains(QStringLiteral("Discard")));
}

}  // namespace
}  // namespace layerlab::ui
