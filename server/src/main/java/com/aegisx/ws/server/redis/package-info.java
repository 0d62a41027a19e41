/**
 * The broker adapter, on Lettuce: {@link com.aegisx.ws.server.redis.RedisBroker} (pub/sub),
 * {@link com.aegisx.ws.server.redis.RedisConnectionIndex}, the node registry and heartbeat, the
 * connection limiter's scripts, and the {@link com.aegisx.ws.server.redis.PubSubDispatcher} that
 * takes deliveries off Lettuce's event loop.
 *
 * <p>Threading: Lettuce completes its futures on its single event loop; every future handed to the
 * core is moved to the node's callback executor first ({@code Callbacks.on}), and deliveries to the
 * dispatch workers, so no core or route code ever runs on the loop. A user's messages are the
 * exception: delivered on the loop itself, without a hand-off. The loops read in paced rounds while
 * Redis's traffic comes often ({@link com.aegisx.ws.server.redis.PacedEventLoops},
 * {@code REDIS_READ_BATCH_MICROS}), so several messages share one wake-up.
 */
package com.aegisx.ws.server.redis;
