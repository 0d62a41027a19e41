/**
 * Client of the WebSocket fan-out tier, served by every node at GET /client/ws-client.js.
 * No dependencies; an ES module for browsers and for Node >= 20 (pass a WebSocket implementation,
 * e.g. `new WsClient(url, { WebSocket: (await import('ws')).WebSocket })`). Types: ws-client.d.ts.
 *
 * What it does for the application:
 *  - connects with the token in the subprotocol form (`["bearer", token]`), asking `getToken`
 *    for a fresh one before every reconnect and when the server sends `token_expiring`;
 *  - reconnects with exponential backoff and full jitter, following the close codes (see
 *    `retryFor`), and tells whether a refused handshake was an authentication refusal;
 *  - remembers its subscriptions and restores them after a reconnect, on whatever node it lands,
 *    with the recovery protocol on history channels (missed messages in order, or an
 *    `unrecovered` event when the app must reload state);
 *  - request/acknowledgment promises through `id`; handlers per channel and per message type.
 */

/** Connection states, in the order a connection usually goes through them. */
export const State = Object.freeze({
  IDLE: 'idle',
  CONNECTING: 'connecting',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
});

export const DEFAULT_OPTIONS = Object.freeze({
  /** First backoff ceiling; each further failed attempt doubles it, up to maxDelayMs. */
  initialDelayMs: 500,
  maxDelayMs: 30000,
  /** After 1001/1012 (node going away, restart) the whole fleet reconnects: spread over this window. */
  fastRetryMaxMs: 1000,
  /** A reply not received within this time rejects the request's promise (code 'timeout'). */
  requestTimeoutMs: 10000,
  /** A handshake not completed within this time counts as a failed attempt. */
  connectTimeoutMs: 15000,
  /** A connection that stayed up this long resets the backoff. */
  stableAfterMs: 10000,
  /**
   * A resume the node does not answer within this time (no `resumed`, no error, and no `subscribed`
   * of a channel it restores, each of which restarts the wait) is taken as refused: the client goes
   * on as a new session, subscribes its channels itself and tells the application as for a refusal.
   * Without it a node that never answers (a lost reply, a node stuck on Redis) would leave every
   * channel unrestored until the socket drops.
   */
  resumeTimeoutMs: 10000,
});

/** Reply and control types that are never handed to channel handlers. */
const CONTROL_TYPES = new Set(['welcome', 'subscribed', 'unsubscribed', 'error', 'pong', 'status',
  'token_expiring', 'token_refreshed', 'resumed', 'presence']);

/**
 * What to do after the socket closed with `code`:
 *  'stop'    no reconnect: a normal close by the server or a backend (1000, 4002), or a client bug
 *            that a retry would repeat (1003, 1007, 1008, 1009, 4004);
 *  'fast'    reconnect at once, jittered over fastRetryMaxMs: the node is going away or restarting
 *            (1001, 1012), or the token expired (4003) and a fresh one can be fetched;
 *  'backoff' everything else: abnormal close (1006), internal error (1011), try again later
 *            (1013), slow consumer (4000), inactive (4001), session taken over by a resume
 *            elsewhere (4005: back with a session of its own, see #onClose), rate limited (4029).
 */
export function retryFor(code, canRefreshToken) {
  switch (code) {
    case 1000: case 1003: case 1007: case 1008: case 1009: case 4002: case 4004:
      return 'stop';
    case 1001: case 1012:
      return 'fast';
    case 4003:
      return canRefreshToken ? 'fast' : 'stop';
    default:
      return 'backoff';
  }
}

/** Full jitter (AWS architecture blog): uniform in [0, min(max, initial * 2^attempt)). */
export function backoffDelay(attempt, options, random = Math.random) {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * Math.pow(2, Math.min(attempt, 30)));
  return Math.floor(random() * ceiling);
}

