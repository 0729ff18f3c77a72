package org.recspark.storage.hadoop;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under a scheme of its own ({@code testfs:///tmp/...}), so the provider's
 * semantics are tested through Hadoop's FileSystem API without a cluster (the real HDFS tests are
 * in spark-jobs).
 */
public final class SchemedLocalFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "testfs";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    /** The FileContext face of the same filesystem (used for renames that replace). */
    public static final class Abstract extends DelegateToFileSystem {
        public Abstract(URI uri, Configuration conf) throws IOException, java.net.URISyntaxException {
            super(uri, new SchemedLocalFileSystem(), conf, SCHEME, false);
        }
    }

    static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set("fs." + SCHEME + ".impl", SchemedLocalFileSystem.class.getName());
        conf.set("fs.AbstractFileSystem." + SCHEME + ".impl", Abstract.class.getName());
        conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
        return conf;
    }
}
