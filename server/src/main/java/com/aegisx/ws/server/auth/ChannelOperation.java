package com.aegisx.ws.server.auth;

/** What a client wants to do with a channel; each {@link ChannelRule} grants the two separately. */
public enum ChannelOperation {
    /** Receive the channel's broadcasts (also: query its members through a client-facing API). */
    SUBSCRIBE,
    /** Send to the channel from a client connection (a future client publish path). */
    PUBLISH
}
