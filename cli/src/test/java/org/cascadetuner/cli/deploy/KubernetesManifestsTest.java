package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/k8s/: the Spark Operator manifests validated against the operator's CRD schema (deploy/k8s/schema, unknown
 * fields rejected as {@code kubectl --validate=strict} does), and checked against the rest of the deployment: the
 * sizing rule of the submit wrappers, the image's paths, the Spark version, credentials only from a Secret.
 */
class KubernetesManifestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static List<JsonNode> yaml(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(500); // the schemas share subtrees (env, volumeMounts, ...) by anchors
    Yaml y = new Yaml(new SafeConstructor(options));
    List<JsonNode> docs = new ArrayList<>();
    for (Object o : y.loadAll(text)) if (o != null) docs.add(JSON.valueToTree(o));
    return docs;
  }

  static JsonNode manifest(String relative) {
    List<JsonNode> docs = yaml(Deploy.read(relative));
    assertEquals(1, docs.size(), relative);
    return docs.get(0);
  }

  /** The stored CRD schemas as validators, strict: unknown fields are errors wherever properties are listed. */
  static JsonSchema schema(String kind) {
    JsonNode app = yaml(Deploy.read("deploy/k8s/schema/sparkapplication-v1beta2.yaml")).get(0);
    JsonNode root = kind.equals("SparkApplication") ? app
        : yaml(Deploy.read("deploy/k8s/schema/scheduledsparkapplication-v1beta2.yaml")).get(0);
    if (kind.equals("ScheduledSparkApplication")) {
      ObjectNode specProps = (ObjectNode) root.get("properties").get("spec").get("properties");
      assertEquals("sparkapplication-v1beta2.yaml#/properties/spec", specProps.get("template").get("$ref").asText());
      specProps.set("template", app.get("properties").get("spec").deepCopy());
    }
    JsonNode strict = strict(root.deepCopy());
    JsonMetaSchema meta = JsonMetaSchema.builder("https://cascade-tuner.invalid/k8s-structural-schema",
            JsonMetaSchema.getV4())
        .addKeywords(List.of(new NonValidationKeyword("x-kubernetes-preserve-unknown-fields"),
            new NonValidationKeyword("x-kubernetes-int-or-string"), new NonValidationKeyword("x-kubernetes-map-type"),
            new NonValidationKeyword("x-kubernetes-list-type"), new NonValidationKeyword("nullable")))
        .build();
    JsonSchemaFactory factory = JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4))
        .addMetaSchema(meta).defaultMetaSchemaURI(meta.getUri()).build();
    return factory.getSchema(strict);
  }

  /** additionalProperties: false on every object schema that lists its properties and keeps no unknown fields. */
  static JsonNode strict(JsonNode s) {
    if (!(s instanceof ObjectNode o)) return s;
    if (o.has("properties") && !o.has("additionalProperties")
        && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      o.put("additionalProperties", false);
    }
    if (o.has("properties")) o.get("properties").forEach(KubernetesManifestsTest::strict);
    if (o.has("items")) strict(o.get("items"));
    if (o.get("additionalProperties") instanceof ObjectNode a) strict(a);
    for (String k : List.of("anyOf", "allOf", "oneOf")) if (o.has(k)) o.get(k).forEach(KubernetesManifestsTest::strict);
    return o;
  }

  static Set<String> errors(JsonNode doc) {
    return schema(doc.get("kind").asText()).validate(doc).stream().map(ValidationMessage::getMessage)
        .collect(Collectors.toSet());
  }

  @Test
  void theManifestsAreValidSparkOperatorResources() {
    for (String f : List.of("deploy/k8s/train.yaml", "deploy/k8s/refresh-nightly.yaml")) {
      JsonNode doc = manifest(f);
      assertEquals("sparkoperator.k8s.io/v1beta2", doc.get("apiVersion").asText(), f);
      assertEquals(Set.of(), errors(doc), f);
      assertEquals("cascade-tuner", doc.get("metadata").get("namespace").asText(), f);
      assertTrue(doc.get("metadata").get("name").asText().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), f);
    }
    assertEquals("SparkApplication", manifest("deploy/k8s/train.yaml").get("kind").asText());
    assertEquals("ScheduledSparkApplication", manifest("deploy/k8s/refresh-nightly.yaml").get("kind").asText());
  }

  @Test
  void theValidatorRejectsTyposWrongTypesAndMissingFields() {
    ObjectNode typo = (ObjectNode) manifest("deploy/k8s/train.yaml");
    ((ObjectNode) typo.get("spec").get("executor")).put("memoryOverHead", "1g");
    assertTrue(errors(typo).stream().anyMatch(m -> m.contains("memoryOverHead")), errors(typo).toString());

    ObjectNode type = (ObjectNode) manifest("deploy/k8s/train.yaml");
    ((ObjectNode) type.get("spec").get("executor")).put("cores", "8");
    assertTrue(errors(type).stream().anyMatch(m -> m.contains("cores") && m.contains("integer")), errors(type).toString());

    ObjectNode enumValue = (ObjectNode) manifest("deploy/k8s/train.yaml");
    ((ObjectNode) enumValue.get("spec")).put("mode", "client-ish");
    assertFalse(errors(enumValue).isEmpty());

    ObjectNode missing = (ObjectNode) manifest("deploy/k8s/refresh-nightly.yaml");
    ((ObjectNode) missing.get("spec").get("template")).remove("mainApplicationFile");
    assertTrue(errors(missing).stream().anyMatch(m -> m.contains("mainApplicationFile")), errors(missing).toString());

    ObjectNode deep = (ObjectNode) manifest("deploy/k8s/train.yaml");
    ((ObjectNode) deep.get("spec").get("driver").get("envFrom").get(0)).putObject("secretRef").put("nmae", "x");
    assertTrue(errors(deep).stream().anyMatch(m -> m.contains("nmae")), errors(deep).toString());
  }

  /** The SparkApplication specs of the manifests: train's spec, refresh's template. */
  static Map<String, JsonNode> specs() {
    return Map.of("deploy/k8s/train.yaml", manifest("deploy/k8s/train.yaml").get("spec"),
        "deploy/k8s/refresh-nightly.yaml", manifest("deploy/k8s/refresh-nightly.yaml").get("spec").get("template"));
  }

  @Test
  void theApplicationRunsOurJarFromTheImageOnThePinnedSpark() {
    String dockerfile = Deploy.read("deploy/docker/Dockerfile");
    Matcher jarEnv = Pattern.compile("CASCADE_TUNER_JAR=(\\S+)").matcher(dockerfile);
    assertTrue(jarEnv.find());
    for (var e : specs().entrySet()) {
      JsonNode s = e.getValue();
      assertEquals(Deploy.pomProperty("spark.version"), s.get("sparkVersion").asText(), e.getKey());
      assertEquals("org.cascadetuner.cli.CascadeTuner", s.get("mainClass").asText(), e.getKey());
      assertEquals("local://" + jarEnv.group(1), s.get("mainApplicationFile").asText(), e.getKey());
      assertEquals("Java", s.get("type").asText());
      assertEquals("cluster", s.get("mode").asText());
    }
  }

  @Test
  void theConfigFilesComeFromAConfigMapMountedWhereTheArgumentsLook() {
    for (var e : specs().entrySet()) {
      JsonNode s = e.getValue();
      Map<String, String> volumes = new HashMap<>();
      s.get("volumes").forEach(v -> {
        if (v.has("configMap")) volumes.put(v.get("name").asText(), v.get("configMap").get("name").asText());
      });
      List<String> args = new ArrayList<>();
      s.get("arguments").forEach(a -> args.add(a.asText()));
      for (String option : List.of("--config", "--data-backend-config")) {
        String path = args.get(args.indexOf(option) + 1);
        boolean mounted = false;
        for (JsonNode m : s.get("driver").get("volumeMounts")) {
          if (path.startsWith(m.get("mountPath").asText() + "/") && volumes.containsKey(m.get("name").asText())) {
            mounted = true;
          }
        }
        assertTrue(mounted, e.getKey() + ": " + option + " " + path + " is not in a ConfigMap mounted on the driver");
      }
    }
  }

  @Test
  void s3CredentialsComeOnlyFromASecret() {
    for (var e : specs().entrySet()) {
      JsonNode s = e.getValue();
      for (String role : List.of("driver", "executor")) {
        JsonNode pod = s.get(role);
        assertTrue(pod.has("envFrom") && pod.get("envFrom").get(0).has("secretRef"),
            e.getKey() + ": the " + role + " gets no Secret");
        for (JsonNode env : pod.path("env")) {
          assertFalse(env.get("name").asText().startsWith("AWS_") && env.has("value"),
              e.getKey() + ": a literal " + env.get("name").asText() + " in the manifest");
        }
      }
      for (String conf : List.of("sparkConf", "hadoopConf")) {
        s.path(conf).fieldNames().forEachRemaining(k -> assertFalse(
            k.contains("secret.key") || k.contains("access.key") || k.contains("session.token"),
            e.getKey() + ": credential setting " + k));
      }
      assertEquals("com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
          s.get("hadoopConf").get("fs.s3a.aws.credentials.provider").asText(), e.getKey());
    }
  }

  /** The driver and executor sizes are those deploy/submit-*.sh computes from the same heap, off-heap and cores. */
  @Test
  void sizingFollowsTheWrappersRule() throws IOException {
    Path sparkHome = tmp.resolve("spark");
    Deploy.executable(sparkHome.resolve("bin/spark-submit"), "#!/usr/bin/env bash\nexit 0\n");
    Path jar = Files.writeString(tmp.resolve("app.jar"), "");
    for (var e : specs().entrySet()) {
      JsonNode s = e.getValue();
      JsonNode driver = s.get("driver");
      JsonNode executor = s.get("executor");
      int gpus = executor.has("gpu") ? executor.get("gpu").get("quantity").asInt() : 0;
      Path config = Files.writeString(tmp.resolve("config.json"),
          gpus > 0 ? "{\"compute_backend\": \"cuda\"}" : "{}");
      String job = s.get("arguments").get(0).asText();
      Deploy.Run r = Deploy.run(List.of("/bin/bash", Deploy.file("deploy/submit-" + job + ".sh").toString(),
          "--config", config.toString(), "--dry-run",
          "--executor-memory", executor.get("memory").asText(), "--executor-cores", executor.get("cores").asText(),
          "--offheap", maxBytes(executor), "--gpus-per-executor", String.valueOf(gpus),
          "--driver-memory", driver.get("memory").asText(), "--driver-offheap", maxBytes(driver)),
          Map.of("SPARK_HOME", sparkHome.toString(), "CASCADE_TUNER_JAR", jar.toString(), "PATH", "/usr/bin:/bin"),
          tmp);
      assertEquals(0, r.exit(), r.all());
      Map<String, String> c = new HashMap<>();
      r.out().lines().filter(l -> l.startsWith("spark.") && l.contains("="))
          .forEach(l -> c.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
      String where = e.getKey() + ": ";
      assertEquals(c.get("spark.executor.memoryOverhead"), executor.get("memoryOverhead").asText(), where + "executor");
      assertEquals(c.get("spark.executor.extraJavaOptions"), executor.get("javaOptions").asText(), where + "executor");
      assertEquals(c.get("spark.driver.memoryOverhead"), driver.get("memoryOverhead").asText(), where + "driver");
      assertEquals(c.get("spark.driver.extraJavaOptions"), driver.get("javaOptions").asText(), where + "driver");
      assertEquals(c.get("spark.task.cpus"), s.get("sparkConf").get("spark.task.cpus").asText(), where + "task.cpus");
      String omp = null;
      for (JsonNode env : executor.get("env")) if (env.get("name").asText().equals("OMP_NUM_THREADS")) omp = env.get("value").asText();
      assertEquals(c.get("spark.executorEnv.OMP_NUM_THREADS"), omp, where + "OMP_NUM_THREADS");
      if (gpus > 0) {
        JsonNode sc = s.get("sparkConf");
        assertEquals(String.valueOf(gpus), sc.get("spark.executor.resource.gpu.amount").asText(), where);
        assertEquals("1", sc.get("spark.task.resource.gpu.amount").asText(), where);
        assertEquals("nvidia.com", sc.get("spark.executor.resource.gpu.vendor").asText(), where);
        assertEquals("nvidia.com/gpu", executor.get("gpu").get("name").asText(), where);
        String discovery = sc.get("spark.executor.resource.gpu.discoveryScript").asText();
        assertTrue(Deploy.read("deploy/docker/Dockerfile.gpu").contains("deploy/gpu-discovery.sh")
            && discovery.equals("/opt/cascade-tuner/deploy/gpu-discovery.sh"), where + discovery);
        boolean tolerates = false;
        for (JsonNode t : executor.path("tolerations")) tolerates |= t.get("key").asText().equals("nvidia.com/gpu");
        assertTrue(tolerates, where + "GPU nodes are usually tainted nvidia.com/gpu");
      }
    }
  }

  private static String maxBytes(JsonNode pod) {
    Matcher m = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.maxbytes=(\\S+)").matcher(pod.get("javaOptions").asText());
    assertTrue(m.find(), "no JavaCPP maxbytes in " + pod.get("javaOptions"));
    return m.group(1);
  }

  @Test
  void settingsSharedWithSparkDefaultsAgree() {
    Map<String, String> defaults = SparkProperties.parse(Deploy.read("conf/spark-defaults.conf"));
    for (var e : specs().entrySet()) {
      JsonNode s = e.getValue();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("sparkConf").fields(); it.hasNext(); ) {
        var c = it.next();
        if (defaults.containsKey(c.getKey()))
          assertEquals(defaults.get(c.getKey()), c.getValue().asText(), e.getKey() + " " + c.getKey());
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("hadoopConf").fields(); it.hasNext(); ) {
        var c = it.next();
        String key = "spark.hadoop." + c.getKey();
        if (defaults.containsKey(key)) assertEquals(defaults.get(key), c.getValue().asText(), e.getKey() + " " + key);
      }
    }
  }

  @Test
  void theNightlyRefreshIsACronScheduleThatNeverOverlaps() {
    JsonNode spec = manifest("deploy/k8s/refresh-nightly.yaml").get("spec");
    String[] fields = spec.get("schedule").asText().split(" ");
    assertEquals(5, fields.length, "minute hour day-of-month month day-of-week");
    assertTrue(Integer.parseInt(fields[0]) < 60 && Integer.parseInt(fields[1]) < 24, spec.get("schedule").asText());
    assertEquals("Forbid", spec.get("concurrencyPolicy").asText());
    assertEquals("refresh", spec.get("template").get("arguments").get(0).asText());
  }

  @Test
  void theDriversServiceAccountExistsWithPodPermissions() {
    List<JsonNode> rbac = yaml(Deploy.read("deploy/k8s/rbac.yaml"));
    Map<String, JsonNode> byKind = new HashMap<>();
    for (JsonNode d : rbac) byKind.put(d.get("kind").asText(), d);
    assertNotNull(byKind.get("ServiceAccount"));
    String account = byKind.get("ServiceAccount").get("metadata").get("name").asText();
    for (var e : specs().entrySet()) {
      assertEquals(account, e.getValue().get("driver").get("serviceAccount").asText(), e.getKey());
    }
    JsonNode rules = byKind.get("Role").get("rules");
    boolean pods = false;
    for (JsonNode rule : rules) {
      List<String> resources = new ArrayList<>();
      rule.get("resources").forEach(r -> resources.add(r.asText()));
      List<String> verbs = new ArrayList<>();
      rule.get("verbs").forEach(v -> verbs.add(v.asText()));
      pods |= resources.containsAll(List.of("pods", "services", "configmaps"))
          && verbs.containsAll(List.of("create", "delete", "watch", "list"));
    }
    assertTrue(pods, "the driver must create, watch and delete executor pods, services and config maps");
    JsonNode binding = byKind.get("RoleBinding");
    assertEquals(account, binding.get("subjects").get(0).get("name").asText());
    assertEquals(byKind.get("Role").get("metadata").get("name").asText(), binding.get("roleRef").get("name").asText());
  }
}
