/** Where a command writes: stdout for results, stderr for diagnostics. Injected for clarity. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The process's own streams. */
export const processOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
