package com.aegisx.ws.client;

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

    private PublisherOptions(Builder builder) {
        this.keys = new KeySchema(builder.keyPrefix);
        this.timeout = builder.timeout;
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

    public static final class Builder {
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Duration timeout = DEFAULT_TIMEOUT;

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

        public PublisherOptions build() {
            return new PublisherOptions(this);
        }
    }
}
