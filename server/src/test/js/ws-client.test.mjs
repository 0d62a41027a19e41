// Unit tests of the browser client's logic with a fake WebSocket and fake timers:
//   node --test server/src/test/js/
// (the browser tests in BrowserClientIT run it against real nodes).
import test from 'node:test';
import assert from 'node:assert/strict';
import { WsClient, retryFor, backoffDelay, nodeOfConnection, authCheckUrlFor, DEFAULT_OPTIONS }
  from '../../main/resources/web/client/ws-client.js';

class FakeTimers {
  constructor() { this.now = 0; this.queue = []; this.seq = 0; }
  setTimeout(fn, ms) { const t = { at: this.now + ms, fn, id: this.seq++ }; this.queue.push(t); return t; }
  clearTimeout(t) { this.queue = this.queue.filter((q) => q !== t); }
  /** Runs every timer due within `ms`. */
  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > until) break;
      this.queue.shift();
      this.now = next.at;
      next.fn();
    }
    this.now = until;
  }
  pendingDelays() { return this.queue.map((t) => t.at - this.now).sort((a, b) => a - b); }
  /** Runs the next timer (the reconnect), not the later ones (connect timeouts). */
  next() { this.advance(this.pendingDelays()[0]); }
}

function fakeSocketClass() {
  const sockets = [];
  class FakeSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.readyState = 0;
      this.sent = [];
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code, reason) { this.readyState = 3; this.closedWith = { code, reason }; }
    // test side
    open() { this.readyState = 1; this.onopen && this.onopen({}); }
    receive(message) { this.onmessage && this.onmessage({ data: JSON.stringify(message) }); }
    welcome(connectionId, extra = {}) { this.receive({ type: 'welcome', data: { connectionId, userId: 'u1' }, ...extra }); }
    drop(code, reason = '') { this.readyState = 3; this.onclose && this.onclose({ code, reason }); }
    lastSent(type) { return [...this.sent].reverse().find((m) => m.type === type); }
  }
  return { FakeSocket, sockets };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** The network drops socket i (1006); the client's reconnect timer fires and socket i + 1 opens. */
async function reconnect(timers, sockets, i) {
  sockets[i].drop(1006);
  timers.next();
  await flush();
  sockets[i + 1].open();
}

/** The node confirms every subscribe the client sent on `socket`. */
function confirmSubscribes(socket) {
  for (const m of socket.sent.filter((x) => x.type === 'subscribe')) {
    socket.receive({ type: 'subscribed', channel: m.channel, id: m.id });
  }
}

function newClient(options = {}) {
  const timers = new FakeTimers();
  const { FakeSocket, sockets } = fakeSocketClass();
  const client = new WsClient('ws://node.test/ws', {
    WebSocket: FakeSocket, timers, random: () => 0.5, authCheckUrl: null, ...options,
  });
  return { client, timers, sockets };
}

test('close codes decide the retry', () => {
  assert.equal(retryFor(1000, false), 'stop');
  assert.equal(retryFor(1008, false), 'stop');
  assert.equal(retryFor(4002, false), 'stop');
  assert.equal(retryFor(1012, false), 'fast');
  assert.equal(retryFor(1001, false), 'fast');
  assert.equal(retryFor(4003, false), 'stop');
  assert.equal(retryFor(4003, true), 'fast');
  for (const code of [1006, 1011, 1013, 4000, 4001, 4005, 4029]) assert.equal(retryFor(code, true), 'backoff');
});

test('full jitter stays under a doubling ceiling', () => {
  const o = { initialDelayMs: 500, maxDelayMs: 30000 };
  assert.equal(backoffDelay(0, o, () => 0.999), 499);
  assert.equal(backoffDelay(3, o, () => 0.999), 3996);
  assert.equal(backoffDelay(20, o, () => 0.999), 29970);
  assert.equal(backoffDelay(5, o, () => 0), 0);
});

test('helpers', () => {
  assert.equal(nodeOfConnection('ws_k3j9x0a1b2_Q8aZ'), 'k3j9x0a1b2');
  assert.equal(nodeOfConnection('ws_n0-abc_def_Q8aZ'), 'n0-abc_def');
  assert.equal(nodeOfConnection('nope'), null);
  assert.equal(authCheckUrlFor('wss://h.example:8443/ws?x=1'), 'https://h.example:8443/api/v1/auth/check');
});

