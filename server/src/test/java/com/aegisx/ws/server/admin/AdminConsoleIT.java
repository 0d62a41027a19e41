package com.aegisx.ws.server.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.Browser;
import com.aegisx.ws.server.testing.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The admin console (GET /admin/ on the management port) in headless Chromium against two real
 * nodes: what it shows
 * comes from the cluster-wide Redis state, and its actions reach sockets on either node.
 */
class AdminConsoleIT {

    private static final String KEY = "admin-console-test-key-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private TestCluster cluster;
    private Browser browser;

    @BeforeEach
    void start() throws Exception {
        browser = Browser.start();
        cluster = TestCluster.start(2, Map.of("ADMIN_API_KEY", KEY, "STATS_INTERVAL", "250"));
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (browser != null) {
            browser.close();
        }
    }

    private void signIn(String kind, String credential) {
        browser.open(cluster.management(0, "/admin/").toString());
        new Select(browser.driver().findElement(By.id("credential-kind"))).selectByValue(kind);
        browser.driver().findElement(By.id("credential")).sendKeys(credential);
        browser.driver().findElement(By.id("login")).click();
    }

    private String cellOf(String table, String attribute, String value, String cellClass) {
        List<WebElement> rows = browser.all("#" + table + " tr[data-" + attribute + "='" + value + "']");
        return rows.isEmpty() ? "" : rows.get(0).findElement(By.className(cellClass)).getText();
    }

    private static void subscribe(TestClient client, String channel) {
        assertEquals("subscribed", client.sendAndAwaitReply(Map.of("type", "subscribe", "channel", channel, "id", channel))
                .path("type").asText());
    }

    @Test
    void showsNodesChannelsRatesAndUsersAndActsOnThem() throws Exception {
        TestClient alice0 = cluster.connectAs(0, "alice");
        TestClient alice1 = cluster.connectAs(1, "alice");
        TestClient bob = cluster.connectAs(1, "bob");
        subscribe(alice0, "ward:1");
        subscribe(bob, "ward:1");
        subscribe(bob, "ward:2");

        signIn("key", KEY);
        String n0 = cluster.node(0).nodeId();
        String n1 = cluster.node(1).nodeId();
        await().atMost(WAIT).until(() -> "1".equals(cellOf("nodes", "node", n0, "connections"))
                && "2".equals(cellOf("nodes", "node", n1, "connections")));
        assertEquals("3", browser.text("total-connections"));
        assertEquals("2", browser.text("node-count"));
        await().atMost(WAIT).until(() -> "2".equals(cellOf("channels", "channel", "ward:1", "subscribers"))
                && "1".equals(cellOf("channels", "channel", "ward:2", "subscribers")));

        // Traffic shows in the rate chart: the nodes sample their counters into Redis.
        for (int i = 0; i < 20; i++) {
            cluster.publisher().broadcast("ward:1", Map.of("type", "tick", "n", i));
        }
        await().atMost(WAIT).until(() -> Integer.parseInt(
                String.valueOf(browser.driver().findElement(By.id("rates")).getAttribute("data-points"))) >= 2);

        // Test broadcast from the console reaches subscribers on both nodes.
        browser.driver().findElement(By.id("broadcast-channel")).sendKeys("ward:2");
        browser.driver().findElement(By.id("broadcast-send")).click();
        assertEquals("Test from the admin console", bob.nextOfType("admin_test").path("message").asText());
        await().atMost(WAIT).until(() -> browser.text("broadcast-result").startsWith("sent, 1 node"));

        // User lookup lists alice's two connections, on two nodes; disconnect one, then the user.
        browser.driver().findElement(By.id("user-id")).sendKeys("alice");
        browser.driver().findElement(By.id("lookup")).click();
        await().atMost(WAIT).until(() -> browser.all("#user-connections tbody tr").size() == 2);
        String first = alice0.sendAndAwaitReply(Map.of("type", "get_status", "id", "s")).path("data").path("connectionId").asText();
        // The table is refreshed every 2 s: a row may be replaced between finding and clicking it.
        await().atMost(WAIT).ignoreException(org.openqa.selenium.StaleElementReferenceException.class).until(() -> {
            browser.all("#user-connections tr[data-connection='" + first + "'] button.disconnect").get(0).click();
            return true;
        });
        assertEquals(CloseCodes.DISCONNECTED_BY_SERVER, alice0.awaitClose(WAIT).statusCode());
        assertTrue(alice1.isOpen());

        Path shot = browser.screenshot("adminConsole");
        assertTrue(Files.size(shot) > 0);

        browser.driver().findElement(By.id("disconnect-user")).click();
        assertEquals(CloseCodes.DISCONNECTED_BY_SERVER, alice1.awaitClose(WAIT).statusCode());
        await().atMost(WAIT).until(() -> browser.all("#user-connections tbody tr").isEmpty());
        assertTrue(bob.isOpen(), "other users are left alone");
    }

    @Test
    void isNotOnThePublicPort() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        for (String path : new String[] {"/admin/", "/api/v1/admin/nodes"}) {
            var response = http.send(java.net.http.HttpRequest.newBuilder(cluster.http(0, path))
                    .header("X-Api-Key", KEY).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode(), path);
        }
    }

    @Test
    void withoutTheKeyOrWithANonAdminTokenItShowsNothing() {
        signIn("key", "wrong-key-wrong-key-wrong-key");
        await().atMost(WAIT).until(() -> browser.text("error").startsWith("Not allowed (401)"));
        assertEquals("-", browser.text("total-connections"));

        browser.script("sessionStorage.clear()");
        signIn("jwt", TestCluster.token("nurse-1", "nurse"));
        await().atMost(WAIT).until(() -> browser.text("error").startsWith("Not allowed (403)"));

        browser.script("sessionStorage.clear()");
        signIn("jwt", TestCluster.token("ops-1", "admin"));
        await().atMost(WAIT).until(() -> "2".equals(browser.text("node-count")));
    }
}
