package com.aegisx.ws.protocol;

/**
 * WebSocket close codes the nodes use. 1xxx are RFC 6455's; 4xxx are this tier's own. Clients
 * should reconnect (with backoff) on 1001, 1012, 1013, 4000, 4001 and 4005 (without resuming),
 * and should not on the others without fixing what they send.
 */
public final class CloseCodes {

    /** Normal closure, e.g. after the /ws/health answer. */
    public static final int NORMAL = 1000;
    /** The node is going away (Jetty stops without a graceful drain). */
    public static final int GOING_AWAY = 1001;
    /** A binary frame: the protocol is JSON text only. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** Policy violation: repeated abuse after errors (see the README's limits). */
    public static final int POLICY_VIOLATION = 1008;
    /** A message larger than WEBSOCKET_MAX_PAYLOAD. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** Unexpected server error. */
    public static final int INTERNAL_ERROR = 1011;
    /** Graceful node shutdown: reconnect through the load balancer. */
    public static final int SERVICE_RESTART = 1012;
    /** The node cannot register the connection now (Redis unreachable): retry later. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** The client did not read fast enough: its outbound queue went over the limit. */
    public static final int SLOW_CONSUMER = 4000;
    /** Neither a message nor a pong for WEBSOCKET_CONNECTION_TIMEOUT. */
    public static final int INACTIVE = 4001;
    /** Closed on request of a backend service (manager or publisher client disconnect). */
    public static final int DISCONNECTED_BY_SERVER = 4002;
    /** The connection's token expired and no refresh_token came in time. */
    public static final int TOKEN_EXPIRED = 4003;
    /** Report routes: the report in the path is unknown (never registered, or its state expired). */
    public static final int NOT_FOUND = 4004;
    /**
     * Another socket resumed this connection's session with its resume token (which is now used):
     * the session lives there. Reconnect without resuming; a client that did not send that resume
     * is looking at a replayed or stolen token of its own user.
     */
    public static final int TAKEN_OVER = 4005;
    /** Too many messages, after rate-limit errors were ignored. */
    public static final int RATE_LIMITED = 4029;

    private CloseCodes() {
    }
}
