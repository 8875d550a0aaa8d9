package org.cascadetuner.jobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3 server on 127.0.0.1 for tests: S3Proxy 4.1.0 with its filesystem backend, in its own JVM, checking
 * signatures against a key pair made up for this run. Buckets are folders of the backend directory.
 */
public final class S3ProxyServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path baseDir;
  private final String accessKey;
  private final String secretKey;

  private S3ProxyServer(Process process, int port, Path baseDir, String accessKey, String secretKey) {
    this.process = process;
    this.port = port;
    this.baseDir = baseDir;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  public static S3ProxyServer start(Path workDir, String... buckets) {
    String jar = System.getProperty("cascadetuner.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar not found (system property cascadetuner.s3proxy.jar=" + jar
          + "); Maven resolves it as a test dependency of spark-jobs");
    }
    try {
      Path base = Files.createDirectories(workDir.resolve("s3-backend"));
      for (String b : buckets) Files.createDirectories(base.resolve(b));
      int port = Processes.freePort();
      SecureRandom r = new SecureRandom();
      byte[] k = new byte[10];
      byte[] s = new byte[20];
      r.nextBytes(k);
      r.nextBytes(s);
      String access = "test" + HexFormat.of().formatHex(k);
      String secret = HexFormat.of().formatHex(s);
      Path conf = workDir.resolve("s3proxy.conf");
      Files.writeString(conf, String.join("\n",
          "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + access,
          "s3proxy.credential=" + secret,
          "jclouds.provider=filesystem-nio2",
          "jclouds.filesystem.basedir=" + base) + "\n");
      Path log = workDir.resolve("s3proxy.log");
      Process p = Processes.start(List.of(Processes.javaBin(), "-Xmx384m", "-jar", jar, "--properties",
          conf.toString()), Map.of(), log);
      try {
        Processes.awaitPort(p, port, Duration.ofSeconds(60), log);
      } catch (RuntimeException e) {
        Processes.stop(p);
        throw e;
      }
      return new S3ProxyServer(p, port, base, access, secret);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The folder holding bucket {@code bucket}'s objects (for assertions and fault injection). */
  public Path bucketDir(String bucket) {
    return baseDir.resolve(bucket);
  }

  /** s3a settings for this server, without the {@code spark.hadoop.} prefix. */
  public Map<String, String> s3aSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("fs.s3a.endpoint", endpoint());
    m.put("fs.s3a.endpoint.region", "us-east-1");
    m.put("fs.s3a.path.style.access", "true");
    m.put("fs.s3a.connection.ssl.enabled", "false");
    m.put("fs.s3a.access.key", accessKey);
    m.put("fs.s3a.secret.key", secretKey);
    m.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    // S3Proxy answers UploadPartCopy with an ETag precondition wrongly (spec/stack.md §5)
    m.put("fs.s3a.change.detection.mode", "client");
    m.put("fs.s3a.attempts.maximum", "3");
    m.put("fs.s3a.retry.limit", "3");
    return m;
  }

  public Configuration hadoopConf() {
    Configuration c = new Configuration();
    s3aSettings().forEach(c::set);
    return c;
  }

  public String secretKey() {
    return secretKey;
  }

  @Override
  public void close() {
    Processes.stop(process);
  }
}
