package com.aegisx.ws.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoMillisTest {

    @Test
    void agreesWithInstantParse() {
        SplittableRandom random = new SplittableRandom(14);
        List<String> fixed = List.of("1970-01-01T00:00:00.000Z", "2000-02-29T23:59:59.999Z", "2024-01-07T10:30:00.000Z",
                "1969-12-31T23:59:59.999Z", "2100-03-01T00:00:00.001Z", "0001-01-01T00:00:00.000Z");
        for (String text : fixed) {
            assertEquals(Instant.parse(text).toEpochMilli(), IsoMillis.parse(text, 0), text);
        }
        for (int i = 0; i < 10_000; i++) {
            Instant instant = Instant.ofEpochMilli(random.nextLong(-62_000_000_000_000L, 250_000_000_000_000L))
                    .truncatedTo(ChronoUnit.MILLIS);
            String text = instant.toString();
            if (text.length() == 20) { // whole seconds print without a fraction
                text = text.substring(0, 19) + ".000Z";
            }
            if (text.length() != IsoMillis.LENGTH) {
                continue; // 5-digit years
            }
            assertEquals(instant.toEpochMilli(), IsoMillis.parse("{\"x\":\"" + text + "\"}", 6), text);
        }
    }

    @Test
    void anythingElseIsInvalid() {
        for (String text : List.of("2024-01-07T10:30:00Z", "2024-01-07T10:30:00.000+01:00", "2024-13-07T10:30:00.000Z",
                "2023-02-29T10:30:00.000Z", "2024-01-07T24:30:00.000Z", "2024-01-07 10:30:00.000Z",
                "2024-01-0xT10:30:00.000Z", "2024-01-07T10:30:00.000")) {
            assertEquals(IsoMillis.INVALID, IsoMillis.parse(text, 0), text);
        }
        assertEquals(IsoMillis.INVALID, IsoMillis.parse("2024-01-07T10:30:00.000Z", 1));
    }
}
