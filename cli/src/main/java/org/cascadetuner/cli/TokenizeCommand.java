package org.cascadetuner.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.models.clip.ClipTokenizer;
import org.cascadetuner.common.models.clip.TokenizedPrompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cascade-tuner tokenize [--tokenizer DIR]}: prompts as JSON strings, one per line on stdin; one JSON line
 * {@code {"input_ids": [...], "attention_mask": [...]}} per prompt on stdout, each of the tokenizer's length (77).
 * Exit 0, or 2 with the offending line named on stderr.
 */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = {
        "Tokenize prompts for the CLIP text encoder as Hugging Face's CLIPTokenizerFast does.",
        "stdin: one JSON string per line (\"a photo of a cat\"); stdout: one JSON line each with input_ids and "
            + "attention_mask, padded and truncated to the tokenizer's model_max_length (77)."})
public final class TokenizeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--tokenizer", paramLabel = "DIR",
      description = "Hugging Face tokenizer folder (vocab.json, merges.txt, tokenizer_config.json), local or a Hadoop "
          + "URI (s3a://, hdfs://), e.g. stable-cascade-prior/tokenizer. Default: the CLIP vocabulary built into "
          + "cascade-tuner with stable-cascade's settings.")
  String tokenizer;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClipTokenizer tok;
    try {
      tok = tokenizer == null ? ClipTokenizer.builtIn() : ClipTokenizer.fromFolder(tokenizer, new Configuration());
    } catch (IllegalArgumentException | UncheckedIOException e) {
      err.println("tokenize: " + e.getMessage());
      err.flush();
      return 2;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder line = new StringBuilder(1024);
    String text;
    int number = 0;
    while ((text = in.readLine()) != null) {
      number++;
      String prompt = prompt(text, number, err);
      if (prompt == null) {
        out.flush();
        err.flush();
        return 2;
      }
      TokenizedPrompt p = tok.encode(prompt);
      line.setLength(0);
      line.append("{\"input_ids\":");
      appendInts(line, p.inputIds());
      line.append(",\"attention_mask\":");
      appendInts(line, p.attentionMask());
      line.append('}');
      out.println(line);
    }
    out.flush();
    return 0;
  }

  /** The prompt of one stdin line, or null after telling the user what is wrong with it. */
  private static String prompt(String text, int number, PrintWriter err) {
    if (text.isBlank()) {
      err.println("tokenize: stdin line " + number + " is empty; each line is one JSON string (the empty prompt is \"\")");
      return null;
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (node != null && node.isTextual()) return node.textValue();
      err.println("tokenize: stdin line " + number + " is " + abbreviated(text) + ", not a JSON string; write each "
          + "prompt as a JSON string, e.g. \"a photo of a cat\"");
    } catch (JsonProcessingException e) {
      err.println("tokenize: stdin line " + number + " is not JSON (" + e.getOriginalMessage() + "): "
          + abbreviated(text) + "; write each prompt as a JSON string, e.g. \"a photo of a cat\"");
    }
    return null;
  }

  private static String abbreviated(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "…";
  }

  private static void appendInts(StringBuilder b, int[] values) {
    b.append('[');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) b.append(',');
      b.append(values[i]);
    }
    b.append(']');
  }
}