/** The node id inside a connection id `ws_<nodeId>_<random>`. */
export function nodeOfConnection(connectionId) {
  if (typeof connectionId !== 'string' || !connectionId.startsWith('ws_')) return null;
  const end = connectionId.lastIndexOf('_');
  return end > 3 ? connectionId.substring(3, end) : null;
}

/** `ws(s)://host/path` -> `http(s)://host/api/v1/auth/check`, where a node says why it refused a token. */
export function authCheckUrlFor(url) {
  const u = new URL(url);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/api/v1/auth/check';
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** A refused request: `code` is the server's machine code ('forbidden', ...) or 'timeout' / 'disconnected'. */
export class WsError extends Error {
  constructor(code, message, reply) {
    super(message || code);
    this.name = 'WsError';
    this.code = code;
    this.reply = reply;
  }
}

export class WsClient {
  #url;
  #options;
  #WebSocket;
  #token;
  #getToken;
  #random;
  #timers;
  #ws = null;
  #state = State.IDLE;
  #listeners = new Map();
  #typeHandlers = new Map();
  #channelHandlers = new Map();
  /** channel -> { status: 'pending'|'active', position: {offset, epoch}|null, waiters: [] } */
  #subscriptions = new Map();
  /**
   * channel -> { position } of the subscriptions a backend made for this connection: not restored
   * by subscribe (the backend decided them), but their positions go into a resume so what was
   * missed on them is replayed too.
   */
  #serverChannels = new Map();
  /**
   * channel -> { position } of history channels the route subscribed on connect (the
   * notifications route's reports:alerts, ...): every connection gets them again by itself, but
   * their positions go into a resume, so what was published while the client was away is replayed.
   */
  #routeChannels = new Map();
  /**
   * Channels unsubscribed while disconnected: the old connection still had them, so a resume
   * brings them back on the server, and they are unsubscribed then.
   */
  #unsubscribedOffline = new Set();
  /** id -> { resolve, reject, timer, subscribe?: channel } */
  #pending = new Map();
  #nextId = 1;
  #attempt = 0;
  #retryTimer = null;
  #connectTimer = null;
  #stopped = false;
  #connectedOnce = false;
  #welcomeAt = 0;
  #connectionId = null;
  #userId = null;
  #resumeToken = null;
  /** The resume in flight on this connection: { channels, done, id, timer }. */
  #resuming = null;
  /** Id of this connection's resume that timed out: its late answer must not undo the fresh session. */
  #lateResumeId = null;
  #reconnects = 0;
  #onlineListener = null;
  #opening = false;

  /**
   * @param {string} url ws:// or wss:// address of a node or of the load balancer, e.g. wss://host/ws
   * @param {object} [options] see ws-client.d.ts (ClientOptions)
   */
  constructor(url, options = {}) {
    this.#url = url;
    this.#options = { ...DEFAULT_OPTIONS, ...options };
    this.#WebSocket = options.WebSocket || globalThis.WebSocket;
    if (!this.#WebSocket) {
      throw new Error('No WebSocket implementation: pass options.WebSocket (e.g. the ws package in Node)');
    }
    this.#token = options.token || null;
    this.#getToken = options.getToken || null;
    this.#random = options.random || Math.random;
    this.#timers = options.timers || { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) };
    if (this.#options.authCheckUrl === undefined) {
      this.#options.authCheckUrl = authCheckUrlFor(url);
    }
    if (options.autoConnect !== false) {
      this.connect();
    }
  }

  get state() { return this.#state; }
  get connectionId() { return this.#connectionId; }
  get nodeId() { return nodeOfConnection(this.#connectionId); }
  get userId() { return this.#userId; }
  /** How many times the client connected again after its first welcome. */
  get reconnects() { return this.#reconnects; }
  /** The remembered channels, with their state and last seen position. */
  get channels() {
    return [...this.#subscriptions].map(([channel, s]) => ({ channel, status: s.status, position: s.position }));
  }

  /** Starts (or restarts after close()) connecting. */
  connect() {
    if (this.#ws || this.#retryTimer || this.#opening) return;
    this.#stopped = false;
    this.#watchOnline();
    this.#open(false);
  }

  /** Closes for good (code 1000); subscriptions are kept should connect() be called again. */
  close(code = 1000, reason = 'client closed') {
    this.#stopped = true;
    this.#cancelRetry();
    this.#unwatchOnline();
    // A resume in flight ends with the socket: its timeout must not fire into a closed client.
    this.#endResume();
    this.#lateResumeId = null;
    const ws = this.#ws;
    if (ws) {
      this.#detach(ws);
      this.#ws = null;
      try { ws.close(code, reason); } catch (e) { /* already closing */ }
      this.#dropPending('disconnected');
    }
    this.#setState(State.CLOSED, { code, reason, byClient: true });
  }

  /** Listens to a client event; returns a function that removes the listener. */
  on(event, listener) {
    return this.#add(this.#listeners, event, listener);
  }

  /** Handles every server message of one type (after the client's own processing). */
  onType(type, handler) {
    return this.#add(this.#typeHandlers, type, handler);
  }

  /** Handles the messages of one channel (without subscribing: see subscribe()). */
  onChannel(channel, handler) {
    return this.#add(this.#channelHandlers, channel, handler);
  }

  /**
   * Subscribes, now or as soon as connected, and keeps the subscription across reconnects.
   * Resolves with the server's `subscribed` message; rejects with a WsError ('forbidden', ...)
   * and forgets the channel when the server refuses it.
   */
  subscribe(channel, handler) {
    if (handler) this.onChannel(channel, handler);
    this.#unsubscribedOffline.delete(channel);
    let sub = this.#subscriptions.get(channel);
    if (sub && sub.status === 'active') {
      return Promise.resolve(sub.reply);
    }
    const waiting = new Promise((resolve, reject) => {
      if (!sub) {
        sub = { status: 'pending', position: null, waiters: [], reply: null };
        this.#subscriptions.set(channel, sub);
        if (this.#isWelcomed()) this.#sendSubscribe(channel);
      }
      sub.waiters.push({ resolve, reject });
    });
    return waiting;
  }

  /** Forgets the channel and unsubscribes if connected. Resolves once the server confirmed (or at once when offline). */
  async unsubscribe(channel) {
    const sub = this.#subscriptions.get(channel);
    this.#subscriptions.delete(channel);
    this.#channelHandlers.delete(channel);
    if (sub) this.#settleWaiters(sub, new WsError('unsubscribed', 'unsubscribed before the server confirmed'));
    if (!this.#isWelcomed()) {
      if (sub) this.#unsubscribedOffline.add(channel);
      return null;
    }
    try {
      return await this.request({ type: 'unsubscribe', channel });
    } catch (e) {
      if (e.code === 'not_subscribed') return null;
      throw e;
    }
  }

  /**
   * Sends a message with a fresh `id` and resolves with the reply carrying that id (rejects with
   * a WsError on an `error` reply, a timeout or a disconnect).
   */
  request(message, { timeoutMs } = {}) {
    if (!this.#isWelcomed()) {
      return Promise.reject(new WsError('not_connected', 'not connected'));
    }
    const id = 'c' + (this.#nextId++);
    return new Promise((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        if (this.#pending.delete(id)) reject(new WsError('timeout', 'no reply to ' + message.type));
      }, timeoutMs || this.#options.requestTimeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#sendRaw({ ...message, id });
    });
  }

  /** Sends a message without waiting for a reply; false when not connected. */
  send(message) {
    if (!this.#isWelcomed()) return false;
    return this.#sendRaw(message);
  }

  ping() { return this.request({ type: 'ping' }); }

  status() { return this.request({ type: 'get_status' }).then((reply) => reply.data); }

  /** Member count and members of a presence channel (PRESENCE_CHANNELS) this client subscribes to. */
  presence(channel) {
    return this.request({ type: 'presence', channel }).then((reply) => ({ count: reply.count, members: reply.members }));
  }

  /** Sends refresh_token with `token`, or with a fresh one from getToken. Resolves with token_refreshed. */
  async refreshToken(token) {
    const fresh = token || (this.#getToken ? await this.#getToken() : null);
    if (!fresh) throw new WsError('no_token', 'no token to refresh with');
    if (!token && fresh === this.#token) {
      // Sending the expiring token back would only earn another token_expiring at once.
      throw new WsError('token_unchanged', 'getToken returned the expiring token');
    }
    this.#token = fresh;
    const reply = await this.request({ type: 'refresh_token', token: fresh });
    this.#emit('token_refreshed', { expiresAt: reply.expiresAt || null });
    return reply;
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  async #open(reconnecting) {
    this.#opening = true;
    try {
      await this.#openSocket(reconnecting);
    } finally {
      this.#opening = false;
    }
  }

  async #openSocket(reconnecting) {
    this.#setState(reconnecting ? State.RECONNECTING : State.CONNECTING);
    let token = this.#token;
    if (this.#getToken && (reconnecting || !token)) {
      try {
        token = await this.#getToken();
        this.#token = token || null;
      } catch (e) {
        this.#emit('error', new WsError('token_unavailable', 'getToken failed: ' + (e && e.message)));
        this.#scheduleRetry('backoff', { code: 0, reason: 'token unavailable' });
        return;
      }
    }
    if (this.#stopped) return;
    let ws;
    try {
      ws = token ? new this.#WebSocket(this.#url, ['bearer', token]) : new this.#WebSocket(this.#url);
    } catch (e) {
      this.#emit('error', new WsError('connect_failed', String(e && e.message)));
      this.#scheduleRetry('backoff', { code: 0, reason: 'connect failed' });
      return;
    }
    this.#ws = ws;
    let opened = false;
    this.#connectTimer = this.#timers.setTimeout(() => {
      if (!opened && this.#ws === ws) {
        try { ws.close(); } catch (e) { /* ignore */ }
        this.#onClose(ws, 1006, 'connect timeout', false, token);
      }
    }, this.#options.connectTimeoutMs);
    ws.onopen = () => { opened = true; };
    ws.onmessage = (event) => this.#onFrame(event.data);
    // A close event follows an error, except in Node 20's WebSocket (undici before its fix for
    // nodejs/undici#3546), which fires only error when the handshake fails: without this, a refused
    // token waited for connectTimeoutMs there (found by NodeClientIT). The second call is a no-op.
    ws.onerror = () => { if (!opened) this.#onClose(ws, 1006, '', false, token); };
    ws.onclose = (event) => this.#onClose(ws, event.code, event.reason, opened, token);
  }

  #detach(ws) {
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    if (this.#connectTimer) {
      this.#timers.clearTimeout(this.#connectTimer);
      this.#connectTimer = null;
    }
  }

  async #onClose(ws, code, reason, opened, token) {
    if (this.#ws !== ws) return;
    this.#detach(ws);
    this.#ws = null;
    const welcomed = this.#welcomeAt > 0;
    const stable = welcomed && Date.now() - this.#welcomeAt >= this.#options.stableAfterMs;
    this.#welcomeAt = 0;
    this.#endResume();
    this.#lateResumeId = null;
    // 4005: another socket resumed this session with its token, which is used now: resuming with
    // it would only be refused. Come back with a session of our own (subscribe with since).
    if (code === 4005) this.#resumeToken = null;
    this.#dropPending('disconnected');
    for (const sub of this.#subscriptions.values()) sub.status = 'pending';
    if (stable) this.#attempt = 0;
    if (this.#stopped) return;
    if (!opened) {
      // A refused handshake looks the same as a network failure to a browser (1006, no status):
      // ask the node whether the token is the reason, so a refused token is not retried forever.
      const refusal = await this.#authRefusal(token);
      if (this.#stopped) return;
      if (refusal) {
        this.#stopped = true;
        this.#unwatchOnline();
        this.#emit('refused', refusal);
        this.#setState(State.CLOSED, { code: 1006, reason: refusal.reason, refused: true });
        return;
      }
    }
    const retry = retryFor(code, !!this.#getToken);
    this.#scheduleRetry(retry, { code, reason });
  }

  /** null when the token is not the problem (or nobody can tell); else { status, reason, message }. */
  async #authRefusal(token) {
    const url = this.#options.authCheckUrl;
    if (!url || typeof fetch !== 'function') return null;
    try {
      const headers = token ? { Authorization: 'Bearer ' + token } : {};
      const response = await fetch(url, { headers, cache: 'no-store' });
      if (response.status !== 401) return null;
      const body = await response.json().catch(() => ({}));
      return { status: 401, reason: body.reason || 'invalid_token', message: body.message || 'token refused' };
    } catch (e) {
      return null;
    }
  }

  #scheduleRetry(kind, { code, reason }) {
    if (kind === 'stop') {
      this.#stopped = true;
      this.#unwatchOnline();
      this.#emit('disconnected', { code, reason, willRetry: false });
      this.#setState(State.CLOSED, { code, reason });
      return;
    }
    const delay = kind === 'fast'
      ? Math.floor(this.#random() * this.#options.fastRetryMaxMs)
      : backoffDelay(this.#attempt++, this.#options, this.#random);
    this.#emit('disconnected', { code, reason, willRetry: true, delayMs: delay });
    this.#setState(State.RECONNECTING, { code, reason, delayMs: delay });
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) this.#open(true);
    }, delay);
  }

  #cancelRetry() {
    if (this.#retryTimer) {
      this.#timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
  }

  /** In a browser: when the network comes back, do not sit out the rest of a long backoff. */
  #watchOnline() {
    if (this.#onlineListener || typeof globalThis.addEventListener !== 'function') return;
    this.#onlineListener = () => {
      if (this.#retryTimer && !this.#stopped) {
        this.#cancelRetry();
        this.#open(true);
      }
    };
    globalThis.addEventListener('online', this.#onlineListener);
  }

  #unwatchOnline() {
    if (this.#onlineListener && typeof globalThis.removeEventListener === 'function') {
      globalThis.removeEventListener('online', this.#onlineListener);
    }
    this.#onlineListener = null;
  }

  // ---- inbound --------------------------------------------------------------------------------

  #onFrame(data) {
    if (typeof data !== 'string') return;
    let message;
    try {
      message = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) return;
    const type = message.type;
    if (type === 'welcome') {
      this.#onWelcome(message);
    } else if (type === 'subscribed') {
      // A channel the resume restored (no id, not a backend's): the node is working on it.
      if (this.#resuming && message.id === undefined && message.by !== 'server') this.#armResumeTimer();
      this.#onSubscribed(message);
    } else if (type === 'unsubscribed' && message.id === undefined) {
      this.#onServerUnsubscribed(message);
    } else if (type === 'token_expiring') {
      this.#onTokenExpiring(message);
    } else if (this.#lateResumeId !== null && message.id === this.#lateResumeId
        && (type === 'resumed' || type === 'error')) {
      this.#onLateResumeResult(message);
      return;
    } else if (type === 'resumed' || (type === 'error' && this.#resuming && message.id === this.#resuming.id)) {
      this.#onResumeResult(message);
    } else if (typeof message.channel === 'string' && !CONTROL_TYPES.has(type)) {
      if (!this.#track(message)) return; // a duplicate of a message already delivered
    }
    this.#settle(message);
    this.#dispatch(message);
  }

  #onWelcome(message) {
    const data = message.data || {};
    const previousResumeToken = this.#resumeToken;
    this.#connectionId = data.connectionId || null;
    this.#userId = data.userId || null;
    this.#resumeToken = message.resumeToken || data.resumeToken || null;
    this.#welcomeAt = Date.now();
    if (this.#connectTimer) {
      this.#timers.clearTimeout(this.#connectTimer);
      this.#connectTimer = null;
    }
    const reconnected = this.#connectedOnce;
    this.#connectedOnce = true;
    if (reconnected) this.#reconnects++;
    this.#setState(State.OPEN, { connectionId: this.#connectionId });
    this.#restore(previousResumeToken, reconnected);
  }

  /** Puts every remembered channel back: by resume when the last node offered it, else by subscribe. */
  #restore(resumeToken, reconnected) {
    const channels = [...this.#subscriptions.keys()];
    const done = () => { if (reconnected) this.#emit('reconnected', { channels, nodeId: this.nodeId }); };
    if (!(reconnected && resumeToken)) {
      // A new connection has none of them.
      this.#serverChannels.clear();
      this.#unsubscribedOffline.clear();
      this.#routeChannels.clear();
    }
    if (channels.length === 0 && this.#serverChannels.size === 0 && this.#routeChannels.size === 0) {
      done();
      return;
    }
    if (reconnected && resumeToken) {
      const positions = {};
      for (const [channel, route] of this.#routeChannels) {
        if (route.position) positions[channel] = route.position;
      }
      for (const [channel, server] of this.#serverChannels) {
        if (server.position) positions[channel] = server.position;
      }
      for (const [channel, sub] of this.#subscriptions) {
        if (sub.position) positions[channel] = sub.position;
      }
      // Any error answering the resume (resume_refused, but also unavailable when Redis failed it,
      // or invalid_message) ends it: #onResumeResult subscribes again to what it did not restore.
      this.#resuming = { channels, done, id: 'c' + (this.#nextId++), timer: null };
      this.#armResumeTimer();
      this.#sendRaw({ type: 'resume', token: resumeToken, positions, id: this.#resuming.id });
      return;
    }
    for (const channel of channels) this.#sendSubscribe(channel);
    this.#whenAllActive(channels, done);
  }

  /** (Re)starts the wait for the resume's answer. */
  #armResumeTimer() {
    const resuming = this.#resuming;
    if (resuming.timer) this.#timers.clearTimeout(resuming.timer);
    resuming.timer = this.#timers.setTimeout(() => {
      if (this.#resuming !== resuming) return;
      // Handled exactly as the node's own refusal, and told to the application the same way (an
      // `error` message with code resume_refused, here with reason 'timeout'), so an application
      // that reloads on a refused resume needs nothing more.
      const refusal = { type: 'error', code: 'resume_refused', reason: 'timeout', id: resuming.id,
        message: 'no answer to resume within ' + this.#options.resumeTimeoutMs + ' ms: continuing as a new session' };
      this.#lateResumeId = resuming.id;
      this.#onResumeResult(refusal);
      this.#dispatch(refusal);
    }, this.#options.resumeTimeoutMs);
  }

  #endResume() {
    if (this.#resuming && this.#resuming.timer) this.#timers.clearTimeout(this.#resuming.timer);
    this.#resuming = null;
  }

  /**
   * The answer to a resume that timed out. The client went on as a new session (subscribed its
   * channels itself and forgot the rest); a late `resumed` may have brought back channels it no
   * longer holds (a backend's, one unsubscribed while offline): those are unsubscribed, so the
   * connection ends up with what the application was told. A late refusal changes nothing.
   */
  #onLateResumeResult(message) {
    this.#lateResumeId = null;
    if (message.type !== 'resumed' || !Array.isArray(message.channels)) return;
    for (const channel of message.channels) {
      if (!this.#subscriptions.has(channel) && !this.#routeChannels.has(channel)) {
        this.request({ type: 'unsubscribe', channel }).catch(() => { /* gone with the connection: fine */ });
      }
    }
  }

  #onResumeResult(message) {
    const resuming = this.#resuming;
    if (!resuming) return;
    this.#endResume();
    const restored = new Set(message.type === 'resumed' && Array.isArray(message.channels) ? message.channels : []);
    for (const channel of [...this.#serverChannels.keys()]) {
      if (!restored.has(channel)) this.#serverChannels.delete(channel);
    }
    for (const channel of restored) {
      if (this.#unsubscribedOffline.has(channel) && !this.#subscriptions.has(channel)) {
        // With an id, so the reply settles quietly instead of passing for a server-made unsubscribe.
        this.request({ type: 'unsubscribe', channel }).catch(() => { /* gone with the connection: fine */ });
      }
    }
    this.#unsubscribedOffline.clear();
    // Channels already confirmed on this connection (a resume that timed out after restoring some)
    // need no second subscribe.
    const missing = resuming.channels.filter((c) => this.#subscriptions.has(c) && !restored.has(c)
      && this.#subscriptions.get(c).status !== 'active');
    for (const channel of missing) this.#sendSubscribe(channel);
    this.#whenAllActive(resuming.channels, resuming.done);
  }

  #whenAllActive(channels, done) {
    const waits = channels.map((channel) => new Promise((resolve) => {
      const sub = this.#subscriptions.get(channel);
      if (!sub || sub.status === 'active') resolve();
      else sub.waiters.push({ resolve, reject: resolve });
    }));
    Promise.all(waits).then(done);
  }

  #sendSubscribe(channel) {
    const sub = this.#subscriptions.get(channel);
    if (!sub) return;
    const id = 'c' + (this.#nextId++);
    const message = { type: 'subscribe', channel, id };
    if (sub.position) message.since = sub.position;
    const timer = this.#timers.setTimeout(() => {
      if (this.#pending.delete(id)) {
        this.#emit('error', new WsError('timeout', 'no reply to subscribe ' + channel));
      }
    }, this.#options.requestTimeoutMs);
    this.#pending.set(id, {
      timer,
      subscribe: channel,
      resolve: () => { /* handled by #onSubscribed */ },
      reject: (error) => {
        const current = this.#subscriptions.get(channel);
        if (current === sub && error.code !== 'disconnected' && error.code !== 'unavailable') {
          // Refused for good (forbidden, invalid channel, limit): forget it, do not retry on reconnect.
          this.#subscriptions.delete(channel);
          this.#settleWaiters(sub, error);
        } else if (error.code === 'unavailable') {
          this.#emit('error', error);
        }
      },
    });
    this.#sendRaw(message);
  }

  #onSubscribed(message) {
    let sub = this.#subscriptions.get(message.channel);
    if (!sub) {
      // A route's channel replayed by a resume: its recovery outcome counts (recovered:false: reload).
      const route = this.#routeChannels.get(message.channel);
      if (route && message.by !== 'server') {
        this.#takePosition(route, message);
        return;
      }
      // A backend's subscription (by: 'server'), or one of them brought back by a resume.
      sub = this.#serverChannels.get(message.channel);
      if (!sub && message.by !== 'server') return;
      if (!sub) {
        sub = { position: null };
        this.#serverChannels.set(message.channel, sub);
      }
      this.#takePosition(sub, message);
      this.#emit('subscribed', { channel: message.channel, by: 'server' });
      return;
    }
    sub.status = 'active';
    sub.reply = message;
    this.#takePosition(sub, message);
    this.#emit('subscribed', { channel: message.channel, by: message.by || 'client' });
    this.#settleWaiters(sub, null, message);
  }

  /** A `subscribed` reply's history position and recovery outcome. */
  #takePosition(sub, message) {
    const top = message.position;
    if (message.recovered === false) {
      // The server could not replay what was missed: the application must reload the channel's state.
      sub.position = top || null;
      this.#emit('unrecovered', { channel: message.channel, position: top || null });
    } else if (message.recovered === true) {
      // Missed messages follow, each advancing the position; the top is not taken yet.
      this.#emit('recovered', { channel: message.channel, position: top || null });
    } else if (top && !sub.position) {
      sub.position = top;
    }
  }

  /** The server dropped a subscription (e.g. after a token refresh the new roles no longer allow). */
  #onServerUnsubscribed(message) {
    this.#serverChannels.delete(message.channel);
    const sub = this.#subscriptions.get(message.channel);
    if (sub) {
      this.#subscriptions.delete(message.channel);
      this.#settleWaiters(sub, new WsError(message.reason || 'unsubscribed', 'unsubscribed by the server'));
    }
    this.#emit('unsubscribed', { channel: message.channel, reason: message.reason || null, by: 'server' });
  }

  /** Records a history channel's position; false for a message at or below it (a duplicate). */
  #track(message) {
    if (typeof message.offset !== 'number' || typeof message.epoch !== 'string') return true;
    let sub = this.#subscriptions.get(message.channel) || this.#serverChannels.get(message.channel);
    if (!sub) {
      // A history channel the route subscribed on connect (nobody asked for it here): kept for the resume.
      sub = this.#routeChannels.get(message.channel);
      if (!sub) {
        sub = { position: null };
        this.#routeChannels.set(message.channel, sub);
      }
    }
    const at = sub.position;
    if (at && at.epoch === message.epoch && message.offset <= at.offset) return false;
    sub.position = { offset: message.offset, epoch: message.epoch };
    return true;
  }

  async #onTokenExpiring(message) {
    this.#emit('token_expiring', { expiresAt: message.expiresAt || null });
    if (!this.#getToken) return;
    try {
      await this.refreshToken();
    } catch (e) {
      this.#emit('error', e instanceof WsError ? e : new WsError('refresh_failed', String(e && e.message)));
    }
  }

  /** Resolves or rejects the request this reply answers. */
  #settle(message) {
    if (message.id === undefined || message.id === null) return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    this.#timers.clearTimeout(pending.timer);
    if (message.type === 'error') {
      pending.reject(new WsError(message.code, message.message, message));
    } else {
      pending.resolve(message);
    }
  }

  #dispatch(message) {
    this.#call(this.#typeHandlers.get(message.type), message);
    if (typeof message.channel === 'string' && !CONTROL_TYPES.has(message.type)) {
      this.#call(this.#channelHandlers.get(message.channel), message);
    }
    this.#emit('message', message);
  }

  // ---- helpers --------------------------------------------------------------------------------

  #isWelcomed() {
    return this.#ws !== null && this.#welcomeAt > 0;
  }

  #sendRaw(message) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  #dropPending(code) {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      this.#timers.clearTimeout(p.timer);
      p.reject(new WsError(code, 'connection lost before the reply'));
    }
  }

  #settleWaiters(sub, error, reply) {
    const waiters = sub.waiters;
    sub.waiters = [];
    for (const w of waiters) {
      if (error) w.reject(error); else w.resolve(reply);
    }
  }

  #setState(state, detail = {}) {
    const previous = this.#state;
    this.#state = state;
    if (previous !== state || state === State.RECONNECTING) {
      this.#emit('state', { state, previous, ...detail });
    }
  }

  #add(map, key, fn) {
    if (typeof fn !== 'function') throw new TypeError('handler must be a function');
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && map.get(key) === set) map.delete(key);
    };
  }

  #emit(event, value) {
    this.#call(this.#listeners.get(event), value);
  }

  #call(handlers, value) {
    if (!handlers) return;
    for (const fn of [...handlers]) {
      try {
        fn(value);
      } catch (e) {
        // An application handler's bug must not break the client's own bookkeeping.
        if (typeof console !== 'undefined') console.error('ws-client handler failed', e);
      }
    }
  }
}

export default WsClient;
