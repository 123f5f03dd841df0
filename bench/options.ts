/** Command-line options shared by the benches (`--name value`). */

/** `--name <n>`: a number greater than `min` (default 0), else `fallback`. `min: -1` accepts 0. */
export function option(args: string[], name: string, fallback: number, min = 0): number {
  const index = args.indexOf(`--${name}`);
  const value = index === -1 ? Number.NaN : Number(args[index + 1]);
  return Number.isFinite(value) && value > min ? value : fallback;
}

/** `--name <text>`, else `undefined`. */
export function stringOption(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
}

/** `--name a,b,c`, else `undefined` (meaning "all"). */
export function listOption(args: string[], name: string): string[] | undefined {
  return stringOption(args, name)?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
