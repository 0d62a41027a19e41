// The demo page: a WsClient wired to a few DOM elements. Every value from the server is written
// with textContent, never as HTML.
import { WsClient } from '/client/ws-client.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const MAX_LINES = 200;
let client = null;

$('url').value = params.get('url') || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
$('token').value = params.get('token') || '';

function line(list, text, attributes = {}) {
  const item = document.createElement('li');
  item.textContent = text;
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) item.setAttribute('data-' + name, String(value));
  }
  list.prepend(item);
  while (list.children.length > MAX_LINES) list.lastChild.remove();
}

const event = (text) => line($('events'), `${new Date().toISOString().substring(11, 23)} ${text}`);

function renderChannels() {
  const list = $('channels');
  list.replaceChildren();
  for (const { channel, status, position } of client ? client.channels : []) {
    const item = document.createElement('li');
    item.className = status;
    item.dataset.channel = channel;
    item.textContent = channel + (status === 'pending' ? ' (pending)' : '')
      + (position ? ` @${position.offset}/${position.epoch}` : '');
    const remove = document.createElement('button');
    remove.className = 'remove';
    remove.textContent = 'unsubscribe';
    remove.onclick = () => client.unsubscribe(channel).finally(renderChannels);
    item.append(remove);
    list.append(item);
  }
}

function renderConnection() {
  $('state').textContent = client.state;
  $('state').className = client.state;
  $('node-id').textContent = client.nodeId || '-';
  $('connection-id').textContent = client.connectionId || '-';
  $('user-id').textContent = client.userId || (client.connectionId ? 'anonymous' : '-');
  $('reconnects').textContent = String(client.reconnects);
}

function subscribe(channel) {
  client.subscribe(channel)
    .then(() => event(`subscribed ${channel}`))
    .catch((e) => event(`subscribe ${channel} refused: ${e.code}`))
    .finally(renderChannels);
  renderChannels();
}

function connect() {
  if (client) client.close();
  $('refusal').textContent = '-';
  client = new WsClient($('url').value.trim(), {
    getToken: () => $('token').value.trim() || null,
  });
  client.on('state', (e) => {
    renderConnection();
    renderChannels();
    event(`state ${e.state}` + (e.code ? ` (close ${e.code}${e.reason ? ' ' + e.reason : ''})` : '')
      + (e.delayMs !== undefined ? ` retry in ${e.delayMs} ms` : ''));
  });
  client.on('reconnected', (e) => {
    renderConnection();
    renderChannels();
    event(`reconnected to node ${e.nodeId}, channels restored: ${e.channels.join(', ') || 'none'}`);
  });
  client.on('refused', (e) => {
    $('refusal').textContent = e.reason;
    event(`refused: ${e.reason} (${e.message})`);
  });
  client.on('token_expiring', (e) => event(`token expiring at ${e.expiresAt}`));
  client.on('token_refreshed', (e) => {
    $('token-expires').textContent = e.expiresAt || 'never';
    event(`token refreshed, expires ${e.expiresAt}`);
  });
  client.on('unrecovered', (e) => event(`channel ${e.channel}: missed messages lost, reload its state`));
  client.on('subscribed', () => renderChannels());
  client.on('unsubscribed', (e) => { renderChannels(); event(`unsubscribed ${e.channel} by server (${e.reason})`); });
  client.on('error', (e) => event(`error ${e.code}: ${e.message}`));
  client.on('message', (m) => {
    if (m.type === 'welcome') renderConnection();
    if (m.channel !== undefined && m.offset !== undefined) renderChannels();
    line($('messages'), JSON.stringify(m), { type: m.type, channel: m.channel, offset: m.offset });
  });
  for (const channel of (params.get('channels') || '').split(',').map((c) => c.trim()).filter(Boolean)) {
    subscribe(channel);
  }
  renderConnection();
}

$('connect').onclick = connect;
$('disconnect').onclick = () => client && client.close();
$('subscribe').onclick = () => {
  const channel = $('channel').value.trim();
  if (client && channel) subscribe(channel);
};
if (params.get('connect') === '1') connect();
// For tests and the browser console.
window.wsDemo = { get client() { return client; } };
