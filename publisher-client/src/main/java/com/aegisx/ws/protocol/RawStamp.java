package com.aegisx.ws.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;

/**
 * Stamps {@code channel} and {@code timestamp} into a payload's JSON text without re-encoding it.
 *
 * <p>A tree parse and write changes what the publisher wrote: Jackson reads a number with a
 * fraction as a double, so {@code 1795960460393.074} came out as {@code 1.795960460393074E12} and
 * digits beyond a double's were lost. Here the text is only scanned (validated by a streaming
 * parser that skips values without converting them), and the missing members are inserted right
 * after the object's opening brace: every byte the publisher wrote reaches the client as it was.
 */
public final class RawStamp {

    /**
     * The text clients receive, the connection to skip (from an envelope) if any, and the
     * publisher's own timestamp text if it set one (null: stamped here, or not a string).
     */
    public record Stamped(String text, String excludeConnection, String timestamp) {
    }

    private RawStamp() {
    }

    /**
     * Stamps a payload: a message object, or an envelope {@code {"__ws":{...},"message":{...}}}
     * whose message is stamped and returned. {@code channel} null: user and direct messages (no
     * {@code channel} added). Throws IllegalArgumentException when the payload is not a JSON
     * object (or an envelope without a message object).
     */
    public static Stamped stamp(String payload, String channel) {
        Scan scan = scan(payload, true);
        if (!scan.envelope) {
            return new Stamped(insert(payload, scan, channel), null, scan.timestamp);
        }
        if (scan.messageStart < 0) {
            throw new IllegalArgumentException("envelope without a message object");
        }
        String message = payload.substring(scan.messageStart, scan.messageEnd);
        Scan inner = scan(message, false);
        return new Stamped(insert(message, inner, channel), scan.exclude, inner.timestamp);
    }

    /**
     * Stamps one message given as JSON text (a publisher's String message): {@code channel} and
     * {@code timestamp} first when it had neither, the rest exactly as written.
     */
    public static String stampMessage(String message, String channel) {
        return insert(message, scan(message, false), channel);
    }

    /** What one pass over an object's top-level members found. */
    private static final class Scan {
        int open = -1;
        boolean empty = true;
        boolean hasChannel;
        boolean hasTimestamp;
        String timestamp;
        boolean envelope;
        int messageStart = -1;
        int messageEnd = -1;
        String exclude;
    }

    private static Scan scan(String text, boolean envelopeAllowed) {
        Scan scan = new Scan();
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("message must be a JSON object");
            }
            scan.open = (int) parser.currentTokenLocation().getCharOffset();
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                scan.empty = false;
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "channel" -> scan.hasChannel = true;
                    case "timestamp" -> {
                        scan.hasTimestamp = true;
                        scan.timestamp = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case WireFormat.ENVELOPE_FIELD -> {
                        if (envelopeAllowed) {
                            scan.envelope = true;
                            scan.exclude = excludeOf(parser, value);
                        }
                    }
                    case WireFormat.MESSAGE_FIELD -> {
                        if (envelopeAllowed && value == JsonToken.START_OBJECT) {
                            scan.messageStart = (int) parser.currentTokenLocation().getCharOffset();
                            parser.skipChildren();
                            scan.messageEnd = (int) parser.currentTokenLocation().getCharOffset() + 1;
                        }
                    }
                    default -> { }
                }
                if (value.isStructStart()) {
                    parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new IllegalArgumentException("not valid JSON: trailing content");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        return scan;
    }

    /** The envelope's {@code exclude}, leaving the parser on the options' last token. */
    private static String excludeOf(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            return null;
        }
        String exclude = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken option = parser.nextToken();
            if (name.equals(WireFormat.EXCLUDE_FIELD) && option == JsonToken.VALUE_STRING) {
                exclude = parser.getText();
            } else if (option.isStructStart()) {
                parser.skipChildren();
            }
        }
        return exclude;
    }

    private static String insert(String text, Scan scan, String channel) {
        boolean addChannel = channel != null && !scan.hasChannel;
        if (!addChannel && scan.hasTimestamp) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 80);
        out.append('{');
        if (addChannel) {
            out.append("\"channel\":\"");
            JsonStringEncoder.getInstance().quoteAsString(channel, out);
            out.append('"');
        }
        if (!scan.hasTimestamp) {
            if (addChannel) {
                out.append(',');
            }
            out.append("\"timestamp\":\"").append(Timestamps.now()).append('"');
        }
        if (!scan.empty) {
            out.append(',');
        }
        return out.append(text, scan.open + 1, text.length()).toString();
    }
}
