// The Office theme: whether the host shows a dark body background, read from Office.context.officeTheme
// (Outlook: Mailbox 1.14+). Touches only the global `Office`; null when Office does not say.
// https://learn.microsoft.com/javascript/api/office/office.officetheme

/** Relative luminance of a `#rrggbb` colour, 0 (black) to 1 (white); null for anything else. */
function luminance(colour: string): number | null {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour.trim());
  if (match === null) return null;
  const [r, g, b] = [match[1], match[2], match[3]].map((hex) => parseInt(hex ?? '0', 16) / 255);
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

export function officeThemeKind(): 'light' | 'dark' | null {
  try {
    if (typeof Office === 'undefined') return null;
    const theme = (Office.context as Office.Context | undefined)?.officeTheme;
    const background = theme?.bodyBackgroundColor;
    if (typeof background !== 'string') return null;
    const l = luminance(background);
    if (l === null) return null;
    return l < 0.5 ? 'dark' : 'light';
  } catch {
    // Hosts without the theme API throw on access.
    return null;
  }
}
