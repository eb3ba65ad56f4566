// Debian's chromium driven by playwright-core (never a downloaded browser).
// Without chromium the browser tests are skipped with the reason printed,
// except under CI=true, where they must run and its absence is a failure.

import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { describe } from 'vitest';

/** The chromium executable, or null. */
export function chromiumPath(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not this name
    }
  }
  return null;
}

/** describe() for browser tests: skipped with a printed reason without chromium, failing under CI=true. */
export function describeBrowser(name: string, fn: () => void): void {
  const path = chromiumPath();
  if (!path && process.env.CI !== 'true') {
    console.warn(`browser tests "${name}" skipped: chromium is not installed (apt-get install chromium)`);
    describe.skip(name, fn);
    return;
  }
  if (!path) throw new Error(`browser tests "${name}" cannot run under CI=true: chromium is not installed (apt-get install chromium)`);
  describe(name, fn);
}

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium is not installed');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  return {
    browser, context,
    async close() {
      await context.close().catch(() => undefined);
      await browser.close(); // playwright removes the fresh profile it made
    },
  };
}
