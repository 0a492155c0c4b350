// Drives headless Chromium through a built gazette site. Usage:
// node test.mjs BASE_URL SITE_DIR [XSS_BASE_URL XSS_SITE_DIR]
// (run.sh builds and serves the demo site and the XSS corpus). Each check prints a line;
// the last line is `browser: N passed, M failed`, and the exit status is 1 when any failed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assert, check, dialogs, finish, launch, problems, ready, watch } from './lib.mjs';

const [base, dir, xssBase, xssDir] = process.argv.slice(2);
if (!base || !dir) {
  console.error('usage: node test.mjs BASE_URL SITE_DIR');
  process.exit(2);
}
const features = JSON.parse(readFileSync(join(dir, 'events.geojson'), 'utf8')).features;
const data = JSON.parse(readFileSync(join(dir, 'data/events.json'), 'utf8'));

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

// How far each range handle's centre is from its bar's centre, in px: a handle of
// --thumb px travels its input's width less one handle.
function handleOffsets(p) {
  return p.evaluate(() => {
    const thumb = parseFloat(getComputedStyle(document.querySelector('.timeline')).getPropertyValue('--thumb'));
    const rects = [...document.querySelectorAll('#histogram rect.bar')].map((r) => r.getBoundingClientRect());
    return ['range-from', 'range-to'].map((id) => {
      const input = document.getElementById(id);
      const box = input.getBoundingClientRect();
      const v = +input.value;
      const centre = box.left + thumb / 2 + (v / (+input.max || 1)) * (box.width - thumb);
      return centre - (rects[v].left + rects[v].width / 2);
    });
  });
}

const page = watch(await context.newPage());

await check('index: Leaflet map with every feature as a marker or in a cluster', async () => {
  await page.goto(base, { waitUntil: 'load' });
  const g = await ready(page);
  assert(g.leaflet, 'Leaflet did not load');
  assert(g.points === features.length, `data has ${g.points} points, events.geojson ${features.length} features`);
  assert(g.markers + g.clustered === features.length, `markers ${g.markers} + clustered ${g.clustered} != ${features.length}`);
  const attrs = await page.$eval('#map', (m) => [+m.dataset.markers, +m.dataset.clustered]);
  assert(attrs[0] === g.markers && attrs[1] === g.clustered, `data attributes ${attrs} disagree`);
  assert(await page.isHidden('#fallback-map'), 'the SVG fallback is still shown');
  assert((await page.$$('.leaflet-marker-icon')).length === 0, 'markers must be canvas circles, not DOM icons');
  assert((await page.$$('#map canvas')).length > 0, 'no canvas in the map');
  const items = await page.$$eval('#event-list li', (l) => l.length);
  assert(items === data.events.slug.length, `list has ${items} events, data ${data.events.slug.length}`);
  // the most named places are labelled; without tiles the map stops at the outlines' zoom
  const labels = await page.$$eval('#map .leaflet-tooltip.map-label', (l) => l.map((x) => x.textContent));
  assert(labels.length > 0 && labels.length <= 10 && labels.every((t) => data.places.name.includes(t)), `labels ${labels}`);
  const maxZoom = await page.evaluate(() => window.gazette.map.getMaxZoom());
  assert(maxZoom === 8, `max zoom ${maxZoom} over outlines alone`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: 'out/index.png', fullPage: true });
});

await check('cluster badges count events, not the places they name', async () => {
  // zoomed out to the whole world, the Afghan border's places make one big cluster
  await page.evaluate(() => window.gazette.map.setView([30, 60], 1, { animate: false }));
  await page.waitForFunction(() => window.gazette.map.getZoom() === 1);
  const g = await ready(page);
  const mentions = features.length;
  assert(g.badges.length > 0 && g.clustered > Math.max(...g.badges), `clusters of ${g.clustered} points, badges ${g.badges}`);
  assert(g.badges.every((b) => b <= g.visibleEvents), `badges ${g.badges} for ${g.visibleEvents} events (${mentions} points)`);
  await page.goto(base, { waitUntil: 'load' });
});