test('token goes in the bearer subprotocol; subscriptions wait for welcome and resolve on subscribed', async () => {
  const { client, sockets } = newClient({ token: 'T1' });
  assert.deepEqual(sockets[0].protocols, ['bearer', 'T1']);
  const states = [];
  client.on('state', (e) => states.push(e.state));
  const subscribed = client.subscribe('news');
  sockets[0].open();
  assert.equal(sockets[0].sent.length, 0, 'nothing before welcome');
  sockets[0].welcome('ws_nodeA_x1');
  const sub = sockets[0].lastSent('subscribe');
  assert.equal(sub.channel, 'news');
  sockets[0].receive({ type: 'subscribed', channel: 'news', id: sub.id });
  const reply = await subscribed;
  assert.equal(reply.channel, 'news');
  assert.equal(client.state, 'open');
  assert.equal(client.nodeId, 'nodeA');
  assert.deepEqual(states, ['open']);
});

test('handlers per channel and per type; requests settle by id', async () => {
  const { client, sockets } = newClient();
  sockets[0].open();
  sockets[0].welcome('ws_nodeA_x1');
  const onNews = [];
  const onAlert = [];
  client.subscribe('news', (m) => onNews.push(m));
  client.onType('alert', (m) => onAlert.push(m));
  const sub = sockets[0].lastSent('subscribe');
  sockets[0].receive({ type: 'subscribed', channel: 'news', id: sub.id });
  sockets[0].receive({ type: 'story', channel: 'news', n: 1 });
  sockets[0].receive({ type: 'alert', channel: 'other' });
  assert.equal(onNews.length, 1);
  assert.equal(onAlert.length, 1);

  const ping = client.ping();
  sockets[0].receive({ type: 'pong', id: sockets[0].lastSent('ping').id });
  assert.equal((await ping).type, 'pong');

  const refused = client.subscribe('admin:x');
  sockets[0].receive({ type: 'error', code: 'forbidden', message: 'no', id: sockets[0].lastSent('subscribe').id });
  await assert.rejects(refused, (e) => e.code === 'forbidden');
  assert.deepEqual(client.channels.map((c) => c.channel), ['news'], 'a refused channel is forgotten');
});

test('a 1012 drain reconnects fast with a fresh token and restores channels with since', async () => {
  let n = 0;
  const { client, timers, sockets } = newClient({ getToken: () => 'T' + (++n) });
  await flush();
  assert.deepEqual(sockets[0].protocols, ['bearer', 'T1']);
  sockets[0].open();
  sockets[0].welcome('ws_nodeA_x1');
  client.subscribe('plain');
  client.subscribe('hist');
  confirmSubscribes(sockets[0]);
  sockets[0].receive({ type: 'x', channel: 'hist', offset: 7, epoch: 'e1' });
  const reconnected = new Promise((resolve) => client.on('reconnected', resolve));

  sockets[0].drop(1012, 'service restart');
  assert.equal(client.state, 'reconnecting');
  assert.ok(timers.pendingDelays()[0] < DEFAULT_OPTIONS.fastRetryMaxMs, 'fast retry');
  timers.advance(1000);
  await flush();
  assert.equal(sockets.length, 2);
  assert.deepEqual(sockets[1].protocols, ['bearer', 'T2'], 'fresh token on reconnect');
  sockets[1].open();
  sockets[1].welcome('ws_nodeB_y1');
  const subs = sockets[1].sent.filter((x) => x.type === 'subscribe');
  assert.deepEqual(subs.map((s) => s.channel).sort(), ['hist', 'plain']);
  assert.deepEqual(subs.find((s) => s.channel === 'hist').since, { offset: 7, epoch: 'e1' });
  assert.equal(subs.find((s) => s.channel === 'plain').since, undefined);

  const delivered = [];
  client.onChannel('hist', (m) => delivered.push(m.offset));
  for (const s of subs) {
    sockets[1].receive({ type: 'subscribed', channel: s.channel, id: s.id,
      ...(s.channel === 'hist' ? { recovered: true, position: { offset: 9, epoch: 'e1' } } : {}) });
  }
  sockets[1].receive({ type: 'x', channel: 'hist', offset: 7, epoch: 'e1' }); // duplicate: dropped
  sockets[1].receive({ type: 'x', channel: 'hist', offset: 8, epoch: 'e1' });
  sockets[1].receive({ type: 'x', channel: 'hist', offset: 9, epoch: 'e1' });
  assert.deepEqual(delivered, [8, 9]);
  const event = await reconnected;
  assert.equal(event.nodeId, 'nodeB');
  assert.equal(client.reconnects, 1);
});

