#include "ui/editor/graph_layout.h"

#include <algorithm>
#include <vector>

namespace layerlab::ui {

std::map<std::string, QPointF> layeredLayout(const engine::ModelSpec& spec) {
  // Column: the longest path from the input, found by relaxing in rounds (at most one per node,
  // so a cycle cannot loop forever).
  std::map<std::string, int> column{{engine::kInputName, 0}};
  for (const engine::NodeSpec& node : spec.nodes)
    column[node.id] = 1;
  for (size_t round = 0; round < spec.nodes.size(); ++round) {
    bool moved = false;
    for (const engine::NodeSpec& node : spec.nodes) {
      for (const std::string& input : node.inputs) {
        const auto found = column.find(input);
        if (found != column.end() && found->second + 1 > column[node.id]) {
          column[node.id] = found->second + 1;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  int columns = 0;
  for (const auto& [id, c] : column)
    columns = std::max(columns, c);

  // Rows: in each column, by the mean row of the inputs (document order breaks ties).
  std::map<std::string, double> row{{engine::kInputName, 0.0}};
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < spec.nodes.size(); ++i)
    order[spec.nodes[i].id] = i;
  for (int c = 1; c <= columns; ++c) {
    std::vector<const engine::NodeSpec*> members;
    for (const engine::NodeSpec& node : spec.nodes) {
      if (column[node.id] == c) members.push_back(&node);
    }
    std::map<std::string, double> wish;
    for (const engine::NodeSpec* node : members) {
      double sum = 0;
      int known = 0;
      for (const std::string& input : node->inputs) {
        if (const auto found = row.find(input); found != row.end()) {
          sum += found->second;
          ++known;
        }
      }
      wish[node->id] = known > 0 ? sum / known : 0.0;
    }
    std::stable_sort(members.begin(), members.end(),
                     [&](const engine::NodeSpec* a, const engine::NodeSpec* b) {
                       if (wish[a->id] != wish[b->id]) return wish[a->id] < wish[b->id];
                       return order[a->id] < order[b->id];
                     });
    // From the first member's wished row down, one row apart.
    const double first = members.empty() ? 0.0 : wish[members.front()->id];
    for (size_t i = 0; i < members.size(); ++i)
      row[members[i]->id] = first + static_cast<double>(i);
  }
  std::map<std::string, QPointF> positions;
  for (const auto& [id, c] : column)
    positions[id] = QPointF(c * kLayoutColumnWidth, row[id] * kLayoutRowHeight);
  return positions;
}

}  // namespace layerlab::ui
