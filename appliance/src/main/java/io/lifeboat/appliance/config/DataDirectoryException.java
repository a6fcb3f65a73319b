package io.lifeboat.appliance.config;

import java.nio.file.Path;

/** The data directory cannot be created; the appliance cannot start. */
public class DataDirectoryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;

    public DataDirectoryException(Path path, Exception cause) {
        super("Cannot create data directory " + path + ": " + IoMessages.describe(cause), cause);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
