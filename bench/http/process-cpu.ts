/** The CPU time a server under test spends, read from outside its process. */
import pidusage from 'pidusage';

/**
 * Total CPU time (user + system, every thread) process `pid` has spent so far, in milliseconds
 * (pidusage's `ctime`: /proc on Linux, ps elsewhere); `undefined` when it cannot be read.
 */
export async function cpuMilliseconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    return (await pidusage(pid)).ctime;
  } catch {
    return undefined;
  }
}

/** Drops what pidusage remembers of the processes it read (it keeps a history per pid). */
export function forgetProcesses(): void {
  pidusage.clear();
}
