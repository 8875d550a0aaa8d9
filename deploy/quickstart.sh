#!/usr/bin/env bash
# The quickstart on one machine: a Spark standalone cluster of separate processes on 127.0.0.1 (a Master and
# --workers Workers from a SPARK_HOME assembled from Maven Central), then the cache refresh and the training of the
# given configuration submitted to it with deploy/submit-refresh.sh and deploy/submit-train.sh, then the cluster
# stopped again.
#
#   mvn -B -DskipTests package
#   deploy/quickstart.sh --config config/config.json --data-backend-config config/multidatabackend.json
#
# Steps, each skipped when already done: (1) the application jar, (2) build/spark-home, (3) the cluster,
# (4) `config check`, (5) refresh, (6) train, (7) stop. A build whose command line has no refresh or train
# command yet stops after step 4 and says so. --keep-cluster leaves the cluster up (stop it with
# build/spark-home/sbin/stop-all.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

config="" data_backend="" workers=2 worker_cores=2 worker_memory="6g" keep=0
executor_memory="2g" offheap="2g"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) config="${2:?--config needs a file}"; shift 2 ;;
    --data-backend-config) data_backend="${2:?--data-backend-config needs a file}"; shift 2 ;;
    --workers) workers="${2:?}"; shift 2 ;;
    --worker-cores) worker_cores="${2:?}"; shift 2 ;;
    --worker-memory) worker_memory="${2:?}"; shift 2 ;;
    --executor-memory) executor_memory="${2:?}"; shift 2 ;;
    --offheap) offheap="${2:?}"; shift 2 ;;
    --keep-cluster) keep=1; shift ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$config" && -f "$config" ]] || { echo "quickstart: --config FILE is required (config.json)" >&2; exit 2; }
[[ -z "$data_backend" || -f "$data_backend" ]] || { echo "quickstart: $data_backend: no such file" >&2; exit 2; }
say() { echo "quickstart: $*" >&2; }

# (1) the application jar
jar="$(ls "$root"/cli/target/cascade-tuner-*-app.jar 2>/dev/null | head -1 || true)"
if [[ -z "$jar" ]]; then
  say "building the application jar (mvn -B -DskipTests package)"
  (cd "$root" && mvn -B -q -DskipTests package >&2)
  jar="$(ls "$root"/cli/target/cascade-tuner-*-app.jar | head -1)"
fi
export CASCADE_TUNER_JAR="$jar"

# (2) a SPARK_HOME from Maven Central
export SPARK_HOME="${SPARK_HOME:-$root/build/spark-home}"
if [[ ! -x "$SPARK_HOME/bin/spark-submit" ]]; then
  say "assembling Spark in $SPARK_HOME"
  "$root/deploy/spark-home.sh" "$SPARK_HOME"
fi
export SPARK_LOCAL_IP=127.0.0.1

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# (3) the cluster: one Master, N Workers, each its own JVM
port="$(free_port)"
master="spark://127.0.0.1:$port"
stop_cluster() { [[ "$keep" -eq 1 ]] || "$SPARK_HOME/sbin/stop-all.sh"; }
trap stop_cluster EXIT
"$SPARK_HOME/sbin/start-master.sh" --port "$port" --webui-port "$(free_port)" >&2
for ((i = 0; i < workers; i++)); do
  "$SPARK_HOME/sbin/start-worker.sh" "$master" --cores "$worker_cores" --memory "$worker_memory" \
    --port "$(free_port)" --webui-port "$(free_port)" >&2
done
for ((t = 0; t < 120; t++)); do
  registered="$(grep -c "Registering worker" "$SPARK_HOME/logs/master.out" 2>/dev/null || true)"
  [[ "${registered:-0}" -ge "$workers" ]] && break
  sleep 1
done
[[ "${registered:-0}" -ge "$workers" ]] || { say "workers did not register; see $SPARK_HOME/logs"; exit 1; }
say "cluster up: $master with $workers workers (logs in $SPARK_HOME/logs)"

# (4) the configuration, as the cluster's driver will read it
check=("$SPARK_HOME/bin/spark-submit" --master "$master" --class org.cascadetuner.cli.CascadeTuner "$jar"
  config check --config "$config")
[[ -n "$data_backend" ]] && check+=(--data-backend-config "$data_backend")
"${check[@]}"

commands="$("$SPARK_HOME/bin/spark-submit" --master 'local[1]' --class org.cascadetuner.cli.CascadeTuner "$jar" --help)"
sizing=(--master "$master" --executors "$workers" --executor-cores "$worker_cores" --executor-memory "$executor_memory"
  --offheap "$offheap" --driver-memory 2g --config "$config")
[[ -n "$data_backend" ]] && sizing+=(--data-backend-config "$data_backend")
for job in refresh train; do
  if ! grep -qE "^ +$job( |$)" <<< "$commands"; then
    say "this build has no '$job' command yet; stopping after the configuration check"
    exit 0
  fi
  # (5) refresh, (6) train
  say "$job"
  "$root/deploy/submit-$job.sh" "${sizing[@]}"
done
say "done"
