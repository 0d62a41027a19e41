package com.aegisx.ws.client;

import io.netty.handler.ssl.SslClosedEngineException;
import javax.net.ssl.SSLException;

/**
 * Redis refused the connection for a reason an operator must fix in the settings: the credentials
 * (data nodes or sentinels) or TLS. Lettuce reports these as a generic "Unable to connect"; this
 * says which. The message names the target without its password; Redis's own error text
 * ({@code WRONGPASS ...}, {@code NOAUTH ...}) never echoes one either.
 */
public final class RedisRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What was refused, so that a caller can name its own setting. */
    public enum Reason {
        /** The password or ACL user of the data nodes (the URL's {@code user:password@}). */
        CREDENTIALS,
        /** The sentinels' own password (not part of Lettuce's URL). */
        SENTINEL_CREDENTIALS,
        /** The TLS handshake: an untrusted server certificate, a missing or refused client certificate. */
        TLS
    }

    private final Reason reason;

    private RedisRefusedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * The refusal behind {@code failure}, or null when it is something else (Redis down, a timeout).
     * Lettuce wraps a sentinel's refusal in "Cannot connect Redis Sentinel at ..." / "Cannot connect
     * to a Redis Sentinel: ..."; a refusal below one of those was the sentinels'.
     */
    static RedisRefusedException explain(RedisTarget target, Throwable failure) {
        return explain(target, failure, false, 0);
    }

    /** As {@link #explain}, for the failure of a connection to one sentinel (see {@link SentinelProbe}). */
    static RedisRefusedException explainSentinel(RedisTarget target, Throwable failure) {
        return explain(target, failure, true, 0);
    }

    private static RedisRefusedException explain(RedisTarget target, Throwable t, boolean viaSentinel, int depth) {
        if (t == null || depth > 12) {
            return null;
        }
        String message = String.valueOf(t.getMessage());
        boolean sentinel = viaSentinel || target.mode() == RedisTarget.Mode.SENTINEL && message.contains("Redis Sentinel");
        String error = redisError(message);
        if (error != null) {
            Reason reason = sentinel ? Reason.SENTINEL_CREDENTIALS : Reason.CREDENTIALS;
            return new RedisRefusedException(reason, (sentinel ? "the sentinels of " : "Redis at ") + target
                    + (error.startsWith("NOPERM") ? " denied a command to the user: " : " refused the credentials: ")
                    + error, t);
        }
        if (t instanceof SSLException && !closedMidHandshake(t)) {
            return new RedisRefusedException(Reason.TLS, "TLS with Redis at " + target + " failed: " + message, t);
        }
        RedisRefusedException found = explain(target, t.getCause(), sentinel, depth + 1);
        for (Throwable suppressed : t.getSuppressed()) {
            if (found == null) {
                found = explain(target, suppressed, sentinel, depth + 1);
            }
        }
        return found;
    }

    /**
     * How netty reports a connection the server closed or reset during the TLS handshake (Redis at
     * maxclients drops a TLS connection so, as does a restart or a proxy): an SSLException, but no
     * TLS refusal, and no reason to send the operator to the certificates.
     */
    private static boolean closedMidHandshake(Throwable t) {
        return t instanceof SslClosedEngineException
                || String.valueOf(t.getMessage()).startsWith("Connection closed while SSL/TLS handshake");
    }

    /** Redis's refusal ({@code WRONGPASS}, {@code NOAUTH}, {@code NOPERM} on HELLO/AUTH), first line only. */
    private static String redisError(String message) {
        for (String code : new String[] {"WRONGPASS", "NOAUTH", "NOPERM"}) {
            int at = message.indexOf(code);
            if (at >= 0) {
                String rest = message.substring(at);
                int end = rest.indexOf('\n');
                return end < 0 ? rest : rest.substring(0, end);
            }
        }
        return null;
    }
}
