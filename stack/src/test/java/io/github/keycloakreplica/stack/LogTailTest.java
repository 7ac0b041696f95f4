package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class LogTailTest {

    @TempDir
    Path dir;

    @Test
    void returnsTheLastLines() throws IOException {
        Path log = Files.writeString(dir.resolve("log"), "one\ntwo\nthree\nfour\n");
        assertThat(LogTail.tail(log, 2)).isEqualTo("three\nfour");
        assertThat(LogTail.tail(log, 1)).isEqualTo("four");
    }

    @Test
    void returnsEverythingWhenTheFileIsShorter() throws IOException {
        Path log = Files.writeString(dir.resolve("log"), "one\ntwo");
        assertThat(LogTail.tail(log, 10)).isEqualTo("one\ntwo");
    }

    @Test
    void readsAcrossChunksAndKeepsMultiByteCharactersWhole() throws IOException {
        String lines = IntStream.range(0, 5_000).mapToObj(i -> "line " + i + " – ünïcödé").collect(Collectors.joining("\n"));
        Path log = Files.writeString(dir.resolve("log"), lines + "\n");
        String tail = LogTail.tail(log, 1_000);
        assertThat(tail.split("\n")).hasSize(1_000);
        assertThat(tail).startsWith("line 4000 – ünïcödé").endsWith("line 4999 – ünïcödé");
    }

    @Test
    void emptyAndMissingFiles() throws IOException {
        assertThat(LogTail.tail(Files.createFile(dir.resolve("empty")), 5)).isEmpty();
        assertThat(LogTail.tail(dir.resolve("missing"), 5)).contains("no log at");
        assertThat(LogTail.tail(dir.resolve("missing"), 0)).isEmpty();
    }
}
