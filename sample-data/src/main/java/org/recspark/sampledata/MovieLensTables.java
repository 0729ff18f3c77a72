package org.recspark.sampledata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes MovieLens-100K as the tables the sample job reads: ratings.csv (the samples, one per
 * rating; the label is rating >= 4 by config), users.csv, items.csv (genres '|'-joined, the first
 * genre as category, release year), and behaviours.csv (the same ratings as a behaviour log: a
 * "rated" event for each, plus a "liked" one for ratings >= 4), so that windowed statistics and
 * sequences are replayed from earlier ratings of the same user and item. The four files replace
 * earlier ones only once all are complete ({@link StagedFiles}).
 */
public final class MovieLensTables {
    private MovieLensTables() {}

    public static void write(MovieLens100k data, Path outDir) {
        try (StagedFiles files = new StagedFiles(outDir, List.of("users.csv", "items.csv", "ratings.csv", "behaviours.csv"))) {
            try (BufferedWriter out = writer(files.file("users.csv"))) {
                out.write("user_id,age,gender,occupation,zip3\n");
                for (MovieLens100k.MovieLensUser u : data.users().values()) {
                    out.write(CsvRecords.line(List.of(String.valueOf(u.id()), String.valueOf(u.age()), u.gender(), u.occupation(),
                            u.zip().substring(0, Math.min(3, u.zip().length()))), ","));
                }
            }
            try (BufferedWriter out = writer(files.file("items.csv"))) {
                out.write("item_id,genres,category,year\n");
                for (MovieLens100k.Movie m : data.movies().values()) {
                    List<String> genres = m.genres().isEmpty() ? List.of("unknown") : m.genres();
                    String date = m.releaseDate();
                    String year = date.length() >= 4 ? date.substring(date.length() - 4) : "";
                    out.write(CsvRecords.line(List.of(String.valueOf(m.id()), String.join("|", genres), genres.get(0), year), ","));
                }
            }
            try (BufferedWriter samples = writer(files.file("ratings.csv"));
                 BufferedWriter events = writer(files.file("behaviours.csv"))) {
                samples.write("user_id,item_id,rating,ts\n");
                events.write("user_id,item_id,event,ts,category\n");
                for (MovieLens100k.Rating r : data.ratings()) {
                    samples.write(r.userId() + "," + r.itemId() + "," + r.rating() + "," + r.timestamp() + "\n");
                    List<String> genres = data.movies().get(r.itemId()).genres();
                    String category = genres.isEmpty() ? "unknown" : genres.get(0);
                    events.write(r.userId() + "," + r.itemId() + ",rated," + r.timestamp() + "," + category + "\n");
                    if (r.rating() >= 4) {
                        events.write(r.userId() + "," + r.itemId() + ",liked," + r.timestamp() + "," + category + "\n");
                    }
                }
            }
            files.publish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write MovieLens tables to " + outDir, e);
        }
    }

    private static BufferedWriter writer(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }
}
