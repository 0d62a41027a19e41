package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.auth.Identity;

/**
 * What the {@link UpgradeGate} learned about an upgrade request, handed to the endpoint it opens.
 *
 * @param ip           the client address (X-Forwarded-For resolved through TRUSTED_PROXIES)
 * @param connectionId the id the connection will have: chosen at the gate because the cluster-wide
 *                     connection limits reserve it in Redis before the socket opens
 */
public record UpgradeTicket(Identity identity, String ip, String userAgent, long issuedAtMillis,
                            String connectionId) {
}
