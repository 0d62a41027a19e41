package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.WsFrame;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WEBSOCKET_COMPRESSION=true: a socket that negotiated permessage-deflate gets every frame
 * compressed (frames of such sockets take Jetty's session chain, not the direct path to the
 * flusher), while a socket without it on the same channel gets the same message uncompressed.
 */
class CompressionIT {

    private static final int RSV1 = 4;
    @RegisterExtension
    static final TestCluster cluster = TestCluster.nodes(1).env("WEBSOCKET_COMPRESSION", "true");

    /** One permessage-deflate stream (context takeover: one inflater for the whole connection). */
    private static final class Inflating {
        private final Inflater inflater = new Inflater(true);

        JsonNode read(WsFrame frame) throws DataFormatException {
            assertEquals(WsFrame.TEXT, frame.opcode());
            assertEquals(RSV1, frame.rsv(), "compressed frame (RSV1)");
            byte[] input = new byte[frame.payload().length + 4];
            System.arraycopy(frame.payload(), 0, input, 0, frame.payload().length);
            input[input.length - 2] = (byte) 0xFF;
            input[input.length - 1] = (byte) 0xFF;
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            int n;
            while ((n = inflater.inflate(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
            return Json.parseObject(out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void negotiatedSocketsGetCompressedFramesAndOthersPlainOnes() throws Exception {
        try (RawWsClient deflate = RawWsClient.connect(cluster.uri(0, "/ws"),
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate"));
             RawWsClient plain = RawWsClient.connect(cluster.uri(0, "/ws"))) {
            assertTrue(deflate.responseHeaders().get("sec-websocket-extensions").contains("permessage-deflate"));
            Inflating inflating = new Inflating();
            assertEquals("welcome", inflating.read(deflate.readFrame()).path("type").asText());
            assertEquals("welcome", plain.readTextJson().path("type").asText());

            deflate.sendText("{\"type\":\"subscribe\",\"channel\":\"zip:room\"}");
            plain.sendText("{\"type\":\"subscribe\",\"channel\":\"zip:room\"}");
            assertEquals("subscribed", inflating.read(deflate.readFrame()).path("type").asText());
            assertEquals("subscribed", plain.readTextJson().path("type").asText());

            String text = "vital signs ".repeat(40);
            for (int i = 0; i < 3; i++) {
                cluster.publisher().broadcast("zip:room", Map.of("type", "vitals", "n", i, "text", text));
            }
            for (int i = 0; i < 3; i++) {
                WsFrame frame = deflate.readFrame();
                assertTrue(frame.payload().length < text.length(), "compressed: " + frame.payload().length + " bytes");
                JsonNode compressed = inflating.read(frame);
                assertEquals(i, compressed.path("n").asInt());
                assertEquals(text, compressed.path("text").asText());
                JsonNode uncompressed = plain.readTextJson();
                assertEquals(i, uncompressed.path("n").asInt());
                assertEquals("zip:room", uncompressed.path("channel").asText());
            }
        }
    }
}
