#include "ui/editor/graph_layout.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace layerlab::ui {
namespace {

// Rank: the longest path from the input, found by relaxing in rounds (at most one per node, so a
// cycle cannot loop forever).
std::map<std::string, int> ranks(const engine::ModelSpec& spec) {
  std::map<std::string, int> rank{{engine::kInputName, 0}};
  for (const engine::NodeSpec& node : spec.nodes)
    rank[node.id] = 1;
  for (size_t round = 0; round < spec.nodes.size(); ++round) {
    bool moved = false;
    for (const engine::NodeSpec& node : spec.nodes) {
      for (const std::string& input : node.inputs) {
        const auto found = rank.find(input);
        if (found != rank.end() && found->second + 1 > rank[node.id]) {
          rank[node.id] = found->second + 1;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  return rank;
}

// Slot in its rank: by the mean slot of the inputs (document order breaks ties), one apart from
// the first member's wished slot on.
std::map<std::string, double> slots(const engine::ModelSpec& spec,
                                    const std::map<std::string, int>& rank, int ranks) {
  std::map<std::string, double> slot{{engine::kInputName, 0.0}};
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < spec.nodes.size(); ++i)
    order[spec.nodes[i].id] = i;
  for (int r = 1; r <= ranks; ++r) {
    std::vector<const engine::NodeSpec*> members;
    for (const engine::NodeSpec& node : spec.nodes) {
      if (rank.at(node.id) == r) members.push_back(&node);
    }
    std::map<std::string, double> wish;
    for (const engine::NodeSpec* node : members) {
      double sum = 0;
      int known = 0;
      for (const std::string& input : node->inputs) {
        if (const auto found = slot.find(input); found != slot.end()) {
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
    const double first = members.empty() ? 0.0 : wish[members.front()->id];
    for (size_t i = 0; i < members.size(); ++i)
      slot[members[i]->id] = first + static_cast<double>(i);
  }
  return slot;
}

// How many ranks go in one fold: none for a short chain, else the folding whose drawing needs the
// least shrinking to fit a view of kLayoutAspect.
int ranksPerFold(int ranks, double foldWidth) {
  // A short chain reads best straight down: it is folded only when it would not fit a canvas's
  // height at 100%.
  if (ranks * kLayoutRowHeight <= kLayoutUnfoldedHeight) return ranks;
  int best = ranks;
  double bestScale = 0;
  for (int folds = 1; folds <= ranks; ++folds) {
    const int perFold = (ranks + folds - 1) / folds;
    const double width = folds * foldWidth + (folds - 1) * kLayoutFoldGap;
    const double height = perFold * kLayoutRowHeight;
    const double scale = std::min(kLayoutAspect / width, 1.0 / height);
    if (scale > bestScale + 1e-12) {
      bestScale = scale;
      best = perFold;
    }
  }
  return best;
}

}  // namespace

std::map<std::string, QPointF> layeredLayout(const engine::ModelSpec& spec) {
  const std::map<std::string, int> rank = ranks(spec);
  int lastRank = 0;
  for (const auto& [id, r] : rank)
    lastRank = std::max(lastRank, r);
  const std::map<std::string, double> slot = slots(spec, rank, lastRank);
  double lowest = 0, highest = 0;
  for (const auto& [id, s] : slot) {
    lowest = std::min(lowest, s);
    highest = std::max(highest, s);
  }
  const double foldWidth = (highest - lowest + 1) * kLayoutColumnWidth;
  const int perFold = ranksPerFold(lastRank + 1, foldWidth);
  std::map<std::string, QPointF> positions;
  for (const auto& [id, r] : rank) {
    const int fold = r / perFold;
    positions[id] =
        QPointF(fold * (foldWidth + kLayoutFoldGap) + (slot.at(id) - lowest) * kLayoutColumnWidth,
                (r % perFold) * kLayoutRowHeight);
  }
  return positions;
}

}  // namespace layerlab::ui
