// Type declarations of ws-client.js (served beside it at GET /client/ws-client.d.ts).

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export declare const State: Readonly<{
  IDLE: 'idle';
  CONNECTING: 'connecting';
  OPEN: 'open';
  RECONNECTING: 'reconnecting';
  CLOSED: 'closed';
}>;

/** Position of a client in a history channel: messages carry both as top-level fields. */
export interface Position {
  offset: number;
  epoch: string;
}

/** Any server message: `type`, `timestamp`, and, for channel messages, `channel` (and `offset`/`epoch` on history channels). */
export interface ServerMessage {
  type: string;
  timestamp?: string;
  channel?: string;
  id?: string | number;
  offset?: number;
  epoch?: string;
  data?: any;
  [field: string]: any;
}

export interface SubscribedMessage extends ServerMessage {
  type: 'subscribed';
  channel: string;
  /** Only on history channels after a `since`: false means the application must reload state. */
  recovered?: boolean;
  position?: Position;
  by?: 'server';
}

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ClientOptions {
  /** The first token; sent as the subprotocol pair ["bearer", token]. */
  token?: string | null;
  /** Called before every reconnect and on `token_expiring`; return null for an anonymous connection. */
  getToken?: () => string | null | Promise<string | null>;
  /** The WebSocket implementation (default: globalThis.WebSocket; in Node 20 pass the `ws` package's). */
  WebSocket?: WebSocketConstructor;
  /** Connect in the constructor (default true). */
  autoConnect?: boolean;
  /** Backoff: the ceiling starts here and doubles per failed attempt (default 500 ms). */
  initialDelayMs?: number;
  /** Backoff ceiling (default 30000 ms). */
  maxDelayMs?: number;
  /** Window over which a reconnect after 1001/1012 is spread (default 1000 ms). */
  fastRetryMaxMs?: number;
  /** Default request timeout (default 10000 ms). */
  requestTimeoutMs?: number;
  /** Handshake timeout (default 15000 ms). */
  connectTimeoutMs?: number;
  /** A connection up this long resets the backoff (default 10000 ms). */
  stableAfterMs?: number;
  /**
   * A resume not answered within this time (default 10000 ms; each `subscribed` of a restored
   * channel restarts the wait) is handled as refused: the client subscribes its channels itself and
   * the application gets an `error` message with code `resume_refused` and reason `timeout`.
   */
  resumeTimeoutMs?: number;
  /** Where to ask why a handshake failed (default http(s)://<host>/api/v1/auth/check); null: never ask. */
  authCheckUrl?: string | null;
  /** Source of randomness for the jitter (tests). */
  random?: () => number;
  /** Timer functions (tests). */
  timers?: { setTimeout(fn: () => void, ms: number): any; clearTimeout(handle: any): void };
}

export interface StateEvent {
  state: ConnectionState;
  previous: ConnectionState;
  code?: number;
  reason?: string;
  delayMs?: number;
  refused?: boolean;
  byClient?: boolean;
  connectionId?: string;
}

export interface ClientEvents {
  state: StateEvent;
  /** A socket closed; `willRetry` false means the client stopped (see retryFor). */
  disconnected: { code: number; reason: string; willRetry: boolean; delayMs?: number };
  /** Connected again after a drop, with every remembered channel restored. */
  reconnected: { channels: string[]; nodeId: string | null };
  /** The node refused the token at the handshake: no further attempts. */
  refused: { status: number; reason: string; message: string };
  subscribed: { channel: string; by: 'client' | 'server' };
  unsubscribed: { channel: string; reason: string | null; by: 'server' };
  /** Missed messages of the channel follow, in order. */
  recovered: { channel: string; position: Position | null };
  /** The server could not replay what was missed: reload the channel's state. */
  unrecovered: { channel: string; position: Position | null };
  token_expiring: { expiresAt: string | null };
  token_refreshed: { expiresAt: string | null };
  message: ServerMessage;
  error: WsError;
}

export declare class WsError extends Error {
  constructor(code: string, message?: string, reply?: ServerMessage);
  /** The server's machine code, or 'timeout' | 'disconnected' | 'not_connected' | 'unsubscribed'. */
  readonly code: string;
  readonly reply?: ServerMessage;
}

export declare class WsClient {
  constructor(url: string, options?: ClientOptions);
  readonly state: ConnectionState;
  readonly connectionId: string | null;
  readonly nodeId: string | null;
  readonly userId: string | null;
  readonly reconnects: number;
  readonly channels: { channel: string; status: 'pending' | 'active'; position: Position | null }[];
  connect(): void;
  close(code?: number, reason?: string): void;
  on<E extends keyof ClientEvents>(event: E, listener: (value: ClientEvents[E]) => void): () => void;
  onType(type: string, handler: (message: ServerMessage) => void): () => void;
  onChannel(channel: string, handler: (message: ServerMessage) => void): () => void;
  subscribe(channel: string, handler?: (message: ServerMessage) => void): Promise<SubscribedMessage>;
  unsubscribe(channel: string): Promise<ServerMessage | null>;
  request(message: { type: string; [field: string]: any }, options?: { timeoutMs?: number }): Promise<ServerMessage>;
  send(message: { type: string; [field: string]: any }): boolean;
  ping(): Promise<ServerMessage>;
  status(): Promise<{ connectionId: string; userId: string | null; nodeId: string; channels: string[]; [field: string]: any }>;
  refreshToken(token?: string): Promise<ServerMessage>;
  /** On a presence channel (PRESENCE_CHANNELS) the client subscribes to; joins and leaves arrive as presence_join / presence_leave. */
  presence(channel: string): Promise<{ count: number; members: { connectionId: string; userId: string | null }[] }>;
}

export declare function retryFor(code: number, canRefreshToken: boolean): 'stop' | 'fast' | 'backoff';
export declare function backoffDelay(attempt: number,
  options: { initialDelayMs: number; maxDelayMs: number }, random?: () => number): number;
export declare function nodeOfConnection(connectionId: string | null): string | null;
export declare function authCheckUrlFor(url: string): string;
export declare const DEFAULT_OPTIONS: Readonly<Required<Pick<ClientOptions,
  'initialDelayMs' | 'maxDelayMs' | 'fastRetryMaxMs' | 'requestTimeoutMs' | 'connectTimeoutMs' | 'stableAfterMs'
  | 'resumeTimeoutMs'>>>;

export default WsClient;
