// Scripted visits of a web page that loads Amplitude's Browser SDK (@amplitude/analytics-browser's
// amplitude-min.js, served here, nothing fetched from the network) in Debian's Chromium, driven by
// playwright-core. The page is served from its own 127.0.0.1 origin, so the SDK's uploads to the
// server are cross-origin (CORS preflights). Each visit is a fresh browser profile (a new device)
// that tracks events at an interval; prints one JSON line per track() with what the SDK reported.
//
//   node browser-visits.js --server http://127.0.0.1:8080/2/httpapi [--api-key KEY] [--visits 3]
//     [--events 10] [--interval-ms 100] [--prefix web] [--session-timeout-ms 1800000]
//     [--chromium /usr/bin/chromium] [--story FILE]
//
// With --story, each visit follows a script instead: FILE holds a JSON array of visits, each
// {"deviceId", "userId" (optional), "delayMs" (optional: opens the page that much later),
// "clockSkewMs" (optional: the page's clock runs that far ahead from the start), "steps": [...]},
// a step one of {"track": N, "intervalMs": MS}, {"login": USER} (setUserId), {"logout": true}
// (setUserId(undefined): the device stays), {"waitMs": MS}, {"reset": true} (a new device id, as
// after logout), {"skipMs": MS} (the page's clock jumps ahead, as if the tab had slept that long),
// {"reload": true} (the page loads again and the SDK starts anew from what it stored).
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const { options } = require('./options');

const BUNDLE = path.join(
  __dirname, 'node_modules', '@amplitude', 'analytics-browser', 'lib', 'scripts', 'amplitude-min.js');
// the page's clock: the real one plus a skew a step can move ahead (see --story's skipMs), for
// Date.now() and new Date() alike (the SDK takes session ids from one, event times from the other)
const CLOCK = '(() => { const Real = Date; const now = Real.now.bind(Real); window.skewMs = 0;'
  + ' class Skewed extends Real {'
  + ' constructor(...a) { if (a.length === 0) super(now() + window.skewMs); else super(...a); }'
  + ' static now() { return now() + window.skewMs; } }'
  + ' window.Date = Skewed; })();';
const PAGE = '<!doctype html><html><head><title>shop</title>'
  + `<script>${CLOCK}</script>`
  + '<script src="/amplitude-min.js"></script></head><body>shop</body></html>';

function servePage() {
  const server = http.createServer((req, res) => {
    if (req.url === '/amplitude-min.js') {
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      fs.createReadStream(BUNDLE).pipe(res);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(PAGE);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Runs in the page: init, then the visit's steps (or its track() calls), then a flush; returns
// what the SDK said of each track().
async function visit(v) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  window.skewMs = v.clockSkewMs;
  await amplitude.init(v.key, v.userId, {
    serverUrl: v.server,
    deviceId: v.deviceId,
    fetchRemoteConfig: false,
    enableDiagnostics: false,
    flushIntervalMillis: 200,
    flushQueueSize: 10,
    flushMaxRetries: v.maxRetries,
    sessionTimeout: v.sessionTimeout,
    logLevel: 1,
    autocapture: {
      sessions: true, pageViews: false, formInteractions: false, fileDownloads: false,
      elementInteractions: false, attribution: false,
    },
  }).promise;
  const tracked = [];
  const steps = v.steps || [{ track: v.events, intervalMs: v.interval }];
  let n = 0;
  for (const step of steps) {
    if (step.login) amplitude.setUserId(step.login);
    if (step.logout) amplitude.setUserId(undefined);
    if (step.reset) amplitude.reset();
    if (step.waitMs) await sleep(step.waitMs);
    if (step.skipMs) window.skewMs += step.skipMs;
    for (let i = 0; i < (step.track || 0); i++, n++) {
      tracked.push(amplitude.track(`${v.prefix}_event_${n % 4}`, { step: n }).promise);
      await sleep(step.intervalMs);
    }
  }
  const results = await Promise.all(tracked);
  await amplitude.flush().promise;
  return results.map((r) => ({
    code: r.code, message: r.message, insert_id: r.event.insert_id, device_id: r.event.device_id,
    user_id: r.event.user_id, event_type: r.event.event_type, time: r.event.time,
    session_id: r.event.session_id,
  }));
}

async function main() {
  const o = options(process.argv.slice(2), {
    server: null, 'api-key': 'sessionflow-test', visits: 3, events: 10, 'interval-ms': 100,
    prefix: 'web', 'session-timeout-ms': 30 * 60 * 1000, 'max-retries': 30,
    chromium: '/usr/bin/chromium', story: '',
  });
  const story = o.story ? JSON.parse(fs.readFileSync(o.story, 'utf8')) : null;
  const count = story ? story.length : Number(o.visits);
  const page = await servePage();
  const origin = `http://127.0.0.1:${page.address().port}/`;
  const browser = await chromium.launch({
    executablePath: o.chromium,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const visits = [];
    for (let n = 0; n < count; n++) {
      visits.push((async () => {
        if (story && story[n].delayMs) await new Promise((r) => setTimeout(r, story[n].delayMs));
        const context = await browser.newContext();
        const tab = await context.newPage();
        tab.on('pageerror', (e) => console.error(`page error: ${e}`));
        await tab.goto(origin);
        // the steps between reloads run in one page each
        const pages = [[]];
        for (const step of (story ? story[n].steps : [])) {
          if (step.reload) pages.push([]);
          else pages[pages.length - 1].push(step);
        }
        const results = [];
        for (let p = 0; p < pages.length; p++) {
          if (p > 0) await tab.reload();
          results.push(...await tab.evaluate(visit, {
            key: o['api-key'], server: o.server, prefix: o.prefix,
            deviceId: story ? story[n].deviceId : `${o.prefix}-device-${n}`,
            userId: story ? story[n].userId : (n % 2 === 0 ? `${o.prefix}-user-${n}` : undefined),
            steps: story ? pages[p] : undefined,
            clockSkewMs: story ? story[n].clockSkewMs || 0 : 0,
            events: Number(o.events), interval: Number(o['interval-ms']),
            sessionTimeout: Number(o['session-timeout-ms']), maxRetries: Number(o['max-retries']),
          }));
        }
        await context.close();
        return results;
      })());
    }
    for (const r of (await Promise.all(visits)).flat()) console.log(JSON.stringify(r));
  } finally {
    await browser.close();
    page.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
