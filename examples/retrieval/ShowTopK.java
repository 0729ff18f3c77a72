import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The walkthrough's look at retrieve's output (run as a single source file on the launcher's class
 * path): one user's first rows of the exact top-K with the MovieLens titles, and how many (user,
 * item) pairs the ANN top-K shares with the exact one.
 * Arguments: EXACT_DIR ANN_DIR U_ITEM_FILE USER_ID ROWS.
 */
public class ShowTopK {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("walkthrough: show top-K")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        // u.item is "id|title|release date|...", Latin-1.
        Dataset<Row> titles = spark.read().option("sep", "|").option("encoding", "ISO-8859-1").csv(args[2])
                .select(col("_c0").as("item_id"), col("_c1").as("title"));
        Dataset<Row> exact = spark.read().parquet(args[0]);
        Dataset<Row> ann = spark.read().parquet(args[1]);
        exact.filter(col("user_id").equalTo(args[3])).join(titles, "item_id").orderBy("rank")
                .select("user_id", "rank", "item_id", "score", "title").show(Integer.parseInt(args[4]), false);
        long shared = exact.join(ann, new String[]{"user_id", "item_id"}).count();
        System.out.printf("ANN top-K vs exact: %d of %d (user, item) pairs in both%n", shared, exact.count());
        spark.stop();
    }
}
