/**
 * The quick start, a deliberate feature: with no {@code REDIS_URL}, {@code Main} asks
 * {@link com.aegisx.ws.server.quickstart.LocalRedis} for a Redis on localhost:6379 (one already
 * running, else Debian's {@code redis-server}, else the binary bundled in the embedded-redis jar),
 * so one command starts a working node from a fresh clone.
 *
 * <p>Isolated: only {@code Main} uses this package, and only this package uses embedded-redis
 * ({@code ArchitectureTest} checks both), so the node itself never depends on it. The dependency
 * stays in the fat jar (compile scope) because the quick start runs that jar; a deployment sets
 * {@code REDIS_URL} and this code is never reached.
 */
package com.aegisx.ws.server.quickstart;
