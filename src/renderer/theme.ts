/**
 * Reads the chart theme from VS Code's `--vscode-*` CSS variables, which the notebook webview
 * sets on its document and updates when the colour theme changes. Missing variables fall back
 * to VS Code's dark or light defaults, whichever the page looks like.
 */
import { DARK_THEME, LIGHT_THEME, type ChartTheme } from '../charts/theme';

/** The `--vscode-*` variable behind each theme colour. */
const VARIABLES: Record<Exclude<keyof ChartTheme, 'fontFamily' | 'fontSize'>, string> = {
  foreground: '--vscode-editor-foreground',
  muted: '--vscode-descriptionForeground',
  grid: '--vscode-editorWidget-border',
  background: '--vscode-editor-background',
  blue: '--vscode-charts-blue',
  orange: '--vscode-charts-orange',
  green: '--vscode-charts-green',
  purple: '--vscode-charts-purple',
  red: '--vscode-charts-red',
};

/** Relative luminance (0 black … 1 white) of a `#rgb`/`#rrggbb`/`rgb()` colour; NaN if unreadable. */
function luminance(css: string): number {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})/i.exec(css.trim());
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(css.trim());
  let rgb: number[];
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else if (fn) {
    rgb = [fn[1], fn[2], fn[3]].map(Number);
  } else {
    return NaN;
  }
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
}

/** Whether the page is dark: VS Code's body class, else the editor background, else the OS preference. */
function looksDark(style: CSSStyleDeclaration): boolean {
  const body = document.body?.classList;
  if (body?.contains('vscode-dark') || body?.contains('vscode-high-contrast')) return true;
  if (body?.contains('vscode-light') || body?.contains('vscode-high-contrast-light')) return false;
  const bg = luminance(style.getPropertyValue('--vscode-editor-background'));
  if (!Number.isNaN(bg)) return bg < 0.5;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

/** The theme as seen from `element` (CSS variables inherit, so any element of the output works). */
export function readTheme(element: Element): ChartTheme {
  const style = getComputedStyle(element);
  const fallback = looksDark(style) ? DARK_THEME : LIGHT_THEME;
  const theme: ChartTheme = { ...fallback };
  for (const [key, variable] of Object.entries(VARIABLES) as [keyof typeof VARIABLES, string][]) {
    const value = style.getPropertyValue(variable).trim();
    if (value) theme[key] = value;
  }
  const family = style.getPropertyValue('--vscode-font-family').trim();
  if (family) theme.fontFamily = family;
  const size = parseFloat(style.getPropertyValue('--vscode-font-size'));
  if (Number.isFinite(size) && size > 0) theme.fontSize = Math.min(16, Math.max(10, size - 1));
  return theme;
}

/** True when two themes would draw the same charts. */
export function sameTheme(a: ChartTheme, b: ChartTheme): boolean {
  return (Object.keys(a) as (keyof ChartTheme)[]).every((k) => a[k] === b[k]);
}