test('recovered:false tells the application to reload', async () => {
  const { client, timers, sockets } = newClient();
  sockets[0].open();
  sockets[0].welcome('ws_a_1');
  client.subscribe('hist');
  sockets[0].receive({ type: 'subscribed', channel: 'hist', id: sockets[0].lastSent('subscribe').id,
    position: { offset: 3, epoch: 'e1' } });
  await reconnect(timers, sockets, 0);
  sockets[1].welcome('ws_b_1');
  const s = sockets[1].lastSent('subscribe');
  assert.deepEqual(s.since, { offset: 3, epoch: 'e1' });
  const unrecovered = [];
  client.on('unrecovered', (e) => unrecovered.push(e));
  sockets[1].receive({ type: 'subscribed', channel: 'hist', id: s.id, recovered: false, position: { offset: 0, epoch: 'e2' } });
  assert.deepEqual(unrecovered, [{ channel: 'hist', position: { offset: 0, epoch: 'e2' } }]);
});

test('resume when the last welcome offered it; fall back to subscribe when refused or partial', async () => {
  const { client, timers, sockets } = newClient();
  sockets[0].open();
  sockets[0].welcome('ws_a_1', { resumeToken: 'R1' });
  client.subscribe('a');
  client.subscribe('b');
  client.subscribe('c');
  confirmSubscribes(sockets[0]);
  sockets[0].receive({ type: 'x', channel: 'a', offset: 4, epoch: 'E' });

  await reconnect(timers, sockets, 0);
  sockets[1].welcome('ws_b_1', { resumeToken: 'R2' });
  const resume = sockets[1].lastSent('resume');
  assert.equal(resume.token, 'R1');
  assert.deepEqual(resume.positions, { a: { offset: 4, epoch: 'E' } });
  assert.equal(sockets[1].lastSent('subscribe'), undefined, 'no subscribe while resuming');
  sockets[1].receive({ type: 'subscribed', channel: 'a', recovered: true, position: { offset: 4, epoch: 'E' } });
  sockets[1].receive({ type: 'subscribed', channel: 'b' });
  sockets[1].receive({ type: 'resumed', channels: ['a', 'b'] });
  assert.deepEqual(sockets[1].sent.filter((x) => x.type === 'subscribe').map((x) => x.channel), ['c']);

  await reconnect(timers, sockets, 1);
  sockets[2].welcome('ws_c_1');
  assert.equal(sockets[2].lastSent('resume').token, 'R2');
  sockets[2].receive({ type: 'error', code: 'resume_refused', id: sockets[2].lastSent('resume').id });
  assert.deepEqual(sockets[2].sent.filter((x) => x.type === 'subscribe').map((x) => x.channel).sort(), ['a', 'b', 'c']);
});

test('a socket taken over by a resume elsewhere (4005) comes back without resuming its used token', async () => {
  const { client, timers, sockets } = newClient();
  sockets[0].open();
  sockets[0].welcome('ws_a_1', { resumeToken: 'R1' });
  client.subscribe('a');
  confirmSubscribes(sockets[0]);
  sockets[0].receive({ type: 'x', channel: 'a', offset: 4, epoch: 'E' });

  sockets[0].drop(4005, 'session resumed elsewhere');
  assert.equal(client.state, 'reconnecting');
  timers.next();
  await flush();
  sockets[1].open();
  sockets[1].welcome('ws_b_1', { resumeToken: 'R2' });
  assert.equal(sockets[1].lastSent('resume'), undefined, 'R1 is used: no resume with it');
  assert.deepEqual(sockets[1].lastSent('subscribe').since, { offset: 4, epoch: 'E' });

  await reconnect(timers, sockets, 1);
  sockets[2].welcome('ws_c_1');
  assert.equal(sockets[2].lastSent('resume').token, 'R2', 'its own new session resumes as usual');
});

