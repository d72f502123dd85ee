// The page MSAL's sign-in window returns to (/addin/auth-redirect.html): it hands the identity provider's answer to
// the window that opened it, which closes this one. Without it msal-browser 5 never sees the answer.
// Imports only @azure/msal-browser's redirect bridge.
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

broadcastResponseToMainFrame().catch((error: unknown) => {
  const status = document.getElementById('status');
  if (status !== null) {
    const detail = error instanceof Error ? ` (${error.message})` : '';
    status.textContent = `Sign-in could not finish${detail}. Close this window and try again.`;
  }
});
