/** What a load loop saw: responses by status, and requests that got no response at all. */
export interface LoadReport {
  statuses: Map<number, number>;
  /** Messages of requests that failed without an HTTP response (reset, refused, ...). */
  networkErrors: string[];
}

/** A background load: `workers` loops sending `request()` until `stop()`. */
export interface Load {
  readonly report: LoadReport;
  /** Stops sending and resolves when every loop has finished its last request. */
  stop(): Promise<LoadReport>;
}

/** Runs `workers` concurrent loops of `request` (each awaits its response) until stopped. */
export function startLoad(workers: number, request: () => Promise<Response>): Load {
  const report: LoadReport = { statuses: new Map(), networkErrors: [] };
  let running = true;
  async function loop(): Promise<void> {
    while (running) {
      try {
        const response = await request();
        await response.arrayBuffer();
        report.statuses.set(response.status, (report.statuses.get(response.status) ?? 0) + 1);
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        report.networkErrors.push(cause?.code ?? cause?.message ?? String(error));
        // Do not spin on a refused port.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
  const loops = Array.from({ length: workers }, () => loop());
  return {
    report,
    async stop() {
      running = false;
      await Promise.all(loops);
      return report;
    },
  };
}

/** Polls `check` every `intervalMs` until it returns true; the test timeout bounds the wait. */
export async function eventually(check: () => Promise<boolean>, intervalMs = 100): Promise<void> {
  for (;;) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms` (pacing a scenario, never a timed assertion). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
