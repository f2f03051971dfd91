/**
 * Saving from the renderer. With renderer messaging (the extension host is there), a view's
 * PNG or CSV and the whole output's JSON or `.npy` go to the host, which asks where to save
 * them; without it (messaging is optional: a notebook viewed elsewhere), PNG and CSV fall back
 * to a download link and the output exports are hidden.
 */
import {
  RENDERER_PROTOCOL_VERSION,
  assertNever,
  isHostReply,
  isSettingsMessage,
  isTrainingProgressMessage,
  isWantImageMessage,
  type HostReply,
  type OutputImageMessage,
  type OutputFormat,
  type RendererRequest,
  type SettingsMessage,
  type TrainingProgressMessage,
  type ViewFormat,
} from '../shared/renderer-protocol';

/** How long a request waits for the host before giving up. */
export const REPLY_TIMEOUT_MS = 5 * 60_000;

/** Sends requests to the extension host and resolves them with its replies. */
export interface HostMessenger {
  request(message: RendererRequest): Promise<HostReply>;
  /** Sends a message that has no reply (an output's picture). */
  notify(message: OutputImageMessage): void;
}

/** The messaging half of a renderer context (both optional: VS Code sets them only with messaging). */
export interface MessagingContext {
  postMessage?(message: unknown): void;
  onDidReceiveMessage?(listener: (message: unknown) => void): { dispose(): void };
}

/**
 * A messenger over the context's messaging, or undefined when the renderer has none. It tells
 * the host the renderer is ready, passes the host's `settings` to `onSettings` and the tokens
 * of the outputs whose picture the host wants to `onWantImage`.
 */
export function hostMessenger(
  context: MessagingContext,
  onSettings: (settings: SettingsMessage) => void = () => {},
  onWantImage: (token: string) => void = () => {},
  onTrainingProgress: (message: TrainingProgressMessage) => void = () => {},
): (HostMessenger & { dispose(): void }) | undefined {
  const post = context.postMessage?.bind(context);
  if (!post || !context.onDidReceiveMessage) return undefined;
  const pending = new Map<string, (reply: HostReply) => void>();
  const subscription = context.onDidReceiveMessage((message) => {
    if (isSettingsMessage(message)) {
      onSettings(message);
      return;
    }
    if (isWantImageMessage(message)) {
      onWantImage(message.token);
      return;
    }
    if (isTrainingProgressMessage(message)) {
      onTrainingProgress(message);
      return;
    }
    if (!isHostReply(message)) return;
    const resolve = pending.get(message.requestId);
    pending.delete(message.requestId);
    resolve?.(message);
  });
  try {
    post({ type: 'ready', protocol: RENDERER_PROTOCOL_VERSION });
  } catch {
    // Without a host to tell, the charts keep their defaults.
  }
  return {
    request(message) {
      return new Promise<HostReply>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(message.requestId);
          resolve({ type: 'failed', requestId: message.requestId, message: 'the extension host did not answer' });
        }, REPLY_TIMEOUT_MS);
        pending.set(message.requestId, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
        try {
          post(message);
        } catch (error) {
          pending.delete(message.requestId);
          clearTimeout(timer);
          resolve({ type: 'failed', requestId: message.requestId, message: (error as Error).message });
        }
      });
    },
    notify(message) {
      try {
        post(message);
      } catch {
        // The host went away: the output keeps no picture, as without messaging.
      }
    },
    dispose() {
      subscription.dispose();
      pending.clear();
    },
  };
}

/** Saves views and outputs of one rendered output; resolves with a status line for the user. */
export interface Exporter {
  /** Whether the whole output can be exported (only through the host). */
  readonly canExportOutput: boolean;
  /** `data`: a `data:image/png;base64,` URL for PNG, the text for CSV. */
  saveView(format: ViewFormat, name: string, data: string): Promise<string>;
  exportOutput(format: OutputFormat, name: string): Promise<string>;
}

let requests = 0;

function describe(reply: HostReply, what: string): string {
  switch (reply.type) {
    case 'saved':
      return `Saved ${what} to ${reply.path}`;
    case 'cancelled':
      return `Saving ${what} was cancelled.`;
    case 'failed':
      return `Could not save ${what}: ${reply.message}`;
    default:
      return assertNever(reply);
  }
}

/** Offers `data` as a download through a temporary link (the fallback without messaging). */
function download(name: string, href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
}

/** An exporter for one output: through `messenger` when there is one, else by download. `payload` gives the output's JSON text. */
export function createExporter(messenger: HostMessenger | undefined, payload: () => string): Exporter {
  const id = () => `fglab-${Date.now().toString(36)}-${++requests}`;
  return {
    canExportOutput: messenger !== undefined,
    async saveView(format, name, data) {
      if (!messenger) {
        const href = format === 'png' ? data : URL.createObjectURL(new Blob([data], { type: 'text/csv' }));
        download(name, href);
        if (format === 'csv') setTimeout(() => URL.revokeObjectURL(href), 60_000);
        return `Downloading ${name}`;
      }
      const body = format === 'png' ? data.slice(data.indexOf(',') + 1) : data;
      const reply = await messenger.request({ type: 'saveView', protocol: RENDERER_PROTOCOL_VERSION, requestId: id(), format, suggestedName: name, data: body });
      return describe(reply, name);
    },
    async exportOutput(format, name) {
      if (!messenger) return 'Exporting the trace needs the Forget Gate Lab extension.';
      const reply = await messenger.request({ type: 'exportOutput', protocol: RENDERER_PROTOCOL_VERSION, requestId: id(), format, suggestedName: name, payload: payload() });
      return describe(reply, name);
    },
  };
}
