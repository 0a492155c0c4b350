// How fast a big site's index page becomes usable in headless Chromium, and how it keeps
// up while the timeline range is dragged. Usage: node index_load.mjs INDEX_URL
// (benches/index_scale.sh builds and serves a synthetic site of N articles for it).
// Prints: time to interactive (the map's data loaded and drawn, `gazette.ready`), the
// DOM size, per range step the time until the next frame is painted, the updates a
// second a drag gets, the tasks over 50 ms after the first paint (Long Tasks API), and
// how long the search page takes to answer a few queries.
import { chromium } from 'playwright-core';

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
// every task over 50 ms, from the start (Chromium's Long Tasks API)
await page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push([e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
});
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
// a drag: the handle moves on every animation frame for two seconds, as a pointer drags
// it; how many frames (each a step of the range, drawn) does the page keep up with?
const drag = await page.evaluate(async (bins) => {
  const to = document.getElementById('range-to');
  const t0 = performance.now();
  let frames = 0;
  while (performance.now() - t0 < 2000) {
    to.value = String(bins - 1 - (frames % Math.max(1, Math.floor(bins / 2))));
    to.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(r));
    frames++;
  }
  return frames / ((performance.now() - t0) / 1000);
}, info.bins);
// long tasks after the first paint, and while the range was dragged
const long = await page.evaluate(() => {
  const fp = (performance.getEntriesByName('first-paint')[0] || { startTime: 0 }).startTime;
  return { firstPaint: fp, after: window.__long.filter(([t]) => t >= fp).map(([, d]) => d) };
});
// search: the time from a query submitted on the search page to its results listed,
// for the names of the three most named places and a two-word query (shards fetched
// from the server the first time)
const names = await page.evaluate(() => {
  const d = window.gazetteData;
  const count = new Array(d.places.name.length).fill(0);
  d.points.place.forEach((k) => count[k]++);
  const order = count.map((n, k) => [n, k]).sort((a, b) => b[0] - a[0]).map((x) => x[1]);
  return order.slice(0, 3).map((k) => d.places.name[k]);
});
await page.goto(new URL('search/', url).href);
await page.waitForFunction(() => window.gazette && window.gazette.ready);
const searches = [];
for (const q of [...names, `${names[0]} ${names[1]}`]) {
  const ms = await page.evaluate(async (q) => {
    const input = document.getElementById('search-q');
    input.value = q;
    const t = performance.now();
    window.gazette.ready = false;
    document.getElementById('search-form').requestSubmit();
    while (!window.gazette.ready) await new Promise((r) => setTimeout(r, 2));
    return [performance.now() - t, window.gazette.results];
  }, q);
  searches.push(`${q}: ${ms[1]} found in ${ms[0].toFixed(0)} ms`);
}
steps.sort((a, b) => a - b);
const q = (p) => (steps.length ? steps[Math.min(steps.length - 1, Math.floor(p * steps.length))].toFixed(0) : '-');
console.log(
  `index: ${info.events} events, ${info.points} points, ${info.nodes} DOM nodes; interactive in ${interactive} ms; ` +
    `range step to painted frame: median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(0.999)} ms over ${steps.length} steps; ` +
    `drag: ${drag.toFixed(0)} updates a second; ` +
    `first paint ${long.firstPaint.toFixed(0)} ms, then ${long.after.length} tasks over 50 ms, the longest ${Math.max(0, ...long.after).toFixed(0)} ms`,
);
console.log(`search: ${searches.join('; ')}`);
await browser.close();
