// First module of the pane's frame on the preview page: takes the emulated Office.js the preview page published and
// makes it this window's `Office` global, before the pane's own code runs. Imports ./emulated-office's key only.
import { sharedOfficeKey } from './emulated-office';

function publishedOffice(): unknown {
  try {
    return window.parent === window ? undefined : (window.parent as unknown as Record<string, unknown>)[sharedOfficeKey];
  } catch {
    // Another origin's parent: no emulated Office to take.
    return undefined;
  }
}

const office = publishedOffice();
// Without it the pane starts as it would without office.js and says so.
if (office !== undefined) (window as unknown as Record<string, unknown>)['Office'] = office;
