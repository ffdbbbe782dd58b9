/**
 * Reading the commands' input files and writing their outputs: JSON in, private outputs written
 * owner-only (0600) and never over an existing file unless asked to.
 *
 * @packageDocumentation
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { CliError } from './errors.js';

/** Largest input file read (a report is limited to 2 MiB by default; this leaves room). */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * The parsed JSON of `file`.
 *
 * @param what - what the file is, for messages (`the report`)
 * @throws CliError `FILE_INVALID` when it cannot be read, is too large or is not JSON
 */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength > MAX_INPUT_BYTES)
      throw new CliError('FILE_INVALID', `${what} ${file} is larger than ${MAX_INPUT_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('FILE_INVALID', `${what} ${file} cannot be read (${codeOf(err)})`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CliError('FILE_INVALID', `${what} ${file} is not JSON`, { cause });
  }
}

/**
 * Writes `text` to `file`, readable by its owner only (0600).
 *
 * @param options - `force` replaces an existing file
 * @throws CliError `FILE_EXISTS` when the file exists and `force` is not set; `FILE_INVALID` when it
 *   cannot be written
 */
export async function writePrivateFile(
  file: string,
  text: string,
  options: { readonly force?: boolean } = {},
): Promise<void> {
  try {
    // Replacing means removing first: a file is only ever created, so `mode` always applies and the
    // text never lands in a file others could read.
    if (options.force === true) await rm(file, { force: true });
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if (codeOf(err) === 'EEXIST')
      throw new CliError('FILE_EXISTS', `${file} exists already`, {
        cause: err,
        hint: 'choose another file, or pass --force to replace it',
      });
    throw new CliError('FILE_INVALID', `${file} cannot be written (${codeOf(err)})`, { cause: err });
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
