#!/usr/bin/env bash
# Fetches the RAPIDS Accelerator jar (com.nvidia:rapids-4-spark_2.12:25.04.0, ~600 MB) from Maven Central into DEST
# and prints its path. For GPU clusters only; never run by the build or the tests.
#
#   deploy/fetch-rapids.sh [DEST]          (default: build/rapids)
#   RAPIDS_CLASSIFIER=cuda12 deploy/fetch-rapids.sh     (the CUDA 12 build; default: the plain jar, built for CUDA 11)
#
# Its POM names a parent (com.nvidia:rapids-4-spark-jdk-profiles_2.12:25.04.0) that is not on Maven Central, so a
# plain dependency fails with "Failed to read artifact descriptor". A stub of that parent -- a pom with those
# coordinates and nothing else -- is installed into the local Maven repository first; then resolution works.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-$here/../build/rapids}"
version=25.04.0
classifier="${RAPIDS_CLASSIFIER:-}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

stub_dir="$(mktemp -d)"
trap 'rm -rf "$stub_dir"' EXIT
cat > "$stub_dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.nvidia</groupId>
  <artifactId>rapids-4-spark-jdk-profiles_2.12</artifactId>
  <version>$version</version>
  <packaging>pom</packaging>
  <description>Stub of the unpublished parent POM of rapids-4-spark_2.12 (installed by cascade-tuner deploy/fetch-rapids.sh)</description>
</project>
POM
echo "fetch-rapids: installing the stub parent POM into the local Maven repository" >&2
mvn -B -q org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file \
  -Dfile="$stub_dir/pom.xml" -DpomFile="$stub_dir/pom.xml" >&2

artifact="com.nvidia:rapids-4-spark_2.12:$version:jar${classifier:+:$classifier}"
echo "fetch-rapids: copying $artifact into $dest" >&2
mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy -Dartifact="$artifact" \
  -DoutputDirectory="$dest" -Dmdep.overWriteReleases=false >&2
jar="$dest/rapids-4-spark_2.12-$version${classifier:+-$classifier}.jar"
[[ -f "$jar" ]] || { echo "fetch-rapids: $jar missing after the copy" >&2; exit 1; }
echo "$jar"
