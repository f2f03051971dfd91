/**
 * The stylesheet of a renderer output, scoped by the `fglab-` class prefix. Colours come from
 * `var(--vscode-…)` with fallbacks, so the HTML parts follow the theme like the charts do.
 */
export const STYLE = `
.fglab-trace { position: relative; }
.fglab-trace, .fglab-error {
  font-family: var(--vscode-font-family, system-ui, sans-serif);
  font-size: var(--vscode-font-size, 13px);
  color: var(--vscode-editor-foreground, inherit);
  box-sizing: border-box;
  padding: 4px 0 8px;
}
.fglab-trace *, .fglab-error * { box-sizing: border-box; }
.fglab-header { font-weight: 600; margin: 0 0 6px; overflow-wrap: anywhere; }
.fglab-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; margin: 0 0 6px; }
.fglab-controls label { display: inline-flex; align-items: center; gap: 6px; }
.fglab-controls select {
  font: inherit;
  color: var(--vscode-dropdown-foreground, inherit);
  background: var(--vscode-dropdown-background, transparent);
  border: 1px solid var(--vscode-dropdown-border, var(--vscode-editorWidget-border, #8888));
  border-radius: 2px;
  padding: 1px 4px;
}
.fglab-controls select:focus { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: -1px; }
.fglab-readout { color: var(--vscode-descriptionForeground, inherit); font-variant-numeric: tabular-nums; min-height: 1.4em; }
.fglab-chart {
  position: relative;
  min-width: 0;
  border: 1px solid var(--vscode-editorWidget-border, #8884);
  border-radius: 3px;
  padding: 6px;
}
.fglab-chart canvas { display: block; }
.fglab-chart canvas:focus { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: -1px; }
.fglab-main .fglab-chart { margin-bottom: 8px; }
.fglab-canvas-box { position: relative; height: 290px; }
.fglab-main-chart .fglab-canvas-box { height: 330px; }
.fglab-overlay { position: absolute; left: 0; top: 0; pointer-events: none; }
.fglab-panel-tools { display: flex; justify-content: flex-end; gap: 4px; margin: -2px 0 2px; }
.fglab-button {
  font: inherit;
  font-size: 0.9em;
  color: var(--vscode-button-secondaryForeground, inherit);
  background: var(--vscode-button-secondaryBackground, transparent);
  border: 1px solid var(--vscode-button-border, var(--vscode-editorWidget-border, #8888));
  border-radius: 2px;
  padding: 1px 6px;
  cursor: pointer;
}
.fglab-button:hover { background: var(--vscode-button-secondaryHoverBackground, #8882); }
.fglab-button:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: 1px; }
.fglab-button[aria-pressed="true"] { background: var(--vscode-button-background, #0e639c); color: var(--vscode-button-foreground, #fff); }
.fglab-zoom, .fglab-export { display: inline-flex; gap: 4px; }
.fglab-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 8px; }
.fglab-status {
  position: absolute;
  right: 0;
  top: 0;
  z-index: 5;
  max-width: 60%;
  padding: 2px 8px;
  color: var(--vscode-notifications-foreground, var(--vscode-editor-foreground, inherit));
  background: var(--vscode-notifications-background, var(--vscode-editor-background, #fff));
  border: 1px solid var(--vscode-notifications-border, var(--vscode-editorWidget-border, #8888));
  border-radius: 3px;
}
.fglab-status:empty { display: none; }
.fglab-tooltip {
  position: absolute;
  z-index: 10;
  pointer-events: none;
  max-width: 340px;
  padding: 4px 8px;
  font-variant-numeric: tabular-nums;
  color: var(--vscode-editorHoverWidget-foreground, var(--vscode-editor-foreground, inherit));
  background: var(--vscode-editorHoverWidget-background, var(--vscode-editor-background, #fff));
  border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-editorWidget-border, #8888));
  border-radius: 3px;
  box-shadow: 0 2px 8px var(--vscode-widget-shadow, #0004);
}
.fglab-tooltip-title { font-weight: 600; }
.fglab-table-box { max-height: 420px; overflow: auto; }
.fglab-table-note { color: var(--vscode-descriptionForeground, inherit); margin: 4px 0; }
.fglab-note { color: var(--vscode-descriptionForeground, inherit); }
.fglab-variant { margin-top: 10px; }
.fglab-variant > label { display: inline-flex; align-items: center; gap: 6px; }
.fglab-variant select {
  font: inherit;
  color: var(--vscode-dropdown-foreground, inherit);
  background: var(--vscode-dropdown-background, transparent);
  border: 1px solid var(--vscode-dropdown-border, var(--vscode-editorWidget-border, #8888));
  border-radius: 2px;
  padding: 1px 4px;
}
.fglab-variant-views:not(:empty) { margin-top: 6px; padding-left: 10px; border-left: 2px solid var(--vscode-editorWidget-border, #8884); }
.fglab-table { margin: 6px 16px 6px 0; border-collapse: collapse; font-variant-numeric: tabular-nums; }
.fglab-table caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
.fglab-table th, .fglab-table td { padding: 1px 8px; text-align: right; border-bottom: 1px solid var(--vscode-editorWidget-border, #8884); }
.fglab-table th { font-weight: 600; }
.fglab-error {
  border-left: 3px solid var(--vscode-errorForeground, #f14c4c);
  padding: 6px 10px;
  background: var(--vscode-inputValidation-errorBackground, transparent);
}
.fglab-error-title { font-weight: 600; margin: 0 0 4px; }
.fglab-error-message { margin: 0; font-family: var(--vscode-editor-font-family, monospace); white-space: pre-wrap; overflow-wrap: anywhere; }
`;

/** A `<style>` element with the renderer's stylesheet (text only, never HTML). */
export function styleElement(): HTMLStyleElement {
  const style = document.createElement('style');
  style.textContent = STYLE;
  return style;
}
