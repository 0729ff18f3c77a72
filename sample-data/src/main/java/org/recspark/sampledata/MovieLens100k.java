package org.recspark.sampledata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The GroupLens MovieLens-100K files: u.data (ratings), u.user, u.item (ISO-8859-1), u.genre.
 * A malformed line is a {@link DataFormatException} naming the file and line.
 */
public final class MovieLens100k {
    private static final Pattern TAB = Pattern.compile("\t");
    private static final Pattern PIPE = Pattern.compile("\\|");

    public record Rating(int userId, int itemId, int rating, long timestamp) {}

    public record User(int id, int age, String gender, String occupation, String zip) {}

    public record Movie(int id, String title, String releaseDate, List<String> genres) {}

    /** Ratings in time order (ties in file order), split at floor(n * testFraction) from the end. */
    public record Split(List<Rating> train, List<Rating> test) {}

    private final List<Rating> ratings;
    private final Map<Integer, User> users;
    private final Map<Integer, Movie> movies;

    private MovieLens100k(List<Rating> ratings, Map<Integer, User> users, Map<Integer, Movie> movies) {
        this.ratings = List.copyOf(ratings);
        this.users = users;
        this.movies = movies;
    }

    public static MovieLens100k read(Path dir) {
        List<String> genreNames = new ArrayList<>();
        forEachLine(dir.resolve("u.genre"), StandardCharsets.ISO_8859_1, (line, n, file) -> {
            String[] p = PIPE.split(line, -1);
            if (p.length != 2) {
                throw new DataFormatException(file, n, "expected 'genre|index', got '" + line + "'");
            }
            genreNames.add(p[0]);
        });
        List<Rating> ratings = new ArrayList<>(100_000);
        forEachLine(dir.resolve("u.data"), StandardCharsets.ISO_8859_1, (line, n, file) -> {
            String[] p = TAB.split(line, -1);
            if (p.length != 4) {
                throw new DataFormatException(file, n, "expected 4 tab-separated fields (user item rating timestamp), got " + p.length);
            }
            ratings.add(new Rating(integer(p[0], file, n, "user id"), integer(p[1], file, n, "item id"),
                    integer(p[2], file, n, "rating"), integer(p[3], file, n, "timestamp")));
        });
        Map<Integer, User> users = new LinkedHashMap<>();
        forEachLine(dir.resolve("u.user"), StandardCharsets.ISO_8859_1, (line, n, file) -> {
            String[] p = PIPE.split(line, -1);
            if (p.length != 5) {
                throw new DataFormatException(file, n, "expected 5 '|'-separated fields (id|age|gender|occupation|zip), got " + p.length);
            }
            int id = integer(p[0], file, n, "user id");
            users.put(id, new User(id, integer(p[1], file, n, "age"), p[2], p[3], p[4]));
        });
        Map<Integer, Movie> movies = new LinkedHashMap<>();
        forEachLine(dir.resolve("u.item"), StandardCharsets.ISO_8859_1, (line, n, file) -> {
            String[] p = PIPE.split(line, -1);
            if (p.length != 5 + genreNames.size()) {
                throw new DataFormatException(file, n, "expected " + (5 + genreNames.size()) + " '|'-separated fields, got " + p.length);
            }
            List<String> genres = new ArrayList<>();
            for (int g = 0; g < genreNames.size(); g++) {
                if (p[5 + g].equals("1")) {
                    genres.add(genreNames.get(g));
                } else if (!p[5 + g].equals("0")) {
                    throw new DataFormatException(file, n, "genre flag " + g + " must be 0 or 1, got '" + p[5 + g] + "'");
                }
            }
            int id = integer(p[0], file, n, "item id");
            movies.put(id, new Movie(id, p[1], p[2], List.copyOf(genres)));
        });
        return new MovieLens100k(ratings, users, movies);
    }

    public List<Rating> ratings() {
        return ratings;
    }

    public Map<Integer, User> users() {
        return users;
    }

    public Map<Integer, Movie> movies() {
        return movies;
    }

    /** The time split of ../shared/bench/deepfm_reference.py: stable sort by timestamp, last n * fraction rows are test. */
    public Split timeOrderedSplit(double testFraction) {
        List<Rating> sorted = new ArrayList<>(ratings);
        sorted.sort(Comparator.comparingLong(Rating::timestamp));
        int test = (int) Math.floor(sorted.size() * testFraction);
        return new Split(List.copyOf(sorted.subList(0, sorted.size() - test)), List.copyOf(sorted.subList(sorted.size() - test, sorted.size())));
    }

    @FunctionalInterface
    interface LineHandler {
        void accept(String line, long number, Path file);
    }

    static void forEachLine(Path file, Charset charset, LineHandler handler) {
        try (BufferedReader reader = Files.newBufferedReader(file, charset)) {
            String line;
            long n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (!line.isBlank()) {
                    handler.accept(line, n, file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static int integer(String text, Path file, long line, String what) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, line, what + " must be an integer, got '" + text + "'");
        }
    }
}
