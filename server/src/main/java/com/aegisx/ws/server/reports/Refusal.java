package com.aegisx.ws.server.reports;

import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;

/**
 * A decision taken while registering (before {@code welcome}) that the socket may not stay: it is
 * told why right after {@code welcome} and then closed. (Registration itself must not fail for
 * this: a failed registration means "Redis unavailable, retry" to the client.)
 */
record Refusal(String code, String message, int closeCode, String closeReason) {

    void apply(LocalConnection connection) {
        connection.send(Replies.error(code, message, null));
        connection.close(closeCode, closeReason);
    }
}
