// The layer graph editor's document and its undoable edits, on the engine's real registry and
// templates; totals checked against `layerlab-cli summary`.
#include <QDir>
#include <QUndoStack>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "engine/model/model_summary.h"
#include "tests/support/child_process.h"
#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_layout.h"

namespace layerlab::ui {
namespace {

const std::string kTemplates = std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/";

engine::ModelSpec emptyImageModel() {
  engine::ModelSpec spec;
  spec.name = "drawn";
  spec.inputShape = {1, 28, 28};
  return spec;
}

// Adds a node of `type` fed by `inputs` through the undo stack; returns its id.
std::string add(QUndoStack& stack, EditorModel& model, const std::string& type,
                std::vector<std::string> inputs) {
  engine::NodeSpec node{.id = model.freshId(type),
                        .type = type,
                        .inputs = std::move(inputs),
                        .params = EditorModel::startingParams(type)};
  auto* command = new AddNodeCommand(model, node, QPointF(0, 0));
  const std::string id = command->nodeId();
  stack.push(command);
  return id;
}

// "Total params: 101,770" → 101770, from `layerlab-cli summary`.
int64_t summaryNumber(const std::string& text, const std::string& label) {
  const std::regex pattern(label + ": ([0-9,]+)");
  std::smatch match;
  if (!std::regex_search(text, match, pattern)) return -1;
  std::string digits = match[1];
  digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
  return std::stoll(digits);
}

TEST(EditorModelTest, EveryTemplateOpensCleanAndItsTotalsMatchTheCli) {
  const QStringList files =
      QDir(QString::fromStdString(kTemplates)).entryList({QStringLiteral("*.layerlab.json")});
  ASSERT_GE(files.size(), 6);
  for (const QString& file : files) {
    const std::string path = kTemplates + file.toStdString();
    const engine::ModelParseResult parsed = engine::loadModelSpec(path);
    ASSERT_TRUE(parsed.spec) << path;
    EditorModel model;
    model.setSpec(*parsed.spec);
    EXPECT_TRUE(model.analysis().ok()) << path;
    const test::ProcessResult summary =
        test::runProcess(LAYERLAB_CLI_PATH, {"summary", "--model", path});
    ASSERT_EQ(summary.exitCode, 0) << summary.err;
    EXPECT_EQ(model.analysis().totalParams, summaryNumber(summary.out, "Trainable params")) << path;
    EXPECT_EQ(model.analysis().totalMacs, summaryNumber(summary.out, "Multiply-adds per sample"))
        << path;
    // Every node has a place of its own, and every connection runs down, or into a fold to the
    // right when a long chain is folded.
    std::set<std::pair<double, double>> seen;
    for (const std::string& id : model.nodeIds()) {
      const QPointF at = model.position(id);
      EXPECT_TRUE(seen.insert({at.x(), at.y()}).second) << path << ": " << id << " overlaps";
      for (const std::string& input : model.node(id)->inputs) {
        const QPointF from = model.position(input);
        EXPECT_TRUE(from.y() < at.y() || from.x() + kLayoutFoldGap <= at.x())
            << path << ": " << input << " → " << id;
      }
    }
  }
}

TEST(EditorModelTest, EditsUpdateTheAnalysisAndUndoRedoRestoreEveryStep) {
  EditorModel model;
  model.setSpec(emptyImageModel());
  QUndoStack stack;
  const std::string flat = add(stack, model, "Flatten", {engine::kInputName});
  const std::string dense = add(stack, model, "Dense", {flat});
  const std::string relu = add(stack, model, "ReLU", {dense});
  stack.push(new SetOutputsCommand(model, {relu}));
  ASSERT_TRUE(model.analysis().ok()) << model.analysis().problems.front().describe();
  EXPECT_EQ(*model.nodeAnalysis(relu)->outputShape, engine::Shape({16}));
  EXPECT_EQ(model.analysis().totalParams, 784 * 16 + 16);

  // Changing units in the inspector: shapes and the parameter total follow.
  stack.push(new SetParamCommand(model, dense, "units", 32));
  EXPECT_EQ(*model.nodeAnalysis(relu)->outputShape, engine::Shape({32}));
  EXPECT_EQ(model.analysis().totalParams, 784 * 32 + 32);
  const nlohmann::json good = engine::toJson(model.spec());

  // A Conv2d after the flat vector is a shape error pinned to the conv node.
  const std::string conv = add(stack, model, "Conv2d", {relu});
  ASSERT_FALSE(model.analysis().ok());
  bool pinned = false;
  for (const engine::ModelProblem& problem : model.analysis().problems)
    pinned = pinned || problem.nodeId == conv;
  EXPECT_TRUE(pinned);

  // Undo everything, then redo everything: the same document again.
  const int steps = stack.count();
  for (int i = 0; i < steps; ++i)
    stack.undo();
  EXPECT_TRUE(model.nodeIds().empty());
  for (int i = 0; i < steps; ++i)
    stack.redo();
  EXPECT_EQ(model.nodeIds().size(), 4U);
  stack.undo();  // the conv
  EXPECT_EQ(engine::toJson(model.spec()), good);
}

TEST(EditorModelTest, DeletingANodeTakesItsConnectionsAndUndoPutsThemBack) {
  EditorModel model;
  model.setSpec(*engine::loadModelSpec(kTemplates + "residual_cnn.layerlab.json").spec);
  const nlohmann::json before = engine::toJson(model.spec());
  // The first residual Add has two inputs; delete one of its feeders.
  std::string addNode, feeder;
  for (const std::string& id : model.nodeIds()) {
    if (model.node(id)->type == "Add" && addNode.empty()) {
      addNode = id;
      feeder = model.node(id)->inputs.front();
    }
  }
  ASSERT_FALSE(addNode.empty());
  QUndoStack stack;
  stack.push(new RemoveNodeCommand(model, feeder));
  EXPECT_FALSE(model.contains(feeder));
  EXPECT_EQ(model.node(addNode)->inputs.size(), 1U);
  EXPECT_FALSE(model.analysis().ok());  // Add with one input
  stack.undo();
  EXPECT_EQ(engine::toJson(model.spec()), before);
}

TEST(EditorModelTest, AResidualBlockDrawnByHandIsValidAndSurvivesSaveAndReopen) {
  EditorModel model;
  engine::ModelSpec spec;
  spec.name = "residual";
  spec.inputShape = {8};
  model.setSpec(spec);
  QUndoStack stack;
  const std::string a = add(stack, model, "Dense", {engine::kInputName});
  const std::string act = add(stack, model, "ReLU", {a});
  const std::string b = add(stack, model, "Dense", {act});
  const std::string sum = add(stack, model, "Add", {b});
  // Connect the skip: a second input into the Add.
  stack.push(new SetInputsCommand(model, sum, {b, a}, QStringLiteral("Connect")));
  const std::string out = add(stack, model, "Dense", {sum});
  stack.push(new SetParamCommand(model, out, "units", 3));
  stack.push(new SetOutputsCommand(model, {out}));
  ASSERT_TRUE(model.analysis().ok()) << model.analysis().problems.front().describe();
  EXPECT_EQ(*model.nodeAnalysis(sum)->outputShape, engine::Shape({16}));

  // Save and reopen: the same JSON, positions included.
  const std::string saved = engine::toJson(model.spec()).dump(2);
  const engine::ModelParseResult reopened = engine::parseModelSpec(saved);
  ASSERT_TRUE(reopened.spec);
  EditorModel again;
  again.setSpec(*reopened.spec);
  EXPECT_EQ(engine::toJson(again.spec()).dump(2), saved);
}

TEST(EditorModelTest, OneDragIsOneUndoStep) {
  EditorModel model;
  model.setSpec(*engine::loadModelSpec(kTemplates + "mlp.layerlab.json").spec);
  const QPointF start = model.position("fc1");
  QUndoStack stack;
  for (int step = 1; step <= 5; ++step)
    stack.push(new MoveNodesCommand(model, {{"fc1", start + QPointF(10 * step, 0)}}, 7));
  EXPECT_EQ(stack.count(), 1);
  EXPECT_EQ(model.position("fc1"), start + QPointF(50, 0));
  stack.undo();
  EXPECT_EQ(model.position("fc1"), start);
  stack.push(new MoveNodesCommand(model, {{"fc1", start + QPointF(0, 5)}}, 8));
  stack.push(new MoveNodesCommand(model, {{"fc1", start + QPointF(0, 9)}}, 9));
  EXPECT_EQ(stack.count(), 2) << "separate drags stay separate steps";
}

TEST(EditorModelTest, FreshIdsAndStartingParametersMakeUsableNodes) {
  EditorModel model;
  model.setSpec(emptyImageModel());
  EXPECT_EQ(model.freshId("Dense"), "dense_1");
  QUndoStack stack;
  add(stack, model, "Dense", {engine::kInputName});
  EXPECT_EQ(model.freshId("Dense"), "dense_2");
  // Every registered layer starts with values its rule accepts.
  for (const engine::LayerType& type : engine::layerRegistry().types()) {
    std::vector<std::string> problems;
    EXPECT_TRUE(engine::layerRegistry().resolveParams(type, EditorModel::startingParams(type.name),
                                                      problems))
        << type.name << ": " << (problems.empty() ? "" : problems.front());
  }
}

}  // namespace
}  // namespace layerlab::ui
