package io.github.durablefunctions.host.testing;

/**
 * A parent class loader that hides the classes of some packages, so that an app class loader below it must load
 * them from the app's jar (as it would in a real deployment, where the host's class path lacks the app's classes).
 */
public final class HidingClassLoader extends ClassLoader {
    private final String hiddenPrefix;

    /** @param hiddenPrefix class names starting with this are not found here (e.g. {@code com.example.app.}) */
    public HidingClassLoader(ClassLoader parent, String hiddenPrefix) {
        super("hiding", parent);
        this.hiddenPrefix = hiddenPrefix;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(hiddenPrefix)) {
            throw new ClassNotFoundException(name + " is hidden from the host's class path in this test");
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public java.net.URL getResource(String name) {
        return name.startsWith(hiddenPrefix.replace('.', '/')) ? null : super.getResource(name);
    }
}
