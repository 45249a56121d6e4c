// Copy, paste and duplicate for the layer graph editor. Copied nodes travel as JSON (their type,
// parameters, connections among themselves and positions) under their own MIME type, with the
// same JSON as plain text so a selection can be pasted into a message or a file and back.
//
// Pasting gives every node a fresh id and keeps the connections inside the copied group. A
// connection from the model's input is kept; one from a node outside the group is kept only by
// Duplicate (the same document), never by Paste, which may be into another model.
//
// Threads: GUI thread only.
#pragma once

#include <QPointF>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

class QMimeData;
class QUndoStack;

namespace layerlab::ui {

class EditorModel;

inline constexpr const char* kNodesMimeType = "application/x-layerlab-nodes";

// The nodes `ids` (in document order) as {"layerlab_nodes": [{id, type, inputs, params,
// position}, …]}.
nlohmann::json copyNodes(const EditorModel& model, const std::vector<std::string>& ids);

// The clipboard content for `copied`, and the copied nodes read back from a clipboard (null when
// it holds none).
QMimeData* nodesMimeData(const nlohmann::json& copied);
nlohmann::json nodesFromMimeData(const QMimeData* mime);

// Adds the copied nodes as one undo step, moved by `offset`. Returns the new ids.
std::vector<std::string> pasteNodes(EditorModel& model, QUndoStack& undo,
                                    const nlohmann::json& copied, QPointF offset,
                                    bool keepOutsideInputs);

}  // namespace layerlab::ui