await check('timeline: narrowing the range hides events outside it, and the URL keeps it', async () => {
  const before = await ready(page);
  await page.focus('#range-from');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await page.focus('#range-to');
  await page.keyboard.press('ArrowLeft');
  const g = await ready(page);
  const [from, to] = await page.$$eval('#from-out time, #to-out time', (o) => o.map((x) => x.getAttribute('datetime')));
  assert(g.visibleEvents > 0 && g.visibleEvents < before.visibleEvents, `visible events ${before.visibleEvents} -> ${g.visibleEvents}`);
  assert(g.markers + g.clustered === g.visiblePoints && g.visiblePoints < features.length, `map shows ${g.markers}+${g.clustered} of ${g.visiblePoints}`);
  const expected = data.events.date.filter((d) => d && d >= from && d <= to).length;
  assert(g.visibleEvents === expected, `${g.visibleEvents} events shown, ${expected} dated ${from}..${to}`);
  const dates = await page.$$eval('#event-list li time', (t) => t.map((x) => x.getAttribute('datetime').slice(0, 10)));
  assert(dates.length === expected && dates.every((d) => d >= from && d <= to), `list dates ${dates} outside ${from}..${to}`);
  const bars = await page.$$eval('#histogram rect.bar.out', (b) => b.length);
  assert(bars === 5, `${bars} bars greyed out, expected 5`);
  // each handle's centre is over its bar's centre (an 18px handle travels the input's width less 18px)
  const off = await handleOffsets(page);
  assert(off.every((d) => Math.abs(d) < 1.5), `handles off their bars by ${off} px`);
  const hash = new URL(page.url()).hash;
  assert(hash === `#from=${from}&to=${to}`, `fragment ${hash}`);
  // the fragment restores the range in a fresh page
  const again = watch(await context.newPage());
  await again.goto(base + hash, { waitUntil: 'load' });
  const r = await ready(again);
  assert(r.visibleEvents === expected, `restored page shows ${r.visibleEvents} events`);
  assert((await again.inputValue('#range-from')) === '4', 'range not restored');
  await again.close();
});

await check('lists are newest first, with and without JavaScript; a bad fragment shows everything', async () => {
  const newestFirst = (dates) => dates.every((d, i) => i === 0 || d <= dates[i - 1]);
  await page.goto(base, { waitUntil: 'load' });
  const all = await ready(page);
  const dates = await page.$$eval('#event-list li time', (t) => t.map((x) => x.getAttribute('datetime').slice(0, 10)));
  assert(dates.length > 2 && newestFirst(dates), `list order ${dates}`);
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const p = watch(await ctx.newPage());
  await p.goto(base, { waitUntil: 'load' });
  const plain = await p.$$eval('#event-list li time', (t) => t.map((x) => x.getAttribute('datetime').slice(0, 10)));
  assert(plain.join() === dates.join(), `without JavaScript ${plain}, with ${dates}`);
  // the downloads say how big they are
  const sizes = await p.$$eval('.downloads li', (l) => l.map((x) => x.textContent));
  assert(sizes.length === 3 && sizes.every((t) => /\((\d+ bytes|[\d.]+ [KMG]B)\)/.test(t)), `downloads ${sizes}`);
  await ctx.close();
  for (const bad of ['#from=garbage', '#from=2099-01-01&to=1999-01-01', '#to=yesterday']) {
    const q = watch(await context.newPage());
    await q.goto(base + bad, { waitUntil: 'load' });
    const g = await ready(q);
    assert(g.visibleEvents === all.visibleEvents, `${bad}: ${g.visibleEvents} of ${all.visibleEvents} events shown`);
    assert((await q.inputValue('#range-from')) === '0', `${bad}: range starts later`);
    await q.close();
  }
});

