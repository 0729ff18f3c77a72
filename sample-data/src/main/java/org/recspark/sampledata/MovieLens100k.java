package org.recspark.sampledata;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GroupLens MovieLens-100K files of one directory: u.genre, u.user, u.item (ISO-8859-1) and
 * u.data (the ratings). Every line is checked; a malformed one, or a rating of an unknown user or
 * movie, is a {@link DataFormatException} naming the file and line.
 */
public final class MovieLens100k {
    private static final Logger LOG = LoggerFactory.getLogger(MovieLens100k.class);
    private static final Pattern TAB = Pattern.compile("\t");
    private static final Pattern PIPE = Pattern.compile("\\|");
    private static final int ITEM_FIELDS_BEFORE_GENRES = 5;

    /** One line of u.data; {@code timestamp} in epoch seconds. */
    public record Rating(int userId, int itemId, int rating, long timestamp) {}

    /** One line of u.user. */
    public record MovieLensUser(int id, int age, String gender, String occupation, String zip) {}

    /** One line of u.item; {@code releaseDate} as written there (e.g. 01-Jan-1995, may be empty); genres in u.genre order. */
    public record Movie(int id, String title, String releaseDate, List<String> genres) {}

    /** The ratings split by time: {@code train} precedes {@code test}. */
    public record Split(List<Rating> train, List<Rating> test) {}

    private final List<Rating> ratings;
    private final Map<Integer, MovieLensUser> users;
    private final Map<Integer, Movie> movies;

    private MovieLens100k(List<Rating> ratings, Map<Integer, MovieLensUser> users, Map<Integer, Movie> movies) {
        this.ratings = List.copyOf(ratings);
        this.users = Collections.unmodifiableMap(users);
        this.movies = Collections.unmodifiableMap(movies);
    }

    public static MovieLens100k read(Path dir) {
        List<String> genres = readGenres(dir.resolve("u.genre"));
        Map<Integer, MovieLensUser> users = readUsers(dir.resolve("u.user"));
        Map<Integer, Movie> movies = readMovies(dir.resolve("u.item"), genres);
        List<Rating> ratings = readRatings(dir.resolve("u.data"), users, movies);
        LOG.info("Read MovieLens-100K from {}: {} ratings, {} users, {} movies, {} genres",
                dir, ratings.size(), users.size(), movies.size(), genres.size());
        return new MovieLens100k(ratings, users, movies);
    }

    /** The ratings in file order. */
    public List<Rating> ratings() {
        return ratings;
    }

    /** Users by id, in file order. */
    public Map<Integer, MovieLensUser> users() {
        return users;
    }

    /** Movies by id, in file order. */
    public Map<Integer, Movie> movies() {
        return movies;
    }

