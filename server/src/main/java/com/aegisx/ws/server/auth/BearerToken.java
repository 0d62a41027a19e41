package com.aegisx.ws.server.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * A token found in an upgrade request, with where it came from.
 *
 * @param token       the raw token; never log it ({@link #toString()} masks it)
 * @param source      where it was found
 * @param subprotocol for {@link Source#SUBPROTOCOL}: the exact {@code Sec-WebSocket-Protocol} value
 *                    the server must select in its 101 response (browsers fail the handshake if the
 *                    server selects none of the offered values); {@code null} for the other sources
 */
public record BearerToken(String token, Source source, String subprotocol) {

    public enum Source {
        /** {@code Authorization: Bearer <token>}. */
        AUTHORIZATION_HEADER,
        /** {@code ?token=<token>}; browsers cannot set headers on a WebSocket. */
        QUERY_PARAMETER,
        /** {@code Sec-WebSocket-Protocol: bearer, <token>} or {@code bearer.<token>}. */
        SUBPROTOCOL
    }

    public BearerToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(source, "source");
        if ((source == Source.SUBPROTOCOL) != (subprotocol != null)) {
            throw new IllegalArgumentException("subprotocol is set exactly for the SUBPROTOCOL source");
        }
    }

    /** The subprotocol to echo back, when the token came in {@code Sec-WebSocket-Protocol}. */
    public Optional<String> echoSubprotocol() {
        return Optional.ofNullable(subprotocol);
    }

    /** Masked: records would otherwise print the token wherever the object is logged. */
    @Override
    public String toString() {
        return "BearerToken[" + LogMasking.maskToken(token) + " from " + source
                + (subprotocol == null ? "" : ", echo " + LogMasking.maskSubprotocols(subprotocol)) + "]";
    }
}