test('a resume answered by another error (unavailable: Redis failed it) falls back to subscribe too', async () => {
  const { client, timers, sockets } = newClient();
  sockets[0].open();
  sockets[0].welcome('ws_a_1', { resumeToken: 'R1' });
  client.subscribe('hist');
  client.subscribe('plain');
  confirmSubscribes(sockets[0]);
  sockets[0].receive({ type: 'x', channel: 'hist', offset: 4, epoch: 'E' });
  const reconnected = [];
  client.on('reconnected', (e) => reconnected.push(e.channels));

  await reconnect(timers, sockets, 0);
  sockets[1].welcome('ws_b_1', { resumeToken: 'R2' });
  const resume = sockets[1].lastSent('resume');
  // What ResumeService answers when Redis fails the resume; also the message of a transient error.
  sockets[1].receive({ type: 'error', code: 'unavailable', message: 'Resume failed, try again', id: resume.id });
  const subscribes = sockets[1].sent.filter((x) => x.type === 'subscribe');
  assert.deepEqual(subscribes.map((x) => x.channel).sort(), ['hist', 'plain'], 'the channels are not left unrestored');
  assert.deepEqual(subscribes.find((x) => x.channel === 'hist').since, { offset: 4, epoch: 'E' }, 'with recovery');
  confirmSubscribes(sockets[1]);
  await flush();
  assert.deepEqual(reconnected, [['hist', 'plain']]);
  assert.deepEqual(client.channels.map((c) => c.status), ['active', 'active']);
});

test('a channel unsubscribed while disconnected is unsubscribed again when a resume brings it back', async () => {
  const { client, timers, sockets } = newClient();
  sockets[0].open();
  sockets[0].welcome('ws_a_1', { resumeToken: 'R1' });
  client.subscribe('keep');
  client.subscribe('drop');
  confirmSubscribes(sockets[0]);
  sockets[0].drop(1006);
  assert.equal(await client.unsubscribe('drop'), null, 'offline: forgotten at once');
  timers.next();
  await flush();
  sockets[1].open();
  sockets[1].welcome('ws_b_1', { resumeToken: 'R2' });
  // The old connection still had both channels: the node restores both.
  sockets[1].receive({ type: 'subscribed', channel: 'keep' });
  sockets[1].receive({ type: 'subscribed', channel: 'drop' });
  sockets[1].receive({ type: 'resumed', channels: ['keep', 'drop'], id: sockets[1].lastSent('resume').id });
  const unsubscribe = sockets[1].sent.filter((x) => x.type === 'unsubscribe');
  assert.deepEqual(unsubscribe.map((x) => x.channel), ['drop']);
  const events = [];
  client.on('unsubscribed', (e) => events.push(e));
  sockets[1].receive({ type: 'unsubscribed', channel: 'drop', id: unsubscribe[0].id });
  assert.deepEqual(events, [], 'the reply is not taken for an unsubscribe by the server');
  assert.deepEqual(client.channels.map((c) => c.channel), ['keep']);

  await reconnect(timers, sockets, 1);
  sockets[2].welcome('ws_c_1', { resumeToken: 'R3' });
  sockets[2].receive({ type: 'resumed', channels: ['keep'], id: sockets[2].lastSent('resume').id });
  assert.equal(sockets[2].lastSent('unsubscribe'), undefined, 'done once');
});

