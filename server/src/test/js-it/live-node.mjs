// The browser client in Node 20 (undici's WebSocket: node --experimental-websocket) against a real
// node, run by NodeClientIT. The module is the one the node serves (GET /client/ws-client.js).
// Prints one JSON line per step; exits 0 when every step passed, 1 with the reason otherwise.
// Arguments: ws://host:port, http://host:managementPort, a valid token, PUBLISH_API_KEY, ADMIN_API_KEY.
const [base, management, token, publishKey, adminKey] = process.argv.slice(2);
const started = Date.now();
const step = (name, detail = {}) => console.log(JSON.stringify({ step: name, ...detail, ms: Date.now() - started }));
const fail = (reason) => { console.log(JSON.stringify({ step: 'failed', reason: String(reason) })); process.exit(1); };
setTimeout(() => fail('timed out'), 30_000).unref();

const source = await (await fetch(base.replace(/^ws/, 'http') + '/client/ws-client.js')).text();
const { WsClient } = await import('data:text/javascript,' + encodeURIComponent(source));

async function post(path, key, body) {
  const response = await fetch(management + path, {
    method: 'POST', headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) fail(path + ' answered ' + response.status + ' ' + await response.text());
  return response.json();
}

/** Resolves with the next value handed to the returned push function. */
function queue() {
  const items = [];
  const waiting = [];
  return {
    push: (item) => (waiting.length ? waiting.shift()(item) : items.push(item)),
    next: () => (items.length ? Promise.resolve(items.shift()) : new Promise((resolve) => waiting.push(resolve))),
  };
}

try {
  const messages = queue();
  const reconnects = queue();
  const ws = new WsClient(base + '/ws', { WebSocket, getToken: async () => token });
  ws.on('reconnected', (e) => reconnects.push(e));
  await ws.subscribe('news:live', (message) => messages.push(message));
  const status = await ws.status();
  step('connected', { userId: status.userId, connectionId: status.connectionId, channels: status.channels });

  await post('/api/v1/publish', publishKey, { channel: 'news:live', message: { type: 'headline', n: 1 } });
  step('received', { n: (await messages.next()).n });

  // The server closes this connection (4000: the client backs off, then comes back with its channel).
  await post('/api/v1/admin/disconnect', adminKey, { connectionId: status.connectionId, code: 4000, reason: 'test' });
  const back = await reconnects.next();
  const again = await ws.status();
  step('reconnected', { channels: back.channels, serverChannels: again.channels, sameConnection: again.connectionId === status.connectionId });
  await post('/api/v1/publish', publishKey, { channel: 'news:live', message: { type: 'headline', n: 2 } });
  step('received', { n: (await messages.next()).n });
  ws.close();

  // A bad token: refused (the client asks /api/v1/auth/check) and not retried.
  const refused = new Promise((resolve) => {
    // A connect timeout beyond this script's own: the refusal must not wait for it.
    const bad = new WsClient(base + '/ws', { WebSocket, token: 'not-a-token', connectTimeoutMs: 120_000 });
    let refusal = null;
    bad.on('refused', (e) => { refusal = e; });
    bad.on('state', (e) => { if (e.state === 'closed') resolve({ refusal, closed: e }); });
  });
  const { refusal, closed } = await refused;
  step('refused', { status: refusal && refusal.status, state: 'closed', refusedClose: closed.refused === true });
  process.exit(0);
} catch (error) {
  fail(error && error.stack || error);
}
