package io.tributary.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SIGTERM/SIGINT handlers that do not begin the JVM's shutdown (so a continuous sync can commit, save its state and
 * return its own exit code), through {@code sun.misc.Signal} of the {@code jdk.unsupported} module, found by
 * reflection. Empty when that API is missing: the caller then falls back to a shutdown hook.
 */
final class Signals implements AutoCloseable {
    private final List<Object[]> previous = new ArrayList<>(); // {Signal, previous handler}
    private final Method handle;

    private Signals(Method handle) {
        this.handle = handle;
    }

    /** Runs {@code onSignal} (on the JVM's signal thread) for each SIGTERM and SIGINT until {@link #close()}. */
    static Optional<Signals> install(Runnable onSignal) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handler);
            InvocationHandler ih = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    onSignal.run();
                    return null;
                }
                return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "tributary signal handler";
                };
            };
            Object h = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler}, ih);
            Signals s = new Signals(handle);
            for (String name : new String[] {"TERM", "INT"}) {
                Object sig = signal.getConstructor(String.class).newInstance(name);
                s.previous.add(new Object[] {sig, handle.invoke(null, sig, h)});
            }
            return Optional.of(s);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Puts the previous handlers back. */
    @Override
    public void close() {
        for (Object[] p : previous) {
            try {
                handle.invoke(null, p[0], p[1]);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the JVM's own handler stays replaced: nothing better to do
            }
        }
        previous.clear();
    }
}
