package com.aegisx.ws.client.events;

import com.aegisx.ws.client.RedisScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The index scripts that write lifecycle events in the same atomic step as the change they report
 * (the {@code .lua} files beside this class, each with {@code emit.lua} in front).
 */
public final class EventScripts {

    public static final RedisScript CONNECTION_OPEN = load("connection-open.lua");
    public static final RedisScript CONNECTION_CHANNEL = load("connection-channel.lua");
    public static final RedisScript CONNECTION_CLOSE = load("connection-close.lua");
    public static final RedisScript USER_ADD = load("user-add.lua");
    public static final RedisScript USER_REMOVE = load("user-remove.lua");
    public static final RedisScript USER_OFFLINE = load("user-offline.lua");

    private EventScripts() {
    }

    private static RedisScript load(String name) {
        return new RedisScript(text("emit.lua") + "\n" + text(name));
    }

    private static String text(String name) {
        try (InputStream in = EventScripts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
