package com.aegisx.ws.server.security;

import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.server.config.env.Env;
import java.time.Duration;
import java.util.List;

/**
 * Limits and perimeter settings of a node (everything security-related that is not a JWT setting,
 * see {@link com.aegisx.ws.server.auth.AuthSettings} for those). Read by
 * {@link com.aegisx.ws.server.config.ServerConfig}; every bad value is reported with the variable's name.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>ALLOWED_ORIGINS</td><td>unset: same host only</td><td>see {@link OriginPolicy}</td></tr>
 *   <tr><td>TRUSTED_PROXIES</td><td>unset: none</td><td>IPs/CIDRs whose X-Forwarded-For is believed</td></tr>
 *   <tr><td>WEBSOCKET_MAX_SUBSCRIPTIONS</td><td>{@value #DEFAULT_MAX_SUBSCRIPTIONS}</td><td>client subscriptions per connection</td></tr>
 *   <tr><td>WEBSOCKET_MAX_CONNECTIONS_PER_USER</td><td>{@value #DEFAULT_MAX_CONNECTIONS_PER_USER}</td><td>cluster-wide; 0 = off</td></tr>
 *   <tr><td>WEBSOCKET_MAX_CONNECTIONS_PER_IP</td><td>{@value #DEFAULT_MAX_CONNECTIONS_PER_IP}</td><td>cluster-wide; 0 = off</td></tr>
 *   <tr><td>WEBSOCKET_UPGRADE_RATE_PER_IP</td><td>{@value #DEFAULT_UPGRADE_RATE_PER_IP}</td><td>upgrades per second per address on one node, before Redis is asked; 0 = off</td></tr>
 *   <tr><td>WEBSOCKET_UPGRADE_BURST_PER_IP</td><td>{@value #DEFAULT_UPGRADE_BURST_PER_IP}</td><td>upgrades per address accepted back to back</td></tr>
 *   <tr><td>WEBSOCKET_RATE_LIMIT</td><td>{@value #DEFAULT_RATE_PER_SECOND}</td><td>inbound messages per second (token refill)</td></tr>
 *   <tr><td>WEBSOCKET_RATE_BURST</td><td>{@value #DEFAULT_RATE_BURST}</td><td>bucket size: messages accepted back to back</td></tr>
 *   <tr><td>WEBSOCKET_RATE_LIMIT_TOLERANCE</td><td>{@value #DEFAULT_RATE_TOLERANCE}</td><td>messages refused within the window before the close</td></tr>
 *   <tr><td>WEBSOCKET_RATE_LIMIT_WINDOW</td><td>{@value #DEFAULT_RATE_WINDOW_MS} ms</td><td>sliding window the refusals are counted over</td></tr>
 *   <tr><td>WEBSOCKET_MAX_CHANNEL_LENGTH</td><td>{@value ChannelNames#DEFAULT_MAX_LENGTH}</td><td>characters of a channel name</td></tr>
 *   <tr><td>TOKEN_EXPIRY_WARNING</td><td>{@value #DEFAULT_EXPIRY_WARNING_MS} ms</td><td>how long before expiry {@code token_expiring} is sent</td></tr>
 *   <tr><td>ADMIN_API_KEY</td><td>unset</td><td>key for the debug endpoints (X-Api-Key), at least {@value #MIN_API_KEY_LENGTH} chars</td></tr>
 * </table>
 */
