package com.aegisx.ws.server.testing;

import com.aegisx.ws.client.RedisTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throw-away TLS material for tests, made by the {@code openssl} binary in a temporary directory:
 * a CA, a server certificate for {@code 127.0.0.1}/{@code localhost} (also used by the Redis
 * servers as their client certificate towards each other: replication, cluster bus, sentinels), a
 * client certificate for the nodes, and a second CA nobody trusts. PEM files as Redis and the
 * nodes' REDIS_TLS_* settings take them. Without {@code openssl} the test is skipped, or fails
 * under {@code CI=true}.
 */
public final class TestTls {

    private static final String P12_PASSWORD = "test";
    private static TestTls shared;

    private final Path dir;

    private TestTls(Path dir) {
        this.dir = dir;
    }

    /** One set per test JVM (key generation costs a second or two). */
    public static synchronized TestTls shared() {
        if (shared == null) {
            shared = create();
        }
        return shared;
    }

    private static TestTls create() {
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            return RedisFixture.unavailable("TLS tests need the openssl binary (apt-get install -y openssl)");
        }
        try {
            Path dir = Files.createTempDirectory("test-tls-");
            dir.toFile().deleteOnExit();
            TestTls tls = new TestTls(dir);
            tls.ca("ca");
            tls.ca("other-ca");
            tls.signed("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
            tls.signed("client", "ws-node", "extendedKeyUsage=clientAuth");
            tls.openssl("pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12",
                    "-passout", "pass:" + P12_PASSWORD);
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().deleteOnExit());
            }
            return tls;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ca(String name) {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
                "-days", "2", "-subj", "/CN=test " + name);
    }

    private void signed(String name, String commonName, String extension) {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + commonName);
        try {
            Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** A CA that signed nothing the servers present: trusting only it must fail the handshake. */
    public Path otherCaCertificate() {
        return dir.resolve("other-ca.crt");
    }

    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path clientCertificate() {
        return dir.resolve("client.crt");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** The nodes' settings: trust the test CA, present the client certificate. */
    public RedisTls redisTls() {
        return RedisTls.defaults().trustedCa(caCertificate()).clientCertificate(clientCertificate(), clientKey());
    }

    /** REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE as a node's environment. */
    public java.util.Map<String, String> nodeEnv() {
        return java.util.Map.of("REDIS_TLS_CA_FILE", caCertificate().toString(),
                "REDIS_TLS_CERT_FILE", clientCertificate().toString(),
                "REDIS_TLS_KEY_FILE", clientKey().toString());
    }

    /**
     * Arguments of a {@code redis-server} (or sentinel) that listens with TLS only on
     * {@code %PORT%} and requires a client certificate signed by the test CA (Redis's default).
     */
    public List<String> serverArgs() {
        return List.of("--port", "0", "--tls-port", "%PORT%",
                "--tls-cert-file", serverCertificate().toString(), "--tls-key-file", serverKey().toString(),
                "--tls-ca-cert-file", caCertificate().toString(), "--tls-auth-clients", "yes");
    }

    /** {@code redis-cli} arguments to reach such a server. */
    public List<String> cliArgs() {
        return List.of("--tls", "--cacert", caCertificate().toString(), "--cert", clientCertificate().toString(),
                "--key", clientKey().toString());
    }

    /** For raw readiness checks: trusts the test CA, presents the client certificate. */
    public SSLContext sslContext() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(caCertificate())) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyStore client = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
                client.load(in, P12_PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(client, P12_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the test TLS material from " + dir, e);
        }
    }
}
