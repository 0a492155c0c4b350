// gazette's pages: the interactive map, the timeline and its playback.
//
// Everything here improves pages that already work without it: the server drew an SVG
// map and the event lists. When Leaflet is there, #map replaces the SVG; on the index
// page, data/events.js (columnar, see src/site/render.rs) feeds a canvas map whose
// markers are grid-clustered here, and a timeline that filters map and list. The URL
// fragment keeps the state: #from=2021-07-05&to=2021-08-15&event=SLUG.
//
// Text from articles only ever reaches the page through textContent, never as HTML.
(function () {
  'use strict';

  var body = document.body;
  var root = body.getAttribute('data-root') || '';
  var gz = (window.gazette = { page: body.getAttribute('data-page'), ready: false, leaflet: false });

  var CELL = 56; // cluster grid cell, in pixels
  var LIST_MAX = 500; // list items shown at once
  var OUTLINE_MAX_ZOOM = 8; // the interactive maps' closest zoom without tiles
  var LABELS = 10; // the index map labels this many of its most named places
  var STEP_MS = 700; // playback speed
  var RTL = ['ar', 'fa', 'ur', 'ps', 'he', 'yi', 'dv', 'ckb', 'sd', 'ug'];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
      });
    }
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // The interface's words in the site's language: window.gazetteStrings, which the build
  // writes at the top of this file from templates/i18n/ and the site's [strings].
  var S = window.gazetteStrings || { lang: 'en', digits: 'latn', months: [], messages: {} };
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(S.lang) : null;
  function fill(s, args) {
    return String(s).replace(/\{(\w+)\}/g, function (m, k) {
      return args && Object.prototype.hasOwnProperty.call(args, k) ? args[k] : m;
    });
  }
  // a number (or any text's digits) in the site's digits
  function num(n) {
    var s = String(n);
    if (S.digits !== 'arab' && S.digits !== 'arabext') return s;
    var zero = S.digits === 'arab' ? 0x0660 : 0x06f0;
    return s.replace(/[0-9]/g, function (d) {
      return String.fromCharCode(zero + +d);
    });
  }
  function t(key, args) {
    var m = S.messages[key];
    if (m === undefined || m === null) return key;
    return fill(typeof m === 'object' ? m.other : m, args);
  }
  // the form of a message for the number n, as Intl.PluralRules chooses it (CLDR)
  function tn(key, n, args) {
    var m = S.messages[key];
    var a = { n: num(n) };
    Object.keys(args || {}).forEach(function (k) {
      a[k] = args[k];
    });
    if (!m || typeof m !== 'object') return t(key, a);
    var cat = plurals ? plurals.select(n) : n === 1 ? 'one' : 'other';
    return fill(m[cat] !== undefined ? m[cat] : m.other, a);
  }
  // YYYY-MM-DD as the pages write a day
  function day(iso) {
    var p = String(iso || '').split('-');
    if (p.length !== 3 || !S.months[+p[1] - 1]) return num(iso || '');
    return num(fill(t('date'), { d: String(+p[2]), month: S.months[+p[1] - 1], y: p[0] }));
  }
  gz.t = t;

  function dirOf(lang) {
    return RTL.indexOf(String(lang || '').split('-')[0].toLowerCase()) >= 0 ? 'rtl' : 'ltr';
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // Leaflet, if it loaded, with the base layer the site asked for; null otherwise.
  function makeMap(options) {
    var box = document.getElementById('map');
    if (!box || typeof window.L !== 'object' || typeof L.map !== 'function') return null;
    var fallback = document.getElementById('fallback-map');
    box.hidden = false;
    var map;
    try {
      var opts = options || {};
      opts.zoomControl = false;
      map = L.map(box, opts);
      // the zoom buttons speak the site's language too
      L.control.zoom({ zoomInTitle: t('zoom_in'), zoomOutTitle: t('zoom_out') }).addTo(map);
      map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
      var tiles = body.getAttribute('data-tiles');
      if (tiles) {
        var attr = escapeHtml(body.getAttribute('data-attribution') || '');
        var url = body.getAttribute('data-attribution-url');
        if (url) attr = '<a href="' + escapeHtml(url) + '">' + attr + '</a>';
        L.tileLayer(tiles, { maxZoom: +body.getAttribute('data-max-zoom') || 18, attribution: attr }).addTo(map);
      } else if (window.gazetteCountries) {
        L.polygon(window.gazetteCountries, {
          renderer: L.canvas({ padding: 0.3 }),
          interactive: false,
          color: '#a4acb3',
          weight: 0.7,
          fillColor: '#f4f1e8',
          fillOpacity: 1,
          fillRule: 'nonzero',
        }).addTo(map);
        map.attributionControl.addAttribution('Natural Earth');
        box.classList.add('no-tiles');
      }
      // country outlines (or nothing) under the points: past this zoom there is only a
      // blank square to see
      if (!tiles) map.setMaxZoom(OUTLINE_MAX_ZOOM);
    } catch (err) {
      box.hidden = true;
      if (map) map.remove();
      throw err;
    }
    if (fallback) fallback.hidden = true;
    gz.leaflet = true;
    return map;
  }

  // Points written into the page by the server (event and place pages).
  function initSmallMap() {
    var map = makeMap({ scrollWheelZoom: false });
    if (!map) return;
    var renderer = L.canvas();
    var bounds = [],
      markers = [];
    document.querySelectorAll('.map-point[data-lat]').forEach(function (node) {
      var ll = [+node.getAttribute('data-lat'), +node.getAttribute('data-lon')];
      bounds.push(ll);
      var link = el('a', { href: node.getAttribute('data-href') }, node.getAttribute('data-name'));
      var marker = L.circleMarker(ll, { renderer: renderer, radius: 7, color: '#fff', weight: 2, fillColor: '#b03a2e', fillOpacity: 0.9 })
        .bindPopup(link)
        .addTo(map);
      markers.push([marker, node.getAttribute('data-name')]);
    });
    // named on the map, as the map without JavaScript names them, when they are few
    if (markers.length <= 12) {
      markers.forEach(function (m) {
        m[0].bindTooltip(m[1], { permanent: true, direction: 'right', offset: [8, 0], className: 'map-label' });
      });
    }
    // outlines alone show little close up; tiles have streets and towns to show
    var maxZoom = body.getAttribute('data-tiles') ? 7 : 5;
    if (bounds.length) map.fitBounds(bounds, { maxZoom: maxZoom, padding: [40, 40] });
    else map.setView([25, 45], 2);
    gz.markers = bounds.length;
    gz.ready = true;
  }

  // ---- the index page ------------------------------------------------------------

  // A cluster marker: a canvas circle with its count drawn on top.
  function clusterClass() {
    return L.CircleMarker.extend({
      _updatePath: function () {
        L.CircleMarker.prototype._updatePath.call(this);
        var ctx = this._renderer && this._renderer._ctx;
        if (!ctx || !this._point) return;
        ctx.save();
        ctx.fillStyle = '#fff';
        ctx.font = 'bold 12px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(String(this.options.count), this._point.x, this._point.y + 0.5);
        ctx.restore();
      },
    });
  }

  function initIndex(D) {
    var ev = D.events,
      pl = D.places,
      pts = D.points,
      bins = D.bins;
    // Typed arrays, built once: a big site has hundreds of thousands of points. Points
    // come in event order; events.points says how many are each event's, so event e's
    // points are evStart[e] to evStart[e + 1].
    var nEvents = ev.slug.length,
      nPlaces = pl.name.length,
      nBins = bins.start.length;
    var ptPlace = Int32Array.from(pts.place),
      nPoints = ptPlace.length;
    var evStart = new Int32Array(nEvents + 1),
      evBin = new Int32Array(nEvents);
    for (var e0 = 0; e0 < nEvents; e0++) {
      evStart[e0 + 1] = evStart[e0] + ev.points[e0];
      evBin[e0] = ev.bin[e0] === null || ev.bin[e0] === undefined ? -1 : ev.bin[e0];
    }
    var bySlug = {};
    for (var i = 0; i < nEvents; i++) bySlug[ev.slug[i]] = i;
    function firstPlaceOf(e) {
      return evStart[e] < evStart[e + 1] ? ptPlace[evStart[e]] : -1;
    }

    // the places the map labels: the most named, by events
    var eventsAt = new Int32Array(nPlaces);
    for (var q = 0; q < nPoints; q++) eventsAt[ptPlace[q]]++;
    var labelled = new Set(
      Array.from(eventsAt)
        .map(function (n, k) {
          return [n, k];
        })
        .sort(function (a, b) {
          return b[0] - a[0] || a[1] - b[1];
        })
        .slice(0, LABELS)
        .map(function (x) {
          return x[1];
        })
    );

    var state = { from: 0, to: Math.max(nBins - 1, 0), event: null, mode: 'cumulative', timer: null };
    // the filters: a tag, a source (indices into D.tags, D.sources), a language, a place
    // (index into places); null is any. keep[e] says whether event e passes them.
    var tagsT = D.tags || { slug: [], name: [] },
      sourcesT = D.sources || { slug: [], name: [] };
    var filter = { tag: null, source: null, lang: null, place: null };
    var keep = new Uint8Array(nEvents).fill(1);
    function filtered() {
      return filter.tag !== null || filter.source !== null || filter.lang !== null || filter.place !== null;
    }
    function applyFilters() {
      for (var e = 0; e < nEvents; e++) {
        var ok = true;
        if (filter.tag !== null) ok = !!(ev.tags && ev.tags[e] && ev.tags[e].indexOf(filter.tag) >= 0);
        if (ok && filter.source !== null) ok = !!ev.source && ev.source[e] === filter.source;
        if (ok && filter.lang !== null) ok = ev.lang[e] === filter.lang;
        if (ok && filter.place !== null) {
          ok = false;
          for (var p = evStart[e]; p < evStart[e + 1] && !ok; p++) ok = ptPlace[p] === filter.place;
        }
        keep[e] = ok ? 1 : 0;
      }
      gz.filter = { tag: filter.tag, source: filter.source, lang: filter.lang, place: filter.place };
    }
    var $ = function (id) {
      return document.getElementById(id);
    };
    var fromIn = $('range-from'),
      toIn = $('range-to'),
      list = $('event-list'),
      status = $('status'),
      more = $('list-more'),
      playBtn = $('play'),
      hist = document.querySelector('#histogram svg'),
      bars = hist ? hist.querySelectorAll('rect.bar') : [];

    function full() {
      return state.from === 0 && state.to === nBins - 1;
    }
    function inRange(e) {
      if (!keep[e]) return false;
      var b = evBin[e];
      if (b < 0) return full() || nBins === 0;
      return b >= state.from && b <= state.to;
    }

    // -- map
    var map = null,
      layer = null,
      Cluster = null,
      renderer = null;
    try {
      map = makeMap({ preferCanvas: true, worldCopyJump: true });
    } catch (err) {
      console.warn('gazette: the interactive map failed, the SVG map stays', err);
    }
    if (map) {
      Cluster = clusterClass();
      renderer = L.canvas({ padding: 0.5 });
      layer = L.layerGroup().addTo(map);
      var core = coreBounds();
      if (core) map.fitBounds(core, { padding: [30, 30], maxZoom: 8 });
      else map.setView([25, 45], 2);
      map.on('zoomend', drawMap);
      gz.map = map;
      map.on('popupclose', function () {
        if (state.event !== null && !state.keepEvent) {
          state.event = null;
          writeHash();
          markCurrent();
        }
      });
    }

    // Where most points are: around the median point, the nearest three quarters of
    // the points, so that a few far-away places do not zoom the first view out to the
    // whole world. Everything else is a zoom-out away.
    function coreBounds() {
      if (!nPoints) return null;
      // places weighted by their points: the weighted median, then the nearest places
      // that hold three quarters of the points
      var used = [];
      for (var k = 0; k < nPlaces; k++) if (eventsAt[k]) used.push(k);
      var median = function (of) {
        var order = used.slice().sort(function (a, b) {
          return of(a) - of(b);
        });
        for (var i = 0, seen = 0; i < order.length; i++) {
          seen += eventsAt[order[i]];
          if (seen * 2 >= nPoints) return of(order[i]);
        }
        return of(order[order.length - 1]);
      };
      var mlat = median(function (k) {
        return pl.lat[k];
      });
      var mlon = median(function (k) {
        return pl.lon[k];
      });
      var cos = Math.cos((mlat * Math.PI) / 180);
      var dist = {};
      used.forEach(function (k) {
        var dx = (pl.lon[k] - mlon) * cos,
          dy = pl.lat[k] - mlat;
        dist[k] = dx * dx + dy * dy;
      });
      used.sort(function (a, b) {
        return dist[a] - dist[b];
      });
      var core = [];
      for (var i = 0, seen = 0; i < used.length && seen < nPoints * 0.75; i++) {
        core.push([pl.lat[used[i]], pl.lon[used[i]]]);
        seen += eventsAt[used[i]];
      }
      return L.latLngBounds(core);
    }

    function eventPopup(e) {
      var box = el('div', { class: 'popup' });
      var h = el('p', { class: 'popup-title', dir: 'auto' });
      h.appendChild(el('a', { href: root + 'events/' + ev.slug[e] + '/', lang: ev.lang[e], dir: dirOf(ev.lang[e]) }, ev.title[e]));
      box.appendChild(h);
      var meta = el('p', { class: 'popup-meta' });
      meta.appendChild(el('time', ev.date[e] ? { datetime: ev.date[e] } : null, ev.date[e] ? day(ev.date[e]) : t('undated')));
      for (var p = evStart[e]; p < evStart[e + 1]; p++) {
        meta.appendChild(document.createTextNode(p === evStart[e] ? ' · ' : ', '));
        meta.appendChild(el('a', { href: root + 'places/' + pl.slug[ptPlace[p]] + '/' }, pl.name[ptPlace[p]]));
      }
      box.appendChild(meta);
      return box;
    }

    // the visible events that name one of `places` (a cluster's), newest first
    function clusterPopup(places) {
      var box = el('div', { class: 'popup' });
      var inCluster = new Uint8Array(nPlaces);
      places.forEach(function (k) {
        inCluster[k] = 1;
      });
      var events = [];
      for (var e = nEvents - 1; e >= 0; e--) {
        if (!inRange(e)) continue;
        for (var p = evStart[e]; p < evStart[e + 1]; p++) {
          if (inCluster[ptPlace[p]] && (filter.place === null || ptPlace[p] === filter.place)) {
            events.push(e);
            break;
          }
        }
      }
      box.appendChild(el('p', { class: 'popup-meta' }, tn('here', events.length)));
      var ul = el('ul', { class: 'popup-list' });
      events.slice(0, 30).forEach(function (e) {
        var li = el('li', { dir: 'auto' });
        li.appendChild(el('time', ev.date[e] ? { datetime: ev.date[e] } : null, (ev.date[e] ? day(ev.date[e]) : t('undated')) + ' '));
        li.appendChild(el('a', { href: root + 'events/' + ev.slug[e] + '/', lang: ev.lang[e], dir: dirOf(ev.lang[e]) }, ev.title[e]));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      if (events.length > 30) box.appendChild(el('p', null, t('and_more', { n: num(events.length - 30) })));
      return box;
    }

    function openEvent(e, latlng) {
      if (!map) return;
      state.keepEvent = true;
      L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(eventPopup(e)).openOn(map);
      state.keepEvent = false;
      state.event = ev.slug[e];
      writeHash();
      markCurrent();
    }

    // a name beside a dot, for the most named places (a few DOM nodes at most)
    function label(marker, place) {
      if (!labelled.has(place)) return;
      marker.bindTooltip(pl.name[place], { permanent: true, direction: 'right', offset: [8, 0], className: 'map-label' });
      gz.labels = (gz.labels || 0) + 1;
    }

    function radius(n) {
      return Math.min(30, 11 + 3.5 * Math.log2(n));
    }

    // Grid clustering, by place: the visible points of each place are counted, the places
    // (projected once per zoom) binned into cells, and each cluster's events counted once
    // however many of its places they name. A step of the timeline costs one pass over
    // the events in range, and the projections of the places, not of the points.
    var proj = { zoom: null, x: new Float64Array(nPlaces), y: new Float64Array(nPlaces) };
    function project(zoom) {
      if (proj.zoom === zoom) return;
      for (var k = 0; k < nPlaces; k++) {
        var xy = map.project([pl.lat[k], pl.lon[k]], zoom);
        proj.x[k] = xy.x;
        proj.y[k] = xy.y;
      }
      proj.zoom = zoom;
    }
    var perPlace = new Int32Array(nPlaces),
      clusterOf = new Int32Array(nPlaces);
    function drawMap() {
      if (!map) return;
      layer.clearLayers();
      gz.labels = 0;
      var zoom = map.getZoom();
      project(zoom);
      perPlace.fill(0);
      var visible = 0,
        e,
        p;
      for (e = 0; e < nEvents; e++) {
        if (!inRange(e)) continue;
        for (p = evStart[e]; p < evStart[e + 1]; p++) {
          if (filter.place !== null && ptPlace[p] !== filter.place) continue;
          perPlace[ptPlace[p]]++;
          visible++;
        }
      }
      var cells = new Map();
      for (var k = 0; k < nPlaces; k++) {
        var n = perPlace[k];
        if (!n) continue;
        var key = Math.floor(proj.x[k] / CELL) + ',' + Math.floor(proj.y[k] / CELL);
        var c = cells.get(key);
        if (!c) cells.set(key, (c = { places: [], n: 0, lat: 0, lon: 0 }));
        c.places.push(k);
        c.n += n;
        c.lat += pl.lat[k] * n;
        c.lon += pl.lon[k] * n;
      }
      // Grid cells are cheap but can leave two big clusters overlapping across a cell
      // border: merge those, biggest first.
      var list = Array.from(cells.values()).sort(function (a, b) {
        return b.n - a.n;
      });
      list.forEach(function (c) {
        c.r = c.n === 1 ? 7 : radius(c.n);
        c.xy = map.project([c.lat / c.n, c.lon / c.n], zoom);
      });
      var kept = [];
      list.forEach(function (c) {
        for (var j = 0; j < kept.length; j++) {
          var k = kept[j];
          if (k.xy.distanceTo(c.xy) < k.r + c.r - 4 && (k.n > 1 || c.n > 1)) {
            k.places = k.places.concat(c.places);
            k.n += c.n;
            k.lat += c.lat;
            k.lon += c.lon;
            k.r = radius(k.n);
            return;
          }
        }
        kept.push(c);
      });
      kept.forEach(function (c, j) {
        c.places.forEach(function (k) {
          clusterOf[k] = j;
        });
      });
      // each cluster's events, once each; and the one point of a lone marker
      var events = new Int32Array(kept.length),
        last = new Int32Array(kept.length).fill(-1),
        lone = new Int32Array(kept.length).fill(-1);
      for (e = 0; e < nEvents; e++) {
        if (!inRange(e)) continue;
        for (p = evStart[e]; p < evStart[e + 1]; p++) {
          if (filter.place !== null && ptPlace[p] !== filter.place) continue;
          var cl = clusterOf[ptPlace[p]];
          if (last[cl] !== e) {
            events[cl]++;
            last[cl] = e;
          }
          lone[cl] = p;
        }
      }
      var markers = 0,
        clusters = 0,
        clustered = 0,
        badges = [];
      kept.forEach(function (c, j) {
        if (c.n === 1) {
          var one = lone[j],
            at = ptPlace[one];
          var ll = [pl.lat[at], pl.lon[at]];
          markers++;
          var m = L.circleMarker(ll, { renderer: renderer, radius: 7, color: '#fff', weight: 2, fillColor: '#b03a2e', fillOpacity: 0.9 })
            .on('click', function () {
              var e1 = 0;
              while (evStart[e1 + 1] <= one) e1++;
              openEvent(e1, ll);
            })
            .addTo(layer);
          label(m, at);
          return;
        }
        clusters++;
        clustered += c.n;
        // a cluster's points are (event, place) pairs: its badge and size count events,
        // one however many of the cluster's places it names
        badges.push(events[j]);
        var center = [c.lat / c.n, c.lon / c.n];
        var samePlace = c.places.length === 1;
        var cluster = new Cluster(center, {
          renderer: renderer,
          count: events[j],
          radius: radius(events[j]),
          color: '#fff',
          weight: 2,
          fillColor: '#1f4e79',
          fillOpacity: 0.88,
        })
          .on('click', function () {
            if (samePlace || map.getZoom() >= map.getMaxZoom()) {
              state.keepEvent = true;
              L.popup({ maxWidth: 340 }).setLatLng(center).setContent(clusterPopup(c.places)).openOn(map);
              state.keepEvent = false;
            } else {
              var b = L.latLngBounds(
                c.places.map(function (k) {
                  return [pl.lat[k], pl.lon[k]];
                })
              );
              map.fitBounds(b, { padding: [40, 40], maxZoom: map.getZoom() + 3 });
            }
          })
          .addTo(layer);
        if (samePlace) label(cluster, c.places[0]);
      });
      gz.markers = markers;
      gz.clusters = clusters;
      gz.clustered = clustered;
      gz.badges = badges;
      gz.visiblePoints = visible;
      var box = $('map');
      box.setAttribute('data-markers', markers);
      box.setAttribute('data-clusters', clusters);
      box.setAttribute('data-clustered', clustered);
    }

    // -- list
    // each event's list item is made once: a step of the timeline re-lists, not rebuilds
    var items = new Map();
    function item(e) {
      var li = items.get(e);
      if (!li) items.set(e, (li = makeItem(e)));
      return li;
    }
    function makeItem(e) {
      var li = el('li', { dir: 'auto', 'data-slug': ev.slug[e] });
      if (ev.date[e]) li.appendChild(el('time', { datetime: ev.date[e] }, day(ev.date[e])));
      else li.appendChild(el('span', { class: 'undated' }, t('undated')));
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('a', { href: root + 'events/' + ev.slug[e] + '/', lang: ev.lang[e], dir: dirOf(ev.lang[e]) }, ev.title[e]));
      var first = firstPlaceOf(e);
      if (first >= 0) {
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('span', { class: 'where' }, pl.name[first]));
      }
      return li;
    }

    // events are in site order, oldest first and undated last: lists show the newest
    // first (then the undated), as the page without JavaScript does
    var nDated = 0;
    while (nDated < nEvents && ev.date[nDated]) nDated++;

    function drawList() {
      var frag = document.createDocumentFragment();
      var n = 0;
      for (var k = 0; k < nEvents; k++) {
        var e = k < nDated ? nDated - 1 - k : k;
        if (!inRange(e)) continue;
        if (n < LIST_MAX) frag.appendChild(item(e));
        n++;
      }
      list.replaceChildren(frag);
      if (n === 0) {
        more.replaceChildren(t('no_events'));
      } else if (n > LIST_MAX) {
        var archive = el('a', { href: root + 'archive/' }, t('see_the_archive'));
        more.replaceChildren(t('list_newest', { n: num(LIST_MAX), total: tn('events', n) }) + ' ', archive, '.');
      } else {
        more.replaceChildren();
      }
      gz.visibleEvents = n;
      var span = nBins ? { from: day(bins.start[state.from]), to: day(bins.end[state.to]) } : { from: '', to: '' };
      status.textContent = full() && !filtered()
        ? t('status_range', { events: tn('events', n), from: span.from, to: span.to })
        : t('status_part', { n: num(n), total: tn('events', nEvents), from: span.from, to: span.to });
      markCurrent();
    }

    function markCurrent() {
      list.querySelectorAll('li[aria-current]').forEach(function (li) {
        li.removeAttribute('aria-current');
      });
      if (state.event === null) return;
      list.querySelectorAll('li').forEach(function (li) {
        if (li.getAttribute('data-slug') === state.event) li.setAttribute('aria-current', 'true');
      });
    }

    // -- timeline
    function drawTimeline() {
      if (!fromIn) return;
      fromIn.value = state.from;
      toIn.value = state.to;
      fromIn.setAttribute('aria-valuetext', day(bins.start[state.from]));
      toIn.setAttribute('aria-valuetext', day(bins.end[state.to]));
      $('from-out').replaceChildren(el('time', { datetime: bins.start[state.from] }, day(bins.start[state.from])));
      $('to-out').replaceChildren(el('time', { datetime: bins.end[state.to] }, day(bins.end[state.to])));
      // under the chosen bars, edge to edge
      var sel = $('range-selected');
      sel.style.left = (state.from / nBins) * 100 + '%';
      sel.style.width = ((state.to - state.from + 1) / nBins) * 100 + '%';
      for (var b = 0; b < bars.length; b++) bars[b].classList.toggle('out', b < state.from || b > state.to);
    }

    // the bars count the events that pass the filters
    var barsFor = null;
    function drawBars() {
      var key = [filter.tag, filter.source, filter.lang, filter.place].join('|');
      if (!bars.length || barsFor === key) return;
      barsFor = key;
      var counts = new Array(nBins).fill(0);
      for (var e = 0; e < nEvents; e++) if (keep[e] && evBin[e] >= 0) counts[evBin[e]]++;
      var max = Math.max.apply(null, counts.concat([1]));
      for (var b = 0; b < bars.length; b++) {
        var h = counts[b] === 0 ? 0 : Math.max(2, (counts[b] / max) * 46);
        bars[b].setAttribute('y', (50 - h).toFixed(1));
        bars[b].setAttribute('height', h.toFixed(1));
        var days = bins.start[b] === bins.end[b] ? day(bins.start[b]) : day(bins.start[b]) + ' – ' + day(bins.end[b]);
        var title = bars[b].querySelector('title');
        if (title) title.textContent = days + ': ' + tn('events', counts[b]);
      }
      gz.barCounts = counts;
    }

    function update() {
      drawBars();
      drawTimeline();
      drawMap();
      drawList();
      writeHash();
      gz.from = state.from;
      gz.to = state.to;
    }

    function setRange(from, to) {
      from = Math.max(0, Math.min(nBins - 1, from | 0));
      to = Math.max(0, Math.min(nBins - 1, to | 0));
      if (from > to) {
        var t = from;
        from = to;
        to = t;
      }
      state.from = from;
      state.to = to;
      update();
    }
    gz.setRange = setRange;

    function onSlide(which) {
      stop();
      var f = +fromIn.value,
        t = +toIn.value;
      if (f > t) {
        if (which === 'from') t = f;
        else f = t;
      }
      setRange(f, t);
    }

    // -- playback: cumulative grows the end; a sliding window keeps its width
    function stop() {
      if (state.timer) clearInterval(state.timer);
      state.timer = null;
      if (playBtn) {
        playBtn.textContent = t('play');
        playBtn.setAttribute('aria-pressed', 'false');
      }
      gz.playing = false;
    }

    function play() {
      if (state.timer) return stop();
      var mode = (document.querySelector('input[name=mode]:checked') || {}).value || 'cumulative';
      var width = state.to - state.from;
      if (mode === 'cumulative') {
        // start from the range's first bar and grow it; from the start when at the end
        var first = state.from >= nBins - 1 ? 0 : state.from;
        setRange(first, state.to >= nBins - 1 ? first : state.to);
      } else {
        // the whole timeline is no window to slide: a tenth of it is
        var whole = state.from === 0 && state.to >= nBins - 1;
        if (whole) width = Math.max(0, Math.round(nBins / 10) - 1);
        if (whole || state.to >= nBins - 1) setRange(0, Math.min(width, nBins - 2));
      }
      playBtn.textContent = t('pause');
      playBtn.setAttribute('aria-pressed', 'true');
      gz.playing = mode;
      state.timer = setInterval(function () {
        if (state.to >= nBins - 1) return stop();
        if (mode === 'cumulative') setRange(state.from, state.to + 1);
        else setRange(state.from + 1, state.to + 1);
      }, STEP_MS);
    }

    // Drag across the histogram to choose a range; a click picks one bar.
    function brush() {
      if (!hist || !nBins) return;
      var start = null;
      function binAt(ev) {
        var r = hist.getBoundingClientRect();
        return Math.max(0, Math.min(nBins - 1, Math.floor(((ev.clientX - r.left) / r.width) * nBins)));
      }
      hist.addEventListener('pointerdown', function (e) {
        stop();
        start = binAt(e);
        hist.setPointerCapture(e.pointerId);
        setRange(start, start);
      });
      hist.addEventListener('pointermove', function (e) {
        if (start === null) return;
        var b = binAt(e);
        setRange(Math.min(start, b), Math.max(start, b));
      });
      ['pointerup', 'pointercancel'].forEach(function (t) {
        hist.addEventListener(t, function () {
          start = null;
        });
      });
    }

    // -- the URL fragment
    function readHash() {
      var h = {};
      location.hash
        .replace(/^#/, '')
        .split('&')
        .forEach(function (kv) {
          var i = kv.indexOf('=');
          if (i > 0) h[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
        });
      var from = 0,
        to = nBins - 1;
      // a range is two dates, from before to: anything else (a typo, a cut-off link) shows
      // everything rather than some week the text happens to sort next to
      var day = /^\d{4}-\d{2}-\d{2}$/;
      var valid = (!h.from || day.test(h.from)) && (!h.to || day.test(h.to)) && !(h.from && h.to && h.from > h.to);
      if (valid && h.from) {
        for (from = 0; from < nBins - 1 && bins.end[from] < h.from; ) from++;
      }
      if (valid && h.to) {
        for (to = nBins - 1; to > 0 && bins.start[to] > h.to; ) to--;
      }
      var indexOf = function (slugs, v) {
        var i = v ? slugs.indexOf(v) : -1;
        return i >= 0 ? i : null;
      };
      return {
        from: from,
        to: Math.max(from, to),
        event: h.event && h.event in bySlug ? h.event : null,
        tag: indexOf(tagsT.slug, h.tag),
        source: indexOf(sourcesT.slug, h.source),
        lang: h.lang && ev.lang.indexOf(h.lang) >= 0 ? h.lang : null,
        place: indexOf(pl.slug, h.place),
      };
    }

    function writeHash() {
      var parts = [];
      if (nBins && !full()) parts.push('from=' + bins.start[state.from], 'to=' + bins.end[state.to]);
      if (filter.tag !== null) parts.push('tag=' + encodeURIComponent(tagsT.slug[filter.tag]));
      if (filter.source !== null) parts.push('source=' + encodeURIComponent(sourcesT.slug[filter.source]));
      if (filter.lang !== null) parts.push('lang=' + encodeURIComponent(filter.lang));
      if (filter.place !== null) parts.push('place=' + encodeURIComponent(pl.slug[filter.place]));
      if (state.event !== null) parts.push('event=' + encodeURIComponent(state.event));
      var h = parts.length ? '#' + parts.join('&') : '';
      if (h !== location.hash && !(h === '' && location.hash === '#')) {
        try {
          history.replaceState(null, '', h || location.pathname + location.search);
        } catch (err) {
          // some file:// setups refuse; the page still works without it
        }
      }
    }

    function restore() {
      var h = readHash();
      state.from = h.from;
      state.to = h.to;
      filter.tag = h.tag;
      filter.source = h.source;
      filter.lang = h.lang;
      filter.place = h.place;
      applyFilters();
      showFilters();
      state.event = null;
      update();
      if (h.event) {
        var e = bySlug[h.event];
        if (evStart[e] < evStart[e + 1] && map) {
          var k = ptPlace[evStart[e]];
          map.setView([pl.lat[k], pl.lon[k]], Math.max(map.getZoom(), 6));
          openEvent(e, [pl.lat[k], pl.lon[k]]);
        } else {
          state.event = h.event;
          writeHash();
          markCurrent();
        }
      }
    }

    // -- the filter form: options from the data, state to and from the URL fragment
    var form = $('filters');
    var placeByLabel = {};
    function placeLabel(k) {
      return pl.name[k] + (placeByLabel[pl.name[k]] !== k ? ' · ' + pl.slug[k] : '');
    }
    function showFilters() {
      if (!form) return;
      $('filter-tag').value = filter.tag === null ? '' : String(filter.tag);
      $('filter-source').value = filter.source === null ? '' : String(filter.source);
      $('filter-lang').value = filter.lang === null ? '' : filter.lang;
      $('filter-place').value = filter.place === null ? '' : placeLabel(filter.place);
    }
    function setFilters(f) {
      stop();
      Object.keys(f).forEach(function (k) {
        filter[k] = f[k];
      });
      applyFilters();
      showFilters();
      update();
    }
    gz.setFilters = setFilters;
    if (form) {
      var options = function (select, names, values, counts) {
        var order = names.map(function (_, i) {
          return i;
        });
        order.sort(function (a, b) {
          return counts[b] - counts[a] || (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0);
        });
        order.forEach(function (i) {
          if (counts[i]) select.appendChild(el('option', { value: values[i] }, names[i] + ' (' + num(counts[i]) + ')'));
        });
      };
      var tagCount = new Array(tagsT.slug.length).fill(0),
        sourceCount = new Array(sourcesT.slug.length).fill(0),
        langs = [],
        langCount = [];
      for (var e1 = 0; e1 < nEvents; e1++) {
        (ev.tags && ev.tags[e1] ? ev.tags[e1] : []).forEach(function (g) {
          tagCount[g]++;
        });
        if (ev.source && ev.source[e1] !== null) sourceCount[ev.source[e1]]++;
        var li = langs.indexOf(ev.lang[e1]);
        if (li < 0) {
          langs.push(ev.lang[e1]);
          langCount.push(1);
        } else langCount[li]++;
      }
      var index = function (n) {
        return n.map(function (_, i) {
          return String(i);
        });
      };
      options($('filter-tag'), tagsT.name, index(tagsT.name), tagCount);
      options($('filter-source'), sourcesT.name, index(sourcesT.name), sourceCount);
      var names = null;
      try {
        names = new Intl.DisplayNames([S.lang], { type: 'language' });
      } catch (err) {
        names = null;
      }
      options(
        $('filter-lang'),
        langs.map(function (l) {
          var n = null;
          try {
            n = names && names.of(l);
          } catch (err) {
            n = null;
          }
          return n && n !== l ? n : l;
        }),
        langs,
        langCount
      );
      var datalist = $('filter-places');
      var byEvents = pl.name.map(function (_, k) {
        return k;
      });
      byEvents.sort(function (a, b) {
        return eventsAt[b] - eventsAt[a] || a - b;
      });
      byEvents.forEach(function (k) {
        if (!(pl.name[k] in placeByLabel)) placeByLabel[pl.name[k]] = k;
      });
      var labels = {};
      byEvents.forEach(function (k) {
        labels[placeLabel(k)] = k;
        datalist.appendChild(el('option', { value: placeLabel(k) }));
      });
      var pick = function (id, key, parse) {
        $(id).addEventListener('change', function () {
          var f = {};
          f[key] = this.value === '' ? null : parse(this.value);
          setFilters(f);
        });
      };
      pick('filter-tag', 'tag', Number);
      pick('filter-source', 'source', Number);
      pick('filter-lang', 'lang', String);
      $('filter-place').addEventListener('change', function () {
        var v = this.value.trim();
        if (v === '') return setFilters({ place: null });
        if (v in labels) return setFilters({ place: labels[v] });
        // a name typed without choosing: the most named place of that name
        var lower = v.toLowerCase();
        for (var i = 0; i < byEvents.length; i++) {
          if (pl.name[byEvents[i]].toLowerCase() === lower) return setFilters({ place: byEvents[i] });
        }
        showFilters();
      });
      $('filter-clear').addEventListener('click', function () {
        setFilters({ tag: null, source: null, lang: null, place: null });
      });
      form.addEventListener('submit', function (e) {
        e.preventDefault();
      });
      form.hidden = false;
    }

    if (fromIn) {
      $('range-controls').hidden = false;
      // the handles are inset by half a bar (gazette.css): the stylesheet needs the count
      $('range-controls').querySelector('.dual-range').style.setProperty('--bins', String(nBins));
      fromIn.addEventListener('input', function () {
        onSlide('from');
      });
      toIn.addEventListener('input', function () {
        onSlide('to');
      });
      playBtn.addEventListener('click', play);
      $('reset').addEventListener('click', function () {
        stop();
        setRange(0, nBins - 1);
      });
      brush();
    }
    window.addEventListener('hashchange', function () {
      var h = readHash();
      var same = h.tag === filter.tag && h.source === filter.source && h.lang === filter.lang && h.place === filter.place;
      if (h.from !== state.from || h.to !== state.to || h.event !== state.event || !same) restore();
    });
    gz.points = nPoints;
    gz.events = nEvents;
    restore();
    gz.ready = true;
  }

  // -- search: the box in every page's header, and the search page (src/site/render/search.rs
  // says how the index is laid out)
  function shardOf(word, n) {
    var bytes = new TextEncoder().encode(Array.from(word).slice(0, 2).join(''));
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul((h ^ bytes[i]) >>> 0, 0x01000193) >>> 0;
    return h % n;
  }
  // a query's words in the index's key form: the index's own folding table, then accents
  function foldWords(q, fold) {
    var out = '';
    Array.from(String(q).normalize('NFKC').toLowerCase()).forEach(function (c) {
      out += Object.prototype.hasOwnProperty.call(fold, c) ? fold[c] : c;
    });
    out = out.normalize('NFD').replace(/\p{M}/gu, '');
    out = out.replace(/(\p{L})['\u2019`](?=\p{L})/gu, '$1');
    return out.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  // the consonant skeleton of an Arabic-script word (search.rs: skeleton): كابول, كابل → ~كبل
  function skeleton(w) {
    var c = Array.from(w);
    if (!c.length || !c.every(function (x) {
      return x >= '\u0600' && x <= '\u06ff';
    })) return null;
    var out = '~' + c[0] + c.slice(1).filter(function (x) {
      return x !== 'ا' && x !== 'و' && x !== 'ي';
    }).join('');
    return Array.from(out).length >= 3 && Array.from(out).length - 1 < c.length ? out : null;
  }
  gz.foldWords = foldWords;
  gz.shardOf = shardOf;

  function initSearch() {
    var cache = {};
    function load(url) {
      if (!cache[url]) {
        cache[url] = fetch(url).then(function (r) {
          if (!r.ok) throw new Error(url + ': ' + r.status);
          return r.json();
        });
      }
      return cache[url];
    }
    var form = document.getElementById('search-form'),
      input = document.getElementById('search-q'),
      status = document.getElementById('search-status'),
      list = document.getElementById('search-results'),
      moreBtn = document.getElementById('search-more');
    var PAGE = 20;
    var found = [],
      shown = 0,
      words = [],
      run = 0,
      meta = null;
    form.hidden = false;

    // the events with every word (the last one also as a prefix while typing), best first
    function query(q) {
      var mine = ++run;
      return load(root + 'search/meta.json').then(function (m) {
        meta = m;
        var all = foldWords(q, m.fold);
        words = all.filter(function (w) {
          return m.common.indexOf(w) < 0 && (Array.from(w).length >= 2 || /^[0-9]+$/.test(w));
        });
        if (!words.length) return { mine: mine, short: all.length > 0 || q.trim() !== '', events: [] };
        var prefix = !/\s$/.test(q);
        var shardFile = function (w) {
          return load(root + 'search/idx/' + ('0' + shardOf(w, m.shards).toString(16)).slice(-2) + '.json');
        };
        var skeletons = words.map(skeleton);
        var skeletonShards = [];
        return Promise.all(
          skeletons.map(function (s, k) {
            return s
              ? shardFile(s).then(function (x) {
                  skeletonShards[k] = x;
                })
              : null;
          })
        ).then(function () {
          return Promise.all(words.map(shardFile));
        }).then(function (shards) {
          var score = null;
          words.forEach(function (w, k) {
            var keys = [w];
            if (prefix && k === words.length - 1) {
              keys = Object.keys(shards[k])
                .filter(function (x) {
                  return x.indexOf(w) === 0;
                })
                .slice(0, 300);
            }
            var mineScore = new Map();
            var add = function (post, bonus) {
              [3, 1].forEach(function (weight, field) {
                var id = 0;
                post[field].forEach(function (gap) {
                  id += gap;
                  mineScore.set(id, Math.max(mineScore.get(id) || 0, weight + bonus));
                });
              });
            };
            keys.forEach(function (key) {
              if (shards[k][key]) add(shards[k][key], key === w ? 0.5 : 0);
            });
            // another spelling of an Arabic-script word: a weaker match
            if (skeletons[k] && skeletonShards[k][skeletons[k]]) add(skeletonShards[k][skeletons[k]], -0.5);
            if (score === null) score = mineScore;
            else {
              var next = new Map();
              score.forEach(function (v, id) {
                if (mineScore.has(id)) next.set(id, v + mineScore.get(id));
              });
              score = next;
            }
          });
          var events = Array.from(score.keys());
          events.sort(function (a, b) {
            return score.get(b) - score.get(a) || b - a;
          });
          return { mine: mine, events: events };
        });
      });
    }

    // text with the query's words marked: whole words whose key form is a query word,
    // or ends with one after an Arabic proclitic, or (the last word) starts with it
    function marked(text) {
      var frag = document.createDocumentFragment();
      var re = /[\p{L}\p{N}\p{M}'\u2019]+/gu,
        last = 0,
        m;
      while ((m = re.exec(text))) {
        var key = foldWords(m[0], meta.fold).join('');
        var hit = words.some(function (w, k) {
          if (key === w) return true;
          if (skeleton(w) !== null && skeleton(w) === skeleton(key)) return true;
          if (k === words.length - 1 && key.indexOf(w) === 0) return true;
          return /^[\u0600-\u06ff]/.test(w) && key.length - w.length <= 3 && key.slice(-w.length) === w && key.length > w.length;
        });
        if (!hit) continue;
        frag.appendChild(document.createTextNode(text.slice(last, m.index)));
        frag.appendChild(el('mark', null, m[0]));
        last = m.index + m[0].length;
      }
      frag.appendChild(document.createTextNode(text.slice(last)));
      return frag;
    }

    // about 220 characters of the event's text around the first word found
    function snippet(text) {
      var re = /[\p{L}\p{N}\p{M}'\u2019]+/gu,
        m,
        at = -1;
      while ((m = re.exec(text)) && at < 0) {
        var key = foldWords(m[0], meta.fold).join('');
        if (
          words.some(function (w) {
            return (
              key === w ||
              key.indexOf(w) === 0 ||
              (key.length > w.length && key.slice(-w.length) === w) ||
              (skeleton(w) !== null && skeleton(w) === skeleton(key))
            );
          })
        )
          at = m.index;
      }
      var from = at < 0 ? 0 : Math.max(0, text.lastIndexOf(' ', Math.max(0, at - 90)));
      var to = Math.min(text.length, from + 220);
      var cut = text.indexOf(' ', to);
      if (cut > 0 && cut < to + 30) to = cut;
      return (from > 0 ? '… ' : '') + text.slice(from, to).trim() + (to < text.length ? ' …' : '');
    }

    function show(res) {
      var n = res.events.length;
      var take = res.events.slice(shown, shown + PAGE);
      shown += take.length;
      moreBtn.hidden = shown >= n;
      var chunks = {};
      take.forEach(function (e) {
        chunks[Math.floor(e / meta.chunk)] = true;
      });
      return Promise.all(
        Object.keys(chunks).map(function (c) {
          return load(root + 'search/docs/' + c + '.json').then(function (d) {
            return [+c, d];
          });
        })
      ).then(function (docs) {
        var byChunk = {};
        docs.forEach(function (x) {
          byChunk[x[0]] = x[1];
        });
        take.forEach(function (e) {
          var d = byChunk[Math.floor(e / meta.chunk)],
            j = e % meta.chunk;
          var li = el('li', { dir: 'auto' });
          var h = el('p', { class: 'result-title' });
          var a = el('a', { href: root + 'events/' + d.slug[j] + '/', lang: d.lang[j], dir: dirOf(d.lang[j]) });
          a.appendChild(marked(d.title[j]));
          h.appendChild(a);
          li.appendChild(h);
          var metaLine = el('p', { class: 'result-meta' });
          metaLine.appendChild(el('time', d.date[j] ? { datetime: d.date[j] } : null, d.date[j] ? day(d.date[j]) : t('undated')));
          if (d.place[j]) {
            metaLine.appendChild(document.createTextNode(' · '));
            metaLine.appendChild(marked(d.place[j]));
          }
          li.appendChild(metaLine);
          var snip = el('p', { class: 'snippet', lang: d.lang[j], dir: dirOf(d.lang[j]) });
          if (d.summary[j]) snip.appendChild(marked(d.summary[j]));
          li.appendChild(snip);
          list.appendChild(li);
          // the event page itself gives the snippet: the index keeps no copy of the text
          fetch(root + 'events/' + d.slug[j] + '/')
            .then(function (r) {
              return r.ok ? r.text() : '';
            })
            .then(function (html) {
              var body = new DOMParser().parseFromString(html, 'text/html').querySelector('.event .body');
              var text = body ? body.textContent.replace(/\s+/g, ' ').trim() : '';
              if (text) snip.replaceChildren(marked(snippet(text)));
            })
            .catch(function () {});
        });
        gz.results = n;
        gz.shown = shown;
        gz.ready = true;
      });
    }

    var last = null;
    function search(q) {
      shown = 0;
      list.replaceChildren();
      moreBtn.hidden = true;
      gz.ready = false;
      try {
        history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname);
      } catch (err) {
        // file:// may refuse
      }
      if (!q.trim()) {
        status.textContent = '';
        gz.results = 0;
        gz.ready = true;
        return;
      }
      query(q)
        .then(function (res) {
          if (res.mine !== run) return;
          last = res;
          if (res.short) status.textContent = t('search_short');
          else if (!res.events.length) status.textContent = t('search_none', { q: q.trim() });
          else status.textContent = tn('search_found', res.events.length, { q: q.trim() });
          if (!res.events.length) {
            gz.results = 0;
            gz.ready = true;
            return;
          }
          return show(res);
        })
        .catch(function (err) {
          status.textContent = t('search_failed');
          console.warn('gazette: search', err);
          gz.ready = true;
        });
    }
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        search(input.value);
      }, 200);
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearTimeout(timer);
      search(input.value);
    });
    moreBtn.addEventListener('click', function () {
      if (last) show(last);
    });
    var q = new URLSearchParams(location.search).get('q') || '';
    input.value = q;
    search(q);
  }

  function start() {
    document.querySelectorAll('form.site-search').forEach(function (f) {
      f.hidden = false;
    });
    try {
      if (gz.page === 'search') return initSearch();
      if (gz.page === 'index') {
        if (window.gazetteData) return initIndex(window.gazetteData);
        fetch(root + 'data/events.json')
          .then(function (r) {
            return r.json();
          })
          .then(initIndex)
          .catch(function (err) {
            console.warn('gazette: no event data', err);
          });
      } else if (gz.page === 'event' || gz.page === 'place' || gz.page === 'term') {
        initSmallMap();
      } else {
        gz.ready = true;
      }
    } catch (err) {
      var box = document.getElementById('map');
      var fallback = document.getElementById('fallback-map');
      if (box) box.hidden = true;
      if (fallback) fallback.hidden = false;
      console.warn('gazette: the interactive map failed, the SVG map stays', err);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
