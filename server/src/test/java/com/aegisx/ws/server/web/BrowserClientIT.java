package com.aegisx.ws.server.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.Timestamps;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.WsNode;
import com.aegisx.ws.server.testing.Browser;
import com.aegisx.ws.server.testing.HaproxyProcess;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.WebElement;

/**
 * The browser client (GET /client/ws-client.js) on the demo page (GET /demo/), in Debian's
 * headless Chromium against real nodes: assertions on the page's DOM, a screenshot of each test in
 * target/browser-screenshots/.
 */
class BrowserClientIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Browser browser;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static String demo(int port, String query) {
        return "http://127.0.0.1:" + port + "/demo/?" + query;
    }

    private static String param(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void awaitText(String id, String expected) {
        await().atMost(WAIT).until(() -> expected.equals(browser.text(id)));
    }

    private static List<WebElement> messages(String type) {
        return browser.all("#messages li[data-type='" + type + "']");
    }

    private static void awaitChannelsActive(String... channels) {
        await().atMost(WAIT).until(() -> {
            for (String channel : channels) {
                List<WebElement> item = browser.all("#channels li[data-channel='" + channel + "']");
                if (item.isEmpty() || item.get(0).getAttribute("class").contains("pending")) {
                    return false;
                }
            }
            return true;
        });
    }

    private static void screenshot(TestInfo test) throws java.io.IOException {
        assertTrue(Files.size(browser.screenshot(test.getTestMethod().orElseThrow().getName())) > 0);
    }

    @Test
    void thePageConnectsSubscribesAndReceivesBroadcasts(TestInfo test) throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            browser.open(demo(cluster.node(0).port(), "connect=1&channels=demo:news,demo:other"));
            awaitText("state", "open");
            awaitChannelsActive("demo:news", "demo:other");
            assertEquals(cluster.node(0).nodeId(), browser.text("node-id"));

            cluster.publisher().broadcast("demo:news", Map.of("type", "story", "title", "<b>not html</b>"));
            await().atMost(WAIT).until(() -> messages("story").size() == 1);
            WebElement story = messages("story").get(0);
            assertEquals("demo:news", story.getAttribute("data-channel"));
            assertTrue(story.getText().contains("<b>not html</b>"), "server text shown as text: " + story.getText());
            assertTrue(browser.all("#messages b").isEmpty(), "no markup from a message reaches the DOM");
            screenshot(test);
        }
    }

    @Test
    void aStoppedNodeSendsThePageThroughHaproxyToTheOtherNodeWithItsSubscriptions(TestInfo test) throws Exception {
        HaproxyProcess.requireInstalled();
        try (TestCluster cluster = TestCluster.start(2);
             HaproxyProcess haproxy = HaproxyProcess.start(List.of(cluster.node(0).port(), cluster.node(1).port()))) {
            String token = TestCluster.token("nurse-7");
            browser.open(demo(haproxy.port(), "connect=1&channels=ward:3,ward:alerts&token=" + param(token)));
            awaitText("state", "open");
            awaitChannelsActive("ward:3", "ward:alerts");
            String firstNode = browser.text("node-id");
            String firstConnection = browser.text("connection-id");
            WsNode first = cluster.node(0).nodeId().equals(firstNode) ? cluster.node(0) : cluster.node(1);
            assertEquals("nurse-7", browser.text("user-id"));

            first.close(); // graceful: 1012 to the page, which reconnects through HAProxy

            await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(browser.text("reconnects"))
                    && "open".equals(browser.text("state")));
            awaitChannelsActive("ward:3", "ward:alerts");
            String secondNode = browser.text("node-id");
            String secondConnection = browser.text("connection-id");
            assertNotEquals(firstNode, secondNode);
            assertNotEquals(firstConnection, secondConnection);
            assertEquals("nurse-7", browser.text("user-id"), "the same user after the reconnect");
            // Its subscriptions are back in the cluster-wide index, under the new connection.
            assertEquals(secondNode, cluster.redis().hget(cluster.keys().channelMembers("ward:3"), secondConnection));
            assertEquals(secondNode, cluster.redis().hget(cluster.keys().channelMembers("ward:alerts"), secondConnection));
            assertTrue(browser.text("events").contains("channels restored: ward:3, ward:alerts"), browser.text("events"));

            cluster.publisher().broadcast("ward:3", Map.of("type", "bed_update", "bed", 12));
            await().atMost(WAIT).until(() -> messages("bed_update").size() == 1);
            screenshot(test);
        }
    }

    @Test
    void messagesPublishedWhileThePageMovesNodesArriveOnceAndInOrder(TestInfo test) throws Exception {
        // reports:alerts keeps a history by default (HISTORY_RULES): the page recovers what it missed.
        HaproxyProcess.requireInstalled();
        try (TestCluster cluster = TestCluster.start(2);
             HaproxyProcess haproxy = HaproxyProcess.start(List.of(cluster.node(0).port(), cluster.node(1).port()))) {
            String token = TestCluster.token("nurse-9");
            browser.open(demo(haproxy.port(), "connect=1&channels=reports:alerts&token=" + param(token)));
            awaitText("state", "open");
            awaitChannelsActive("reports:alerts");
            for (int i = 1; i <= 3; i++) {
                cluster.publisher().broadcast("reports:alerts", Map.of("type", "alert", "n", i));
            }
            await().atMost(WAIT).until(() -> messages("alert").size() == 3);
            WsNode first = cluster.node(0).nodeId().equals(browser.text("node-id")) ? cluster.node(0) : cluster.node(1);

            first.close();
            // While the page is away (HAProxy needs a moment to see the node down): published, not yet delivered.
            for (int i = 4; i <= 10; i++) {
                cluster.publisher().broadcast("reports:alerts", Map.of("type", "alert", "n", i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(browser.text("reconnects"))
                    && "open".equals(browser.text("state")));
            for (int i = 11; i <= 12; i++) {
                cluster.publisher().broadcast("reports:alerts", Map.of("type", "alert", "n", i));
            }
            await().atMost(WAIT).until(() -> messages("alert").size() >= 12);
            List<Integer> seen = new java.util.ArrayList<>();
            for (WebElement alert : messages("alert")) {
                seen.add(0, com.aegisx.ws.protocol.Json.parseObject(alert.getText()).path("n").asInt()); // newest first
            }
            assertEquals(java.util.stream.IntStream.rangeClosed(1, 12).boxed().toList(), seen,
                    "every message once, in order, across the move");
            assertTrue(browser.text("events").contains("reconnected to node"), browser.text("events"));
            screenshot(test);
        }
    }

    @Test
    void anExpiringTokenIsRefreshedFromThePage(TestInfo test) throws Exception {
        // token_expiring is sent 55 s before exp: with a 60 s token, about 5 s after connecting.
        try (TestCluster cluster = TestCluster.start(1, Map.of("TOKEN_EXPIRY_WARNING", "55000"))) {
            String shortLived = token("doctor-1", Instant.now().plusSeconds(60));
            Instant freshExpiry = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
            String fresh = token("doctor-1", freshExpiry);
            browser.open(demo(cluster.node(0).port(), "connect=1&channels=user:doctor-1&token=" + param(shortLived)));
            awaitText("state", "open");
            awaitChannelsActive("user:doctor-1");
            // What the application's token endpoint would now return.
            browser.script("document.getElementById('token').value = arguments[0]", fresh);

            awaitText("token-expires", Timestamps.format(freshExpiry));
            assertTrue(browser.text("events").contains("token expiring"), browser.text("events"));
            // Still the same connection, still subscribed, and the node knows the new expiry.
            assertEquals("0", browser.text("reconnects"));
            Object status = browser.driver().executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "window.wsDemo.client.status().then(s => done(JSON.stringify(s)), e => done('error ' + e.code));");
            assertTrue(String.valueOf(status).contains("\"channels\":[\"user:doctor-1\"]"), String.valueOf(status));
            screenshot(test);
        }
    }

    @Test
    void aBadTokenShowsTheRefusalAndIsNotRetried(TestInfo test) throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            String expired = token("intruder", Instant.now().minus(1, ChronoUnit.HOURS));
            browser.open(demo(cluster.node(0).port(), "connect=1&channels=demo:news&token=" + param(expired)));
            awaitText("refusal", "token_expired");
            assertEquals("closed", browser.text("state"));

            browser.open(demo(cluster.node(0).port(), "connect=1&token=not-a-jwt"));
            await().atMost(WAIT).until(() -> !"-".equals(browser.text("refusal")) && !browser.text("refusal").isEmpty());
            assertEquals("closed", browser.text("state"));
            assertEquals("0", browser.text("reconnects"));
            assertEquals("-", browser.text("connection-id"), "never connected");
            screenshot(test);
        }
    }

    private static String token(String userId, Instant expiresAt) {
        return JWT.create().withSubject(userId).withExpiresAt(expiresAt).sign(Algorithm.HMAC256(TestCluster.SECRET));
    }
}