test('a backend-made subscription is not re-subscribed, but its position goes into the resume', async () => {
  const { client, timers, sockets } = newClient();
  const events = [];
  client.on('subscribed', (e) => events.push(e));
  sockets[0].open();
  sockets[0].welcome('ws_a_1', { resumeToken: 'R1' });
  sockets[0].receive({ type: 'subscribed', channel: 'srv', by: 'server', position: { offset: 7, epoch: 'E' } });
  sockets[0].receive({ type: 'subscribed', channel: 'srv2', by: 'server' });
  sockets[0].receive({ type: 'x', channel: 'srv2', offset: 3, epoch: 'F' });
  assert.deepEqual(events.map((e) => e.by), ['server', 'server']);

  await reconnect(timers, sockets, 0);
  sockets[1].welcome('ws_b_1', { resumeToken: 'R2' });
  const resume = sockets[1].lastSent('resume');
  assert.equal(resume.token, 'R1', 'resumes although the client itself subscribed to nothing');
  assert.deepEqual(resume.positions, { srv: { offset: 7, epoch: 'E' }, srv2: { offset: 3, epoch: 'F' } });
  sockets[1].receive({ type: 'subscribed', channel: 'srv', recovered: true, position: { offset: 9, epoch: 'E' } });
  sockets[1].receive({ type: 'resumed', channels: ['srv'] });
  assert.equal(sockets[1].lastSent('subscribe'), undefined, 'a backend-made channel is never subscribed by the client');
  sockets[1].receive({ type: 'x', channel: 'srv', offset: 8, epoch: 'E' });

  await reconnect(timers, sockets, 1);
  sockets[2].welcome('ws_c_1', { resumeToken: 'R3' });
  assert.deepEqual(sockets[2].lastSent('resume').positions, { srv: { offset: 8, epoch: 'E' } },
    'srv2 was not restored by the last resume, so it is forgotten');
  sockets[2].receive({ type: 'error', code: 'resume_refused', id: sockets[2].lastSent('resume').id });
  await reconnect(timers, sockets, 2);
  sockets[3].welcome('ws_d_1');
  assert.equal(sockets[3].lastSent('resume'), undefined, 'a refused resume leaves nothing to resume');
});

test('a history channel a route subscribed on connect gives its position to the resume', async () => {
  const { client, timers, sockets } = newClient();
  const alerts = [];
  const unrecovered = [];
  client.onType('system_alert', (m) => alerts.push(m.offset));
  client.on('unrecovered', (e) => unrecovered.push(e.channel));
  sockets[0].open();
  sockets[0].welcome('ws_a_1', { resumeToken: 'R1' });
  sockets[0].receive({ type: 'system_alert', channel: 'reports:alerts', offset: 5, epoch: 'E' });

  await reconnect(timers, sockets, 0);
  sockets[1].welcome('ws_b_1', { resumeToken: 'R2' });
  const resume = sockets[1].lastSent('resume');
  assert.equal(resume.token, 'R1', 'resumes although the client itself subscribed to nothing');
  assert.deepEqual(resume.positions, { 'reports:alerts': { offset: 5, epoch: 'E' } });
  sockets[1].receive({ type: 'subscribed', channel: 'reports:alerts', recovered: true, position: { offset: 7, epoch: 'E' } });
  for (const offset of [5, 6, 7]) {
    sockets[1].receive({ type: 'system_alert', channel: 'reports:alerts', offset, epoch: 'E' });
  }
  sockets[1].receive({ type: 'resumed', channels: ['reports:alerts'], id: resume.id });
  assert.deepEqual(alerts, [5, 6, 7], 'the one seen before the break is not delivered twice');
  assert.equal(sockets[1].lastSent('subscribe'), undefined, 'the route subscribes it, never the client');

  await reconnect(timers, sockets, 1);
  sockets[2].welcome('ws_c_1', { resumeToken: 'R3' });
  assert.deepEqual(sockets[2].lastSent('resume').positions, { 'reports:alerts': { offset: 7, epoch: 'E' } });
  sockets[2].receive({ type: 'subscribed', channel: 'reports:alerts', recovered: false, position: { offset: 0, epoch: 'F' } });
  assert.deepEqual(unrecovered, ['reports:alerts'], 'a lost history is reported for it too');
});

test('backoff grows on 4029 and 1006; 1008 stops', async () => {
  const { client, timers, sockets } = newClient({ random: () => 0.999 });
  sockets[0].open();
  sockets[0].welcome('ws_a_1');
  sockets[0].drop(4029);
  assert.equal(timers.pendingDelays()[0], 499);
  timers.advance(499);
  await flush();
  sockets[1].drop(1006);
  await flush();
  assert.equal(timers.pendingDelays()[0], 999);
  timers.advance(999);
  await flush();
  sockets[2].open();
  sockets[2].welcome('ws_a_2');
  sockets[2].drop(1008, 'policy');
  assert.equal(client.state, 'closed');
  assert.equal(timers.queue.length, 0, 'no retry scheduled');
});