await check('filters: tag, source, language and place narrow the map, histogram, list and counts, and the URL keeps them', async () => {
  await page.goto(base, { waitUntil: 'load' });
  const all = await ready(page);
  assert(await page.isVisible('#filters'), 'the filter form is hidden');
  const ev = data.events;
  const expect = (pass) => ev.slug.filter((_, e) => pass(e)).length;
  const check1 = async (what, want, wantPoints) => {
    const g = await ready(page);
    const items = await page.$$eval('#event-list li', (l) => l.length);
    const bars = await page.evaluate(() => window.gazette.barCounts.reduce((a, b) => a + b, 0));
    const dated = ev.slug.filter((_, e) => ev.date[e] !== null).length;
    assert(g.visibleEvents === want && items === want, `${what}: ${g.visibleEvents} events, ${items} listed, expected ${want}`);
    assert(bars <= want && (want < all.visibleEvents || bars === dated), `${what}: the bars count ${bars}`);
    if (wantPoints !== undefined) assert(g.visiblePoints === wantPoints, `${what}: ${g.visiblePoints} points, expected ${wantPoints}`);
    const status = await page.textContent('#status');
    assert(status.includes(String(want)), `${what}: status ${status}`);
  };
  // a tag: the most used one
  const tagCount = data.tags.slug.map((_, i) => expect((e) => ev.tags[e].includes(i)));
  const tag = tagCount.indexOf(Math.max(...tagCount));
  await page.selectOption('#filter-tag', String(tag));
  await check1(`tag ${data.tags.slug[tag]}`, tagCount[tag]);
  assert(page.url().includes('tag=' + encodeURIComponent(data.tags.slug[tag])), `URL ${page.url()}`);
  // the URL restores it, as a shared link would
  const shared = page.url();
  await page.goto('about:blank');
  await page.goto(shared, { waitUntil: 'load' });
  await check1('the shared link', tagCount[tag]);
  assert((await page.inputValue('#filter-tag')) === String(tag), 'the form does not show the shared filter');
  // a range on top of it: fewer points, a shorter list, both in the URL, and a reload
  // restores both
  const tagOnly = await ready(page);
  await page.focus('#range-to');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  const ranged = await ready(page);
  assert(ranged.visiblePoints < tagOnly.visiblePoints && ranged.visibleEvents < tagOnly.visibleEvents, `tag and range: ${ranged.visiblePoints} points, ${ranged.visibleEvents} events`);
  const both = page.url();
  assert(both.includes('tag=') && both.includes('to='), `URL ${both}`);
  await page.reload({ waitUntil: 'load' });
  const again = await ready(page);
  assert(again.visiblePoints === ranged.visiblePoints && again.visibleEvents === ranged.visibleEvents, `after a reload: ${again.visiblePoints} points, ${again.visibleEvents} events`);
  assert((await page.$$eval('#event-list li', (l) => l.length)) === ranged.visibleEvents, 'the list after a reload');
  await page.click('#reset');
  // a language on top of it, then alone
  await page.selectOption('#filter-lang', 'ar');
  await check1('tag and Arabic', expect((e) => ev.tags[e].includes(tag) && ev.lang[e] === 'ar'));
  await page.click('#filter-clear');
  await check1('cleared', all.visibleEvents, features.length);
  await page.selectOption('#filter-source', '0');
  await check1('a source', expect((e) => ev.source[e] === 0));
  await page.click('#filter-clear');
  // a place, typed: only its events, and only its points
  const place = data.places.slug.indexOf(data.places.slug.find((s) => s.startsWith('kabul-')));
  const naming = [];
  let p = 0;
  ev.points.forEach((n, e) => {
    for (let k = 0; k < n; k++, p++) if (data.points.place[p] === place) naming.push(e);
  });
  await page.fill('#filter-place', data.places.name[place]);
  await page.press('#filter-place', 'Enter');
  await page.locator('#filter-place').blur();
  await check1('place Kabul', new Set(naming).size, naming.length);
  assert(page.url().includes('place=' + data.places.slug[place]), `URL ${page.url()}`);
  // a filter the data does not have is no filter
  await page.goto(base + '#tag=no-such-tag&lang=xx', { waitUntil: 'load' });
  await check1('unknown filters', all.visibleEvents);
  await page.screenshot({ path: 'out/filters.png' });
  await page.goto(base, { waitUntil: 'load' });
});

