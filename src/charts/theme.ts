/**
 * The colours and font charts are drawn with. The renderer reads them from VS Code's
 * `--vscode-*` CSS variables; the CLI passes a fixed palette. Chart builders take a theme as
 * an argument and never look it up themselves.
 */

export interface ChartTheme {
  /** Text and axis labels (`--vscode-editor-foreground`). */
  foreground: string;
  /** Secondary text: subtitles, notes (`--vscode-descriptionForeground`). */
  muted: string;
  /** Grid lines and borders (`--vscode-editorWidget-border`). */
  grid: string;
  /** Background behind the charts (`--vscode-editor-background`); used by exports. */
  background: string;
  /** Series colours, first the main one (`--vscode-charts-blue`, `-orange`, `-green`, `-purple`, `-red`). */
  blue: string;
  orange: string;
  green: string;
  purple: string;
  red: string;
  /** CSS font family (`--vscode-font-family`). */
  fontFamily: string;
  /** Font size in CSS pixels. */
  fontSize: number;
}

/** VS Code's Dark Modern colours: the fallback where a variable is missing on a dark page. */
export const DARK_THEME: Readonly<ChartTheme> = {
  foreground: '#cccccc',
  muted: '#9d9d9d',
  grid: '#454545',
  background: '#1f1f1f',
  blue: '#3794ff',
  orange: '#d18616',
  green: '#89d185',
  purple: '#b180d7',
  red: '#f14c4c',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
  fontSize: 12,
};

/** VS Code's Light Modern colours: the fallback on a light page (and the default). */
export const LIGHT_THEME: Readonly<ChartTheme> = {
  foreground: '#3b3b3b',
  muted: '#717171',
  grid: '#c8c8c8',
  background: '#ffffff',
  blue: '#1a85ff',
  orange: '#d18616',
  green: '#388a34',
  purple: '#652d90',
  red: '#e51400',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
  fontSize: 12,
};

/**
 * `css` with opacity `alpha` as `rgba(…)`, for `#rgb`, `#rrggbb`, `#rrggbbaa` and `rgb()`/`rgba()`
 * colours (an existing alpha is multiplied). Other forms (names, `hsl()`) come back unchanged.
 */
export function withAlpha(css: string, alpha: number): string {
  const s = css.trim();
  let r: number, g: number, b: number, a = 1;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(s);
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(s);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    r = parseInt(h.slice(0, 2), 16);
    g = parseInt(h.slice(2, 4), 16);
    b = parseInt(h.slice(4, 6), 16);
    if (h.length === 8) a = parseInt(h.slice(6, 8), 16) / 255;
  } else if (fn) {
    [r, g, b] = [Number(fn[1]), Number(fn[2]), Number(fn[3])];
    if (fn[4] !== undefined) a = fn[4].endsWith('%') ? Number(fn[4].slice(0, -1)) / 100 : Number(fn[4]);
  } else {
    return css;
  }
  const out = Math.round(a * alpha * 1000) / 1000;
  return `rgba(${r}, ${g}, ${b}, ${out})`;
}

/**
 * Colours for series that are told apart by colour alone (gates, heads, variants): the theme's
 * chart colours, then Okabe & Ito's colour-blind-safe sky blue, bluish green, reddish purple
 * and vermillion.
 */
export function seriesPalette(theme: ChartTheme): string[] {
  return [theme.blue, theme.orange, theme.green, theme.purple, theme.red, '#56b4e9', '#009e73', '#cc79a7', '#d55e00'];
}
