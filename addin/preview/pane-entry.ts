// The entry of preview-pane.html: the emulated Office first, then the real task pane (addin/taskpane/index.tsx),
// unchanged. Module order is evaluation order, so the pane sees `Office` when it starts.
import './install-office';
import '../taskpane/index';