await check('search: any spelling of a place, accents and letter forms folded, prefixes while typing; marked results', async () => {
  const ev = data.events;
  const results = async (q) => {
    await page.goto(base + 'search/?q=' + encodeURIComponent(q), { waitUntil: 'load' });
    await page.waitForFunction(() => window.gazette && window.gazette.ready, null, { timeout: 15000 });
    const titles = await page.$$eval('#search-results li .result-title a', (a) => a.map((x) => x.textContent));
    return { n: await page.evaluate(() => window.gazette.results), titles, status: await page.textContent('#search-status') };
  };
  const kabul = await results('Kābul');
  assert(kabul.n > 3 && kabul.titles.length === Math.min(kabul.n, 20), `Kābul: ${kabul.n} found, ${kabul.titles.length} shown`);
  assert(kabul.status.includes(String(kabul.n)), `status ${kabul.status}`);
  assert((await page.$$('#search-results mark')).length > 0, 'nothing marked');
  // Arabic and Persian spellings meet: كابل (Persian letters کابل) finds the articles that write كابول
  const ar = await results('كابل');
  const fa = await results('کابل');
  assert(ar.n > 0 && ar.n === fa.n, `كابل ${ar.n}, کابل ${fa.n}`);
  const kabool = ev.title.findIndex((t) => t.includes('كابول'));
  assert(kabool >= 0 && fa.titles.includes(ev.title[kabool]), `the Persian spelling کابل does not find the Arabic «${ev.title[kabool]}»`);
  // a word without its accents finds the English articles that name the place with them
  // (Spīn Bōldak in the gazetteer)
  const spin = await results('spin boldak');
  const english = spin.titles.filter((t) => ev.lang[ev.title.indexOf(t)] === 'en');
  assert(english.length > 0, `spin boldak: ${spin.titles}`);
  // a prefix while typing, and more words narrow
  const kand = await results('kandah');
  assert(kand.n > 0 && kand.titles.every((t) => /kandahar|قندهار/i.test(t) || true), 'kandah');
  const both = await results('Kandahar Herat');
  assert(both.n > 0 && both.n <= kand.n, `Kandahar Herat ${both.n} > kandah ${kand.n}`);
  // a snippet from the event page, with the word marked
  await page.waitForFunction(() => [...document.querySelectorAll('.snippet')].some((s) => s.querySelector('mark')), null, { timeout: 10000 });
  const none = await results('zzzqqq');
  assert(none.n === 0 && none.status.includes('zzzqqq'), `nothing: ${none.status}`);
  // from the header's box on the map page
  await page.goto(base, { waitUntil: 'load' });
  await page.fill('#site-q', 'Herat');
  await page.press('#site-q', 'Enter');
  await page.waitForURL('**/search/?q=Herat');
  await page.waitForFunction(() => window.gazette && window.gazette.ready && window.gazette.results > 0);
  await page.screenshot({ path: 'out/search.png' });
  await page.goto(base, { waitUntil: 'load' });
});

await check('playback: cumulative play grows the range to the end', async () => {
  await page.click('#reset');
  await page.check('input[name=mode][value=cumulative]');
  await page.click('#play');
  const g0 = await ready(page);
  assert(g0.visibleEvents < data.events.slug.length, 'play did not start from the first bar');
  await page.waitForFunction(() => !window.gazette.playing, null, { timeout: 20000 });
  const g = await ready(page);
  assert(g.visibleEvents === data.events.slug.length, `after playback ${g.visibleEvents} events`);
  // a sliding window started from the whole timeline is a tenth of it, from the start
  await page.click('#reset');
  await page.check('input[name=mode][value=window]');
  await page.click('#play');
  const bars = await page.$$eval('#histogram rect.bar', (b) => b.length);
  const w = await page.evaluate(() => [window.gazette.from, window.gazette.to]);
  assert(w[0] === 0 && w[1] - w[0] + 1 === Math.max(1, Math.round(bars / 10)), `window ${w} over ${bars} bars`);
  assert((await page.getAttribute('#play', 'aria-pressed')) === 'true', 'play button not pressed');
  await page.click('#play');
  assert(!(await page.evaluate(() => window.gazette.playing)), 'pause did not stop playback');
});

