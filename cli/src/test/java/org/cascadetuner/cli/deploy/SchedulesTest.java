package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nightly schedules (cron, systemd): well formed, and the command they run is accepted by the wrapper. */
class SchedulesTest {

  @TempDir Path tmp;

  private static String cronLine() {
    List<String> jobs = Deploy.read("deploy/nightly-refresh.cron").lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.contains("=")).toList();
    assertEquals(1, jobs.size(), jobs.toString());
    return jobs.get(0);
  }

  @Test
  void theCronEntryIsCronDFormatAndSkipsANightWhilstThePreviousRuns() {
    String[] f = cronLine().split("\\s+");
    assertTrue(f[0].matches("[0-5]?[0-9]") && f[1].matches("1?[0-9]|2[0-3]"), "minute hour: " + f[0] + " " + f[1]);
    assertEquals(List.of("*", "*", "*"), List.of(f[2], f[3], f[4]));
    assertEquals("cascade", f[5], "cron.d lines name the user");
    assertEquals("flock", f[6]);
    assertEquals("-n", f[7]);
    assertTrue(cronLine().contains("/opt/cascade-tuner/deploy/submit-refresh.sh --env-file "), cronLine());
  }

  /** The wrapper, run with the schedule's own options (paths moved into this checkout), accepts them. */
  private void wrapperAccepts(List<String> options) throws IOException {
    Path sparkHome = tmp.resolve("spark");
    Deploy.executable(sparkHome.resolve("bin/spark-submit"), "#!/usr/bin/env bash\nexit 0\n");
    Path etc = Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(etc.resolve("config.json"), "{}");
    Files.writeString(etc.resolve("multidatabackend.json"), "[]");
    Files.writeString(etc.resolve("refresh.env"), "AWS_ACCESS_KEY_ID=x\n");
    List<String> cmd = new ArrayList<>(List.of("/bin/bash", Deploy.file("deploy/submit-refresh.sh").toString()));
    for (String o : options) cmd.add(o.replace("/etc/cascade-tuner", etc.toString()));
    cmd.add("--dry-run");
    Deploy.Run r = Deploy.run(cmd, Map.of("SPARK_HOME", sparkHome.toString(), "CASCADE_TUNER_JAR",
        Files.writeString(tmp.resolve("app.jar"), "").toString(), "PATH", "/usr/bin:/bin"), tmp);
    assertEquals(0, r.exit(), r.all());
  }

  @Test
  void theCronCommandIsAcceptedByTheWrapper() throws IOException {
    String line = cronLine();
    String command = line.substring(line.indexOf("submit-refresh.sh") + "submit-refresh.sh".length(), line.indexOf(">>"));
    wrapperAccepts(Arrays.asList(command.strip().split("\\s+")));
  }

  @Test
  void theSystemdUnitsVerifyAndRunTheWrapper() throws IOException {
    String service = Deploy.read("deploy/systemd/cascade-tuner-refresh.service");
    String exec = service.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
    assertTrue(exec.startsWith("ExecStart=/opt/cascade-tuner/deploy/submit-refresh.sh "), exec);
    wrapperAccepts(Arrays.asList(exec.substring(exec.indexOf(' ') + 1).split("\\s+")));
    assertTrue(service.contains("EnvironmentFile=/etc/cascade-tuner/refresh.env"), "credentials from a file");

    Path analyze = Deploy.tool("systemd-analyze", "systemd");
    // systemd-analyze checks that ExecStart exists: point the units at this checkout
    Path units = Files.createDirectories(tmp.resolve("units"));
    Files.writeString(units.resolve("cascade-tuner-refresh.service"),
        service.replace("/opt/cascade-tuner", Deploy.root().toString()));
    Files.copy(Deploy.file("deploy/systemd/cascade-tuner-refresh.timer"), units.resolve("cascade-tuner-refresh.timer"));
    Deploy.Run v = Deploy.run(List.of(analyze.toString(), "verify", units.resolve("cascade-tuner-refresh.timer").toString(),
        units.resolve("cascade-tuner-refresh.service").toString()), Map.of(), tmp);
    assertEquals(0, v.exit(), v.all());
    String onCalendar = Deploy.read("deploy/systemd/cascade-tuner-refresh.timer").lines()
        .filter(l -> l.startsWith("OnCalendar=")).findFirst().orElseThrow().substring("OnCalendar=".length());
    Deploy.Run cal = Deploy.run(List.of(analyze.toString(), "calendar", onCalendar), Map.of(), tmp);
    assertEquals(0, cal.exit(), cal.all());
    assertTrue(cal.out().contains("Normalized form: *-*-* 02:30:00"), cal.out());
  }
}
