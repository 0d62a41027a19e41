package com.aegisx.ws.client.history;

import com.aegisx.ws.protocol.ChannelPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which channels keep a history, how much and how long: {@code HISTORY_RULES}, shared by the
 * nodes (they answer {@code since} from it) and the publisher client (it publishes through the
 * history script on the channels it matches). The first rule whose pattern matches decides.
 *
 * <p>Grammar: {@code pattern=SIZE[/TTL];pattern=off;...}, for example
 * {@code reports:progress:**=100/1h;chat:*=500/24h;prices:**=off}. SIZE is the number of messages
 * kept (1..{@value #MAX_SIZE}); TTL, with a unit {@code ms s m h d}, how long the history lives
 * after the channel's last publish (absent: until trimmed by SIZE); {@code off}: no history.
 * Patterns as in CHANNEL_RULES ({@link ChannelPattern}). An empty text: no channel has history.
 */
public final class HistoryRules {

    public static final int MAX_SIZE = 100_000;
    private static final int MAX_CACHED = 10_000;
    /**
     * Report and notification channels keep history by default: a watcher that reconnects learns
     * what it missed. Report data has its own stream ({@code initial_data}), so it is left out.
     */
    public static final String DEFAULT_RULES =
            "reports:data:**=off;reports:progress:**=100/1h;reports:**=100/24h;user:*:reports=100/24h";

    private static final HistoryRules DEFAULTS = parse(DEFAULT_RULES);
    private static final HistoryRules NONE = new HistoryRules(List.of());

    private final List<HistoryRule> rules;
    /** Match results by channel: a node asks per subscribe, a publisher per publish. */
    private final ConcurrentHashMap<String, Optional<HistoryRule>> cache = new ConcurrentHashMap<>();

    private HistoryRules(List<HistoryRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static HistoryRules defaults() {
        return DEFAULTS;
    }

    public static HistoryRules none() {
        return NONE;
    }

    public static HistoryRules of(List<HistoryRule> rules) {
        return new HistoryRules(rules);
    }

    /** Parses HISTORY_RULES text; throws IllegalArgumentException naming every problem. */
    public static HistoryRules parse(String text) {
        List<HistoryRule> rules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (text != null) {
            for (String entry : text.split(";")) {
                String trimmed = entry.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                try {
                    rules.add(parseRule(trimmed));
                } catch (IllegalArgumentException e) {
                    problems.add("'" + trimmed + "': " + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new HistoryRules(rules);
    }

    private static HistoryRule parseRule(String entry) {
        int eq = entry.indexOf('=');
        if (eq <= 0 || eq == entry.length() - 1) {
            throw new IllegalArgumentException("expected pattern=SIZE[/TTL] or pattern=off");
        }
        ChannelPattern pattern = ChannelPattern.of(entry.substring(0, eq).trim());
        String spec = entry.substring(eq + 1).trim();
        if (spec.equalsIgnoreCase("off")) {
            return new HistoryRule(pattern, 0, Duration.ZERO);
        }
        int slash = spec.indexOf('/');
        String size = slash < 0 ? spec : spec.substring(0, slash).trim();
        int count;
        try {
            count = Integer.parseInt(size);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size '" + size + "' is not a whole number");
        }
        if (count < 1) {
            throw new IllegalArgumentException("size must be at least 1 (or write off)");
        }
        Duration ttl = slash < 0 ? Duration.ZERO : parseDuration(spec.substring(slash + 1).trim());
        return new HistoryRule(pattern, count, ttl);
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 7d}. */
    static Duration parseDuration(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        String unit = lower.endsWith("ms") ? "ms" : lower.isEmpty() ? "" : lower.substring(lower.length() - 1);
        long amount;
        try {
            amount = Long.parseLong(lower.substring(0, lower.length() - unit.length()));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("TTL '" + text + "' must be a whole number with a unit ms, s, m, h or d");
        }
        if (amount < 1) {
            throw new IllegalArgumentException("TTL must be positive");
        }
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("TTL '" + text + "' needs a unit: ms, s, m, h or d");
        };
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** The rule giving the channel a history, if any (a matching {@code off} rule gives none). */
    public Optional<HistoryRule> forChannel(String channel) {
        if (cache.size() > MAX_CACHED) {
            cache.clear(); // channel names come and go (one per report): the cache must not grow forever
        }
        return cache.computeIfAbsent(channel, c -> {
            for (HistoryRule rule : rules) {
                if (rule.pattern().matches(c)) {
                    return rule.enabled() ? Optional.of(rule) : Optional.empty();
                }
            }
            return Optional.empty();
        });
    }

    public boolean hasHistory(String channel) {
        return forChannel(channel).isPresent();
    }

    public List<HistoryRule> rules() {
        return rules;
    }

    /** The HISTORY_RULES spelling. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (HistoryRule rule : rules) {
            if (!out.isEmpty()) {
                out.append(';');
            }
            out.append(rule);
        }
        return out.toString();
    }
}
