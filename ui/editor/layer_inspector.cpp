#include "ui/editor/layer_inspector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"

namespace layerlab::ui {
namespace {

// The JSON text a parameter field shows.
QString fieldText(const nlohmann::json& value) {
  if (value.is_null()) return QString();
  if (value.is_string()) return QString::fromStdString(value.get<std::string>());
  return QString::fromStdString(value.dump());
}

// A typed value: empty text is the default (null), JSON when it parses, else a choice word.
nlohmann::json parseField(const QString& text) {
  if (text.trimmed().isEmpty()) return nlohmann::json();
  nlohmann::json parsed = nlohmann::json::parse(text.toStdString(), nullptr, false);
  if (parsed.is_discarded()) parsed = text.trimmed().toStdString();
  return parsed;
}

}  // namespace

LayerInspector::LayerInspector(EditorModel& model, QUndoStack& undo, QWidget* parent)
    : QWidget(parent), m_model(model), m_undo(undo) {
  m_title = new QLabel(this);
  m_title->setWordWrap(true);
  QFont bold = m_title->font();
  bold.setBold(true);
  m_title->setFont(bold);
  m_form = new QFormLayout();
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_title);
  layout->addLayout(m_form);
  layout->addStretch(1);
}

void LayerInspector::showSelection(const std::vector<std::string>& selected) {
  while (m_form->rowCount() > 0)
    m_form->removeRow(0);
  if (selected.size() != 1) {
    m_title->setText(selected.empty() ? tr("Select a layer to see its parameters.")
                                      : tr("%1 layers selected").arg(selected.size()));
    return;
  }
  const std::string& id = selected.front();
  const engine::NodeSpec* node = m_model.node(id);
  if (node == nullptr) return;
  const engine::LayerType* type = engine::layerRegistry().find(node->type);
  m_title->setText(QStringLiteral("%1 · %2").arg(QString::fromStdString(node->type),
                                                 QString::fromStdString(id)));
  if (type == nullptr) return;
  for (const engine::ParamSpec& param : type->params) {
    const auto current = node->params.find(param.name);
    const nlohmann::json value = current == node->params.end() ? nlohmann::json() : *current;
    QWidget* field = param.kind == engine::ParamKind::Bool     ? boolField(id, param, value)
                     : param.kind == engine::ParamKind::Choice ? choiceField(id, param, value)
                                                               : textField(id, *type, param, value);
    field->setToolTip(QString::fromStdString(param.description));
    m_form->addRow(QString::fromStdString(param.name), field);
  }
  m_form->addRow(QString(), outputField(id));
}

QWidget* LayerInspector::boolField(const std::string& id, const engine::ParamSpec& param,
                                   const nlohmann::json& value) {
  auto* box = new QCheckBox(this);
  box->setChecked(value.is_boolean()
                      ? value.get<bool>()
                      : param.defaultValue.is_boolean() && param.defaultValue.get<bool>());
  connect(box, &QCheckBox::toggled, this, [this, id, name = param.name](bool on) {
    m_undo.push(new SetParamCommand(m_model, id, name, on));
  });
  return box;
}

QWidget* LayerInspector::choiceField(const std::string& id, const engine::ParamSpec& param,
                                     const nlohmann::json& value) {
  auto* combo = new QComboBox(this);
  for (const std::string& choice : param.choices)
    combo->addItem(QString::fromStdString(choice));
  combo->setCurrentText(fieldText(value.is_null() ? param.defaultValue : value));
  connect(combo, &QComboBox::activated, this, [this, id, name = param.name, combo] {
    m_undo.push(new SetParamCommand(m_model, id, name, combo->currentText().toStdString()));
  });
  return combo;
}

// Numbers, lists and int-or-choice values as text, checked against the registry as typed.
QWidget* LayerInspector::textField(const std::string& id, const engine::LayerType& type,
                                   const engine::ParamSpec& param, const nlohmann::json& value) {
  auto* edit = new QLineEdit(fieldText(value), this);
  edit->setObjectName(QStringLiteral("param_") + QString::fromStdString(param.name));
  edit->setPlaceholderText(param.defaultValue.is_null() ? tr("required")
                                                        : fieldText(param.defaultValue));
  auto valid = [this, id, &type, name = param.name](const nlohmann::json& candidate) {
    const engine::NodeSpec* node = m_model.node(id);
    if (node == nullptr) return false;
    nlohmann::json params = node->params;
    if (candidate.is_null()) {
      params.erase(name);
    } else {
      params[name] = candidate;
    }
    std::vector<std::string> problems;
    return engine::layerRegistry().resolveParams(type, params, problems).has_value();
  };
  connect(edit, &QLineEdit::textEdited, this, [edit, valid](const QString& text) {
    edit->setStyleSheet(valid(parseField(text)) ? QString()
                                                : QStringLiteral("QLineEdit { color: #c0392b; }"));
  });
  connect(edit, &QLineEdit::editingFinished, this, [this, edit, id, name = param.name, valid] {
    const nlohmann::json candidate = parseField(edit->text());
    if (!valid(candidate)) return;  // marked red, not applied
    const engine::NodeSpec* now = m_model.node(id);
    if (now == nullptr) return;
    const auto before = now->params.find(name);
    if (before != now->params.end() ? *before == candidate : candidate.is_null()) return;
    m_undo.push(new SetParamCommand(m_model, id, name, candidate));
  });
  return edit;
}

QWidget* LayerInspector::outputField(const std::string& id) {
  auto* output = new QCheckBox(tr("An output of the model"), this);
  const std::vector<std::string> outputs = m_model.spec().outputs;
  output->setChecked(std::find(outputs.begin(), outputs.end(), id) != outputs.end());
  connect(output, &QCheckBox::toggled, this, [this, id](bool on) {
    std::vector<std::string> next = m_model.spec().outputs;
    next.erase(std::remove(next.begin(), next.end(), id), next.end());
    if (on) next.push_back(id);
    m_undo.push(new SetOutputsCommand(m_model, next));
  });
  return output;
}

}  // namespace layerlab::ui