test('token_expiring triggers refresh_token with a fresh token', async () => {
  let n = 0;
  const { client, sockets } = newClient({ getToken: async () => 'T' + (++n) });
  await flush();
  sockets[0].open();
  sockets[0].welcome('ws_a_1');
  const refreshed = new Promise((resolve) => client.on('token_refreshed', resolve));
  sockets[0].receive({ type: 'token_expiring', expiresAt: '2030-01-01T00:00:00.000Z' });
  await flush();
  const refresh = sockets[0].lastSent('refresh_token');
  assert.equal(refresh.token, 'T2');
  sockets[0].receive({ type: 'token_refreshed', id: refresh.id, expiresAt: '2030-01-01T01:00:00.000Z' });
  assert.equal((await refreshed).expiresAt, '2030-01-01T01:00:00.000Z');
});

test('a handshake refused for the token stops the client', async () => {
  const saved = globalThis.fetch;
  const asked = [];
  globalThis.fetch = async (url, init) => {
    asked.push([url, init.headers.Authorization]);
    return { status: 401, json: async () => ({ reason: 'token_expired', message: 'expired' }) };
  };
  try {
    const { client, timers, sockets } = newClient({ token: 'BAD', authCheckUrl: 'http://node.test/api/v1/auth/check' });
    const refused = new Promise((resolve) => client.on('refused', resolve));
    sockets[0].drop(1006);
    const event = await refused;
    assert.equal(event.reason, 'token_expired');
    assert.deepEqual(asked, [['http://node.test/api/v1/auth/check', 'Bearer BAD']]);
    assert.equal(client.state, 'closed');
    assert.equal(timers.queue.length, 0);
  } finally {
    globalThis.fetch = saved;
  }
});

test('a failed handshake that fires only error (Node 20 WebSocket) is a close, once', async () => {
  const { client, timers, sockets } = newClient({ random: () => 0.999 });
  const states = [];
  client.on('state', (e) => states.push(e.state));
  sockets[0].onerror({});                 // undici before nodejs/undici#3546: no close event follows
  await flush();
  assert.equal(client.state, 'reconnecting', 'not left waiting for the connect timeout');
  assert.equal(timers.pendingDelays()[0], 499, 'backoff, not the 15 s connect timeout');
  sockets[0].drop(1006);                  // a browser's close after its error: already handled
  await flush();
  assert.deepEqual(states.filter((s) => s === 'reconnecting'), ['reconnecting']);
  assert.equal(timers.queue.length, 1);
});

/** Socket 0 welcomed with a resume token, channels 'hist' (at offset 4) and 'plain', a backend's 'srv'; then dropped and socket 1 welcomed. */
async function resumingClient(options = {}) {
  const { client, timers, sockets } = newClient(options);
  sockets[0].open();
  sockets[0].welcome('ws_a_1', { resumeToken: 'R1' });
  client.subscribe('hist');
  client.subscribe('plain');
  confirmSubscribes(sockets[0]);
  sockets[0].receive({ type: 'x', channel: 'hist', offset: 4, epoch: 'E' });
  sockets[0].receive({ type: 'subscribed', channel: 'srv', by: 'server' });
  const told = [];
  client.onType('error', (m) => told.push(m));
  const reconnected = [];
  client.on('reconnected', (e) => reconnected.push(e.channels));
  await reconnect(timers, sockets, 0);
  sockets[1].welcome('ws_b_1', { resumeToken: 'R2' });
  return { client, timers, sockets, told, reconnected, resume: sockets[1].lastSent('resume') };
}

