package org.cascadetuner.common.config;

/** A constant of a closed set of configuration values, with the spelling the files use ("stage-c-lite"). */
public interface Spelled {
  String spelling();
}
