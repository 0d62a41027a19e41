package com.aegisx.ws.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class UpgradeRequestReleaseTest {

    /** A request answering only getHeader and getRequestURI. */
    private static HttpServletRequest request(Map<String, String> headers) {
        return (HttpServletRequest) Proxy.newProxyInstance(loader(), new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> headers.get((String) args[0]);
                    case "getRequestURI" -> "/ws";
                    default -> null;
                });
    }

    private static ClassLoader loader() {
        return UpgradeRequestReleaseTest.class.getClassLoader();
    }

    @Test
    void theUpgradeSeesTheRequestAndItIsReleasedAfterwards() throws Exception {
        AtomicReference<ServletRequest> seen = new AtomicReference<>();
        AtomicReference<String> uriDuringUpgrade = new AtomicReference<>();
        new UpgradeRequestRelease().doFilter(request(Map.of("Upgrade", "websocket")), (ServletResponse) null,
                (req, res) -> {
                    seen.set(req);
                    uriDuringUpgrade.set(((HttpServletRequest) req).getRequestURI());
                });
        assertEquals("/ws", uriDuringUpgrade.get());
        UpgradeRequestRelease.Releasable kept = (UpgradeRequestRelease.Releasable) seen.get();
        assertSame(UpgradeRequestRelease.RELEASED, kept.getRequest(), "nothing of the exchange stays reachable");
        IllegalStateException e = assertThrows(IllegalStateException.class, kept::getRequestURI);
        assertTrue(e.getMessage().contains("getRequestURI"), e.getMessage());
    }

    @Test
    void releasedEvenWhenTheUpgradeFails() {
        AtomicReference<ServletRequest> seen = new AtomicReference<>();
        assertThrows(IllegalStateException.class, () -> new UpgradeRequestRelease().doFilter(
                request(Map.of("Upgrade", "WebSocket")), null, (req, res) -> {
                    seen.set(req);
                    throw new IllegalStateException("boom");
                }));
        assertSame(UpgradeRequestRelease.RELEASED, ((UpgradeRequestRelease.Releasable) seen.get()).getRequest());
    }

    @Test
    void plainHttpRequestsPassUnwrapped() throws Exception {
        HttpServletRequest plain = request(Map.of());
        AtomicReference<ServletRequest> seen = new AtomicReference<>();
        new UpgradeRequestRelease().doFilter(plain, null, (req, res) -> seen.set(req));
        assertSame(plain, seen.get());
    }

    @Test
    void thePlaceholderIsUsableAsAnObject() {
        HttpServletRequest released = UpgradeRequestRelease.RELEASED;
        assertTrue(released.toString().contains("released"));
        assertEquals(released, released);
        assertEquals(System.identityHashCode(released), released.hashCode());
    }
}
