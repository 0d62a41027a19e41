package com.aegisx.ws.server.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of the shipped {@code docker/compose.yaml} for the tests: each service's block of
 * lines, the Redis command's arguments, an environment value. A line reader, not a YAML parser:
 * the file is ours and keeps this shape (two-space indents, one key per line, list items "- ").
 */
final class ComposeFile {

    static final Path PATH = Path.of("..", "docker", "compose.yaml").toAbsolutePath().normalize();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_]+)[^}]*}");

    private final Map<String, List<String>> services = new LinkedHashMap<>();

    private ComposeFile(List<String> lines) {
        boolean inServices = false;
        String current = null;
        for (String line : lines) {
            if (line.startsWith("services:")) {
                inServices = true;
                continue;
            }
            if (!inServices || line.isBlank() || line.trim().startsWith("#")) {
                continue;
            }
            if (!line.startsWith(" ")) {
                inServices = false;
                continue;
            }
            if (line.startsWith("  ") && !line.startsWith("   ") && line.trim().endsWith(":")) {
                current = line.trim().substring(0, line.trim().length() - 1);
                services.put(current, new ArrayList<>());
            } else if (current != null) {
                services.get(current).add(line);
            }
        }
    }

    static ComposeFile read() throws IOException {
        return new ComposeFile(Files.readAllLines(PATH));
    }

    List<String> service(String name) {
        List<String> lines = services.get(name);
        if (lines == null) {
            throw new AssertionError("no service " + name + " in " + PATH);
        }
        return lines;
    }

    /** Whether the service's block has a line starting (after indentation) with {@code key:}. */
    boolean has(String service, String key) {
        return service(service).stream().anyMatch(l -> l.trim().startsWith(key + ":"));
    }

    /** The value of {@code key: value} in the service's block (first match), unquoted; null if absent. */
    String value(String service, String key) {
        for (String line : service(service)) {
            String t = line.trim();
            if (t.startsWith(key + ":")) {
                return unquote(t.substring(key.length() + 1).trim());
            }
        }
        return null;
    }

    /** The items of the service's {@code command:} list, unquoted, variables replaced from {@code env}. */
    List<String> command(String service, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        boolean inCommand = false;
        for (String line : service(service)) {
            String t = line.trim();
            if (t.startsWith("command:")) {
                inCommand = true;
                continue;
            }
            if (inCommand) {
                if (!t.startsWith("- ")) {
                    break;
                }
                out.add(substitute(unquote(t.substring(2).trim()), env));
            }
        }
        return out;
    }

    /** The Redis command's {@code --user} directives: user name, then its ACL rules. */
    List<List<String>> redisUsers(Map<String, String> env) {
        List<List<String>> users = new ArrayList<>();
        List<String> current = null;
        for (String argument : command("redis", env)) {
            if (argument.equals("--user")) {
                current = new ArrayList<>();
                users.add(current);
            } else if (argument.startsWith("--")) {
                current = null;
            } else if (current != null) {
                current.add(argument);
            }
        }
        return users;
    }

    static String substitute(String text, Map<String, String> env) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw new AssertionError("the test gives no value for ${" + m.group(1) + "}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
