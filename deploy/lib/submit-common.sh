# shellcheck shell=bash
# Shared by deploy/submit-train.sh and deploy/submit-refresh.sh: options, sizing rules, spark-submit command.
# Sourced, not run. The caller sets JOB (train|refresh) and DEFAULT_OFFHEAP before calling submit_main "$@".

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT_DIR="$(cd "$DEPLOY_DIR/.." && pwd)"

usage() {
  cat <<USAGE
usage: deploy/submit-$JOB.sh --config FILE [options] [-- more cascade-tuner $JOB arguments]

Runs \`cascade-tuner $JOB\` with spark-submit (SPARK_HOME/bin/spark-submit, else spark-submit on PATH).

  --config FILE                config.json (required)
  --data-backend-config FILE   multidatabackend.json (default: config.json's data_backend_config)
  --master URL                 spark://host:7077, k8s://https://host:443, yarn, local[N] (default: the cluster's)
  --deploy-mode MODE           client (default) or cluster; cluster ships the config files with --files and
                               names them by file name, as YARN places them in the driver's working directory
                               (on Kubernetes use deploy/k8s/, which mounts them from a ConfigMap)
  --name NAME                  application name (default: cascade-tuner-$JOB)
  --executors N                executors to run (default 2)
  --executor-cores N           cores per executor (default 4)
  --executor-memory SIZE       JVM heap per executor (default 8g)
  --offheap SIZE               ND4J off-heap memory per executor (default $DEFAULT_OFFHEAP); see "Sizing" below
  --driver-memory SIZE         driver JVM heap (default 4g)
  --driver-offheap SIZE        ND4J off-heap memory of the driver (default 2g)
  --gpus-per-executor N        schedule N GPUs per executor, one task per GPU (default 0: CPU only)
  --gpu-discovery PATH         discovery script as seen on the executor hosts (default: $DEPLOY_DIR/gpu-discovery.sh)
  --rapids                     add the RAPIDS Accelerator (conf/rapids.conf; needs --gpus-per-executor and RAPIDS_JAR)
  --env-file FILE              read environment variables (S3 credentials, ...) from FILE before submitting
  --jar FILE                   application jar (default: \$CASCADE_TUNER_JAR, else cli/target/cascade-tuner-*-app.jar)
  --conf KEY=VALUE             any further Spark setting (repeatable; wins over the defaults above)
  --dry-run                    print the spark-submit command, one argument per line, and exit
  -h, --help                   this text

Sizing (per executor): ND4J keeps tensors outside the Java heap, so the container must hold
  heap (--executor-memory) + spark.executor.memoryOverhead, where
  memoryOverhead = offheap + max(384m, heap / 10)        (the second term is Spark's own default overhead)
and JavaCPP is told the same budget (-Dorg.bytedeco.javacpp.maxbytes=offheap, maxphysicalbytes=heap+overhead), so
an oversized batch fails with a Java OutOfMemoryError naming the limit instead of the container being killed.
Threads: spark.task.cpus = executor cores / max(1, GPUs per executor), one ND4J task per slot, and
spark.executorEnv.OMP_NUM_THREADS = spark.task.cpus so OpenMP does not oversubscribe the cores.

Secrets never go on this command line: put AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) in an
env file (chmod 600) or use instance roles.
USAGE
}

die() {
  echo "submit-$JOB: $*" >&2
  exit 2
}

# "8g", "512m", "1t", "2048" (MiB) -> MiB
to_mib() {
  local v="${1,,}"
  if [[ "$v" =~ ^([0-9]+)([kmgt]?)b?$ ]]; then
    local n="${BASH_REMATCH[1]}" u="${BASH_REMATCH[2]}"
    case "$u" in
      k) echo $(( (n + 1023) / 1024 )) ;;
      m | "") echo "$n" ;;
      g) echo $(( n * 1024 )) ;;
      t) echo $(( n * 1024 * 1024 )) ;;
    esac
  else
    return 1
  fi
}

mib_option() {
  local name="$1" value="$2" mib
  mib="$(to_mib "$value")" || die "$name $value: not a size (allowed: a number with k, m, g or t, e.g. 8g)"
  echo "$mib"
}

positive_int() {
  [[ "$2" =~ ^[0-9]+$ ]] || die "$1 $2: not a whole number"
  echo "$2"
}

# Spark settings of a properties file (key=value or key value; # comments), one "key=value" per line.
properties_lines() {
  local line key value
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* ]] && continue
    if [[ "$line" =~ ^([^=[:space:]]+)[[:space:]]*[=[:space:]][[:space:]]*(.*)$ ]]; then
      key="${BASH_REMATCH[1]}"
      value="${BASH_REMATCH[2]}"
      value="${value%"${value##*[![:space:]]}"}"
      printf '%s=%s\n' "$key" "$value"
    fi
  done < "$1"
}

# compute_backend of a config.json (with or without SimpleTuner's leading "--"), "cpu" when absent.
config_backend() {
  local found
  found="$({ grep -oE '"(--)?compute_backend"[[:space:]]*:[[:space:]]*"[^"]*"' "$1" || true; } | head -1 \
    | sed -E 's/.*:[[:space:]]*"([^"]*)"/\1/')"
  echo "${found:-cpu}"
}

find_app_jar() {
  if [[ -n "${CASCADE_TUNER_JAR:-}" ]]; then
    echo "$CASCADE_TUNER_JAR"
    return
  fi
  local jars=("$ROOT_DIR"/cli/target/cascade-tuner-*-app.jar "$ROOT_DIR"/cascade-tuner-*-app.jar)
  local j
  for j in "${jars[@]}"; do
    [[ -f "$j" ]] && { echo "$j"; return; }
  done
  die "no application jar: build it with 'mvn -B -DskipTests package', or set CASCADE_TUNER_JAR or --jar"
}

submit_main() {
  local config="" data_backend="" master="${SPARK_MASTER:-}" deploy_mode="client" name="cascade-tuner-$JOB"
  local executors=2 executor_cores=4 executor_memory="8g" offheap="$DEFAULT_OFFHEAP" driver_memory="4g"
  local driver_offheap="2g" gpus=0 gpu_discovery="$DEPLOY_DIR/gpu-discovery.sh" rapids=0 env_file="" jar=""
  local dry_run=0
  local -a user_conf=() app_args=()

  while [[ $# -gt 0 ]]; do
    case "$1" in
      --config) config="${2:?--config needs a file}"; shift 2 ;;
      --data-backend-config) data_backend="${2:?--data-backend-config needs a file}"; shift 2 ;;
      --master) master="${2:?--master needs a URL}"; shift 2 ;;
      --deploy-mode) deploy_mode="${2:?--deploy-mode needs client or cluster}"; shift 2 ;;
      --name) name="${2:?--name needs a value}"; shift 2 ;;
      --executors) executors="$(positive_int "$1" "${2:-}")"; shift 2 ;;
      --executor-cores) executor_cores="$(positive_int "$1" "${2:-}")"; shift 2 ;;
      --executor-memory) executor_memory="${2:?--executor-memory needs a size}"; shift 2 ;;
      --offheap) offheap="${2:?--offheap needs a size}"; shift 2 ;;
      --driver-memory) driver_memory="${2:?--driver-memory needs a size}"; shift 2 ;;
      --driver-offheap) driver_offheap="${2:?--driver-offheap needs a size}"; shift 2 ;;
      --gpus-per-executor) gpus="$(positive_int "$1" "${2:-}")"; shift 2 ;;
      --gpu-discovery) gpu_discovery="${2:?--gpu-discovery needs a path}"; shift 2 ;;
      --rapids) rapids=1; shift ;;
      --env-file) env_file="${2:?--env-file needs a file}"; shift 2 ;;
      --jar) jar="${2:?--jar needs a file}"; shift 2 ;;
      --conf) user_conf+=("${2:?--conf needs KEY=VALUE}"); shift 2 ;;
      --dry-run) dry_run=1; shift ;;
      -h | --help) usage; exit 0 ;;
      --) shift; app_args=("$@"); break ;;
      *) die "unknown option $1 (see --help)" ;;
    esac
  done

  [[ -n "$config" ]] || die "--config is required (the config.json of the run)"
  [[ -f "$config" ]] || die "--config $config: no such file"
  [[ -z "$data_backend" || -f "$data_backend" ]] || die "--data-backend-config $data_backend: no such file"
  [[ "$deploy_mode" == client || "$deploy_mode" == cluster ]] \
    || die "--deploy-mode $deploy_mode: allowed are client and cluster"
  [[ "$executor_cores" -ge 1 ]] || die "--executor-cores $executor_cores: must be at least 1"
  [[ "$executors" -ge 1 ]] || die "--executors $executors: must be at least 1"

  if [[ -n "$env_file" ]]; then
    [[ -f "$env_file" ]] || die "--env-file $env_file: no such file"
    if [[ -n "$(find "$env_file" -perm /o+r 2>/dev/null)" ]]; then
      echo "submit-$JOB: warning: $env_file is readable by other users; chmod 600 it if it holds credentials" >&2
    fi
    set -a
    # shellcheck disable=SC1090
    source "$env_file"
    set +a
  fi

  # RAPIDS without a GPU fails at start-up on every executor (CUDA cannot initialise), so never allow it.
  if [[ "$rapids" -eq 1 ]]; then
    [[ "$gpus" -ge 1 ]] || die "--rapids needs GPUs: add --gpus-per-executor N (N >= 1); without a GPU the RAPIDS \
plugin stops every executor at start-up"
    [[ -n "${RAPIDS_JAR:-}" && -f "${RAPIDS_JAR:-}" ]] \
      || die "--rapids needs RAPIDS_JAR=<path of rapids-4-spark_2.12-25.04.0.jar> (deploy/fetch-rapids.sh gets it)"
  fi

  local backend
  backend="$(config_backend "$config")"
  if [[ "$gpus" -ge 1 && "$backend" == cpu ]]; then
    echo "submit-$JOB: warning: GPUs requested but $config has compute_backend cpu (allowed: cpu, nd4j-cuda, cuda);" \
      "the model will run on the CPU" >&2
  fi
  if [[ "$gpus" -eq 0 && "$backend" != cpu ]]; then
    die "$config: compute_backend = $backend needs GPUs: add --gpus-per-executor N (or set compute_backend to cpu)"
  fi
  [[ "$gpus" -le "$executor_cores" ]] \
    || die "--gpus-per-executor $gpus exceeds --executor-cores $executor_cores (each GPU task needs a core)"

  local heap_mib offheap_mib driver_heap_mib driver_offheap_mib
  heap_mib="$(mib_option --executor-memory "$executor_memory")"
  offheap_mib="$(mib_option --offheap "$offheap")"
  driver_heap_mib="$(mib_option --driver-memory "$driver_memory")"
  driver_offheap_mib="$(mib_option --driver-offheap "$driver_offheap")"
  local overhead_mib=$(( offheap_mib + (heap_mib / 10 > 384 ? heap_mib / 10 : 384) ))
  local driver_overhead_mib=$(( driver_offheap_mib + (driver_heap_mib / 10 > 384 ? driver_heap_mib / 10 : 384) ))
  local task_cpus=$(( gpus > 0 ? executor_cores / gpus : executor_cores ))

  [[ -n "$jar" ]] || jar="$(find_app_jar)"
  [[ -f "$jar" || "$jar" == *://* ]] || die "--jar $jar: no such file"

  local submit
  if [[ -n "${SPARK_HOME:-}" ]]; then
    submit="$SPARK_HOME/bin/spark-submit"
  else
    submit="$(command -v spark-submit || true)"
  fi
  [[ -n "$submit" && -x "$submit" ]] || die "spark-submit not found: set SPARK_HOME (deploy/spark-home.sh builds one)"

  # the driver runs in this process tree (client mode): the same glibc settings as the executors get (spark-defaults)
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
  export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-4294967296}"
  local stack="-Xss4m"
  local -a cmd=("$submit" --class org.cascadetuner.cli.CascadeTuner --name "$name" --deploy-mode "$deploy_mode")
  [[ -n "$master" ]] && cmd+=(--master "$master")
  cmd+=(--driver-memory "$driver_memory" --executor-memory "$executor_memory" --executor-cores "$executor_cores")

  local -a conf=()
  # the project's Spark settings first, so the sizing below and the user's --conf win
  if [[ -f "$ROOT_DIR/conf/spark-defaults.conf" ]]; then
    mapfile -t conf < <(properties_lines "$ROOT_DIR/conf/spark-defaults.conf")
  fi
  conf+=(
    "spark.executor.instances=$executors"
    "spark.cores.max=$(( executors * executor_cores ))"
    "spark.executor.memoryOverhead=${overhead_mib}m"
    "spark.driver.memoryOverhead=${driver_overhead_mib}m"
    "spark.task.cpus=$task_cpus"
    "spark.executorEnv.OMP_NUM_THREADS=$task_cpus"
    "spark.executor.extraJavaOptions=$stack -Dorg.bytedeco.javacpp.maxbytes=${offheap_mib}m -Dorg.bytedeco.javacpp.maxphysicalbytes=$(( heap_mib + overhead_mib ))m"
    "spark.driver.extraJavaOptions=$stack -Dorg.bytedeco.javacpp.maxbytes=${driver_offheap_mib}m -Dorg.bytedeco.javacpp.maxphysicalbytes=$(( driver_heap_mib + driver_overhead_mib ))m"
  )
  if [[ "$gpus" -ge 1 ]]; then
    conf+=(
      "spark.executor.resource.gpu.amount=$gpus"
      "spark.task.resource.gpu.amount=1"
      "spark.executor.resource.gpu.discoveryScript=$gpu_discovery"
      "spark.executor.resource.gpu.vendor=nvidia.com"
    )
  fi
  if [[ "$rapids" -eq 1 ]]; then
    local -a rapids_conf=()
    mapfile -t rapids_conf < <(properties_lines "$ROOT_DIR/conf/rapids.conf")
    conf+=("${rapids_conf[@]}")
    cmd+=(--jars "$RAPIDS_JAR")
  fi
  conf+=("${user_conf[@]}")
  local c
  for c in "${conf[@]}"; do
    [[ "$c" == *=* ]] || die "--conf $c: expected KEY=VALUE"
    cmd+=(--conf "$c")
  done

  local -a files=("$config")
  [[ -n "$data_backend" ]] && files+=("$data_backend")
  local -a job=("$JOB")
  if [[ "$deploy_mode" == cluster ]]; then
    # the driver runs elsewhere: ship the files, name them as they land in its working directory
    local joined
    joined="$(IFS=,; echo "${files[*]}")"
    cmd+=(--files "$joined")
    job+=(--config "$(basename "$config")")
    [[ -n "$data_backend" ]] && job+=(--data-backend-config "$(basename "$data_backend")")
  else
    job+=(--config "$(cd "$(dirname "$config")" && pwd)/$(basename "$config")")
    [[ -n "$data_backend" ]] && job+=(--data-backend-config "$(cd "$(dirname "$data_backend")" && pwd)/$(basename "$data_backend")")
  fi
  cmd+=("$jar" "${job[@]}" "${app_args[@]}")

  if [[ "$dry_run" -eq 1 ]]; then
    printf '%s\n' "${cmd[@]}"
    exit 0
  fi
  local rapids_note=""
  [[ "$rapids" -eq 1 ]] && rapids_note=", RAPIDS on"
  echo "submit-$JOB: $JOB on ${master:-the default master}: $executors executor(s) x $executor_cores cores," \
    "heap $executor_memory + overhead ${overhead_mib}m (ND4J off-heap $offheap), task.cpus $task_cpus," \
    "GPUs/executor $gpus$rapids_note" >&2
  exec "${cmd[@]}"
}
