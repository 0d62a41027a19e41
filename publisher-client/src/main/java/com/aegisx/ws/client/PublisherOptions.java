package com.aegisx.ws.client;

import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.protocol.KeySchema;
import java.time.Duration;
import java.util.Objects;

/** Immutable options of a {@link WsPublisher}. Build with {@link #builder()}. */
public final class PublisherOptions {

    /** Key prefix shared with the nodes ({@code REDIS_KEY_PREFIX}). */
    public static final String DEFAULT_KEY_PREFIX = KeySchema.DEFAULT_PREFIX;
    /** How long a synchronous call waits for Redis before failing. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final KeySchema keys;
    private final Duration timeout;
    private final HistoryRules historyRules;
    private final RedisTls redisTls;
    private final String sentinelUsername;
    private final String sentinelPassword;

    private PublisherOptions(Builder builder) {
        this.keys = new KeySchema(builder.keyPrefix);
        this.timeout = builder.timeout;
        this.historyRules = builder.historyRules;
        this.redisTls = builder.redisTls;
        this.sentinelUsername = builder.sentinelUsername;
        this.sentinelPassword = builder.sentinelPassword;
    }

    public static PublisherOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public KeySchema keys() {
        return keys;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Which channels keep a history: the nodes' HISTORY_RULES (default {@link HistoryRules#DEFAULT_RULES}). */
    public HistoryRules historyRules() {
        return historyRules;
    }

    /** TLS material for an {@code s} scheme (the nodes' REDIS_TLS_* files); JVM defaults unless set. */
    public RedisTls redisTls() {
        return redisTls;
    }

    /** {@code redisUrl} parsed, with this TLS material and sentinel credentials (as the nodes do). */
    public RedisTarget target(String redisUrl) {
        RedisTarget target = RedisTarget.parse(Objects.requireNonNull(redisUrl, "redisUrl")).withTls(redisTls);
        return sentinelPassword == null ? target : target.withSentinelCredentials(sentinelUsername, sentinelPassword);
    }

    public static final class Builder {
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Duration timeout = DEFAULT_TIMEOUT;
        private HistoryRules historyRules = HistoryRules.defaults();
        private RedisTls redisTls = RedisTls.defaults();
        private String sentinelUsername;
        private String sentinelPassword;

        private Builder() {
        }

        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The nodes' HISTORY_RULES: broadcasts on matching channels are appended to the channel's
         * history and published in one script. Set it whenever the nodes run with other rules than
         * the default, e.g. {@code historyRules(HistoryRules.parse(System.getenv("HISTORY_RULES")))}.
         */
        public Builder historyRules(HistoryRules historyRules) {
            this.historyRules = Objects.requireNonNull(historyRules, "historyRules");
            return this;
        }

        /** A private CA and/or a client certificate for {@code rediss://} (the nodes' REDIS_TLS_* settings). */
        public Builder redisTls(RedisTls redisTls) {
            this.redisTls = Objects.requireNonNull(redisTls, "redisTls");
            return this;
        }

        /**
         * The sentinels' own credentials (the nodes' REDIS_SENTINEL_USERNAME/PASSWORD) for a
         * {@code redis-sentinel://} URL, whose password is the data nodes'. {@code username} may be null.
         */
        public Builder sentinelCredentials(String username, String password) {
            this.sentinelUsername = username;
            this.sentinelPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        public PublisherOptions build() {
            return new PublisherOptions(this);
        }
    }
}
