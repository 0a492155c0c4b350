// Headless Chromium over any built gazette site: the checks a new site must pass before
// it is published (tests/workflows/run.sh runs it on the site `gazette init` makes,
// built by the Pages workflow's own steps). Usage: node site.mjs BASE_URL SITE_DIR
// Every request must stay on BASE_URL's host: build the site with `tiles = "none"` and
// Leaflet self-hosted, as run.sh does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, check, dialogs, finish, launch, problems, ready, watch } from './lib.mjs';

const [base, dir] = process.argv.slice(2);
if (!base || !dir) {
  console.error('usage: node site.mjs BASE_URL SITE_DIR');
  process.exit(2);
}
const features = JSON.parse(readFileSync(join(dir, 'events.geojson'), 'utf8')).features;
const data = JSON.parse(readFileSync(join(dir, 'data/events.json'), 'utf8'));
const origin = new URL(base).origin;

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const elsewhere = [];
context.on('request', (r) => {
  if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) elsewhere.push(r.url());
});
const page = watch(await context.newPage());

await check('index: the map shows every event, and the list names them', async () => {
  await page.goto(base, { waitUntil: 'load' });
  const g = await ready(page);
  assert(g.leaflet, 'Leaflet did not load');
  assert(features.length > 0, 'the site has no events on its map');
  assert(g.markers + g.clustered === features.length, `markers ${g.markers} + clustered ${g.clustered} != ${features.length}`);
  const items = await page.$$eval('#event-list li', (l) => l.length);
  assert(items === data.events.slug.length, `list has ${items} events, data ${data.events.slug.length}`);
});

await check('every page the site links to is there, under the base path', async () => {
  const seen = new Set([base]);
  const queue = [base];
  let pages = 0;
  while (queue.length && pages < 300) {
    const url = queue.shift();
    // files are fetched; pages are opened, to read their links as the browser resolves them
    const response = await context.request.get(url);
    assert(response.ok(), `${url}: ${response.status()}`);
    pages += 1;
    if (!(response.headers()['content-type'] || '').includes('html')) continue;
    await page.goto(url, { waitUntil: 'load' });
    const links = await page.$$eval('a[href], link[href], script[src], img[src], image[href]', (l) =>
      l.map((e) => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href.split('#')[0]),
    );
    for (const link of links) {
      if (!link.startsWith(origin) || seen.has(link)) continue;
      assert(link.startsWith(base), `${url} links to ${link}, outside ${base}`);
      seen.add(link);
      queue.push(link);
    }
  }
  assert(pages > data.events.slug.length, `only ${pages} pages reached`);
  console.log(`     ${pages} pages and files`);
});

await check('an event page draws its own map', async () => {
  await page.goto(base, { waitUntil: 'load' });
  await ready(page);
  await page.locator('#event-list li a').first().click();
  await page.waitForURL('**/events/**');
  const g = await ready(page);
  const points = await page.$$eval('.map-point[data-lat]', (l) => l.length);
  assert(points > 0 && g.markers === points, `${g.markers} markers for the page's ${points} places`);
});

await check('without JavaScript: an SVG map with the places, and the event list', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const p = watch(await ctx.newPage());
  await p.goto(base, { waitUntil: 'load' });
  assert(await p.isVisible('#fallback-map svg.svgmap'), 'no visible SVG map');
  const circles = await p.$$eval('svg.svgmap a circle title', (t) => t.length);
  assert(circles === data.places.slug.length, `${circles} linked points for ${data.places.slug.length} places`);
  const items = await p.$$eval('#event-list li a', (l) => l.length);
  assert(items === data.events.slug.length, `${items} listed events`);
  await ctx.close();
});

await check('nothing is fetched from elsewhere, and no page reports an error', async () => {
  assert(elsewhere.length === 0, `requests off the site: ${elsewhere.slice(0, 5).join(', ')}`);
  assert(dialogs.length === 0, dialogs.join('; '));
  assert(problems.length === 0, problems.join('\n'));
});

await finish(browser);
