package com.aegisx.ws.client;

import com.aegisx.ws.client.events.EventOptions;
import com.aegisx.ws.protocol.ChannelPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node reports in its registry hash so that whoever sweeps it after its death (another
 * node, a publisher client) writes what it would have written: its lifecycle events setting and
 * stream cap, and the channel patterns with presence (their subscribers get a {@code presence_leave}
 * for each swept socket).
 */
public record NodeTraits(boolean lifecycleEvents, long eventsMaxLength, List<String> presenceChannels) {

    static final String EVENTS = "lifecycleEvents";
    static final String EVENTS_MAX_LENGTH = "eventsMaxLength";
    static final String PRESENCE = "presenceChannels";
    /** Patterns cannot contain control characters, so a newline separates them. */
    private static final String SEPARATOR = "\n";

    public NodeTraits {
        presenceChannels = List.copyOf(presenceChannels);
    }

    /** Fields for the node's registry hash. */
    public Map<String, String> toHash() {
        Map<String, String> hash = new LinkedHashMap<>();
        hash.put(EVENTS, lifecycleEvents ? "1" : "0");
        hash.put(EVENTS_MAX_LENGTH, Long.toString(eventsMaxLength));
        hash.put(PRESENCE, String.join(SEPARATOR, presenceChannels));
        return hash;
    }

    /** From a registry hash; a hash without the fields (an older node) means: no events, no presence. */
    public static NodeTraits fromHash(Map<String, String> hash) {
        boolean events = "1".equals(hash.get(EVENTS));
        long maxLength = EventOptions.DEFAULT_MAX_LENGTH;
        try {
            maxLength = Math.max(1, Long.parseLong(hash.getOrDefault(EVENTS_MAX_LENGTH, "")));
        } catch (NumberFormatException e) {
            // keep the default
        }
        List<String> patterns = new ArrayList<>();
        for (String pattern : hash.getOrDefault(PRESENCE, "").split(SEPARATOR)) {
            if (!pattern.isBlank()) {
                patterns.add(pattern);
            }
        }
        return new NodeTraits(events, maxLength, patterns);
    }

    /** The event options a sweeper of this node writes with. */
    public EventOptions events(String sweeperId) {
        return new EventOptions(lifecycleEvents, eventsMaxLength, Duration.ZERO, sweeperId);
    }

    /** The channel patterns with presence, compiled (a pattern that no longer parses is skipped). */
    public List<ChannelPattern> presencePatterns() {
        List<ChannelPattern> compiled = new ArrayList<>();
        for (String pattern : presenceChannels) {
            try {
                compiled.add(ChannelPattern.familyInclusive(pattern));
            } catch (IllegalArgumentException e) {
                // written by a node of another version: ignore it rather than fail the sweep
            }
        }
        return compiled;
    }
}
