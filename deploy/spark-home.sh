#!/usr/bin/env bash
# Assembles a Spark distribution (SPARK_HOME) from Maven Central jars — for machines without Spark, and for the
# end-to-end tests. Nothing but Maven Central is downloaded.
#
#   deploy/spark-home.sh [--kubernetes] [DEST]      (default: build/spark-home)
#
# --kubernetes adds Spark's Kubernetes scheduler backend (spark-kubernetes and its client), as the container images
# of deploy/docker/ need it.
#
# DEST/bin/spark-submit, DEST/bin/spark-class, DEST/sbin/start-master.sh, start-worker.sh and stop-all.sh then work as
# in an Apache Spark download (a subset of its scripts, written for this layout).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
profiles=()
if [[ "${1:-}" == --kubernetes ]]; then
  profiles=(-Pkubernetes)
  shift
fi
dest="${1:-$here/../build/spark-home}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

echo "spark-home: copying Spark jars from Maven Central into $dest/jars" >&2
# ARTIFACTS lists what jars/ holds (groupId:artifactId:type[:classifier]:version:scope), for people and tests
mvn -B -q -f "$here/spark-home/pom.xml" "${profiles[@]}" \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:list \
  -DincludeScope=runtime -DoutputDirectory="$dest/jars" -DoverWriteIfNewer=true -DoutputFile="$dest/ARTIFACTS" \
  -DoutputAbsoluteArtifactFilename=false -Dsort=true >&2
version="$(ls "$dest/jars" | sed -n 's/^spark-core_2\.12-\(.*\)\.jar$/\1/p')"
echo "Spark $version (Scala 2.12) assembled from Maven Central by cascade-tuner deploy/spark-home.sh" > "$dest/RELEASE"

mkdir -p "$dest/bin" "$dest/sbin" "$dest/conf" "$dest/logs" "$dest/work"
cat > "$dest/bin/spark-class" <<'SH'
#!/usr/bin/env bash
# Runs a Spark class through Spark's launcher, which adds the Java 17 module flags and memory settings.
export SPARK_HOME="${SPARK_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.12}"
export SPARK_CONF_DIR="${SPARK_CONF_DIR:-$SPARK_HOME/conf}"
RUNNER="${JAVA_HOME:+$JAVA_HOME/bin/}java"
CMD=()
# The launcher prints "\0\n"-separated markers, the NUL-separated command, then its exit code.
while IFS= read -d $'\0' -r ARG; do
  if [ ${#CMD[@]} -eq 0 ]; then ARG="${ARG#$'\n'}"; [ -z "$ARG" ] && continue; fi
  CMD+=("$ARG")
done < <("$RUNNER" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@"; printf "%d\0" $?)
LAST=$((${#CMD[@]} - 1))
[ "${CMD[$LAST]}" != 0 ] && exit "${CMD[$LAST]}"
exec "${CMD[@]:0:$LAST}"
SH
cat > "$dest/bin/spark-submit" <<'SH'
#!/usr/bin/env bash
exec "$(dirname "$0")/spark-class" org.apache.spark.deploy.SparkSubmit "$@"
SH
cat > "$dest/sbin/start-master.sh" <<'SH'
#!/usr/bin/env bash
# start-master.sh [--host H] [--port P] [--webui-port W]   (defaults 127.0.0.1, 7077, 8080); logs in $SPARK_HOME/logs
home="$(cd "$(dirname "$0")/.." && pwd)"
args=("$@"); [[ " $* " == *" --host "* ]] || args+=(--host "${SPARK_MASTER_HOST:-127.0.0.1}")
nohup "$home/bin/spark-class" org.apache.spark.deploy.master.Master "${args[@]}" > "$home/logs/master.out" 2>&1 &
echo $! > "$home/logs/master.pid"
echo "master: pid $(cat "$home/logs/master.pid"), log $home/logs/master.out"
SH
cat > "$dest/sbin/start-worker.sh" <<'SH'
#!/usr/bin/env bash
# start-worker.sh MASTER_URL [--cores N] [--memory M] [--webui-port W] ...   (one Worker per call; logs in logs/)
home="$(cd "$(dirname "$0")/.." && pwd)"
n=0
while [ -e "$home/logs/worker-$n.pid" ]; do n=$((n + 1)); done
args=("$@"); [[ " $* " == *" --host "* ]] || args+=(--host "${SPARK_LOCAL_IP:-127.0.0.1}")
[[ " $* " == *" --work-dir "* ]] || args+=(--work-dir "$home/work/worker-$n")
[[ " $* " == *" --webui-port "* ]] || args+=(--webui-port $((8081 + n)))
nohup "$home/bin/spark-class" org.apache.spark.deploy.worker.Worker "${args[@]}" > "$home/logs/worker-$n.out" 2>&1 &
echo $! > "$home/logs/worker-$n.pid"
echo "worker $n: pid $(cat "$home/logs/worker-$n.pid"), log $home/logs/worker-$n.out"
SH
cat > "$dest/sbin/stop-all.sh" <<'SH'
#!/usr/bin/env bash
# Stops the Workers and the Master started by start-*.sh (by pid file).
home="$(cd "$(dirname "$0")/.." && pwd)"
for f in "$home"/logs/worker-*.pid "$home"/logs/master.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f"); pkill -P "$pid" 2>/dev/null; kill "$pid" 2>/dev/null; rm -f "$f"
done
SH
chmod +x "$dest/bin/"* "$dest/sbin/"*
if [ ! -f "$dest/conf/log4j2.properties" ]; then
  cp "$here/../conf/log4j2.properties" "$dest/conf/log4j2.properties" 2>/dev/null || true
fi
echo "spark-home: ready. export SPARK_HOME=$dest" >&2