    /**
     * The time split of ../shared/bench/deepfm_reference.py: the ratings stably sorted by timestamp
     * (ties keep file order), the last floor(n * testFraction) of them are the test set (the
     * reference's {@code len(rows) // 5} for 0.2). The fraction is taken as the decimal it prints
     * as, so 0.29 of 100 rows is 29 rows, not the 28 that binary floating point would give.
     */
    public Split timeOrderedSplit(double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be in (0, 1), got " + testFraction);
        }
        List<Rating> sorted = new ArrayList<>(ratings);
        sorted.sort(Comparator.comparingLong(Rating::timestamp));
        int test = BigDecimal.valueOf(testFraction).multiply(BigDecimal.valueOf(sorted.size()))
                .setScale(0, RoundingMode.FLOOR).intValueExact();
        int train = sorted.size() - test;
        return new Split(List.copyOf(sorted.subList(0, train)), List.copyOf(sorted.subList(train, sorted.size())));
    }

    private static List<String> readGenres(Path file) {
        List<String> genres = new ArrayList<>();
        NumberedLines.forEach(file, StandardCharsets.ISO_8859_1, (line, lineNumber) -> {
            String[] p = fields(PIPE, line, 2, "'genre|index'", file, lineNumber);
            int index = integer(p[1], "genre index", file, lineNumber);
            if (index != genres.size()) {
                throw new DataFormatException(file, lineNumber, "expected genre index " + genres.size() + ", got " + index);
            }
            genres.add(p[0]);
        });
        return genres;
    }

    private static Map<Integer, MovieLensUser> readUsers(Path file) {
        Map<Integer, MovieLensUser> users = new LinkedHashMap<>();
        NumberedLines.forEach(file, StandardCharsets.ISO_8859_1, (line, lineNumber) -> {
            String[] p = fields(PIPE, line, 5, "'id|age|gender|occupation|zip'", file, lineNumber);
            int id = integer(p[0], "user id", file, lineNumber);
            if (!p[2].equals("M") && !p[2].equals("F")) {
                throw new DataFormatException(file, lineNumber, "gender must be M or F, got '" + p[2] + "'");
            }
            MovieLensUser user = new MovieLensUser(id, integer(p[1], "age", file, lineNumber), p[2], p[3], p[4]);
            if (users.putIfAbsent(id, user) != null) {
                throw new DataFormatException(file, lineNumber, "duplicate user id " + id);
            }
        });
        return users;
    }

    private static Map<Integer, Movie> readMovies(Path file, List<String> genreNames) {
        Map<Integer, Movie> movies = new LinkedHashMap<>();
        int fieldCount = ITEM_FIELDS_BEFORE_GENRES + genreNames.size();
        NumberedLines.forEach(file, StandardCharsets.ISO_8859_1, (line, lineNumber) -> {
            String[] p = fields(PIPE, line, fieldCount,
                    "'id|title|release|video_release|url' and " + genreNames.size() + " genre flags", file, lineNumber);
            int id = integer(p[0], "item id", file, lineNumber);
            List<String> genres = new ArrayList<>();
            for (int g = 0; g < genreNames.size(); g++) {
                String flag = p[ITEM_FIELDS_BEFORE_GENRES + g];
                if (flag.equals("1")) {
                    genres.add(genreNames.get(g));
                } else if (!flag.equals("0")) {
                    throw new DataFormatException(file, lineNumber, "flag of genre " + genreNames.get(g) + " must be 0 or 1, got '" + flag + "'");
                }
            }
            if (movies.putIfAbsent(id, new Movie(id, p[1], p[2], List.copyOf(genres))) != null) {
                throw new DataFormatException(file, lineNumber, "duplicate item id " + id);
            }
        });
        return movies;
    }

    private static List<Rating> readRatings(Path file, Map<Integer, MovieLensUser> users, Map<Integer, Movie> movies) {
        List<Rating> ratings = new ArrayList<>(100_000);
        NumberedLines.forEach(file, StandardCharsets.ISO_8859_1, (line, lineNumber) -> {
            String[] p = fields(TAB, line, 4, "tab-separated 'user item rating timestamp'", file, lineNumber);
            int user = integer(p[0], "user id", file, lineNumber);
            int item = integer(p[1], "item id", file, lineNumber);
            int rating = integer(p[2], "rating", file, lineNumber);
            if (!users.containsKey(user)) {
                throw new DataFormatException(file, lineNumber, "user id " + user + " is not in u.user");
            }
            if (!movies.containsKey(item)) {
                throw new DataFormatException(file, lineNumber, "item id " + item + " is not in u.item");
            }
            if (rating < 1 || rating > 5) {
                throw new DataFormatException(file, lineNumber, "rating must be 1 to 5, got " + rating);
            }
            long timestamp;
            try {
                timestamp = Long.parseLong(p[3].strip());
            } catch (NumberFormatException e) {
                throw new DataFormatException(file, lineNumber, "timestamp must be an integer, got '" + p[3] + "'");
            }
            ratings.add(new Rating(user, item, rating, timestamp));
        });
        return ratings;
    }

    private static String[] fields(Pattern separator, String line, int expected, String layout, Path file, long lineNumber) {
        String[] p = separator.split(line, -1);
        if (p.length != expected) {
            throw new DataFormatException(file, lineNumber, "expected " + expected + " fields (" + layout + "), got " + p.length);
        }
        return p;
    }

    private static int integer(String text, String what, Path file, long lineNumber) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, lineNumber, what + " must be an integer, got '" + text + "'");
        }
    }
}
