// The admin console: reads the admin API and the debug endpoints of the node that served it, with
// the key or token the operator typed (kept in sessionStorage only). Every value from the server
// is written with textContent, never as HTML.
const $ = (id) => document.getElementById(id);
const STORAGE = 'ws-admin-credential';
const REFRESH_MS = 2000;
let timer = null;
/** The user on display: the lookup is refreshed with the rest, so a disconnect shows within seconds. */
let shownUser = null;

function credential() {
  try { return JSON.parse(sessionStorage.getItem(STORAGE) || 'null'); } catch (e) { return null; }
}

function headers() {
  const c = credential();
  if (!c) return {};
  return c.kind === 'jwt' ? { Authorization: 'Bearer ' + c.value } : { 'X-Api-Key': c.value };
}

async function api(path, body) {
  const init = { headers: { ...headers() }, cache: 'no-store' };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(json.message || response.statusText);
    error.status = response.status;
    throw error;
  }
  return json;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.className = className;
  row.append(td);
  return td;
}

function fill(tableId, items, render) {
  const body = document.querySelector(`#${tableId} tbody`);
  // Unchanged data keeps its rows: a button is not replaced under the operator's pointer.
  const signature = JSON.stringify(items);
  if (body.dataset.signature === signature) return;
  body.dataset.signature = signature;
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement('tr');
    render(row, item);
    body.append(row);
  }
}

function age(ms) {
  return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

async function refreshNodes() {
  const data = await api('/api/v1/admin/nodes');
  $('total-connections').textContent = String(data.totalConnections);
  $('node-count').textContent = String(data.nodes.filter((n) => n.alive).length);
  fill('nodes', data.nodes, (row, n) => {
    row.dataset.node = n.nodeId;
    cell(row, n.nodeId);
    cell(row, n.alive ? 'alive' : 'dead', n.alive ? 'alive' : 'dead');
    cell(row, age(n.heartbeatAgeMs));
    cell(row, n.connections, 'connections');
    cell(row, `${n.host || ''}:${n.port || ''}`);
    cell(row, n.version);
    cell(row, n.startedAt);
  });
}

async function refreshChannels() {
  const data = await api('/api/v1/debug/websocket/channels?limit=200');
  const channels = data.channels.sort((a, b) => b.connections - a.connections || a.channel.localeCompare(b.channel));
  fill('channels', channels.slice(0, 50), (row, c) => {
    row.dataset.channel = c.channel;
    cell(row, c.channel);
    cell(row, c.connections, 'subscribers');
  });
}

async function refreshRates() {
  const data = await api('/api/v1/admin/rates');
  const points = data.points;
  const last = points[points.length - 1];
  $('rate-now').textContent = last ? String(last.messagesOut) : '-';
  $('rate-in-now').textContent = last ? String(last.messagesIn) : '-';
  $('rate-window').textContent = points.length
    ? `last ${Math.round(points.length * data.intervalMs / 1000)} s, one point per ${data.intervalMs / 1000} s` : 'no samples yet';
  draw($('rates'), points);
}

function draw(canvas, points) {
  const g = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  g.clearRect(0, 0, w, h);
  canvas.dataset.points = String(points.length);
  if (points.length === 0) return;
  const max = Math.max(1, ...points.map((p) => Math.max(p.messagesOut, p.messagesIn)));
  g.fillStyle = '#667';
  g.font = '11px sans-serif';
  g.fillText(`${max.toFixed(max < 10 ? 1 : 0)} /s`, 4, 12);
  const x = (i) => points.length === 1 ? w / 2 : 40 + (i * (w - 50)) / (points.length - 1);
  const y = (v) => h - 8 - (v / max) * (h - 24);
  for (const [field, color] of [['messagesIn', '#d9822b'], ['messagesOut', '#2a6fdb']]) {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    points.forEach((p, i) => (i ? g.lineTo(x(i), y(p[field])) : g.moveTo(x(i), y(p[field]))));
    g.stroke();
  }
}

async function refresh() {
  if (!credential()) return;
  try {
    await Promise.all([refreshNodes(), refreshChannels(), refreshRates(), shownUser ? lookup(shownUser) : null]);
    $('error').textContent = '';
    $('refreshed-at').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    $('error').textContent = e.status === 401 || e.status === 403
      ? `Not allowed (${e.status}): ${e.message}` : `Could not load: ${e.message}`;
    if (e.status === 401 || e.status === 403) stop();
  }
}

async function lookup(userId) {
  if (!userId) return;
  shownUser = userId;
  try {
    const data = await api('/api/v1/debug/websocket/connections?userId=' + encodeURIComponent(userId));
    $('lookup-result').textContent = `${data.count} connection(s)`;
    fill('user-connections', data.connections, (row, c) => {
      row.dataset.connection = c.id;
      cell(row, c.id);
      cell(row, c.nodeId);
      cell(row, c.channels.join(', '));
      cell(row, c.metadata.connectedAt);
      cell(row, c.metadata.ip);
      const td = cell(row, '');
      const button = document.createElement('button');
      button.textContent = 'Disconnect';
      button.className = 'disconnect';
      button.onclick = () => disconnect({ connectionId: c.id }).then(() => lookup(userId));
      td.append(button);
    });
  } catch (e) {
    $('lookup-result').textContent = 'lookup failed: ' + e.message;
  }
}

async function disconnect(target) {
  try {
    const data = await api('/api/v1/admin/disconnect', { ...target, reason: 'disconnected from the admin console' });
    $('lookup-result').textContent = `disconnected ${data.disconnected}`;
  } catch (e) {
    $('lookup-result').textContent = 'disconnect failed: ' + e.message;
  }
}

function start() {
  stop();
  refresh();
  timer = setInterval(refresh, REFRESH_MS);
}

function stop() {
  if (timer) clearInterval(timer);
  timer = null;
}

$('login-form').onsubmit = (e) => {
  e.preventDefault();
  const value = $('credential').value.trim();
  if (!value) return;
  sessionStorage.setItem(STORAGE, JSON.stringify({ kind: $('credential-kind').value, value }));
  $('credential').value = '';
  start();
};
$('logout').onclick = () => {
  sessionStorage.removeItem(STORAGE);
  stop();
  $('refreshed-at').textContent = 'signed out';
};
$('lookup-form').onsubmit = (e) => { e.preventDefault(); lookup($('user-id').value.trim()); };
$('disconnect-user').onclick = () => {
  const userId = $('user-id').value.trim();
  if (userId) disconnect({ userId }).then(() => lookup(userId));
};
$('broadcast-form').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const data = await api('/api/v1/admin/broadcast', {
      channel: $('broadcast-channel').value.trim(),
      message: { type: $('broadcast-type').value.trim() || 'admin_test', message: $('broadcast-text').value },
    });
    $('broadcast-result').textContent = `sent, ${data.nodes} node(s) listening`;
  } catch (err) {
    $('broadcast-result').textContent = 'failed: ' + err.message;
  }
};
if (credential()) start();
