// How fast a big site's index page becomes usable in headless Chromium, and how it keeps
// up while the timeline range is dragged. Usage: node index_load.mjs INDEX_URL
// (benches/index_scale.sh builds and serves a synthetic site of N articles for it).
// Prints: time to interactive (the map's data loaded and drawn, `gazette.ready`), the
// DOM size, and per range step the time until the next frame is painted.
import { chromium } from 'playwright-core';

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const t0 = Date.now();
await page.goto(url);
await page.waitForFunction(() => window.gazette && window.gazette.ready, null, { timeout: 60000, polling: 50 });
const interactive = Date.now() - t0;
const info = await page.evaluate(() => ({
  events: window.gazette.events,
  points: window.gazette.points,
  nodes: document.getElementsByTagName('*').length,
  bins: document.getElementById('range-to') ? Number(document.getElementById('range-to').max) + 1 : 0,
}));
// drag the start of the range across the first half, one bin at a time, as a slider does
const steps = await page.evaluate(async (bins) => {
  const from = document.getElementById('range-from');
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const times = [];
  for (let i = 1; i <= Math.min(40, Math.floor(bins / 2)); i++) {
    const t = performance.now();
    from.value = String(i);
    from.dispatchEvent(new Event('input', { bubbles: true }));
    await frame();
    times.push(performance.now() - t);
  }
  return times;
}, info.bins);
steps.sort((a, b) => a - b);
const q = (p) => (steps.length ? steps[Math.min(steps.length - 1, Math.floor(p * steps.length))].toFixed(0) : '-');
console.log(
  `index: ${info.events} events, ${info.points} points, ${info.nodes} DOM nodes; interactive in ${interactive} ms; ` +
    `range step to painted frame: median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(0.999)} ms over ${steps.length} steps`,
);
await browser.close();
