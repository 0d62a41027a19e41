/**
 * Who may connect, and who may use which channel.
 *
 * <ul>
 *   <li>{@link com.aegisx.ws.server.auth.AuthSettings}: the JWT_* / AUTH_REQUIRED / CHANNEL_RULES
 *       environment, validated in one place;</li>
 *   <li>{@link com.aegisx.ws.server.auth.TokenExtractor}: finds the token in an upgrade request
 *       (Authorization header, {@code token} query parameter, {@code Sec-WebSocket-Protocol});</li>
 *   <li>{@link com.aegisx.ws.server.auth.JwtAuthenticator}: verifies it into an
 *       {@link com.aegisx.ws.server.auth.Identity}, or refuses with an
 *       {@link com.aegisx.ws.server.auth.AuthenticationException} carrying a machine reason
 *       (refuse the upgrade with HTTP 401);</li>
 *   <li>{@link com.aegisx.ws.server.auth.ChannelAccessPolicy}: decides subscribe / publish per
 *       channel from ordered rules;</li>
 *   <li>{@link com.aegisx.ws.server.auth.LogMasking}: keeps tokens and keys out of logs.</li>
 * </ul>
 *
 * <p>Nothing in this package logs or returns a token in a message.
 */
package com.aegisx.ws.server.auth;
