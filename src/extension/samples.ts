/** The shipped samples (`media/samples/*.fglab`): listed with their titles, opened as untitled copies. */
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../shared/ids';
import { parseNotebook } from '../shared/notebook-file';
import { sampleInfo, type SampleInfo } from './sample-info';
import { toNotebookData } from './serializer';

/** Folder of the samples inside the extension. */
export const SAMPLES_DIR = ['media', 'samples'];

export interface Sample extends SampleInfo {
  uri: vscode.Uri;
  fileName: string;
}

/** The samples, sorted by file name; a sample that does not parse is left out (and logged). */
export async function listSamples(extensionUri: vscode.Uri, log: (m: string) => void): Promise<Sample[]> {
  const dir = vscode.Uri.joinPath(extensionUri, ...SAMPLES_DIR);
  const entries = await vscode.workspace.fs.readDirectory(dir);
  const samples: Sample[] = [];
  for (const [fileName, type] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    if (!(type & vscode.FileType.File) || !fileName.endsWith('.fglab')) continue;
    const uri = vscode.Uri.joinPath(dir, fileName);
    try {
      samples.push({ ...sampleInfo(parseNotebook(await vscode.workspace.fs.readFile(uri)), fileName), uri, fileName });
    } catch (e) {
      log(`sample ${fileName} skipped: ${(e as Error).message}`);
    }
  }
  return samples;
}

/**
 * Opens a sample as an untitled notebook: running and saving never touch the installed
 * extension. Saved outputs are kept, so the charts show before anything runs.
 */
export async function openSampleCopy(sample: Sample): Promise<vscode.NotebookDocument> {
  const data = toNotebookData(parseNotebook(await vscode.workspace.fs.readFile(sample.uri)));
  const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  await vscode.window.showNotebookDocument(notebook);
  return notebook;
}
