package com.aegisx.ws.server.http;

import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.server.auth.LogMasking;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's access log, one line per request (WebSocket upgrades included), through SLF4J logger
 * {@value #LOGGER}. The request target passes {@link LogMasking#maskQuery}: browsers can only put a
 * token in the query ({@code /ws?token=...}), and an access log is where such tokens usually leak.
 * No header is logged, so Authorization, X-Api-Key and Sec-WebSocket-Protocol never appear.
 * Silence it with {@code <logger name="access" level="OFF"/>}.
 */
public final class MaskedRequestLog implements RequestLog {

    public static final String LOGGER = "access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    @Override
    public void log(Request request, Response response) {
        if (!log.isInfoEnabled()) {
            return;
        }
        log.info("{} {} status={} ip={}", request.getMethod(),
                LogSafe.text(LogMasking.maskQuery(request.getHttpURI().getPathQuery())), response.getStatus(),
                Request.getRemoteAddr(request));
    }
}
