package org.recspark.jobs;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.recspark.sampledata.MovieLens100k;
import org.recspark.sampledata.MovieLensTables;
import org.recspark.sampledata.SharedDatasets;
import org.recspark.storage.Locations;

/** {@code recspark prepare-movielens --out DIR [--data DIR]}: MovieLens-100K as sample-job tables. */
final class PrepareMovieLensCommand extends OptionCommand {
    PrepareMovieLensCommand(PrintStream out) {
        super("prepare-movielens",
                "write MovieLens-100K (from ../shared/data) as the CSV tables of examples/movielens_samples.pbtxt",
                out, Set.of("out", "data"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark prepare-movielens --out DIR [--data MOVIELENS_DIR]   (default data: " + SharedDatasets.root()
                + "/movielens-100k)";
    }

    @Override
    int run(CommandLine cl) {
        Path data = cl.optional("data").map(Locations::of).orElseGet(() -> SharedDatasets.movieLens100k().orElseThrow(
                () -> new UsageException("MovieLens-100K not found under " + SharedDatasets.root() + "; pass --data")));
        if (!Files.isRegularFile(data.resolve("u.data"))) {
            throw new UsageException(data + " has no u.data: not a MovieLens-100K directory");
        }
        MovieLens100k movieLens = MovieLens100k.read(data);
        Path outDir = Locations.of(cl.required("out"));
        MovieLensTables.write(movieLens, outDir);
        out.printf("prepare-movielens: %d ratings, %d users, %d movies -> %s%n", movieLens.ratings().size(),
                movieLens.users().size(), movieLens.movies().size(), outDir);
        return 0;
    }
}
