package com.aegisx.ws.server.websocket;

import com.aegisx.ws.server.auth.Identity;

/** What the {@link UpgradeGate} learned about an upgrade request, handed to the endpoint it opens. */
public record UpgradeTicket(Identity identity, String ip, String userAgent, long issuedAtMillis) {
}
