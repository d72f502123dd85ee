// The pane's Fluent themes: light (Office's default) is part of the first chunk; dark and high contrast load on
// demand (they are a tenth of the first chunk otherwise). `loadTheme` loads one before the pane renders with it;
// `useTheme` answers a theme at once (light while another one loads, then the one asked for). Imports React, Fluent.
import { useEffect, useState } from 'react';
import { webLightTheme, type Theme } from '@fluentui/react-components';

export type ThemeKind = 'light' | 'dark' | 'contrast';

const loaded = new Map<ThemeKind, Theme>([['light', webLightTheme]]);

export async function loadTheme(kind: ThemeKind): Promise<Theme> {
  const known = loaded.get(kind);
  if (known !== undefined) return known;
  // `as string`: TypeScript (nodenext) would resolve the specifier by ESM rules; webpack resolves it as written.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const other = (await import('./themes-other' as string)) as typeof import('./themes-other');
  loaded.set('dark', other.darkTheme);
  loaded.set('contrast', other.contrastTheme);
  return other[kind === 'dark' ? 'darkTheme' : 'contrastTheme'];
}

export function useTheme(kind: ThemeKind): Theme {
  const [theme, setTheme] = useState<Theme>(() => loaded.get(kind) ?? webLightTheme);
  useEffect(() => {
    let current = true;
    const known = loaded.get(kind);
    if (known !== undefined) setTheme(known);
    else
      loadTheme(kind).then(
        (next) => {
          if (current) setTheme(next);
        },
        // A theme that cannot load (network) leaves the light one: the pane stays usable.
        () => undefined,
      );
    return () => {
      current = false;
    };
  }, [kind]);
  return theme;
}
