import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;
import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.RapaioKernel;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * Starts rapaio-jupyter-kernel as its {@code MainApp} does (logging configuration, the kernel, the
 * connection file, channels; the kernel is MainApp's static field, which its display system uses), without its start-up race: {@code Channels.connect} starts the socket
 * threads before it assigns its message handlers, so a {@code kernel_info_request} that arrives in
 * between (Jupyter sends one as soon as it has started the kernel) kills the shell thread with a
 * NullPointerException and the kernel never answers. Here the handlers field holds, until
 * {@code connect} has returned, a map whose lookups wait for it and then use the real handlers.
 *
 * <p>The kernel's own {@code MainApp} reads {@code logging.properties} from the classpath, as this
 * does: notebooks/kernel/classpath/ comes first and replaces the kernel's (see there).
 */
public final class RapaioKernelLauncher {
    private RapaioKernelLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: RapaioKernelLauncher CONNECTION_FILE");
        }
        try (InputStream logging = RapaioKernelLauncher.class.getClassLoader().getResourceAsStream("logging.properties")) {
            LogManager.getLogManager().readConfiguration(logging);
        }
        // In MainApp's order: the kernel (MainApp's static field: JShell with the classpath, seconds), then
        // the channels (ZeroMQ context and sockets), then connect (binding and the socket threads).
        RapaioKernel kernel = MainApp.kernel;
        ConnectionProperties connection = Transform.fromJson(Files.readString(Path.of(args[0])), ConnectionProperties.class);
        Channels channels = new Channels(connection);
        Field handlers = Channels.class.getDeclaredField("handlers");
        handlers.setAccessible(true);
        CountDownLatch connected = new CountDownLatch(1);
        handlers.set(channels, new AbstractMap<Object, Object>() {
            @Override
            public Object get(Object messageType) {
                try {
                    connected.await();
                    return ((Map<?, ?>) handlers.get(channels)).get(messageType);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the kernel was connecting", e);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public Set<Entry<Object, Object>> entrySet() {
                return Set.of();
            }
        });
        channels.connect(kernel);
        connected.countDown();
        channels.joinUntilClose();
    }
}