public record SecuritySettings(
        OriginPolicy origins,
        TrustedProxies proxies,
        int maxSubscriptions,
        int maxConnectionsPerUser,
        int maxConnectionsPerIp,
        int upgradeRatePerIp,
        int upgradeBurstPerIp,
        int ratePerSecond,
        int rateBurst,
        int rateTolerance,
        Duration rateWindow,
        int maxChannelLength,
        Duration expiryWarning,
        String adminApiKey) {

    /** Enough for a dashboard showing many wards; a client needing more is probably leaking. */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 100;
    /** Browser tabs and devices of one person; far above normal use, far below a runaway reconnect loop. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_USER = 20;
    /** High on purpose: a whole hospital may reach us through one NAT address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 1000;
    /**
     * Upgrades per second one address may start on one node before the shared Redis is asked about
     * the connection limits. A hospital's NAT reconnecting a few hundred tabs after a restart is
     * served within seconds (the burst, then this rate per node, clients retry with backoff); a
     * client hammering refused upgrades costs Redis at most this many checks per second per node.
     */
    public static final int DEFAULT_UPGRADE_RATE_PER_IP = 50;
    public static final int DEFAULT_UPGRADE_BURST_PER_IP = 200;
    /** A UI sends a handful of messages per second at most; this leaves room for bursts of subscriptions. */
    public static final int DEFAULT_RATE_PER_SECOND = 20;
    public static final int DEFAULT_RATE_BURST = 50;
    /** A client that keeps sending this many messages after the rate_limited error is not listening. */
    public static final int DEFAULT_RATE_TOLERANCE = 50;
    /**
     * Refusals are counted over this sliding window: long enough that pacing just over the rate
     * (one refusal per second or so) is caught, short enough that a client that was over the rate
     * once in a while is never closed for it.
     */
    public static final long DEFAULT_RATE_WINDOW_MS = 60_000;
    public static final long DEFAULT_EXPIRY_WARNING_MS = 60_000;
    /** An API key shorter than this is guessable; refuse it at startup. */
    public static final int MIN_API_KEY_LENGTH = 24;

    public SecuritySettings {
        adminApiKey = adminApiKey == null || adminApiKey.isEmpty() ? null : adminApiKey;
    }

    /** The defaults, as with no variable set. */
    public static SecuritySettings defaults() {
        return fromEnv(new Env(java.util.Map.of()));
    }

    public static SecuritySettings fromEnv(Env env) {
        OriginPolicy origins = OriginPolicy.parse(env.list("ALLOWED_ORIGINS", List.of()),
                problem -> env.error("ALLOWED_ORIGINS", problem));
        TrustedProxies proxies = TrustedProxies.parse(env.list("TRUSTED_PROXIES", List.of()),
                problem -> env.error("TRUSTED_PROXIES", problem));
        int maxSubscriptions = env.integer("WEBSOCKET_MAX_SUBSCRIPTIONS", DEFAULT_MAX_SUBSCRIPTIONS, 1, 100_000);
        int perUser = env.integer("WEBSOCKET_MAX_CONNECTIONS_PER_USER", DEFAULT_MAX_CONNECTIONS_PER_USER, 0, 1_000_000);
        int perIp = env.integer("WEBSOCKET_MAX_CONNECTIONS_PER_IP", DEFAULT_MAX_CONNECTIONS_PER_IP, 0, 10_000_000);
        int upgradeRate = env.integer("WEBSOCKET_UPGRADE_RATE_PER_IP", DEFAULT_UPGRADE_RATE_PER_IP, 0, 1_000_000);
        int upgradeBurst = env.integer("WEBSOCKET_UPGRADE_BURST_PER_IP", Math.max(DEFAULT_UPGRADE_BURST_PER_IP, upgradeRate),
                1, 10_000_000);
        int rate = env.integer("WEBSOCKET_RATE_LIMIT", DEFAULT_RATE_PER_SECOND, 1, 1_000_000);
        int burst = env.integer("WEBSOCKET_RATE_BURST", Math.max(DEFAULT_RATE_BURST, rate), 1, 10_000_000);
        // Bounded: each rate-limited socket keeps tolerance + 1 timestamps.
        int tolerance = env.integer("WEBSOCKET_RATE_LIMIT_TOLERANCE", DEFAULT_RATE_TOLERANCE, 0, 10_000);
        long window = env.longValue("WEBSOCKET_RATE_LIMIT_WINDOW", DEFAULT_RATE_WINDOW_MS, 1_000, 24L * 3600 * 1000);
        int maxChannel = env.integer("WEBSOCKET_MAX_CHANNEL_LENGTH", ChannelNames.DEFAULT_MAX_LENGTH, 1,
                ChannelNames.DEFAULT_MAX_LENGTH);
        long warning = env.longValue("TOKEN_EXPIRY_WARNING", DEFAULT_EXPIRY_WARNING_MS, 0, 24L * 3600 * 1000);
        String apiKey = env.raw("ADMIN_API_KEY");
        if (apiKey != null && apiKey.length() < MIN_API_KEY_LENGTH) {
            // Never echo the key itself in the error.
            env.error("ADMIN_API_KEY", "must be at least " + MIN_API_KEY_LENGTH + " characters (generate one with:"
                    + " openssl rand -hex 32)");
            apiKey = null;
        }
        return new SecuritySettings(origins, proxies, maxSubscriptions, perUser, perIp, upgradeRate, upgradeBurst, rate, burst,
                tolerance,
                Duration.ofMillis(window), maxChannel, Duration.ofMillis(warning), apiKey);
    }

    /** One line for the startup log; never prints the API key. */
    public String describe() {
        return "security: origins=" + origins + ", trustedProxies=" + proxies
                + ", maxSubscriptions=" + maxSubscriptions
                + ", maxConnectionsPerUser=" + (maxConnectionsPerUser == 0 ? "off" : maxConnectionsPerUser)
                + ", maxConnectionsPerIp=" + (maxConnectionsPerIp == 0 ? "off" : maxConnectionsPerIp)
                + ", upgradesPerIp=" + (upgradeRatePerIp == 0 ? "off" : upgradeRatePerIp + "/s burst " + upgradeBurstPerIp)
                + ", rate=" + ratePerSecond + "/s burst " + rateBurst + " tolerance " + rateTolerance
                + " per " + rateWindow.toSeconds() + " s"
                + ", adminApiKey=" + (adminApiKey == null ? "unset" : "set");
    }

    @Override
    public String toString() {
        return "SecuritySettings[" + describe() + "]";
    }
}
