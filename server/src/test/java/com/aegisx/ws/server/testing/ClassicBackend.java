package com.aegisx.ws.server.testing;

/** A {@link RedisBackend} with classic pub/sub (standalone or Sentinel): PUBLISH and PUBSUB NUMSUB on {@link #sync()}. */
public interface ClassicBackend extends RedisBackend {

    @Override
    default long publish(String topic, String payload) {
        return sync().publish(topic, payload);
    }

    @Override
    default long subscribers(String topic) {
        return sync().pubsubNumsub(topic).getOrDefault(topic, 0L);
    }

    @Override
    default boolean sharded() {
        return false;
    }
}
