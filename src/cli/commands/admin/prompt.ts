import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Piped stdin, read once to its end and handed out a line at a time. */
let pipedLines: Promise<string[]> | undefined;
let nextPipedLine = 0;

function readPipedLines(): Promise<string[]> {
  pipedLines ??= new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.once('end', () => {
      const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
      // A final newline ends the last line; it does not start an empty one.
      if (lines.at(-1) === '') lines.pop();
      resolve(lines);
    });
    process.stdin.once('error', reject);
  });
  return pipedLines;
}

/**
 * Reads one line from stdin. On a terminal the question is shown on stderr and, for secrets,
 * the typed characters are not echoed; piped input (scripts, tests) is read as is, one line per
 * question, so `printf 'old\nnew\nnew\n' | authly admin change-password` works.
 */
export async function ask(question: string, options: { secret?: boolean } = {}): Promise<string> {
  if (process.stdin.isTTY !== true) {
    const line = (await readPipedLines())[nextPipedLine++];
    if (line === undefined) throw new Error(`no answer to "${question.trim()}" (stdin closed)`);
    return line;
  }
  let muted = false;
  const echo = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output: echo, terminal: true });
  process.stderr.write(question);
  muted = options.secret === true;
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('close', () => reject(new Error(`no answer to "${question.trim()}" (stdin closed)`)));
    });
    if (options.secret) process.stderr.write('\n');
    return answer;
  } finally {
    rl.close();
  }
}

/**
 * Destructive commands need `--confirm`, or a "y" typed on a terminal. Without a terminal and
 * without the flag they refuse, so a script never deletes by accident.
 */
export async function confirmed(action: string, flag: boolean | undefined): Promise<void> {
  if (flag) return;
  if (process.stdin.isTTY !== true) throw new Error(`${action}: pass --confirm to proceed`);
  const answer = await ask(`${action}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) throw new Error(`${action}: cancelled`);
}
