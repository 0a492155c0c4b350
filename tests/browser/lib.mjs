// What the browser tests share: Debian's Chromium started as this machine allows, a
// watch on everything a page says that it should not, and named checks that report one
// line each. test.mjs (the demo site) and site.mjs (any built site) use it.
import { chromium } from 'playwright-core';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Everything a page says that should not be said: console errors, uncaught exceptions,
// failed requests, and dialogs (an alert() would be a script injected from an article).
export const problems = [];
export const dialogs = [];
export function watch(page) {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception on ${page.url()}: ${e.message}`));
  page.on('requestfailed', (r) => {
    // a request cut short because the test moved on to the next page is not a fault
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()} on ${page.url()}: ${d.message()}`);
    await d.dismiss();
  });
  return page;
}

export const results = [];
export async function check(name, fn) {
  try {
    await fn();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}\n     ${String(e && e.stack ? e.stack : e).split('\n').slice(0, 4).join('\n     ')}`);
  }
}
export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
// Waits for gazette.js to have drawn the map, and returns what it reports of it.
export async function ready(page) {
  await page.waitForFunction(() => window.gazette && window.gazette.ready, null, { timeout: 15000 });
  return page.evaluate(() => {
    const g = window.gazette;
    return { leaflet: g.leaflet, markers: g.markers, clusters: g.clusters, clustered: g.clustered, badges: g.badges, visiblePoints: g.visiblePoints, visibleEvents: g.visibleEvents, points: g.points, events: g.events };
  });
}
// The last line of a run, and its exit status.
export async function finish(browser) {
  await browser.close();
  const failed = results.filter((r) => r[1]).length;
  console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
