package com.aegisx.ws.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's two tables of environment variables (Configuration, Security: Settings) name exactly
 * the variables {@link ServerConfig} reads: a new setting cannot ship undocumented, and a documented
 * one cannot silently do nothing. The names read are recorded from the map the configuration is
 * parsed from, so no list is kept by hand.
 */
class ConfigurationTableTest {

    /** Surefire runs in the module directory; the README is the repository's. */
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern VARIABLE = Pattern.compile("`([A-Z][A-Z0-9_]+)`");

    @Test
    void theReadmeDocumentsExactlyTheVariablesTheNodeReads() throws IOException {
        Set<String> documented = documented(Files.readAllLines(README));
        Set<String> read = read();
        Set<String> undocumented = new TreeSet<>(read);
        undocumented.removeAll(documented);
        Set<String> unread = new TreeSet<>(documented);
        unread.removeAll(read);
        assertEquals(Set.of(), undocumented, "read by ServerConfig but not in the README's tables");
        assertEquals(Set.of(), unread, "in the README's tables but never read by ServerConfig");
    }

    /** Every variable ServerConfig asks for; the TLS and Sentinel settings are read only with a REDIS_URL. */
    private static Set<String> read() {
        Set<String> names = new TreeSet<>();
        for (Map<String, String> base : List.of(Map.<String, String>of(), Map.of("REDIS_URL", "redis://localhost:6379"))) {
            Map<String, String> recording = new HashMap<>(base) {
                @Override
                public String get(Object key) {
                    names.add((String) key);
                    return super.get(key);
                }
            };
            ServerConfig.fromEnv(recording);
        }
        return names;
    }

    /** First-column names of the rows of the tables under "## Configuration" and "### Settings". */
    static Set<String> documented(List<String> readme) {
        Set<String> names = new TreeSet<>();
        String section = "";
        for (String line : readme) {
            if (line.startsWith("## ") || line.startsWith("### ")) {
                section = line;
            } else if ((section.equals("## Configuration") || section.equals("### Settings")) && line.startsWith("| `")) {
                String firstCell = line.substring(1, line.indexOf('|', 1));
                Matcher m = VARIABLE.matcher(firstCell);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertFalse(names.isEmpty(), "no configuration table found in " + README.toAbsolutePath());
        return names;
    }
}
