/**
 * The fan-out core: what a node decides, with no transport and no broker in it (no Jetty, no
 * Lettuce; {@code ArchitectureTest} keeps it so).
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link com.aegisx.ws.server.core.ConnectionHub}: the table of local sockets, registration,
 *       subscribe with rollback, activity and inactivity.</li>
 *   <li>{@link com.aegisx.ws.server.core.TopicSubscriptions}: the membership table (topic to local
 *       sockets), reference-counting the broker subscriptions.</li>
 *   <li>{@link com.aegisx.ws.server.core.FanOut}: the broker's listener; encodes a message once and
 *       writes it to every member.</li>
 *   <li>{@link com.aegisx.ws.server.core.NodeCommands}: the node inbox's interpreter.</li>
 *   <li>{@link com.aegisx.ws.server.core.ClientProtocol}, {@link com.aegisx.ws.server.core.Replies}:
 *       the client protocol; {@link com.aegisx.ws.server.core.RouteHandler}: what a route adds.</li>
 *   <li>{@link com.aegisx.ws.server.core.SubscriptionPolicy}: the one door of every subscription;
 *       {@link com.aegisx.ws.server.core.ConnectionGuard}: {@link com.aegisx.ws.server.core.InboundRate}
 *       and {@link com.aegisx.ws.server.core.TokenLifetime}.</li>
 *   <li>{@link com.aegisx.ws.server.core.IndexRepair}: re-registration after a sweep or a Redis data
 *       loss, retried until it succeeds.</li>
 * </ul>
 *
 * <h2>Ports</h2>
 * {@link com.aegisx.ws.server.core.Broker} (topics: subscribe with confirmation, unsubscribe,
 * publish; deliveries come back through its listener), {@link com.aegisx.ws.server.core.ConnectionIndex}
 * (the cluster-wide record of this node's sockets), {@link com.aegisx.ws.server.core.Outbound} (one
 * socket's way out), {@link com.aegisx.ws.server.core.ConnectionLimits} (cluster-wide connection
 * limits), and {@code metrics.FanoutMetrics} (what the core counts). The adapters are
 * {@code redis/} and {@code jetty/}.
 *
 * <h2>The threading rule</h2>
 * <ol>
 *   <li><b>Adapters complete on a known executor.</b> A future a port returns completes on the
 *       node's callback executor (one thread, {@code ws-callbacks-<node>}, so completions keep the
 *       order the broker answered in), never on an I/O event loop; deliveries arrive on the
 *       dispatch worker of their topic ({@code ws-dispatch-N}). Jetty calls the core on its own
 *       threads.</li>
 *   <li><b>Nothing blocks an event loop, nor the callback or dispatch threads.</b> The core and the
 *       routes never wait on a future ({@code get()}, {@code join()}, a blocking manager call): they
 *       chain. JSON encoding and socket writes happen on these threads, never on Lettuce's loop.</li>
 *   <li><b>No work runs under a connection's monitor.</b> {@link com.aegisx.ws.server.core.LocalConnection}'s
 *       monitor guards only swaps of its own fields; steps of
 *       {@link com.aegisx.ws.server.core.LocalConnection#serially} start outside it.</li>
 * </ol>
 */
package com.aegisx.ws.server.core;
