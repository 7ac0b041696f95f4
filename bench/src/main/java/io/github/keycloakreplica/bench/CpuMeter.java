package io.github.keycloakreplica.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * CPU time of each part of the stack, from the operating system's process accounting: which process spent the
 * cores while requests were measured. Everything runs on one machine here, so this tells the primary's own cost
 * (its JVM and its database's backends) apart from the broker's, which a real deployment runs elsewhere.
 *
 * <p>A process belongs to a part when its command line holds that part's directory; PostgreSQL's backends are
 * told apart by the database name in their title ({@code postgres: postgres primary 127.0.0.1(...)}), the
 * server's own processes count as "postgres (shared)".
 */
final class CpuMeter {

    private final Map<String, String> byPath;
    private final String postgresDir;
    private final List<String> databases;

    /**
     * @param byPath      part name to a path its processes' command lines hold
     * @param postgresDir the PostgreSQL server's directory (its postmaster's command line holds it), or null
     * @param databases   the databases whose backends count apart, as parts of the same name
     */
    CpuMeter(Map<String, String> byPath, String postgresDir, List<String> databases) {
        this.byPath = byPath;
        this.postgresDir = postgresDir;
        this.databases = databases;
    }

    /** CPU nanoseconds so far per part, and "benchmark" for this JVM. */
    Map<String, Long> sample() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        byPath.keySet().forEach(part -> cpu.put(part, 0L));
        databases.forEach(db -> cpu.put("postgres " + db, 0L));
        cpu.put("postgres (shared)", 0L);
        Optional<ProcessHandle> postmaster = postgresDir == null ? Optional.empty()
                : ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(postgresDir)).findFirst();
        postmaster.ifPresent(pm -> {
            add(cpu, "postgres (shared)", pm);
            pm.children().forEach(child -> {
                String title = commandLine(child);
                String part = databases.stream().filter(db -> title.contains(" " + db + " ")).findFirst()
                        .map(db -> "postgres " + db).orElse("postgres (shared)");
                add(cpu, part, child);
            });
        });
        ProcessHandle.allProcesses().forEach(p -> {
            String line = commandLine(p);
            byPath.forEach((part, path) -> {
                if (line.contains(path)) {
                    add(cpu, part, p);
                }
            });
        });
        add(cpu, "benchmark", ProcessHandle.current());
        return cpu;
    }

    /** Linux counts a thread's CPU in clock ticks of 1/100 s (USER_HZ, the same on every architecture Java runs on). */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * CPU nanoseconds so far of one part's processes by kind of thread, from /proc/PID/task: which of a JVM's threads
     * spent the time (Linux keeps the first 15 characters of a Java thread's name). A thread that ended took its count
     * along; what the process spent beyond its live threads is "ended threads".
     */
    Map<String, Long> threads(String part) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (String kind : List.of("requests", "relay", "Kafka client", "GC", "JIT", "other", "ended threads")) {
            cpu.put(kind, 0L);
        }
        String path = byPath.get(part);
        ProcessHandle.allProcesses().filter(p -> path != null && commandLine(p).contains(path)).forEach(process -> {
            long live = 0;
            try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long nanos = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
                        cpu.merge(kindOf(Files.readString(task.resolve("comm")).strip()), nanos, Long::sum);
                        live += nanos;
                    } catch (IOException | RuntimeException ended) {
                        // The thread ended while being read; the process total below keeps its time.
                    }
                }
            } catch (IOException e) {
                return;
            }
            long total = process.info().totalCpuDuration().map(Duration::toNanos).orElse(live);
            cpu.merge("ended threads", Math.max(0, total - live), Long::sum);
        });
        return cpu;
    }

    private static String kindOf(String thread) {
        if (thread.startsWith("executor-thread") || thread.startsWith("vert.x-eventloo")) {
            return "requests";
        }
        if (thread.startsWith("replica-publish")) {
            return "relay";
        }
        if (thread.startsWith("kafka-")) {
            return "Kafka client";
        }
        if (thread.startsWith("GC Thread") || thread.startsWith("G1 ")) {
            return "GC";
        }
        return thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler") ? "JIT" : "other";
    }

    /** Seconds spent per part between two samples. */
    static Map<String, Double> between(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> spent = new LinkedHashMap<>();
        after.forEach((part, nanos) -> spent.put(part, (nanos - before.getOrDefault(part, 0L)) / 1e9));
        return spent;
    }

    static Map<String, Double> sum(Map<String, Double> a, Map<String, Double> b) {
        Map<String, Double> total = new LinkedHashMap<>(a);
        b.forEach((part, seconds) -> total.merge(part, seconds, Double::sum));
        return total;
    }

    static String format(Map<String, Double> seconds) {
        return seconds.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static void add(Map<String, Long> cpu, String part, ProcessHandle process) {
        long nanos = process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        cpu.merge(part, nanos, Long::sum);
    }

    /**
     * The process's command line as /proc has it: PostgreSQL writes its backends' titles over their arguments, which
     * {@link ProcessHandle.Info#commandLine()} does not show (it rebuilds the line from the executable's path).
     */
    private static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(p.pid()), "cmdline")).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            ProcessHandle.Info info = p.info();
            return info.commandLine().orElseGet(() -> info.command().orElse(""));
        }
    }
}