test('a resume the node never answers is handled as refused after resumeTimeoutMs', async () => {
  const { client, timers, sockets, told, reconnected, resume } = await resumingClient();
  assert.equal(resume.token, 'R1');
  assert.equal(DEFAULT_OPTIONS.resumeTimeoutMs, 10000);
  timers.advance(DEFAULT_OPTIONS.resumeTimeoutMs - 1);
  assert.equal(sockets[1].lastSent('subscribe'), undefined, 'still waiting for the answer');
  assert.deepEqual(told, []);
  timers.advance(1);
  const subscribes = sockets[1].sent.filter((x) => x.type === 'subscribe');
  assert.deepEqual(subscribes.map((x) => x.channel).sort(), ['hist', 'plain'], 'a fresh session: the client subscribes itself');
  assert.deepEqual(subscribes.find((x) => x.channel === 'hist').since, { offset: 4, epoch: 'E' }, 'with recovery');
  assert.deepEqual(told.map((m) => [m.code, m.reason, m.id]), [['resume_refused', 'timeout', resume.id]],
    'the application is told as for a refusal');
  confirmSubscribes(sockets[1]);
  await flush();
  assert.deepEqual(reconnected, [['hist', 'plain']]);
  assert.deepEqual(client.channels.map((c) => c.status), ['active', 'active']);
  await reconnect(timers, sockets, 1);
  sockets[2].welcome('ws_c_1');
  assert.deepEqual(sockets[2].lastSent('resume').positions, { hist: { offset: 4, epoch: 'E' } },
    "the backend's channel went with the old session, as after a refusal");
});

test('the resume timeout is an option, and each restored channel restarts the wait', async () => {
  const { timers, sockets, told } = await resumingClient({ resumeTimeoutMs: 2000 });
  timers.advance(1500);
  sockets[1].receive({ type: 'subscribed', channel: 'hist', recovered: true, position: { offset: 6, epoch: 'E' } });
  timers.advance(1999);
  assert.equal(sockets[1].lastSent('subscribe'), undefined, 'the node is still restoring');
  timers.advance(1);
  assert.deepEqual(sockets[1].sent.filter((x) => x.type === 'subscribe').map((x) => x.channel), ['plain'],
    'the channel the node confirmed is not subscribed twice');
  assert.deepEqual(told.map((m) => m.code), ['resume_refused']);
});

test('an answered resume is not timed out', async () => {
  const { timers, sockets, told, resume } = await resumingClient();
  sockets[1].receive({ type: 'subscribed', channel: 'hist' });
  sockets[1].receive({ type: 'subscribed', channel: 'plain' });
  sockets[1].receive({ type: 'resumed', channels: ['hist', 'plain', 'srv'], id: resume.id });
  timers.advance(DEFAULT_OPTIONS.resumeTimeoutMs * 3);
  assert.equal(sockets[1].lastSent('subscribe'), undefined);
  assert.deepEqual(told, []);
});

test('a late answer to a timed-out resume does not undo the fresh session', async () => {
  const { client, timers, sockets, told, resume } = await resumingClient();
  const resumed = [];
  client.onType('resumed', (m) => resumed.push(m));
  timers.advance(DEFAULT_OPTIONS.resumeTimeoutMs);
  confirmSubscribes(sockets[1]);
  // The node was slow, not gone: it restores the old session after all, the backend's channel too.
  sockets[1].receive({ type: 'resumed', channels: ['hist', 'plain', 'srv'], id: resume.id });
  assert.deepEqual(sockets[1].sent.filter((x) => x.type === 'unsubscribe').map((x) => x.channel), ['srv'],
    'what the fresh session does not hold is dropped again');
  assert.deepEqual(resumed, [], 'not passed on: the application was told the session is new');
  assert.equal(told.length, 1);
  assert.deepEqual(client.channels.map((c) => c.channel), ['hist', 'plain']);
});

test('close() during a resume ends its wait: nothing is told or sent afterwards', async () => {
  const { client, timers, sockets, told } = await resumingClient();
  const errors = [];
  client.on('error', (e) => errors.push(e.code));
  client.close();
  timers.advance(DEFAULT_OPTIONS.resumeTimeoutMs + DEFAULT_OPTIONS.requestTimeoutMs);
  assert.deepEqual(told, [], 'no resume_refused for a client the application closed');
  assert.deepEqual(errors, []);
  assert.equal(sockets[1].lastSent('subscribe'), undefined);
  assert.equal(timers.queue.length, 0, 'no timer left behind');
});
