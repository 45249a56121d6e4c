#include "ui/help_dialog.h"

#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace layerlab::ui {
namespace {

QString gettingStarted() {
  return HelpDialog::tr(
      "<h3>Your first run in four steps</h3>"
      "<ol>"
      "<li><b>Data</b> (Ctrl+1): open a CSV table, an MNIST-style IDX file or a folder of "
      "images sorted into one sub-folder per class, or keep the Fashion-MNIST demo. Check the "
      "preview, the label column, the split and the normalisation.</li>"
      "<li><b>Model</b> (Ctrl+2): start from a template (Templates\u2026) or a blank model "
      "(New), drag layers from the palette and connect them top to bottom. Each card shows its "
      "output shape and parameters; a red card says what is wrong and how to mend it, and the "
      "line above the canvas says whether the model fits the chosen data.</li>"
      "<li><b>Train</b> (Ctrl+3): pick the optimiser, learning rate, batch size and epochs (the "
      "defaults suit the data's size), then Start. Watch the loss and accuracy live; Pause, "
      "Resume and Stop at any time. Every epoch is stored as it ends.</li>"
      "<li><b>Runs</b> (Ctrl+4): every run kept in the store. Filter them (<tt>lr&lt;0.01</tt>, "
      "<tt>tag:baseline</tt>), compare several side by side, re-run or resume one, export it to "
      "ONNX or try it on samples.</li>"
      "<li><b>Experiments</b> (Ctrl+5): search for good settings. New Experiment takes this "
      "model, data and training, and a table of settings to vary (<tt>lr</tt>, "
      "<tt>fc1.units</tt>, \u2026); trials run side by side and the best one is marked.</li>"
      "</ol>"
      "<p>Everything here can also be done from a terminal with <tt>layerlab-cli</tt>, into the "
      "same store: <tt>layerlab-cli --help</tt>.</p>");
}

QString shortcuts() {
  return HelpDialog::tr(
      "<h3>Keyboard shortcuts</h3>"
      "<table cellspacing='6'>"
      "<tr><td>Ctrl+1 \u2026 Ctrl+5</td><td>Data, Model, Train, Runs, Experiments</td></tr>"
      "<tr><td>Ctrl+Shift+O</td><td>Open data</td></tr>"
      "<tr><td>Ctrl+O</td><td>Open a store of runs</td></tr>"
      "<tr><td>Ctrl+S</td><td>Save the model</td></tr>"
      "<tr><td>Ctrl+Z, Ctrl+Shift+Z</td><td>Undo, redo an edit of the model</td></tr>"
      "<tr><td>Ctrl+X, Ctrl+C, Ctrl+V, Ctrl+D</td><td>Cut, copy, paste, duplicate layers</td></tr>"
      "<tr><td>Delete</td><td>Delete the selected layers or connections</td></tr>"
      "<tr><td>Ctrl++, Ctrl+\u2212, mouse wheel</td><td>Zoom the model</td></tr>"
      "</table>");
}

}  // namespace

HelpDialog::HelpDialog(HelpPage page, QWidget* parent) : QDialog(parent) {
  setObjectName(page == HelpPage::GettingStarted ? QStringLiteral("gettingStarted")
                                                 : QStringLiteral("shortcuts"));
  setWindowTitle(page == HelpPage::GettingStarted ? tr("Getting Started")
                                                  : tr("Keyboard Shortcuts"));
  m_text = page == HelpPage::GettingStarted ? gettingStarted() : shortcuts();
  auto* browser = new QTextBrowser(this);
  browser->setHtml(m_text);
  browser->setOpenExternalLinks(false);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(browser, 1);
  layout->addWidget(buttons);
  resize(560, page == HelpPage::GettingStarted ? 440 : 340);
}

}  // namespace layerlab::ui
