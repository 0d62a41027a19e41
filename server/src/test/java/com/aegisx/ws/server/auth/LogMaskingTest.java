package com.aegisx.ws.server.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LogMaskingTest {

    @Test
    void masksSensitiveQueryParameters() {
        assertEquals("/ws?token=***", LogMasking.maskQuery("/ws?token=eyJhbGciOi.abc.def"));
        assertEquals("ws://h:3000/ws?a=1&token=***&b=2", LogMasking.maskQuery("ws://h:3000/ws?a=1&token=secret&b=2"));
        assertEquals("token=***&access_token=***", LogMasking.maskQuery("token=x&access_token=y"));
        assertEquals("/x?api_key=***&apikey=***&API_KEY=***", LogMasking.maskQuery("/x?api_key=1&apikey=2&API_KEY=3"));
        assertEquals("/x?token=***#frag", LogMasking.maskQuery("/x?token=abc#frag"));
        assertEquals("GET /ws?token=*** HTTP/1.1", LogMasking.maskQuery("GET /ws?token=abc HTTP/1.1"));
        assertEquals("/x?refresh_token=***;password=***", LogMasking.maskQuery("/x?refresh_token=a;password=b"));
    }

    @Test
    void leavesOtherParametersAlone() {
        assertEquals("/ws?mytoken=abc&tokens=1", LogMasking.maskQuery("/ws?mytoken=abc&tokens=1"));
        assertEquals("/ws?channel=user:1", LogMasking.maskQuery("/ws?channel=user:1"));
        assertEquals("/ws", LogMasking.maskQuery("/ws"));
        assertNull(LogMasking.maskQuery(null));
        assertEquals("/ws?token=***&x", LogMasking.maskQuery("/ws?token=&x"));
    }

    @Test
    void masksTokens() {
        assertEquals("eyJhbG…", LogMasking.maskToken("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig"));
        assertEquals("***", LogMasking.maskToken("short-key"));
        assertEquals("(none)", LogMasking.maskToken(null));
    }

    @Test
    void masksHeaders() {
        assertEquals("Bearer ***", LogMasking.maskHeader("Authorization", "Bearer eyJhbGciOi.x.y"));
        assertEquals("***", LogMasking.maskHeader("authorization", "garbage"));
        assertEquals("bearer, ***", LogMasking.maskHeader("Sec-WebSocket-Protocol", "bearer, eyJhbGciOi.x.y"));
        assertEquals("graphql-ws, bearer.***", LogMasking.maskHeader("sec-websocket-protocol", "graphql-ws, bearer.eyJ.x.y"));
        assertEquals("***", LogMasking.maskHeader("X-Api-Key", "k"));
        assertEquals("https://app/?token=***", LogMasking.maskHeader("Referer", "https://app/?token=t"));
        assertEquals("Mozilla/5.0", LogMasking.maskHeader("User-Agent", "Mozilla/5.0"));
    }

    @Test
    void parameterNamesAreComparedDecodedAsTheServerReadsThem() {
        assertEquals("/ws?%74oken=***&x=1", LogMasking.maskQuery("/ws?%74oken=eyJ.a.b&x=1"));
        assertEquals("/ws?%2574oken=***", LogMasking.maskQuery("/ws?%2574oken=eyJ.a.b"));
        assertEquals("/ws?TOKEN=***;api%5Fkey=***#f", LogMasking.maskQuery("/ws?TOKEN=a;api%5Fkey=b#f"));
        assertEquals("/ws?tokens=1&xtoken=2", LogMasking.maskQuery("/ws?tokens=1&xtoken=2"));
        assertEquals("token=***", LogMasking.maskQuery("token=abc"), "a bare query");
        assertEquals("/ws?bad=%zz&token=***", LogMasking.maskQuery("/ws?bad=%zz&token=x"));
    }

    @Test
    void logSafeEscapesEverythingThatCouldBreakOrHideALine() {
        assertEquals("plain text: ok", LogSafe.text("plain text: ok"));
        assertEquals("a\\\\nb", LogSafe.text("a\\nb"), "a backslash is doubled: no escape can be faked");
        assertEquals("a\\r\\nb\\tc", LogSafe.text("a\r\nb\tc"));
        assertEquals("x\\u2028y\\u2029z\\u0085\\u202E\\u0000\\u007F", LogSafe.text("x\u2028y\u2029z\u0085\u202E\u0000\u007F"));
        assertEquals("Grüße, 日本", LogSafe.text("Grüße, 日本"));
        assertEquals(null, LogSafe.text(null));
        String longText = "y".repeat(1000);
        assertEquals("y".repeat(LogSafe.MAX_LENGTH) + "...(1000 chars)", LogSafe.text(longText));
    }
}
