import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Reads one line from stdin. On a terminal the question is shown on stderr and, for secrets,
 * the typed characters are not echoed; piped input (scripts, tests) is read as is.
 */
export async function ask(question: string, options: { secret?: boolean } = {}): Promise<string> {
  const tty = process.stdin.isTTY === true;
  let muted = false;
  const echo = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output: tty ? echo : undefined, terminal: tty });
  if (tty) process.stderr.write(question);
  muted = options.secret === true;
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('close', () => reject(new Error(`no answer to "${question.trim()}" (stdin closed)`)));
    });
    if (tty && options.secret) process.stderr.write('\n');
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
