/**
 * The live output of a training cell. The first report, and one every `rewriteEveryMs`, is
 * written into the cell (the progress JSON, drawn by the renderer as live curves, and a text
 * line); the reports between are sent to the renderer showing that output as messages, so the
 * chart moves a few times a second without VS Code re-rendering the output each time. Writes
 * that arrive while one is still being applied are merged into the next one, and `settle`
 * waits for the last, so the final output always replaces the progress.
 * No `vscode` import: the controller passes the writes and the messages in.
 */
import type { TrainingProgress } from '../shared/trace';
import { LIVE_TOKEN_KEY } from '../shared/renderer-protocol';
import { progressLine } from '../shared/training';

/** How often the progress is written into the cell; the messages go in between. */
export const REWRITE_EVERY_MS = 5000;

/** The progress output as written into the cell: the payload (with the live token) and its text line. */
export interface ProgressOutput {
  json: TrainingProgress & { [LIVE_TOKEN_KEY]: string };
  line: string;
}

export interface LiveProgressIo {
  /** Replaces the cell's output with the progress. */
  write(output: ProgressOutput): Thenable<void> | Promise<void>;
  /** Sends a report to the renderers that may show the output with this token. */
  send(token: string, progress: TrainingProgress): void;
  now(): number;
}

export class LiveProgress {
  private applying: Promise<void> = Promise.resolve();
  private busy = false;
  private latest: TrainingProgress | undefined;
  private lastWrite = -Infinity;
  private settled = false;
  /** Writes and messages so far (for the tests and the log). */
  readonly counts = { writes: 0, messages: 0 };

  constructor(
    private readonly token: string,
    private readonly io: LiveProgressIo,
    private readonly rewriteEveryMs = REWRITE_EVERY_MS,
  ) {}

  show(progress: TrainingProgress): void {
    if (this.settled) return;
    if (this.lastWrite > -Infinity && this.io.now() - this.lastWrite < this.rewriteEveryMs) {
      this.counts.messages++;
      this.io.send(this.token, progress);
      return;
    }
    this.lastWrite = this.io.now();
    this.latest = progress;
    if (this.busy) return;
    this.busy = true;
    this.applying = this.applying.then(async () => {
      while (this.latest) {
        const p = this.latest;
        this.latest = undefined;
        this.counts.writes++;
        await this.io.write({ json: { ...p, [LIVE_TOKEN_KEY]: this.token }, line: progressLine(p) });
      }
      this.busy = false;
    }, () => undefined);
  }

  /** Resolves once no write is pending; later reports are dropped. */
  async settle(): Promise<void> {
    this.settled = true;
    this.latest = undefined;
    await this.applying.catch(() => undefined);
  }
}