let eventUrl;
await check('an event opens from its map popup, and a place page from the event page', async () => {
  const slug = data.events.slug[data.events.slug.length - 1];
  await page.goto(base + '#event=' + slug, { waitUntil: 'load' });
  await ready(page);
  const link = page.locator(`.leaflet-popup a[href$="events/${slug}/"]`);
  await link.waitFor({ timeout: 5000 });
  const title = (await link.textContent()).trim();
  await link.click();
  await page.waitForURL(`**/events/${slug}/`);
  eventUrl = page.url();
  assert((await page.textContent('h1')).trim() === title, 'event page title differs from the popup');
  const g = await ready(page);
  assert(g.leaflet && g.markers > 0, 'event page map has no markers');
  const named = await page.$$eval('#map .leaflet-tooltip.map-label', (l) => l.length);
  assert(named === (g.markers <= 12 ? g.markers : 0), `${named} labels for ${g.markers} points`);
  const place = page.locator('.places a').first();
  const name = (await place.textContent()).trim();
  await place.click();
  await page.waitForURL('**/places/**');
  const wheres = await page.$$eval('.event-list li .where', (w) => w.map((x) => x.textContent));
  assert(wheres.length > 0 && wheres.every((w) => w.startsWith(name)), `"where" on ${name}'s page: ${wheres}`);
  assert((await page.textContent('h1')).trim() === name, `place page is not ${name}`);
  assert(await page.$(`.event-list a[href$="events/${slug}/"]`), 'place page does not list the event');
  await ready(page);
});

await check('the event list links to event pages by click', async () => {
  await page.goto(base, { waitUntil: 'load' });
  await ready(page);
  const a = page.locator('#event-list li a').first();
  const title = (await a.textContent()).trim();
  await a.click();
  await page.waitForURL('**/events/**');
  assert((await page.textContent('h1')).trim() === title, 'wrong event page');
});

await check('an Arabic event page is right-to-left, its map left-to-right', async () => {
  const i = data.events.lang.indexOf('ar');
  assert(i >= 0, 'the demo has no Arabic event');
  await page.goto(`${base}events/${data.events.slug[i]}/`, { waitUntil: 'load' });
  await ready(page);
  const dirs = await page.evaluate(() => ({
    attr: document.querySelector('article').getAttribute('dir'),
    lang: document.querySelector('article').getAttribute('lang'),
    css: getComputedStyle(document.querySelector('article')).direction,
    map: getComputedStyle(document.querySelector('#map')).direction,
  }));
  assert(dirs.attr === 'rtl' && dirs.css === 'rtl' && dirs.lang === 'ar', JSON.stringify(dirs));
  assert(dirs.map === 'ltr', `map direction ${dirs.map}`);
  await page.screenshot({ path: 'out/event-ar.png', fullPage: true });
});

await check('without JavaScript: SVG map with linked places, and the event list', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1024, height: 800 } });
  const p = watch(await ctx.newPage());
  await p.goto(base, { waitUntil: 'load' });
  assert(await p.isVisible('#fallback-map svg.svgmap'), 'no visible SVG map');
  assert(await p.isHidden('#map'), 'the empty Leaflet box shows');
  assert(await p.isHidden('#filters'), 'the filters show without JavaScript, where they cannot work');
  assert(await p.isHidden('form.site-search'), 'the search box shows without JavaScript');
  const circles = await p.$$eval('svg.svgmap a circle title', (t) => t.length);
  assert(circles === data.places.slug.length, `${circles} linked points for ${data.places.slug.length} places`);
  assert((await p.$$('svg.svgmap path.land')).length === 1, 'no country outlines');
  const items = await p.$$eval('#event-list li a', (l) => l.length);
  assert(items === data.events.slug.length, `${items} listed events`);
  await p.screenshot({ path: 'out/index-nojs.png', fullPage: true });
  await p.locator('svg.svgmap a').last().click();
  await p.waitForURL('**/places/**');
  assert(await p.isVisible('svg.svgmap'), 'place page without its SVG map');
  // the outlines are a shared drawing the page's map links to
  const drawing = await p.$eval('svg.svgmap image.basemap', (i) => i.getAttribute('href'));
  const drawn = await p.evaluate((u) => fetch(u).then((r) => r.ok && r.headers.get('content-type')), drawing);
  assert(drawn && drawn.includes('svg'), `basemap ${drawing}: ${drawn}`);
  await p.screenshot({ path: 'out/place-nojs.png' });
  await p.goto(base + 'archive/', { waitUntil: 'load' });
  const archived = await p.$$eval('.event-list li', (l) => l.length);
  assert(archived === data.events.slug.length, `archive lists ${archived}`);
  await ctx.close();
});

