/** Where `tessera doctor` reads what it judges: a token or a pasted message, from an argument or stdin. */

/** A token to judge, and whether it came as an argument (shell history holds it). */
export interface TokenInput {
  readonly value: string;
  readonly fromArgument: boolean;
}

const MAX_STDIN_BYTES = 64 * 1024;
// A pasted message may be a whole log: read at most this much of stdin and judge its start.
const MAX_MESSAGE_STDIN_BYTES = 1024 * 1024;

/**
 * The message `--error` judges: the argument itself, or (for "-") at most 1 MiB of stdin.
 *
 * @example
 * ```ts
 * const message = await readMessageInput('-'); // pasted into stdin
 * ```
 */
export async function readMessageInput(value: string): Promise<string> {
  if (value !== '-') return value;
  if (process.stdin.isTTY === true)
    process.stderr.write('Paste the error message, then press Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  let size = 0;
  // Beyond the cap the rest is drained, not kept: the writer of a long pipe gets no EPIPE.
  for await (const chunk of process.stdin) {
    if (size >= MAX_MESSAGE_STDIN_BYTES) continue;
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_MESSAGE_STDIN_BYTES).toString('utf8');
}

/**
 * The token to judge: an argument, an environment variable, or stdin (at most 64 KiB); undefined when
 * `--server` alone was given on a terminal (check the deployment).
 *
 * @example
 * ```ts
 * const token = await readTokenInput({ positional: '-', fromEnv: undefined, hasServer: false });
 * ```
 */
export async function readTokenInput(options: {
  positional: string | undefined;
  fromEnv: string | undefined;
  hasServer: boolean;
}): Promise<TokenInput | undefined> {
  const { positional, fromEnv, hasServer } = options;
  if (positional !== undefined && positional !== '-') {
    if (fromEnv !== undefined)
      throw new Error('give the token once: as an argument or with --token-env');
    return { value: positional, fromArgument: true };
  }
  if (fromEnv !== undefined) return { value: fromEnv, fromArgument: false };
  // Without a token on a terminal, --server means "check the deployment"; a pipe is always read.
  if (process.stdin.isTTY === true && positional !== '-' && hasServer) return undefined;
  if (process.stdin.isTTY === true)
    process.stderr.write('Paste the token, then press Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_STDIN_BYTES)
      throw new Error(`stdin holds more than ${MAX_STDIN_BYTES} bytes; that is no token`);
    chunks.push(buffer);
  }
  // One final newline is how echo, heredocs and files end a line: it is not part of the token.
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') {
    if (hasServer) return undefined;
    throw new Error('no token on stdin');
  }
  return { value: text, fromArgument: false };
}
