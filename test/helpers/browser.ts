import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (never `npx playwright install`). When it is
 * absent the browser suites skip with a one-line notice; under `CI=true` that is a failure.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless Chromium on a machine whose outside network is closed. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The test clients' redirect URI is http://127.0.0.1:9/callback (nothing listens; tests intercept
  // it), and 9 (discard) is on Chromium's restricted-port list: without this, ERR_UNSAFE_PORT.
  '--explicitly-allowed-ports=9',
];

function probeChromium(): boolean {
  const ok = fs.existsSync(CHROMIUM_PATH);
  if (!ok && process.env.CI === 'true') {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH} and CI=true: install it (apt-get install -y chromium; see .ci/run).`);
  }
  if (!ok) {
    console.warn(`[skip] browser suites skipped: no Chromium at ${CHROMIUM_PATH}. Install Debian's chromium to enable them.`);
  }
  return ok;
}

/** True when Chromium is installed (a failure under CI=true when it is not). */
export const hasChromium = probeChromium();

/**
 * Launches headless Chromium; every test should use its own context. `extraArgs` adds flags, such
 * as `--host-resolver-rules=MAP authly.test 127.0.0.1` to reach the server under another name.
 */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
