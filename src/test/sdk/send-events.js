// Sends events through Amplitude's Node SDK (@amplitude/analytics-node) to an HTTP V2 endpoint,
// as a server-side app would: a few devices at once, each tracking events at an interval.
// Prints one JSON line per track() with what the SDK reported (code, insert_id, ids, time).
//
//   node send-events.js --server http://127.0.0.1:8080/2/httpapi [--api-key KEY] [--devices 3]
//     [--events 20] [--interval-ms 100] [--prefix node] [--max-retries 30] [--session-id ID]
//
// --session-id gives every event that session_id (-1: out of session, as server-side events
// that must not touch a session); without it the events carry none, as the Node SDK sends them.
'use strict';
const { createInstance } = require('@amplitude/analytics-node');
const { options } = require('./options');

async function main() {
  const o = options(process.argv.slice(2), {
    server: null, 'api-key': 'sessionflow-test', devices: 3, events: 20, 'interval-ms': 100,
    prefix: 'node', 'max-retries': 30, 'session-id': '',
  });
  const client = createInstance();
  await client.init(o['api-key'], {
    serverUrl: o.server,
    flushIntervalMillis: 200,
    flushQueueSize: 10,
    flushMaxRetries: Number(o['max-retries']),
    logLevel: 1, // errors only: the results are on stdout
  }).promise;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const device = async (d) => {
    const ids = { device_id: `${o.prefix}-device-${d}`, user_id: `${o.prefix}-user-${d}` };
    if (o['session-id'] !== '') ids.session_id = Number(o['session-id']);
    const tracked = [];
    for (let i = 0; i < Number(o.events); i++) {
      tracked.push(client.track(`${o.prefix}_event_${i % 4}`, { step: i }, ids).promise);
      await sleep(Number(o['interval-ms']));
    }
    return Promise.all(tracked);
  };
  const devices = [];
  for (let d = 0; d < Number(o.devices); d++) devices.push(device(d));
  const results = (await Promise.all(devices)).flat();
  await client.flush().promise;
  for (const r of results) {
    const e = r.event;
    console.log(JSON.stringify({
      code: r.code, message: r.message, insert_id: e.insert_id, device_id: e.device_id,
      user_id: e.user_id, event_type: e.event_type, time: e.time, session_id: e.session_id,
    }));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
