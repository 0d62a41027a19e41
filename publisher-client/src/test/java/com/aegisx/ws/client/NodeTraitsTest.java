package com.aegisx.ws.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.events.EventOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeTraitsTest {

    @Test
    void aSweeperReadsBackWhatTheNodeHadEnabled() {
        NodeTraits traits = new NodeTraits(true, 32_000, List.of("room:*", "ward:**"));
        NodeTraits read = NodeTraits.fromHash(traits.toHash());
        assertEquals(traits, read);
        EventOptions events = read.events("sweeper-1");
        assertTrue(events.enabled());
        assertEquals("sweeper-1", events.by());
        assertEquals(2_000, events.shardCap(), "the cap is split over the 16 shards");
        assertTrue(read.presencePatterns().get(0).matches("room:1"));
        assertFalse(read.presencePatterns().stream().anyMatch(p -> p.matches("lobby")));
    }

    @Test
    void aHashWithoutTheFieldsMeansNothingToWrite() {
        NodeTraits read = NodeTraits.fromHash(Map.of("host", "h", "eventsMaxLength", "not a number"));
        assertFalse(read.lifecycleEvents());
        assertEquals(EventOptions.DEFAULT_MAX_LENGTH, read.eventsMaxLength());
        assertEquals(List.of(), read.presencePatterns());
    }
}
