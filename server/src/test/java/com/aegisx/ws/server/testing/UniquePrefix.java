package com.aegisx.ws.server.testing;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fresh key prefixes such as {@code t17kq3v9x}, so tests sharing one Redis never see each
 * other's keys. The counter makes them unique within this JVM; the random tail makes them
 * unique across JVMs pointed at the same REDIS_URL (parallel CI jobs, surefire forks).
 * Only [a-z0-9], so a prefix is valid wherever the server accepts a key prefix or channel name.
 */
public final class UniquePrefix {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int RANDOM_CHARS = 6;
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final SecureRandom RANDOM = new SecureRandom();

    private UniquePrefix() {
    }

    public static String next() {
        StringBuilder sb = new StringBuilder("t").append(COUNTER.incrementAndGet());
        for (int i = 0; i < RANDOM_CHARS; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