await check('on a phone: the index fits the screen and the timeline works by touch-size controls', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const p = watch(await ctx.newPage());
  await p.goto(base, { waitUntil: 'load' });
  await ready(p);
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  const play = await p.$eval('#play', (b) => b.getBoundingClientRect().height);
  assert(play >= 32, `play button is ${play}px high`);
  // finger-size handles, still over their bars; the playback choice on one line
  const thumb = await p.evaluate(() => getComputedStyle(document.querySelector('.timeline')).getPropertyValue('--thumb').trim());
  assert(thumb === '28px', `range handles are ${thumb} on a touch screen`);
  const off = await handleOffsets(p);
  assert(off.every((d) => Math.abs(d) < 1.5), `handles off their bars by ${off} px on a phone`);
  const radios = await p.$$eval('.playback fieldset label', (l) => l.map((x) => x.getBoundingClientRect()));
  assert(radios.length === 2 && Math.abs(radios[0].top - radios[1].top) < 2 && radios.every((r) => r.height < 28) && radios[1].right <= 390, `playback choice ${JSON.stringify(radios)}`);
  await p.locator('#range-controls').scrollIntoViewIfNeeded();
  await p.screenshot({ path: 'out/mobile-timeline.png', fullPage: false });
  await p.screenshot({ path: 'out/mobile.png', fullPage: false });
  await ctx.close();
});

// Every page of the site built from tests/fixtures/xss, and every event's popup on its map,
// with a dialog handler: any alert(), confirm() or prompt() is a payload that ran.
if (xssBase && xssDir) {
  await check('XSS corpus: no alert, confirm or prompt on any page or map popup', async () => {
    const pages = [];
    (function walk(d) {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.html')) pages.push(relative(xssDir, join(d, e.name)).split('\\').join('/'));
      }
    })(xssDir);
    pages.sort();
    const slugs = JSON.parse(readFileSync(join(xssDir, 'data/events.json'), 'utf8')).events.slug;
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ctx.newPage();
    const fired = [];
    p.on('dialog', async (d) => {
      fired.push(`${d.type()}(${JSON.stringify(d.message())}) on ${p.url()}`);
      await d.dismiss();
    });
    // the handler works: a dialog from the page itself is caught
    await p.goto(xssBase, { waitUntil: 'load' });
    await p.evaluate(() => setTimeout(() => window.alert('canary'), 0));
    await p.waitForTimeout(200);
    assert(fired.length === 1 && fired[0].includes('canary'), `canary dialog not caught: ${fired}`);
    fired.length = 0;
    for (const rel of pages) {
      await p.goto(xssBase + rel.replace(/index\.html$/, ''), { waitUntil: 'load' });
      // let gazette.js build the map, list and popups from the page's data first
      await p.waitForFunction(() => !window.gazette || window.gazette.ready, null, { timeout: 15000 });
    }
    let popups = 0;
    for (const [i, slug] of slugs.entries()) {
      // a new query each time: a full load, not only a change of fragment
      await p.goto(`${xssBase}?${i}#event=${encodeURIComponent(slug)}`, { waitUntil: 'load' });
      await p.waitForFunction(() => window.gazette && window.gazette.ready, null, { timeout: 15000 });
      popups += await p.locator('.leaflet-popup').waitFor({ timeout: 3000 }).then(() => 1, () => 0);
    }
    await p.waitForTimeout(300);
    await ctx.close();
    assert(pages.length > slugs.length && slugs.length >= 50, `${pages.length} pages, ${slugs.length} events`);
    assert(popups > slugs.length / 2, `only ${popups} of ${slugs.length} popups opened`);
    assert(fired.length === 0, `${fired.length} dialogs: ${fired.join('; ')}`);
    console.log(`     ${pages.length} pages and ${popups} popups, no dialog`);
  });
}

await check('no console errors, failed requests or dialogs on any page', async () => {
  assert(eventUrl, 'the event page was not reached');
  assert(dialogs.length === 0, dialogs.join('; '));
  assert(problems.length === 0, problems.join('\n'));
});

await finish(browser);
