// The themes the pane loads on demand (./themes.ts): Office's dark theme and the high-contrast one. Imports Fluent.
export { webDarkTheme as darkTheme, teamsHighContrastTheme as contrastTheme } from '@fluentui/react-components';
