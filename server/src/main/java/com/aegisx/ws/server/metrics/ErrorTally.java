package com.aegisx.ws.server.metrics;

import com.aegisx.ws.protocol.ErrorCodes;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Counts the {@code error} replies sent to clients, by machine code. Replies are built in static
 * helpers that know no node, so the tally is per JVM (one node per process in production; nodes
 * that share a test JVM share it). Codes outside {@link ErrorCodes} count as {@value #OTHER}, which
 * keeps the label set bounded.
 */
public final class ErrorTally {

    public static final String OTHER = "other";

    private static final Map<String, LongAdder> COUNTS = Arrays.stream(ErrorCodes.class.getFields())
            .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
            .map(f -> {
                try {
                    return (String) f.get(null);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            })
            .collect(Collectors.toUnmodifiableMap(code -> code, code -> new LongAdder(), (a, b) -> a));
    private static final LongAdder OTHERS = new LongAdder();

    private ErrorTally() {
    }

    public static void increment(String code) {
        LongAdder counter = code == null ? null : COUNTS.get(code);
        (counter != null ? counter : OTHERS).increment();
    }

    public static double count(String code) {
        if (OTHER.equals(code)) {
            return OTHERS.sum();
        }
        LongAdder counter = COUNTS.get(code);
        return counter == null ? 0 : counter.sum();
    }
}
