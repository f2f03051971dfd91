/** Identifiers shared by the manifest, the extension host, the worker, the renderer and the CLI. */

/** Notebook type of `*.fglab` files (package.json `contributes.notebooks`). */
export const NOTEBOOK_TYPE = 'fglab';
/** Jupyter's notebook type; the lab's controller serves it too. */
export const JUPYTER_NOTEBOOK_TYPE = 'jupyter-notebook';
/** Language id of spec cells (YAML lab specs). */
export const SPEC_LANGUAGE = 'fglab';
/** Controller id. */
export const CONTROLLER_ID = 'fglab.kernel';
/** Renderer id (package.json `contributes.notebookRenderer`). */
export const RENDERER_ID = 'fglab.charts';
/** Cell output MIME type of a trace: JSON whose tensors are base64 little-endian float32. */
export const TRACE_MIME = 'application/vnd.fglab.trace+json';
/** Cell output MIME type of a training in progress (`TrainingProgress` as JSON), replaced by the trace when it ends. */
export const TRAINING_PROGRESS_MIME = 'application/vnd.fglab.training-progress+json';
/** Readable fallback shown where the renderer is absent (GitHub, Jupyter). */
export const MARKDOWN_MIME = 'text/markdown';

/** Command ids (`fglab.verbNoun`). */
export const COMMAND = {
  newNotebook: 'fglab.newNotebook',
  openSample: 'fglab.openSample',
  insertCellTemplate: 'fglab.insertCellTemplate',
  traceModel: 'fglab.traceModel',
  exportOutput: 'fglab.exportOutput',
  interruptKernel: 'fglab.interruptKernel',
  restartKernel: 'fglab.restartKernel',
  showTraceTable: 'fglab.showTraceTable',
  /** The status bar item's menu: Restart Kernel, Interrupt. */
  showKernelActions: 'fglab.showKernelActions',
} as const;

/** Walkthrough id (package.json `contributes.walkthroughs`); VS Code names it `<publisher>.<name>#<id>`. */
export const WALKTHROUGH_ID = 'fglab.gettingStarted';
/** URI scheme of the read-only trace tables. */
export const TRACE_TABLE_SCHEME = 'fglab-table';
