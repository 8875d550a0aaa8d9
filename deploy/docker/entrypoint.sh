#!/usr/bin/env bash
# Entrypoint of the cascade-tuner images. Spark on Kubernetes (spark-submit --master k8s://... or the Spark
# Operator) starts the same image as driver and as executors and tells each container its role by its first
# argument and SPARK_* environment variables:
#
#   driver ARGS...     the driver pod: spark-submit in client mode inside the pod (ARGS come from Spark)
#   executor           an executor pod: Spark's Kubernetes executor backend, configured from the environment
#   cascade-tuner ...  a cascade-tuner command on this image's Spark classpath, without a cluster
#   anything else      run as given (bash, spark-submit, ...)
set -euo pipefail

: "${SPARK_HOME:=/opt/spark}"
: "${CASCADE_TUNER_HOME:=/opt/cascade-tuner}"
: "${CASCADE_TUNER_JAR:=$CASCADE_TUNER_HOME/cascade-tuner-app.jar}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

classpath="${SPARK_CONF_DIR:-$SPARK_HOME/conf}:$SPARK_HOME/jars/*"
if [[ -n "${HADOOP_CONF_DIR:-}" ]]; then classpath="$HADOOP_CONF_DIR:$classpath"; fi
if [[ -n "${SPARK_EXTRA_CLASSPATH:-}" ]]; then classpath="$classpath:$SPARK_EXTRA_CLASSPATH"; fi

role="${1:-}"
[[ $# -gt 0 ]] && shift
case "$role" in
  driver)
    exec "$SPARK_HOME/bin/spark-submit" --deploy-mode client \
      --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS:?the driver pod needs SPARK_DRIVER_BIND_ADDRESS}" \
      "$@"
    ;;
  executor)
    # Spark passes the executor's JVM options as SPARK_JAVA_OPT_0, SPARK_JAVA_OPT_1, ... (numbered from 0, in order).
    opts=()
    i=0
    while true; do
      var="SPARK_JAVA_OPT_$i"
      [[ -n "${!var+set}" ]] || break
      opts+=("${!var}")
      i=$((i + 1))
    done
    exec "$java" "${opts[@]}" \
      "-Xms${SPARK_EXECUTOR_MEMORY:?}" "-Xmx${SPARK_EXECUTOR_MEMORY}" \
      -cp "$classpath" org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "${SPARK_DRIVER_URL:?}" \
      --executor-id "${SPARK_EXECUTOR_ID:?}" \
      --cores "${SPARK_EXECUTOR_CORES:?}" \
      --app-id "${SPARK_APPLICATION_ID:?}" \
      --hostname "${SPARK_EXECUTOR_POD_IP:?}" \
      --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID:-0}" \
      --podName "${SPARK_EXECUTOR_POD_NAME:?}"
    ;;
  cascade-tuner)
    read -r -a heap <<< "${CASCADE_TUNER_JAVA_OPTS:--Xmx4g}"
    exec "$java" "${heap[@]}" "@$CASCADE_TUNER_HOME/conf/driver-java17.args" \
      -cp "$CASCADE_TUNER_JAR:$classpath" org.cascadetuner.cli.CascadeTuner "$@"
    ;;
  "")
    exec "$java" "@$CASCADE_TUNER_HOME/conf/driver-java17.args" -cp "$CASCADE_TUNER_JAR:$classpath" \
      org.cascadetuner.cli.CascadeTuner --help
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
