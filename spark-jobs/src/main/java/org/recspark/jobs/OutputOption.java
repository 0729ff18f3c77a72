package org.recspark.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.InputConfig;
import org.recspark.jobs.samples.HiveSupport;
import org.recspark.jobs.samples.HiveTableSink;
import org.recspark.jobs.samples.ParquetPathSink;
import org.recspark.jobs.samples.SampleSink;

/**
 * Where build-samples and predict write their rows, partitioned by dt: {@code --out PATH}
 * (Parquet) or {@code --out-table [DB.]TABLE} (a Hive table), exactly one of them.
 */
final class OutputOption {
    static final String PATH = "out";
    static final String TABLE = "out-table";
    private static final String TABLE_NAME = "([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_][A-Za-z0-9_]*";

    private final Optional<String> path;
    private final Optional<String> table;

    private OutputOption(Optional<String> path, Optional<String> table) {
        this.path = path;
        this.table = table;
    }

    static OutputOption parse(CommandLine cl) {
        Optional<String> path = cl.optional(PATH);
        Optional<String> table = cl.optional(TABLE);
        if (path.isPresent() == table.isPresent()) {
            throw new UsageException(path.isPresent() ? "--" + PATH + " and --" + TABLE + " exclude each other: give one"
                    : "option --" + PATH + " PATH or --" + TABLE + " TABLE is required");
        }
        if (table.isPresent() && !table.get().matches(TABLE_NAME)) {
            throw new UsageException("--" + TABLE + " expects TABLE or DB.TABLE (letters, digits, _), got '" + table.get() + "'");
        }
        return new OutputOption(path, table);
    }

    /** The Hive tables a run reads and writes: the config's inputs and the output table. */
    List<HiveSupport.NamedTable> hiveTables(InputConfig input) {
        List<HiveSupport.NamedTable> tables = new ArrayList<>(HiveSupport.tablesIn(input));
        table.ifPresent(t -> tables.add(new HiveSupport.NamedTable("--" + TABLE, t)));
        return tables;
    }

    /**
     * Rejects beside a path output, {@code PATH_rejects}. A table has no "beside" that is a path,
     * and a guess (the warehouse directory, the working directory) would put rows where nobody
     * looks: with --out-table the rejects location must be given, as {@code alternatives} say.
     */
    String rejectsBeside(String alternatives) {
        return path.map(p -> p + "_rejects").orElseThrow(() -> new UsageException(
                "--" + TABLE + " needs a location for rejected rows, which are written as JSON files: " + alternatives));
    }

    /** The --out path, which {@code why} needs: a table output has no path beside it. */
    String pathFor(String why) {
        return path.orElseThrow(() -> new UsageException(why + ": give --" + PATH + " PATH instead of --" + TABLE));
    }

    /** The sink; a table needs a session with Hive support unless the session's catalog has it already. */
    SampleSink sink(SparkSession spark) {
        if (path.isPresent()) {
            return new ParquetPathSink(path.get());
        }
        String name = table.orElseThrow();
        HiveSupport.unavailable(spark, name).ifPresent(why -> {
            throw new UsageException("--" + TABLE + " " + why);
        });
        return new HiveTableSink(spark, name, "--" + TABLE);
    }

    @Override
    public String toString() {
        return path.orElseGet(() -> "table " + table.orElseThrow());
    }
}
